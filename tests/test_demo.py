"""The demo plays start to end unattended, on its own store."""

from __future__ import annotations

import asyncio

import pytest

from coordtui.demo import STEPS, DemoApp, DemoCaption
from coordtui.plugins import PluginHost
from coordtui.screens.form import RecordForm
from coordtui.store import Store
from coordtui.workspace import Workspace


def test_demo_plays_every_step_and_writes_its_exports(example_store, tmp_path):
    ws = Workspace(Store(example_store), PluginHost())
    exports = tmp_path / "exports"
    exports.mkdir()

    async def main():
        app = DemoApp(ws, exports, auto=0.5)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(2400):  # a bound (two minutes) for a loaded machine, not a speed to meet
                await pilot.pause(0.05)
                if app.step >= 2:
                    break
            at = app.step  # the tour has played by itself to here ...
            app.action_step(-1)  # ... when the viewer steps back by hand (what ← does), between two ticks
            await pilot.pause(3 * 0.5)
            assert app.step == at - 1 and app.is_running  # from then on it waits for them
            while app.step < len(STEPS) - 1:
                app.action_step(1)
                await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = dict(app.visited)

            assert [shown[n] for n in range(len(STEPS))] == ["DashboardScreen", "FindingsScreen", "TreeScreen", "RecordForm",
                                                             "MatrixScreen", "CalendarScreen", "DashboardScreen", "DashboardScreen"]

    asyncio.run(main())
    assert sorted(p.suffix for p in exports.iterdir()) == [".docx", ".xlsx"]


def test_keys_step_forward_and_back(example_store, tmp_path):
    ws = Workspace(Store(example_store), PluginHost())

    async def main():
        app = DemoApp(ws, tmp_path, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.step == 0
            await pilot.press("space", "right", "right")
            await pilot.pause()
            assert app.step == 3 and isinstance(app.screen, RecordForm)
            await pilot.press("left")
            await pilot.pause()
            assert app.step == 2
            # the caption is on the screen the step shows, whole, and only there
            captions = [c for s in app.screen_stack for c in s.query(DemoCaption)]
            assert len(captions) == 1 and captions[0].screen is app.screen
            assert str(captions[0].render()) == f"Tour 3/{len(STEPS)}  {STEPS[2].en}"
            assert captions[0].region.bottom <= app.screen.region.bottom and captions[0].region.height >= 1
            await pilot.press("space")  # Space goes on over the form too, not into its text field
            await pilot.pause()
            assert app.step == 3 and isinstance(app.screen, RecordForm)
            await pilot.press("space")
            await pilot.pause()
            assert app.step == 4
            await pilot.press("left")
            await pilot.pause()
            assert isinstance(app.screen, RecordForm)
            await pilot.press("q")  # over the form, q still ends the tour
            await pilot.pause()
        assert not app.is_running

    asyncio.run(main())


@pytest.mark.parametrize("lang,words", [("zh", ["上一步", "下一步", "退出"]),
                                        pytest.param("en", ["Back", "Next", "Quit"], marks=pytest.mark.slow)])
def test_the_tours_footer_fits_80_columns(example_store, tmp_path, lang, words):
    from textual.widgets._footer import FooterKey

    ws = Workspace(Store(example_store), PluginHost())

    async def main():
        app = DemoApp(ws, tmp_path, lang=lang)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for step in range(3):  # the dashboard, the findings, the tree: each with its own keys
                keys = [k for k in app.screen.query(FooterKey) if k.display]
                assert keys and all(k.region.right <= 80 and k.region.width > 0 for k in keys), (lang, step)
                shown = " ".join(f"{k.key_display} {k.description}" for k in keys)
                assert all(w in shown for w in words), (lang, step, shown)
                await pilot.press("space")
                await pilot.pause()

    asyncio.run(main())
