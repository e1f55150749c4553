"""No lost update: the state a save builds on is the file on disk, a revision never repeats
for an id, a restore is a change like any other, and the lock holds whoever deletes its file
and lets every waiting writer in turn (issue "No lost update, no vanished duty")."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from coordtui.errors import ConflictError, StoreError
from coordtui.store import Store
from coordtui.store import files as store_files
from coordtui.store.lock import LockTimeout, StoreLock

MONTH = "2026-03"


def _new(root: Path) -> Store:
    store = Store(root, create=True, user="alice")
    store.put_org({"id": "o", "name": "O", "model": "m"})
    return store


def _lost_update_scenario(root: Path) -> tuple[Store, Store]:
    """A caches the month file; B saves r1 five times (same size each time: the inode comes
    back after a few saves); A saves r2. Returns (A, B)."""
    a = _new(root)
    a.put("o", "activity", "r1", {"n": 0}, part=MONTH)
    a.put("o", "activity", "r2", {"n": 0}, part=MONTH)
    assert a.get("o", "activity", "r1")["n"] == 0  # A has the month file cached
    b = Store(root, user="bob")
    for n in range(1, 6):
        b.put("o", "activity", "r1", {"n": n}, part=MONTH)
    a.put("o", "activity", "r2", {"n": 1}, part=MONTH)
    return a, b


def test_a_save_builds_on_the_file_on_disk_even_when_every_signature_collides(tmp_path, monkeypatch):
    # The worst case of a coarse-timestamp file system: every version of a file looks the same.
    monkeypatch.setattr(store_files, "_signature", lambda st, path=None: (0,))
    a, _ = _lost_update_scenario(tmp_path / "s")
    fresh = Store(a.root)
    assert fresh.get("o", "activity", "r1")["n"] == 5, "bob's five saves were undone by alice's save"
    assert fresh.get("o", "activity", "r2")["n"] == 1
    assert fresh.get("o", "activity", "r1")["_rev"] == 6


def test_a_reader_cache_is_not_fooled_by_a_same_size_rewrite_on_a_recycled_inode(tmp_path, monkeypatch):
    # Inode, mtime and size all equal (as on a coarse clock); the log beside the file still grew.
    real = store_files._signature
    monkeypatch.setattr(store_files, "_signature", lambda st, path=None: real(st, path)[:0] + (0, 0, 0, 0, real(st, path)[4]))
    a = _new(tmp_path / "s")
    a.put("o", "activity", "r1", {"n": 1}, part=MONTH)
    assert a.get("o", "activity", "r1")["n"] == 1
    Store(a.root, user="bob").put("o", "activity", "r1", {"n": 2}, part=MONTH)
    assert a.get("o", "activity", "r1")["n"] == 2
    assert a.part_signature("o", MONTH) != (0, 0, 0, 0, -1)


@pytest.fixture
def coarse_fs(tmp_path):
    """An ext4 file system with 128-byte inodes (whole-second timestamps), loop-mounted."""
    if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None:
        if os.environ.get("COORDTUI_REQUIRE_LOOPFS"):
            pytest.fail("COORDTUI_REQUIRE_LOOPFS is set but this process cannot make a loop-mounted file system")
        pytest.skip("needs root and mkfs.ext4 to loop-mount a file system with coarse timestamps")
    image, mount = tmp_path / "fs.img", tmp_path / "mnt"
    mount.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", "-I", "128", str(image)], capture_output=True, timeout=60)
    mounted = made.returncode == 0 and subprocess.run(["mount", "-o", "loop", str(image), str(mount)],
                                                      capture_output=True, timeout=60).returncode == 0
    if not mounted:
        if os.environ.get("COORDTUI_REQUIRE_LOOPFS"):
            pytest.fail("COORDTUI_REQUIRE_LOOPFS is set but the loop mount failed")
        pytest.skip("loop devices are not available here (mount -o loop failed)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=60)


@pytest.mark.usefixtures("whole_writes")
def test_no_lost_update_on_a_file_system_with_coarse_timestamps(coarse_fs):
    """The real thing: B's saves bring back the inode, second and size A cached; A then saves."""
    for attempt in range(10):
        a = _new(coarse_fs / f"s{attempt}")
        a.put("o", "activity", "r1", {"n": 0}, part=MONTH)
        a.put("o", "activity", "r2", {"n": 0}, part=MONTH)
        assert a.get("o", "activity", "r1")["n"] == 0
        month = a.root / "data" / "o" / f"{MONTH}.json"
        st = month.stat()
        cached = (st.st_ino, st.st_mtime_ns, st.st_size)
        b = Store(a.root, user="carla")  # a name as long as alice's: the file keeps its size
        for n in range(1, 13):
            b.put("o", "activity", "r1", {"n": n % 10}, part=MONTH)
            st = month.stat()
            if (st.st_ino, st.st_mtime_ns, st.st_size) == cached:
                break
        else:
            continue  # a second boundary fell inside the scenario: again
        last = b.get("o", "activity", "r1")["n"]
        a.put("o", "activity", "r2", {"n": 1}, part=MONTH)
        fresh = Store(a.root)
        assert fresh.get("o", "activity", "r1")["n"] == last, "carla's saves were undone by alice's save"
        assert fresh.get("o", "activity", "r2")["n"] == 1
        return
    pytest.fail("no (inode, mtime, size) collision in 10 tries: this file system does not have coarse timestamps")


