"""The dispatched_linkage plugin (the fifth model, written against coordtui.api only)."""

from __future__ import annotations

from coordtui.api import ExportSpec, ModelPlugin, ModelSpec, NoSettings, docx_body, docx_heading, lazy_screen

from dispatched_linkage import MODEL_ID, __version__
from dispatched_linkage.kinds import KINDS, SCOPES
from dispatched_linkage.messages import MESSAGES
from dispatched_linkage.rules import RULES, evidence_rates

MODEL = ModelSpec(
    id=MODEL_ID,
    name_zh="派驻机构协作",
    name_en="Dispatched groups in linkage",
    version=__version__,
    kinds=KINDS,
    settings=NoSettings,
    description_zh="派驻纪检监察组分组协作，对口联系室服务保障，“室组”“室组地”联动办案",
    description_en="Dispatched groups in collaboration groups served by paired offices; joint cases with offices and districts",
    structure_kinds=["collab_group", "dispatched_group"],
    messages=MESSAGES,
    scopes=SCOPES,
)


def _fixtures():
    from dispatched_linkage.example import example_document

    return [example_document()]


def write_quality_section(ctx, period, document) -> None:
    """The report's own section: the supplementary-evidence rate of second reviews, year by year."""
    rates = evidence_rates(ctx)
    docx_heading(document, "案件质量（二次审理补证率）")
    if not rates:
        docx_body(document, "尚无二次审理案件。")
    for year, (supplemented, reviewed) in rates.items():
        docx_body(document, f"{year}年二次审理案件{reviewed}件，其中补证{supplemented}件，补证率{supplemented / reviewed:.0%}。")


PLUGIN = ModelPlugin(
    MODEL,
    rules=RULES,
    fixtures=_fixtures,
    exports=[ExportSpec("quality", "案件质量", "Case quality", "docx-section", write_quality_section)],
    screens=[lazy_screen("dispatched_linkage.screens", "LinkageScreen", "linkage", "协作组与联动案件", "Groups and joint cases", key="1")],
)
