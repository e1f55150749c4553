"""The public plugin API (插件接口): everything a model plugin may import.

A plugin module looks like this::

    from coordtui import hookimpl
    from coordtui.api import ModelSpec, Record, Rule, Obligation, Duty, Period

    @hookimpl
    def coordtui_models():
        return [ModelSpec(id="my_model", name_zh="…", name_en="…", version="1.0", kinds=[...])]

See ``docs/plugins.md`` for the tutorial and the reference of every hook.
"""

from coordtui import hookimpl
from coordtui.domain.calendar import Deadline, WorkCalendar
from coordtui.domain.evidence import Evidence
from coordtui.domain.model import (
    Context,
    CoreSettings,
    Duty,
    DutyStatus,
    ExportSpec,
    ModelSpec,
    NoSettings,
    Obligation,
    Organization,
    Rule,
    Scope,
    ScreenSpec,
)
from coordtui.domain.periods import Period, PeriodKind
from coordtui.domain.records import Finding, PersonName, Record, Ref, Severity, Text, invalid, normalize_name
from coordtui.errors import CoordError, InputError
from coordtui.rules.engine import DutyRow
from coordtui.rules.statuses import DutyStatuses
from coordtui.modelplugin import ModelPlugin, lazy_screen
from coordtui.samples import docx as sample_docx
from coordtui.samples import scan as sample_scan


# The report helpers are defined here rather than imported from coordtui.exports: a plugin imports
# them at its top, and the export machinery (forms, ledgers) is not needed until a report is written.
def docx_heading(document, text: str, level: int = 1) -> None:  # noqa: ANN001 - a python-docx Document
    """A section heading of the Word report, numbered for its level (一、 （一） 1. （1）) after the
    headings already there, in the standard's font for the level, kept with the text after it.

    :param text: the heading without its number (``案件质量``).
    :param level: 1 to 4.
    """
    from coordtui import officedoc  # python-docx is loaded only when a report is written

    officedoc.heading(document, text, level)


def docx_body(document, text: str) -> None:  # noqa: ANN001 - a python-docx Document
    """A body paragraph of the Word report: 仿宋 三号, first line indented two characters, ISO dates
    written 2026年10月15日 and a full stop added when the text does not end a sentence."""
    from coordtui import officedoc

    officedoc.body(document, text)


__all__ = [
    "hookimpl",
    "Context",
    "CoordError",
    "CoreSettings",
    "Deadline",
    "Duty",
    "DutyRow",
    "DutyStatuses",
    "DutyStatus",
    "Evidence",
    "ExportSpec",
    "Finding",
    "InputError",
    "ModelPlugin",
    "ModelSpec",
    "NoSettings",
    "Obligation",
    "Organization",
    "Period",
    "PeriodKind",
    "PersonName",
    "Record",
    "Ref",
    "Rule",
    "Scope",
    "ScreenSpec",
    "Severity",
    "Text",
    "WorkCalendar",
    "docx_body",
    "docx_heading",
    "invalid",
    "lazy_screen",
    "normalize_name",
    "sample_docx",
    "sample_scan",
]
