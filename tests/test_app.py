"""The interface driven by keys at 80x24: screens, filter, records, forms, conflicts, language."""

from __future__ import annotations

import asyncio
import os
import zipfile
from datetime import date

import pytest
from textual.widgets import DataTable, Input, Label, Select

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.screens.dashboard import DashboardScreen
from coordtui.screens.findings import FindingsScreen
from coordtui.screens.form import RecordForm
from coordtui.screens.help import HelpScreen
from coordtui.screens.history import HistoryScreen
from coordtui.screens.modals import ConflictModal, ErrorModal
from coordtui.screens.plugins import PluginsScreen
from coordtui.screens.records import RecordsScreen
from coordtui.screens.tree import TreeScreen
from coordtui.store import Store
from coordtui.widgets.fit_table import FitTable
from coordtui.workspace import Workspace

AS_OF = date(2026, 10, 15)


@pytest.fixture
def ws(example_store):
    return Workspace(Store(example_store, user="alice"), PluginHost())


def drive(ws, scenario, *, lang="zh"):
    async def main():
        app = CoordApp(ws, lang=lang, as_of=AS_OF, org_id="tjpu")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_dashboard_lists_the_most_overdue_first(ws):
    async def scenario(app, pilot):
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one("#duties", DataTable)
        first = [str(c) for c in table.data[0][0]]  # every column, shown or given way
        assert first[0] == "✗ 已逾期" and first[1] == "逾期15天"
        subjects = {str(table.data[i][0][2]) for i in range(table.row_count)}
        assert {"第四协作组", "苏岩", "第五协作组"} <= subjects
        assert "已逾期 2" in str(screen.query_one("#dash-summary").render())

    drive(ws, scenario)


def test_with_more_organizations_than_lines_the_summary_keeps_the_current_and_the_most_overdue(ws, monkeypatch):
    monkeypatch.setattr(DashboardScreen, "SUMMARY_LINES", 3)

    async def scenario(app, pilot):
        lines = str(app.screen.query_one("#dash-summary").render()).splitlines()
        assert len(lines) == 3 and lines[0].startswith("▶ 天津工业大学")
        # the most overdue of the others (平罗 4, 上海理工 4, 淄博 3, 天津 0; a tie keeps the organizations' order)
        assert lines[1].startswith("平罗县纪委监委  已逾期 4")
        assert lines[2] == "… 另有 3 个组织（逾期最多的列在上面；c 切换组织）"

    drive(ws, scenario)


def test_navigation_keys_reach_every_core_screen(ws):
    async def scenario(app, pilot):
        for key, cls in [("f", FindingsScreen), ("r", RecordsScreen), ("t", TreeScreen), ("p", PluginsScreen), ("h", HistoryScreen)]:
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, cls), key
            assert len(app.screen_stack) == 2  # the dashboard (the default screen), this one
        await pilot.press("d")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = [str(app.screen.query_one(DataTable).get_row_at(i)[0]) for i in range(app.screen.query_one(DataTable).row_count)]
        assert "d" in keys and "q" in keys
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)

    drive(ws, scenario)


def test_findings_filter_and_grouping(ws):
    async def scenario(app, pilot):
        await pilot.press("f")
        await pilot.pause()
        table = app.screen.query_one("#findings", DataTable)
        findings = [f for f in app.screen.shown if f is not None]
        rules = {f.rule for f in findings}
        assert len(findings) == 4 and table.row_count == 4 + len(rules)  # a heading row per rule
        assert str(table.data[0][0][1]).startswith("── ")
        await pilot.press("slash")
        await pilot.press(*"苏岩")
        await pilot.pause()
        assert table.row_count == 2 and str(table.get_row_at(1)[1]) == "苏岩"
        app.screen.query_one(Input).value = "2026年9月30日"  # a date as the screen writes it finds what the rule wrote as ISO
        await pilot.pause()
        from coordtui.i18n import days_in

        hits = [f for f in app.screen.shown if f is not None]
        assert "苏岩" in {f.subject for f in hits} and len(hits) < 4
        assert all("2026年9月30日" in days_in(f.message) and "2026年9月30日" not in f.message for f in hits)
        app.screen.query_one(Input).value = ""
        await pilot.pause()
        app.screen.query_one(DataTable).focus()
        await pilot.press("g")
        assert app.screen.grouping == "severity"
        headings = [str(cells[1]) for cells, key in table.data if key.startswith("h")]
        assert headings == ["── 错误（3）", "── 警告（1）"]

    drive(ws, scenario)


