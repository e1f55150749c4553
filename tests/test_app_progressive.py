"""The application checks the organization it opens on first, the others after (issue #22).

The other organizations' checks are held on an Event (bounded waits only), so what the screens
show while they are pending is seen as a person would see it."""

from __future__ import annotations

import asyncio
import threading
from datetime import date

import pytest

from coordtui.app import CoordApp
from coordtui.screens.dashboard import DashboardScreen
from coordtui.screens.findings import FindingsScreen
from coordtui.ui import duty_statuses
from coordtui.workspace import Workspace
from tests.test_app import AS_OF, ws  # noqa: F401 (the fixture)


@pytest.fixture
def held(monkeypatch):
    """Every check of a batch without tjpu waits until ``gate`` is set (10 s at most); ``done``
    lists the batches checked, in order."""
    gate, done = threading.Event(), []
    real = Workspace.check

    def check(self, as_of, org_ids=None, *, progress=None):
        ids = list(org_ids or [])
        if "tjpu" not in ids:
            gate.wait(10)
        result = real(self, as_of, org_ids, progress=progress)
        done.append(ids)
        return result

    monkeypatch.setattr(Workspace, "check", check)
    yield gate, done
    gate.set()


async def until(pilot, condition) -> bool:
    for _ in range(250):  # 5 s at most
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


def run(ws, scenario, gate, *, lang="zh"):
    async def main():
        app = CoordApp(ws, lang=lang, as_of=AS_OF, org_id="tjpu")
        async with app.run_test(size=(100, 30)) as pilot:
            try:
                await scenario(app, pilot)
            finally:
                gate.set()
                await app.workers.wait_for_complete()

    asyncio.run(main())


def summary(app) -> list[str]:
    return str(app.screen_stack[0].query_one("#dash-summary").render()).splitlines()


def test_the_current_organization_shows_first_and_keys_work_while_the_others_are_checked(ws, held):
    gate, done = held

    async def scenario(app, pilot):
        assert await until(pilot, lambda: app.result is not None)
        assert done == [["tjpu"]] and app.pending == {"pingluo", "tianjin", "usst", "zikuang"} and not app.check_complete
        dash = app.screen
        assert isinstance(dash, DashboardScreen) and not dash.query_one("#dash-loading").display
        table = dash.query_one("#duties")
        assert table.row_count > 0 and all(row.org == "tjpu" for row in dash.rows)
        lines = summary(app)
        assert "▶ 天津工业大学  已逾期 " in lines[2] and lines[2].startswith("▶ 天津工业大学")
        # the others say they are being checked, never a count of 0 as if they were clear
        assert "平罗县纪委监委  检查中……" in lines and not any(line.startswith("平罗县纪委监委  已逾期") for line in lines)
        assert lines[-1] == "其余组织检查中：已完成 1/5 个"
        # a model screen's statuses: the current organization's, none for one not checked yet
        assert len(duty_statuses(app)) > 0 and len(duty_statuses(app, org_id="pingluo")) == 0
        await pilot.press("f")  # keys work meanwhile: the current organization's findings
        assert await until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        assert app.screen.shown and all(f is None or f.org == "tjpu" for f in app.screen.shown)
        await pilot.press("d")
        assert await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        gate.set()
        assert await until(pilot, lambda: app.check_complete)
        await pilot.pause()
        lines = summary(app)
        assert "平罗县纪委监委  已逾期 4" in "\n".join(lines) and not any("检查中" in line for line in lines)
        assert len(duty_statuses(app, org_id="pingluo")) > 0
        # complete: the same findings, in the same order, and duties as one whole check
        whole = app.ws.check(AS_OF)
        assert [(f.org, f.rule, f.subject) for f in app.result.findings] == [(f.org, f.rule, f.subject) for f in whole.findings]
        assert sorted((r.org, r.duty.subject, r.duty.due) for r in app.result.duties) == \
            sorted((r.org, r.duty.subject, r.duty.due) for r in whole.duties)

    run(ws, scenario, gate)


def test_switching_to_an_organization_not_checked_yet_loads_it_and_checks_it_next(ws, held):
    gate, done = held

    async def scenario(app, pilot):
        assert await until(pilot, lambda: app.result is not None)
        await pilot.press("c", "c")  # tjpu -> usst -> zikuang, both still pending
        await pilot.pause()
        assert app.org_id == "zikuang" and app.result is None
        assert app.screen.query_one("#dash-loading").display
        assert app.screen.rows == [] and app.screen.query_one("#duties").row_count == 0  # nothing of tjpu left
        assert summary(app)[4].startswith("▶ 淄博矿业集团有限责任公司  being checked…")
        assert "being checked…" in "\n".join(summary(app)) and "检查中" not in "\n".join(summary(app))
        assert summary(app)[-1] == "Checking the other organizations: 1 of 5 done"
        gate.set()
        assert await until(pilot, lambda: app.result is not None)
        assert done[:2] == [["tjpu"], ["zikuang"]]  # before pingluo, which was next in order
        await pilot.pause()
        assert not app.screen.query_one("#dash-loading").display
        assert all(row.org == "zikuang" for row in app.screen.rows)
        assert await until(pilot, lambda: app.check_complete)
        assert sum(len(batch) for batch in done) == 5  # each organization checked once

    run(ws, scenario, gate, lang="en")


def test_a_save_and_a_new_as_of_date_check_the_current_organization_first(ws, held):
    gate, done = held

    async def scenario(app, pilot):
        gate.set()
        assert await until(pilot, lambda: app.check_complete)
        await app.workers.wait_for_complete()
        gate.clear()
        app.org_index = [o.id for o in app.orgs].index("tjpu")
        done.clear()
        app.record_saved()
        others = {"pingluo", "tianjin", "usst", "zikuang"}
        assert await until(pilot, lambda: done == [["tjpu"]] and app.pending == others and app.result is not None)
        gate.set()
        assert await until(pilot, lambda: app.check_complete)
        await app.workers.wait_for_complete()
        gate.clear()
        done.clear()
        app.as_of = date(2026, 12, 1)  # what a new date chosen with a does
        app.result = None
        app.refresh_screens()
        app.run_check()
        assert app.result is None and app.pending == others | {"tjpu"}
        assert await until(pilot, lambda: app.result is not None and app.pending == others)
        assert done == [["tjpu"]] and app.result.as_of == date(2026, 12, 1)

    run(ws, scenario, gate)