def test_a_revision_never_repeats_after_delete_and_create_again(tmp_path):
    alice = _new(tmp_path / "s")
    alice.put("o", "activity", "x", {"n": "first"}, part=MONTH, rev=0)
    bob = Store(alice.root, user="bob")
    bobs_rev = bob.get("o", "activity", "x")["_rev"]  # bob opens it at revision 1
    alice.delete("o", "activity", "x", rev=1)
    again = alice.put("o", "activity", "x", {"n": "second"}, part="2026-04", rev=0)  # created anew, another month
    assert again["_rev"] == 2
    with pytest.raises(ConflictError):
        bob.put("o", "activity", "x", {"n": "bob's"}, part=MONTH, rev=bobs_rev)
    assert Store(alice.root).get("o", "activity", "x")["n"] == "second"


def test_import_replace_then_a_stale_save_is_a_conflict(tmp_path):
    from coordtui.store import Delete, Put

    alice = _new(tmp_path / "s")
    alice.put("o", "unit", "u", {"name": "A"}, rev=0)
    stale = alice.get("o", "unit", "u")["_rev"]
    alice.apply([Delete("o", "unit", "u")])
    alice.apply([Put("o", "unit", "u", {"name": "imported"})])
    with pytest.raises(ConflictError):
        alice.put("o", "unit", "u", {"name": "stale"}, rev=stale)


def test_a_person_removed_and_added_again_goes_on_counting(tmp_path):
    store = _new(tmp_path / "s")
    store.put_person({"name": "lim", "grants": []}, rev=0)
    store.put_person({"name": "lim", "grants": [], "display": "李明"}, rev=1)
    store.delete_person("lim", rev=2)
    assert store.put_person({"name": "lim", "grants": []}, rev=0)["_rev"] == 3


def test_creating_an_id_that_exists_is_a_conflict_that_says_so(tmp_path):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "a", {"n": 1}, part=MONTH, rev=0)
    with pytest.raises(ConflictError, match="already exists") as err:
        Store(store.root, user="bob").put("o", "activity", "a", {"n": 2}, part=MONTH, rev=0)
    assert err.value.current["n"] == 1


def _break(store: Store, part: str) -> None:
    (store.root / "data" / "o" / f"{part}.json").write_bytes(b'{"activity": {"ke')  # a crash or a stray program


