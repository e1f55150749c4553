"""The footer of every screen: Textual's compact footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's ``Footer(compact=True, show_command_palette=False)``, rebuilt only when what it
    shows changed.

    Textual's footer recomposes (every key a new widget, each styled again) whenever its screen
    publishes "bindings updated": on mount, on every focus change and every ``refresh_bindings``.
    At start-up that was six recomposes of the same twelve keys, a sixth of the application's
    own start; a language switch or a key that becomes disabled still rebuilds it.
    """

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 (Footer's keyword arguments)
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def _keys(self) -> tuple:
        """Everything of the screen's active bindings that :meth:`Footer.compose` draws."""
        app = self.app
        return (
            self.compact, self.show_command_palette, self.combine_groups, app.ENABLE_COMMAND_PALETTE,
            tuple((key, binding.key, binding.action, binding.description, binding.tooltip, binding.show, binding.group,
                   enabled, tooltip, app.get_key_display(binding))
                  for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()),
        )

    def compose(self):  # noqa: ANN201 (Textual's ComposeResult)
        if self._bindings_ready:
            self._shown = self._keys()
        yield from super().compose()

    def bindings_changed(self, screen) -> None:  # noqa: ANN001 (a Screen)
        super().bindings_changed(screen)
        # Textual redraws the footer on "bindings updated" only while the application has the
        # focus. A footer composed before any binding was ready (the dashboard, the default
        # screen, composes at once) would stay empty until a later change: in a browser tab
        # (coordtui serve) the page has no focus yet, so it stayed empty. Drawn the first time.
        if not screen.app.app_focus and self._shown is None and self.is_attached and screen is self.screen:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        if self._shown is not None and self.is_attached and self._keys() == self._shown:
            return  # the same keys as drawn: nothing to rebuild
        await super().recompose()
