"""A few pictures of the screens at 80x24 (a supplement: the Pilot tests assert on state).

Regenerate after an intended change with: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from datetime import date

import pytest

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace


@pytest.fixture
def app(example_store):
    ws = Workspace(Store(example_store), PluginHost())
    return CoordApp(ws, as_of=date(2026, 10, 15), org_id="tjpu")


async def _settle(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_dashboard(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_dashboard_in_english(snap_compare, app):
    app.lang = "en"
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_calendar(snap_compare, app):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_compliance_matrix(snap_compare, app):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("m", "2")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
