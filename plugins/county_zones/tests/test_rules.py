"""Every county_zones rule with a passing and a failing case, from small data."""

from __future__ import annotations

from datetime import date

import pytest

from coordtui.api import InputError
from coordtui.testing import check_records

from county_zones.kinds import Clue, Department, Liaison, MemberBody, Office, Problem, Supervisor, Task, TaskStep, TeamMember, Zone, ZoneReport
from county_zones.plugin import MODEL
from county_zones.procedure import advance
from county_zones.rules import OBLIGATIONS, RULES
from county_zones.workflow import ORDER


def base():
    return [
        Office(id="o1", name="第一纪检监察室"), Office(id="o2", name="第二纪检监察室"),
        Zone(id="z1", name="第一协作区", number=1, office="o1", director="张主任", deputy="李副主任"),
        Zone(id="z2", name="第二协作区", number=2, office="o2", director="王主任", deputy="赵副主任"),
        Liaison(id="l1", office="o1", name="联络员甲"), Liaison(id="l2", office="o2", name="联络员乙"),
        Department(id="d1", name="财政局", zone="z1"), Department(id="d2", name="法院", zone="z1"),
        Department(id="d3", name="县委办", zone="z2"),
        MemberBody(id="b1", name="宝丰镇纪委", body_type="乡镇纪委", zone="z1"),
        MemberBody(id="b2", name="驻法院纪检监察组", body_type="派驻纪检监察组", zone="z1", own_department="d2"),
        MemberBody(id="b3", name="城关镇纪委", body_type="乡镇纪委", zone="z2"),
        Supervisor(id="s1", name="孙  艳", zone="z1"),
    ]


def task(tid="t1", state="proposed", **kw):
    values = dict(id=tid, title="专项检查", task_type="集中监督检查", proposed_on=date(2026, 3, 2), zones=["z2"], state=state,
                  deadline=date(2026, 6, 30), plan="方案", methods="方法")
    values.update(kw)
    return Task(**values)


def steps(tid="t1", until="closed", skip=()):
    result = []
    for i, state in enumerate(ORDER[: ORDER.index(until) + 1]):
        if state not in skip:
            result.append(TaskStep(id=f"{tid}-{state}", task=tid, state=state, by="经办人", on=date(2026, 3, 2 + i)))
    return result


def findings(records, rule, as_of=date(2026, 10, 15)):
    return check_records(MODEL, RULES, OBLIGATIONS, records, as_of, rule=rule)


@pytest.mark.parametrize("rule,bad", [
    ("member_assignment", MemberBody(id="bx", name="某乡纪委", body_type="乡镇纪委")),
    ("supervisor_assignment", Supervisor(id="sx", name="某人")),
    ("department_assignment", Department(id="dx", name="某局", zone="z9")),
])
def test_assignments(rule, bad):
    assert findings(base(), rule) == []
    (f,) = findings(base() + [bad], rule)
    assert f.severity.value == "error" and bad.label() in f.message


def test_zone_leadership_pass_and_fail():
    assert findings(base(), "zone_leadership") == []
    recs = [r for r in base() if r.id not in ("z2", "l1")] + [
        Zone(id="z2", name="第二协作区", number=2, office="o1"),  # shares office o1, unnamed leaders
    ]
    messages = [f.message for f in findings(recs, "zone_leadership")]
    assert any("未指定联络员" in m for m in messages)
    assert any("同时对口" in m for m in messages)
    recs = [r for r in base() if r.id != "z1"] + [Zone(id="z1", name="第一协作区", number=1, office="o1")]
    (f,) = findings(recs, "zone_leadership")
    assert f.severity.value == "warning" and "主任、副主任未登记姓名" in f.message


def test_task_workflow_complete_passes_and_skip_fails():
    team = [TeamMember(id="m1", task="t1", name="组长甲", role="组长", body="b3")]
    assert findings(base() + [task(state="closed")] + steps() + team, "task_workflow") == []
    got = findings(base() + [task(state="in_progress")] + steps(until="in_progress", skip=("team_formed",)) + team, "task_workflow")
    assert any("缺少环节：组建检查组" in f.message for f in got)


def test_task_workflow_needs_who_and_a_team_leader():
    got = findings(base() + [task(state="team_formed", plan=None)] + steps(until="team_formed"), "task_workflow")
    assert any("未明确工作方案、检查组组长" in f.message for f in got)


def test_task_closure():
    # steps(): the task closes on 2026-03-10, its report reviewed on 03-08.
    clue = Clue(id="c1", task="t1", summary="线索", found_on=date(2026, 3, 5))
    assert findings(base() + [task(state="closed"), clue.model_copy(update={"transferred_on": date(2026, 3, 6)})] + steps(), "task_closure") == []
    (f,) = findings(base() + [task(state="closed"), clue] + steps(), "task_closure")
    assert f.message == "任务“专项检查”已于2026-03-10办结，但其发现的问题线索“线索”至今未移送案件监督管理室"
    assert f.message_en == "task '专项检查' was closed on 2026-03-10, but the problem lead '线索' it found has still not been transferred to the case supervision office"
    assert f.subject_id == "c1"