def test_enter_on_a_finding_opens_its_subject(ws):
    async def scenario(app, pilot):
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#findings", DataTable)
        table.focus()
        row = next(i for i, f in enumerate(screen.shown) if f is not None and f.subject == "苏岩")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and app.screen.kind == "grid_member"
        assert app.screen.query_one("#f-name", Input).value == "苏岩"

    drive(ws, scenario)


def test_edit_and_save_a_record(ws):
    async def scenario(app, pilot):
        app.open_record("tjpu", "unit", "u01")
        await pilot.pause()
        form = app.screen
        name = form.query_one("#f-name", Input)
        name.value = "机关纪委（新）"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, RecordForm)
        doc = ws.store.get("tjpu", "unit", "u01")
        assert doc["name"] == "机关纪委（新）" and doc["_rev"] == 2 and doc["_by"] == "alice"

    drive(ws, scenario)


def test_validation_error_shows_at_the_field_and_blocks_saving(ws):
    async def scenario(app, pilot):
        app.open_record("tjpu", "activity", "act-g1-2026q1-1")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-end", Input).value = "2026-02-30"
        await pilot.pause()
        assert form.query_one("#err-end", Label).content == "2026-02-30 这一天不存在（该月没有这一日）"  # not "the format"
        form.query_one("#f-end", Input).value = "2026/2/3"
        await pilot.pause()
        assert form.query_one("#err-end", Label).content == "日期格式应为 YYYY-MM-DD"
        form.query_one("#f-end", Input).value = "2025-01-01"
        await pilot.pause()
        assert str(form.query_one("#err-", Label).content) == "活动结束早于开始"  # the model's own complaint, in Chinese
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert ws.store.get("tjpu", "activity", "act-g1-2026q1-1")["_rev"] == 1

    drive(ws, scenario)


async def save_against_bobs_edit(app, pilot, ws, unit_id):
    """Open a unit, let bob save it meanwhile from another process's store, then save alice's version."""
    app.open_record("tjpu", "unit", unit_id)
    await pilot.pause()
    Store(ws.store.root, user="bob").put("tjpu", "unit", unit_id, {**ws.store.get("tjpu", "unit", unit_id), "name": "鲍勃改的"}, rev=1)
    app.screen.query_one("#f-name", Input).value = "爱丽丝改的"
    await pilot.press("ctrl+s")
    await pilot.pause()


def test_revision_conflict_shows_both_versions_and_keep_mine_saves(ws):
    async def scenario(app, pilot):
        await save_against_bobs_edit(app, pilot, ws, "u02")
        assert isinstance(app.screen, ConflictModal)
        text = " ".join(str(s.render()) for s in app.screen.query(".diff-row"))
        assert "鲍勃改的" in text and "爱丽丝改的" in text
        assert "已被 bob 于" in app.screen.message and "请对照两个版本后再保存" in app.screen.message  # in the interface language
        # The organization, the kind and the record by name, the time as the office reads it; no ids, no ISO.
        import re

        message = app.screen.message
        assert message.startswith("您打开后，天津工业大学的") and "u02" not in message and "tjpu" not in message
        assert re.search(r"于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 修改", message), message
        assert text.startswith("名称:") and "'" not in text  # the field's title, the values as they are
        await pilot.press("m")
        await settle(app, pilot)
        doc = ws.store.get("tjpu", "unit", "u02")
        assert doc["name"] == "爱丽丝改的" and doc["_rev"] == 3

    drive(ws, scenario)


