"""The model screens menu (模型页面): the screens the current organization's model adds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from coordtui.domain.model import ScreenSpec
from coordtui.screens.base import Localized


class ModelMenu(Localized, ModalScreen["str | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, title: str, specs: list[ScreenSpec]) -> None:
        super().__init__(classes="modal")
        self.menu_title, self.specs = title, specs

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog"):
            yield Label(self.menu_title, classes="dialog-title")
            yield OptionList(*[Option(f"{s.key or ' '}  {s.title(lang)}", id=s.id) for s in self.specs], id="model-menu")

    def on_key(self, event) -> None:
        for spec in self.specs:
            if spec.key and event.key == spec.key:
                event.stop()
                self.dismiss(spec.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