def test_task_closure_is_judged_on_the_day_the_task_closed():
    # Transferred a month after closing: the task closed while the lead was still with it.
    clue = Clue(id="c1", task="t1", summary="线索", found_on=date(2026, 3, 5), transferred_on=date(2026, 4, 10))
    (f,) = findings(base() + [task(state="closed"), clue] + steps(), "task_closure")
    assert f.severity.value == "error"
    assert f.message == "任务“专项检查”于2026-03-10办结时，其发现的问题线索“线索”尚未移送案件监督管理室（2026-04-10才移送，晚于办结31天）"
    assert "31 days after closing" in f.message_en
    # Transferred on the day it closed is in time; a problem goes to the conduct supervision office.
    same_day = clue.model_copy(update={"transferred_on": date(2026, 3, 10)})
    problem = Problem(id="p1", task="t1", summary="问题", found_on=date(2026, 3, 5), transferred_on=date(2026, 3, 11))
    (f,) = findings(base() + [task(state="closed"), same_day, problem] + steps(), "task_closure")
    assert f.subject_id == "p1" and "尚未移送党风政风监督室" in f.message and "conduct supervision office" in f.message_en


def test_a_task_cannot_close_with_its_report_unreviewed():
    unreviewed = findings(base() + [task(state="closed")] + steps(skip=("reviewed",)), "task_closure")
    assert [f.message for f in unreviewed] == ["任务“专项检查”已办结，但其检查报告未经协作区主任审核"]
    assert unreviewed[0].message_en == "task '专项检查' is closed, but its report was never reviewed by the zone director"
    late = [s.model_copy(update={"on": date(2026, 3, 20)}) if s.state == "reviewed" else s for s in steps()]
    (f,) = findings(base() + [task(state="closed")] + late, "task_closure")
    assert f.message == "任务“专项检查”于2026-03-10办结时，其检查报告尚未经协作区主任审核（2026-03-20才审核）"
    # An open task is not judged by this rule.
    assert findings(base() + [task(state="submitted")] + steps(until="submitted", skip=("reviewed",)), "task_closure") == []


def test_cross_inspection_conflict():
    t = task(departments=["d1"], zones=["z2"])
    clean = [TeamMember(id="m1", task="t1", name="甲", role="组长", body="b3")]
    assert findings(base() + [t] + clean, "cross_inspection_conflict") == []
    conflicted = clean + [TeamMember(id="m2", task="t1", name="乙", body="b1"), TeamMember(id="m3", task="t1", name="丙", supervisor="s1")]
    got = findings(base() + [t] + conflicted, "cross_inspection_conflict")
    assert {f.subject_id for f in got} == {"m2", "m3"} and "属于被检查部门财政局所在的第一协作区" in got[0].message


def test_nobody_inspects_their_own_unit():
    t = task(departments=["d2"], zones=["z1"])
    got = findings(base() + [t, TeamMember(id="m1", task="t1", name="甲", body="b2")], "cross_inspection_conflict")
    assert len(got) == 1 and "检查本单位法院" in got[0].message


def test_task_overdue():
    assert findings(base() + [task(state="closed")] + steps(), "task_overdue") == []
    (f,) = findings(base() + [task(state="in_progress")] + steps(until="in_progress"), "task_overdue")
    assert f.severity.value == "error" and f.since == date(2026, 7, 1)


def _reports(kind, periods, zones=("z1", "z2"), reviewed=True):
    return [ZoneReport(id=f"r-{z}-{p}", zone=z, report_type=kind, period=p, filed_on=date(2026, 12, 1) if p.endswith("H2") else date(2026, int(p[5:7]) % 12 + 1, 2) if "-" in p else date(2026, 4, 3) if p.endswith("Q1") else date(2026, 7, 3),
                       reviewed_on=date(2026, 7, 10) if reviewed and kind == "半年总结" else None) for z in zones for p in periods]


def test_monthly_report():
    months = [f"2026-{m:02d}" for m in range(1, 10)]
    assert findings(base() + _reports("月报", months), "monthly_report") == []
    got = findings(base() + _reports("月报", months[:-1]), "monthly_report")
    assert {(f.subject, f.period, f.severity.value) for f in got} == {("第一协作区", "2026-09", "error"), ("第二协作区", "2026-09", "error")}


def test_quarterly_report():
    assert findings(base() + _reports("季度报告", ["2026Q1", "2026Q2"]), "quarterly_report", as_of=date(2026, 8, 1)) == []
    got = findings(base() + _reports("季度报告", ["2026Q1"]), "quarterly_report", as_of=date(2026, 8, 1))
    assert {f.period for f in got} == {"2026Q2"}