def test_conflict_take_theirs_reloads_the_saved_version(ws):
    async def scenario(app, pilot):
        await save_against_bobs_edit(app, pilot, ws, "u03")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and app.screen.query_one("#f-name", Input).value == "鲍勃改的"
        assert app.screen.rev == 2

    drive(ws, scenario)


def test_language_switch_changes_screens_and_keys(ws):
    async def scenario(app, pilot):
        await pilot.press("l")
        await pilot.pause()
        assert app.lang == "en"
        assert "Dashboard" in str(app.screen.query_one("#dash-title").render())
        table = app.screen.query_one("#duties", DataTable)
        assert str(table.data[0][0][0]) == "✗ overdue"
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Findings" in descriptions and "问题" not in descriptions
        await pilot.press("l")
        await pilot.pause()
        assert "总览" in str(app.screen.query_one("#dash-title").render())

    drive(ws, scenario)


def test_as_of_change_reruns_the_check(ws):
    async def scenario(app, pilot):
        await pilot.press("a")
        await pilot.pause()
        field = app.screen.query_one(Input)
        field.value = "2026-03-01"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.as_of == date(2026, 3, 1)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#duties", DataTable).row_count == 0

    drive(ws, scenario)


def test_opening_a_missing_record_is_an_error_modal(ws):
    async def scenario(app, pilot):
        app.open_record("tjpu", "unit", "nosuch")
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)

    drive(ws, scenario)


def test_records_screen_switches_kind_and_filters(ws):
    async def scenario(app, pilot):
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#records", DataTable).row_count == 5  # groups first
        screen.query_one("#records-kind", Select).value = "unit"
        await pilot.pause()
        assert screen.query_one("#records", DataTable).row_count == 25
        screen.query_one("#records-filter", Input).value = "党总支"
        await pilot.pause()
        assert screen.query_one("#records", DataTable).row_count == 6

    drive(ws, scenario)


def test_newcomer_walk_fixes_the_most_overdue_duty(ws):
    """Dashboard → Enter on the quiet group's missing activity → fill the form → save → gone."""

    async def scenario(app, pilot):
        table = app.screen.query_one("#duties", DataTable)
        row = next(i for i, r in enumerate(app.screen.rows) if r.duty.subject == "第四协作组" and r.duty.record_kind == "activity")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm) and form.kind == "activity"
        assert form.query_one("#f-group", Select).value == "g4"
        form.query_one("#f-title", Input).value = "第三季度工作例会"
        form.query_one("#f-form", Select).value = "协同工作指导"
        form.query_one("#f-start", Input).value = "2026-09-18"
        form.query_one("#f-end", Input).value = "2026-09-18"
        form.query_one("#f-news_submitted", Input).value = "2026-09-21"
        await pilot.pause()
        assert form.errors == {}
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        remaining = {(r.duty.subject, r.duty.what_zh) for r in app.screen.rows}
        assert ("第四协作组", "协作活动") not in remaining
        assert len(ws.store.query("tjpu", "activity")) == 29  # 28 in the example, plus this one

    drive(ws, scenario)


BROKEN_SCREENS = '''
from coordtui import hookimpl
from coordtui.api import ScreenSpec
from coordtui.ui import ModelScreen
from textual.binding import Binding
from textual.widgets import Static


class Crashes(ModelScreen):
    BINDINGS = [Binding("x", "explode", "Explode")]

    def build(self):
        yield Static("fine so far", id="fine")

    def populate(self):
        if getattr(self.app, "populate_breaks", False):
            raise KeyError("missing column")

    def action_explode(self):
        raise RuntimeError("bug in an action")


class BuildFails(ModelScreen):
    def build(self):
        raise ValueError("cannot build")


def boom(app):
    raise OSError("factory failed")


@hookimpl
def coordtui_screens(model):
    if model.id == "university_grid":
        return [ScreenSpec("crash", "坏页面", "Crash", lambda app: Crashes()),
                ScreenSpec("build", "建不起来", "Build fails", lambda app: BuildFails()),
                ScreenSpec("factory", "工厂坏了", "Factory", boom)]
'''


