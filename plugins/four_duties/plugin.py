"""The four_duties plugin's hook implementations."""

from __future__ import annotations

from coordtui import hookimpl
from coordtui.api import ModelSpec, ScreenSpec

from four_duties import MODEL_ID, __version__
from four_duties.kinds import KINDS, DutySettings
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
    structure_kinds=["bearer", "team_member", "unit"],
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
    from four_duties.example import example_document

    return [example_document()]


def _screen(name: str):
    def factory(app):
        from four_duties import screens

        return getattr(screens, name)()

    return factory


SCREENS = [
    ScreenSpec("checklist", "年度责任清单", "Yearly checklist", _screen("ChecklistScreen"), key="1"),
    ScreenSpec("riskmap", "廉政风险地图", "Risk map", _screen("RiskMapScreen"), key="2"),
]


@hookimpl
def coordtui_screens(model):
    return SCREENS if _mine(model) else None
