"""Regenerate the README's pictures: ``make screenshots``.

Each picture is Textual's own SVG screenshot of the application running headless on a
temporary copy of the bundled examples, as of the demo's day, so the pictures change
only when the interface or the examples do. Written to ``docs/images/``.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from pathlib import Path

from rich.cells import cell_len

from coordtui.app import CoordApp
from coordtui.demo import DEMO_AS_OF, DEMO_ORG, STEPS, DemoApp
from coordtui.testing import example_workspace

OUT = Path(__file__).resolve().parent / "images"
SIZE = (80, 24)  # what an inspection office demos in: a terminal over SSH


async def shoot(app: CoordApp, name: str, steps, *, title: str) -> Path:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for step in steps:
            await step(app, pilot)
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
        await pilot.pause(0.5)  # toasts (the demo's caption) fade in
        path = OUT / f"{name}.svg"
        path.write_text(widen_cjk(app.export_screenshot(title=TITLE)), encoding="utf-8")
    print(f"{path.relative_to(OUT.parent.parent)}  {title}")
    return path


TITLE = "coordtui"
_TEXT = re.compile(r'(<text [^>]*?textLength=")([0-9.]+)("[^>]*>)([^<]*)(</text>)')


def widen_cjk(svg: str) -> str:
    """Stretch each run's ``textLength`` to its width in terminal cells.

    Rich sizes a run by its number of characters (rich issue #2742), which squeezes
    every Chinese character, two cells wide on the terminal, into one cell.
    """

    def fix(m: re.Match) -> str:
        text = html.unescape(m[4])
        if not text:
            return m[0]
        width = float(m[2]) / len(text) * cell_len(text)
        return f"{m[1]}{width:g}{m[3]}{m[4]}{m[5]}"

    return _TEXT.sub(fix, svg)


async def dashboard(app, pilot) -> None:
    await pilot.press("d")


async def matrix(app, pilot) -> None:
    app.action_open_model_screen("university_grid", "matrix")


async def year_at_a_glance(app, pilot) -> None:
    await pilot.press("j")  # j: 绩效 (y was the key before it became a screen's yes)
    await pilot.pause(0.1)
    await pilot.press("down", "down")


async def demo_fix_step(app, pilot) -> None:
    for _ in range(3):  # from the first caption to the fourth: the form that meets the most overdue duty
        await pilot.press("space")
        await pilot.pause(0.1)


async def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coordtui-shots-") as tmp:
        ws = example_workspace(Path(tmp))
        await shoot(CoordApp(ws, lang="zh", as_of=DEMO_AS_OF, org_id=DEMO_ORG), "dashboard", [dashboard], title="dashboard (总览)")
        await shoot(CoordApp(ws, lang="zh", as_of=DEMO_AS_OF, org_id=DEMO_ORG), "compliance-matrix", [matrix],
                    title="university_grid: compliance matrix (合规矩阵)")
        await shoot(CoordApp(ws, lang="zh", as_of=DEMO_AS_OF, org_id="pingluo"), "assessment", [year_at_a_glance],
                    title="the year at a glance (年度考核)")
        exports = Path(tmp) / "exports"
        exports.mkdir()
        await shoot(DemoApp(ws, exports, lang="zh"), "demo", [demo_fix_step], title=f"coordtui demo, step 4 of {len(STEPS)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
