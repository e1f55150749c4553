from datetime import date

from coordtui.domain.model import Duty, DutyStatus, Obligation, Rule
from coordtui.domain.periods import Period
from coordtui.rules.engine import evaluate
from coordtui.testing import context_for

from dropins.mini import MODEL, Report, Team


def _ctx(records, as_of, settings=None):
    return context_for(MODEL, records, as_of, settings=settings or {"tracking_start": "2026-01-01"})


def test_duty_status_conventions():
    d = Duty(subject="s", due=date(2026, 3, 31), what_zh="x", what_en="x", required=2, done=[date(2026, 3, 1)])
    assert d.status(date(2026, 3, 1), 14) is DutyStatus.DUE
    assert d.status(date(2026, 3, 17), 14) is DutyStatus.AT_RISK
    assert d.status(date(2026, 4, 1), 14) is DutyStatus.OVERDUE
    d.done.append(date(2026, 4, 2))
    assert d.status(date(2026, 4, 5), 14) is DutyStatus.LATE
    d.done[1] = date(2026, 3, 30)
    assert d.status(date(2026, 4, 5), 14) is DutyStatus.MET


def test_a_raising_rule_becomes_a_finding():
    def boom(ctx):
        raise ZeroDivisionError("division by zero")

    result = evaluate(_ctx([], date(2026, 1, 10)), [Rule("mini.boom", "x", "x", boom)], [])
    (f,) = result.findings
    assert f.rule == "core.rule_failed" and f.subject == "mini.boom" and "ZeroDivisionError" in f.message_en


def test_obligation_findings_overdue_error_and_at_risk_warning():
    from dropins.mini import monthly

    records = [Team(id="t1", name="一组", lead="x"), Report(id="r1", team="t1", filed_on=date(2026, 1, 5))]
    result = evaluate(_ctx(records, date(2026, 3, 20)), [], [Obligation("mini.monthly_report", "x", "x", monthly)])
    by_period = {f.period: f for f in result.findings}
    assert by_period["2026-02"].severity.value == "error" and by_period["2026-02"].since == date(2026, 3, 1)
    assert by_period["2026-03"].severity.value == "warning"
    assert "2026-01" not in by_period
    assert "已逾期" in by_period["2026-02"].message and "overdue" in by_period["2026-02"].message_en


def test_at_risk_window_is_configurable():
    from dropins.mini import monthly

    records = [Team(id="t1", name="一组", lead="x")]
    ctx = _ctx(records, date(2026, 1, 20), {"tracking_start": "2026-01-01", "at_risk_days": 5})
    assert evaluate(ctx, [], [Obligation("mini.monthly_report", "x", "x", monthly)]).findings == []


def test_a_hanging_rule_is_reported_and_the_check_goes_on():
    import time

    from coordtui.rules.engine import run_rule

    def hangs(ctx):
        while True:
            time.sleep(0.05)

    def fine(ctx):
        return [ctx.finding("mini.fine", "info", "s", "好", "fine")]

    ctx = _ctx([], date(2026, 1, 10))
    (f,) = run_rule(ctx, Rule("mini.hangs", "x", "x", hangs), seconds=0.3)
    assert f.rule == "core.rule_timeout" and f.subject == "mini.hangs" and "超时" in f.message
    assert [x.rule for x in run_rule(ctx, Rule("mini.fine", "x", "x", fine), seconds=0.3)] == ["mini.fine"]


