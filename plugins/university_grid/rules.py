"""The rules of the university_grid model, with their stable ids (see DOMAIN.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable

from coordtui.api import Context, Duty, Finding, Obligation, Period, PeriodKind, Rule, Severity

from university_grid import MODEL_ID
from university_grid.kinds import CollaborationGroup, LeaderTerm, Unit
from university_grid.rotation import term_end

R = f"{MODEL_ID}."


def _groups(ctx: Context) -> list[CollaborationGroup]:
    return sorted(ctx.records("group"), key=lambda g: (g.number, g.id))


def _members(ctx: Context, group_id: str) -> list[Unit]:
    return sorted((u for u in ctx.records("unit") if u.group == group_id), key=lambda u: (u.order, u.id))


def grid_groups(ctx: Context) -> dict[str, list[str]]:
    """Grid member id → the ids of the groups they liaise with."""
    result: dict[str, list[str]] = defaultdict(list)
    for link in ctx.records("grid_link"):
        result[link.grid_member].append(link.group)
    return result


# validators ---------------------------------------------------------------------------


def check_unit_assignment(ctx: Context) -> Iterable[Finding]:
    groups = {g.id for g in ctx.records("group")}
    for unit in ctx.records("unit"):
        if unit.group is None:
            yield ctx.finding(R + "unit_assignment", "error", unit.name,
                              f"{unit.name}未划入任何协作组", f"{unit.name} belongs to no collaboration group", record=unit)
        elif unit.group not in groups:
            yield ctx.finding(R + "unit_assignment", "error", unit.name,
                              f"{unit.name}所属协作组“{unit.group}”不存在", f"{unit.name} names collaboration group '{unit.group}', which does not exist", record=unit)


def check_group_has_grid_member(ctx: Context) -> Iterable[Finding]:
    linked = {link.group for link in ctx.records("grid_link")}
    for group in _groups(ctx):
        if group.id not in linked:
            yield ctx.finding(R + "group_has_grid_member", "error", group.name,
                              f"{group.name}没有对口联系的网格员", f"{group.name} has no grid member liaising with it", record=group)


def _say(ctx: Context, key: str, **values: object) -> tuple[str, str]:
    """A finding's message from the model's catalogue, in Chinese and English."""
    return ctx.model.text(key, "zh", **values), ctx.model.text(key, "en", **values)


def check_leader_rotation(ctx: Context) -> Iterable[Finding]:
    """Leader units take turns (组长单位轮值), ``term_months`` each from whatever day a term
    starts (2026-01-15 to 2026-04-14 is three months); terms follow each other with no gap and
    no overlap; a unit leads again only after every member has led; the leader unit is a member
    of the group."""
    rule = R + "leader_rotation"
    months = ctx.settings.term_months
    terms_by_group: dict[str, list[LeaderTerm]] = defaultdict(list)
    for term in ctx.records("leader_term"):
        terms_by_group[term.group].append(term)
    for group in _groups(ctx):
        members = _members(ctx, group.id)
        member_ids = {u.id for u in members}
        terms = sorted(terms_by_group.get(group.id, []), key=lambda t: (t.start, t.end, t.id))
        led: set[str] = set()
        covering: LeaderTerm | None = None  # of the terms so far, the one that reaches furthest
        for term in terms:
            # (what a finding about the term says of it: made only for a term that has one)
            def about(term: LeaderTerm = term) -> dict[str, str]:
                return {"group": group.name, "unit": ctx.label("unit", term.unit), "start": term.start.isoformat(), "end": term.end.isoformat()}

            if term.unit not in member_ids:
                yield ctx.finding(rule, "error", group.name, *_say(ctx, "finding.rotation.not_member", **about()), record=term)
            expected = term_end(term.start, months)
            if term.end != expected:
                yield ctx.finding(rule, "error", group.name,
                                  *_say(ctx, "finding.rotation.length", months=months, expected=expected.isoformat(), **about()), record=term)
            if covering is not None:
                if term.start <= covering.end:
                    before = {"previous": ctx.label("unit", covering.unit), "previous_end": covering.end.isoformat()}
                    days = (min(term.end, covering.end) - term.start).days + 1
                    yield ctx.finding(rule, "error", group.name, *_say(ctx, "finding.rotation.overlap", days=days, **before, **about()), record=term)
                elif term.start > covering.end + timedelta(days=1):
                    before = {"previous": ctx.label("unit", covering.unit), "previous_end": covering.end.isoformat()}
                    first, last = covering.end + timedelta(days=1), term.start - timedelta(days=1)
                    yield ctx.finding(rule, "error", group.name,
                                      *_say(ctx, "finding.rotation.gap", first=first.isoformat(), last=last.isoformat(), **before, **about()),
                                      record=term)
            if member_ids and led >= member_ids:
                led = set()
            if term.unit in led:
                waiting = [u.name for u in members if u.id not in led]
                zh, _ = _say(ctx, "finding.rotation.again", waiting="、".join(waiting), **about())
                _, en = _say(ctx, "finding.rotation.again", waiting=", ".join(waiting), **about())
                yield ctx.finding(rule, "error", group.name, zh, en, record=term)
            led.add(term.unit)
            if covering is None or term.end > covering.end:
                covering = term
        current = Period.containing(ctx.as_of, PeriodKind.QUARTER)
        if ctx.tracking_start <= ctx.as_of and not any(t.start <= ctx.as_of <= t.end for t in terms):
            yield ctx.finding(rule, "warning", group.name,
                              *_say(ctx, "finding.rotation.none", group=group.name, day=ctx.as_of.isoformat()), period=current)


def leader_during(ctx: Context, group_id: str, period: Period) -> list[str]:
    """The units that led ``group_id`` at some time in ``period`` (时任组长单位), in the order recorded."""
    return _leaders_during([t for t in ctx.records("leader_term") if t.group == group_id], period)


def _leaders_during(terms: Iterable[LeaderTerm], period: Period) -> list[str]:
    return [t.unit for t in terms if t.start <= period.end and t.end >= period.start]


def check_plan_filer(ctx: Context) -> Iterable[Finding]:
    """The plan and summary are the leader unit's to file (时任组长单位负责)."""
    rule = R + "quarterly_plan_and_summary"
    # Each group's terms, and who led it in each quarter, found once (not by going through every
    # term of every group for each filing: 200 filings by 100 terms an organization over five years).
    terms_of: dict[str, list[LeaderTerm]] = defaultdict(list)
    for term in ctx.records("leader_term"):
        terms_of[term.group].append(term)
    led: dict[tuple[str, str], list[str]] = {}
    for filing in [*ctx.records("quarter_plan"), *ctx.records("quarter_summary")]:
        period = Period.parse(filing.quarter)
        leaders = led.get((filing.group, filing.quarter))
        if leaders is None:
            leaders = led[(filing.group, filing.quarter)] = _leaders_during(terms_of.get(filing.group, ()), period)
        if leaders and filing.unit not in leaders:
            what = filing.title_zh
            names = "、".join(ctx.label("unit", u) for u in leaders)
            yield ctx.finding(rule, "warning", ctx.label("group", filing.group),
                              f"{ctx.label('group', filing.group)}{period.label()}{what}由{ctx.label('unit', filing.unit)}报送，应由时任组长单位（{names}）负责",
                              f"{ctx.label('group', filing.group)}: the {filing.title_en.lower()} for {period.label('en')} was filed by {ctx.label('unit', filing.unit)}, not by the leader unit ({names})",
                              period=period, record=filing)


