"""The model's screens, driven by keys at 80x24."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Static

from coordtui.testing import drive as run
from coordtui.testing import example_workspace
from coordtui.screens.form import RecordForm


@pytest.fixture
def ws(tmp_path):
    return example_workspace(tmp_path)


def drive(ws, scenario):
    run(ws, scenario, org_id="tjpu", as_of=date(2026, 10, 15))


async def open_screen(app, pilot, key):
    await pilot.press("m")
    await pilot.pause()
    await pilot.press(key)
    await pilot.pause()
    return app.screen


def test_groups_screen_lists_the_annex(ws):
    async def scenario(app, pilot):
        screen = await open_screen(app, pilot, "1")
        table = screen.query_one("#groups", DataTable)
        assert table.row_count == 5
        assert [str(c) for c in table.get_row_at(4)][:3] == ["第五协作组", "谢海江、王有玺、苏岩", "5"]
        await pilot.press("down", "down", "down")
        assert "生命科学学院党总支" in str(screen.query_one("#ug-detail", Static).render())

    drive(ws, scenario)


def test_matrix_shows_missed_and_late_and_enter_opens_the_fix(ws):
    async def scenario(app, pilot):
        screen = await open_screen(app, pilot, "2")
        table = screen.query_one("#matrix", DataTable)
        q3 = [str(c.key.value) for c in table.ordered_columns].index("2026Q3")
        assert "已逾期" in str(table.get_cell_at((3, q3)))  # 第四协作组
        assert "逾期完成" in str(table.get_cell_at((1, q3)))  # 第二协作组's late news
        assert "已完成" in str(table.get_cell_at((0, q3)))
        table.move_cursor(row=3, column=q3)
        await pilot.pause()
        assert "协作活动：0/1" in str(screen.query_one("#ug-reason", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and app.screen.kind == "activity" and app.screen.prefill == {"group": "g4"}

    drive(ws, scenario)


def test_rotation_generates_a_year_and_accept_saves_it(ws):
    async def scenario(app, pilot):
        screen = await open_screen(app, pilot, "3")
        await pilot.press("right_square_bracket", "g")
        await pilot.pause()
        assert len(screen.proposal) == 20
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        terms = [t for t in ws.records("tjpu", "leader_term") if t.start.year == 2027]
        assert len(terms) == 20
        g1 = sorted((t for t in terms if t.group == "g1"), key=lambda t: t.start)
        assert [t.unit for t in g1] == ["u05", "u06", "u01", "u02"]  # 体育工作部, 离退休, then a new round
        assert {"2027-01", "2027-04", "2027-07", "2027-10"} <= set(ws.store.parts("tjpu")) and "2027" not in ws.store.parts("tjpu")
        assert not any(f.rule == "university_grid.leader_rotation" for f in app.result.findings)

    drive(ws, scenario)


@pytest.mark.slow  # a Pilot run (~1.5 s); fill_year's own test in test_rotation.py covers the logic in make test
def test_rotation_shows_mid_month_terms_and_goes_on_from_where_one_ends(ws):
    from university_grid.kinds import LeaderTerm

    # 机关 group 1 recorded a term from mid-January 2027 (u05's turn, see the test above).
    ws.save("tjpu", LeaderTerm(id="g1-20270115", group="g1", unit="u05", start=date(2027, 1, 15), end=date(2027, 4, 14)), rev=0)
    names = {u.id: u.name for u in ws.records("tjpu", "unit")}

    async def scenario(app, pilot):
        screen = await open_screen(app, pilot, "3")
        await pilot.press("right_square_bracket", "g")
        await pilot.pause()
        g1 = [(t.unit, t.start.isoformat(), t.end.isoformat()) for t in screen.proposal if t.group == "g1"]
        # January 1-14 cannot hold a whole term before the recorded one: the gap is left for the check.
        assert g1 == [("u06", "2027-04-15", "2027-07-14"), ("u01", "2027-07-15", "2027-10-14"), ("u02", "2027-10-15", "2028-01-14")]
        table = screen.query_one("#rotation")
        row = next(cells for cells, key in table.data if key == "g1")
        assert str(row[1]) == names["u05"] and str(row[2]) == f"{names['u05']}→+ {names['u06']}"
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rotation = [f for f in app.result.findings if f.rule == "university_grid.leader_rotation"]
        assert [f.message for f in rotation] == [
            f"第一协作组在2027-01-01至2027-01-14没有组长单位：{names['u04']}任期至2026-12-31届满，{names['u05']}自2027-01-15起才接任"]

    drive(ws, scenario)


def test_activity_log_newest_first_with_news_status(ws):
    async def scenario(app, pilot):
        screen = await open_screen(app, pilot, "4")
        table = screen.query_one("#activities", DataTable)
        assert table.row_count == 28
        assert str(table.get_row_at(0)[0]) == "2026年9月30日"  # as people write a date
        late = next(i for i, a in enumerate(screen.rows) if a.id == "act-g2-2026q3-2")
        assert str(table.data[late][0][5]) == "◐ 逾期完成"  # with its sign, which reads without colour
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and app.screen.record is None

    drive(ws, scenario)