def test_a_check_evaluates_again_only_the_organizations_that_changed(tmp_path, monkeypatch):
    import coordtui.workspace as workspace
    from coordtui.testing import example_workspace

    ws = example_workspace(tmp_path)
    evaluated: list[str] = []
    real = workspace.evaluate

    def counting(ctx, rules, obligations, **kw):
        evaluated.append(ctx.org.id)
        return real(ctx, rules, obligations, **kw)

    monkeypatch.setattr(workspace, "evaluate", counting)
    as_of = date(2026, 10, 15)
    first = ws.check(as_of)
    assert sorted(evaluated) == sorted(o.id for o in ws.orgs())
    evaluated.clear()
    again = ws.check(as_of)
    assert evaluated == [] and [f.as_json() for f in again.findings] == [f.as_json() for f in first.findings]

    # one organization's record is fixed: only it is evaluated again, and its finding goes
    late = [f for f in first.findings if f.org == "tjpu" and f.rule == "university_grid.news_deadline"]
    assert len(late) == 1
    activity = next(a for a in ws.records("tjpu", "activity") if a.id == late[0].subject_id)
    ws.save("tjpu", activity.model_copy(update={"news_submitted": activity.end}), rev=None)
    after = ws.check(as_of)
    assert evaluated == ["tjpu"]
    assert not [f for f in after.findings if f.org == "tjpu" and f.rule == "university_grid.news_deadline"]
    assert len(after.findings) == len(first.findings) - 1
    evaluated.clear()
    ws.check(date(2026, 10, 16))  # another day: everything again
    assert len(evaluated) == len(ws.orgs())


def test_parsed_records_are_kept_for_a_bounded_number_of_organizations(tmp_path, monkeypatch):
    from coordtui.plugins import PluginHost
    from coordtui.store import Store
    from coordtui.testing import example_workspace
    from coordtui.workspace import Workspace

    ws = example_workspace(tmp_path)
    monkeypatch.setattr(type(ws), "PARSED_ORGS", 2)
    monkeypatch.setenv("COORDTUI_RULES_IN_PROCESS", "1")  # (in worker processes, this one parses nothing)
    ws.check(date(2026, 10, 15))
    assert len(ws._parsed) == 2
    ids = [o.id for o in ws.orgs()]
    assert list(ws._parsed) == ids[-2:]  # the most recently used
    kind = ws.model_of(ws.org(ids[0])).structure_kinds[0]
    fresh = Workspace(Store(ws.store.root), PluginHost())
    assert ws.records(ids[0], kind) == fresh.records(ids[0], kind) != []  # an evicted organization is read again
    assert list(ws._parsed) == [ids[-1], ids[0]]


def test_a_duty_message_does_not_say_a_word_twice_where_period_and_duty_meet():
    from coordtui.domain.periods import Period
    from coordtui.rules.engine import duty_messages

    annual = Duty(subject="第一协作区", due=date(2023, 2, 2), what_zh="年度工作总结", what_en="annual summary", period=Period.of_year(2022))
    zh, _ = duty_messages(annual, DutyStatus.OVERDUE, date(2023, 3, 1))
    assert zh.startswith("第一协作区2022年度工作总结未完成（应于2023-02-02前完成）")
    monthly = Duty(subject="第三协作区", due=date(2026, 9, 7), what_zh="监督工作月报", what_en="monthly report", period=Period.month(2026, 8))
    assert duty_messages(monthly, DutyStatus.OVERDUE, date(2026, 10, 15))[0].startswith("第三协作区2026年8月监督工作月报未完成")


def test_a_check_reports_its_progress_organization_by_organization(tmp_path):
    from coordtui.testing import example_workspace

    ws = example_workspace(tmp_path)
    seen: list[tuple[int, int]] = []
    ws.check(date(2026, 10, 15), progress=lambda done, total: seen.append((done, total)))
    total = len(ws.orgs())
    assert seen == [(n, total) for n in range(total)]


HUNG_PLUGIN = '''
from typing import ClassVar
from coordtui import hookimpl
from coordtui.api import ModelSpec, Record, Rule

STATE = {"runs": 0, "stopped": 0}

class Thing(Record):
    kind: ClassVar[str] = "thing"

def spin(ctx):
    STATE["runs"] += 1
    try:
        while True:  # a rule that never answers, in pure Python
            pass
    finally:
        STATE["stopped"] += 1

@hookimpl
def coordtui_models():
    return [ModelSpec(id="hangm", name_zh="挂起", name_en="hangs", version="1", kinds=[Thing])]

@hookimpl
def coordtui_rules(model):
    return [Rule("hangm.spin", "x", "x", spin)] if model.id == "hangm" else []
'''

