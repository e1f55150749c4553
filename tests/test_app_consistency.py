"""The interface never shows a stale answer, never freezes or dies on a save, never overwrites
someone else's new record, follows the office's day and shows times in the office's zone
(issue 24), driven by keys at 80x24."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select
from textual.worker import WorkerState

from coordtui.app import CoordApp
from coordtui.errors import StoreError
from coordtui.plugins import PluginHost
from coordtui.screens.dashboard import DashboardScreen
from coordtui.screens.form import RecordForm
from coordtui.screens.history import HistoryScreen
from coordtui.screens.modals import ConflictModal, ErrorModal
from coordtui.store import Store
from coordtui.workspace import Workspace, part_of

AS_OF = date(2026, 10, 15)
WAIT = 10  # seconds: the most any blocked thread in these tests waits before giving up


@pytest.fixture
def ws(example_store):
    return Workspace(Store(example_store, user="alice"), PluginHost())


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
        assert "截至 2026年12月31日" in title_of(app)
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


# 2. saves run in a worker ----------------------------------------------------------------------

def test_a_save_runs_in_a_worker_says_so_and_cannot_be_sent_twice(ws):
    slow = blocking(ws.save, after=False)

    async def scenario(app, pilot):
        ws.save = slow
        app.open_record("tjpu", "unit", "u01")
        await pilot.pause()
        form = app.screen
        name = form.query_one("#f-name", Input)
        name.value = "机关纪委（新）"
        name.focus()
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(slow.entered.wait, WAIT)
        await pilot.pause()
        assert app.screen is form and form.saving
        assert "正在保存" in str(form.query_one("#form-title").render())
        await pilot.press("ctrl+s")  # a second save while the first waits for the store
        await pilot.press("end", "x")  # the interface still answers keys
        await pilot.pause()
        assert name.value == "机关纪委（新）x"
        await let_through(app, pilot, slow)
        assert len(slow.calls) == 1
        assert isinstance(app.screen, DashboardScreen)
        doc = ws.store.get("tjpu", "unit", "u01")
        assert doc["name"] == "机关纪委（新）" and doc["_rev"] == 2

    drive(ws, scenario)


def test_escape_leaves_a_form_that_is_saving_and_the_save_still_lands(ws):
    slow = blocking(ws.save, after=False)

    async def scenario(app, pilot):
        ws.save = slow
        app.open_record("tjpu", "unit", "u01")
        await pilot.pause()
        app.screen.query_one("#f-name", Input).value = "机关纪委（新）"
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(slow.entered.wait, WAIT)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 1
        assert not slow.returned.is_set() and ws.store.get("tjpu", "unit", "u01")["_rev"] == 1  # left while it waits
        await let_through(app, pilot, slow)
        assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 1  # nothing else was closed
        assert ws.store.get("tjpu", "unit", "u01")["name"] == "机关纪委（新）"

    drive(ws, scenario)


# 3. new ids never collide, and a create never overwrites ----------------------------------------

def test_two_forms_opened_in_the_same_second_get_different_short_ids(ws):
    ws.clock.today = lambda: date(2026, 12, 1)

    async def scenario(app, pilot):
        ids = []
        for _ in range(2):
            app.new_record("tjpu", "activity", {"group": "g4"})
            await pilot.pause()
            ids.append(app.screen.query_one("#f-id", Input).value)
            await pilot.press("escape")
            await pilot.pause()
        assert ids[0] != ids[1]
        assert all(re.fullmatch(r"activity-20261201-[0-9a-f]{8}", i) for i in ids), ids

    drive(ws, scenario)


def test_a_create_that_meets_an_existing_id_is_an_error_never_keep_mine(ws):
    async def scenario(app, pilot):
        app.new_record("tjpu", "activity", {"group": "g4"})
        await pilot.pause()
        form = app.screen
        for field, value in [("id", "act-same"), ("title", "爱丽丝的例会"), ("start", "2026-09-18"), ("end", "2026-09-18")]:
            form.query_one(f"#f-{field}", Input).value = value
        form.query_one("#f-form", Select).value = "协同工作指导"
        await pilot.pause()
        record = form.validate()
        assert record is not None
        # bob creates a different record with the same id meanwhile (another tab, the same second)
        bobs = record.model_copy(update={"title": "鲍勃的例会"})
        Store(ws.store.root, user="bob").put("tjpu", "activity", "act-same", bobs.model_dump(mode="json"), part=part_of(bobs), rev=0)
        await pilot.press("ctrl+s")
        await settle_save(app, pilot, form)
        assert isinstance(app.screen, ErrorModal) and not any(isinstance(s, ConflictModal) for s in app.screen_stack)
        message = str(app.screen.query_one("#error-message").render())
        assert "act-same" in message and "请修改编号" in message
        await pilot.press("m")  # there is no "keep mine" here
        await settle(app, pilot)
        doc = ws.store.get("tjpu", "activity", "act-same")
        assert doc["title"] == "鲍勃的例会" and doc["_by"] == "bob" and doc["_rev"] == 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form and form.focused is form.query_one("#f-id", Input)
        await pilot.press(*"-2")  # the id is there to be changed, not retyped
        assert form.query_one("#f-id", Input).value == "act-same-2"
        await pilot.press("ctrl+s")
        await settle_save(app, pilot, form)
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert ws.store.get("tjpu", "activity", "act-same-2")["title"] == "爱丽丝的例会"
        assert ws.store.get("tjpu", "activity", "act-same")["title"] == "鲍勃的例会"

    drive(ws, scenario)


# 4. a save never kills the application ---------------------------------------------------------

@pytest.mark.parametrize("error, shown", [
    (ValueError("Document with ID 7 already exists"), ["保存失败，未写入任何内容", "ValueError: Document with ID 7 already exists"]),
    (StoreError("disk full", message_zh="磁盘已满：请清理后再保存"), ["磁盘已满：请清理后再保存"]),
])
def test_any_error_from_a_save_is_a_modal_and_the_form_stays_open(ws, error, shown):
    def failing(*args, **kwargs):
        raise error

    async def scenario(app, pilot):
        ws.save = failing
        app.open_record("tjpu", "unit", "u01")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-name", Input).value = "机关纪委（新）"
        await pilot.press("ctrl+s")
        await settle_save(app, pilot, form)
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorModal)
        message = str(app.screen.query_one("#error-message").render())
        assert all(s in message for s in shown), message
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form and not getattr(form, "saving", False) and app.is_running
        assert form.query_one("#f-name", Input).value == "机关纪委（新）"
        assert ws.store.get("tjpu", "unit", "u01")["_rev"] == 1

    drive(ws, scenario)


# 5. the office's day ----------------------------------------------------------------------------

def test_an_app_left_open_overnight_moves_to_the_new_day_unless_the_date_is_pinned(ws, monkeypatch):
    monkeypatch.setattr(CoordApp, "DAY_CHECK_SECONDS", 0.05)
    today = [date(2026, 10, 15)]
    ws.clock.today = lambda: today[0]

    async def main():
        app = CoordApp(ws, lang="zh", org_id="tjpu")  # no --as-of: follows the office's day
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert app.as_of == date(2026, 10, 15) and "截至 2026年10月15日" in title_of(app)
            today[0] = date(2026, 10, 16)  # midnight in the office
            for _ in range(200):
                await pilot.pause(0.02)
                if app.as_of == today[0]:
                    break
            await settle(app, pilot)
            assert app.as_of == date(2026, 10, 16) and app.result.as_of == date(2026, 10, 16)
            assert "截至 2026年10月16日" in title_of(app)
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
        assert app.as_of == AS_OF and "截至 2026年10月15日" in title_of(app)

    drive(ws, scenario)


# 6. times in the office's zone --------------------------------------------------------------------

def test_history_shows_times_written_under_two_offsets_in_the_office_zone(ws, monkeypatch):
    import coordtui.store.store as store_module

    for user, stamp, name in [("bob", "2026-03-07T03:07:08+08:00", "鲍勃改的"), ("carol", "2026-03-06T19:07:09Z", "卡罗尔改的")]:
        monkeypatch.setattr(store_module, "_now", lambda stamp=stamp: stamp)
        Store(ws.store.root, user=user).put("tjpu", "unit", "u01", ws.store.get("tjpu", "unit", "u01") | {"name": name})
    monkeypatch.undo()

    async def scenario(app, pilot):
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#history", DataTable)
        when = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0]) for i in range(table.row_count)}  # shown at 80 columns
        assert when["bob"] == "2026年3月7日 03:07"  # an older entry with its offset: not cut off
        assert when["carol"] == "2026年3月7日 03:07"  # UTC, in Beijing the next day

    drive(ws, scenario)


def test_an_edit_conflict_says_when_in_the_office_zone(ws, monkeypatch):
    import coordtui.store.store as store_module

    async def scenario(app, pilot):
        app.open_record("tjpu", "unit", "u02")
        await pilot.pause()
        monkeypatch.setattr(store_module, "_now", lambda: "2026-03-06T19:07:09Z")
        Store(ws.store.root, user="bob").put("tjpu", "unit", "u02", ws.store.get("tjpu", "unit", "u02") | {"name": "鲍勃改的"}, rev=1)
        monkeypatch.undo()
        form = app.screen
        form.query_one("#f-name", Input).value = "爱丽丝改的"
        await pilot.press("ctrl+s")
        await settle_save(app, pilot, form)
        assert isinstance(app.screen, ConflictModal)
        assert "已被 bob 于 2026年3月7日 03:07 修改" in app.screen.message

    drive(ws, scenario)


def test_take_theirs_when_the_record_was_deleted_meanwhile_says_it_is_gone(ws):
    async def scenario(app, pilot):
        app.open_record("tjpu", "unit", "u03")
        await pilot.pause()
        Store(ws.store.root, user="bob").delete("tjpu", "unit", "u03", rev=1)
        form = app.screen
        form.query_one("#f-name", Input).value = "爱丽丝改的"
        await pilot.press("ctrl+s")
        await settle_save(app, pilot, form)
        assert isinstance(app.screen, ConflictModal)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal) and "记录不存在" in str(app.screen.query_one("#error-message").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and app.is_running
        assert ws.store.get("tjpu", "unit", "u03") is None

    drive(ws, scenario)
