"""Opening the store, checking one organization and everything, and peak memory, as the store grows.

Each size runs in a fresh interpreter so that peak memory is its own. Usage: python bench/check.py [N ...]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import resource, sys, time
from datetime import date
t0 = time.perf_counter()
from coordtui.workspace import Workspace
ws = Workspace.open(sys.argv[1])
orgs = ws.orgs()
opened = time.perf_counter() - t0
as_of = date(2026, 10, 15)
t0 = time.perf_counter(); ws.check(as_of, [orgs[0].id]); one = time.perf_counter() - t0
t0 = time.perf_counter(); result = ws.check(as_of); everything = time.perf_counter() - t0
t0 = time.perf_counter(); ws.check(as_of); again = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{len(orgs)} {opened:.2f} {one:.2f} {everything:.2f} {again:.2f} {peak:.0f} {len(result.findings)}")
"""


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'orgs':>5} {'open s':>7} {'check 1 org s':>14} {'check all s':>12} {'again s':>8} {'peak MB':>8}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "store"
            subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), str(store), str(size)], check=True, capture_output=True)
            out = subprocess.run([sys.executable, "-c", CHILD, str(store)], check=True, capture_output=True, text=True).stdout.split()
            orgs, opened, one, everything, again, peak, _ = out
            print(f"{size:>8} {orgs:>5} {opened:>7} {one:>14} {everything:>12} {again:>8} {peak:>8}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