BUSY_PLUGIN = '''
from typing import ClassVar
from coordtui import hookimpl
from coordtui.api import ModelSpec, Record, Rule

STATE = {"runs": 0}

class Thing(Record):
    kind: ClassVar[str] = "thing"

def work(ctx):
    STATE["runs"] += 1
    total = sum(i * i for i in range(200_000))
    return [ctx.finding("busym.work", "info", "s", f"算得{total}", f"computed {total}")]

@hookimpl
def coordtui_models():
    return [ModelSpec(id="busym", name_zh="忙碌", name_en="busy", version="1", kinds=[Thing])]

@hookimpl
def coordtui_rules(model):
    return [Rule("busym.work", "x", "x", work)] if model.id == "busym" else []
'''


def test_a_hung_rule_is_stopped_switched_off_and_does_not_slow_another_plugin(tmp_path, monkeypatch):
    import sys
    import threading

    from coordtui.plugins import PluginHost
    from coordtui.rules import engine
    from coordtui.store import PutOrg, Store
    from coordtui.workspace import Workspace

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "hung_rule_plugin.py").write_text(HUNG_PLUGIN, encoding="utf-8")
    (folder / "busy_rule_plugin.py").write_text(BUSY_PLUGIN, encoding="utf-8")
    store = Store(tmp_path / "store", create=True)
    store.apply([PutOrg({"id": "a-hang", "name": "甲", "model": "hangm", "settings": {"tracking_start": "2026-01-01"}}),
                 PutOrg({"id": "b-busy", "name": "乙", "model": "busym", "settings": {"tracking_start": "2026-01-01"}})])
    ws = Workspace(store, PluginHost(plugin_dirs=[folder], autoload=False))
    monkeypatch.setattr(engine, "RULE_SECONDS", 1.0)
    # The rules in this process, stopped in their thread (where there is no fork); the worker
    # process that stops even a rule stuck in C is tested in test_faults.py.
    monkeypatch.setenv("COORDTUI_RULES_IN_PROCESS", "1")

    first = ws.check(date(2026, 3, 1))
    hung, busy = sys.modules["hung_rule_plugin"].STATE, sys.modules["busy_rule_plugin"].STATE
    assert hung == {"runs": 1, "stopped": 1}  # stopped in its thread, not left spinning
    assert [(f.rule, f.subject) for f in first.findings if f.org == "a-hang"] == [("core.rule_timeout", "hangm.spin")]
    assert [f.rule for f in first.findings if f.org == "b-busy"] == ["busym.work"] and busy["runs"] == 1

    second = ws.check(date(2026, 3, 2))  # another day: both are evaluated again
    assert hung["runs"] == 1  # switched off: not run again
    (off,) = [f for f in second.findings if f.org == "a-hang"]
    assert off.rule == "core.rule_timeout" and "switched off" in off.message_en and "停用" in off.message
    assert [f.rule for f in second.findings if f.org == "b-busy"] == ["busym.work"] and busy["runs"] == 2
    assert len([t for t in threading.enumerate() if t.name == "coordtui-rules"]) <= 1


def _one_duty(duty):
    return Obligation("mini.count", "x", "x", lambda ctx: [duty])


def test_a_record_dated_after_the_as_of_date_neither_counts_nor_reads_as_none_short():
    # The only activity is dated 2026-03-25; as of 2026-03-20 it has not happened yet.
    duty = Duty(subject="一组", due=date(2026, 3, 31), what_zh="协作活动", what_en="activities", required=1,
                done=[date(2026, 3, 25)], period=Period.parse("2026Q1"), unit_zh="次", unit_en="activities")
    result = evaluate(_ctx([], date(2026, 3, 20)), [], [_one_duty(duty)])
    (f,) = result.findings
    (row,) = result.duties
    assert row.status is DutyStatus.AT_RISK and row.duty.count == 0
    assert "尚差1次" in f.message and "尚差0" not in f.message
    assert "1 activities still missing" in f.message_en
    # Once the date has come, the same record meets it.
    assert evaluate(_ctx([], date(2026, 3, 26)), [], [_one_duty(duty)]).findings == []


