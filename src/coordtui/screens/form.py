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
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, Footer, Input, Label, Select, SelectionList, Static

from coordtui.domain.records import Record
from coordtui.errors import ConflictError, CoordError
from coordtui.forms import FieldSpec, field_errors, field_specs
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
        action = ("编辑" if self.record else "新建") if self.app.lang == "zh" else ("Edit" if self.record else "New")
        yield Static(f"[b]{action} {title}[/b] · {org.name}" + (f" · rev {self.rev}" if self.record else ""), id="form-title")
        with VerticalScroll(id="form-body"):
            for spec in self.specs:
                yield Label(spec.label + ("" if spec.optional else " *"), classes="field-label")
                yield self._widget(spec, values.get(spec.name))
                yield Label("", id=f"err-{spec.name}", classes="field-error")
            yield Label("", id="err-", classes="field-error")
        yield Footer(compact=True, show_command_palette=False)

    def _options(self, spec: FieldSpec) -> list[tuple[str, str]]:
        records = self.app.ws.records(self.org_id, spec.ref_kind) if spec.ref_kind else []
        return [(f"{r.label()} ({r.id})", r.id) for r in records]

    def _widget(self, spec: FieldSpec, value: Any):
        wid = f"f-{spec.name}"
        if spec.widget == "bool":
            return Checkbox(spec.label, bool(value), id=wid)
        if spec.widget == "choice":
            return Select([(c, c) for c in spec.choices], value=value if value in spec.choices else Select.NULL, id=wid, allow_blank=True)
        if spec.widget == "ref":
            options = self._options(spec)
            known = {v for _, v in options}
            return Select(options, value=value if value in known else Select.NULL, id=wid, allow_blank=True)
        if spec.widget == "refs":
            chosen = set(value or [])
            return SelectionList[str](*[(label, v, v in chosen) for label, v in self._options(spec)], id=wid)
        text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        placeholder = "YYYY-MM-DD" if spec.widget == "date" else ""
        disabled = spec.name == "id" and self.record is not None
        return Input(text, id=wid, placeholder=placeholder, disabled=disabled, type="integer" if spec.widget == "int" else "text")

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
                elif not spec.optional:
                    data[spec.name] = None
            else:
                text = widget.value.strip()
                if text or not spec.optional:
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
            self.query_one(f"#err-{name}", Label).update(self.errors.get(name, ""))
        return record

    def on_input_changed(self, event: Input.Changed) -> None:
        self.validate()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.validate()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.validate()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.validate()

    # saving ---------------------------------------------------------------------------------
    def action_save(self) -> None:
        record = self.validate()
        if record is None:
            first = next(iter(self.errors.items()))
            self.app.notify(f"{first[0] or self.kind}: {first[1]}", severity="error", title="未保存" if self.app.lang == "zh" else "Not saved")
            return
        self._save(record, self.rev)

    def _save(self, record: Record, rev: int) -> None:
        try:
            self.rev = self.app.ws.save(self.org_id, record, rev=rev)
        except ConflictError as exc:
            mine = record.model_dump(mode="json")
            theirs = exc.current or {}
            self.app.push_screen(ConflictModal(exc.message, mine, theirs), lambda choice: self._resolve(choice, record, theirs))
            return
        except CoordError as exc:
            self.app.show_error(exc)
            return
        self.record = record
        self.app.notify(f"{record.label()} · rev {self.rev}", title="已保存" if self.app.lang == "zh" else "Saved")
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