@pytest.mark.usefixtures("whole_writes")
def test_restore_does_not_duplicate_a_record_that_moved_since_the_backup(tmp_path):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "moved", {"n": 1}, part=MONTH)
    store.put("o", "activity", "kept", {"n": 1}, part=MONTH)
    store.put("o", "activity", "moved", {"n": 2}, part="2026-04")  # its date changed month
    opened = Store(store.root, user="bob").get("o", "activity", "moved")
    _break(store, MONTH)
    Store.restore(store.root, f"data/o/{MONTH}.json")  # the backup still holds "moved" in March

    fresh = Store(store.root, user="bob")
    assert [d["id"] for d in fresh.query("o", "activity")].count("moved") == 1, "restored twice"
    assert fresh.get("o", "activity", "moved")["_part"] == "2026-04"
    saved = fresh.put("o", "activity", "moved", {"n": 3}, part="2026-04", rev=opened["_rev"])
    assert saved["_rev"] == opened["_rev"] + 1 and fresh.verify_history() == []


@pytest.mark.usefixtures("whole_writes")
def test_restore_is_a_recorded_change_whose_revisions_go_on(tmp_path):
    store = _new(tmp_path / "s")
    for n in range(5):
        store.put("o", "activity", "kept", {"n": n}, part=MONTH)
    bob = Store(store.root, user="bob")
    at_four = bob.get("o", "activity", "kept")["_rev"]
    store.put("o", "activity", "gone", {"n": 1}, part=MONTH)  # the last save: the backup predates it
    _break(store, MONTH)
    Store.restore(store.root, f"data/o/{MONTH}.json")

    fresh = Store(store.root, user="bob")
    kept = fresh.get("o", "activity", "kept")
    assert kept["n"] == 4 and kept["_rev"] == 5  # unchanged by the restore: no new revision
    assert fresh.get("o", "activity", "gone") is None  # the backup predates it: gone, and recorded so
    assert [e["op"] for e in fresh.history(record_id="gone")][:1] == ["restore"]
    assert bob.put("o", "activity", "kept", {"n": 5}, part=MONTH, rev=at_four)["_rev"] == 6
    assert fresh.put("o", "activity", "gone", {"n": 2}, part=MONTH, rev=0)["_rev"] == 2  # its revision goes on
    assert fresh.verify_history() == []


@pytest.mark.usefixtures("whole_writes")  # (each save writes the file whole: the version it replaced is a backup)
def test_restore_of_an_older_version_gives_its_records_new_revisions(tmp_path):
    store = _new(tmp_path / "s")
    for n in range(5):
        store.put("o", "activity", "kept", {"n": n}, part=MONTH)
    bob = Store(store.root, user="bob")
    stale = bob.get("o", "activity", "kept")["_rev"]  # 5, showing n=4
    _break(store, MONTH)
    Store.restore(store.root, f"data/o/{MONTH}.json")  # back to n=3, which was revision 4
    kept = Store(store.root).get("o", "activity", "kept")
    assert kept["n"] == 3 and kept["_rev"] == 6
    with pytest.raises(ConflictError):
        bob.put("o", "activity", "kept", {"n": 9}, part=MONTH, rev=stale)
    with pytest.raises(ConflictError):
        bob.put("o", "activity", "kept", {"n": 9}, part=MONTH, rev=4)


