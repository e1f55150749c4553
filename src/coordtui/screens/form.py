"""The record form (记录表单), generated from the kind's pydantic model.

Every field validates as you type, errors show at the field in the interface
language, and saving handles a revision conflict by showing both versions.
"""

from __future__ import annotations

import secrets
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from textual.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static

from coordtui.domain.records import Record
from coordtui.errors import ConflictError, CoordError, InputError
from coordtui.forms import FieldSpec, field_errors, field_specs, label_for, split_list
from coordtui.i18n import t
from coordtui.screens.attachments import BINDINGS as ATTACHMENT_BINDINGS
from coordtui.screens.attachments import AttachmentKeys, AttachmentTable
from coordtui.screens.base import CoreScreen
from coordtui.screens.modals import ConflictModal
from coordtui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from coordtui.app import CoordApp


def new_record_id(kind: str, day: date) -> str:
    """A new record's id: short, readable, and never the same for two forms opened at once
    (``activity-20261201-7f3a9c2e``: the office's day and 32 random bits)."""
    return f"{kind}-{day:%Y%m%d}-{secrets.token_hex(4)}"


class RecordForm(AttachmentKeys, CoreScreen):
    """Edit (``record`` given) or create (``prefill``) one record of ``kind``; below the fields,
    the record's attachments (佐证材料) with their keys."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存/Save", id="key.save"),
        Binding("escape", "back", "返回/Back", id="key.back"),
        *ATTACHMENT_BINDINGS,
    ]

    def __init__(self, org_id: str, kind: str, record: Record | None = None, rev: int = 0, prefill: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.org_id, self.kind = org_id, kind
        self.record, self.rev = record, rev
        self.prefill = prefill or {}
        self.cls: type[Record] | None = None  # resolved in compose, where the app is at hand
        self.errors: dict[str, str] = {}
        # Errors show for the fields the user has touched, and for all after a save attempt.
        self.touched: set[str] = set()
        self.show_all = record is not None
        self.saving = False  # a save is under way in a worker
        self.title_markup = ""

    # building -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        ws = self.app.ws
        org = ws.org(self.org_id)
        self.org_name = org.name
        self.cls = ws.model_of(org).kind(self.kind)
        # The id last: a person fills in what the record says; the id is made for them.
        specs = field_specs(self.cls)
        self.specs = [s for s in specs if s.name != "id"] + [s for s in specs if s.name == "id"]
        values = self.record.model_dump() if self.record else dict(self.prefill)
        if not self.record and "id" not in values:
            values["id"] = new_record_id(self.kind, ws.clock.today())
        title = self.cls.title_zh if self.app.lang == "zh" else self.cls.title_en
        action = self.t("form.edit" if self.record else "form.new")
        self.title_markup = f"[b]{action} {title}[/b] · {escape(org.name)}" + (f" · rev {self.rev}" if self.record else "")
        yield Static(self.title_markup, id="form-title")
        lang = self.app.lang
        self._initial_values = values
        with VerticalScroll(id="form-body"):
            for spec in self.specs:
                with Horizontal(classes="field-row"):
                    yield Label(label_for(spec.label, lang) + ("" if spec.optional else " *"), classes="field-label")
                    yield self._widget(spec, values.get(spec.name))
                yield Label("", id=f"err-{spec.name}", classes="field-error")
            yield Label("", id="err-", classes="field-error")
            yield from self.attachments_widgets()
        yield KeyFooter()

    def _options(self, spec: FieldSpec) -> list[tuple[str, str]]:
        records = self.app.ws.records(self.org_id, spec.ref_kind) if spec.ref_kind else []
        # Records by name; the id only where two share a name (ids are not for reading).
        names = [r.label() for r in records]
        return [(f"{r.label()} ({r.id})" if names.count(r.label()) > 1 else r.label(), r.id) for r in records]

    def _allowed(self, spec: FieldSpec, values: dict[str, Any]) -> set[str] | None:
        """The ids a list of references may hold given the form's other choices (its units and
        grid members follow the chosen group), worked out from the model's own references: a
        record of the listed kind that refers to the chosen one, or a pure link kind between
        the two (a group–grid-member link). None: no other choice narrows it."""
        ws = self.app.ws
        model = ws.model_of(ws.org(self.org_id))
        target = model.kind(spec.ref_kind)
        allowed: set[str] | None = None
        for other in self.specs:
            chosen = values.get(other.name)
            if other.widget != "ref" or not chosen or other.ref_kind == spec.ref_kind:
                continue
            fields = [f for f, k in target.references().items() if k == other.ref_kind]
            found: set[str] | None = None
            if fields:
                found = {r.id for r in ws.records(self.org_id, spec.ref_kind) if any(chosen in r.ref_values(f) for f in fields)}
            else:
                for cls in model.kinds:
                    refs = cls.references()
                    if len(refs) != 2 or set(cls.model_fields) - {"id"} != set(refs) or sorted(refs.values()) != sorted([other.ref_kind, spec.ref_kind]):
                        continue
                    to_other = next(f for f, k in refs.items() if k == other.ref_kind)
                    to_target = next(f for f, k in refs.items() if k == spec.ref_kind and f != to_other)
                    found = {getattr(r, to_target) for r in ws.records(self.org_id, cls.kind) if getattr(r, to_other) == chosen}
            if found is not None:
                allowed = found if allowed is None else allowed & found
        return allowed

    def _narrowed(self, spec: FieldSpec, values: dict[str, Any], chosen: set[str]) -> list[tuple[str, str]]:
        """The options of a list of references, narrowed by the form's other choices; what is
        already chosen always stays (a choice is never thrown away behind the user's back)."""
        allowed = self._allowed(spec, values)
        return [(label, v) for label, v in self._options(spec) if allowed is None or v in allowed or v in chosen]

    def _follow(self, changed: str) -> None:
        """After a reference changed, the lists of references that depend on it offer only what fits."""
        values = self.values()
        for spec in self.specs:
            if spec.widget != "refs" or spec.name == changed:
                continue
            widget = self.query_one(f"#f-{spec.name}", SelectionList)
            chosen = set(widget.selected)
            options = self._narrowed(spec, values, chosen)
            if [v for _, v in options] != [o.value for o in widget._options]:
                widget.clear_options()
                widget.add_options([(label, v, v in chosen) for label, v in options])

    def _widget(self, spec: FieldSpec, value: Any):
        wid = f"f-{spec.name}"
        prompt = self.t("form.choose")
        if spec.widget == "bool":
            return Checkbox(self.t("form.yes"), bool(value), id=wid, compact=True)
        if spec.widget == "choice":
            return Select([(c, c) for c in spec.choices], value=value if value in spec.choices else Select.NULL, id=wid,
                          allow_blank=True, prompt=prompt, compact=True)
        if spec.widget == "ref":
            options = self._options(spec)
            known = {v for _, v in options}
            return Select(options, value=value if value in known else Select.NULL, id=wid, allow_blank=True, prompt=prompt, compact=True)
        if spec.widget == "choices":
            chosen = set(value or [])
            return SelectionList[str](*[(c, c, c in chosen) for c in spec.choices], id=wid, compact=True)
        if spec.widget == "list":
            return Input("、".join(value or []), id=wid, compact=True, placeholder="甲、乙、丙")
        if spec.widget == "refs":
            chosen = set(value or [])
            options = self._narrowed(spec, self._initial_values, chosen)
            return SelectionList[str](*[(label, v, v in chosen) for label, v in options], id=wid, compact=True)
        text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        placeholder = "YYYY-MM-DD" if spec.widget == "date" else ""
        disabled = spec.name == "id" and self.record is not None
        # Not select_on_focus: a key pressed on an opened record must not replace its first field.
        return Input(text, id=wid, placeholder=placeholder, disabled=disabled, compact=True, select_on_focus=False,
                     type="integer" if spec.widget == "int" else "text")

    def populate(self) -> None:
        if not self.is_open or not self.query(".field-row"):
            return  # left (a key typed while it opened) before it was filled: nothing to fill
        first = next(iter(self.query(Input).results()), None)
        if first is not None and first.disabled:
            others = [w for w in self.query(Input) if not w.disabled]
            first = others[0] if others else None
        if first is not None:
            first.focus()
            first.action_end()
        self.validate()
        if not hasattr(self, "initial"):
            self.initial = self.values()
        self.show_attachments()

    def attachment_record_id(self) -> str | None:
        return self.record.id if self.record is not None else None

    def show_attachments(self) -> None:
        super().show_attachments()
        self._show_saving(self.saving)  # the title says how many files there are: the list may be below the fold

    def _files_note(self) -> str:
        tables = self.query("#attachments").results(AttachmentTable)
        count = len(getattr(next(tables, None), "attachments", []))
        return f" · {self.t('att.count', count=count)}" if count else ""

    def attachment_label(self) -> str:
        if self.record is not None:
            return self.record.label()
        return self.t("form.new") + " " + (self.cls.title_zh if self.app.lang == "zh" else self.cls.title_en)

    def dirty(self) -> bool:
        """Typed or chosen anything since the form opened (or since it last saved)."""
        return hasattr(self, "initial") and self.values() != self.initial

    def action_back(self) -> None:
        """Esc leaves; with unsaved changes it first asks (Esc again leaves without saving, Ctrl+S saves)."""
        if self.dirty() and not self.saving and not getattr(self, "warned", False):
            self.warned = True
            self.app.notify(self.t("form.unsaved"), severity="warning", title=self.t("form.not_saved"))
            return
        super().action_back()

    # values and validation ------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec in self.specs:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, Checkbox):
                data[spec.name] = widget.value
            elif isinstance(widget, SelectionList):
                data[spec.name] = list(widget.selected)
            elif isinstance(widget, Select):
                value = widget.value
                if value is not Select.NULL and value is not None:
                    data[spec.name] = value
            elif spec.widget == "list":
                data[spec.name] = split_list(widget.value)
            else:
                text = widget.value.strip()
                if text:  # an empty required field is reported as missing (必填), not as a bad value
                    data[spec.name] = text
        return data

    def validate(self) -> Record | None:
        try:
            record = self.cls.model_validate(self.values())
            self.errors = {}
        except ValidationError as exc:
            record = None
            self.errors = field_errors(exc, self.app.lang)
        for spec in [*self.specs, None]:
            name = spec.name if spec else ""
            shown = name in self.errors and (self.show_all or name in self.touched or name == "")
            label = self.query_one(f"#err-{name}", Label)
            label.update(self.errors.get(name, "") if shown else "")
            label.display = shown
        return record

    def _changed(self, widget_id: str | None) -> None:
        if widget_id and widget_id.startswith("f-"):
            self.touched.add(widget_id[2:])
        self.warned = False  # a change after the warning is asked about again
        self.validate()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(event.input.id)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("f-") and self.query(".field-row"):
            self._follow(event.select.id[2:])
        self._changed(event.select.id)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._changed(event.selection_list.id)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._changed(event.checkbox.id)

    # saving ---------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and self.saving:
            return None  # greyed out in the footer while the save is under way
        return True

    def action_save(self) -> None:
        if self.saving:
            self.app.notify(self.t("form.still_saving"))
            return
        self.show_all = True
        record = self.validate()
        if record is None:
            name, problem = next(iter(self.errors.items()))
            labels = {spec.name: label_for(spec.label, self.app.lang) for spec in self.specs}
            kind = self.cls.title_zh if self.app.lang == "zh" else self.cls.title_en
            self.app.notify(self.t("form.field_problem", field=labels.get(name, name) or kind, problem=problem), severity="error",
                            title=self.t("form.not_saved"))
            return
        future = self.future_dates(record)
        if future and getattr(self, "future_warned", None) != future:
            # Something recorded as done (报送日期, 召开日期 ...) cannot have happened after today:
            # say so once; Ctrl+S again saves it as it is (a date typed ahead on purpose).
            self.future_warned = future
            labels = {spec.name: label_for(spec.label, self.app.lang) for spec in self.specs}
            name, day = future[0]
            self.app.notify(self.t("form.future", field=labels.get(name, name), day=self.day(day), today=self.day(self.app.ws.today())),
                            severity="warning", title=self.t("form.not_saved"))
            return
        self._save(record, self.rev)

    def future_dates(self, record: Record) -> list[tuple[str, date]]:
        """The dates of things done (fields named ``…_on``: filed, held, found, transferred) that
        lie after the office's today."""
        today = self.app.ws.today()
        return [(spec.name, getattr(record, spec.name)) for spec in self.specs
                if spec.widget == "date" and spec.name.endswith("_on") and isinstance(getattr(record, spec.name, None), date)
                and getattr(record, spec.name) > today]

    def _save(self, record: Record, rev: int) -> None:
        """Write in a worker thread: the store's lock may be held for seconds by another user's
        bulk write, and the interface must keep answering (Esc still leaves) meanwhile."""
        self._show_saving(True)
        app = self.app
        # The application's worker, not the form's: leaving the form must not orphan the save.
        app.run_worker(partial(self._write, app, record, rev), thread=True, group="save", name=f"save {self.kind} {record.id}")

    def _write(self, app: "CoordApp", record: Record, rev: int) -> None:
        try:
            new_rev = app.ws.save(self.org_id, record, rev=rev)
        except ConflictError as exc:
            app.call_from_thread(self._conflict, exc, record, rev)
        except CoordError as exc:
            app.call_from_thread(self._failed, exc)
        except Exception as exc:  # a bug below (a store fault, a model's validator): the app and the form stay
            error = f"{type(exc).__name__}: {exc}"
            app.call_from_thread(self._failed, CoordError(t("form.save_failed", "en", error=error), title="Not saved",
                                                          message_zh=t("form.save_failed", "zh", error=error)))
        else:
            app.call_from_thread(self._saved, record, new_rev)

    def _show_saving(self, saving: bool) -> None:
        self.saving = saving
        if self.is_open:  # a form left with Esc while it saved has no widgets any more
            for title in self.query("#form-title").results(Static):
                title.update(self.title_markup + self._files_note() + (f" · {self.t('form.saving')}" if saving else ""))
            self.refresh_bindings()

    @property
    def is_open(self) -> bool:
        """Still on the screen stack (the user may have left with Esc while it saved)."""
        return self in self.app.screen_stack

    def _saved(self, record: Record, rev: int) -> None:
        self._show_saving(False)
        self.record, self.rev = record, rev
        self.app.notify(f"{escape(record.label())} · rev {rev}", title=self.t("form.saved"))
        if self.app.screen is self:
            self.app.pop_screen()
        self.app.record_saved()

    def _failed(self, exc: CoordError) -> None:
        self._show_saving(False)
        self.app.show_error(exc)

    def _conflict(self, exc: ConflictError, record: Record, rev: int) -> None:
        self._show_saving(False)
        app = self.app
        if rev == 0:
            # A create that meets an existing id is someone else's record, never "keep mine":
            # the form stays open for another id.
            org, kind = self.org_name, (self.cls.title_zh, self.cls.title_en)
            taken = InputError(t("form.id_taken", "en", org=org, kind=kind[1], id=record.id),
                               message_zh=t("form.id_taken", "zh", org=org, kind=kind[0], id=record.id))
            app.show_error(taken, lambda _: self._focus_id())
            return
        if not self.is_open:  # the user left the form while it saved: say it was not saved
            problem = exc.text(app.lang)
            app.show_error(ConflictError(t("form.conflict_closed", "en", label=record.label(), problem=exc.message),
                                         message_zh=t("form.conflict_closed", "zh", label=record.label(), problem=problem)))
            return
        mine = record.model_dump(mode="json")
        theirs = exc.current or {}
        app.push_screen(ConflictModal(self._conflict_text(exc, record, rev), mine, theirs, titles=self._titles(), shown=self._shown),
                        lambda choice: self._resolve(choice, record, theirs))

    def _conflict_text(self, exc: ConflictError, record: Record, rev: int) -> str:
        """Who changed the record (their shown name) and when (in the office's zone; the store keeps
        UTC), naming the kind, the record and the organization as the interface does."""
        from coordtui.i18n import stamp

        current = exc.current
        lang = self.app.lang
        names = dict(kind=self.cls.title_zh if lang == "zh" else self.cls.title_en, label=record.label(), org=self.org_name)
        if not current:
            return self.t("conflict.deleted", **names)
        if not current.get("_at"):
            return exc.text(lang)
        by = str(current.get("_by", "?"))
        person = self.app.ws.store.get_person(by) or {}
        return self.t("conflict.changed", **names, by=person.get("display") or by, at=stamp(current["_at"], lang, self.app.ws.clock),
                      rev=rev, have=current.get("_rev", "?"))

    def _titles(self) -> dict[str, str]:
        """Each field's title in the interface language (名称, not name)."""
        return {spec.name: label_for(spec.label, self.app.lang) for spec in self.specs}

    def _shown(self, name: str, value: Any) -> str:
        """A stored value as the form would show it: a referred record by its label, a list joined
        with 、, a date as a person reads it, yes or no, "(empty)"."""
        from coordtui.i18n import day

        spec = next((s for s in self.specs if s.name == name), None)
        if value is None or value == "" or value == []:
            return self.t("conflict.empty")
        if spec is not None and spec.widget in ("ref", "refs"):
            labels = dict((v, label) for label, v in self._options(spec))
            values = value if isinstance(value, list) else [value]
            return "、".join(labels.get(str(v), str(v)) for v in values)
        if isinstance(value, bool) or (spec is not None and spec.widget == "bool"):
            return self.t("form.yes") if value else self.t("conflict.no")
        if spec is not None and spec.widget == "date":
            return day(value, self.app.lang)
        if isinstance(value, list):
            return "、".join(map(str, value))
        return str(value)

    def _focus_id(self) -> None:
        if self.is_open and self.is_mounted:
            field = self.query_one("#f-id", Input)
            field.focus()
            # The cursor at the end, the id not selected: the user changes it rather than retyping it.
            self.call_after_refresh(field.action_end)

    def _resolve(self, choice: str | None, record: Record, theirs: dict[str, Any]) -> None:
        if choice == "mine":
            self._save(record, int(theirs.get("_rev", 0)))
        elif choice == "theirs":
            from coordtui.store import strip_meta

            self.app.pop_screen()
            if not theirs:  # deleted meanwhile: there is no saved version to take
                self.app.show_error(InputError(t("record.gone", "en", kind=self.kind, id=record.id),
                                               message_zh=t("record.gone", "zh", kind=self.kind, id=record.id)))
                return
            fresh = self.cls.model_validate(strip_meta(theirs))
            self.app.push_screen(RecordForm(self.org_id, self.kind, fresh, int(theirs.get("_rev", 0))))
