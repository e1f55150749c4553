"""The public interface API for plugin screens (界面接口).

A model's screens are Textual screens returned by its ``coordtui_screens`` factories.
They subclass :class:`ModelScreen` and reach the application through ``self.app``,
which offers (and only these are promised):

- ``app.ws``: the workspace (``ws.records(org_id, kind)``, ``ws.get(org_id, kind, id)`` →
  (record, revision), ``ws.save(org_id, record, rev=)``, ``ws.save_many(org_id, [(record, rev)])``
  in one transaction, ``ws.calendar``, ``ws.org(org_id)``);
- ``app.org_id``: the organization being viewed; ``app.as_of``: the as-of date;
  ``app.lang``: ``"zh"`` or ``"en"``;
- ``app.result``: the latest check (``.findings``, ``.duties``) of the organizations checked
  so far, or None while the organization being viewed is still being checked (it is checked
  first, the others after it: ``app.pending`` holds their ids, and ``app.check_complete``
  says when every organization is in). It always holds the organization being viewed; with
  more organizations than ``app.RESULTS_KEPT`` (48) it holds only that many, so filter it by
  ``app.org_id``, as every screen does;
  read duties through :func:`duty_statuses` (a :class:`~coordtui.rules.statuses.DutyStatuses`
  of :class:`~coordtui.rules.engine.DutyRow`: statuses per subject and period);
- ``app.open_record(org_id, kind, id)``, ``app.new_record(org_id, kind, prefill)``:
  the core record form; :func:`open_duty` opens the one that meets a duty (the existing
  record its ``record_id`` names, or a new one prefilled);
- ``app.record_saved()``: re-run the check after writing;
- ``app.show_error(exc)``: an error modal for a :class:`~coordtui.errors.CoordError`.

:func:`model_settings` gives the organization's settings as the model's own settings object
(what rules see as ``ctx.settings``).

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

Keys: a focused ``DataTable`` (a :class:`FitTable` too) takes Enter itself and posts
``DataTable.RowSelected`` (or ``CellSelected``): handle ``on_data_table_row_selected`` to act
on Enter; a screen binding for ``enter`` is not reached while the table has focus.

Textual's own names on a screen are taken: do not define ``task``, ``_task``, ``name``,
``id``, ``app``, ``screen`` or ``parent`` on a screen class.
"""

from __future__ import annotations

from rich.text import Text

from coordtui.domain.model import Duty, DutyStatus
from coordtui.errors import ConflictError, CoordError, InputError
from coordtui.i18n import t
from coordtui.rules.engine import DutyRow
from coordtui.rules.statuses import DutyStatuses
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


def model_settings(app, org_id: str | None = None):
    """The settings of the organization being viewed (or ``org_id``) as its model's own settings
    object, the organization's overrides applied: what its rules see as ``ctx.settings``."""
    org = app.ws.org(org_id or app.org_id)
    return app.ws.model_of(org).parse_settings(org.settings).model


def duty_statuses(app, *, rule: str | None = None, org_id: str | None = None) -> DutyStatuses:
    """The duties of the organization being viewed (or ``org_id``) in the latest check, with
    their statuses per subject and period; only ``rule``'s if given. Empty while the check runs."""
    org_id = org_id or app.org_id
    pending = getattr(app, "pending", ())  # an organization not checked yet has no statuses to show
    return DutyStatuses.of(None if org_id in pending else app.result, org_id, rule=rule)


def open_duty(app, duty: Duty | DutyRow, *, org_id: str | None = None, **extra: object) -> None:
    """Open the record that meets ``duty``: the existing one its ``record_id`` names, else a new
    record of its ``record_kind`` prefilled from ``prefill`` (and ``extra``). Does nothing for a
    duty that names no kind."""
    if isinstance(duty, DutyRow):
        org_id = org_id or duty.org
        duty = duty.duty
    org_id = org_id or app.org_id
    if not duty.record_kind:
        return
    if duty.record_id:
        app.open_record(org_id, duty.record_kind, duty.record_id)
    else:
        app.new_record(org_id, duty.record_kind, {**duty.prefill, **extra})


def status_text(status: DutyStatus, lang: str, *, mark: bool = False) -> Text:
    """A duty status as coloured text (with a mark that survives NO_COLOR)."""
    label = t(f"status.{status.value}", lang)
    return Text(f"{STATUS_MARK[status]} {label}" if mark else label, style=STATUS_STYLE[status])


__all__ = ["Col", "ConflictError", "CoordError", "DutyRow", "DutyStatus", "DutyStatuses", "FitTable", "InputError", "ModelScreen", "Put",
           "STATUS_MARK", "duty_statuses", "model_settings", "model_text", "named", "open_duty", "status_text"]
