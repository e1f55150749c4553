"""What sealing costs: one save's CPU time (fsync switched off, since on a shared disk it
varies by tens of milliseconds and hides everything else), and the time of a full
``verify`` / a History refresh after one save, as the store grows.

Usage: python bench/seal.py [SIZE ...]  (default 1000 10000). Run it on an earlier
checkout (PYTHONPATH=that/src) for the figures before sealing; there ``verify`` is the
hash-chain check only.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coordtui.store import HistoryReader, Put, PutOrg, Store

ORGS = 5
SAMPLES = 200


def doc(i: int) -> dict:
    return {"group": f"g{i % 5 + 1}", "title": f"第{i}次协作活动：纪检业务专题培训", "form": "学习培训交流",
            "start": "2026-03-05", "end": "2026-03-05", "units": [f"u{i % 25:02d}"], "news_submitted": "2026-03-09"}


def main(sizes: list[int]) -> None:
    os.fsync = lambda fd: None  # CPU cost only
    print(f"{'records':>8} {'save med':>9} {'save p95':>9} {'verify':>9} {'refresh':>9}  (ms; save without fsync)")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.setdefault("XDG_CONFIG_HOME", str(Path(tmp) / "config"))
            store = Store(Path(tmp) / "s", create=True, user="bench")
            store.apply([PutOrg({"id": f"o{o}", "name": f"org {o}", "model": "m"}) for o in range(ORGS)])
            ops = [Put(f"o{i % ORGS}", "activity", f"a{i}", doc(i), f"2026-{i % 12 + 1:02d}") for i in range(size)]
            for start in range(0, len(ops), 5000):
                store.apply(ops[start:start + 5000])
            times = []
            for k in range(SAMPLES):
                t0 = time.perf_counter()
                store.put("o1", "activity", f"new{k}", doc(k), part="2026-03", rev=0)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            t0 = time.perf_counter()
            Store(store.root).verify_history()
            verify = (time.perf_counter() - t0) * 1000
            reader = HistoryReader(store)
            reader.refresh()
            store.put("o2", "activity", "one-more", doc(1), part="2026-04", rev=0)
            t0 = time.perf_counter()
            reader.refresh()
            refresh = (time.perf_counter() - t0) * 1000
            print(f"{size:>8} {statistics.median(times):>9.2f} {times[int(len(times) * 0.95) - 1]:>9.2f} {verify:>9.1f} {refresh:>9.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
