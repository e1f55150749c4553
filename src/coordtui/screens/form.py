"""The record form (记录表单), generated from the kind's pydantic model.

Every field validates as you type, errors show at the field in the interface
language, and saving handles a revision conflict by showing both versions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Footer, Input, Label, Select, SelectionList, Static

from coordtui.domain.records import Record
from coordtui.errors import ConflictError, CoordError
from coordtui.forms import FieldSpec, field_errors, field_specs, label_for, split_list
from coordtui.screens.base import CoreScreen
from coordtui.screens.modals import ConflictModal


class RecordForm(CoreScreen):
    """Edit (``record`` given) or create (``prefill``) one record of ``kind``."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存/Save", id="key.save"),
        Binding("escape", "back", "返回/Back", id="key.back"),
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

    # building -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        ws = self.app.ws
        org = ws.org(self.org_id)
        self.cls = ws.model_of(org).kind(self.kind)
        self.specs = field_specs(self.cls)
        values = self.record.model_dump() if self.record else dict(self.prefill)
        if not self.record and "id" not in values:
            values["id"] = f"{self.kind}-{datetime.now():%Y%m%d%H%M%S}"
        title = self.cls.title_zh if self.app.lang == "zh" else self.cls.title_en
        action = self.t("form.edit" if self.record else "form.new")
        yield Static(f"[b]{action} {title}[/b] · {org.name}" + (f" · rev {self.rev}" if self.record else ""), id="form-title")
        lang = self.app.lang
        with VerticalScroll(id="form-body"):
            for spec in self.specs:
                with Horizontal(classes="field-row"):
                    yield Label(label_for(spec.label, lang) + ("" if spec.optional else " *"), classes="field-label")
                    yield self._widget(spec, values.get(spec.name))
                yield Label("", id=f"err-{spec.name}", classes="field-error")
            yield Label("", id="err-", classes="field-error")
        yield Footer(compact=True, show_command_palette=False)

    def _options(self, spec: FieldSpec) -> list[tuple[str, str]]:
        records = self.app.ws.records(self.org_id, spec.ref_kind) if spec.ref_kind else []
        return [(f"{r.label()} ({r.id})", r.id) for r in records]

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
            return SelectionList[str](*[(label, v, v in chosen) for label, v in self._options(spec)], id=wid, compact=True)
        text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        placeholder = "YYYY-MM-DD" if spec.widget == "date" else ""
        disabled = spec.name == "id" and self.record is not None
        return Input(text, id=wid, placeholder=placeholder, disabled=disabled, compact=True,
                     type="integer" if spec.widget == "int" else "text")

    def populate(self) -> None:
        first = next(iter(self.query(Input).results()), None)
        if first is not None and first.disabled:
            others = [w for w in self.query(Input) if not w.disabled]
            first = others[0] if others else None
        if first is not None:
            first.focus()
        self.validate()

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
        self.validate()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(event.input.id)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed(event.select.id)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._changed(event.selection_list.id)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._changed(event.checkbox.id)

    # saving ---------------------------------------------------------------------------------
    def action_save(self) -> None:
        self.show_all = True
        record = self.validate()
        if record is None:
            name, problem = next(iter(self.errors.items()))
            labels = {spec.name: label_for(spec.label, self.app.lang) for spec in self.specs}
            self.app.notify(f"{labels.get(name, name) or self.kind}: {problem}", severity="error",
                            title=self.t("form.not_saved"))
            return
        self._save(record, self.rev)

    def _save(self, record: Record, rev: int) -> None:
        try:
            self.rev = self.app.ws.save(self.org_id, record, rev=rev)
        except ConflictError as exc:
            mine = record.model_dump(mode="json")
            theirs = exc.current or {}
            self.app.push_screen(ConflictModal(exc.text(self.app.lang), mine, theirs), lambda choice: self._resolve(choice, record, theirs))
            return
        except CoordError as exc:
            self.app.show_error(exc)
            return
        self.record = record
        self.app.notify(f"{record.label()} · rev {self.rev}", title=self.t("form.saved"))
        self.app.record_saved()
        self.app.pop_screen()

    def _resolve(self, choice: str | None, record: Record, theirs: dict[str, Any]) -> None:
        if choice == "mine":
            self._save(record, int(theirs.get("_rev", 0)))
        elif choice == "theirs":
            from coordtui.store import strip_meta

            self.app.pop_screen()
            fresh = self.cls.model_validate(strip_meta(theirs))
            self.app.push_screen(RecordForm(self.org_id, self.kind, fresh, int(theirs.get("_rev", 0))))
