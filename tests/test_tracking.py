"""Tracking starts once (跟踪起始日): duties of last year stay open at New Year, and an
organization whose model is not loaded is reported, never skipped."""

from __future__ import annotations

import copy
from datetime import date

from coordtui.domain.model import DutyStatus
from coordtui.interchange import validate_document
from coordtui.plugins import PluginHost
from coordtui.store import PutOrg, Store
from coordtui.workspace import Workspace

OPEN = {DutyStatus.DUE, DutyStatus.AT_RISK, DutyStatus.OVERDUE}


def _open_duties_of_2026(ws: Workspace, as_of: date) -> set[tuple]:
    result = ws.check(as_of)
    return {(r.org, r.rule, r.duty.subject, str(r.duty.period), r.duty.due) for r in result.duties
            if r.status in OPEN and r.duty.due.year == 2026}


def _examples_without_tracking_start(ws: Workspace) -> list[str]:
    ids = []
    for model_id in sorted(ws.host.models):
        for number, doc in enumerate(ws.host.fixtures(model_id), start=1):
            doc = copy.deepcopy(doc)
            doc["org"].get("settings", {}).pop("tracking_start", None)
            plan = validate_document(doc, ws, f"<{model_id} example {number}>")
            ws.replace_org(plan.org, plan.records, replace=True)
            ids.append(plan.org.id)
    return ids


def test_open_duties_of_last_year_stay_open_at_new_year(tmp_path, monkeypatch):
    monkeypatch.setenv("COORDTUI_NOW", "2026-01-01T01:00:00Z")  # imported on the office's 2026-01-01
    ws = Workspace(Store(tmp_path / "store", create=True), PluginHost())
    ids = _examples_without_tracking_start(ws)
    assert {ws.org(i).settings["tracking_start"] for i in ids} == {"2026-01-01"}  # recorded at import
    before, after = _open_duties_of_2026(ws, date(2026, 12, 31)), _open_duties_of_2026(ws, date(2027, 1, 4))
    assert len(before) > 20
    assert after == before


def test_an_organization_without_the_setting_is_tracked_from_its_first_history_entry(tmp_path):
    store = Store(tmp_path / "store", create=True)
    ws = Workspace(store, PluginHost())
    store.apply([PutOrg({"id": "x", "name": "无起始日", "model": "county_zones", "settings": {}})])
    first = ws.clock.local(store.org_history()[0]["at"]).date()
    org = ws.org("x")
    assert ws.tracking_start_of(org) == first
    for as_of in (date(2026, 12, 31), date(2031, 1, 4)):
        assert ws.context(org, as_of).tracking_start == first


def test_an_organization_whose_model_is_not_loaded_is_an_error_finding(tmp_path, monkeypatch):
    from coordtui.testing import example_workspace

    example_workspace(tmp_path)
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "university_grid")
    ws = Workspace(Store(tmp_path / "store"), PluginHost())
    org = next(o for o in ws.orgs() if o.model == "university_grid")
    result = ws.check(date(2026, 12, 31), [org.id])
    (f,) = result.findings
    assert f.rule == "core.model_unavailable" and f.severity.value == "error" and f.org == org.id
    assert "university_grid" in f.message_en and "COORDTUI_DISABLE_PLUGINS" in f.message_en and org.id in f.message
    everything = ws.check(date(2026, 12, 31))
    assert [x.org for x in everything.findings if x.rule == "core.model_unavailable"] == [org.id]