def test_half_year_summary_filed_and_reviewed():
    assert findings(base() + _reports("半年总结", ["2026H1"]), "half_year_summary") == []
    got = findings(base() + _reports("半年总结", ["2026H1"], reviewed=False), "half_year_summary")
    assert len(got) == 2 and all("尚未经协作区主任审核" in f.message for f in got)
    assert len(findings(base(), "half_year_summary")) == 2  # not filed at all: overdue


def test_annual_summary():
    assert findings(base() + _reports("年度总结", ["2025"]), "annual_summary", as_of=date(2026, 3, 1)) == []
    org = findings(base(), "annual_summary", as_of=date(2027, 3, 1))
    assert any(f.period == "2026" and f.severity.value == "error" for f in org)


def _holiday_task(zones, start):
    t = Task(id="th", title="国庆节点检查", task_type="节日节点监督检查", holidays=["国庆"], proposed_on=date(2026, 9, 1), zones=zones, state="in_progress")
    return [t, TaskStep(id="th-ip", task="th", state="in_progress", by="组长", on=start)]


def test_holiday_node_check_from_the_official_calendar():
    # National Day 2026 runs 10-01..10-07; the window opens 7 days before.
    ok = findings(base() + _holiday_task(["z1", "z2"], date(2026, 9, 28)), "holiday_node_check")
    assert not any("国庆" in f.message for f in ok)
    early = findings(base() + _holiday_task(["z1"], date(2026, 9, 28)), "holiday_node_check")
    assert any(f.subject == "第二协作区" and "国庆" in f.message for f in early)


def test_every_illegal_transition_is_refused_with_a_clear_message():
    team = [TeamMember(id="m1", task="t1", name="组长甲", role="组长")]
    for i, current in enumerate(ORDER):
        t = task(state=current)
        for target in ORDER:
            allowed = i + 1 < len(ORDER) and target == ORDER[i + 1]
            if allowed:
                new, step = advance(t, target, by="甲", on=date(2026, 3, 20), steps=steps(until=current), team=team)
                assert new.state == target and step.state == target
            else:
                with pytest.raises(InputError) as err:
                    advance(t, target, by="甲", on=date(2026, 3, 20), steps=steps(until=current), team=team)
                assert "\n" not in err.value.message and ("下一步应为" in err.value.message or "已办结" in err.value.message)


def test_closing_is_refused_while_a_lead_is_untransferred():
    clue = Clue(id="c1", task="t1", summary="线索", found_on=date(2026, 3, 5))
    with pytest.raises(InputError, match="尚未移送"):
        advance(task(state="submitted"), "closed", by="甲", on=date(2026, 3, 20), steps=steps(until="submitted"), team=[], clues=[clue])
    problem = Problem(id="p1", task="t1", summary="问题", found_on=date(2026, 3, 5), transferred_on=date(2026, 3, 6))
    new, _ = advance(task(state="submitted"), "closed", by="甲", on=date(2026, 3, 20), steps=steps(until="submitted"), team=[], problems=[problem])
    assert new.state == "closed"


def test_closing_is_refused_while_a_lead_is_transferred_only_after_the_closing_day():
    later = Clue(id="c1", task="t1", summary="线索", found_on=date(2026, 3, 5), transferred_on=date(2026, 4, 10))
    with pytest.raises(InputError, match="尚未移送"):
        advance(task(state="submitted"), "closed", by="甲", on=date(2026, 3, 20), steps=steps(until="submitted"), team=[], clues=[later])
    new, _ = advance(task(state="submitted"), "closed", by="甲", on=date(2026, 4, 10), steps=steps(until="submitted"), team=[], clues=[later])
    assert new.state == "closed"


def test_team_needs_leader_plan_deadline_methods():
    with pytest.raises(InputError, match="检查组组长"):
        advance(task(state="assigned"), "team_formed", by="甲", on=date(2026, 3, 20), steps=steps(until="assigned"), team=[])


def test_holiday_node_checks_of_a_year_the_package_lacks_are_listed_and_provisional():
    from coordtui.testing import context_for
    from coordtui.rules.engine import run_obligation

    (node,) = [o for o in OBLIGATIONS if o.rule.endswith("holiday_node_check")]
    for as_of, year in ((date(2026, 2, 25), "2026"), (date(2027, 2, 25), "2027")):
        rows, _ = run_obligation(context_for(MODEL, base(), as_of), node)
        spring = [r for r in rows if str(r.duty.period) == year and "春节" in r.duty.what_zh]
        assert sorted(r.duty.subject for r in spring) == ["第一协作区", "第二协作区"]
        # 2027's Spring Festival comes from the regulations (除夕 2027-02-05 to 初三 02-08) until its notice is known.
        assert all(r.duty.provisional == (year == "2027") for r in spring)
    assert {r.duty.due for r in spring} == {date(2027, 2, 8)}
    (f, *_) = [f for f in findings(base(), "holiday_node_check", as_of=date(2027, 2, 25)) if "2027年春节" in f.message]
    assert f.provisional and "待官方日历确认" in f.message