def test_an_overdue_count_says_how_many_were_done_by_the_as_of_date():
    duty = Duty(subject="一组", due=date(2026, 3, 31), what_zh="活动", what_en="activities", required=3,
                done=[date(2026, 3, 2), date(2026, 4, 20)], period=Period.parse("2026Q1"), unit_zh="次")
    (f,) = evaluate(_ctx([], date(2026, 4, 10)), [], [_one_duty(duty)]).findings
    assert f.severity.value == "error" and "不足3次（实际1次" in f.message and "1 of 3" in f.message_en


def test_a_tracking_start_covers_the_period_it_falls_in_and_later_ones_only():
    # Tracked from 2025-01-15: 2024 ended before it, so its report due in January 2025 is not
    # the organization's; 2025Q1 is covered, but not its plan, due before anyone tracked it.
    year_2024 = Duty(subject="党委", due=date(2025, 1, 31), what_zh="年度报告", what_en="annual report", period=Period.parse("2024"))
    year_2025 = Duty(subject="党委", due=date(2026, 1, 31), what_zh="年度报告", what_en="annual report", period=Period.parse("2025"))
    early = Duty(subject="党委", due=date(2025, 1, 10), what_zh="季度计划", what_en="plan", period=Period.parse("2025Q1"))
    late = Duty(subject="党委", due=date(2025, 4, 10), what_zh="季度总结", what_en="summary", period=Period.parse("2025Q1"))
    per_record = Duty(subject="问题1", due=date(2025, 5, 31), what_zh="整改", what_en="rectification")
    obligation = Obligation("mini.yearly", "x", "x", lambda ctx: [year_2024, year_2025, early, late, per_record])
    result = evaluate(_ctx([], date(2026, 3, 1), {"tracking_start": "2025-01-15"}), [], [obligation])
    assert sorted((r.duty.what_en, str(r.duty.period)) for r in result.duties) == [
        ("annual report", "2025"), ("rectification", "None"), ("summary", "2025Q1")]
    assert not any(f.period == "2024" for f in result.findings)


def _worker_rules():
    import time

    def first(ctx):
        return [ctx.finding("mini.first", "warning", "甲", "一", "one", period="2026-01")]

    def hangs(ctx):
        while True:
            time.sleep(0.05)

    def last(ctx):
        return [ctx.finding("mini.last", "error", "乙", "二\n行", "two", subject_kind="team", subject_id="t1",
                            since=date(2026, 1, 2), provisional=True)]

    return [Rule("mini.first", "x", "x", first), Rule("mini.hangs", "x", "x", hangs), Rule("mini.last", "x", "x", last)]


def test_in_a_worker_the_rule_that_hangs_is_the_one_named_between_rules_that_answer():
    # The worker says "done" once per rule (which says the next one started): the rule named is
    # the one that hung, neither the one before it nor the one after it.
    import pytest

    from coordtui.rules.engine import RuleWorker, can_isolate

    if not can_isolate():
        pytest.skip("no fork here")
    ctx = _ctx([], date(2026, 1, 10))
    with RuleWorker([(ctx, _worker_rules(), [])], seconds=0.5) as worker:
        found = worker.evaluate(ctx).findings
    assert [(f.rule, f.subject) for f in found] == [("core.rule_timeout", "mini.hangs"), ("mini.last", "乙"),
                                                     ("mini.first", "甲")]


def test_findings_rendered_in_the_worker_are_those_judged_in_process_written_the_same():
    import pytest

    from coordtui.rules.cache import KeptFinding, render
    from coordtui.rules.engine import RuleWorker, can_isolate

    if not can_isolate():
        pytest.skip("no fork here")
    ctx = _ctx([], date(2026, 1, 10))
    rules = [r for r in _worker_rules() if r.id != "mini.hangs"]
    expected = evaluate(ctx, rules, [])
    with RuleWorker([(ctx, rules, [])], rendered=True) as worker:
        got = worker.evaluate(ctx).findings
    assert all(type(f) is KeptFinding for f in got)
    assert [render(f) for f in got] == [render(f) for f in expected.findings]
    assert [(f.rule, f.severity, f.subject, f.period, f.subject_kind, f.subject_id) for f in got] == [
        (f.rule, f.severity, f.subject, f.period, f.subject_kind, f.subject_id) for f in expected.findings]


