"""The rules of the enterprise_tiers model, with their stable ids (see DOMAIN.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from typing import Iterable

from coordtui.api import Context, Duty, Finding, Obligation, Period, PeriodKind, Rule, Severity

from enterprise_tiers import MODEL_ID

R = f"{MODEL_ID}."
#: 代字〔年〕号: a code of Chinese characters, the year in 〔〕, a number, 号.
DOC_NUMBER = re.compile(r"^(?P<code>[\u4e00-\u9fff]{2,12})〔(?P<year>\d{4})〕(?P<seq>[1-9]\d{0,3})号$")


def subsidiaries(ctx: Context):
    return sorted(ctx.records("subsidiary"), key=lambda s: s.id)


def inspectors_by_subsidiary(ctx: Context) -> dict[str, list]:
    branch_of = {b.id: b.subsidiary for b in ctx.records("branch")}
    result = defaultdict(list)
    for inspector in ctx.records("inspector"):
        sub = branch_of.get(inspector.branch)
        if sub:
            result[sub].append(inspector)
    return result


def quota(inspectors: int, percent: int) -> int:
    """At most ``percent``% of the inspectors, rounded down (4 → 0, 5 → 1, 10 → 2 at 20%)."""
    return inspectors * percent // 100


def check_structure(ctx: Context) -> Iterable[Finding]:
    rule = R + "structure"
    subs = {s.id for s in ctx.records("subsidiary")}
    branches = {b.id: b for b in ctx.records("branch")}
    for b in branches.values():
        if b.subsidiary not in subs:
            yield ctx.finding(rule, "error", b.name, f"{b.name}未隶属任何权属单位纪委", f"branch {b.name} belongs to no subsidiary", record=b)
    for i in ctx.records("inspector"):
        if i.branch not in branches:
            yield ctx.finding(rule, "error", i.name, f"纪律检查委员{i.name}未隶属任何党支部", f"inspector {i.name} belongs to no branch", record=i)


def directive_duties(ctx: Context) -> Iterable[Duty]:
    issued = defaultdict(list)
    for d in ctx.records("directive"):
        issued[d.quarter].append(d.issued_on)
    top = next(iter(ctx.records("tier1")), None)
    name = top.name if top else "集团公司纪委"
    for quarter in ctx.periods(PeriodKind.QUARTER):
        due = quarter.start.replace(day=min(ctx.settings.directive_last_day, 28))
        yield Duty(subject=name, subject_kind="tier1" if top else None, subject_id=top.id if top else None, period=quarter, due=due,
                   done=issued.get(str(quarter), []), what_zh="下达联动任务", what_en="quarterly linkage tasks", unit_zh="次",
                   record_kind="directive", prefill={"quarter": str(quarter)})


def plan_duties(ctx: Context) -> Iterable[Duty]:
    filed = defaultdict(list)
    for p in ctx.records("plan"):
        filed[(p.subsidiary, p.directive)].append(p.filed_on)
    for d in sorted(ctx.records("directive"), key=lambda d: d.issued_on):
        if d.issued_on > ctx.as_of:
            continue
        due = ctx.calendar.add_working_days(d.issued_on, ctx.settings.plan_working_days)
        for s in subsidiaries(ctx):
            yield Duty(subject=s.name, subject_kind="subsidiary", subject_id=s.id, period=Period.parse(d.quarter), due=due.date,
                       provisional=due.provisional, done=filed.get((s.id, d.id), []), what_zh="制定实施方案", what_en="implementation plan",
                       unit_zh="份", record_kind="plan", prefill={"subsidiary": s.id, "directive": d.id})


def inspector_report_duties(ctx: Context) -> Iterable[Duty]:
    filed = defaultdict(list)
    for r in ctx.records("inspector_report"):
        filed[(r.inspector, r.month)].append(r.filed_on)
    inspectors = sorted(ctx.records("inspector"), key=lambda i: i.id)
    for month in ctx.periods(PeriodKind.MONTH):
        due = month.end + timedelta(days=ctx.settings.inspector_report_days)
        for i in inspectors:
            yield Duty(subject=i.name, subject_kind="inspector", subject_id=i.id, period=month, due=due,
                       done=filed.get((i.id, str(month)), []), what_zh="书面报告", what_en="written monthly report", unit_zh="份",
                       record_kind="inspector_report", prefill={"inspector": i.id, "month": str(month)})


def unit_report_duties(ctx: Context) -> Iterable[Duty]:
    filed = defaultdict(list)
    for r in ctx.records("unit_report"):
        filed[(r.subsidiary, r.quarter)].append(r.filed_on)
    for quarter in ctx.periods(PeriodKind.QUARTER):
        due = ctx.calendar.add_working_days(quarter.end, ctx.settings.unit_report_working_days)
        for s in subsidiaries(ctx):
            yield Duty(subject=s.name, subject_kind="subsidiary", subject_id=s.id, period=quarter, due=due.date, provisional=due.provisional,
                       done=filed.get((s.id, str(quarter)), []), what_zh="向集团公司纪委书面报告", what_en="written report to the group committee",
                       unit_zh="份", record_kind="unit_report", prefill={"subsidiary": s.id, "quarter": str(quarter)})


def escalation_duties(ctx: Context) -> Iterable[Duty]:
    for lead in sorted(ctx.records("lead"), key=lambda x: x.received_on):
        if not lead.major or lead.received_on < ctx.tracking_start:
            continue
        due = ctx.calendar.add_working_days(lead.received_on, ctx.settings.escalation_working_days)
        yield Duty(subject=f"{ctx.label('subsidiary', lead.subsidiary)}重大线索“{lead.summary}”", subject_kind="lead", subject_id=lead.id,
                   period=Period.containing(lead.received_on, PeriodKind.QUARTER), period_in_message=False, due=due.date,
                   provisional=due.provisional, done=[lead.escalated_on] if lead.escalated_on else [], what_zh="上报集团公司纪委",
                   what_en="escalation to the group committee", record_kind="lead", record_id=lead.id)


def check_commendation_quota(ctx: Context) -> Iterable[Finding]:
    rule = R + "commendation_quota"
    per = inspectors_by_subsidiary(ctx)
    inspector_sub = {i.id: s for s, inspectors in per.items() for i in inspectors}
    counts = defaultdict(list)
    for c in ctx.records("commendation"):
        counts[(inspector_sub.get(c.inspector), c.year)].append(c)
    for (sub, year), commended in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if sub is None:
            continue
        allowed = quota(len(per[sub]), ctx.settings.commendation_percent)
        if len(commended) > allowed:
            name = ctx.label("subsidiary", sub)
            yield ctx.finding(rule, "error", name,
                              f"{name}{year}年度表彰{len(commended)}人，超过比例（{len(per[sub])}名纪检委员的{ctx.settings.commendation_percent}%，至多{allowed}人）",
                              f"{name}: {len(commended)} commended for {year}, over the quota ({ctx.settings.commendation_percent}% of {len(per[sub])} inspectors: at most {allowed})",
                              period=str(year), record=ctx.get("subsidiary", sub))


def ledger_proposals(ctx: Context) -> list[tuple[str, Period, str]]:
    """(subsidiary, quarter, reason) for every ended quarter with no plan or no report (管理台账)."""
    plans = {(p.subsidiary, p.directive) for p in ctx.records("plan")}
    reports = {(r.subsidiary, r.quarter) for r in ctx.records("unit_report")}
    directives = defaultdict(list)
    for d in ctx.records("directive"):
        directives[d.quarter].append(d)
    proposals = []
    for quarter in ctx.periods(PeriodKind.QUARTER):
        report_due = ctx.calendar.add_working_days(quarter.end, ctx.settings.unit_report_working_days).date
        if report_due >= ctx.as_of:
            continue
        for s in subsidiaries(ctx):
            if any((s.id, d.id) not in plans for d in directives.get(str(quarter), [])):
                proposals.append((s.id, quarter, "无实施方案"))
            if (s.id, str(quarter)) not in reports:
                proposals.append((s.id, quarter, "无季度报告"))
    return proposals


def check_ledger_entry(ctx: Context) -> Iterable[Finding]:
    rule = R + "ledger_entry"
    recorded = {(e.subsidiary, e.quarter, e.reason) for e in ctx.records("ledger_entry")}
    for sub, quarter, reason in ledger_proposals(ctx):
        if (sub, str(quarter), reason) in recorded:
            continue
        name = ctx.label("subsidiary", sub)
        yield ctx.finding(rule, "warning", name, f"{name}{quarter.label()}{reason}，应记入管理台账（待确认）",
                          f"{name}: {'no plan' if reason == '无实施方案' else 'no report'} in {quarter.label('en')}; a ledger entry is proposed (to confirm)",
                          period=quarter, record=ctx.get("subsidiary", sub))


def check_document_number(ctx: Context) -> Iterable[Finding]:
    rule = R + "document_number"
    for doc in ctx.records("document"):
        m = DOC_NUMBER.match(doc.number)
        if m is None:
            yield ctx.finding(rule, "error", doc.number, f"文号“{doc.number}”不符合“代字〔年份〕序号号”格式（年份用六角括号〔〕）",
                              f"document number '{doc.number}' does not follow 代字〔year〕number号", record=doc)
        elif int(m.group("year")) != doc.issued_on.year:
            yield ctx.finding(rule, "error", doc.number, f"文号“{doc.number}”的年份与成文日期{doc.issued_on}不一致",
                              f"document number '{doc.number}': the year differs from its date {doc.issued_on}", record=doc)
        if "转发" in doc.title and not doc.forwards:
            yield ctx.finding(rule, "error", doc.number, f"“{doc.title}”为转发文件，未注明所转发的文件",
                              f"'{doc.title}' forwards a document but does not name it", record=doc)
        if doc.forwards:
            original = ctx.get("document", doc.forwards)
            if original is not None and original.issued_on > doc.issued_on:
                yield ctx.finding(rule, "error", doc.number, f"{doc.number}转发的{original.number}晚于转发日期",
                                  f"{doc.number} forwards {original.number}, which is dated later", record=doc)


RULES = [
    Rule(R + "structure", "纪检委员属于党支部，党支部属于权属单位", "every inspector belongs to a branch, every branch to a subsidiary", check_structure),
    Rule(R + "commendation_quota", "年度表彰不高于纪检委员的20%", "year-end commendations are at most 20% of the inspectors", check_commendation_quota),
    Rule(R + "ledger_entry", "无方案或无报告的记入管理台账", "a subsidiary with no plan or no report gets a ledger entry", check_ledger_entry),
    Rule(R + "document_number", "文号符合“代字〔年〕号”，转发注明原文件", "document numbers follow 代字〔年〕号", check_document_number),
]

OBLIGATIONS = [
    Obligation(R + "quarterly_directive", "每季度首月上旬下达联动任务", "tasks issued in the first ten days of each quarter", directive_duties),
    Obligation(R + "implementation_plan", "权属单位及时制定实施方案", "each subsidiary files a plan for each directive", plan_duties),
    Obligation(R + "monthly_inspector_report", "纪律检查委员每月书面报告", "each inspector reports in writing every month", inspector_report_duties),
    Obligation(R + "quarterly_unit_report", "权属单位纪委每季度末书面报告", "each subsidiary reports to the group committee every quarter", unit_report_duties),
    Obligation(R + "major_lead_escalation", "重大问题线索及时向集团公司纪委报告", "a major lead is reported to the group committee at once", escalation_duties,
               late_severity=Severity.ERROR),
]
