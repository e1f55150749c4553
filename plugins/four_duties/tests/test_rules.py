"""Every four_duties rule with a passing and a failing case, from small data."""

from __future__ import annotations

from datetime import date

from coordtui.testing import check_records

from four_duties.kinds import Agreement, AreaAssignment, Bearer, FourDocument, Inspection, ListItem, Meeting, Report, RiskPoint, TeamMember, Unit
from four_duties.plugin import MODEL
from four_duties.rules import OBLIGATIONS, RULES

AS_OF = date(2026, 10, 15)


def base():
    return [Bearer(id="c", name="党委", duty="主体责任"), Bearer(id="d", name="纪委", duty="监督责任"),
            TeamMember(id="m1", name="党委书记", post="党委书记"), TeamMember(id="m2", name="副校长", post="副校长"),
            Unit(id="u1", name="财务处", unit_type="职能部门"), Unit(id="c1", name="学院党委", unit_type="二级党组织")]


def findings(records, rule, as_of=AS_OF, settings=None):
    return check_records(MODEL, RULES, OBLIGATIONS, records, as_of, rule=rule, settings=settings)


#: Reports on 2025 are judged only where 2025 was tracked.
FROM_2025 = {"tracking_start": "2025-01-01"}


def meetings(*specs):
    return [Meeting(id=f"mt{n}", meeting_type=t, held_on=date.fromisoformat(d)) for n, (t, d) in enumerate(specs)]


def test_special_meetings_3_plus_n():
    ok = meetings(("专题会议（部署）", "2026-02-20"), ("专题会议（推进）", "2026-07-01"))
    assert findings(base() + ok, "special_meetings") == []
    got = findings(base() + ok[:1], "special_meetings")
    assert [f.message for f in got] == ["党委2026年度召开专题会议（推进）未完成（应于2026-07-31前完成），已逾期76天"]
    year_end = findings(base() + ok, "special_meetings", as_of=date(2026, 12, 20))
    assert [f.severity.value for f in year_end] == ["warning"]  # the summary meeting is at risk


def test_four_meetings():
    ok = meetings(("全面从严治党分析研究会", "2026-02-20"), ("责任计划审议会", "2026-03-10"), ("责任落实推进会", "2026-07-01"))
    assert findings(base() + ok, "four_meetings") == []
    got = findings(base() + ok[1:], "four_meetings")
    assert len(got) == 1 and "分析研究会" in got[0].message


def docs(member, *types):
    return [FourDocument(id=f"{member}-{n}", member=member, year=2026, doc_type=t, filed_on=date(2026, 3, 1)) for n, t in enumerate(types)]


def test_four_documents():
    three = ("廉政承诺书", "责任计划书", "责任项目书")
    assert findings(base() + docs("m1", *three) + docs("m2", *three), "four_documents") == []
    got = findings(base() + docs("m1", *three) + docs("m2", *three[:2]), "four_documents")
    assert [(f.subject, "责任项目书" in f.message) for f in got] == [("副校长", True)]


def reports_2025(skip=()):
    recs = [Report(id=f"dlm-{m}", report_type="民主生活会汇报", year=2025, filed_on=date(2026, 1, 10), member=m) for m in ("m1", "m2")]
    recs += [Report(id="w", report_type="党委书面报告", year=2025, filed_on=date(2026, 1, 20)),
             Report(id="s", report_type="党委书记工作报告", year=2025, filed_on=date(2026, 3, 1), member="m1"),
             Report(id="d", report_type="纪委报告", year=2025, filed_on=date(2026, 1, 20)),
             Report(id="u", report_type="二级党组织报告", year=2025, filed_on=date(2026, 1, 20), unit="c1")]
    return [r for r in recs if r.id not in skip]


def test_three_reports():
    assert findings(base() + reports_2025(), "three_reports", settings=FROM_2025) == []
    got = findings(base() + reports_2025(skip=("dlm-m2", "s")), "three_reports", settings=FROM_2025)
    assert {f.subject for f in got} == {"副校长", "党委书记"}


def test_dual_report():
    assert findings(base() + reports_2025(), "dual_report", settings=FROM_2025) == []
    got = findings(base() + reports_2025(skip=("d", "u")), "dual_report", settings=FROM_2025)
    assert {f.subject for f in got} == {"纪委", "学院党委"}


def test_dual_report_includes_the_committees_own_report_upward():
    (f,) = findings(base() + reports_2025(skip=("w",)), "dual_report", settings=FROM_2025)
    assert f.subject == "党委" and f.severity.value == "error"
    assert f.message == "党委2025年度向上级党委报告“四责”落实情况未完成（应于2026-01-31前完成），已逾期257天"
    assert f.message_en.startswith("党委: report upward on the four responsibilities for 2025 not done")
    # The same written report answers three_reports too: filed once, both are met.
    assert findings(base() + reports_2025(), "dual_report", settings=FROM_2025) == []


def test_reports_on_the_year_before_tracking_began_are_not_owed():
    # Tracked from 2026-01-01: 2025's reports fall due in January 2026, but 2025 was not tracked.
    for rule in ("three_reports", "dual_report", "year_end_inspection"):
        assert findings(base(), rule, as_of=date(2026, 3, 1)) == [], rule
    assert findings(base(), "dual_report", as_of=date(2027, 2, 10))  # 2026's, due 2027-01-31, are


def test_risk_point_owner():
    area = AreaAssignment(id="a", area="财务管理", units=["u1"])
    point = RiskPoint(id="p", area="财务管理", unit="u1", description="报销审核", owner="财务处处长", measures="双人复核")
    assert findings(base() + [area, point], "risk_point_owner") == []
    assert "未梳理财务管理领域的廉政风险点" in findings(base() + [area], "risk_point_owner")[0].message
    (f,) = findings(base() + [area, point.model_copy(update={"owner": None})], "risk_point_owner")
    assert "未落实风险责任人" in f.message


def test_agreement_deadline():
    a = Agreement(id="a", title="联合检查", lead="u1", partners=["c1"], signed_on=date(2026, 3, 1), time_limit=date(2026, 6, 30), completed_on=date(2026, 6, 1))
    assert findings(base() + [a], "agreement_deadline") == []
    got = findings(base() + [a.model_copy(update={"completed_on": None, "partners": []})], "agreement_deadline")
    assert {("未明确协同单位" in f.message, "已逾期" in f.message) for f in got} == {(True, False), (False, True)}


def test_problem_rectification():
    item = ListItem(id="i", list_type="问题清单", unit="u1", content="问题", owner="处长", deadline=date(2026, 9, 1), completed_on=date(2026, 8, 1))
    assert findings(base() + [item], "problem_rectification") == []
    got = findings(base() + [item.model_copy(update={"completed_on": None}), item.model_copy(update={"id": "j", "owner": None})], "problem_rectification")
    assert len(got) == 2 and any("未明确责任人" in f.message for f in got)
    responsibility = ListItem(id="k", list_type="责任清单", unit="u1", content="职责")
    assert findings(base() + [responsibility], "problem_rectification") == []


def test_year_end_inspection():
    led = Inspection(id="x", year=2025, unit="c1", led_by="m1", held_on=date(2025, 12, 20))
    assert findings(base() + [led], "year_end_inspection", settings=FROM_2025) == []
    assert "年终督导检查未完成" in findings(base(), "year_end_inspection", settings=FROM_2025)[0].message
    (f,) = findings(base() + [led.model_copy(update={"led_by": "m2"})], "year_end_inspection")
    assert f.severity.value == "warning" and "应由党委书记带队" in f.message
