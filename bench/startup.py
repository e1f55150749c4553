"""Start-up: the application with the bundled examples to its first complete screen, beside a bare
Textual app that shows one label. Each in a fresh interpreter (imports count), headless.

Usage: python bench/startup.py [RUNS]   (default 5). Prints the medians and their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
from textual.app import App
from textual.widgets import Label
class Bare(App):
    def compose(self):
        yield Label("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)
Bare().run(headless=True, size=(80, 24))
"""

COORDTUI = """
import sys
from coordtui.app import CoordApp
from coordtui.workspace import Workspace
class Timed(CoordApp):
    def _checked(self, result):
        super()._checked(result)
        self.call_after_refresh(self.exit)
Timed(Workspace.open(sys.argv[1])).run(headless=True, size=(80, 24))
"""


def timed(code: str, *args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = f"{tmp}/store"
        subprocess.run([sys.executable, "-m", "coordtui.cli", "init", "--db", store, "--examples"], check=True, capture_output=True)
        bare = [timed(BARE) for _ in range(runs)]
        full = [timed(COORDTUI, store) for _ in range(runs)]
    b, f = statistics.median(bare), statistics.median(full)
    print(f"{'app':<40} {'median s':>9} {'min s':>7}")
    print(f"{'bare Textual app, one label':<40} {b:>9.2f} {min(bare):>7.2f}")
    print(f"{'coordtui, 5 example orgs, dashboard':<40} {f:>9.2f} {min(full):>7.2f}")
    print(f"ratio coordtui / bare: {f / b:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
