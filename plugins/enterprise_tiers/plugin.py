"""The enterprise_tiers plugin's hook implementations."""

from __future__ import annotations

from coordtui import hookimpl
from coordtui.api import ModelSpec, ScreenSpec

from enterprise_tiers import MODEL_ID, __version__
from enterprise_tiers.kinds import KINDS, TierSettings
from enterprise_tiers.rules import OBLIGATIONS, RULES

MODEL = ModelSpec(
    id=MODEL_ID,
    name_zh="企业纪检三级联动",
    name_en="Three-level linkage",
    version=__version__,
    kinds=KINDS,
    settings=TierSettings,
    description_zh="集团公司纪委、权属单位纪委、基层党支部纪律检查委员三级联动",
    description_en="Group committee, subsidiary committees and branch inspectors working as three linked tiers",
    structure_kinds=["subsidiary", "branch", "inspector"],
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
    from enterprise_tiers.example import example_document

    return [example_document()]


def _screen(name: str):
    def factory(app):
        from enterprise_tiers import screens

        return getattr(screens, name)()

    return factory


SCREENS = [
    ScreenSpec("chain", "联动任务链", "Directive chain", _screen("DirectiveChainScreen"), key="1"),
    ScreenSpec("quota", "年度表彰名额", "Commendation quota", _screen("QuotaScreen"), key="2"),
    ScreenSpec("ledger", "管理台账", "Management ledger", _screen("LedgerScreen"), key="3"),
]


@hookimpl
def coordtui_screens(model):
    return SCREENS if _mine(model) else None
