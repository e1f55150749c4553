"""Plugins (插件): what loaded and what failed, with the cause."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from coordtui.i18n import text_in
from coordtui.plugins import _source_zh
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.widgets.footer import KeyFooter


class PluginsScreen(CoreScreen):
    AUTO_FOCUS = "#plugins"
    def compose(self) -> ComposeResult:
        yield Static("", id="plugins-title")
        yield FitTable(id="plugins", cursor_type="row")
        yield KeyFooter()

    def populate(self) -> None:
        self.query_one("#plugins-title", Static).update(Text(self.t("nav.plugins"), style="bold"))
        table = self.query_one("#plugins", FitTable)
        ranks = {"models": 2, "version": 4, "cause": 1, "source": 3}
        cols = [Col("name", self.t("col.name"), keep=True), Col("status", self.t("col.status"), rank=0, hide=False)]
        cols += [Col(key, self.t(f"col.{key}"), rank=rank, min=8) for key, rank in ranks.items()]
        data = []
        for info in sorted(self.app.ws.host.plugins.values(), key=lambda i: i.name):
            style = {"ok": "green", "failed": "bold red", "disabled": "yellow"}[info.status]
            status = self.t(f"plugin.status.{info.status}")
            cause = text_in(info.cause, self.app.lang) if info.cause else ""
            source = (_source_zh(info.source) if self.app.lang == "zh" else info.source)
            data.append(([info.name, Text(status, style=style), ", ".join(info.models) or "-", info.version, cause, source], info.name))
        table.show(cols, data)