def test_a_record_left_in_two_partitions_saves_and_is_left_in_one(tmp_path):
    """An earlier version's restore could leave a record in two month files; the upgrade seals
    the store as it is, and the next save keeps the record in one file instead of crashing."""
    import json

    from coordtui.store.seal import entry_hash

    root = tmp_path / "old"
    (root / "data" / "o").mkdir(parents=True)
    (root / "meta.json").write_text(json.dumps({"format": "coordtui-store", "schema": 2, "created": "2026-03-01T09:00:00+08:00"}))
    at = "2026-03-02T09:00:00+08:00"
    org = {"id": "o", "name": "O", "model": "m", "_rev": 1, "_at": at, "_by": "alice"}
    record = {"id": "r", "n": 1, "_rev": 1, "_at": at, "_by": "alice"}
    for name, table, kind, doc in (("orgs", "org", "org", org), (f"data/o/{MONTH}", "activity", "activity", record),
                                   ("data/o/2026-04", "activity", "activity", record)):
        (root / f"{name}.json").write_text(json.dumps({table: {doc["id"]: doc}}))
        entry = {"seq": 1, "at": at, "user": "alice", "op": "create", "org": "o", "kind": kind, "id": doc["id"],
                 "before": None, "after": doc, "prev": ""}
        entry["hash"] = entry_hash(entry)
        (root / f"{name}.history.jsonl").write_text(json.dumps(entry) + "\n")
    store = Store(root, user="alice")
    assert [d["n"] for d in store.query("o", "activity")] == [1, 1]
    store.put("o", "activity", "r", {"n": 2}, part="2026-04", rev=1)
    fresh = Store(root)
    assert [d["n"] for d in fresh.query("o", "activity")] == [2] and fresh.verify_history() == []

def _hold(root: str, started, release) -> None:
    with StoreLock(Path(root), 30):
        started.set()
        release.wait(30)


def test_the_lock_excludes_even_when_its_file_is_deleted(tmp_path):
    store = _new(tmp_path / "s")
    ctx = mp.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(store.root), started, release))
    holder.start()
    try:
        assert started.wait(60)
        (store.root / ".lock").unlink()
        with pytest.raises(LockTimeout):
            with StoreLock(store.root, 0.3):
                pass
    finally:
        release.set()
        holder.join(60)
    with StoreLock(store.root, 10):
        pass


def _looper(root: str, stop, ready) -> None:
    store = Store(root, user="looper", lock_timeout=60)
    ready.set()
    n = 0
    while not stop.is_set():
        store.put("o", "activity", f"l{n % 50}", {"n": n}, part=MONTH)
        n += 1


