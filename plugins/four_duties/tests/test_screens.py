"""The yearly checklist and the risk map by keyboard at 80x24: a gap is one key from the form that fills it."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable

from coordtui.testing import drive as run
from coordtui.testing import example_workspace
from coordtui.screens.form import RecordForm


@pytest.fixture
def ws(tmp_path):
    return example_workspace(tmp_path)


def drive(ws, scenario):
    run(ws, scenario, org_id="usst", as_of=date(2026, 10, 15))


def test_checklist_gap_opens_its_form_and_saving_closes_the_gap(ws):
    async def scenario(app, pilot):
        await pilot.press("m", "1")
        await pilot.pause()
        screen = app.screen
        row = next(i for i, r in enumerate(screen.rows) if r.duty.what_zh == "召开责任落实推进会")
        assert "已逾期" in str(screen.query_one("#checklist", DataTable).data[row][0][4])
        screen.query_one("#checklist", DataTable).move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm) and form.kind == "meeting"
        assert form.query_one("#f-meeting_type").value == "责任落实推进会"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        left = [f for f in app.result.findings if f.rule == "four_duties.four_meetings" and f.org == "usst"]
        assert [f.severity.value for f in left] == ["warning"] and "逾期" in left[0].message  # held, but late
        row = next(r for r in app.screen.rows if r.duty.what_zh == "召开责任落实推进会")
        assert row.status.value == "late"

    drive(ws, scenario)


def test_risk_map_flags_empty_cells_and_enter_adds_a_point(ws):
    async def scenario(app, pilot):
        await pilot.press("m", "2")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#riskmap", DataTable)
        (row, col), cell = next(((k, v) for k, v in screen.cells.items() if v[0] == "校办企业" and v[3]))
        assert "✗" in str(table.get_cell_at((row, col)))
        table.move_cursor(row=row, column=col)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and app.screen.prefill == {"area": "校办企业", "unit": cell[1]}

    drive(ws, scenario)