# obligations -----------------------------------------------------------------------------


def _quarter_of(day: date) -> tuple[int, int]:
    """The (year, quarter) a day falls in: the key of :class:`Period` ``(year, QUARTER, index)``."""
    return day.year, (day.month - 1) // 3 + 1


def quarterly_activity_duties(ctx: Context) -> Iterable[Duty]:
    required = ctx.settings.activities_per_quarter
    # (group, quarter) -> the days its activities ended, in the records' order: looked up per
    # quarter and group, not searched through all of a group's activities each time.
    ended: dict[tuple[str, tuple[int, int]], list[date]] = defaultdict(list)
    for activity in ctx.records("activity"):
        ended[(activity.group, _quarter_of(activity.end))].append(activity.end)
    for quarter in ctx.periods(PeriodKind.QUARTER):
        for group in _groups(ctx):
            done = list(ended.get((group.id, (quarter.year, quarter.index)), ()))
            yield Duty(subject=group.name, subject_kind="group", subject_id=group.id, period=quarter, due=quarter.end,
                       required=required, done=done, what_zh="协作活动", what_en="collaboration activities",
                       unit_zh="次", unit_en="activities", record_kind="activity", prefill={"group": group.id})


def attendance_duties(ctx: Context) -> Iterable[Duty]:
    required = ctx.settings.attendances_per_quarter
    groups_of = grid_groups(ctx)
    unit_group = {u.id: u.group for u in ctx.records("unit")}
    events: dict[str, list[date]] = defaultdict(list)
    for activity in ctx.records("activity"):
        for member in activity.grid_members:
            if activity.group in groups_of.get(member, []):
                events[member].append(activity.end)
    for meeting in ctx.records("meeting"):
        for member in meeting.grid_members:
            if unit_group.get(meeting.unit) in groups_of.get(member, []):
                events[member].append(meeting.date)
    # (member, quarter) -> those days, in the same order: looked up, not searched per quarter.
    by_quarter: dict[tuple[str, tuple[int, int]], list[date]] = defaultdict(list)
    for member_id, days in events.items():
        for day in days:
            by_quarter[(member_id, _quarter_of(day))].append(day)
    members = sorted(ctx.records("grid_member"), key=lambda m: m.id)
    for quarter in ctx.periods(PeriodKind.QUARTER):
        key = (quarter.year, quarter.index)
        for member in members:
            if member.id not in groups_of:
                continue
            done = list(by_quarter.get((member.id, key), ()))
            yield Duty(subject=member.name, subject_kind="grid_member", subject_id=member.id, period=quarter, due=quarter.end,
                       required=required, done=done, what_zh="参加协作组活动和会议", what_en="attendance at group activities and meetings",
                       unit_zh="次", unit_en="attendances", record_kind="activity")


