"""Export from the interface (导出): choose a format; the file is written in a worker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from coordtui.screens.base import Localized

CHOICES = [
    ("xlsx", "台账（Excel）", "Ledger (Excel)"),
    ("docx", "本季度工作报告（Word）", "This quarter's report (Word)"),
    ("md", "情况摘要（Markdown）", "Summary (Markdown)"),
    ("ics", "到期日历（ics）", "Deadline calendar (ics)"),
    ("json", "完整数据（json）", "All data (json)"),
]


class ExportModal(Localized, ModalScreen["str | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def compose(self) -> ComposeResult:
        zh = self.app.lang == "zh"
        with Vertical(classes="dialog"):
            yield Label("导出" if zh else "Export", classes="dialog-title")
            yield OptionList(*[Option(f"{fmt:<5} {label_zh if zh else label_en}", id=fmt) for fmt, label_zh, label_en in CHOICES], id="export-formats")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
