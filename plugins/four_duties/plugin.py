"""The four_duties plugin: the model's declarations; coordtui.api's ModelPlugin implements the hooks."""

from __future__ import annotations

from coordtui.api import ModelPlugin, ModelSpec, lazy_screen

from four_duties import MODEL_ID, __version__
from four_duties.kinds import EVIDENCE, KINDS, SCOPES, DutySettings
from four_duties.messages import MESSAGES
from four_duties.rules import OBLIGATIONS, RULES

MODEL = ModelSpec(
    id=MODEL_ID,
    name_zh="四责协同",
    name_en="Four responsibilities in synergy",
    version=__version__,
    kinds=KINDS,
    settings=DutySettings,
    description_zh="党委主体责任、纪委监督责任、党委书记第一责任、班子成员一岗双责协同",
    description_en="The committee, the discipline committee, the secretary and each team member carry their duties together",
    structure_kinds=["team_member", "unit"],
    messages=MESSAGES,
    scopes=SCOPES,
    evidence=EVIDENCE,
)


def _fixtures():
    from four_duties.example import example_document

    return [example_document()]


PLUGIN = ModelPlugin(
    MODEL,
    rules=RULES,
    obligations=OBLIGATIONS,
    fixtures=_fixtures,
    screens=[
    lazy_screen("four_duties.screens", "ChecklistScreen", "checklist", "年度责任清单", "Yearly checklist", key="1"),
    lazy_screen("four_duties.screens", "RiskMapScreen", "riskmap", "廉政风险地图", "Risk map", key="2"),
    ],
)
