"""The year at a glance (年度考核): hand counts per example organization, agreement with the
dashboard's duty statuses, check and the exports, scope, and the screen at 80x24."""

from __future__ import annotations

import asyncio
import io
from datetime import date

import pytest

from coordtui.access.people import Grant, Person
from coordtui.access.actor import resolve_actor
from coordtui.assessment import assessment
from coordtui.domain.model import DutyStatus
from coordtui.exports import export
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = date(2026, 12, 1)


@pytest.fixture(scope="module")
def host():
    return PluginHost().load()


@pytest.fixture
def ws(example_store, host):
    return Workspace(Store(example_store), host)


def q3(ws, org):
    q = assessment(ws, org, 2026, AS_OF).total.quarters[2]
    return q.due, q.on_time, q.late, q.open


def test_third_quarter_matches_a_hand_count_for_each_example(ws):
    # tjpu: 5 groups x 1 activity, 10 grid members x attendance, 5 groups x (Q3 plan + Q2
    # summary), 6 activities' news deadlines = 31; open: 第四协作组's activity and 苏岩's attendance.
    assert q3(ws, "tjpu") == (31, 29, 0, 2)
    a = assessment(ws, "tjpu", 2026, AS_OF)
    groups = next(line for line in a.levels if line.kind == "group").quarters[2]
    assert (groups.due, groups.on_time, groups.open) == (5 + 10 + 6, 20, 1)
    # pingluo: 4 zones x 3 monthly reports (Jun-Aug) + 4 quarterly reports (Q2) + 4 half-year
    # summaries (H1) + 4 Mid-Autumn checks, and 2 tasks = 26; open: 第三协作区's August report,
    # 第四协作区's Mid-Autumn check, the task 群众反映强烈问题线索集中核查.
    assert q3(ws, "pingluo") == (26, 23, 0, 3)
    # zikuang: late: the group's Q3 directive and the major lead's escalation; open: 甲单位第二党支部纪检委员甲's August report.
    assert q3(ws, "zikuang") == (65, 62, 2, 1)
    # usst: open: the promotion meeting (07-31), 基建处's rectification (09-15), the agreement 招标采购联合监督检查 (09-30).
    assert q3(ws, "usst") == (4, 1, 0, 3)
    # tianjin: its model has no recurring duties.
    assert q3(ws, "tianjin") == (0, 0, 0, 0)


def test_subjects_are_sorted_worst_first_and_levels_total_their_subjects(ws):
    a = assessment(ws, "pingluo", 2026, AS_OF)
    rates = [line.year.rate for line in a.subjects]
    assert rates == sorted(rates)
    assert [line.label for line in a.subjects][:2] == ["第四协作区", "第三协作区"]
    zones = a.levels[0]
    # A level's total counts each duty once; a cross inspection's tasks count for each zone they were assigned to.
    assert zones.kind == "zone" and zones.year.due == a.total.year.due == 73
    assert sum(line.year.due for line in a.subjects if line.kind == "zone") == 73 + 5


@pytest.mark.parametrize("org", ["tjpu", "pingluo", "zikuang", "usst"])
def test_figures_agree_with_the_dashboards_statuses_and_check(ws, org):
    result = ws.check(AS_OF, [org])
    passed = [r for r in result.duties if r.duty.due.year == 2026 and r.duty.due < AS_OF]
    total = assessment(ws, org, 2026, AS_OF).total.year
    assert total.due == len(passed)
    assert total.open == sum(r.status is DutyStatus.OVERDUE for r in passed)
    assert total.late == sum(r.status is DutyStatus.LATE for r in passed)
    # check reports every open one as an error and every late one as a finding of its rule
    errors = [f for f in result.findings if f.severity.value == "error" and f.since is not None and f.since.year == 2026
              and f.since <= AS_OF]
    assert total.open == len([f for f in errors if f.since <= date(2026, 12, 31)])


def test_the_exports_carry_the_same_figures_and_the_docx_the_chart(ws):
    from docx import Document
    from openpyxl import load_workbook

    total = assessment(ws, "tjpu", 2026, AS_OF).total.year
    book = load_workbook(io.BytesIO(export(ws, "tjpu", "xlsx", as_of=AS_OF)))
    sheet = book["2026年度考核"]
    assert sheet["A1"].value == "天津工业大学 2026年度考核"  # a ledger sheet: its title row, then the header
    header = [c.value for c in sheet[2]]
    first = [c.value for c in sheet[3]]
    assert header[-5:] == ["应办", "按时完成", "逾期完成", "未完成", "按时完成率"]
    assert first[1] == "全组织合计" and first[-5:] == [total.due, total.on_time, total.late, total.open, "96%"]
    document = Document(io.BytesIO(export(ws, "tjpu", "docx", as_of=AS_OF)))
    texts = [p.text for p in document.paragraphs]
    assert any(t.endswith("、2026年度考核") for t in texts)
    assert f"到期事项{total.due}项，按时完成{total.on_time}项，逾期完成{total.late}项，尚未完成{total.open}项，按时完成率96%。" in "".join(texts)
    assert len(document.inline_shapes) == 1
    blob = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert document.part.related_parts[blob].blob.startswith(b"\x89PNG")


def test_a_scoped_persons_assessment_holds_only_their_subjects(ws):
    ws.save_person(Person(name="zhangsan", display="张三", grants=[Grant(org="tjpu", role="reader", scope=["g4"])]))
    store = Store(ws.store.root)
    own = Workspace(store, ws.host, actor=resolve_actor(store, "zhangsan"))
    a = assessment(own, "tjpu", 2026, AS_OF)
    assert {line.label for line in a.subjects} == {"第四协作组"}
    # its activity (never held, so no news deadline either), its Q3 plan and its Q2 summary
    q = a.total.quarters[2]
    assert (q.due, q.on_time, q.open) == (1 + 2, 2, 1)


def test_the_screen_at_80x24_shows_the_table_and_the_chart_and_changes_year(ws):
    from textual.widgets import DataTable
    from textual_plotext import PlotextPlot

    from coordtui.app import CoordApp
    from coordtui.screens.assessment import AssessmentScreen

    async def main():
        app = CoordApp(ws, lang="zh", as_of=AS_OF, org_id="pingluo")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("j")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AssessmentScreen)
            table = screen.query_one("#assess-table", DataTable)
            assert [str(c) for c in table.data[0][0]] == ["全组织", "100%", "100%", "88%", "71%", "73", "65", "0", "8", "89%"]
            # at 80 columns the counts give way, the quarters and the on-time rate stay whole (按时完成率 was cut to 按)
            assert table.shown_keys[:5] == ["subject", "q1", "q2", "q3", "q4"] and table.shown_keys[-1] == "rate"
            assert str(table.get_row_at(0)[-1]) == "89%" and table.widths["rate"] >= 10
            assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.scrollable_content_region.width
            assert str(table.get_row_at(2)[0]) == "第四协作区"
            chart = screen.query_one("#assess-chart", PlotextPlot)
            assert chart.region.height >= 8 and chart.region.width == 80
            await pilot.press("down", "down")
            await pilot.pause()
            assert "第四协作区" in chart.plt.build()
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert screen.year == 2027 and "2027年截至2026年12月1日没有到期事项" in str(screen.query_one("#assess-title").render())
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, AssessmentScreen)

    asyncio.run(main())
