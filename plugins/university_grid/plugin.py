"""The university_grid plugin: the model's declarations; coordtui.api's ModelPlugin implements the hooks."""

from __future__ import annotations

from coordtui.api import ModelPlugin, ModelSpec, lazy_screen

from university_grid import MODEL_ID, __version__
from university_grid.kinds import EVIDENCE, KINDS, SCOPES, GridSettings
from university_grid.messages import MESSAGES
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
    messages=MESSAGES,
    scopes=SCOPES,
    evidence=EVIDENCE,
)


def _fixtures():
    from university_grid.example import example_document

    return [example_document()]


PLUGIN = ModelPlugin(
    MODEL,
    rules=RULES,
    obligations=OBLIGATIONS,
    fixtures=_fixtures,
    screens=[
    lazy_screen("university_grid.screens", "GroupsScreen", "groups", "协作组一览", "Groups", key="1"),
    lazy_screen("university_grid.screens", "MatrixScreen", "matrix", "季度合规矩阵", "Compliance matrix", key="2"),
    lazy_screen("university_grid.screens", "RotationScreen", "rotation", "组长单位轮值", "Leader rotation", key="3"),
    lazy_screen("university_grid.screens", "ActivityLogScreen", "activities", "协作活动台账", "Activity log", key="4"),
    ],
)
