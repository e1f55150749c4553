"""The quota refuses to be exceeded and says how many remain; ledger proposals are confirmed by key; the chain shows gaps."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Static

from coordtui.testing import drive as run
from coordtui.testing import example_workspace
from coordtui.screens.modals import ErrorModal


@pytest.fixture
def ws(tmp_path):
    return example_workspace(tmp_path)


def drive(ws, scenario):
    run(ws, scenario, org_id="zikuang", as_of=date(2026, 10, 15))


def test_quota_by_keyboard(ws):
    async def scenario(app, pilot):
        await pilot.press("m", "2")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#quota", DataTable)
        row_of = {p.id: i for i, p in enumerate(screen.rows)}
        table.move_cursor(row=row_of["xinsheng-b2-i1"])
        await pilot.press("b")
        await pilot.pause()
        assert any(c.inspector == "xinsheng-b2-i1" and c.year == 2026 for c in ws.records("zikuang", "commendation"))
        assert "山东新升实业发展有限责任公司 1/1（剩0）" in str(screen.query_one("#et-summary", Static).render())
        table.move_cursor(row=row_of["xinsheng-b2-i2"])
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal)
        message = str(app.screen.query_one("#error-message").render())
        assert "名额已满" in message and "至多1人，剩余0人" in message
        await pilot.press("escape")
        assert sum(1 for c in ws.records("zikuang", "commendation") if c.year == 2026) == 1
        table.move_cursor(row=row_of["xinsheng-b2-i1"])
        await pilot.press("u")
        await pilot.pause()
        assert not any(c.year == 2026 for c in ws.records("zikuang", "commendation"))

    drive(ws, scenario)


def test_ledger_proposal_confirmed(ws):
    async def scenario(app, pilot):
        await pilot.press("m", "3")
        await pilot.pause()
        screen = app.screen
        row = next(i for i, r in enumerate(screen.rows) if r[3] is None)
        screen.query_one("#ledger", DataTable).move_cursor(row=row)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        entries = {(e.subsidiary, e.quarter, e.reason) for e in ws.records("zikuang", "ledger_entry")}
        assert ("demo-a", "2026Q3", "无季度报告") in entries
        assert not any(f.rule == "enterprise_tiers.ledger_entry" and f.org == "zikuang" for f in app.result.findings)

    drive(ws, scenario)


def test_directive_chain_shows_who_planned_and_reported(ws):
    async def scenario(app, pilot):
        await pilot.press("m", "1")
        await pilot.pause()
        screen = app.screen
        await pilot.press("left_square_bracket")  # from Q4 back to Q3
        await pilot.pause()
        assert screen.directive.quarter == "2026Q3"
        table = screen.query_one("#chain", DataTable)
        rows = {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}
        assert rows["示例权属单位甲"][4] == "未报" and rows["示例权属单位甲"][3] == "29/30"
        assert "甲单位第二党支部纪检委员甲：2026-08月报未报" in str(screen.query_one("#et-missing", Static).render())
        await pilot.press("left_square_bracket")  # Q2: 乙 has no plan
        await pilot.pause()
        rows = {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}
        assert rows["示例权属单位乙"][1] == "未制定"

    drive(ws, scenario)
