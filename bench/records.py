"""The records screen at size: first frame and key response with 10,000 and 100,000 records of one kind.

The screen pages (200 rows a page), so its cost follows the page, not the store; the rest is
reading and validating the kind's records. Usage: python bench/records.py [SIZE ...]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.screens.records import RecordsScreen
from coordtui.store import Put, Store
from coordtui.workspace import Workspace


def fill(ws: Workspace, size: int) -> None:
    ops, start = [], date(2017, 1, 2)
    for i in range(size):
        day = start + timedelta(days=i % 3650)
        ops.append(Put("tjpu", "activity", f"bench-{i}", {
            "id": f"bench-{i}", "group": f"g{i % 5 + 1}", "title": f"第{i}次协作活动：纪检业务专题培训", "form": "学习培训交流",
            "cross_inspection": False, "start": day.isoformat(), "end": day.isoformat(), "units": ["u01", "u02"],
            "grid_members": ["gm01"], "news_submitted": None}, str(day.year)))
    for k in range(0, len(ops), 10000):
        ws.store.apply(ops[k:k + 10000])


async def measure(ws: Workspace) -> tuple[float, float, float]:
    app = CoordApp(ws, as_of=date(2026, 10, 15), org_id="tjpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        t0 = time.perf_counter()
        app.push_screen(RecordsScreen("tjpu", "activity"))
        await pilot.pause()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        page = time.perf_counter() - t0
        t0 = time.perf_counter()
        await pilot.press("down")
        await pilot.pause()
        key = time.perf_counter() - t0
        assert isinstance(app.screen, RecordsScreen) and app.screen.page == 1
    return first, page, key


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'first frame s':>14} {'next page s':>12} {'cursor key s':>13}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ws = Workspace(Store(Path(tmp) / "s", create=True), PluginHost())
            ws.load_examples()
            fill(ws, size)
            first, page, key = asyncio.run(measure(ws))
        print(f"{size:>8} {first:>14.2f} {page:>12.2f} {key:>13.3f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10000, 100000])
