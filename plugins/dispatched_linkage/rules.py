"""The rules of the dispatched_linkage model, and the supplementary-evidence rate (补证率)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from coordtui.api import Context, Finding, Rule

from dispatched_linkage import MODEL_ID
from dispatched_linkage.kinds import SIX_HAVES, SIX_HAVES_EN

R = f"{MODEL_ID}."


def check_group_assignment(ctx: Context) -> Iterable[Finding]:
    rule = R + "group_assignment"
    groups = {g.id: g for g in ctx.records("collab_group")}
    for g in groups.values():
        if not g.office:
            yield ctx.finding(rule, "error", g.name, f"{g.name}没有对口联系室", f"{g.name} has no paired office", record=g)
    for d in sorted(ctx.records("dispatched_group"), key=lambda d: d.id):
        if d.collab_group not in groups:
            yield ctx.finding(rule, "error", d.name, f"{d.name}未编入协作组", f"{d.name} is in no collaboration group", record=d)
        elif not d.contact:
            office = ctx.label("office", groups[d.collab_group].office) if groups[d.collab_group].office else "对口联系室"
            yield ctx.finding(rule, "error", d.name, f"{office}未明确联系{d.name}的业务骨干",
                              f"{office} has named no contact for {d.name}", record=d)


def check_pre_review(ctx: Context) -> Iterable[Finding]:
    for case in ctx.records("case"):
        if case.subject_level != "中层正职" or case.filed_on is None:
            continue
        if case.prereviewed_on is None or case.prereviewed_on > case.filed_on:
            when = "未经前置审核" if case.prereviewed_on is None else f"前置审核（{case.prereviewed_on}）晚于立案"
            yield ctx.finding(R + "pre_review", "error", case.title, f"案件“{case.title}”涉及中层正职，{case.filed_on}立案前{when}",
                              f"case '{case.title}' against a mid-level head was filed on {case.filed_on} without a prior pre-review", record=case)


def check_six_haves(ctx: Context) -> Iterable[Finding]:
    for check in ctx.records("six_haves"):
        missing = [key for key in SIX_HAVES if not getattr(check, key)]
        if missing:
            yield ctx.finding(R + "six_haves", "warning", check.body,
                              f"{check.body}（{check.checked_on}检查）缺少：{'、'.join(SIX_HAVES[m] for m in missing)}",
                              f"{check.body} (checked {check.checked_on}) lacks: {', '.join(SIX_HAVES_EN[m] for m in missing)}", record=check)


def check_linkage_roles(ctx: Context) -> Iterable[Finding]:
    for case in ctx.records("case"):
        needed = [("office", "office_role", "监督检查室"), ("group", "group_role", "派驻组")]
        if case.linkage == "室组地":
            needed.append(("district", "district_role", "区纪委监委"))
        lacking = [zh for party, role, zh in needed if not getattr(case, party) or not getattr(case, role)]
        if lacking:
            yield ctx.finding(R + "linkage_roles", "error", case.title, f"{case.linkage}联动案件“{case.title}”未明确{'、'.join(lacking)}及其职责",
                              f"{case.linkage} case '{case.title}' does not name {', '.join(lacking)} with a role", record=case)


def evidence_rates(ctx: Context) -> dict[int, tuple[int, int]]:
    """Year → (cases with supplementary evidence, cases second-reviewed): the quality figure the seed reports."""
    rates: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for case in ctx.records("case"):
        if case.second_review_on is not None:
            rates[case.second_review_on.year][1] += 1
            rates[case.second_review_on.year][0] += case.supplementary_evidence
    return {year: (a, b) for year, (a, b) in sorted(rates.items())}


RULES = [
    Rule(R + "group_assignment", "派驻组编入协作组，明确对口联系室和联系人", "every dispatched group is in a collaboration group with a paired office and a contact", check_group_assignment),
    Rule(R + "pre_review", "中层正职案件立案前前置审核", "a case against a mid-level head is pre-reviewed before filing", check_pre_review),
    Rule(R + "six_haves", "医院纪检组织“六有”", "every checked body has all six haves", check_six_haves),
    Rule(R + "linkage_roles", "室组、室组地联动明确各方职责", "a joint case names each party with its role", check_linkage_roles),
]
