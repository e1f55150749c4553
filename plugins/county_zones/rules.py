"""The rules of the county_zones model, with their stable ids (see DOMAIN.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable

from coordtui.api import Context, Duty, Finding, Obligation, Period, PeriodKind, Rule, Severity

from county_zones import MODEL_ID
from county_zones.workflow import LABEL_EN, LABEL_ZH, ORDER

R = f"{MODEL_ID}."
HOLIDAYS = {"春节": "Spring Festival", "中秋": "Mid-autumn Festival", "国庆": "National Day"}


def zones(ctx: Context):
    return sorted(ctx.records("zone"), key=lambda z: (z.number, z.id))


def _assignment(ctx: Context, kind: str, rule: str, what_zh: str, what_en: str) -> Iterable[Finding]:
    known = {z.id for z in ctx.records("zone")}
    for record in ctx.records(kind):
        if record.zone is None:
            yield ctx.finding(R + rule, "error", record.label(), f"{what_zh}{record.label()}未划入任何协作区",
                              f"{what_en} {record.label()} belongs to no zone", record=record)
        elif record.zone not in known:
            yield ctx.finding(R + rule, "error", record.label(), f"{what_zh}{record.label()}所属协作区“{record.zone}”不存在",
                              f"{what_en} {record.label()} names zone '{record.zone}', which does not exist", record=record)


def check_member_assignment(ctx):
    return _assignment(ctx, "member_body", "member_assignment", "", "member body")


def check_supervisor_assignment(ctx):
    return _assignment(ctx, "supervisor", "supervisor_assignment", "特约监察员", "special supervisor")


def check_department_assignment(ctx):
    return _assignment(ctx, "department", "department_assignment", "监督检查部门", "department")


def check_zone_leadership(ctx: Context) -> Iterable[Finding]:
    rule = R + "zone_leadership"
    offices = {o.id: o for o in ctx.records("office")}
    liaisons = defaultdict(list)
    for liaison in ctx.records("liaison"):
        liaisons[liaison.office].append(liaison)
    paired = defaultdict(list)
    for zone in zones(ctx):
        if zone.office is None or zone.office not in offices:
            yield ctx.finding(rule, "error", zone.name, f"{zone.name}没有对口联系的纪检监察室", f"{zone.name} has no liaison office", record=zone)
            continue
        paired[zone.office].append(zone)
        unnamed_zh, unnamed_en = [], []
        if not zone.director:
            unnamed_zh.append("主任")
            unnamed_en.append("director")
        if not zone.deputy:
            unnamed_zh.append("副主任")
            unnamed_en.append("deputy")
        named = [x for x in liaisons.get(zone.office, []) if x.name]
        if not liaisons.get(zone.office):
            yield ctx.finding(rule, "error", zone.name, f"{offices[zone.office].name}未指定联络员", f"{offices[zone.office].name} has named no liaison", record=zone)
        elif len(liaisons[zone.office]) > 1:
            yield ctx.finding(rule, "error", zone.name, f"{offices[zone.office].name}指定了{len(liaisons[zone.office])}名联络员，应为1名",
                              f"{offices[zone.office].name} has {len(liaisons[zone.office])} liaisons; it names one", record=zone)
        elif not named:
            unnamed_zh.append("联络员")
            unnamed_en.append("liaison")
        if unnamed_zh:
            yield ctx.finding(rule, "warning", zone.name,
                              f"{zone.name}{'、'.join(unnamed_zh)}未登记姓名（按职务担任，请补录）",
                              f"{zone.name}: no name recorded for the {', '.join(unnamed_en)} (held by office; please record)", record=zone)
    for office_id, paired_zones in paired.items():
        if len(paired_zones) > 1:
            names = "、".join(z.name for z in paired_zones)
            yield ctx.finding(rule, "error", offices[office_id].name, f"{offices[office_id].name}同时对口{names}，应一室一区",
                              f"{offices[office_id].name} is paired with {len(paired_zones)} zones; offices and zones pair one to one")


# tasks ------------------------------------------------------------------------------------


def steps_of(ctx: Context) -> dict[str, list]:
    steps = defaultdict(list)
    for step in ctx.records("task_step"):
        steps[step.task].append(step)
    for task_steps in steps.values():
        task_steps.sort(key=lambda s: (ORDER.index(s.state), s.on))
    return steps


def check_task_workflow(ctx: Context) -> Iterable[Finding]:
    rule = R + "task_workflow"
    all_steps = steps_of(ctx)
    for task in ctx.records("task"):
        steps = all_steps.get(task.id, [])
        reached = [s.state for s in steps]
        expected = ORDER[: ORDER.index(task.state) + 1]
        missing = [s for s in expected if s not in reached]
        if missing:
            yield ctx.finding(rule, "error", task.title,
                              f"任务“{task.title}”处于“{LABEL_ZH[task.state]}”，但缺少环节：{'、'.join(LABEL_ZH[m] for m in missing)}",
                              f"task '{task.title}' is at '{LABEL_EN[task.state]}' but skipped: {', '.join(LABEL_EN[m] for m in missing)}", record=task)
        beyond = [s for s in reached if ORDER.index(s) > ORDER.index(task.state)]
        if beyond:
            yield ctx.finding(rule, "error", task.title, f"任务“{task.title}”记录了尚未到达的环节：{'、'.join(LABEL_ZH[b] for b in beyond)}",
                              f"task '{task.title}' records steps beyond its state: {', '.join(LABEL_EN[b] for b in beyond)}", record=task)
        for earlier, later in zip(steps, steps[1:]):
            if later.on < earlier.on:
                yield ctx.finding(rule, "error", task.title,
                                  f"任务“{task.title}”的“{LABEL_ZH[later.state]}”（{later.on}）早于“{LABEL_ZH[earlier.state]}”（{earlier.on}）",
                                  f"task '{task.title}': '{LABEL_EN[later.state]}' ({later.on}) is dated before '{LABEL_EN[earlier.state]}' ({earlier.on})", record=task)
        for step in steps:
            if not step.by:
                yield ctx.finding(rule, "warning", task.title, f"任务“{task.title}”的“{LABEL_ZH[step.state]}”环节未记录经办人",
                                  f"task '{task.title}': step '{LABEL_EN[step.state]}' does not record who", record=task)
        if ORDER.index(task.state) >= ORDER.index("team_formed"):
            lacking = [zh for field, zh in (("deadline", "办理时限"), ("plan", "工作方案"), ("methods", "方式方法")) if not getattr(task, field)]
            members = [m for m in ctx.records("team_member") if m.task == task.id]
            if not any(m.role == "组长" for m in members):
                lacking.append("检查组组长")
            if lacking:
                yield ctx.finding(rule, "error", task.title, f"任务“{task.title}”已组建检查组，但未明确{'、'.join(lacking)}",
                                  f"task '{task.title}' has a team but lacks: {', '.join(lacking)}", record=task)


def check_task_closure(ctx: Context) -> Iterable[Finding]:
    """A task may close (办结) only once every problem lead and problem it found is transferred
    and its report is reviewed by the zone director, judged on the day it closed: a lead
    transferred after that day, or a review dated after it, is a violation too."""
    rule = R + "task_closure"
    all_steps = steps_of(ctx)
    found = defaultdict(list)
    for kind in ("clue", "problem"):
        for item in ctx.records(kind):
            found[item.task].append(item)

    def say(key: str, zh: dict | None = None, en: dict | None = None, **values: object) -> tuple[str, str]:
        """The message for ``key`` in both languages; ``zh`` / ``en``: the values that differ."""
        return ctx.model.text(key, "zh", **values, **(zh or {})), ctx.model.text(key, "en", **values, **(en or {}))

    for task in sorted(ctx.records("task"), key=lambda t: (t.proposed_on, t.id)):
        if task.state != "closed":
            continue
        steps = {s.state: s for s in all_steps.get(task.id, [])}
        closed_on = steps["closed"].on if "closed" in steps else None  # unrecorded: task_workflow says so
        for item in sorted(found.get(task.id, []), key=lambda x: (x.found_on, x.id)):
            zh = {"what": item.title_zh, "office": ctx.model.text(f"office.{item.kind}", "zh")}
            en = {"what": item.title_en.lower(), "office": ctx.model.text(f"office.{item.kind}", "en")}
            if item.transferred_on is None:
                key = "finding.closure.never" if closed_on else "finding.closure.never_undated"
                message = say(key, zh, en, title=task.title, summary=item.summary, closed=closed_on)
            elif closed_on is not None and item.transferred_on > closed_on:
                message = say("finding.closure.late", zh, en, title=task.title, summary=item.summary, closed=closed_on,
                              transferred=item.transferred_on, days=(item.transferred_on - closed_on).days)
            else:
                continue
            yield ctx.finding(rule, "error", task.title, *message, record=item)
        reviewed = steps.get("reviewed")
        if reviewed is None:
            yield ctx.finding(rule, "error", task.title, *say("finding.closure.unreviewed", title=task.title), record=task)
        elif closed_on is not None and reviewed.on > closed_on:
            yield ctx.finding(rule, "error", task.title,
                              *say("finding.closure.reviewed_late", title=task.title, closed=closed_on, reviewed=reviewed.on), record=task)


def check_cross_inspection_conflict(ctx: Context) -> Iterable[Finding]:
    rule = R + "cross_inspection_conflict"
    departments = {d.id: d for d in ctx.records("department")}
    bodies = {b.id: b for b in ctx.records("member_body")}
    supervisors = {s.id: s for s in ctx.records("supervisor")}
    members = defaultdict(list)
    for m in ctx.records("team_member"):
        members[m.task].append(m)
    for task in ctx.records("task"):
        inspected = [departments[d] for d in task.departments if d in departments]
        cross = any(d.zone not in task.zones for d in inspected)
        for m in members.get(task.id, []):
            body = bodies.get(m.body) if m.body else None
            home_zone = body.zone if body else (supervisors[m.supervisor].zone if m.supervisor in supervisors else None)
            where = body.name if body else (supervisors[m.supervisor].name if m.supervisor in supervisors else "")
            own = [d for d in inspected if body is not None and body.own_department == d.id]
            if own:
                yield ctx.finding(rule, "error", task.title,
                                  f"任务“{task.title}”中{m.name}（{where}）检查本单位{own[0].name}，应当回避",
                                  f"task '{task.title}': {m.name} ({where}) inspects their own unit {own[0].name}", record=m)
            conflicted = [d for d in inspected if d not in own and cross and home_zone is not None
                          and home_zone == d.zone and home_zone not in task.zones]
            if conflicted:
                zone_name = ctx.label("zone", home_zone)
                names = "、".join(d.name for d in conflicted)
                yield ctx.finding(rule, "error", task.title,
                                  f"交叉检查“{task.title}”中{m.name}（{where}）属于被检查部门{names}所在的{zone_name}，应当回避",
                                  f"cross inspection '{task.title}': {m.name} ({where}) belongs to {zone_name}, which owns {names}", record=m)


def task_deadline_duties(ctx: Context) -> Iterable[Duty]:
    closed_on = {s.task: s.on for s in ctx.records("task_step") if s.state == "closed"}
    for task in sorted(ctx.records("task"), key=lambda t: t.proposed_on):
        if task.deadline is None:
            continue
        done = [closed_on[task.id]] if task.state == "closed" and task.id in closed_on else []
        yield Duty(subject=f"“{task.title}”", subject_kind="task", subject_id=task.id,
                   period=Period.containing(task.deadline, PeriodKind.QUARTER), period_in_message=False, due=task.deadline,
                   done=done, what_zh="办结", what_en="closure", record_kind="task", record_id=task.id)


# reports ------------------------------------------------------------------------------------


def _report_duties(ctx: Context, report_type: str, kind: PeriodKind, working_days: int, what_zh: str, what_en: str) -> Iterable[Duty]:
    filed = defaultdict(list)
    for r in ctx.records("report"):
        if r.report_type == report_type:
            filed[(r.zone, r.period)].append(r.filed_on)
    for period in ctx.periods(kind):
        due = ctx.calendar.add_working_days(period.end, working_days)
        for zone in zones(ctx):
            yield Duty(subject=zone.name, subject_kind="zone", subject_id=zone.id, period=period, due=due.date,
                       provisional=due.provisional, done=filed.get((zone.id, str(period)), []), what_zh=what_zh, what_en=what_en,
                       unit_zh="份", record_kind="report", prefill={"zone": zone.id, "report_type": report_type, "period": str(period)})


def monthly_duties(ctx):
    return _report_duties(ctx, "月报", PeriodKind.MONTH, ctx.settings.monthly_report_working_days, "监督工作月报", "monthly report")


def quarterly_duties(ctx):
    return _report_duties(ctx, "季度报告", PeriodKind.QUARTER, ctx.settings.quarterly_report_working_days, "向县纪委监委季度汇报", "quarterly report to the county committee")


def half_year_duties(ctx):
    return _report_duties(ctx, "半年总结", PeriodKind.HALF, ctx.settings.half_year_working_days, "半年工作总结", "half-year summary")


def annual_duties(ctx):
    # The annual summary of a year falls due in the next one; list last year's while it is open.
    return _report_duties(ctx, "年度总结", PeriodKind.YEAR, ctx.settings.annual_working_days, "年度工作总结", "annual summary")


def check_half_year_review(ctx: Context) -> Iterable[Finding]:
    for r in ctx.records("report"):
        if r.report_type == "半年总结" and r.reviewed_on is None and r.filed_on <= ctx.as_of:
            zone = ctx.label("zone", r.zone)
            yield ctx.finding(R + "half_year_summary", "warning", zone,
                              f"{zone}{Period.parse(r.period).label()}工作总结尚未经协作区主任审核",
                              f"{zone}: the half-year summary for {Period.parse(r.period).label('en')} has not been reviewed by the zone director",
                              period=r.period, record=r)


def check_spans(ctx: Context) -> dict[str, tuple[date, date]]:
    """Task id → the days its inspection was under way (in progress until the report, or until today)."""
    began, ended = {}, {}
    for step in ctx.records("task_step"):
        if step.state == "in_progress":
            began[step.task] = step.on
        elif step.state == "report_drafted":
            ended[step.task] = step.on
    return {task: (start, ended.get(task, ctx.as_of)) for task, start in began.items()}


def holiday_duties(ctx: Context) -> Iterable[Duty]:
    """Each zone runs a check around each holiday node: one under way at some time between
    the window's opening (configured days before the holiday) and the holiday's last day."""
    spans = check_spans(ctx)
    checks = defaultdict(list)  # (zone, holiday) -> spans of its checks
    for task in ctx.records("task"):
        if task.task_type == "节日节点监督检查" and task.id in spans:
            for holiday in task.holidays:
                for zone in task.zones:
                    checks[(zone, holiday)].append(spans[task.id])
    for year in range(ctx.tracking_start.year, ctx.as_of.year + 1):
        for holiday in HOLIDAYS:
            # In a year whose notice is not known yet the holiday is computed from the regulations
            # and the duty is provisional (its days may still be extended).
            span = ctx.calendar.holiday_span(year, holiday)
            if span is None or span.first < ctx.tracking_start:
                continue
            first, last = span.first, span.last
            opens = first - timedelta(days=ctx.settings.holiday_window_days)
            if opens > ctx.as_of:
                continue
            for zone in zones(ctx):
                done = [max(start, opens) for start, end in checks.get((zone.id, holiday), []) if start <= last and end >= opens]
                yield Duty(subject=zone.name, subject_kind="zone", subject_id=zone.id, period=Period.of_year(year),
                           due=last, provisional=span.provisional, done=done, what_zh=f"{year}年{holiday}节点监督检查", what_en=f"{holiday} {year} holiday-node check",
                           period_in_message=False, record_kind="task",
                           prefill={"task_type": "节日节点监督检查", "holidays": [holiday], "zones": [zone.id]})


RULES = [
    Rule(R + "member_assignment", "乡镇纪委、派驻纪检监察组各属一个协作区", "every township committee and dispatched group belongs to one zone", check_member_assignment),
    Rule(R + "zone_leadership", "协作区设主任、副主任和对口联系室", "every zone has a director, a deputy and one liaison office", check_zone_leadership),
    Rule(R + "supervisor_assignment", "特约监察员各属一个协作区", "every special supervisor serves one zone", check_supervisor_assignment),
    Rule(R + "department_assignment", "监督检查部门各属一个协作区", "every supervised department belongs to one zone", check_department_assignment),
    Rule(R + "task_workflow", "任务按程序推进，不得跳过环节", "a task moves only along the procedure", check_task_workflow),
    Rule(R + "task_closure", "线索和问题移送、报告经审核后方可办结", "a task closes only when what it found is transferred and its report reviewed", check_task_closure),
    Rule(R + "cross_inspection_conflict", "交叉检查回避", "cross inspection avoids conflicts of interest", check_cross_inspection_conflict),
    Rule(R + "half_year_summary", "半年总结经协作区主任审核", "the half-year summary is reviewed by the zone director", check_half_year_review),
]

OBLIGATIONS = [
    Obligation(R + "task_overdue", "任务在办理时限内办结", "a task closes by its deadline", task_deadline_duties, late_severity=Severity.WARNING),
    Obligation(R + "monthly_report", "联络员每月报送监督工作情况", "each zone's liaison reports every month", monthly_duties),
    Obligation(R + "quarterly_report", "协作区每季度向县纪委监委汇报", "each zone reports to the county committee every quarter", quarterly_duties),
    Obligation(R + "half_year_summary", "对口联系室每半年总结", "each liaison office files a half-year summary", half_year_duties),
    Obligation(R + "annual_summary", "协作区年度总结", "each zone files an annual summary", annual_duties),
    Obligation(R + "holiday_node_check", "春节、中秋、国庆节点监督检查", "a holiday-node check around each festival", holiday_duties),
]
