"""The interface never shows a stale answer, never freezes or dies on a save, never overwrites
someone else's new record, follows the office's day and shows times in the office's zone
(issue 24), driven by keys at 80x24."""

from __future__ import annotations

import asyncio
import threading
from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select
from textual.worker import WorkerState

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.screens.dashboard import DashboardScreen
from coordtui.screens.form import RecordForm
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = date(2026, 10, 15)
WAIT = 10  # seconds: the most any blocked thread in these tests waits before giving up


@pytest.fixture
def ws(tmp_path):
    w = Workspace(Store(tmp_path / "s", create=True, user="alice"), PluginHost())
    w.load_examples()
    return w


def drive(ws, scenario, *, as_of=AS_OF):
    async def main():
        app = CoordApp(ws, lang="zh", as_of=as_of, org_id="tjpu")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())


async def settle(app, pilot):
    """Until no worker is pending or running (a stale check starts the next one when it ends)."""
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError("workers still running after 50 rounds")


def title_of(app) -> str:
    return str(app.screen.query_one("#dash-title").render())


def blocking(real, *, when=lambda *a, **kw: True, after=True):
    """``real`` wrapped so that its first call for which ``when`` holds blocks on ``gate``
    (after computing, or before), with events for the test to wait on."""
    entered, gate, returned, calls = threading.Event(), threading.Event(), threading.Event(), []

    def wrapped(*args, **kwargs):
        calls.append(args)
        hold = when(*args, **kwargs) and not entered.is_set()
        try:
            if hold and not after:
                entered.set()
                gate.wait(WAIT)
            result = real(*args, **kwargs)
            if hold and after:
                entered.set()
                gate.wait(WAIT)
            return result
        finally:
            if hold:
                returned.set()

    wrapped.entered, wrapped.gate, wrapped.returned, wrapped.calls = entered, gate, returned, calls
    return wrapped


async def let_through(app, pilot, delayed):
    """Open the gate, wait for the delayed call to return and for what it sends to land."""
    delayed.gate.set()
    assert await asyncio.to_thread(delayed.returned.wait, WAIT)
    await settle(app, pilot)
    for _ in range(5):
        await pilot.pause()
    await settle(app, pilot)


# 1. the dashboard shows only what was computed for its date, after the last save ---------------

def test_a_check_overtaken_by_a_date_change_is_dropped_and_the_new_date_shown(ws):
    expected = ws.check(date(2026, 12, 31))
    worst = max(r.overdue_days for r in expected.duties if r.org == "tjpu")
    delayed = blocking(ws.check, when=lambda as_of, **kw: as_of == AS_OF)

    async def scenario(app, pilot):
        ws.check = delayed
        await pilot.press("ctrl+r")  # a check as of 2026-10-15 computes, then is held back
        assert await asyncio.to_thread(delayed.entered.wait, WAIT)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#date-input", Input).value = "2026-12-31"
        await pilot.press("enter")
        await pilot.pause()
        await let_through(app, pilot, delayed)
        assert isinstance(app.screen, DashboardScreen)
        assert "截至 2026-12-31" in title_of(app)
        assert app.result is not None and app.result.as_of == date(2026, 12, 31)
        table = app.screen.query_one("#duties", DataTable)
        assert str(table.get_row_at(0)[1]) == f"逾期{worst}天"  # as of 2026-10-15 the worst was 15 days

    drive(ws, scenario)


def test_a_check_overtaken_by_a_save_is_dropped_and_the_saved_record_counts(ws):
    delayed = blocking(ws.check)

    async def scenario(app, pilot):
        table = app.screen.query_one("#duties", DataTable)
        row = next(i for i, r in enumerate(app.screen.rows) if r.duty.subject == "第四协作组" and r.duty.record_kind == "activity")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        for field, value in [("title", "第三季度工作例会"), ("start", "2026-09-18"), ("end", "2026-09-18"), ("news_submitted", "2026-09-21")]:
            form.query_one(f"#f-{field}", Input).value = value
        form.query_one("#f-form", Select).value = "协同工作指导"
        await pilot.pause()
        ws.check = delayed
        app.action_recheck()  # a check of the store before the save computes, then is held back
        assert await asyncio.to_thread(delayed.entered.wait, WAIT)
        await pilot.press("ctrl+s")
        await settle_save(app, pilot, form)
        await let_through(app, pilot, delayed)
        assert isinstance(app.screen, DashboardScreen)
        remaining = {(r.duty.subject, r.duty.what_zh) for r in app.screen.rows}
        assert ("第四协作组", "协作活动") not in remaining

    drive(ws, scenario)


async def settle_save(app, pilot, form):
    for _ in range(50):
        await pilot.pause()
        if not getattr(form, "saving", False):  # (on code that saved on the event loop: at once)
            return
        await app.workers.wait_for_complete()
    raise AssertionError("the save did not end")


# 5. the office's day ----------------------------------------------------------------------------

def test_an_app_left_open_overnight_moves_to_the_new_day_unless_the_date_is_pinned(ws, monkeypatch):
    monkeypatch.setattr(CoordApp, "DAY_CHECK_SECONDS", 0.05)
    today = [date(2026, 10, 15)]
    ws.clock.today = lambda: today[0]

    async def main():
        app = CoordApp(ws, lang="zh", org_id="tjpu")  # no --as-of: follows the office's day
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert app.as_of == date(2026, 10, 15) and "截至 2026-10-15" in title_of(app)
            today[0] = date(2026, 10, 16)  # midnight in the office
            for _ in range(200):
                await pilot.pause(0.02)
                if app.as_of == today[0]:
                    break
            await settle(app, pilot)
            assert app.as_of == date(2026, 10, 16) and app.result.as_of == date(2026, 10, 16)
            assert "截至 2026-10-16" in title_of(app)
            await pilot.press("a")  # the user pins a date: it stays overnight
            await pilot.pause()
            app.screen.query_one("#date-input", Input).value = "2026-11-01"
            await pilot.press("enter")
            await settle(app, pilot)
            today[0] = date(2026, 10, 17)
            app.follow_today()
            await settle(app, pilot)
            assert app.as_of == date(2026, 11, 1) and app.result.as_of == date(2026, 11, 1)

    asyncio.run(main())


def test_a_date_given_on_the_command_line_is_pinned(ws):
    ws.clock.today = lambda: date(2026, 10, 16)

    async def scenario(app, pilot):
        app.follow_today()
        await settle(app, pilot)
        assert app.as_of == AS_OF and "截至 2026-10-15" in title_of(app)

    drive(ws, scenario)
