"""Help (帮助): every key on the screen underneath."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from coordtui.i18n import t
from coordtui.screens.base import Localized


class HelpScreen(Localized, ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="key.close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__(classes="modal")
        self.bindings_list = bindings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label(t("help.title", self.app.lang), classes="dialog-title")
            yield DataTable(id="help-keys", cursor_type="row", show_header=False)

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("key", "action")
        for key, description in self.bindings_list:
            table.add_row(key, description)