def _every_kind_of_duty(ctx):
    class Text(str):
        pass

    march = Period.parse("2026-03")
    return [
        Duty(subject="一组", due=date(2026, 3, 31), what_zh="月报", what_en="monthly report", period=march),  # overdue
        Duty(subject="二组", due=date(2026, 4, 20), what_zh="月报", what_en="monthly report", required=3,
             done=[date(2026, 4, 2)], unit_zh="次", unit_en="reports", subject_kind="team", subject_id="t2"),  # at risk
        Duty(subject="三组", due=date(2026, 3, 10), what_zh="总结", what_en="summary", done=[date(2026, 3, 12)],
             provisional=True, period_in_message=False),  # late
        Duty(subject="四组", due=date(2026, 3, 1), what_zh="总结", what_en="summary",
             subject_kind=Text("team"), subject_id="t4"),  # a value of another type: made and validated as ever
        Duty(subject="五组", due=date(2026, 5, 30), what_zh="总结", what_en="summary"),  # not due: nothing said
        "not a duty",  # the plugin's bug: one finding after the others
    ]


def test_findings_of_duties_rendered_in_the_worker_are_those_judged_in_process_written_the_same():
    import pytest

    from coordtui.rules.cache import KeptFinding, render
    from coordtui.rules.engine import RuleWorker, can_isolate, run_obligation

    ctx = _ctx([], date(2026, 4, 10))
    obligations = [Obligation("mini.every", "各类", "every kind", _every_kind_of_duty, late_severity="info")]
    expected = evaluate(ctx, [], obligations).findings
    assert {f.rule for f in expected} == {"mini.every", "core.rule_failed"} and len(expected) == 5
    kept_rows, chunks = [], []
    rows, found = run_obligation(ctx, obligations[0], rendered=(kept_rows, chunks))
    assert found == [] and [r.status.value for r in rows] == ["overdue", "at_risk", "late", "overdue", "due"]
    assert b"".join(chunks) == b"".join(render(f) for f in run_obligation(ctx, obligations[0])[1])
    assert [row[:7] for row in kept_rows] == [[f.severity.value, f.org, f.rule, f.subject, f.period, f.subject_kind,
                                               f.subject_id] for f in run_obligation(ctx, obligations[0])[1]]
    if not can_isolate():
        pytest.skip("no fork here")
    with RuleWorker([(ctx, [], obligations)], duties=False, rendered=True) as worker:  # (as coordtui check asks)
        got = worker.evaluate(ctx).findings
    assert all(type(f) is KeptFinding for f in got)
    assert [render(f) for f in got] == [render(f) for f in expected]


def _many_findings(ctx):
    import random

    rng = random.Random(5)
    return [ctx.finding(f"mini.r{rng.randrange(3)}", rng.choice(["error", "warning", "info"]), f"组{rng.randrange(9)}",
                        f"第{n}条", f"number {n}", period=rng.choice([None, "2026-01", "2026-02"])) for n in range(60)]