@pytest.fixture
def ws_broken(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "badscreens.py").write_text(BROKEN_SCREENS)
    w = Workspace(Store(tmp_path / "s", create=True), PluginHost(plugin_dirs=[folder]))
    w.load_examples()
    return w


def test_a_plugin_screen_that_raises_shows_the_plugin_and_the_app_goes_on(ws_broken):
    async def scenario(app, pilot):
        app.action_open_model_screen("university_grid", "crash")
        await pilot.pause()
        assert app.screen.query_one("#fine")
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal)
        assert "badscreens" in str(app.screen.query_one("#error-message").render()) and "bug in an action" in str(app.screen.query_one("#error-message").render())
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)

        app.populate_breaks = True
        app.action_open_model_screen("university_grid", "crash")
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal) and "missing column" in str(app.screen.query_one("#error-message").render())
        app.populate_breaks = False
        await pilot.press("escape")

        app.action_open_model_screen("university_grid", "build")
        await pilot.pause()
        assert "cannot build" in str(app.screen.query_one(".plugin-failure").render())
        await pilot.press("escape")

        app.action_open_model_screen("university_grid", "factory")
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal) and "factory failed" in str(app.screen.query_one("#error-message").render())
        await pilot.press("escape")
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen) and len([f for f in app.screen.shown if f is not None]) == 4

    drive(ws_broken, scenario)


def test_calendar_marks_holidays_adjusted_workdays_and_deadlines(ws):
    from coordtui.screens.calendar import CalendarScreen

    async def scenario(app, pilot):
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalendarScreen)
        table = screen.query_one("#month", DataTable)
        cell = {day: str(table.get_cell_at(pos)) for pos, day in screen.days.items()}
        assert "休" in cell[date(2026, 10, 1)] and "班" in cell[date(2026, 10, 10)]
        assert "●" in cell[date(2026, 10, 20)]  # 第五协作组's Q3 summary falls due
        await pilot.press("left_square_bracket")
        await pilot.pause()
        cell = {day: str(table.get_cell_at(pos)) for pos, day in screen.days.items()}
        assert "班" in cell[date(2026, 9, 20)] and "●2" in cell[date(2026, 9, 30)]
        pos = next(p for p, d in screen.days.items() if d == date(2026, 9, 30))
        table.move_cursor(row=pos[0], column=pos[1])
        await pilot.pause()
        assert "已逾期" in str(screen.query_one("#cal-day").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)

    drive(ws, scenario)


def test_calendar_says_when_a_year_is_provisional(ws):
    from coordtui.screens.calendar import CalendarScreen

    async def scenario(app, pilot):
        app.as_of = date(2031, 3, 2)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, CalendarScreen)
        assert "本年节假日尚未公布" in str(app.screen.query_one("#cal-title").render())

    drive(ws, scenario)


def test_export_from_the_interface_writes_the_file_in_a_worker(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("COORDTUI_EXPORT_DIR", str(tmp_path / "exports"))

    async def scenario(app, pilot):
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # the first choice: the xlsx ledger
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (tmp_path / "exports" / "tjpu-2026Q4.xlsx").stat().st_size > 1000
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "enter")  # the Word report
        await app.workers.wait_for_complete()
        assert (tmp_path / "exports" / "tjpu-2026Q4.docx").exists()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # the year's archive (台账资料)
        await app.workers.wait_for_complete()
        with zipfile.ZipFile(tmp_path / "exports" / "tjpu-2026.zip") as archive:
            names = archive.namelist()
        assert "目录.xlsx" in names and any(n.endswith("新闻稿.docx") for n in names)
        # what the store holds stays private: 0600 files in a 0700 folder, whatever the umask
        assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "exports").iterdir()} == {"0o600"}
        assert oct((tmp_path / "exports").stat().st_mode & 0o777) == "0o700"

    old = os.umask(0o022)
    try:
        drive(ws, scenario)
    finally:
        os.umask(old)


