"""Every university_grid rule with a case that passes and a case that fails, from small data."""

from __future__ import annotations

from datetime import date

import pytest

from coordtui.testing import check_records

from university_grid.kinds import Activity, CollaborationGroup, GridMember, GroupLink, LeaderTerm, QuarterPlan, QuarterSummary, Unit, UnitMeeting
from university_grid.plugin import MODEL
from university_grid.rules import OBLIGATIONS, RULES


def base():
    return [
        CollaborationGroup(id="g1", name="第一协作组", number=1),
        Unit(id="u1", name="机关纪委", unit_type="纪委", group="g1", order=1),
        Unit(id="u2", name="后勤纪委", unit_type="纪委", group="g1", order=2),
        GridMember(id="m1", name="王洪彬"),
        GroupLink(id="l1", group="g1", grid_member="m1"),
    ]


def terms(*spec):
    """spec: (unit, 'YYYY-MM-DD', 'YYYY-MM-DD')"""
    return [LeaderTerm(id=f"t{i}", group="g1", unit=u, start=date.fromisoformat(s), end=date.fromisoformat(e)) for i, (u, s, e) in enumerate(spec)]


def findings(records, as_of, rule, cal=None, settings=None):
    return check_records(MODEL, RULES, OBLIGATIONS, records, as_of, rule=rule, settings=settings, calendar=cal)


def activity(i, end, *, group="g1", members=("m1",), news=None, start=None):
    end = date.fromisoformat(end)
    return Activity(id=f"a{i}", group=group, title=f"活动{i}", form="协同工作指导", start=start or end, end=end,
                    units=["u1"], grid_members=list(members), news_submitted=date.fromisoformat(news) if news else None)


# unit_assignment ---------------------------------------------------------------------

def test_unit_assignment_passes_when_every_unit_is_in_a_group():
    assert findings(base(), date(2026, 2, 1), "unit_assignment") == []


def test_unit_assignment_fails_for_unassigned_and_unknown_group():
    recs = base() + [Unit(id="u3", name="图书馆党总支", unit_type="党总支"), Unit(id="u4", name="X纪委", unit_type="纪委", group="g9")]
    got = findings(recs, date(2026, 2, 1), "unit_assignment")
    assert [f.subject for f in got] == ["图书馆党总支", "X纪委"]
    assert all(f.severity.value == "error" for f in got)
    assert "未划入任何协作组" in got[0].message and "g9" in got[1].message


# group_has_grid_member ---------------------------------------------------------------

def test_group_has_grid_member():
    assert findings(base(), date(2026, 2, 1), "group_has_grid_member") == []
    recs = [r for r in base() if r.kind != "grid_link"]
    (f,) = findings(recs, date(2026, 2, 1), "group_has_grid_member")
    assert f.subject == "第一协作组" and "没有对口联系的网格员" in f.message


# leader_rotation ---------------------------------------------------------------------

def test_rotation_passes_for_consecutive_three_month_turns():
    recs = base() + terms(("u1", "2026-01-01", "2026-03-31"), ("u2", "2026-04-01", "2026-06-30"), ("u1", "2026-07-01", "2026-09-30"))
    assert findings(recs, date(2026, 8, 1), "leader_rotation") == []


@pytest.mark.parametrize("spec,expected", [
    ((("u1", "2026-01-01", "2026-03-31"), ("u2", "2026-03-01", "2026-05-31")), "任期重叠"),
    ((("u1", "2026-01-01", "2026-03-31"), ("u2", "2026-05-01", "2026-07-31")), "没有组长单位"),
    ((("u1", "2026-01-01", "2026-04-30"),), "不是3个月"),
    ((("u1", "2026-01-01", "2026-03-31"), ("u1", "2026-04-01", "2026-06-30")), "再次担任组长单位，但后勤纪委尚未轮值"),
    ((("u9", "2026-01-01", "2026-03-31"),), "不是本组成员单位"),
])
def test_rotation_fails(spec, expected):
    recs = base() + [Unit(id="u9", name="外组纪委", unit_type="纪委", group=None)] + terms(*spec)
    got = findings(recs, date(2026, 2, 1), "leader_rotation")
    assert any(expected in f.message for f in got), [f.message for f in got]


