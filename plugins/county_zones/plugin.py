"""The county_zones plugin's hook implementations."""

from __future__ import annotations

from coordtui import hookimpl
from coordtui.api import ModelSpec, ScreenSpec

from county_zones import MODEL_ID, __version__
from county_zones.kinds import KINDS, ZoneSettings
from county_zones.rules import OBLIGATIONS, RULES

MODEL = ModelSpec(
    id=MODEL_ID,
    name_zh="县级监督检查协作区",
    name_en="County supervision zones",
    version=__version__,
    kinds=KINDS,
    settings=ZoneSettings,
    description_zh="全县划分监督检查协作区，纪检监察室对口联系，专项监督检查按程序办理",
    description_en="A county in supervision zones paired with inspection offices; special inspections follow a fixed procedure",
    structure_kinds=["zone", "member_body", "supervisor", "department"],
)


def _mine(model: ModelSpec) -> bool:
    return model.id == MODEL_ID


@hookimpl
def coordtui_models():
    return [MODEL]


@hookimpl
def coordtui_rules(model):
    return RULES if _mine(model) else None


@hookimpl
def coordtui_obligations(model):
    return OBLIGATIONS if _mine(model) else None


@hookimpl
def coordtui_fixtures(model):
    if not _mine(model):
        return None
    from county_zones.example import example_document

    return [example_document()]


def _screen(name: str):
    def factory(app):
        from county_zones import screens

        return getattr(screens, name)()

    return factory


SCREENS = [
    ScreenSpec("zones", "协作区一览", "Zones", _screen("ZoneMapScreen"), key="1"),
    ScreenSpec("tasks", "任务看板", "Task board", _screen("TaskBoardScreen"), key="2"),
    ScreenSpec("reports", "报告日历", "Report calendar", _screen("ReportCalendarScreen"), key="3"),
]


@hookimpl
def coordtui_screens(model):
    return SCREENS if _mine(model) else None