def test_over_ssh_an_export_is_refused_with_the_command_to_use_and_no_screenshot_is_offered(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("COORDTUI_EXPORT_DIR", str(tmp_path / "exports"))

    async def main():
        app = CoordApp(ws, org_id="tjpu", remote=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ErrorModal)
            assert "ssh" in str(app.screen.query_one("#error-message").render())
            assert not (tmp_path / "exports").exists()
            assert "Screenshot" not in [c.title for c in app.get_system_commands(app.screen)]

    asyncio.run(main())


def test_tree_filter_by_chinese_and_by_pinyin_initials(ws):
    async def scenario(app, pilot):
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        tree = screen.query_one("#org-tree")
        assert len(tree.root.children) == 5
        screen.query_one("#tree-filter", Input).value = "dsxzz"  # 第三 and 第四 share these initials
        await pilot.pause()
        assert [str(n.label) for n in tree.root.children] == ["第三协作组", "第四协作组"]
        screen.query_one("#tree-filter", Input).value = "disi"  # full pinyin tells them apart
        await pilot.pause()
        assert [str(n.label) for n in tree.root.children] == ["第四协作组"]
        screen.query_one("#tree-filter", Input).value = "tsg"  # 图书馆党总支, in 第一协作组
        await pilot.pause()
        assert [str(n.label) for n in tree.root.children] == ["第一协作组"]
        assert [str(c.label).split()[0] for c in tree.root.children[0].children] == ["图书馆党总支"]
        screen.query_one("#tree-filter", Input).value = ""
        await pilot.pause()
        assert len(tree.root.children[4].children) == 8  # 第五协作组: 5 units and 3 grid members
        screen.query_one("#tree-filter", Input).value = "孙刚"
        await pilot.pause()
        assert sorted(str(n.label) for n in tree.root.children) == ["第三协作组", "第四协作组"]
        screen.query_one("#tree-filter", Input).value = "sy"  # 苏岩
        await pilot.pause()
        assert [str(n.label) for n in tree.root.children] == ["第五协作组"]

    drive(ws, scenario)


def test_history_loads_in_a_worker_filters_what_it_loaded_and_follows_saves(ws):
    import time

    time.sleep(1.05)  # times are kept to the second: bob's change comes after the examples' load
    Store(ws.store.root, user="bob").put("tjpu", "unit", "u01", ws.store.get("tjpu", "unit", "u01") | {"name": "机关纪委（改）"})

    async def scenario(app, pilot):
        await pilot.press("h")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.entries is not None
        table = screen.query_one("#history", DataTable)
        first = [str(c) for c in table.data[0][0]]  # every column, shown or given way
        assert first[1] == "bob" and first[5] == "机关纪委（改）"  # newest first
        assert table.row_count == min(1000, len(screen.entries))
        reads = []
        real = screen.reader.store._log
        screen.reader.store._log = lambda path: reads.append(path) or real(path)
        await pilot.press("slash", *"bob")
        await pilot.pause()
        assert table.row_count == 1 and reads == []  # the filter searches what is loaded
        # a save elsewhere: the next refresh re-reads only the one log it changed
        record, rev = app.ws.get("tjpu", "unit", "u02")
        app.ws.save("tjpu", record.model_copy(update={"name": "后勤纪委（改）"}), rev=rev)
        app.record_saved()
        await settle(app, pilot)
        await pilot.pause()
        assert len(reads) == 1 and reads[0].name == "structure.json"
        assert [e["after"]["name"] for e in screen.entries[:1]] == ["后勤纪委（改）"] and not screen.problems

    drive(ws, scenario)


def test_a_form_keeps_what_was_typed_asks_before_esc_discards_it_and_puts_the_id_last(ws):
    async def scenario(app, pilot):
        app.open_record("tjpu", "unit", "u01")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert [s.name for s in form.specs][-1] == "id"  # the id is the last field, not the first
        first = form.focused
        assert isinstance(first, Input) and first.id != "f-id"
        before = first.value
        await pilot.press("question_mark")  # opening a record does not select its first field: a key adds, never replaces
        await pilot.pause()
        assert app.screen is form and first.value.startswith(before) and len(first.value) == len(before) + 1
        await pilot.press("escape")  # unsaved changes: Esc asks first
        await pilot.pause()
        assert app.screen is form and first.value.endswith("?")
        await pilot.press("escape")  # again: leaves without saving
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
        assert ws.get("tjpu", "unit", "u01")[0].name == before

    drive(ws, scenario)


def test_records_o_sorts_by_the_next_column_and_says_so(ws):
    async def scenario(app, pilot):
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordsScreen) and screen.sort_column is None
        await pilot.press("o")
        await pilot.pause()
        column = screen.sort_column
        assert column is not None and column != "id"
        values = [screen._cell(r.get(column), column) for r in screen.rows]
        assert values == sorted(values)
        assert "排序" in str(screen.query_one("#records-status").render())

    drive(ws, scenario)