def test_findings_kept_in_the_worker_come_back_in_the_order_the_check_sorts_them_whatever_befell_the_worker():
    """A worker that keeps an organization's findings (sorted there) sends their order with its
    last result, and the parent takes it instead of sorting again; where the worker died in
    between (a result sent by another process), the parent sorts them itself."""
    import os

    import pytest

    from coordtui.rules.cache import render
    from coordtui.rules.engine import RuleWorker, can_isolate

    if not can_isolate():
        pytest.skip("no fork here")
    ctx = _ctx([], date(2026, 4, 10))

    def dies(ctx):
        os._exit(3)

    for rules in ([Rule("mini.many", "x", "x", _many_findings), Rule("mini.again", "x", "x", _many_findings)],
                  [Rule("mini.many", "x", "x", _many_findings), Rule("mini.dies", "x", "x", dies),
                   Rule("mini.again", "x", "x", _many_findings)]):
        expected = evaluate(ctx, [r for r in rules if r.id != "mini.dies"], [], plugin_of=lambda r: None).findings
        kept = []
        with RuleWorker([(ctx, rules, [])], duties=False, rendered=True,
                        keep=lambda ctx, rows, blob: kept.append(rows)) as worker:
            got = worker.evaluate(ctx).findings
        shown = [render(f) for f in got if f.rule != "core.rule_failed"]
        assert shown == [render(f) for f in expected]
        assert [f.rule for f in got].count("core.rule_failed") == (1 if len(rules) == 3 else 0)
        assert got == sorted(got, key=lambda f: (("error", "warning", "info").index(f.severity.value), f.org, f.rule,
                                                   f.period or "", f.subject_id or f.subject))


def _blocks_of(found):
    """Findings as blocks would hold them: (severity, count, their JSON joined as the check writes them)."""
    from coordtui.rules.cache import render

    by = {}
    for f in found:
        by.setdefault(f.severity.value, []).append(render(f))
    return [(severity, len(chunks), b",\n".join(chunks)) for severity, chunks in by.items()]


def test_findings_sent_whole_as_blocks_are_those_judged_in_process_whatever_befell_the_worker():
    """RuleWorker(blocks=True): an organization's findings come back with its last result, one
    block per severity, sorted; where the worker died, or a rule hung, on the way, the others are
    asked for again one by one without the rule it stopped in (named once, by its finding)."""
    import os
    import time

    import pytest

    from coordtui.rules import engine
    from coordtui.rules.cache import FindingBlock
    from coordtui.rules.engine import RuleWorker, can_isolate

    if not can_isolate():
        pytest.skip("no fork here")
    ctx = _ctx([], date(2026, 4, 10))

    def dies(ctx):
        os._exit(3)

    def hangs(ctx):
        while True:
            time.sleep(0.05)

    def raises(ctx):
        raise ValueError("a plugin's bug")

    many, again = Rule("mini.many", "x", "x", _many_findings), Rule("mini.again", "x", "x", _many_findings)
    for middle, befell in [(None, None), (dies, "its worker process died"), (hangs, "no answer after 0.5 s"),
                           (raises, "a plugin's bug")]:
        rules = [many, *([Rule("mini.middle", "x", "x", middle)] if middle else []), again]
        with RuleWorker([(ctx, rules, [])], seconds=0.5, duties=False, rendered=True, blocks=True) as worker:
            got = worker.evaluate(ctx).findings
        expected = evaluate(ctx, [many, *([Rule("mini.middle", "x", "x", raises)] if middle is raises else []), again], []).findings
        if middle in (None, raises):  # (whole: blocks, the failure of a rule among them)
            assert all(type(b) is FindingBlock for b in got) and [b.org for b in got] == [ctx.org.id] * len(got)
            assert [(b.severity.value, b.count, b.rendered) for b in got] == _blocks_of(expected)
            assert [b.failed for b in got] == [middle is raises] * len(got)  # (of the organization: its blocks all say it)
        else:  # (the rest one by one, sorted here, the rule it stopped in named once)
            failures = [f for f in got if f.rule.startswith("core.")]
            assert len(failures) == 1 and befell in failures[0].message_en and failures[0].subject == "mini.middle"
            assert _blocks_of([f for f in got if f not in failures]) == _blocks_of(expected)
            assert got == sorted(got, key=lambda f: (("error", "warning", "info").index(f.severity.value), f.org, f.rule,
                                                       f.period or "", f.subject_id or f.subject))
    for key in [k for k, off in engine._switched_off.items() if getattr(off[0], "id", None) == "mini.middle"]:
        del engine._switched_off[key]  # (the rule that hung is switched off in this process until it ends)


