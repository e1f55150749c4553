"""History (变更历史): every change to the store, newest first, filterable by record and user."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from coordtui.screens.base import CoreScreen

LIMIT = 1000


class HistoryScreen(CoreScreen):
    AUTO_FOCUS = "#history"
    BINDINGS = [Binding("slash", "focus_filter", "筛选/Filter", id="key.filter")]

    def compose(self) -> ComposeResult:
        yield Static("", id="history-title")
        yield Input(placeholder="记录编号或用户 / record id or user", id="history-filter")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def populate(self) -> None:
        store = self.app.ws.store
        problems = store.verify_history()
        title = Text(self.t("nav.history"), style="bold")
        if problems:
            title.append(f"  ⚠ {problems[0]}", style="bold red")
        self.query_one("#history-title", Static).update(title)
        needle = self.query_one("#history-filter", Input).value.strip()
        table = self.query_one("#history", DataTable)
        table.clear(columns=True)
        for key in ("when", "user", "op", "org", "kind", "name"):
            table.add_column(self.t(f"col.{key}"), key=key)
        shown = 0
        for e in store.history():
            if needle and needle not in (e["id"], e["user"]) and needle not in str(e.get("after") or e.get("before") or ""):
                continue
            label = (e.get("after") or e.get("before") or {}).get("name") or (e.get("after") or e.get("before") or {}).get("title") or e["id"]
            table.add_row(e["at"].replace("T", " ")[:19], e["user"], e["op"], e["org"], e["kind"], str(label))
            shown += 1
            if shown >= LIMIT:
                break

    def on_input_changed(self, event: Input.Changed) -> None:
        self.populate()

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()
