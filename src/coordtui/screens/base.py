"""What every core screen shares: the header line, the navigation keys, error handling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from coordtui.app import CoordApp


class Localized:
    """Mixed into every screen: key labels follow the interface language."""

    def on_mount(self) -> None:
        from coordtui.widgets.keys import localize_bindings

        localize_bindings(self, self.app.lang)  # type: ignore[attr-defined]
        self.refresh_bindings()  # type: ignore[attr-defined]


class CoreScreen(Localized, Screen):
    """A core screen. Subclasses fill themselves in :meth:`populate`, which runs on mount,
    after a language switch and after every new check result."""

    app: "CoordApp"

    BINDINGS = [
        Binding("escape", "back", "返回/Back", show=False, id="key.back"),
    ]

    def on_mount(self) -> None:
        super().on_mount()
        self.populate()

    def populate(self) -> None:
        """Fill the screen's widgets from the application's state."""

    def action_back(self) -> None:
        from textual.widgets import Input

        if isinstance(self.focused, Input) and self.AUTO_FOCUS and type(self).__name__ != "RecordForm":
            # Escape leaves a filter box first, then the screen.
            self.query_one(self.AUTO_FOCUS).focus()
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def t(self, key: str, **values: object) -> str:
        from coordtui.i18n import t

        return t(key, self.app.lang, **values)
