"""Plugins (插件): what loaded and what failed, with the cause."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from coordtui.screens.base import CoreScreen


class PluginsScreen(CoreScreen):
    AUTO_FOCUS = "#plugins"
    def compose(self) -> ComposeResult:
        yield Static("", id="plugins-title")
        yield DataTable(id="plugins", cursor_type="row")
        yield Footer(compact=True, show_command_palette=False)

    def populate(self) -> None:
        self.query_one("#plugins-title", Static).update(Text(self.t("nav.plugins"), style="bold"))
        table = self.query_one("#plugins", DataTable)
        table.clear(columns=True)
        for key in ("name", "status", "models", "version", "cause", "source"):
            table.add_column(self.t(f"col.{key}"), key=key)
        for info in sorted(self.app.ws.host.plugins.values(), key=lambda i: i.name):
            style = {"ok": "green", "failed": "bold red", "disabled": "yellow"}[info.status]
            table.add_row(info.name, Text(info.status, style=style), ", ".join(info.models) or "-", info.version, info.cause or "", info.source, key=info.name)