def test_a_rule_that_hangs_first_or_last_of_those_sent_whole_is_the_one_named():
    """With an organization's findings sent whole, the worker says which item it is in by a mark
    in shared memory, not by a message: the rule that hung is named wherever it stands."""
    import time

    import pytest

    from coordtui.rules import engine
    from coordtui.rules.engine import RuleWorker, can_isolate

    if not can_isolate():
        pytest.skip("no fork here")
    ctx = _ctx([], date(2026, 4, 10))

    def hangs(ctx):
        while True:
            time.sleep(0.05)

    many, stuck = Rule("mini.many", "x", "x", _many_findings), Rule("mini.stuck", "x", "x", hangs)
    try:
        for rules in ([stuck, many], [many, stuck]):
            with RuleWorker([(ctx, rules, [])], seconds=0.4, duties=False, rendered=True, blocks=True) as worker:
                got = worker.evaluate(ctx).findings
            failures = [f for f in got if f.rule.startswith("core.")]
            assert [(f.rule, f.subject) for f in failures] == [("core.rule_timeout", "mini.stuck")]
            assert _blocks_of([f for f in got if f not in failures]) == _blocks_of(evaluate(ctx, [many], []).findings)
            engine._switched_off.pop(id(stuck), None)
    finally:
        engine._switched_off.pop(id(stuck), None)


def test_a_finding_made_of_values_of_other_types_is_validated_as_always():
    from coordtui.domain.records import Finding, Severity, make_finding

    class Text(str):
        pass

    made = make_finding(Text("mini.x"), Severity.INFO, "o", "s", None, "m", "m", None, None, None, False)
    assert type(made.rule) is str and made == Finding(rule="mini.x", severity="info", org="o", subject="s",
                                                       message="m", message_en="m")
    quick = make_finding("mini.x", Severity.INFO, "o", "s", None, "m", "m", None, None, None, False)
    assert quick == made and quick.model_fields_set == made.model_fields_set
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        make_finding("mini.x", Severity.INFO, "o", "s", None, "m", "m", None, None, "not a day", False)


def test_a_worker_s_messages_come_whole_and_in_order_however_the_pipe_cuts_them():
    """The reader reads the pipe straight into one buffer kept for the next messages: messages of
    a few bytes and of megabytes, written a few bytes at a time or all at once, each come back
    whole, then the end of the pipe; a wait that finds nothing in time is a TimeoutError."""
    import os
    import pickle
    import struct
    import threading
    import time

    import pytest

    from coordtui.rules.engine import _Reader, _send

    messages = [("start", 0), b"x" * (3 << 20), ("done", 1, [b"y" * 70_000] * 3), "", list(range(1000)), b"z" * (1 << 16)]
    read_end, write_end = os.pipe()

    def write() -> None:
        for n, message in enumerate(messages):
            if n % 2:
                _send(write_end, message)
            else:  # the same framing, cut into pieces of 7 bytes
                payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                data = struct.pack("!Q", len(payload)) + payload
                for at in range(0, len(data), 7):
                    os.write(write_end, data[at:at + 7])
        os.close(write_end)

    writer = threading.Thread(target=write)
    writer.start()
    reader = _Reader(read_end)
    try:
        got = [reader.next(time.monotonic() + 30) for _ in messages]
        size = len(reader.buffer)
        assert reader.next(time.monotonic() + 30) is None
    finally:
        writer.join(30)
        os.close(read_end)
    assert got == messages
    assert size >= 3 << 20 and len(reader.buffer) == size  # (kept at the largest message's size)
    quiet_read, quiet_write = os.pipe()
    try:
        with pytest.raises(TimeoutError):
            _Reader(quiet_read).next(time.monotonic() + 0.05)
    finally:
        os.close(quiet_read)
        os.close(quiet_write)


def test_a_child_forked_for_work_ahead_runs_no_cycle_collection():
    import gc
    import os

    import pytest

    from coordtui.forked import said, started

    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    child = started(lambda: f"{gc.isenabled()}".encode())
    assert child is not None
    assert gc.isenabled()  # (the parent's own collections as ever)
    assert said(*child) == b"False"
