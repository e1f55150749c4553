"""``ModelPlugin``: the hooks of one model, from plain lists, so a model's plugin module is declarations only.

::

    PLUGIN = ModelPlugin(MODEL, rules=RULES, obligations=OBLIGATIONS,
                         fixtures=lambda: [example_document()],
                         screens=[lazy_screen("my_model.screens", "OverviewScreen", "overview", "总览", "Overview", key="1")])

Register it through the entry point ``my_model = "my_model.plugin:PLUGIN"`` (or, for a model
dropped in a folder, name it ``PLUGIN`` in the package's ``plugin`` module).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from coordtui import hookimpl
from coordtui.domain.model import ExportSpec, ModelSpec, Obligation, Rule, ScreenSpec


def lazy_screen(module: str, cls: str, screen_id: str, title_zh: str, title_en: str, *, key: str | None = None) -> ScreenSpec:
    """A screen whose module (and so Textual) is imported only when the user opens it."""

    def factory(app: Any) -> Any:
        return getattr(importlib.import_module(module), cls)()

    return ScreenSpec(screen_id, title_zh, title_en, factory, key=key)


class ModelPlugin:
    """Implements every hook for one model. Each answers only for its own model."""

    def __init__(
        self,
        model: ModelSpec,
        *,
        rules: list[Rule] = (),
        obligations: list[Obligation] = (),
        screens: list[ScreenSpec] = (),
        exports: list[ExportSpec] = (),
        fixtures: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.model = model
        self.rules, self.obligations = list(rules), list(obligations)
        self.screens, self.exports = list(screens), list(exports)
        self.fixtures = fixtures
        self.__version__ = model.version

    def _mine(self, model: ModelSpec) -> bool:
        return model.id == self.model.id

    @hookimpl
    def coordtui_models(self) -> list[ModelSpec]:
        return [self.model]

    @hookimpl
    def coordtui_rules(self, model: ModelSpec) -> list[Rule] | None:
        return self.rules if self._mine(model) else None

    @hookimpl
    def coordtui_obligations(self, model: ModelSpec) -> list[Obligation] | None:
        return self.obligations if self._mine(model) else None

    @hookimpl
    def coordtui_screens(self, model: ModelSpec) -> list[ScreenSpec] | None:
        return self.screens if self._mine(model) else None

    @hookimpl
    def coordtui_exports(self, model: ModelSpec) -> list[ExportSpec] | None:
        return self.exports if self._mine(model) else None

    @hookimpl
    def coordtui_fixtures(self, model: ModelSpec) -> list[dict[str, Any]] | None:
        return self.fixtures() if self._mine(model) and self.fixtures else None
