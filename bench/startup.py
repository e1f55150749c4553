"""Start-up: the application with the bundled examples to its first complete screen, beside a bare
Textual app that shows one label. Each in a fresh interpreter (imports count), headless.

Usage: python bench/startup.py [RUNS]   (default 5). Prints the medians and their ratio, of the
wall time and of the CPU time (user + system, by wait4): on a shared machine the wall time swings
with the others' load, the CPU time much less. Compare checkouts in one run with
PYTHONPATH=other/src.

Both programs run from compiled bytecode, as an installed application does (pip compiles a wheel's
modules when it installs them): each program runs once untimed first, with the bytecode written
to a folder of the benchmark's own (PYTHONPYCACHEPREFIX) even when PYTHONDONTWRITEBYTECODE is set.
Without that, a checkout's modules (an editable install never compiles them) were compiled again
in every timed start, about 0.1 s of it, while the bare app's Textual came compiled.

The application's program imports coordtui.cli and ends as the ``coordtui`` command does (its
objects left to the system at exit, not collected first: coordtui.cli.no_collection_at_exit);
the bare app ends as any Textual app does.
"""

from __future__ import annotations

import os
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
from coordtui.cli import no_collection_at_exit
no_collection_at_exit()  # (as the coordtui command ends: see its docstring)
from coordtui.app import CoordApp
from coordtui.workspace import Workspace
class Timed(CoordApp):
    def _checked(self, result):
        super()._checked(result)
        self.call_after_refresh(self.exit)
Timed(Workspace.open(sys.argv[1])).run(headless=True, size=(80, 24))
"""


def compiled_env(pycache: str) -> dict[str, str]:
    """The environment for a measured program: its bytecode written to and read from ``pycache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def timed(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the program in a fresh interpreter."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(err.decode(errors="replace")[-2000:])
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = f"{tmp}/store"
        subprocess.run([sys.executable, "-m", "coordtui.cli", "init", "--db", store, "--examples"], check=True, capture_output=True)
        env = compiled_env(f"{tmp}/pycache")
        timed(BARE, env=env), timed(COORDTUI, store, env=env)  # untimed: writes the bytecode
        bare, full = [], []
        for _ in range(runs):  # interleaved, so both meet the same load
            bare.append(timed(BARE, env=env))
            full.append(timed(COORDTUI, store, env=env))
    b, f = statistics.median(w for w, _ in bare), statistics.median(w for w, _ in full)
    bc, fc = statistics.median(c for _, c in bare), statistics.median(c for _, c in full)
    print(f"{'app':<40} {'median s':>9} {'min s':>7} {'CPU s':>7}")
    print(f"{'bare Textual app, one label':<40} {b:>9.2f} {min(w for w, _ in bare):>7.2f} {bc:>7.2f}")
    print(f"{'coordtui, 5 example orgs, dashboard':<40} {f:>9.2f} {min(w for w, _ in full):>7.2f} {fc:>7.2f}")
    print(f"ratio coordtui / bare: {f / b:.2f} (CPU {fc / bc:.2f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
