"""Start-up (issue 22): what the first frame does not need stays unimported, and the footer is not
rebuilt for keys it already shows."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import date

from textual.widgets._footer import FooterKey

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.widgets.footer import KeyFooter
from coordtui.workspace import Workspace
from tests.test_app import AS_OF, ws  # noqa: F401 (the fixture)
from tests.test_app_progressive import held, until  # noqa: F401 (the fixture)

#: Modules the dashboard's first frame does not need: each is imported when a screen, an export
#: or a filter first uses it. Measured: pypinyin alone took 0.25 s of every start.
LAZY = [
    "pypinyin", "docx", "openpyxl", "icalendar", "aiohttp", "textual_serve", "PIL",
    "coordtui.exports", "coordtui.officedoc", "coordtui.forms", "coordtui.tabular", "coordtui.interchange",
    "coordtui.serve", "coordtui.web", "coordtui.archive", "coordtui.remind",
    "coordtui.screens.findings", "coordtui.screens.records", "coordtui.screens.form", "coordtui.screens.history",
    "coordtui.screens.attachments", "coordtui.screens.calendar", "coordtui.screens.assessment",
    "four_duties.screens", "county_zones.screens", "university_grid.screens", "enterprise_tiers.screens",
    "dispatched_linkage.screens", "xml.sax", "http.client",
]

PROGRAM = """
import json, sys
import coordtui.app
from coordtui.plugins import PluginHost
host = PluginHost().load()  # the entry points, as the application loads them
assert len(host.models) == 5, host.models
print(json.dumps(sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)))
"""


def test_the_application_and_its_plugins_import_nothing_the_first_frame_does_not_need():
    proc = subprocess.run([sys.executable, "-c", PROGRAM, json.dumps(LAZY)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_the_footer_is_rebuilt_when_its_keys_change_and_only_then(example_store):
    ws = Workspace(Store(example_store, user="alice"), PluginHost())

    async def main():
        app = CoordApp(ws, lang="zh", as_of=date(2026, 10, 15), org_id="tjpu")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            footer = app.screen.query_one(KeyFooter)
            keys = list(footer.query(FooterKey))
            assert "总览" in {k.description for k in keys}
            app.screen.refresh_bindings()  # "bindings updated" with the same keys
            app.screen.query_one("#duties").focus()
            await pilot.pause()
            assert list(footer.query(FooterKey)) == keys  # the same widgets: not rebuilt
            await pilot.press("l")  # English: every label changes
            await pilot.pause()
            await pilot.pause()
            labels = {k.description for k in app.screen.query_one(KeyFooter).query(FooterKey)}
            assert "Dash" in labels and "总览" not in labels

    asyncio.run(main())


def _line(row):
    return row.org, row.rule, row.duty.subject, row.duty.due, row.status


def test_beyond_the_organizations_kept_the_dashboard_still_counts_every_one_and_a_switch_checks_again(example_store, monkeypatch):
    """The application keeps the findings and duties of RESULTS_KEPT organizations (memory: a
    million records' took about 2 GB); the others keep their dashboard counts, and viewing one
    checks it again, with the results a whole check gives."""
    from coordtui.screens.dashboard import DashboardScreen, summary_counts

    ws = Workspace(Store(example_store, user="alice"), PluginHost())
    as_of = date(2026, 10, 15)
    whole = ws.check(as_of)
    expected = {o.id: summary_counts([r for r in whole.duties if r.org == o.id], as_of) for o in ws.orgs()}
    monkeypatch.setattr(CoordApp, "RESULTS_KEPT", 2)

    async def main():
        app = CoordApp(ws, lang="zh", as_of=as_of, org_id="tjpu")
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(250):  # 5 s at most
                if app.check_complete:
                    break
                await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            assert app.check_complete
            ids = [o.id for o in app.orgs]
            kept = [o for o in ids if app.duties_of(o) is not None]
            dropped = [o for o in ids if app.duties_of(o) is None]
            assert "tjpu" in kept and len(kept) == 2 and len(dropped) == 3
            assert all(app.counts_of(o) is not None for o in ids)
            assert {r.org for r in app.result.duties} <= set(kept)
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            assert {o.id: screen.summary_line(o) for o in app.orgs} == expected
            # Switch to an organization whose results were let go: it is checked again.
            target = next(o for o in ids[ids.index("tjpu") + 1:] + ids if o in dropped)
            while app.org_id != target:
                await pilot.press("c")
            for _ in range(250):
                if app.result is not None:
                    break
                await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.result is not None and app.duties_of(target) is not None
            assert sorted(map(_line, app.duties_of(target))) == sorted(_line(r) for r in whole.duties if r.org == target)
            assert [f.rule for f in app.result.findings if f.org == target] == [f.rule for f in whole.findings if f.org == target]
            assert len([o for o in ids if app.duties_of(o) is not None]) == 2  # still two, the one viewed among them
            assert {o.id: screen.summary_line(o) for o in app.orgs} == expected  # the one viewed before is counted

    asyncio.run(main())


def test_back_from_an_organization_still_being_checked_the_dashboard_shows_its_rows_again(ws, held):
    """The dashboard redraws its table only when what it shows changed: leaving for an organization
    still being checked empties it, and coming back fills it again."""
    gate, _ = held

    async def main():
        app = CoordApp(ws, lang="zh", as_of=AS_OF, org_id="tjpu")
        async with app.run_test(size=(100, 30)) as pilot:
            try:
                assert await until(pilot, lambda: app.result is not None)
                await pilot.pause()
                table = app.screen.query_one("#duties")
                rows = [[str(c) for c in cells] for cells, _ in table.data]
                assert rows
                await pilot.press("c")  # the next organization: its check is held
                await pilot.pause()
                assert app.result is None and table.row_count == 0
                while app.org_id != "tjpu":
                    await pilot.press("c")
                await pilot.pause()
                assert [[str(c) for c in cells] for cells, _ in table.data] == rows and table.row_count == len(rows)
            finally:
                gate.set()
                await app.workers.wait_for_complete()

    asyncio.run(main())


#: The models' packages: with the last run's snapshot under this start's key (coordtui.snapshot),
#: the first frame is drawn before any is imported; they are loaded after it, for the real check.
PLUGINS = ["four_duties", "county_zones", "university_grid", "enterprise_tiers", "dispatched_linkage"]
#: Nor, then, the models' pydantic, the plugin host's pluggy and importlib.metadata, the calendar
#: package, the people and the policy, the rules engine: the snapshot's organizations and findings
#: are plain objects until the plugins are loaded.
NOT_BEFORE_THE_FIRST_FRAME = [
    "pydantic", "pydantic_core", "pluggy", "importlib.metadata", "chinese_calendar", "email",
    "coordtui.domain.model", "coordtui.domain.records", "coordtui.access.people", "coordtui.access.policy",
    "coordtui.rules.engine", "coordtui.hookspecs", "coordtui.api",
]

FIRST_FRAME = """
import json, sys
from coordtui.app import CoordApp, opening_date
from coordtui.workspace import Workspace
lazy, plugins = json.loads(sys.argv[2]), json.loads(sys.argv[3])
seen = {}
class Probe(CoordApp):
    def _checked(self, result):
        if "snapshot" not in seen:
            seen["snapshot"] = self._snapshot_tag is not None
            seen["imported"] = sorted(m for m in sys.modules if m in lazy or m.split(".")[0] in plugins)
            seen["shown"] = [len(result.duties), len(result.findings)]
        super()._checked(result)
        if self.check_complete:
            seen["after"] = sorted(m for m in plugins if m in sys.modules)
            self.call_after_refresh(self.exit)
import argparse
from coordtui import cli
cli._open_store(argparse.Namespace(db=sys.argv[1], identity=None, lang="zh", plugin_dir=None, as_name=None), create=True)  # as 'coordtui' does first
ws = Workspace.open(sys.argv[1])
as_of, notice = opening_date(ws, None, "zh")  # as 'coordtui' opens: the examples' own date
seen["opening"] = [str(as_of), sorted(m for m in sys.modules if m in lazy or m.split(".")[0] in plugins)]
Probe(ws, as_of=as_of, notice=notice, org_id="tjpu").run(headless=True, size=(80, 24))
print(json.dumps(seen))
"""


def test_with_the_snapshot_of_the_last_start_the_first_frame_imports_no_plugin_and_no_pydantic(example_store):
    from coordtui.access.identity import first_admin

    first_admin(Store(example_store), "zh")  # the owner enrolled, as by the first 'coordtui' on the store (a change
    runs = []                                # of the store a moment before the first start keeps nothing of it)
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(example_store), json.dumps(LAZY + NOT_BEFORE_THE_FIRST_FRAME),
                               json.dumps(PLUGINS)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert not runs[0]["snapshot"] and runs[0]["opening"][1]  # the ordinary way: the models first
    served = [r for r in runs if r["snapshot"]]
    assert served, runs
    for run in served:
        assert run["opening"] == ["2026-10-15", []]  # the opening date chosen without them
        assert run["imported"] == []
        assert run["after"] == sorted(PLUGINS)  # loaded after the first frame, for the real check
        assert run["shown"] == runs[0]["shown"] and run["shown"][0] > 0  # what the ordinary start showed first



def test_the_footer_shows_its_keys_even_before_the_application_has_the_focus(example_store):
    """In a browser tab (coordtui serve) the page has no focus at first; Textual's footer redraws
    only with the focus, and the dashboard (the default screen) composes before its keys are
    ready: the footer must still show them."""

    class Unfocused(CoordApp):
        def on_load(self):
            self.set_reactive(CoordApp.app_focus, False)  # (no watcher: there is no screen yet)

    ws = Workspace(Store(example_store, user="alice"), PluginHost())

    async def main():
        app = Unfocused(ws, lang="zh", as_of=date(2026, 10, 15), org_id="tjpu")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()
            assert not app.app_focus
            return {k.description for k in app.screen.query_one(KeyFooter).query(FooterKey)}

    assert {"总览", "问题", "退出"} <= asyncio.run(main())
