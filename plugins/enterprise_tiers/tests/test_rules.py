"""Every enterprise_tiers rule with a passing and a failing case, the quota at its boundaries, document numbers."""

from __future__ import annotations

from datetime import date

import pytest

from coordtui.testing import check_records

from enterprise_tiers.kinds import (Branch, Commendation, Directive, Document, GroupCommittee, ImplementationPlan, Inspector,
                                    InspectorReport, LedgerEntry, Lead, Subsidiary, UnitReport)
from enterprise_tiers.plugin import MODEL
from enterprise_tiers.rules import DOC_NUMBER, OBLIGATIONS, RULES, quota


def base(inspectors=2):
    recs = [GroupCommittee(id="g", name="集团公司纪委"), Subsidiary(id="s1", name="甲纪委", company="甲"), Branch(id="b1", name="一支部", subsidiary="s1")]
    recs += [Inspector(id=f"i{n}", name=f"委员{n}", branch="b1") for n in range(1, inspectors + 1)]
    return recs


def findings(records, rule, as_of=date(2026, 10, 15)):
    return check_records(MODEL, RULES, OBLIGATIONS, records, as_of, rule=rule)


def test_structure():
    assert findings(base(), "structure") == []
    got = findings(base() + [Branch(id="b2", name="孤支部"), Inspector(id="ix", name="无支部委员")], "structure")
    assert {f.subject for f in got} == {"孤支部", "无支部委员"}


def directives(q3_day=date(2026, 7, 8)):
    return [Directive(id=f"d{q}", title=f"Q{q}", quarter=f"2026Q{q}", issued_on=day)
            for q, day in ((1, date(2026, 1, 8)), (2, date(2026, 4, 8)), (3, q3_day))]


def test_quarterly_directive_in_the_first_ten_days():
    assert findings(base() + directives(), "quarterly_directive", as_of=date(2026, 9, 1)) == []
    (f,) = findings(base() + directives(q3_day=date(2026, 7, 14)), "quarterly_directive", as_of=date(2026, 9, 1))
    assert f.period == "2026Q3" and "应于2026-07-10前完成，实际2026-07-14" in f.message
    (missing,) = findings(base() + directives()[:2], "quarterly_directive", as_of=date(2026, 9, 1))
    assert missing.severity.value == "error"


def test_implementation_plan_within_ten_working_days():
    d = [Directive(id="d1", title="Q1", quarter="2026Q1", issued_on=date(2026, 1, 8))]
    ok = [ImplementationPlan(id="p", subsidiary="s1", directive="d1", filed_on=date(2026, 1, 15))]
    assert findings(base() + d + ok, "implementation_plan") == []
    (f,) = findings(base() + d, "implementation_plan")
    assert f.severity.value == "error" and "制定实施方案未完成" in f.message


def test_monthly_inspector_report():
    reports = [InspectorReport(id=f"r{i}{m}", inspector=f"i{i}", month=f"2026-{m:02d}", filed_on=date(2026, m, 25)) for i in (1, 2) for m in range(1, 10)]
    assert findings(base() + reports, "monthly_inspector_report") == []
    got = findings(base() + reports[1:], "monthly_inspector_report")
    assert [(f.subject, f.period) for f in got] == [("委员1", "2026-01")]


def test_quarterly_unit_report():
    reports = [UnitReport(id=f"u{q}", subsidiary="s1", quarter=f"2026Q{q}", filed_on=date(2026, 3 * q, 28)) for q in (1, 2, 3)]
    assert findings(base() + reports, "quarterly_unit_report") == []
    (f,) = findings(base() + reports[:2], "quarterly_unit_report")
    assert f.period == "2026Q3"


def test_major_lead_escalation_within_one_working_day():
    lead = Lead(id="l", subsidiary="s1", summary="重大线索", received_on=date(2026, 9, 29), major=True, escalated_on=date(2026, 9, 30))
    assert findings(base() + [lead], "major_lead_escalation") == []
    late = lead.model_copy(update={"escalated_on": date(2026, 10, 8)})
    (f,) = findings(base() + [late], "major_lead_escalation")
    assert f.severity.value == "error"
    minor = lead.model_copy(update={"major": False, "escalated_on": None})
    assert findings(base() + [minor], "major_lead_escalation") == []


@pytest.mark.parametrize("inspectors,allowed", [(4, 0), (5, 1), (9, 1), (10, 2), (0, 0)])
def test_quota_rounds_down(inspectors, allowed):
    assert quota(inspectors, 20) == allowed


@pytest.mark.parametrize("inspectors,commended,ok", [(4, 0, True), (4, 1, False), (5, 1, True), (5, 2, False), (10, 2, True), (10, 3, False)])
def test_commendation_quota_boundaries(inspectors, commended, ok):
    recs = base(inspectors) + [Commendation(id=f"c{n}", year=2025, inspector=f"i{n}") for n in range(1, commended + 1)]
    assert (findings(recs, "commendation_quota") == []) is ok


def test_ledger_entry_proposed_until_recorded():
    d = [Directive(id="d1", title="Q1", quarter="2026Q1", issued_on=date(2026, 1, 8))]
    got = findings(base() + d, "ledger_entry", as_of=date(2026, 4, 20))
    assert {f.message.split("，")[0] for f in got} == {"甲纪委2026年第一季度无实施方案", "甲纪委2026年第一季度无季度报告"}
    recorded = [LedgerEntry(id="e1", subsidiary="s1", quarter="2026Q1", reason="无实施方案", recorded_on=date(2026, 4, 15)),
                LedgerEntry(id="e2", subsidiary="s1", quarter="2026Q1", reason="无季度报告", recorded_on=date(2026, 4, 15))]
    assert findings(base() + d + recorded, "ledger_entry", as_of=date(2026, 4, 20)) == []


@pytest.mark.parametrize("number,valid", [
    ("淄矿纪发〔2019〕18号", True), ("新升纪发〔2019〕10号", True), ("淄矿纪发(2019)18号", False), ("淄矿纪发[2019]18号", False),
    ("淄矿纪发〔2019〕号", False), ("〔2019〕18号", False), ("淄矿纪发〔19〕18号", False), ("淄矿纪发〔2019〕018号", False),
])
def test_document_number_format(number, valid):
    assert bool(DOC_NUMBER.match(number)) is valid


def test_document_number_rule_and_forwarding():
    original = Document(id="a", number="淄矿纪发〔2019〕18号", title="安排意见", issuer="集团纪委", issued_on=date(2019, 10, 12))
    forward = Document(id="b", number="新升纪发〔2019〕10号", title="关于转发《安排意见》", issuer="新升纪委", issued_on=date(2019, 10, 25), forwards="a")
    assert findings([original, forward], "document_number") == []
    bad = [original.model_copy(update={"number": "淄矿纪发(2019)18号"}), forward.model_copy(update={"forwards": None}),
           Document(id="c", number="新升纪发〔2018〕3号", title="通知", issuer="新升纪委", issued_on=date(2019, 3, 1))]
    messages = " / ".join(f.message for f in findings(bad, "document_number"))
    assert "不符合" in messages and "未注明所转发的文件" in messages and "年份与成文日期" in messages
