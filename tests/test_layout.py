"""Every table of every screen of every model, at 80×24 and 120×40: the subject and the duty
of each row are on screen in full (wrapped if need be, never cut), and the tables lay
themselves out again when the terminal is resized or the as-of date changes."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest
from rich.style import Style
from textual.widgets import DataTable

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.screens.calendar import CalendarScreen
from coordtui.screens.dashboard import DashboardScreen
from coordtui.screens.records import RecordsScreen
from coordtui.store import Store
from coordtui.widgets.columns import Col, fit_widths
from coordtui.widgets.fit_table import FitTable
from coordtui.workspace import Workspace

AS_OF = date(2026, 10, 15)
# 80×24 in `make test` (the size where things get cut); 120×40 too in `make test-all`.
SIZES = [(80, 24), pytest.param((120, 40), marks=pytest.mark.slow)]
ORGS = ["pingluo", "tianjin", "zikuang", "usst", "tjpu"]


@pytest.fixture(scope="module")
def store_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout") / "s"
    Workspace(Store(root, create=True, user="alice"), PluginHost()).load_examples()
    return root


def workspace(root) -> Workspace:
    return Workspace(Store(root, user="alice"), PluginHost())


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def rendered(table: FitTable, row: int, column: int) -> str:
    """What the table draws for one cell, all its lines, without the spaces."""
    width = table.ordered_columns[column].get_render_width(table)
    lines = table._render_cell(row, column, Style(), width)
    return "".join(segment.text for line in lines for segment in line).replace(" ", "")


def assert_whole(table: FitTable, where: str) -> int:
    """Each keep column is shown, lies within the table's visible width, and every row's cell in
    it is drawn in full. Returns how many cells were checked."""
    assert table.cols, f"{where}: #{table.id} was never filled"
    visible = table.scrollable_content_region.width
    keep = [c.key for c in table.cols if c.keep]
    assert set(keep) <= set(table.shown_keys), f"{where}: #{table.id} hides a subject or duty column"
    right, checked = 0, 0
    for index, key in enumerate(table.shown_keys):
        right += table.ordered_columns[index].get_render_width(table)
        if key not in keep:
            continue
        assert right <= visible or index < table.fixed_columns, f"{where}: #{table.id} column {key} ends at {right} of {visible}"
        position = [c.key for c in table.cols].index(key)
        for row, (cells, _) in enumerate(table.data):
            value = cells[position]
            expected = (value.plain if hasattr(value, "plain") else str(value)).replace(" ", "")
            assert rendered(table, row, index) == expected, f"{where}: #{table.id} row {row} {key} cut: {expected!r}"
            checked += 1
    return checked


#: An ISO date where a person reads (inputs and exports keep ISO).
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def screens_of(app):
    """(name, opener) for every screen a person reaches from the dashboard of the current organization."""
    yield "dashboard", lambda: app.action_goto("dashboard")
    for name in ("findings", "records", "history", "plugins"):
        yield name, (lambda name=name: app.action_goto(name))
    for model_id, spec in app.model_screen_specs():
        yield f"{model_id}:{spec.id}", (lambda m=model_id, s=spec.id: app.action_open_model_screen(m, s))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("org", ORGS)
def test_every_screen_shows_each_rows_subject_and_duty_in_full(store_root, org, size):
    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id=org)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            checked, seen = 0, []
            for name, open_screen in screens_of(app):
                open_screen()
                await settle(app, pilot)
                screen = app.screen
                where = f"{org} {size} {name}"
                tables = list(screen.query(DataTable))
                # Every table is laid out by the shared helper (the calendar's month is a fixed grid of 7 × 9 cells).
                assert all(isinstance(t, FitTable) for t in tables) or isinstance(screen, CalendarScreen), where
                for table in tables:
                    if table.display:
                        checked += assert_whole(table, where)
                        if isinstance(table, FitTable):  # dates as people write them: 2026年10月15日, never ISO
                            iso = [str(cell) for cells, _ in table.data for cell in cells if ISO_DATE.search(str(cell))]
                            assert iso == [], (where, iso[:3])
                title = next((w for w in screen.query("Static") if (w.id or "").endswith("title")), None)
                if title is not None:
                    assert not ISO_DATE.search(str(title.render())), (where, str(title.render()))
                seen.append(name)
            assert len(seen) >= 6 and checked > 20, (seen, checked)

    asyncio.run(main())


def test_records_of_every_kind_keep_their_name_whole_at_80_columns(store_root):
    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id="zikuang")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            app.action_goto("records")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, RecordsScreen)
            model = app.ws.model_of(app.ws.org("zikuang"))
            for cls in model.kinds:
                screen.kind = cls.kind
                screen.populate()
                await pilot.pause()
                assert_whole(screen.query_one("#records", FitTable), f"records {cls.kind}")

    asyncio.run(main())


def dashboard_table(app) -> FitTable:
    assert isinstance(app.screen, DashboardScreen)
    return app.screen.query_one("#duties", FitTable)


def test_the_dashboard_lays_itself_out_again_on_every_resize(store_root):
    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id="zikuang")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            table = dashboard_table(app)
            assert table.shown_keys == ["status", "since", "subject", "what", "period", "due"]  # room for everything
            assert_whole(table, "120")
            for width, height in [(80, 24), (120, 40), (80, 24), (100, 30)]:
                await pilot.resize_terminal(width, height)
                await settle(app, pilot)
                table = dashboard_table(app)
                assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.scrollable_content_region.width
                assert_whole(table, f"{width}x{height}")
            await pilot.resize_terminal(80, 24)
            await settle(app, pilot)
            table = dashboard_table(app)
            assert "period" not in table.shown_keys  # gave way at 80 columns ...
            assert "期间" in app.screen.query_one("#dash-row").render().plain  # ... and the selected row says it
            findings = app.screen.query_one("#dash-findings")
            line = findings.render_lines(findings.region.reset_offset)[0].text
            assert "▸ " in line and len(line.split("▸ ", 1)[1].strip()) > 10, line  # the message, not a bare ▸ (it was)
            await pilot.resize_terminal(120, 40)
            await settle(app, pilot)
            assert dashboard_table(app).shown_keys == ["status", "since", "subject", "what", "period", "due"]  # back without ctrl+r

    asyncio.run(main())


def test_changing_the_as_of_date_at_80_columns_lays_the_dashboard_out_again(store_root):
    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id="zikuang")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            for day in ["2026-11-20", "2026-09-01", "2026-12-31", "2026-10-15", "2026-11-02", "2026-10-16"]:
                await pilot.press("a")
                await pilot.pause()
                date_input = app.screen.query_one("Input")
                date_input.value = day
                await pilot.press("enter")
                await settle(app, pilot)
                assert app.as_of.isoformat() == day
                table = dashboard_table(app)
                assert table.row_count == len(app.screen.rows)
                if table.row_count:
                    widths = {key: table.ordered_columns[i].width for i, key in enumerate(table.shown_keys)}
                    assert widths["subject"] >= 8 and widths["what"] >= 8 and widths["status"] >= 5, (day, widths)
                    assert_whole(table, day)

    asyncio.run(main())


def test_column_widths_give_way_least_important_first():
    cols = [Col("subject", "对象", keep=True), Col("what", "事项", keep=True), Col("period", "期间", rank=3, min=6),
            Col("due", "截止", rank=2), Col("status", "状态", rank=1, hide=False)]
    natural = {"subject": 26, "what": 22, "period": 14, "due": 10, "status": 8}
    assert fit_widths(cols, natural, 200) == natural
    # 78 cells: the period is cut first, then hidden; the subject and the duty stay whole.
    narrow = fit_widths(cols, natural, 78)
    assert "period" not in narrow and narrow["subject"] == 26 and narrow["what"] == 22 and narrow["due"] == 10
    squeezed = fit_widths(cols, natural, 86)
    assert squeezed["period"] == 10 and squeezed["subject"] == 26
    # 40 cells: only what may not be hidden is left, and the subject and the duty share the rest (and wrap).
    tiny = fit_widths(cols, natural, 40)
    assert set(tiny) == {"subject", "what", "status"} and sum(w + 2 for w in tiny.values()) <= 40


def test_no_screen_takes_a_key_that_means_something_everywhere(store_root):
    """An everywhere key (d f r t h v p m a c x l ? q ctrl+r) keeps its meaning on every screen:
    a screen that binds one to something else fails here, naming the screen and the key."""
    from coordtui.screens.calendar import CalendarScreen as Calendar
    from coordtui.screens.findings import FindingsScreen
    from coordtui.screens.history import HistoryScreen
    from coordtui.screens.plugins import PluginsScreen
    from coordtui.screens.records import RecordsScreen as Records
    from coordtui.screens.tree import TreeScreen

    global_keys = {b.key: b.action for b in CoordApp.BINDINGS}

    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id="pingluo")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            screens = [DashboardScreen(), FindingsScreen(), HistoryScreen(), PluginsScreen(), Calendar(), Records("pingluo"), TreeScreen("pingluo")]
            for org in app.orgs:
                app.org_index = [o.id for o in app.orgs].index(org.id)
                screens += [spec.factory(app) for _, spec in app.model_screen_specs()]
            from coordtui.screens.form import RecordForm
            from county_zones.screens import TaskDetailScreen

            screens += [RecordForm("pingluo", "zone"), TaskDetailScreen("t-2026-research")]
            taken = []
            for screen in screens:
                for key, bindings in screen._bindings.key_to_bindings.items():
                    for binding in bindings:
                        if key in global_keys and binding.action != global_keys[key]:
                            taken.append(f"{type(screen).__name__}: {key} → {binding.action} (everywhere: {global_keys[key]})")
            assert len(screens) > 15 and taken == []

    asyncio.run(main())


LATIN_WORD = __import__("re").compile(r"[A-Za-z]{3,}")
HAN = __import__("re").compile(r"[\u4e00-\u9fff]")
#: What may stay as it is in either language: the language key's own label.
ALLOWED = {"中/EN"}


def chrome(app) -> list[str]:
    """What the interface itself says on the current screen (not the data): column headings,
    footer and help keys, filter prompts."""
    screen = app.screen
    texts = [c.label for table in screen.query(FitTable) for c in table.cols if not c.data]
    texts += [active.binding.description for active in screen.active_bindings.values()
              if active.binding.id is not None and active.binding.description]
    texts += [str(i.placeholder) for i in screen.query("Input") if i.placeholder and i.id != "f-id"]
    return [t for t in texts if t not in ALLOWED]


# In `make test-all`: it walks every screen of every model twice over, which the layout test
# above already opens at 80×24 in `make test`.
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_language_speaks_only_itself_on_every_screen(store_root, lang):
    async def main():
        app = CoordApp(workspace(store_root), lang=lang, as_of=AS_OF, org_id="pingluo")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            wrong = []
            for index in range(len(app.orgs)):
                app.org_index = index
                for name, open_screen in screens_of(app):
                    open_screen()
                    await settle(app, pilot)
                    other = LATIN_WORD if lang == "zh" else HAN
                    wrong += [f"{app.org_id} {name}: {text!r}" for text in chrome(app) if other.search(text)]
            assert wrong == []

    asyncio.run(main())


def test_without_colour_what_needs_action_stands_out_by_weight_and_reverse_video():
    import os
    import subprocess
    import sys

    code = ("from coordtui.screens.dashboard import STATUS_STYLE as S; from coordtui.screens.findings import SEVERITY_STYLE as F; "
            "from coordtui.domain.model import DutyStatus as D; print(S[D.OVERDUE], '|', S[D.AT_RISK], '|', F['error'])")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=120)
    assert out.stdout.split("|") == ["bold reverse ", " bold ", " bold reverse\n"], out.stderr


def test_the_checklist_hint_is_decided_again_on_every_resize(store_root):
    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id="usst")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            (model_id, spec), = [(m, s) for m, s in app.model_screen_specs() if s.id == "checklist"]
            app.action_open_model_screen(model_id, spec.id)
            await settle(app, pilot)
            hint = app.screen.t("checklist.hint")

            def shown() -> str:
                return str(app.screen.query_one("#fd-summary").render())

            assert hint in shown()  # room for it at 120 columns
            for width, room in [(80, False), (120, True), (60, False), (100, True)]:
                await pilot.resize_terminal(width, 30)
                await settle(app, pilot)
                assert (hint in shown()) is room, (width, shown())
                assert "已逾期" in shown()  # the counts stay

    asyncio.run(main())


def test_a_dropdown_opened_over_the_form_shows_every_choice_whole(store_root):
    """Textual cuts a line at every widget's edge beneath an overlay, and a cut inside a wide
    character drops it (联合监  检查 over the check box): every field ends at one edge."""
    from textual.widgets import Select

    async def main():
        app = CoordApp(workspace(store_root), lang="zh", as_of=AS_OF, org_id="tjpu")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            app.new_record("tjpu", "activity", {})
            await settle(app, pilot)
            selects = list(app.screen.query(Select))
            assert len(selects) >= 2
            for select in selects:
                select.focus()
                await pilot.press("enter")
                await pilot.pause()
                shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
                prompts = [str(o.prompt) for o in app.focused._options][1:]  # after 请选择
                assert prompts and all(p in shown for p in prompts), (select.id, shown)
                footer = shown.splitlines()[-1]
                assert "esc 关闭" in footer and "Dismiss" not in footer, footer  # the dropdown's key in the interface language
                await pilot.press("escape")
                await pilot.pause()

    asyncio.run(main())
