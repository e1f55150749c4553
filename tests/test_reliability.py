"""Several users at once and crashes: what was saved is never lost or silently overwritten.

The larger runs are marked slow (`make test-all`); `make test` runs smaller ones of the same code.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from coordtui.errors import ConflictError
from coordtui.store import Store

from ptyapp import PtyApp


def _writer(root: str, who: str, count: int) -> None:
    store = Store(root, user=who, lock_timeout=60)
    for i in range(count):
        store.put("o", "unit", f"{who}-{i:04d}", {"name": f"{who} {i}"}, rev=0)


def _concurrent(tmp_path, writers: int, each: int) -> Store:
    root = tmp_path / "s"
    Store(root, create=True).put_org({"id": "o", "name": "O", "model": "m"})
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(root), f"w{n}", each)) for n in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
        assert p.exitcode == 0
    return Store(root)


def test_three_writers_at_once_lose_nothing(tmp_path):
    store = _concurrent(tmp_path, 3, 40)
    assert len(store.query("o", "unit")) == 120 and store.verify_history() == []


@pytest.mark.slow
def test_four_users_saving_250_each_lose_nothing(tmp_path):
    store = _concurrent(tmp_path, 4, 250)
    docs = store.query("o", "unit")
    assert len(docs) == 1000 and all(d["_rev"] == 1 for d in docs) and store.verify_history() == []


def _editor(root: str, who: str, barrier, results) -> None:
    store = Store(root, user=who, lock_timeout=60)
    rev = store.get("o", "unit", "shared")["_rev"]
    barrier.wait(60)
    try:
        store.put("o", "unit", "shared", {"name": f"by {who}"}, rev=rev)
        results.put((who, "saved"))
    except ConflictError:
        results.put((who, "conflict"))


def test_two_people_editing_one_record_get_one_save_and_one_conflict(tmp_path):
    root = tmp_path / "s"
    store = Store(root, create=True)
    store.put_org({"id": "o", "name": "O", "model": "m"})
    store.put("o", "unit", "shared", {"name": "original"})
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_editor, args=(str(root), who, barrier, results)) for who in ("alice", "bob")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    outcome = dict(results.get(timeout=10) for _ in procs)
    assert sorted(outcome.values()) == ["conflict", "saved"]
    winner = next(w for w, o in outcome.items() if o == "saved")
    doc = Store(root).get("o", "unit", "shared")
    assert doc["name"] == f"by {winner}" and doc["_rev"] == 2


SAVER = r"""
import sys
from coordtui.store import Store
store = Store(sys.argv[1], user="saver")
for i in range(int(sys.argv[2])):
    store.put("o", "unit", f"u{i:04d}", {"name": "x" * 200, "i": i}, rev=0)
    print(i, flush=True)
"""


def _kill_during_saves(tmp_path, runs: int, saves: int) -> None:
    root = tmp_path / "s"
    Store(root, create=True).put_org({"id": "o", "name": "O", "model": "m"})
    rng = random.Random(7)
    confirmed = -1
    for run in range(runs):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(root), str(saves)], stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=120)
        returned = [int(line) for line in out.split()]
        store = Store(root)  # opens, finishing any interrupted commit
        ids = {d["id"] for d in store.query("o", "unit")}
        # Every save that returned is there, and nothing older was lost.
        assert {f"u{i:04d}" for i in returned} <= ids
        assert all(f"u{i:04d}" in ids for i in range(confirmed + 1))
        confirmed = max([confirmed, *returned])
        assert store.verify_history() == []
        # The next run starts over on the same store: clear the kind so ids can be created again.
        for d in store.query("o", "unit"):
            store.delete("o", "unit", d["id"])
        confirmed = -1


def test_a_writer_killed_mid_save_leaves_a_store_that_opens_with_every_returned_save(tmp_path):
    _kill_during_saves(tmp_path, runs=3, saves=400)


@pytest.mark.slow
def test_sigkill_at_random_moments_many_runs(tmp_path):
    _kill_during_saves(tmp_path, runs=25, saves=200)


def _truth(db):
    """The store's files but its disposable cache (the application keeps its first results there)."""
    return {p.relative_to(db): p.read_bytes() for p in db.rglob("*.json") if p.relative_to(db).parts[0] != "cache"}


def test_a_dropped_ssh_session_while_a_form_is_open_leaves_the_store_intact(tmp_path):
    """SIGHUP (the SSH connection drops) with a record form open: the process ends, nothing half-written."""
    db = tmp_path / "db"
    subprocess.run([sys.executable, "-m", "coordtui.cli", "init", "--db", str(db), "--examples"], check=True, capture_output=True, timeout=120)
    before = _truth(db)
    with PtyApp(["--db", str(db), "--org", "tjpu", "--as-of", "2026-10-15"]) as app:
        assert app.wait_for("已逾期"), app.output[-500:]
        app.write(b"\r")  # Enter: the form that fixes the most overdue duty
        time.sleep(1.0)
        app.write("第三季度工作例会")  # typing into it, unsaved
        time.sleep(0.5)
        app.signal(signal.SIGHUP)
        status = app.wait(30)
    assert os.WIFSIGNALED(status) or os.WIFEXITED(status)
    assert _truth(db) == before  # the unsaved form wrote nothing, and the store is whole
    assert Store(db).verify_history() == [] and not list(db.rglob("*.coordtui-tmp"))


@pytest.mark.parametrize("env", [{"TERM": "xterm-256color"}, {"TERM": "screen"}, {"TERM": "tmux-256color"}, {"TERM": "linux"},
                                 {"TERM": "xterm-256color", "NO_COLOR": "1"}])
def test_the_app_reaches_its_first_screen_and_quits_cleanly_in_each_terminal(tmp_path, env):
    db = tmp_path / "db"
    subprocess.run([sys.executable, "-m", "coordtui.cli", "init", "--db", str(db), "--examples"], check=True, capture_output=True, timeout=120)
    with PtyApp(["--db", str(db), "--org", "tjpu", "--as-of", "2026-10-15"], env=env) as app:
        assert app.wait_for("已逾期"), app.output[-500:]
        app.write(b"q")
        status = app.wait(30)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