def test_a_writer_saving_in_a_loop_lets_a_waiting_one_in_at_each_turn(tmp_path):
    store = _new(tmp_path / "s")
    ctx = mp.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Event()
    looper = ctx.Process(target=_looper, args=(str(store.root), stop, ready))
    looper.start()
    try:
        assert ready.wait(60)
        while len(store.history(user="looper")) < 5:  # the loop is running
            time.sleep(0.01)
        mine = Store(store.root, user="waiter", lock_timeout=30)
        before = len(mine.history(user="looper"))
        for n in range(10):
            mine.put("o", "activity", f"w{n}", {"n": n}, part=MONTH)
    finally:
        stop.set()
        looper.join(60)
    users = [e["user"] for e in sorted(store.history(org="o"), key=lambda e: e["seq"]) if e["kind"] == "activity"]
    # From the moment the waiter began to wait: how many of the looper's saves came before each of its own.
    start, seen = 0, 0
    while seen < before:
        seen += users[start] == "looper"
        start += 1
    runs, run = [], 0
    for who in users[start:]:
        if who == "waiter":
            runs.append(run)
            run = 0
        else:
            run += 1
        if len(runs) == 10:
            break
    assert len(runs) == 10
    # Each waiting save gets in after a couple of the looper's (the median), never after a long run
    # of them: it is never starved (without the turnstile the waiter got in only after the
    # looper's long runs). A lock is not a queue: a process the scheduler left waiting on a busy
    # machine may see the looper's next save or two first (a run of 4 was seen under CI's load).
    assert sorted(runs)[len(runs) // 2] <= 2 and max(runs) <= 8, runs


def test_the_lock_is_reentrant_within_a_thread_and_exclusive_between_threads(tmp_path):
    store = _new(tmp_path / "s")
    lock = StoreLock(store.root, 0.2)
    with lock:
        with lock:
            assert lock.held
        assert lock.held
        other: list[BaseException] = []

        def take() -> None:
            try:
                with StoreLock(store.root, 0.2):
                    pass
            except BaseException as exc:  # noqa: BLE001 (carried to the assertion)
                other.append(exc)

        t = threading.Thread(target=take)
        t.start()
        t.join(10)
        assert other and isinstance(other[0], LockTimeout)
    assert not lock.held


@pytest.mark.usefixtures("whole_writes")
def test_an_open_session_never_sees_half_of_a_commit_whose_writer_died(tmp_path, monkeypatch):
    from coordtui.store import Put

    writer = _new(tmp_path / "s")
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    writer.apply([Put("o", "activity", f"a{m}", {"v": "old"}, part=month) for m, month in enumerate(months)])
    reader = Store(writer.root, user="bob")
    assert {d["v"] for d in reader.query("o", "activity")} == {"old"}  # every month file cached

    real_into_place, renames = store_files._into_place, []

    def dies_after_six(root, tmp, final, keep):  # the writer is killed after 6 of its files are put in place
        if len(renames) == 6:
            raise KeyboardInterrupt("killed")
        renames.append(final)
        return real_into_place(root, tmp, final, keep)

    monkeypatch.setattr(store_files, "_into_place", dies_after_six)
    with pytest.raises(KeyboardInterrupt):
        writer.apply([Put("o", "activity", f"a{m}", {"v": "new"}, part=month) for m, month in enumerate(months)])
    monkeypatch.setattr(store_files, "_into_place", real_into_place)
    assert (writer.root / store_files.PENDING).exists() and len(renames) == 6
    assert {d["v"] for d in reader.query("o", "activity")} == {"new"}  # finished, not half
    assert not (writer.root / store_files.PENDING).exists() and reader.verify_history() == []


@pytest.mark.parametrize("content, words", [
    (b'{"activity": []}', "table 'activity' holds a list"),
    (b'{"activity": "zzz"}', "table 'activity' holds text"),
    (b'{"activity": {"x": 1}}', "holds a number under 'x', not a record"),
])
@pytest.mark.usefixtures("whole_writes")
def test_a_file_of_another_shape_is_one_line_naming_it_and_its_backup(tmp_path, content, words):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "a", {"n": 1}, part=MONTH)
    store.put("o", "activity", "a", {"n": 2}, part=MONTH)
    (store.root / "data" / "o" / f"{MONTH}.json").write_bytes(content)
    for action in (lambda s: s.query("o", "activity"), lambda s: s.put("o", "activity", "b", {"n": 1}, part=MONTH)):
        with pytest.raises(StoreError) as err:
            action(Store(store.root))
        assert words in err.value.message and f"coordtui restore --db {store.root} data/o/{MONTH}.json" in err.value.message
        assert "\n" not in err.value.message
    Store.restore(store.root, f"data/o/{MONTH}.json")
    assert Store(store.root).get("o", "activity", "a")["n"] == 1


@pytest.mark.usefixtures("whole_writes")
def test_a_backup_of_another_shape_is_not_offered_as_good(tmp_path):
    store = _new(tmp_path / "s")
    month = store.root / "data" / "o" / f"{MONTH}.json"
    store.put("o", "activity", "a", {"n": 1}, part=MONTH)
    backups = store.root / "backups" / "data" / "o"
    store.put("o", "activity", "a", {"n": 2}, part=MONTH)
    (backups / f"{MONTH}.json.1").unlink()
    (backups / f"{MONTH}.json.1").write_bytes(b'{"activity": []}')
    month.write_bytes(b"garbage")
    with pytest.raises(StoreError, match="no backup of it is kept|no good backup"):
        Store(store.root).query("o", "activity")


def test_temporary_files_of_killed_commits_are_removed_on_open(tmp_path):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "a", {"n": 1}, part=MONTH)
    left = store.root / "data" / "o" / f"{MONTH}.json.4242.coordtui-tmp"
    left.write_bytes(b"{}")
    Store(store.root)
    assert not left.exists() and Store(store.root).get("o", "activity", "a")["n"] == 1
