"""The enterprise_tiers plugin: the model's declarations; coordtui.api's ModelPlugin implements the hooks."""

from __future__ import annotations

from coordtui.api import ModelPlugin, ModelSpec, lazy_screen

from enterprise_tiers import MODEL_ID, __version__
from enterprise_tiers.kinds import EVIDENCE, KINDS, SCOPES, TierSettings
from enterprise_tiers.messages import MESSAGES
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
    messages=MESSAGES,
    scopes=SCOPES,
    evidence=EVIDENCE,
)


def _fixtures():
    from enterprise_tiers.example import example_document

    return [example_document()]


PLUGIN = ModelPlugin(
    MODEL,
    rules=RULES,
    obligations=OBLIGATIONS,
    fixtures=_fixtures,
    screens=[
    lazy_screen("enterprise_tiers.screens", "DirectiveChainScreen", "chain", "联动任务链", "Directive chain", key="1"),
    lazy_screen("enterprise_tiers.screens", "QuotaScreen", "quota", "年度表彰名额", "Commendation quota", key="2"),
    lazy_screen("enterprise_tiers.screens", "LedgerScreen", "ledger", "管理台账", "Management ledger", key="3"),
    ],
)
