"""History (变更历史): every change to the store, newest first, filterable by record and user.

The logs are read and their hash chains verified in a worker (seconds at 100,000 changes),
then kept by the screen's :class:`~coordtui.store.HistoryReader`, which re-reads only the
logs a save changed; typing in the filter searches what is already loaded.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, LoadingIndicator, Static

from coordtui.errors import CoordError
from coordtui.i18n import CATALOGUE, stamp
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.store import HistoryReader

LIMIT = 1000


class HistoryScreen(CoreScreen):
    AUTO_FOCUS = "#history"
    BINDINGS = [Binding("slash", "focus_filter", "筛选/Filter", id="key.filter")]

    def __init__(self) -> None:
        super().__init__()
        self.reader: HistoryReader | None = None
        self.entries: list[dict[str, Any]] | None = None
        self.haystacks: list[str] = []  # per entry, what the filter searches
        self.problems: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="history-title")
        yield Input(placeholder=self.t("history.placeholder"), id="history-filter")
        yield LoadingIndicator(id="history-loading")
        yield FitTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def populate(self) -> None:
        """Show what is loaded and read again, in a worker, what changed since."""
        self.show_rows()
        self.run_worker(self._load, thread=True, exclusive=True, group="history")

    def _load(self) -> None:
        try:
            if self.reader is None:
                self.reader = HistoryReader(self.app.ws.store)
            entries, problems = self.reader.refresh()
            entries = self.app.ws.visible_history(entries)  # only what this person may see
        except CoordError as exc:
            self.app.call_from_thread(self.app.show_error, exc)
            return
        haystacks = [f"\x00{e.get('id')}\x00{e.get('user')}\x00{e.get('after') or e.get('before') or ''}" for e in entries]
        self.app.call_from_thread(self._loaded, entries, haystacks, problems)

    def _loaded(self, entries: list[dict[str, Any]], haystacks: list[str], problems: list[str]) -> None:
        self.entries, self.haystacks, self.problems = entries, haystacks, problems
        self.show_rows()

    def show_rows(self) -> None:
        title = Text(self.t("nav.history"), style="bold")
        if self.problems:
            title.append(f"  ⚠ {self.problems[0]}", style="bold red")
        self.query_one("#history-title", Static).update(title)
        self.query_one("#history-loading", LoadingIndicator).display = self.entries is None
        table = self.query_one("#history", FitTable)
        ranks = {"when": 1, "user": 1, "op": 3, "org": 5, "kind": 4}  # who changed it and when never give way
        cols = [Col(key, self.t(f"col.{key}"), rank=ranks[key], min=None if ranks[key] == 1 else 6, hide=ranks[key] > 1) for key in ranks]
        cols.append(Col("name", self.t("col.name"), keep=True))
        if self.entries is None:
            table.show(cols, [])
            return
        needle = self.query_one("#history-filter", Input).value.strip()
        orgs = {o.id: o.name for o in self.app.orgs}
        clock = self.app.ws.clock  # stored times are instants (UTC, or an older entry's offset): shown in the office's zone
        shown = 0
        data = []
        for e, haystack in zip(self.entries, self.haystacks):
            if needle and needle not in haystack:
                continue
            doc = e.get("after") or e.get("before") or {}
            cls = self.kind_class(e.get("org", ""), e.get("kind", ""))
            label = (cls is not None and doc.get(cls.label_field)) or doc.get("name") or doc.get("title") or e.get("id")
            op = str(e.get("op", ""))
            data.append(([stamp(e.get("at", ""), self.app.lang, clock), e.get("user", ""), self.t(f"op.{op}") if f"op.{op}" in CATALOGUE else op,
                          orgs.get(e.get("org", ""), e.get("org", "")), self.kind_name(e.get("org", ""), e.get("kind", "")), str(label)], None))
            shown += 1
            if shown >= LIMIT:
                break
        table.show(cols, data)

    def kind_class(self, org_id: str, kind: str):
        """The record class of ``kind`` in the organization's model, or None."""
        org = next((o for o in self.app.orgs if o.id == org_id), None)
        model = self.app.ws.host.models.get(org.model) if org is not None else None
        return next((k for k in model.kinds if k.kind == kind), None) if model is not None else None

    def kind_name(self, org_id: str, kind: str) -> str:
        """A kind's name in the interface language (成员单位, not member_body); the id where no model knows it."""
        cls = self.kind_class(org_id, kind)
        if cls is None:
            return kind
        return cls.title_zh if self.app.lang == "zh" else cls.title_en

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_rows()

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()
