"""The county_zones plugin: the model's declarations; coordtui.api's ModelPlugin implements the hooks."""

from __future__ import annotations

from coordtui.api import ModelPlugin, ModelSpec, lazy_screen

from county_zones import MODEL_ID, __version__
from county_zones.kinds import EVIDENCE, KINDS, SCOPES, ZoneSettings
from county_zones.messages import MESSAGES
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
    messages=MESSAGES,
    scopes=SCOPES,
    evidence=EVIDENCE,
)


def _fixtures():
    from county_zones.example import example_document

    return [example_document()]


PLUGIN = ModelPlugin(
    MODEL,
    rules=RULES,
    obligations=OBLIGATIONS,
    fixtures=_fixtures,
    screens=[
    lazy_screen("county_zones.screens", "ZoneMapScreen", "zones", "协作区一览", "Zones", key="1"),
    lazy_screen("county_zones.screens", "TaskBoardScreen", "tasks", "任务看板", "Task board", key="2"),
    lazy_screen("county_zones.screens", "ReportCalendarScreen", "reports", "报告日历", "Report calendar", key="3"),
    ],
)
