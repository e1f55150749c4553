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
from coordtui.exports import body as docx_body
from coordtui.exports import heading as docx_heading
from coordtui.rules.engine import DutyRow
from coordtui.rules.statuses import DutyStatuses
from coordtui.modelplugin import ModelPlugin, lazy_screen
from coordtui.samples import docx as sample_docx
from coordtui.samples import scan as sample_scan

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
