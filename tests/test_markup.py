"""Text people type is shown as it is, never read as markup: a title like ``例会[/bogus]`` or
an organization named ``天津工业大学[/bogus]`` once made Rich raise MarkupError and closed the
application on the History, Records and Tree screens and in forms, for everyone who could
see that record (found by a hostile test)."""

from __future__ import annotations

import asyncio
from datetime import date

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

HOSTILE = "[/bogus][@click=app.quit]点我[/]"


def test_markup_in_record_text_and_the_organizations_name_is_shown_as_text_everywhere(tmp_path):
    ws = Workspace(Store(tmp_path / "s", create=True), PluginHost())
    ws.load_examples()
    org = ws.org("tjpu")
    ws.replace_org(org.model_copy(update={"name": f"天津工业大学{HOSTILE}"}), [], replace=False)
    activity = ws.records("tjpu", "activity")[0]
    _, rev = ws.get("tjpu", "activity", activity.id)
    ws.save("tjpu", activity.model_copy(update={"title": f"例会{HOSTILE}"}), rev=rev)

    async def main() -> None:
        app = CoordApp(ws, org_id="tjpu", as_of=date(2026, 10, 15))
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for key in ("h", "r", "t", "f", "d", "v"):
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert app.is_running, f"the application closed on {key}"
            app.open_record("tjpu", "activity", activity.id)
            await pilot.pause()
            await pilot.pause()
            assert app.is_running and type(app.screen).__name__ == "RecordForm"
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running

    asyncio.run(main())
