"""The public interface API for plugin screens (界面接口).

A model's screens are Textual screens returned by its ``coordtui_screens`` factories.
They subclass :class:`ModelScreen` and reach the application through ``self.app``,
which offers (and only these are promised):

- ``app.ws``: the workspace (``ws.records(org_id, kind)``, ``ws.get(org_id, kind, id)`` →
  (record, revision), ``ws.save(org_id, record, rev=)``, ``ws.save_many(org_id, [(record, rev)])``
  in one transaction, ``ws.calendar``, ``ws.org(org_id)``);
- ``app.org_id``: the organization being viewed; ``app.as_of``: the as-of date;
  ``app.lang``: ``"zh"`` or ``"en"``;
- ``app.result``: the latest check (``.findings``, ``.duties``), or None while running;
- ``app.open_record(org_id, kind, id)``, ``app.new_record(org_id, kind, prefill)``:
  the core record form;
- ``app.record_saved()``: re-run the check after writing;
- ``app.show_error(exc)``: an error modal for a :class:`~coordtui.errors.CoordError`.

Texts come from catalogues: ``self.t("key")`` reads the model's own (``ModelSpec.messages``,
key -> (Chinese, English)) and then the core's; ``model_text(app, model_id, key)`` does the
same outside a screen.

``self.org()`` and ``self.recs(kind)`` give the organization being viewed and its records.
``self.day(d)`` writes a date as people read it (2026年10月15日 in Chinese, ISO in English);
inputs and prefilled values stay ISO.

Tables are :class:`FitTable`: declare the columns with :class:`Col` (``keep=True`` for the
subject and the duty, which are never cut; a ``rank`` for the others, which give way first)
and hand rows to ``table.show(cols, [(cells, key), ...])``; it lays itself out to the
terminal's width again on every resize. ``named("甲|乙", Col("a", ""), Col("b", ""))`` takes
the headings from a catalogue text. With hidden columns, ``table.cursor_key()`` names the
column under a cell cursor.

``populate()`` is called on mount, after a language switch and after every check.

Textual's own names on a screen are taken: do not define ``task``, ``_task``, ``name``,
``id``, ``app``, ``screen`` or ``parent`` on a screen class.
"""

from __future__ import annotations

from rich.text import Text

from coordtui.domain.model import DutyStatus
from coordtui.errors import ConflictError, CoordError, InputError
from coordtui.i18n import t
from coordtui.screens.base import ModelScreen
from coordtui.screens.dashboard import STATUS_STYLE
from coordtui.store import Put
from coordtui.widgets.columns import Col, named
from coordtui.widgets.fit_table import FitTable

STATUS_MARK = {
    DutyStatus.MET: "✓",
    DutyStatus.LATE: "◐",
    DutyStatus.DUE: "·",
    DutyStatus.AT_RISK: "!",
    DutyStatus.OVERDUE: "✗",
}


def model_text(app, model_id: str, key: str, **values: object) -> str:
    """A model's catalogue text (``ModelSpec.messages``) in the interface language, for a modal
    or helper that is not a :class:`ModelScreen` (whose ``self.t(key)`` does the same)."""
    return app.ws.host.models[model_id].text(key, app.lang, **values)


def status_text(status: DutyStatus, lang: str, *, mark: bool = False) -> Text:
    """A duty status as coloured text (with a mark that survives NO_COLOR)."""
    label = t(f"status.{status.value}", lang)
    return Text(f"{STATUS_MARK[status]} {label}" if mark else label, style=STATUS_STYLE[status])


__all__ = ["Col", "ConflictError", "CoordError", "DutyStatus", "FitTable", "InputError", "ModelScreen", "Put", "STATUS_MARK", "model_text",
           "named", "status_text"]