def test_rotation_accepts_contiguous_mid_month_terms():
    recs = base() + terms(("u1", "2026-01-15", "2026-04-14"), ("u2", "2026-04-15", "2026-07-14"), ("u1", "2026-07-15", "2026-10-14"))
    assert findings(recs, date(2026, 8, 1), "leader_rotation") == []
    month_ends = base() + terms(("u1", "2025-11-30", "2026-02-28"), ("u2", "2026-03-01", "2026-05-31"))
    assert findings(month_ends, date(2026, 4, 1), "leader_rotation", settings={"tracking_start": "2025-11-01"}) == []


def test_rotation_says_what_a_mid_month_term_should_have_been():
    recs = base() + terms(("u1", "2026-01-15", "2026-04-30"), ("u2", "2026-05-01", "2026-07-31"))
    (f,) = findings(recs, date(2026, 2, 1), "leader_rotation")
    assert f.message == "第一协作组组长单位机关纪委任期2026-01-15至2026-04-30不是3个月：自2026-01-15起任期3个月应至2026-04-14"
    assert f.message_en == "第一协作组: the term of 机关纪委 (2026-01-15 to 2026-04-30) is not 3 months: a 3-month term from 2026-01-15 ends on 2026-04-14"


def test_rotation_reports_a_gap_and_an_overlap_between_mid_month_terms():
    gap = base() + terms(("u1", "2026-01-15", "2026-04-14"), ("u2", "2026-04-20", "2026-07-19"))
    (f,) = findings(gap, date(2026, 5, 1), "leader_rotation")
    assert f.message == "第一协作组在2026-04-15至2026-04-19没有组长单位：机关纪委任期至2026-04-14届满，后勤纪委自2026-04-20起才接任"
    assert "no leader unit from 2026-04-15 to 2026-04-19" in f.message_en
    overlap = base() + terms(("u1", "2026-01-15", "2026-04-14"), ("u2", "2026-04-10", "2026-07-09"))
    (f,) = findings(overlap, date(2026, 5, 1), "leader_rotation")
    assert f.message == "第一协作组组长单位任期重叠5天：机关纪委任期至2026-04-14，后勤纪委自2026-04-10起任组长单位"
    assert "overlap by 5 days" in f.message_en


def test_rotation_warns_when_no_leader_is_in_office():
    recs = base() + terms(("u1", "2026-01-01", "2026-03-31"))
    (f,) = findings(recs, date(2026, 5, 1), "leader_rotation")
    assert f.severity.value == "warning" and "没有在任的组长单位" in f.message


# quarterly_activity ------------------------------------------------------------------

def test_quarterly_activity_met():
    recs = base() + [activity(1, "2026-02-10")]
    assert findings(recs, date(2026, 4, 10), "quarterly_activity") == []


def test_quarterly_activity_missed_is_error_after_quarter_and_warning_near_its_end():
    recs = base()
    (err,) = findings(recs, date(2026, 4, 10), "quarterly_activity")
    got = {f.period: f.severity.value for f in findings(recs, date(2026, 6, 20), "quarterly_activity")}
    assert err.period == "2026Q1" and err.severity.value == "error" and err.since == date(2026, 4, 1)
    assert got == {"2026Q1": "error", "2026Q2": "warning"}
    assert findings(recs, date(2026, 2, 1), "quarterly_activity") == []  # Q1 still early: not reported


# grid_member_attendance ---------------------------------------------------------------

def test_attendance_counts_activities_and_unit_meetings():
    recs = base() + [activity(1, "2026-02-10"), activity(2, "2026-03-10"),
                     UnitMeeting(id="mt", unit="u2", title="纪委会议", date=date(2026, 3, 2), grid_members=["m1"])]
    assert findings(recs, date(2026, 4, 10), "grid_member_attendance") == []


