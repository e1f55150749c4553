"""The university_grid plugin's hook implementations."""

from __future__ import annotations

from coordtui import hookimpl
from coordtui.api import ModelSpec, ScreenSpec

from university_grid import MODEL_ID, __version__
from university_grid.kinds import KINDS, GridSettings
from university_grid.rules import OBLIGATIONS, RULES

MODEL = ModelSpec(
    id=MODEL_ID,
    name_zh="高校二级单位纪委协作组",
    name_en="University collaboration groups",
    version=__version__,
    kinds=KINDS,
    settings=GridSettings,
    description_zh="二级单位纪委划分为协作组，网格员对口联系，组长单位三个月轮值",
    description_en="Second-level units in collaboration groups, grid members liaising, leader units rotating every three months",
    structure_kinds=["group", "unit", "grid_member"],
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
    from university_grid.example import example_document

    return [example_document()]


def _screen(name: str):
    def factory(app):
        from university_grid import screens

        return getattr(screens, name)()

    return factory


SCREENS = [
    ScreenSpec("groups", "协作组一览", "Groups", _screen("GroupsScreen"), key="1"),
    ScreenSpec("matrix", "季度合规矩阵", "Compliance matrix", _screen("MatrixScreen"), key="2"),
    ScreenSpec("rotation", "组长单位轮值", "Leader rotation", _screen("RotationScreen"), key="3"),
    ScreenSpec("activities", "协作活动台账", "Activity log", _screen("ActivityLogScreen"), key="4"),
]


@hookimpl
def coordtui_screens(model):
    return SCREENS if _mine(model) else None