def news_duties(ctx: Context) -> Iterable[Duty]:
    days = ctx.settings.news_working_days
    for activity in sorted(ctx.records("activity"), key=lambda a: (a.end, a.id)):
        if activity.end > ctx.as_of or activity.end < ctx.tracking_start:
            continue
        deadline = ctx.calendar.add_working_days(activity.end, days)
        group = ctx.label("group", activity.group)
        yield Duty(subject=f"{group}“{activity.title}”", subject_kind="activity", subject_id=activity.id,
                   period=Period.containing(activity.end, PeriodKind.QUARTER), due=deadline.date, provisional=deadline.provisional,
                   done=[activity.news_submitted] if activity.news_submitted else [],
                   what_zh="新闻稿报送", what_en="news draft to the dispatched group", unit_zh="篇",
                   period_in_message=False,
                   record_kind="activity", record_id=activity.id)


def plan_and_summary_duties(ctx: Context) -> Iterable[Duty]:
    plans: dict[tuple[str, str], list[date]] = defaultdict(list)
    summaries: dict[tuple[str, str], list[date]] = defaultdict(list)
    for p in ctx.records("quarter_plan"):
        plans[(p.group, p.quarter)].append(p.filed_on)
    for s in ctx.records("quarter_summary"):
        summaries[(s.group, s.quarter)].append(s.filed_on)
    quarters = ctx.periods(PeriodKind.QUARTER)
    for quarter in quarters:
        for group in _groups(ctx):
            key = (group.id, str(quarter))
            plan_due = quarter.start + timedelta(days=ctx.settings.plan_due_days)
            yield Duty(subject=group.name, subject_kind="group", subject_id=group.id, period=quarter, due=plan_due,
                       done=plans.get(key, []), what_zh="活动安排", what_en="quarterly activity plan", unit_zh="份",
                       record_kind="quarter_plan", prefill={"group": group.id, "quarter": str(quarter)})
            summary_due = ctx.calendar.add_working_days(quarter.end, ctx.settings.summary_working_days)
            yield Duty(subject=group.name, subject_kind="group", subject_id=group.id, period=quarter, due=summary_due.date,
                       provisional=summary_due.provisional, done=summaries.get(key, []), what_zh="工作总结",
                       what_en="quarterly work summary", unit_zh="份",
                       record_kind="quarter_summary", prefill={"group": group.id, "quarter": str(quarter)})


RULES = [
    Rule(R + "unit_assignment", "每个成员单位属于且仅属于一个协作组", "every unit belongs to exactly one group", check_unit_assignment),
    Rule(R + "group_has_grid_member", "每个协作组至少有一名网格员", "every group has at least one grid member", check_group_has_grid_member),
    Rule(R + "leader_rotation", "成员单位轮流担任组长单位，任期三个月", "member units take turns as leader unit for three months each", check_leader_rotation),
    Rule(R + "quarterly_plan_and_summary", "季度活动安排和工作总结由时任组长单位负责", "the leader unit files the quarter's plan and summary", check_plan_filer),
]

OBLIGATIONS = [
    Obligation(R + "quarterly_activity", "各协作组每季度不少于1次开展活动", "each group holds at least 1 activity per quarter", quarterly_activity_duties),
    Obligation(R + "grid_member_attendance", "网格员每季度参加活动和会议不少于3次", "each grid member attends at least 3 activities or meetings per quarter", attendance_duties),
    Obligation(R + "news_deadline", "活动结束3个工作日内报送新闻稿", "the news draft reaches the dispatched group within 3 working days", news_duties, late_severity=Severity.ERROR),
    Obligation(R + "quarterly_plan_and_summary", "季度活动安排、工作总结及时报送", "each quarter's plan and summary are filed", plan_and_summary_duties),
]