def test_attendance_short_and_other_groups_do_not_count():
    other = [CollaborationGroup(id="g2", name="第二协作组", number=2)]
    recs = base() + other + [activity(1, "2026-02-10"), activity(2, "2026-03-10", group="g2")]
    (f,) = findings(recs, date(2026, 4, 10), "grid_member_attendance")
    assert f.subject == "王洪彬" and "不足3次（实际1次" in f.message


# news_deadline -----------------------------------------------------------------------

def test_news_on_the_adjusted_workday_after_national_day_is_on_time():
    recs = base() + [activity(1, "2026-09-30", news="2026-10-10")]
    assert findings(recs, date(2026, 10, 15), "news_deadline") == []


def test_news_after_the_working_day_deadline_is_late():
    recs = base() + [activity(1, "2026-09-29", news="2026-10-12")]
    (f,) = findings(recs, date(2026, 10, 15), "news_deadline")
    assert f.severity.value == "error" and "应于2026-10-09前完成，实际2026-10-12" in f.message


def test_news_missing_is_overdue_and_pending_is_at_risk():
    recs = base() + [activity(1, "2026-09-29"), activity(2, "2026-10-14")]
    got = {f.subject: f for f in findings(recs, date(2026, 10, 15), "news_deadline")}
    assert got["第一协作组“活动1”"].severity.value == "error"
    assert got["第一协作组“活动2”"].severity.value == "warning"


def test_news_deadline_in_a_year_the_calendar_lacks_is_provisional():
    recs = base() + [activity(1, "2031-09-30")]
    (f,) = findings(recs, date(2031, 10, 10), "news_deadline", settings={"tracking_start": "2031-01-01"})
    # 国庆 2031 computed from the regulations (Oct 1-3), then a weekend: Oct 6, 7, 8; provisional until the notice.
    assert f.provisional and "2031-10-08" in f.message and "待官方日历确认" in f.message


# quarterly_plan_and_summary -------------------------------------------------------------

def _filings(plan_unit="u1", summary=True):
    recs = [QuarterPlan(id="p", group="g1", quarter="2026Q1", unit=plan_unit, filed_on=date(2026, 1, 8))]
    if summary:
        recs.append(QuarterSummary(id="s", group="g1", quarter="2026Q1", unit="u1", filed_on=date(2026, 4, 3)))
    return recs


def test_plan_and_summary_filed_by_the_leader():
    recs = base() + terms(("u1", "2026-01-01", "2026-03-31"), ("u2", "2026-04-01", "2026-06-30")) + _filings()
    recs.append(QuarterPlan(id="p2", group="g1", quarter="2026Q2", unit="u2", filed_on=date(2026, 4, 3)))
    assert findings(recs, date(2026, 4, 10), "quarterly_plan_and_summary") == []


def test_plan_and_summary_missing_or_filed_by_another_unit():
    recs = base() + terms(("u1", "2026-01-01", "2026-03-31")) + _filings(plan_unit="u2", summary=False)
    got = findings(recs, date(2026, 4, 20), "quarterly_plan_and_summary")
    messages = " / ".join(f.message for f in got)
    assert "工作总结未完成" in messages
    assert "由后勤纪委报送，应由时任组长单位（机关纪委）负责" in messages


def test_no_plan_is_owed_for_a_quarter_whose_plan_fell_due_before_tracking_started():
    # Tracked from 2026-09-21: the Q3 plan was due 2026-07-16, before anyone tracked it; the engine drops it.
    recs = base() + terms(("u1", "2026-07-01", "2026-09-30"), ("u2", "2026-10-01", "2026-12-31"))
    got = findings(recs, date(2026, 9, 22), "quarterly_plan_and_summary", settings={"tracking_start": "2026-09-21"})
    assert not any("2026-07-16" in f.message for f in got)
    later = findings(recs, date(2026, 10, 30), "quarterly_plan_and_summary", settings={"tracking_start": "2026-09-21"})
    assert any("2026Q4" == f.period and "活动安排未完成" in f.message for f in later)