def test_check_of_an_organization_whose_plugin_is_broken_exits_1(tmp_path, capsys):
    import shutil
    import subprocess
    import sys

    from coordtui.cli import main

    from conftest import DROPINS

    plugins = tmp_path / "plugins"
    shutil.copytree(DROPINS / "mini", plugins / "mini", ignore=shutil.ignore_patterns("__pycache__"))
    db = tmp_path / "db"
    assert main(["init", "--db", str(db), "--examples", "--plugin-dir", str(plugins)]) == 0
    # The plugin breaks after its organization was imported (an upgrade gone wrong); a new
    # process sees the broken files (this one has the good module imported already).
    (plugins / "mini" / "__init__.py").write_text("raise ImportError('cannot import name Team')\n", encoding="utf-8")

    def check(*extra):
        done = subprocess.run([sys.executable, "-m", "coordtui", "check", "--db", str(db), "--as-of", "2026-12-31",
                               "--plugin-dir", str(plugins), *extra], capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout

    code, out = check("--org", "m1")
    assert code == 1 and "没有发现问题" not in out
    (line,) = [x for x in out.splitlines() if "core.model_unavailable" in x]
    assert "m1" in line and "mini" in line and "cannot import name Team" in line
    code, out = check("--format", "json")
    assert code == 1 and out.count('"rule": "core.model_unavailable"') == 1


def test_the_dashboard_shows_an_organization_that_was_not_checked(tmp_path, monkeypatch):
    from coordtui.testing import drive, example_workspace

    example_workspace(tmp_path)
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "university_grid")
    ws = Workspace(Store(tmp_path / "store"), PluginHost())

    async def scenario(app, pilot):
        line = str(app.screen.query_one("#dash-findings").render())
        assert "错误 1" in line and "tjpu" in line and "未检查" in line

    drive(ws, scenario, org_id="tjpu", as_of=date(2026, 12, 31), size=(100, 30))


def test_a_tracking_start_covers_only_the_periods_that_end_on_or_after_it(tmp_path):
    # Tracked from 2025-01-01: 2024's reports, inspections and summaries that fall due in
    # January 2025 belong to a year nobody tracked, and no screen or check may claim them.
    # (The two models whose duties fall due after their period ends; the engine's own test
    # covers the rule for any model.)
    ws = Workspace(Store(tmp_path / "store", create=True), PluginHost())
    for model_id in ("four_duties", "enterprise_tiers"):
        for number, doc in enumerate(ws.host.fixtures(model_id), start=1):
            doc = copy.deepcopy(doc)
            doc["org"].setdefault("settings", {})["tracking_start"] = "2025-01-01"
            plan = validate_document(doc, ws, f"<{model_id} example {number}>")
            ws.replace_org(plan.org, plan.records, replace=True)
    result = ws.check(date(2025, 3, 1))
    assert result.duties  # 2025's duties are there
    early = [(r.org, r.rule, str(r.duty.period)) for r in result.duties
             if r.duty.period is not None and r.duty.period.end < date(2025, 1, 1)]
    assert early == []
    assert not [f for f in result.findings if f.period and f.period.startswith("2024")]
    assert min(r.duty.period.start for r in result.duties if r.duty.period is not None) == date(2025, 1, 1)


def test_a_context_s_periods_run_from_the_tracking_start_to_the_as_of_date_whoever_asked_before(tmp_path):
    """Context.periods: each kind's periods from the one holding the tracking start to the one
    holding the as-of date (none when tracking starts later), the same for every context of the
    same span, and a list of the caller's own: what one caller does to it, the next never sees."""
    from coordtui.domain.periods import Period, PeriodKind

    ws = Workspace(Store(tmp_path / "db", create=True), PluginHost())
    ws.load_examples()
    org = ws.org("tjpu")
    ctx = ws.context(org.model_copy(update={"settings": {**org.settings, "tracking_start": "2025-11-20"}}), date(2026, 2, 3))
    months = ctx.periods(PeriodKind.MONTH)
    assert [str(p) for p in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [str(p) for p in ctx.periods("quarter")] == ["2025Q4", "2026Q1"]
    assert ctx.periods(PeriodKind.YEAR) == [Period.parse("2025"), Period.parse("2026")]
    months.clear()
    months.append(Period.parse("1999-01"))
    again = ws.context(org.model_copy(update={"settings": {**org.settings, "tracking_start": "2025-11-20"}}), date(2026, 2, 3))
    assert [str(p) for p in again.periods(PeriodKind.MONTH)] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.end for p in again.periods(PeriodKind.MONTH)] == [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]
    later = ws.context(org.model_copy(update={"settings": {**org.settings, "tracking_start": "2026-03-01"}}), date(2026, 2, 3))
    assert later.periods(PeriodKind.MONTH) == [] and later.periods("year") == []
