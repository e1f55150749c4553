"""The hook specifications: the plugin API's contract (插件接口).

A plugin is a module (or package) with functions named like the hooks below and
decorated with ``@coordtui.hookimpl``. Every hook is called for each plugin
separately and under its own guard: a plugin that raises is switched off and
reported, and every other plugin's results still arrive.

Hooks that take ``model`` are called once per loaded model; return ``None`` (or an
empty list) for models that are not yours. A plugin may contribute rules, obligations
or exports to another plugin's model.

Each hook is documented in ``docs/plugins.md``; a test fails when one is not.
"""

from __future__ import annotations

from typing import Any

from coordtui import hookspec
from coordtui.domain.model import ExportSpec, ModelSpec, Obligation, Rule, ScreenSpec


@hookspec
def coordtui_models() -> list[ModelSpec] | None:
    """The organizational models this plugin provides.

    :return: a list of :class:`~coordtui.api.ModelSpec`; each id must be unique among
        all loaded plugins (a duplicate switches the later plugin off).
    """


@hookspec
def coordtui_rules(model: ModelSpec) -> list[Rule] | None:
    """The validators for ``model``.

    :param model: a loaded model; return rules only for models you know.
    :return: a list of :class:`~coordtui.api.Rule`; ids must start with ``<model.id>.``
        and be unique.
    """


@hookspec
def coordtui_obligations(model: ModelSpec) -> list[Obligation] | None:
    """The duties of ``model``: what falls due, per period and subject, or per record (a deadline of its own).

    Their statuses feed the dashboard and the calendar; their shortfalls become findings
    under the obligation's ``rule`` id.

    :param model: a loaded model.
    :return: a list of :class:`~coordtui.api.Obligation`.
    """


@hookspec
def coordtui_screens(model: ModelSpec) -> list[ScreenSpec] | None:
    """Extra screens for ``model``, shown in the navigation next to the core ones.

    :param model: a loaded model.
    :return: a list of :class:`~coordtui.api.ScreenSpec`; the factory is called only when
        the user opens the screen, so Textual is imported only then.
    """


@hookspec
def coordtui_exports(model: ModelSpec) -> list[ExportSpec] | None:
    """Report layouts for ``model`` (a quarterly summary, a ledger).

    :param model: a loaded model.
    :return: a list of :class:`~coordtui.api.ExportSpec`.
    """


@hookspec
def coordtui_fixtures(model: ModelSpec) -> list[dict[str, Any]] | None:
    """Bundled example organizations of ``model``.

    :param model: a loaded model.
    :return: a list of import documents in the ``coordtui/1`` format
        (``{"format": "coordtui/1", "model": ..., "org": {...}, "items": [...]}``).
    """
