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

    def on_descendant_focus(self, event) -> None:  # noqa: ANN001
        """A focused widget of Textual's own (an open dropdown) lists its keys in the interface language too."""
        from coordtui.widgets.keys import localize_widget

        localize_widget(event.widget, self.app.lang)  # type: ignore[attr-defined]
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
        self.safe_populate()

    def safe_populate(self) -> None:
        self.populate()

    def populate(self) -> None:
        """Fill the screen's widgets from the application's state."""

    def action_back(self) -> None:
        from textual.widgets import Input

        if isinstance(self.focused, Input) and self.AUTO_FOCUS and type(self).__name__ != "RecordForm":
            # Escape leaves a filter box first, then the screen.
            self.query_one(self.AUTO_FOCUS).focus()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def t(self, key: str, **values: object) -> str:
        from coordtui.i18n import t

        return t(key, self.app.lang, **values)

    def day(self, value) -> str:  # noqa: ANN001 - a date, an ISO string or None
        """A date as a person reads it in the interface language (2026年10月15日; ISO in English)."""
        from coordtui.i18n import day

        return day(value, self.app.lang)


class ModelScreen(CoreScreen):
    """The base of every screen a plugin contributes (see :mod:`coordtui.ui`).

    Subclasses implement :meth:`build` (instead of ``compose``) and :meth:`populate`.
    A failure in either shows the plugin's name and leaves the application working.
    """

    #: Set by the application from the plugin that contributed the screen.
    plugin_name: str = "?"
    #: Set by the application: the model whose catalogue ``t`` reads first.
    model_id: str | None = None

    def org(self):
        """The organization being viewed."""
        return self.app.ws.org(self.app.org_id)

    def recs(self, kind: str):
        """Every record of ``kind`` of the organization being viewed."""
        return self.app.ws.records(self.app.org_id, kind)

    def heading(self, key: str, **values: object):
        """The screen's first line: its title (a catalogue key), the organization, the as-of date."""
        from rich.text import Text

        return Text(f"{self.t(key, **values)} · {self.org().name} · {self.t('as_of')} {self.day(self.app.as_of)}", style="bold")

    def model_messages(self) -> dict[str, tuple[str, str]]:
        """The catalogue of the model this screen belongs to ({} when there is none)."""
        model = self._model()
        return model.messages if model is not None else {}

    def _model(self):
        model_id = self.model_id
        if model_id is None and self.app.org_id:  # a screen a model screen pushed itself: the organization's model
            model_id = self.app.ws.org(self.app.org_id).model
        return self.app.ws.host.models.get(model_id) if model_id else None

    def t(self, key: str, **values: object) -> str:
        """The text for ``key`` in the interface language: from the model's catalogue
        (``ModelSpec.messages``), else from the core's (``nav.findings``, ``status.overdue`` ...)."""
        model = self._model()
        if model is not None and key in model.messages:
            return model.text(key, self.app.lang, **values)
        return super().t(key, **values)

    def compose(self):
        from textual.widgets import Footer, Static

        from coordtui.widgets.footer import KeyFooter

        try:
            widgets = list(self.build())
        except Exception as exc:
            widgets = [Static(self.failure_text(exc), classes="plugin-failure", markup=False)]
        yield from widgets
        if not any(isinstance(w, Footer) for w in widgets):
            yield KeyFooter()

    def build(self):
        """Yield the screen's widgets."""
        return []

    def failure_text(self, exc: BaseException) -> str:
        zh = self.app.lang == "zh"
        what = f"{type(exc).__name__}: {exc}"
        return (f"插件 {self.plugin_name} 的页面出错：{what}。其余功能不受影响，请联系插件维护者。" if zh
                else f"A screen of plugin {self.plugin_name} failed: {what}. Everything else keeps working; report it to the plugin's maintainer.")

    def safe_populate(self) -> None:
        try:
            self.populate()
        except Exception as exc:
            self.app.plugin_screen_failed(self, exc)

    async def _on_message(self, message) -> None:  # noqa: ANN001
        # Every event and message handler of the plugin's screen runs here: a handler that
        # raises closes the screen with the plugin's name instead of stopping its message loop.
        try:
            await super()._on_message(message)
        except Exception as exc:
            self.app.plugin_screen_failed(self, exc)
