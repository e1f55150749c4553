"""The rules of the four_duties model, with their stable ids (see DOMAIN.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from coordtui.api import Context, Duty, Finding, Obligation, Period, PeriodKind, Rule

from four_duties import MODEL_ID
from four_duties.kinds import AREAS, FOUR_DOCUMENTS

R = f"{MODEL_ID}."


def day(year: int, month_day: str) -> date:
    month, dom = (int(x) for x in month_day.split("-"))
    return date(year, month, dom)


def years(ctx: Context) -> range:
    """The years whose duties (some due in the next year) are judged as of now: from the year
    tracking starts in (a tracking start covers the periods that end on or after it, so the
    year before is nobody's to answer for, even for its reports due after the start)."""
    return range(ctx.tracking_start.year, ctx.as_of.year + 1)


def committee(ctx: Context) -> tuple[str, str | None]:
    bearer = next((b for b in ctx.records("bearer") if b.duty == "主体责任"), None)
    return (bearer.name, bearer.id) if bearer else ("党委", None)


def second_level(ctx: Context):
    return sorted((u for u in ctx.records("unit") if u.unit_type == "二级党组织"), key=lambda u: u.id)


def members(ctx: Context):
    return sorted(ctx.records("team_member"), key=lambda m: m.id)


def _meeting_duties(ctx: Context, schedule: list[tuple[str, str, str]]) -> Iterable[Duty]:
    """schedule: (meeting type, when: early|mid|end, English name)."""
    held = defaultdict(list)
    for m in ctx.records("meeting"):
        held[(m.meeting_type, m.held_on.year)].append(m.held_on)
    name, bearer_id = committee(ctx)
    s = ctx.settings
    for year in years(ctx):
        for meeting_type, when, en in schedule:
            due = {"early": day(year, s.early_until), "mid": day(year, s.mid_until), "end": date(year, 12, 31)}[when]
            if due < ctx.tracking_start:
                continue
            yield Duty(subject=name, subject_kind="bearer" if bearer_id else None, subject_id=bearer_id, period=Period.of_year(year),
                       due=due, done=held.get((meeting_type, year), []), what_zh=f"召开{meeting_type}", what_en=f"hold the {en}",
                       unit_zh="次", record_kind="meeting", prefill={"meeting_type": meeting_type})


def special_meeting_duties(ctx):
    return _meeting_duties(ctx, [("专题会议（部署）", "early", "deployment meeting (early in the year)"),
                                 ("专题会议（推进）", "mid", "promotion meeting (mid-year)"),
                                 ("专题会议（总结）", "end", "summary meeting (year end)")])


def four_meeting_duties(ctx):
    return _meeting_duties(ctx, [("全面从严治党分析研究会", "early", "analysis meeting"), ("责任计划审议会", "early", "plan review meeting"),
                                 ("责任落实推进会", "mid", "promotion meeting"), ("责任总结评议会", "end", "evaluation meeting")])


DOC_EN = {"廉政承诺书": "integrity pledge", "责任计划书": "responsibility plan", "责任项目书": "responsibility project list", "总结评议书": "summary evaluation"}


def four_document_duties(ctx: Context) -> Iterable[Duty]:
    filed = defaultdict(list)
    for d in ctx.records("document"):
        filed[(d.member, d.year, d.doc_type)].append(d.filed_on)
    for year in years(ctx):
        for m in members(ctx):
            for doc_type in FOUR_DOCUMENTS:
                due = date(year, 12, 31) if doc_type == "总结评议书" else day(year, ctx.settings.early_until)
                if due < ctx.tracking_start:
                    continue
                yield Duty(subject=m.name, subject_kind="team_member", subject_id=m.id, period=Period.of_year(year), due=due,
                           done=filed.get((m.id, year, doc_type), []), what_zh=doc_type, what_en=DOC_EN[doc_type], unit_zh="份",
                           record_kind="document", prefill={"member": m.id, "year": year, "doc_type": doc_type})


def _reports(ctx: Context) -> dict:
    filed = defaultdict(list)
    for r in ctx.records("report"):
        filed[(r.report_type, r.year, r.member or r.unit)].append(r.filed_on)
    return filed


def three_report_duties(ctx: Context) -> Iterable[Duty]:
    filed = _reports(ctx)
    name, bearer_id = committee(ctx)
    secretary = next((m for m in ctx.records("team_member") if "党委书记" in m.post), None)
    for year in years(ctx):
        annual = day(year + 1, ctx.settings.annual_report_due)
        opening = day(year + 1, ctx.settings.opening_report_due)
        period = Period.of_year(year)
        if annual >= ctx.tracking_start:
            for m in members(ctx):
                yield Duty(subject=m.name, subject_kind="team_member", subject_id=m.id, period=period, due=annual,
                           done=filed.get(("民主生活会汇报", year, m.id), []), what_zh="民主生活会汇报主体责任落实情况",
                           what_en="report at the democratic life meeting", unit_zh="次", record_kind="report",
                           prefill={"report_type": "民主生活会汇报", "year": year, "member": m.id})
            yield Duty(subject=name, subject_kind="bearer" if bearer_id else None, subject_id=bearer_id, period=period, due=annual,
                       done=filed.get(("党委书面报告", year, None), []), what_zh="向上级党委和纪委书面报告", what_en="written report to the higher committee",
                       unit_zh="份", record_kind="report", prefill={"report_type": "党委书面报告", "year": year})
        if opening >= ctx.tracking_start:
            who = secretary.name if secretary else "党委书记"
            yield Duty(subject=who, subject_kind="team_member" if secretary else None, subject_id=secretary.id if secretary else None,
                       period=period, due=opening, done=filed.get(("党委书记工作报告", year, secretary.id if secretary else None), [])
                       + filed.get(("党委书记工作报告", year, None), []),
                       what_zh="在次年全面从严治党工作会议上作工作报告", what_en="report at the next year's opening meeting", unit_zh="次",
                       record_kind="report", prefill={"report_type": "党委书记工作报告", "year": year})


def dual_report_duties(ctx: Context) -> Iterable[Duty]:
    """The dual reports (双报告), each yearly: the party committee's upward report on the four
    responsibilities (党委向上级党委报告), the discipline committee's to the higher discipline body
    and the committee (纪委报告), and every second-level organization's to the committee.

    The committee's upward report is its written report to the higher committee (党委书面报告):
    one document answers both this rule and three_reports, as the source asks it under both."""
    filed = _reports(ctx)
    name, bearer_id = committee(ctx)
    discipline = next((b for b in ctx.records("bearer") if b.duty == "监督责任"), None)
    for year in years(ctx):
        due = day(year + 1, ctx.settings.annual_report_due)
        if due < ctx.tracking_start:
            continue
        period = Period.of_year(year)
        yield Duty(subject=name, subject_kind="bearer" if bearer_id else None, subject_id=bearer_id, period=period, due=due,
                   done=filed.get(("党委书面报告", year, None), []), what_zh="向上级党委报告“四责”落实情况",
                   what_en="report upward on the four responsibilities", unit_zh="份", unit_en="report",
                   record_kind="report", prefill={"report_type": "党委书面报告", "year": year})
        yield Duty(subject=discipline.name if discipline else "纪委", subject_kind="bearer" if discipline else None,
                   subject_id=discipline.id if discipline else None, period=period, due=due, done=filed.get(("纪委报告", year, None), []),
                   what_zh="向上级纪委监委和校党委报告", what_en="report to the higher discipline body and the committee", unit_zh="份",
                   record_kind="report", prefill={"report_type": "纪委报告", "year": year})
        for unit in second_level(ctx):
            yield Duty(subject=unit.name, subject_kind="unit", subject_id=unit.id, period=period, due=due,
                       done=filed.get(("二级党组织报告", year, unit.id), []), what_zh="向学校党委报告主体责任落实情况",
                       what_en="report to the party committee", unit_zh="份", record_kind="report",
                       prefill={"report_type": "二级党组织报告", "year": year, "unit": unit.id})


def check_risk_points(ctx: Context) -> Iterable[Finding]:
    rule = R + "risk_point_owner"
    points = defaultdict(list)
    for p in ctx.records("risk_point"):
        points[(p.area, p.unit)].append(p)
    for assignment in sorted(ctx.records("risk_area"), key=lambda a: AREAS.index(a.area)):
        for unit_id in assignment.units:
            unit = ctx.label("unit", unit_id)
            found = points.get((assignment.area, unit_id), [])
            if not found:
                yield ctx.finding(rule, "error", unit, f"{unit}未梳理{assignment.area}领域的廉政风险点",
                                  f"{unit} has no risk point in {assignment.area}", record=ctx.get("unit", unit_id))
            for p in found:
                lacking = [zh for field, zh in (("owner", "风险责任人"), ("measures", "防控措施")) if not getattr(p, field)]
                if lacking:
                    yield ctx.finding(rule, "error", unit, f"{unit}{assignment.area}风险点“{p.description}”未落实{'、'.join(lacking)}",
                                      f"{unit}: risk point '{p.description}' in {assignment.area} lacks {', '.join(lacking)}", record=p)


def check_agreements(ctx: Context) -> Iterable[Finding]:
    for a in ctx.records("agreement"):
        lacking = [zh for ok, zh in ((a.lead, "牵头单位"), (a.partners, "协同单位"), (a.time_limit, "办理时限")) if not ok]
        if lacking:
            yield ctx.finding(R + "agreement_deadline", "error", a.title, f"任务协同书“{a.title}”未明确{'、'.join(lacking)}",
                              f"task agreement '{a.title}' lacks {', '.join(lacking)}", record=a)


def agreement_duties(ctx: Context) -> Iterable[Duty]:
    for a in sorted(ctx.records("agreement"), key=lambda a: a.signed_on):
        if a.time_limit is None:
            continue
        yield Duty(subject=f"任务协同书“{a.title}”", subject_kind="agreement", subject_id=a.id, period=Period.containing(a.time_limit, PeriodKind.QUARTER),
                   period_in_message=False, due=a.time_limit, done=[a.completed_on] if a.completed_on else [], what_zh="办结", what_en="completion",
                   record_kind="agreement", record_id=a.id)


def check_problem_items(ctx: Context) -> Iterable[Finding]:
    for item in ctx.records("list_item"):
        if item.list_type != "问题清单":
            continue
        lacking = [zh for ok, zh in ((item.owner, "责任人"), (item.deadline, "整改时限")) if not ok]
        if lacking:
            unit = ctx.label("unit", item.unit)
            yield ctx.finding(R + "problem_rectification", "error", unit, f"{unit}问题清单“{item.content}”未明确{'、'.join(lacking)}",
                              f"{unit}: problem '{item.content}' lacks {', '.join(lacking)}", record=item)


def problem_duties(ctx: Context) -> Iterable[Duty]:
    for item in sorted(ctx.records("list_item"), key=lambda i: i.id):
        if item.list_type != "问题清单" or item.deadline is None:
            continue
        unit = ctx.label("unit", item.unit)
        yield Duty(subject=f"{unit}“{item.content}”", subject_kind="list_item", subject_id=item.id,
                   period=Period.containing(item.deadline, PeriodKind.QUARTER), period_in_message=False, due=item.deadline,
                   done=[item.completed_on] if item.completed_on else [], what_zh="整改", what_en="rectification",
                   record_kind="list_item", record_id=item.id)


def inspection_duties(ctx: Context) -> Iterable[Duty]:
    held = defaultdict(list)
    for i in ctx.records("inspection"):
        held[(i.unit, i.year)].append(i.held_on)
    for year in years(ctx):
        due = day(year + 1, ctx.settings.inspection_due)
        if due < ctx.tracking_start:
            continue
        for unit in second_level(ctx):
            yield Duty(subject=unit.name, subject_kind="unit", subject_id=unit.id, period=Period.of_year(year), due=due,
                       done=held.get((unit.id, year), []), what_zh="年终督导检查", what_en="year-end check", unit_zh="次",
                       record_kind="inspection", prefill={"unit": unit.id, "year": year})


def check_inspection_leader(ctx: Context) -> Iterable[Finding]:
    for i in ctx.records("inspection"):
        leader = ctx.get("team_member", i.led_by)
        if leader is not None and "党委书记" not in leader.post:
            unit = ctx.label("unit", i.unit)
            yield ctx.finding(R + "year_end_inspection", "warning", unit, f"{unit}{i.year}年终督导检查由{leader.name}带队，应由党委书记带队",
                              f"{unit}: the {i.year} year-end check was led by {leader.name}, not the party secretary", period=str(i.year), record=i)


RULES = [
    Rule(R + "risk_point_owner", "重点领域廉政风险点落实责任人和措施", "every key risk area has risk points with owners and measures", check_risk_points),
    Rule(R + "agreement_deadline", "任务协同书明确牵头、协同和时限", "every task agreement has a lead, partners and a time limit", check_agreements),
    Rule(R + "problem_rectification", "问题清单明确责任人和整改时限", "every problem has an owner and a deadline", check_problem_items),
    Rule(R + "year_end_inspection", "党委书记带队年终督导检查", "the secretary leads the year-end check", check_inspection_leader),
]

OBLIGATIONS = [
    Obligation(R + "special_meetings", "每年至少三次全面从严治党专题会议（3+N）", "at least 3 special meetings a year (3+N)", special_meeting_duties),
    Obligation(R + "four_meetings", "四会", "the four meetings", four_meeting_duties),
    Obligation(R + "four_documents", "班子成员四书", "each team member's four documents", four_document_duties),
    Obligation(R + "three_reports", "三报告", "the three reports", three_report_duties),
    Obligation(R + "dual_report", "双报告", "the dual reports", dual_report_duties),
    Obligation(R + "agreement_deadline", "任务协同书按时限办结", "a task agreement is done by its time limit", agreement_duties),
    Obligation(R + "problem_rectification", "问题按时限整改", "a problem is rectified by its deadline", problem_duties),
    Obligation(R + "year_end_inspection", "年终督导检查每个二级单位", "a year-end check of every second-level unit", inspection_duties),
]
