"""A task walked from proposal to closure by keyboard alone at 80x24."""

from __future__ import annotations

import asyncio
from datetime import date

from textual.widgets import DataTable, Input

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.screens.form import RecordForm
from coordtui.screens.modals import ErrorModal
from coordtui.store import Store
from coordtui.workspace import Workspace

from county_zones.screens import StepModal, TaskBoardScreen, TaskDetailScreen


def test_walk_a_task_from_proposal_to_closure(tmp_path):
    ws = Workspace(Store(tmp_path / "s", create=True), PluginHost())
    ws.load_examples()

    async def main():
        app = CoordApp(ws, as_of=date(2026, 10, 20))
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            assert app.org_id == "pingluo"
            await pilot.press("m", "2")
            await pilot.pause()
            board = app.screen
            assert isinstance(board, TaskBoardScreen)
            row = next(i for i, t in enumerate(board.rows) if t.id == "t-2026-research")
            board.query_one("#tasks", DataTable).move_cursor(row=row)
            await pilot.press("enter")
            await pilot.pause()
            detail = app.screen
            assert isinstance(detail, TaskDetailScreen)

            async def step(who: str, expect_error: str | None = None):
                await pilot.press("n")
                await pilot.pause()
                assert isinstance(app.screen, StepModal)
                await pilot.press(*who, "enter")
                await pilot.pause()
                await app.workers.wait_for_complete()
                if expect_error:
                    assert isinstance(app.screen, ErrorModal) and expect_error in str(app.screen.query_one("#error-message").render())
                    await pilot.press("escape")

            await step("主要领导")        # approved
            await step("党风政风监督室")  # assigned
            await step("协作区主任", expect_error="检查组组长")  # refused: no deadline, plan, methods or leader yet
            assert ws.get("pingluo", "task", "t-2026-research")[0].state == "assigned"

            await pilot.press("e")  # fill deadline, plan and methods in the task's form
            await pilot.pause()
            form = app.screen
            assert isinstance(form, RecordForm)
            form.query_one("#f-deadline", Input).value = "2026-12-31"
            form.query_one("#f-plan", Input).value = "调研方案"
            form.query_one("#f-methods", Input).value = "座谈、问卷"
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press("b")  # add the team leader
            await pilot.pause()
            member = app.screen
            member.query_one("#f-name", Input).value = "城关镇纪委书记"
            member.query_one("#f-role").value = "组长"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, TaskDetailScreen)
            for who in ("协作区主任", "检查组组长", "检查组组长", "协作区主任", "协作区主任"):
                await step(who)
            # The report it drafted is kept with it (佐证材料: county_zones.evidence_task), as the office would.
            from coordtui.api import sample_docx

            ws.attach("pingluo", "task", "t-2026-research", sample_docx("基层监督质效专项调研报告"), name="调研报告.docx")
            await pilot.press("k")  # a problem lead found on the way
            await pilot.pause()
            app.screen.query_one("#f-summary", Input).value = "调研中发现的问题线索"
            await pilot.press("ctrl+s")
            await pilot.pause()
            await step("党风政风监督室", expect_error="尚未移送")
            found = app.screen.query_one("#found", DataTable)
            found.focus()
            await pilot.press("y")  # transfer it
            await pilot.pause()
            await step("党风政风监督室")
            task = ws.get("pingluo", "task", "t-2026-research")[0]
            assert task.state == "closed"
            steps = [s for s in ws.records("pingluo", "task_step") if s.task == task.id]
            assert len(steps) == 9 and all(s.by for s in steps)
            assert not any(f.subject == task.title for f in app.result.findings)

    asyncio.run(main())