def test_the_dashboards_counts_agree_with_the_md_export_of_the_same_organization(ws):
    import re

    from coordtui.exports import export

    async def scenario(app, pilot):
        for day in (AS_OF, date(2026, 12, 1)):
            app.as_of = day
            app.result = None
            app.run_check()
            await settle(app, pilot)
            for index, org in enumerate(app.orgs):
                app.org_index = index
                app.refresh_screens()
                await pilot.pause()
                line = next(l for l in str(app.screen.query_one("#dash-summary").render()).splitlines() if org.name in l)
                shown = int(re.search(r"已逾期 (\d+)", line).group(1))
                md = export(ws, org.id, "md", as_of=day, period=app.export_period("md")).decode()
                assert f"已逾期 {shown}，" in md, (org.id, day, shown)

    drive(ws, scenario)


def test_the_calendar_never_calls_new_years_day_a_workday(ws):
    async def scenario(app, pilot):
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        screen.first = date(2027, 1, 1)
        screen.populate()
        await pilot.pause()
        table = screen.query_one("#month")
        (r, c), = [(r, c) for (r, c), d in screen.days.items() if d == date(2027, 1, 1)]
        table.move_cursor(row=r, column=c)
        await pilot.pause()
        head = str(screen.query_one("#cal-day").render()).splitlines()[0]
        assert head.startswith("2027年1月1日") and "元旦" in head and "工作日" not in head, head

    drive(ws, scenario)


def test_the_bundled_examples_open_at_their_own_as_of_date_and_say_so(ws, tmp_path):
    from coordtui.app import opening_date
    from coordtui.demo import DEMO_AS_OF

    as_of, notice = opening_date(ws, None, "zh")
    assert as_of == DEMO_AS_OF and "示例数据截至 2026年10月15日" in notice
    assert opening_date(ws, date(2026, 12, 1), "zh") == (date(2026, 12, 1), None)  # a date asked for is kept
    own = Workspace(Store(tmp_path / "own", create=True, user="alice"), PluginHost())
    doc = own.host.fixtures("county_zones")[0]
    doc = {**doc, "org": {**doc["org"], "id": "our-county"}}
    from coordtui.interchange import validate_document

    plan = validate_document(doc, own, "<ours>")
    own.replace_org(plan.org, plan.records, replace=True)
    assert opening_date(own, None, "zh") == (None, None)  # an office's own organization: today


def test_an_activitys_units_and_grid_members_follow_the_chosen_group(ws):
    from textual.widgets import SelectionList

    async def scenario(app, pilot):
        app.new_record("tjpu", "activity", {})
        await pilot.pause()
        form = app.screen
        units = form.query_one("#f-units", SelectionList)
        members = form.query_one("#f-grid_members", SelectionList)
        assert units.option_count == len(ws.records("tjpu", "unit"))  # no group yet: every unit
        form.query_one("#f-group", Select).value = "g4"
        await pilot.pause()
        g4_units = {u.id for u in ws.records("tjpu", "unit") if u.group == "g4"}
        g4_members = {l.grid_member for l in ws.records("tjpu", "grid_link") if l.group == "g4"}
        assert {units.get_option_at_index(i).value for i in range(units.option_count)} == g4_units
        assert {members.get_option_at_index(i).value for i in range(members.option_count)} == g4_members
        assert 0 < len(g4_units) < len(ws.records("tjpu", "unit")) and 0 < len(g4_members) < len(ws.records("tjpu", "grid_member"))
        kept = next(iter(g4_units))
        units.select(kept)
        form.query_one("#f-group", Select).value = "g1"  # a unit already chosen stays chosen (and shown)
        await pilot.pause()
        assert kept in units.selected

    drive(ws, scenario)


