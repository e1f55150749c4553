"""A save into a large data file journals its change, not the file (issue 22): the commit journal
holds each data file whole once since its last checkpoint, then patches of it; a replay after a
power cut or a killed writer rebuilds the file, byte for byte, from them. And the records of a
large file are serialized from the last save's, not all again.

Kills are real (``os._exit`` in a forked child); a power cut is simulated as in test_commit.py:
every file back as at the last checkpoint, the journal as it is, another boot.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import orjson
import pytest

import coordtui.store.files as files
from conftest import checkpointed, filled_store, power_cut
import coordtui.store.store as store_module
from coordtui.errors import StoreError
from coordtui.store import Delete, Put, Store

MONTH = "2026-03"
FILLER = 60  # records in MONTH: a file of ~10 KB, whose patch is far smaller

# Patches journal the saves that write a data file whole: since schema 6 most saves append a line
# to it instead (tests/test_appended_saves.py), so these tests have every save write it whole.
pytestmark = [pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked writer"), pytest.mark.usefixtures("whole_writes")]


def _new(root: Path) -> Store:
    return filled_store(root, MONTH, FILLER)


def _records(root: Path) -> list[files._Commit]:
    return files._journal_records(root, root / files.WAL, (root / files.WAL).read_bytes())[1]


def _heads(root: Path) -> list[dict]:
    """The first line of each record of the journal, parsed."""
    raw = (root / files.WAL).read_bytes()
    return [orjson.loads(line[1:]) for line in raw.split(b"\n") if line.startswith(b'R{"files"')]


def _data(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "data").rglob("*")) if p.is_file()}


def _saves(store: Store) -> None:
    """New records, one saved again (to its table's end), one deleted, one moved to another month, all in MONTH."""
    store.put("o", "activity", "n1", {"v": "new"}, part=MONTH, rev=0)
    store.put("o", "activity", "f3", {"v": "edited"}, part=MONTH)
    store.put("o", "activity", "n2", {"v": "new"}, part=MONTH, rev=0)
    store.delete("o", "activity", "f5")
    store.put("o", "activity", "f7", {"v": "moved"}, part="2026-04")
    store.apply([Put("o", "activity", "n3", {"v": "new"}, MONTH), Delete("o", "activity", "n1")])


def test_a_save_into_a_file_the_journal_holds_whole_journals_only_its_patch(tmp_path):
    store = _new(tmp_path / "s")
    checkpointed(store, tmp_path)
    store.put("o", "activity", "n1", {"v": "new"}, part=MONTH, rev=0)  # the first since the checkpoint: whole
    store.put("o", "activity", "n2", {"v": "new"}, part=MONTH, rev=0)
    first, second = _heads(store.root)[-2:]
    rel = f"data/o/{MONTH}.json"
    assert [f[0] for f in first["files"]] == [rel] and "patches" not in first
    assert second["files"] == [] and [p[0] for p in second["patches"]] == [rel]
    size = (store.root / rel).stat().st_size
    assert second["patches"][0][1] * 4 < size < first["files"][0][1] + 200
    # read back, the patch is the whole file as it is on disk
    last = _records(store.root)[-1]
    assert [(p.name, bytes(b)) for p, b in last.files] == [(f"{MONTH}.json", (store.root / rel).read_bytes())]


@pytest.mark.parametrize("serialized", ["from the last save's", "all again"])
def test_after_a_power_cut_every_patched_save_is_rebuilt_byte_for_byte(tmp_path, monkeypatch, serialized):
    if serialized == "from the last save's":
        monkeypatch.setattr(Store, "SERIALIZED_FROM", 0)
    store = _new(tmp_path / "s")
    snapshot = checkpointed(store, tmp_path)
    _saves(store)
    assert sum(bool(h.get("patches")) for h in _heads(store.root)) >= 4
    if serialized == "from the last save's":
        assert store.root / "data" / "o" / f"{MONTH}.json" in store._pieces
    before = _data(store.root)
    power_cut(store.root, snapshot, monkeypatch)
    assert _data(store.root) != before
    fresh = Store(store.root, user="carol")  # opening replays the journal
    assert _data(store.root) == before and fresh.verify_history() == []
    assert (store.root / files.WAL).read_bytes() == files._journal_start(store.root, "another-boot")
    assert fresh.get("o", "activity", "f3")["v"] == "edited" and fresh.get("o", "activity", "f5") is None
    assert fresh.get("o", "activity", "f7")["_part"] == "2026-04" and fresh.get("o", "activity", "n1") is None
    fresh.put("o", "activity", "n4", {"v": "after"}, part=MONTH, rev=0)  # and the store goes on
    assert Store(store.root).verify_history() == []


def test_the_records_serialized_from_the_last_save_are_the_bytes_serializing_them_all_gives(tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "SERIALIZED_FROM", 0)
    store = _new(tmp_path / "s")
    path = store.root / "data" / "o" / f"{MONTH}.json"
    for step in range(6):
        store.put("o", "activity", f"f{step}", {"v": step, "text": "改" * step}, part=MONTH)
        store.put("o", "activity", f"x{step}", {"v": step}, part=MONTH, rev=0)
        if step % 2:
            store.delete("o", "activity", f"x{step - 1}")
        raw = path.read_bytes()
        assert files.dump(orjson.loads(raw)) == raw
    assert path in store._pieces and store.verify_history() == []


def test_saves_of_two_processes_into_one_file_are_rebuilt_after_a_power_cut(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    snapshot = checkpointed(store, tmp_path)
    store.put("o", "activity", "n1", {"v": "parent"}, part=MONTH, rev=0)
    pid = os.fork()
    if pid == 0:  # another process: saves as a patch (it knows the journal holds the file whole), then a new one
        try:
            other = Store(store.root, user="bob")
            other.put("o", "activity", "n2", {"v": "child"}, part=MONTH, rev=0)
            other.put("o", "activity", "f1", {"v": "child"}, part=MONTH)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    store.put("o", "activity", "n3", {"v": "parent"}, part=MONTH, rev=0)  # after the child's records: still a patch
    assert [bool(h.get("patches")) for h in _heads(store.root)[-4:]] == [False, True, True, True]
    before = _data(store.root)
    power_cut(store.root, snapshot, monkeypatch)
    fresh = Store(store.root, user="carol")
    assert _data(store.root) == before and fresh.verify_history() == []
    assert [fresh.get("o", "activity", k)["v"] for k in ("n1", "n2", "f1", "n3")] == ["parent", "child", "child", "parent"]


KILLS = {
    "the record written, not yet fsynced": ("either", lambda: setattr(os, "fdatasync", lambda fd: os._exit(9))),
    "before the data file is put in place": ("new", lambda: setattr(files, "_into_place", lambda *a, **k: os._exit(9))),
    "before the log's append": ("new", lambda: setattr(files, "_append", lambda *a, **k: os._exit(9))),
}


@pytest.mark.parametrize("step", list(KILLS))
def test_a_writer_killed_during_a_patched_save_leaves_the_old_or_the_new_file_whole(tmp_path, step):
    expected, kill = KILLS[step]
    store = _new(tmp_path / "s")
    checkpointed(store, tmp_path)
    store.put("o", "activity", "n1", {"v": "whole"}, part=MONTH, rev=0)
    old = _data(store.root)
    pid = os.fork()
    if pid == 0:
        try:
            writer = Store(store.root, user="bob")  # a process of its own, which knows the journal holds the file whole
            kill()
            writer.put("o", "activity", "f2", {"v": "patched"}, part=MONTH)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 9
    assert _heads(store.root)[-1].get("patches") or expected == "either"
    fresh = Store(store.root, user="carol")  # opening finishes the killed commit
    found = fresh.get("o", "activity", "f2")
    assert found.get("v") == "patched" if expected == "new" else found.get("v") in ("patched", None)
    if found.get("v") is None:
        assert _data(store.root) == old
    assert fresh.verify_history() == [] and not (store.root / files.PENDING).exists()
    fresh.put("o", "activity", "n2", {"v": "next"}, part=MONTH, rev=0)
    assert Store(store.root).verify_history() == []


def _patch_only_journal(store: Store, tmp_path: Path) -> tuple[Path, bytes]:
    """A journal holding only a patch of MONTH (its whole version dropped), and the file's bytes the patch was made against."""
    path = store.root / "data" / "o" / f"{MONTH}.json"
    checkpointed(store, tmp_path)
    store.put("o", "activity", "n1", {"v": "whole"}, part=MONTH, rev=0)
    base = path.read_bytes()
    raw = (store.root / files.WAL).read_bytes()
    store.put("o", "activity", "n2", {"v": "patched"}, part=MONTH, rev=0)
    patched = (store.root / files.WAL).read_bytes()[len(raw):]
    assert b'"patches"' in patched.split(b"\n", 1)[0]
    header_and_base = files._journal_start(store.root, files.boot_id())
    (store.root / files.WAL).write_bytes(header_and_base + patched)
    return path, base


def test_a_patch_whose_whole_version_is_not_in_the_journal_is_made_against_the_file_it_was_made_from(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    path, base = _patch_only_journal(store, tmp_path)
    new = path.read_bytes()
    path.write_bytes(base)
    monkeypatch.setattr(files, "_BOOT", ["another-boot"])
    Store(store.root, user="carol")
    assert path.read_bytes() == new


def test_a_patch_that_cannot_be_rebuilt_refuses_the_journal_and_replays_nothing(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    path, _ = _patch_only_journal(store, tmp_path)
    other = _new(tmp_path / "other").root / "data" / "o" / f"{MONTH}.json"  # another version: not the patch's base
    path.write_bytes(other.read_bytes())
    monkeypatch.setattr(files, "_BOOT", ["another-boot"])
    with pytest.raises(StoreError, match=rf"its record of {MONTH}.json cannot be rebuilt .*nothing was replayed; move the journal aside"):
        Store(store.root, user="carol")
    assert path.read_bytes() == other.read_bytes()


def test_a_change_outside_the_records_said_to_have_changed_is_journaled_whole():
    head = {"digest": "d"}
    base = {"activity": {"a": {"v": 1}, "b": {"v": 1}, "c": {"v": 1}}, "_head": head}
    saved_again = {"activity": {"a": base["activity"]["a"], "c": base["activity"]["c"], "b": {"v": 2}}, "_head": {"digest": "e"}}
    patch = files.make_patch(base, saved_again, {"activity": {"b"}})
    assert patch["ops"] == [["activity", "b", {"v": 2}, 1]] and patch["base"] == "d"
    assert files.apply_patch(orjson.loads(files.dump(base)), orjson.loads(files.dump(patch))) == saved_again
    # a record not among those said to have changed differs, or moved, or was removed: no patch
    changed_too = {"activity": {"a": {"v": 9}, "c": base["activity"]["c"], "b": {"v": 2}}, "_head": {}}
    assert files.make_patch(base, changed_too, {"activity": {"b"}}) is None
    reordered = {"activity": {"c": base["activity"]["c"], "a": base["activity"]["a"], "b": {"v": 2}}, "_head": {}}
    assert files.make_patch(base, reordered, {"activity": {"b"}}) is None
    removed = {"activity": {"a": base["activity"]["a"], "b": {"v": 2}}, "_head": {}}
    assert files.make_patch(base, removed, {"activity": {"b"}}) is None
    # and one does not apply to another version of the file
    with pytest.raises(ValueError):
        files.apply_patch({"activity": {}, "_head": {"digest": "other"}}, patch)


def test_an_older_coordtui_refuses_a_store_whose_journal_may_hold_patches(tmp_path, monkeypatch):
    with monkeypatch.context() as older:  # a store as schema 4's coordtui wrote it: upgraded on opening
        older.setattr(store_module, "SCHEMA_VERSION", 4)
        _new(tmp_path / "s")
    Store(tmp_path / "s", user="carol")
    newest = store_module.SCHEMA_VERSION
    assert orjson.loads((tmp_path / "s" / "meta.json").read_bytes())["schema"] == newest
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 4)
    with pytest.raises(StoreError, match=rf"written by a newer coordtui \(schema {newest}, this one reads 4\)"):
        Store(tmp_path / "s", user="carol")


class _Counting:
    """A content check that refuses a record whose ``v`` is "bad", counting the records it looks at."""

    def __init__(self) -> None:
        self.seen = 0

    def problem(self, path: Path, data: dict) -> str | None:
        for name, table in data.items():
            if name.startswith("_") or not isinstance(table, dict):
                continue
            for rid, doc in table.items():
                self.seen += 1
                if doc.get("v") == "bad":
                    return f"{name} '{rid}': bad"
        return None

    def advice(self, path: Path, lang: str = "en") -> str:
        return "fix it"


def test_a_save_into_a_file_last_found_fitting_checks_only_the_records_it_changes(tmp_path):
    store = _new(tmp_path / "s")
    check = store.content_check = _Counting()
    store.put("o", "activity", "n1", {"v": "new"}, part=MONTH, rev=0)  # the first: every record checked
    assert check.seen >= FILLER
    check.seen = 0
    store.put("o", "activity", "n2", {"v": "new"}, part=MONTH, rev=0)
    store.put("o", "activity", "f1", {"v": "edited"}, part=MONTH)
    assert check.seen == 2
    with pytest.raises(StoreError, match="nothing was saved: activity 'f2': bad: fix it"):
        store.put("o", "activity", "f2", {"v": "bad"}, part=MONTH)
    # a record another process put in the file (not through this check) is seen on the next save
    other = Store(store.root, user="bob")
    other.put("o", "activity", "f3", {"v": "bad"}, part=MONTH)
    check.seen = 0
    with pytest.raises(StoreError, match="activity 'f3': bad"):
        store.put("o", "activity", "n3", {"v": "new"}, part=MONTH, rev=0)
    assert check.seen > 2 and store.get("o", "activity", "n3") is None


@pytest.mark.parametrize("swap", ["names swapped", "renamed over (no renameat2 here)"])
def test_a_file_is_put_in_place_without_a_rename_over_it_and_the_version_it_replaces_is_the_newest_backup(tmp_path, monkeypatch, swap):
    if swap != "names swapped":
        monkeypatch.setattr(files, "_EXCHANGE", [None])
    store = _new(tmp_path / "s")
    path = store.root / "data" / "o" / f"{MONTH}.json"
    versions = [path.read_bytes()]
    renamed_over: list[str] = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (renamed_over.append(os.fspath(dst)), real(src, dst))[1])
    for n in range(4):
        store.put("o", "activity", "f1", {"v": n}, part=MONTH)
        versions.append(path.read_bytes())
    monkeypatch.setattr(os, "replace", real)
    if swap == "names swapped" and files._EXCHANGE[0] is None:
        pytest.skip("this file system cannot swap names (renameat2 RENAME_EXCHANGE)")
    assert (os.fspath(path) in renamed_over) == (swap != "names swapped")
    backups = files.backup_paths(store.root, path)
    assert [b.read_bytes() for b in backups] == versions[-2:-5:-1]  # newest first, KEEP of them
    assert not list(store.root.rglob("*.coordtui-tmp")) and Store(store.root).verify_history() == []


def test_only_the_files_saved_into_last_keep_their_serialized_records(tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "SERIALIZED_FROM", 0)
    monkeypatch.setattr(Store, "KEPT_FILES", 2)
    store = _new(tmp_path / "s")
    for month in ("2026-04", "2026-05", MONTH, MONTH, "2026-04"):
        store.put("o", "activity", "b", {"v": month}, part=month)
        store.put("o", "activity", f"n-{month}", {"v": "new"}, part=month)
    assert [p.name for p in store._pieces] == [f"{MONTH}.json", "2026-04.json"]


def test_a_save_after_this_process_s_own_lists_no_partition_again_until_another_process_commits(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "n1", {"v": 1}, part=MONTH, rev=0)
    listed: list[str] = []
    real = os.listdir
    monkeypatch.setattr(os, "listdir", lambda p=".": (listed.append(os.fspath(p)), real(p))[1])
    store.put("o", "activity", "n2", {"v": 1}, part="2026-05", rev=0)
    store.put("o", "activity", "n1", {"v": 2}, part=MONTH)
    assert not [p for p in listed if p.endswith("/data/o")]
    other = Store(store.root, user="bob")  # another writer: a record of its own, filed in another month
    other.put("o", "activity", "n2", {"v": "moved"}, part="2026-06")
    store.put("o", "activity", "n2", {"v": 3}, part="2026-05")  # must find (and leave) the one in 2026-06
    assert [p for p in listed if p.endswith("/data/o")]
    fresh = Store(store.root)
    assert fresh.get("o", "activity", "n2")["_part"] == "2026-05" and fresh.query("o", "activity", parts=["2026-06"]) == []
    assert fresh.verify_history() == []


def _cut_points(journal: bytes, start: int) -> list[int]:
    """Where to cut ``journal`` past ``start``: every record's boundaries and the bytes either side
    (a cut there is what a reader most easily misreads), and a spread of offsets in between."""
    points = {start, len(journal)}
    for at in range(start, len(journal)):
        if journal[at:at + 1] == b"\n":
            points.update(range(max(start, at - 1), min(len(journal), at + 3) + 1))
    points.update(range(start, len(journal), max(1, (len(journal) - start) // 40)))
    return sorted(points)


@pytest.mark.parametrize("crash", ["a writer killed", "a power cut"])
def test_a_journal_cut_at_any_byte_of_its_last_patched_records_recovers_the_last_whole_one(tmp_path, monkeypatch, crash):
    """The journal cut anywhere in its last two records (each a patch of MONTH): opening puts back the
    store as the last whole record left it (a killed writer: only its own commit is not in place; a
    power cut: every file as at the checkpoint), never a record half applied, never one refused."""
    store = _new(tmp_path / "s")
    snapshot = checkpointed(store, tmp_path)
    store.put("o", "activity", "n1", {"v": "whole"}, part=MONTH, rev=0)
    store.put("o", "activity", "n2", {"v": "first"}, part=MONTH, rev=0)
    before_last = tmp_path / "before-last"
    shutil.copytree(store.root, before_last, ignore=shutil.ignore_patterns(files.WAL, ".lock"))
    start = len((store.root / files.WAL).read_bytes())
    store.put("o", "activity", "f3", {"v": "second"}, part=MONTH)
    second_ends = len((store.root / files.WAL).read_bytes())
    before_the_last = tmp_path / "before-the-last"
    shutil.copytree(store.root, before_the_last, ignore=shutil.ignore_patterns(files.WAL, ".lock"))
    store.delete("o", "activity", "f4")
    journal = (store.root / files.WAL).read_bytes()
    assert [bool(h.get("patches")) for h in _heads(store.root)[-3:]] == [True, True, True]
    monkeypatch.setattr(files, "_BOOT", ["another-boot" if crash == "a power cut" else files.boot_id()])
    for cut in _cut_points(journal, start - 60):
        work = tmp_path / f"cut-{cut}"
        if crash == "a power cut":
            shutil.copytree(snapshot, work)
        else:  # every earlier commit is in place; only the one being written may be cut (journal.pending left)
            shutil.copytree(before_last if cut <= second_ends else before_the_last, work)
            (work / files.PENDING).touch()
        (work / files.WAL).write_bytes(journal[:cut])
        monkeypatch.setattr(files, "_WHOLE", {})  # a process of its own
        if crash == "a writer killed" and cut < start:  # a durable record cut: not coordtui's doing, refused
            with pytest.raises(StoreError, match="its last readable record is older than the store's manifest"):
                Store(work, user="carol")
            continue
        fresh = Store(work, user="carol")
        got = [(fresh.get("o", "activity", k) or {}).get("v") for k in ("n1", "n2", "f3")] + [fresh.get("o", "activity", "f4") is None]
        wanted = (["whole", "first", "second", True] if cut == len(journal) else
                  ["whole", "first", "second", False] if cut >= second_ends else
                  ["whole", "first", None, False] if cut >= start else ["whole", None, None, False])
        assert got == wanted, cut
        assert fresh.verify_history() == [], cut
        fresh.put("o", "activity", "after", {"v": 1}, part=MONTH, rev=0)
        assert Store(work).verify_history() == [], cut
        shutil.rmtree(work)


def test_a_hand_edit_between_two_saves_of_one_process_is_refused_whatever_it_keeps_of_the_file(tmp_path):
    """The same process saves before and after a colleague edits the month file by hand, to the
    same size and with its mtime put back: the content check's and the id index's shortcuts (which
    trust what this process last wrote) must not let the next save seal over the edit."""
    store = _new(tmp_path / "s")
    store.content_check = _Counting()
    store.put("o", "activity", "n1", {"v": "new"}, part=MONTH, rev=0)
    store.put("o", "activity", "n2", {"v": "new"}, part=MONTH, rev=0)  # a patch, checked by its records only
    path = store.root / "data" / "o" / f"{MONTH}.json"
    raw, st = path.read_bytes(), path.stat()
    edited = raw.replace(b'"filler record 7 ', b'"FILLER record 7 ', 1)
    assert edited != raw and len(edited) == len(raw)
    with open(path, "r+b") as fh:  # in place: the same inode
        fh.write(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    for save in (lambda: store.put("o", "activity", "n3", {"v": "new"}, part=MONTH, rev=0),
                 lambda: store.put("o", "activity", "f7", {"v": "edited"}, part=MONTH)):
        with pytest.raises(StoreError, match=rf"{MONTH}.json: its records were changed outside coordtui .*nothing was saved"):
            save()
    assert path.read_bytes() == edited and b"FILLER" not in (store.root / files.WAL).read_bytes()


def test_a_file_system_that_refuses_to_swap_names_is_written_by_renaming_over(tmp_path, monkeypatch):
    """renameat2 is there but the file system refuses RENAME_EXCHANGE (NFS, vfat: EINVAL): the save
    renames over instead, keeps the version it replaces as the newest backup, and does not ask again.
    (Simulated: every file system this machine can mount swaps names.)"""
    calls: list[tuple[bytes, bytes, int]] = []

    def refused(olddirfd, old, newdirfd, new, flags):
        calls.append((old, new, flags))
        return -1

    monkeypatch.setattr(files, "_EXCHANGE", [(refused, lambda: errno.EINVAL)])
    store = _new(tmp_path / "s")
    path = store.root / "data" / "o" / f"{MONTH}.json"
    versions = [path.read_bytes()]
    for n in range(3):
        store.put("o", "activity", "f1", {"v": n}, part=MONTH)
        versions.append(path.read_bytes())
    assert len(calls) == 1 and calls[0][2] == files._RENAME_EXCHANGE and files._EXCHANGE == [None]
    assert [b.read_bytes() for b in files.backup_paths(store.root, path)] == versions[-2::-1][:files.KEEP]
    assert not list(store.root.rglob("*.coordtui-tmp")) and Store(store.root).verify_history() == []
    assert Store(store.root).get("o", "activity", "f1")["v"] == 2


class _ByModel(_Counting):
    """As the application's check: whether a record fits depends on its organization's model (a
    "strict" one refuses ``v`` "loose"), read from the store as it is now."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def problem(self, path: Path, data: dict) -> str | None:
        strict = (self.store.get_org(path.parent.name) or {}).get("model") == "strict"
        for name, table in data.items():
            if name.startswith("_") or not isinstance(table, dict):
                continue
            for rid, doc in table.items():
                self.seen += 1
                if doc.get("v") == "bad" or (strict and doc.get("v") == "loose"):
                    return f"{name} '{rid}': does not fit"
        return None

    def basis(self, path: Path) -> object:
        return (self.store.get_org(path.parent.name) or {}).get("model")


@pytest.mark.parametrize("who", ["this process", "another process"])
def test_a_file_last_found_fitting_is_checked_whole_again_once_its_organization_s_model_changed(tmp_path, who):
    store = _new(tmp_path / "s")
    check = store.content_check = _ByModel(store)
    store.put("o", "activity", "l1", {"v": "loose"}, part=MONTH, rev=0)  # fits model "m"; the file checked whole
    check.seen = 0
    store.put("o", "activity", "n1", {"v": "new"}, part=MONTH, rev=0)
    assert check.seen == 1  # the next save: only its record
    changer = store if who == "this process" else Store(store.root, user="bob")
    changer.put_org({"id": "o", "name": "O", "model": "strict"})  # the file's records were never checked against it
    with pytest.raises(StoreError, match="nothing was saved: activity 'l1': does not fit: fix it"):
        store.put("o", "activity", "n2", {"v": "new"}, part=MONTH, rev=0)
    fresh = Store(store.root, user="carol")  # what any other process says of the same save
    fresh.content_check = _ByModel(fresh)
    with pytest.raises(StoreError, match="activity 'l1': does not fit"):
        fresh.put("o", "activity", "n2", {"v": "new"}, part=MONTH, rev=0)


STRICT = '''
"""A model whose teams must have a lead (the drop-in mini model's may not)."""
from typing import ClassVar

from coordtui import hookimpl
from coordtui.api import ModelSpec, Record, Text


class Team(Record):
    kind: ClassVar[str] = "team"
    name: Text
    lead: str


@hookimpl
def coordtui_models():
    return [ModelSpec(id="strict", name_zh="严格", name_en="Strict", version="1.0", kinds=[Team])]
'''


def test_the_application_s_check_judges_a_file_whole_again_once_its_organization_names_another_model(tmp_path):
    from conftest import DROPINS

    from coordtui.cli import main
    from coordtui.store.store import strip_meta
    from coordtui.workspace import Workspace

    db, strict = tmp_path / "db", tmp_path / "strict"
    assert main(["init", "--db", str(db), "--examples", "--plugin-dir", str(DROPINS)]) == 0
    strict.mkdir()
    (strict / "strict_model.py").write_text(STRICT)
    ws = Workspace.open(db, plugin_dirs=[DROPINS, strict])
    Team = ws.host.models["mini"].kind("team")
    ws.save("m1", Team(id="t8", name="八组"), rev=0)  # no lead: fits mini; the file checked whole
    ws.save("m1", Team(id="t9", name="九组", lead="甲"), rev=0)  # only this record checked
    other = Workspace.open(db, plugin_dirs=[DROPINS, strict])  # another process names another model
    other.store.put_org(strip_meta(ws.store.get_org("m1")) | {"model": "strict"})
    Strict = ws.host.models["strict"].kind("team")
    with pytest.raises(StoreError, match=r"structure.json: nothing was saved: team 't\d+': field lead"):
        ws.save("m1", Strict(id="t10", name="十组", lead="乙"), rev=0)
    with pytest.raises(StoreError, match=r"structure.json: nothing was saved: team 't\d+': field lead"):
        other.save("m1", Strict(id="t10", name="十组", lead="乙"), rev=0)


def test_the_patch_of_a_transactions_saves_is_found_from_its_records_alone():
    """files.patch_of_saves: the patch make_patch finds by comparing every record, from the saved ones alone."""
    head = {"digest": "d"}
    a, b, c = {"v": 1}, {"v": 1}, {"v": 1}
    base = {"activity": {"a": a, "b": b, "c": c}, "_tombstones": {"activity/z": {"_rev": 1}}, "_head": head}
    saved = {"activity": {"a": a, "c": c, "b": {"v": 2}}, "_tombstones": base["_tombstones"], "_head": {"digest": "e"}}
    changed = {"activity": {"b"}, "_tombstones": {"activity/b"}}
    assert files.patch_of_saves(base, saved, changed) == files.make_patch(base, saved, changed)
    deleted = {"activity": {"a": a, "c": c}, "_tombstones": {"activity/z": {"_rev": 1}, "activity/b": {"_rev": 1}}, "_head": {}}
    patch = files.patch_of_saves(base, deleted, changed)
    assert patch["ops"] == [["activity", "b", None, 0], ["_tombstones", "activity/b", {"_rev": 1}, 1]]
    assert files.apply_patch(orjson.loads(files.dump(base)), orjson.loads(files.dump(patch))) == deleted
    # the shapes no write of the store makes: none (make_patch is asked)
    inserted_inside = {"activity": {"a": a, "b": {"v": 2}, "c": c}, "_tombstones": base["_tombstones"], "_head": {}}
    assert files.patch_of_saves(base, inserted_inside, changed) is None
    another_gone = {"activity": {"a": a, "b": {"v": 2}}, "_tombstones": base["_tombstones"], "_head": {}}
    assert files.patch_of_saves(base, another_gone, changed) is None
    one_more = {"activity": {"a": a, "c": c, "x": {"v": 1}, "b": {"v": 2}}, "_tombstones": base["_tombstones"], "_head": {}}
    assert files.patch_of_saves(base, one_more, changed) is None
    tables_reordered = {"_tombstones": base["_tombstones"], "activity": saved["activity"], "_head": {}}
    assert files.patch_of_saves(base, tables_reordered, changed) is None
    assert files.patch_of_saves({"activity": {}}, saved, changed) is None  # no sealed head to patch from


def test_every_transaction_of_the_store_is_patched_from_its_saves_as_make_patch_would(tmp_path, monkeypatch):
    """Random transactions (saves, edits, moves between months, deletes, a record saved twice): the
    fast patch is found for every one, and it is the patch make_patch finds by comparing every record."""
    import random

    found: list[tuple[dict, dict]] = []
    fast = files.patch_of_saves

    def both(base, data, changed):
        patch = fast(base, data, changed)
        checked = files.make_patch(base, data, changed)
        found.append((patch and files.dump(patch), checked and files.dump(checked)))  # (as they are now: the commit adds the new head)
        return patch

    store = _new(tmp_path / "s")
    monkeypatch.setattr(store_module, "patch_of_saves", both)
    rng = random.Random(22)
    ids = [f"f{i}" for i in range(FILLER)] + ["b", "new1", "new2"]
    for _ in range(60):
        ops = []
        for _ in range(rng.randint(1, 4)):
            rid = rng.choice(ids)
            roll = rng.random()
            if roll < 0.2 and store.get("o", "activity", rid) is not None and all(getattr(o, "id", None) != rid for o in ops):
                ops.append(Delete("o", "activity", rid))
            else:
                month = MONTH if roll < 0.8 else "2026-04"
                ops.append(Put("o", "activity", rid, {"title": f"t{rng.random()}"}, month))
        store.apply(ops)
    assert len(found) >= 60
    for patch, checked in found:
        assert patch is not None and patch == checked
    reopened = Store(store.root, user="carol")
    assert reopened.query("o", "activity", parts=[MONTH, "2026-04"]) == store.query("o", "activity", parts=[MONTH, "2026-04"])