def test_a_date_of_something_done_after_today_is_questioned_before_it_is_saved(ws):
    from datetime import timedelta

    report = ws.records("pingluo", "report")[0]
    ahead = (ws.today() + timedelta(days=90)).isoformat()

    async def scenario(app, pilot):
        app.open_record("pingluo", "report", report.id)
        await pilot.pause()
        form = app.screen
        form.query_one("#f-filed_on", Input).value = ahead
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and ws.get("pingluo", "report", report.id)[0].filed_on == report.filed_on  # not saved yet
        await pilot.press("ctrl+s")  # asked, and confirmed
        await settle(app, pilot)
        assert not isinstance(app.screen, RecordForm)
        assert ws.get("pingluo", "report", report.id)[0].filed_on.isoformat() == ahead

    drive(ws, scenario)


def test_the_command_palette_finds_a_screen_by_its_pinyin_initials(ws):
    async def scenario(app, pilot):
        from textual.command import CommandPalette

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press("r", "l")  # 日历
        for _ in range(50):  # bounded: the palette searches in a worker
            await pilot.pause(0.02)
            options = app.screen.query_one("CommandList").options
            if options:
                break
        assert str(options[0].prompt).startswith("日历")
        await pilot.press("enter")
        await settle(app, pilot)
        from coordtui.screens.calendar import CalendarScreen

        assert isinstance(app.screen, CalendarScreen)

    drive(ws, scenario)


def test_the_conflict_dialog_in_english_names_the_person_as_shown_and_the_fields_by_title(ws, monkeypatch):
    import re

    real = Store.get_person
    monkeypatch.setattr(Store, "get_person", lambda self, name: {"name": "bob", "display": "鲍勃"} if name == "bob" else real(self, name))

    async def scenario(app, pilot):
        await save_against_bobs_edit(app, pilot, ws, "u04")
        assert isinstance(app.screen, ConflictModal)
        message = app.screen.message
        assert re.match(r"Member unit '爱丽丝改的' of 天津工业大学 was changed by 鲍勃 at \d{4}-\d\d-\d\d \d\d:\d\d since you opened it", message), message
        text = " ".join(str(s.render()) for s in app.screen.query(".diff-row"))
        assert text.startswith("Name:") and "mine:   爱丽丝改的" in text and "theirs: 鲍勃改的" in text

    drive(ws, scenario, lang="en")


def test_records_show_dates_as_people_write_them_and_sort_them_by_the_day(ws):
    import re

    async def scenario(app, pilot):
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#records-kind", Select).value = "activity"
        await settle(app, pilot)
        dates = [s.name for s in screen.specs if s.widget == "date"]
        assert dates, "the activity kind has date fields"
        shown = " ".join(str(c) for cells, _ in screen.query_one("#records", FitTable).data for c in cells)
        assert re.search(r"2026年\d{1,2}月\d{1,2}日", shown) and not re.search(r"2026-\d\d-\d\d", shown)
        for _ in range(len(screen.specs) + 1):  # o walks the columns; a date column sorts by the day
            if screen.sort_column in dates:
                break
            await pilot.press("o")
            await pilot.pause()
        assert screen.sort_column in dates
        days = [str(r.get(screen.sort_column) or "") for r in screen.rows]
        assert days == sorted(days)
        # the filter finds a date as it is shown, too
        first = next(r for r in screen.rows if r.get(screen.sort_column))
        written = screen._cell(first.get(screen.sort_column), screen.sort_column)
        screen.query_one("#records-filter", Input).value = written
        await pilot.pause()
        assert first in screen.rows and all(written in " ".join(screen._cell(r.get(d), d) for d in dates) for r in screen.rows)

    drive(ws, scenario)
