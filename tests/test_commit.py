"""One save's cost and its durability (issue 22): a commit is one record of the commit journal,
fsynced once; a writer killed at any step, or a power cut, leaves the old state or the new, whole,
with the history matching the data.

Kills are real (``os._exit`` in a forked child at each step of ``commit_files``); a power cut is
simulated by putting back every file as it was at the last checkpoint (what an unsynced write may
lose), keeping the journal's synced records, and a new boot id.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import coordtui.store.files as files
from conftest import checkpointed, power_cut
from coordtui.errors import StoreError
from coordtui.store import Put, Store

MONTH = "2026-03"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked writer")


def _new(root: Path) -> Store:
    store = Store(root, create=True, user="alice")
    store.put_org({"id": "o", "name": "O", "model": "m"})
    store.put("o", "activity", "a", {"v": "old"}, part=MONTH)
    store.put("o", "activity", "b", {"v": "old"}, part="2026-04")
    return store


def _state(root: Path) -> dict[str, object]:
    s = Store(root, user="carol")  # opening recovers
    return {"a": (s.get("o", "activity", "a") or {}).get("v"), "b": (s.get("o", "activity", "b") or {}).get("v"),
            "c": (s.get("o", "activity", "c") or {}).get("v"), "problems": s.verify_history()}


def _save(store: Store) -> None:
    """One transaction over two partitions and a new one: three data files, three logs, the manifest."""
    store.apply([Put("o", "activity", "a", {"v": "new"}, MONTH), Put("o", "activity", "b", {"v": "new"}, "2026-04"),
                 Put("o", "activity", "c", {"v": "new"}, "2026-05")])


OLD = {"a": "old", "b": "old", "c": None, "problems": []}
NEW = {"a": "new", "b": "new", "c": "new", "problems": []}


def _killed_at(root: Path, patch) -> None:
    """Save in a forked child that ``patch`` (given the child's store) kills at one step."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            store = Store(root, user="bob")
            patch(store)
            _save(store)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 9, "the child was not killed where it should have been"


def _die(*_args, **_kwargs):
    os._exit(9)


def _nth(real, n, when=lambda *a: True):
    calls = []

    def step(*args, **kwargs):
        if when(*args):
            if len(calls) == n:
                os._exit(9)
            calls.append(args)
        return real(*args, **kwargs)

    return step


KILLS = {
    # before the commit point: the save never returned, so either state may be found, whole
    "the record half written": ("either", lambda s: setattr(files, "_write_all", lambda fd, b: (os.write(fd, b[: len(b) // 2]), _die()))),
    "the record written, not yet fsynced": ("either", lambda s: setattr(os, "fdatasync", _die)),
    # after it: the commit is durable and is finished by the next process
    "before the first rename": ("new", lambda s: setattr(files, "_into_place", _nth(files._into_place, 0))),
    "after one data file's rename": ("new", lambda s: setattr(files, "_into_place", _nth(files._into_place, 1))),
    "after every rename, before the logs": ("new", lambda s: setattr(files, "_append", _die)),
    "after one log's append": ("new", lambda s: setattr(files, "_append", _nth(files._append, 1))),
    "after everything, before the pending mark goes": ("new", lambda s: setattr(files, "_unlink", _die)),
}


@pytest.mark.parametrize("step", list(KILLS))
@pytest.mark.usefixtures("whole_writes")
def test_a_writer_killed_at_each_step_of_a_commit_leaves_the_old_or_the_new_state_whole(tmp_path, step):
    expected, patch = KILLS[step]
    store = _new(tmp_path / "s")
    _killed_at(store.root, patch)
    found = _state(store.root)
    assert found == NEW if expected == "new" else found in (OLD, NEW), found
    assert not (store.root / files.PENDING).exists() and not list(store.root.rglob("*.coordtui-tmp"))
    # and the store goes on: the next save builds on what was found
    Store(store.root).put("o", "activity", "a", {"v": "next"}, part=MONTH)
    assert _state(store.root)["a"] == "next" and _state(store.root)["problems"] == []


@pytest.mark.usefixtures("whole_writes")
def test_a_reader_open_during_a_killed_commit_sees_it_whole(tmp_path):
    store = _new(tmp_path / "s")
    reader = Store(store.root, user="dave")
    assert reader.get("o", "activity", "a")["v"] == "old"
    _killed_at(store.root, lambda s: setattr(files, "_into_place", _nth(files._into_place, 1)))
    assert (store.root / files.PENDING).exists()  # the killed writer's commit is half in place
    assert [reader.get("o", "activity", k)["v"] for k in "abc"] == ["new"] * 3


@pytest.mark.parametrize("manifest", ["as at the checkpoint", "renamed but empty"])
def test_after_a_power_cut_every_returned_save_is_put_back_from_the_journal(tmp_path, monkeypatch, manifest):
    store = _new(tmp_path / "s")
    snapshot = checkpointed(store, tmp_path)
    _save(store)
    store.put("o", "activity", "a", {"v": "newer"}, part="2026-06")  # moved to another month
    store.delete("o", "activity", "b")
    power_cut(store.root, snapshot, monkeypatch)
    if manifest == "renamed but empty":  # the journal holds only the manifest's changes: it is rebuilt without reading it
        (store.root / "manifest.json").write_bytes(b"")
    assert _state(tmp_path / "s") == {"a": "newer", "b": None, "c": "new", "problems": []}
    fresh = Store(store.root)
    assert fresh.get("o", "activity", "a")["_part"] == "2026-06" and fresh.query("o", "activity", parts=[MONTH]) == []
    # the journal was emptied once it was all on the disk, and names the boot it now belongs to
    assert (store.root / files.WAL).read_bytes() == files._journal_start(store.root, "another-boot")


def test_a_record_cut_short_by_the_power_cut_is_not_put_back(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    snapshot = checkpointed(store, tmp_path)
    store.put("o", "activity", "a", {"v": "kept"}, part=MONTH)
    journal = store.root / files.WAL
    whole = journal.read_bytes()
    _save(store)
    cut = journal.read_bytes()
    journal.write_bytes(cut[: len(whole) + (len(cut) - len(whole)) // 2])  # the last record never reached the disk whole
    power_cut(store.root, snapshot, monkeypatch)
    assert _state(store.root) == {"a": "kept", "b": "old", "c": None, "problems": []}


def test_a_record_of_zeros_or_another_crc_is_not_put_back(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    snapshot = checkpointed(store, tmp_path)
    journal = store.root / files.WAL
    before = journal.read_bytes()
    store.put("o", "activity", "a", {"v": "lost"}, part=MONTH)
    record = journal.read_bytes()[len(before):]
    head, _, body = record.partition(b"\n")
    journal.write_bytes(before + head + b"\n" + b"\0" * len(body))  # a file system that shows unwritten blocks as zeros
    power_cut(store.root, snapshot, monkeypatch)
    assert _state(store.root) == OLD


def test_one_save_fsyncs_once_and_renames_only_what_it_replaces(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    calls: list[str] = []
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda fd, real=real, name=name: (calls.append(name), real(fd))[1])
    store.put("o", "activity", "a", {"v": "new"}, part=MONTH)
    assert calls == ["fdatasync"]
    assert Store(store.root).get("o", "activity", "a")["v"] == "new"


def test_where_the_boot_cannot_be_told_each_commit_is_made_durable_before_it_returns(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    monkeypatch.setattr(files, "_BOOT", [None])
    synced: list[str] = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real(fd))[1])
    store.put("o", "activity", "a", {"v": "new"}, part=MONTH)
    names = {Path(p).name for p in synced}
    assert {files.WAL, f"{MONTH}.json", f"{MONTH}.history.jsonl", "manifest.json"} <= names
    assert (store.root / files.WAL).read_bytes() == files._journal_start(store.root, None)  # nothing left to put back


@pytest.mark.usefixtures("whole_writes")
def test_the_journal_is_checkpointed_when_it_grows_past_its_bound(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    monkeypatch.setattr(files, "CHECKPOINT_BYTES", 0)
    store.put("o", "activity", "a", {"v": "one"}, part=MONTH)
    store.put("o", "activity", "a", {"v": "two"}, part=MONTH)
    records = files._journal_records(store.root, store.root / files.WAL, (store.root / files.WAL).read_bytes())[1]
    # the earlier ones were made durable and dropped: the manifest as it was then, and the last save
    assert [[f.name for f, _ in r.files] for r in records] == [["manifest.json"], [f"{MONTH}.json"]]
    assert b'"two"' in bytes(records[1].files[0][1]) and records[1].manifest[0] == {f"data/o/{MONTH}.json": 3}


def test_a_planted_journal_record_naming_a_file_outside_the_store_is_refused_and_nothing_is_replayed(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    victim = tmp_path / "victim.json"
    victim.write_bytes(b"{}")
    journal = store.root / files.WAL
    planted = files._journal_record(tmp_path, [(victim, b'{"planted": {}}')], [])
    planted[0] = planted[0].replace(b'"victim.json"', b'"../victim.json"')
    journal.write_bytes(journal.read_bytes() + b"".join(planted))
    monkeypatch.setattr(files, "_BOOT", ["another-boot"])
    with pytest.raises(StoreError, match="the journal names ../victim.json.*nothing was replayed"):
        Store(store.root)
    assert victim.read_bytes() == b"{}"


def test_a_commit_journal_left_by_the_earlier_design_is_still_finished(tmp_path):
    import json

    store = _new(tmp_path / "s")
    target = store.root / "data" / "o" / "2026.json"
    tmp = target.with_name("2026.json.1.coordtui-tmp")
    tmp.write_text(json.dumps({"act": {"a1": {"id": "a1", "_rev": 1}}}))
    (store.root / files.JOURNAL).write_text(json.dumps({"files": [["data/o/2026.json.1.coordtui-tmp", "data/o/2026.json"]], "appends": []}))
    assert files.recover(store.root)
    assert not (store.root / files.JOURNAL).exists() and target.exists() and not tmp.exists()


def test_the_id_index_learns_each_commit_and_stays_what_reading_every_file_gives(tmp_path):
    store = _new(tmp_path / "s")
    store.get("o", "activity", "a")  # the index is built
    store.put("o", "activity", "a", {"v": 2}, part="2026-06")  # moved: leaves 2026-03
    store.delete("o", "activity", "b")  # deleted: its tombstone stays in 2026-04
    store.apply([Put("o", "activity", "c", {"v": 1}, "2026-07"), Put("o", "activity", "c", {"v": 2}, "2026-08")])
    store.put("o", "activity", "b", {"v": 3}, part="2026-03")  # created again elsewhere
    learned = {key: set(parts) for key, parts in store._index["o"].where.items()}
    fresh = Store(store.root)
    assert learned == {key: set(parts) for key, parts in fresh._where("o").items()}
    assert learned["activity/a"] == {"2026-06"} and learned["activity/b"] == {"2026-03", "2026-04"}
    assert learned["activity/c"] == {"2026-08"}


def test_the_id_index_is_not_fooled_by_a_commit_of_another_process_after_its_own(tmp_path):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "a", {"v": 2}, part=MONTH)  # learned, not read
    Store(store.root, user="bob").put("o", "activity", "a", {"v": 3}, part="2026-09")  # moved by another process
    assert store.get("o", "activity", "a")["_part"] == "2026-09"
    store.put("o", "activity", "a", {"v": 4}, part="2026-09", rev=3)
    assert [d["v"] for d in Store(store.root).query("o", "activity") if d["id"] == "a"] == [4]


def test_a_rename_refused_after_the_commit_point_is_one_line_and_the_next_open_completes_it(tmp_path, monkeypatch):
    import errno

    store = _new(tmp_path / "s")

    def refused(root, tmp, final, keep):  # each file put in place (a rename, or a swap of names)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files, "_into_place", refused)
    with pytest.raises(StoreError) as err:
        _save(store)
    assert "the change is saved but not yet in place (Input/output error)" in err.value.message and "\n" not in err.value.message
    assert err.value.message_zh and "下次保存时会自动完成" in err.value.message_zh
    monkeypatch.undo()
    assert _state(store.root) == NEW


def test_a_checkpoint_makes_every_file_the_journal_names_durable(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    _save(store)
    synced: list[str] = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real(fd))[1])
    with store.locked():
        files._checkpoint(store.root)
    names = {str(Path(p).relative_to(store.root)) for p in synced}
    assert {f"data/o/{m}.json" for m in (MONTH, "2026-04", "2026-05")} <= names
    assert {f"data/o/{m}.history.jsonl" for m in (MONTH, "2026-04", "2026-05")} <= names and "manifest.json" in names
    assert (store.root / files.WAL).read_bytes() == files._journal_start(store.root, files.boot_id())


def test_a_full_disk_while_the_record_is_written_changes_nothing_and_leaves_no_record(tmp_path, monkeypatch):
    import errno

    store = _new(tmp_path / "s")
    journal = (store.root / files.WAL).read_bytes()

    def full(fd, payload):
        os.write(fd, payload[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_all", full)
    with pytest.raises(StoreError, match="No space left on device.*nothing was changed"):
        _save(store)
    monkeypatch.undo()
    assert (store.root / files.WAL).read_bytes() == journal and not (store.root / files.PENDING).exists()
    assert not list(store.root.rglob("*.coordtui-tmp")) and _state(store.root) == OLD


def test_a_store_of_the_design_before_the_journal_is_upgraded_and_an_older_coordtui_then_refuses_it(tmp_path, monkeypatch):
    import coordtui.store.store as store_module

    with monkeypatch.context() as older:  # a store as schema 3's coordtui wrote it
        older.setattr(store_module, "SCHEMA_VERSION", 3)
        _new(tmp_path / "s")
    assert orjson_load(tmp_path / "s" / "meta.json")["schema"] == 3
    store = Store(tmp_path / "s", user="carol")  # this coordtui upgrades it on opening
    assert orjson_load(tmp_path / "s" / "meta.json")["schema"] == store_module.SCHEMA_VERSION
    assert store.get("o", "activity", "a")["v"] == "old" and store.verify_history() == []
    # A coordtui that knows nothing of journal.wal (schema 3) no longer opens it: a commit a
    # crash left half in place would be read torn, and its own writes undone by a replay.
    current = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 3)
    with pytest.raises(StoreError, match=rf"written by a newer coordtui \(schema {current}, this one reads 3\)"):
        Store(tmp_path / "s", user="carol")


def orjson_load(path: Path) -> dict:
    from coordtui.store.files import parse_store_file

    return parse_store_file(path, path.read_bytes())


def test_a_broken_or_missing_manifest_is_made_again_from_the_verified_sealed_heads(tmp_path):
    root = tmp_path / "s"
    store = _new(root)
    manifest = root / "manifest.json"
    with pytest.raises(StoreError, match="is intact"):
        Store.restore(root, "manifest.json")
    manifest.write_text("garbage")
    assert any("manifest.json" in p for p in Store(root, user="carol").verify_history())
    target, backup, aside = Store.restore(root, "manifest.json")
    assert target == manifest.resolve() and backup is None and aside.read_text() == "garbage"
    again = Store(root, user="carol")
    assert again.verify_history() == []
    again.put("o", "activity", "a", {"v": "after"}, part=MONTH)  # saves go on from it
    assert Store(root, user="dan").get("o", "activity", "a")["v"] == "after"
    manifest.unlink()
    assert Store.restore(root, "manifest.json")[2] is None and Store(root).verify_history() == []


def test_the_manifest_is_not_made_again_over_a_file_put_back_to_an_earlier_version(tmp_path):
    root = tmp_path / "s"
    store = _new(root)
    part = root / "data" / "o" / f"{MONTH}.json"
    earlier = part.read_bytes()
    store.put("o", "activity", "a", {"v": "newer"}, part=MONTH)
    part.write_bytes(earlier)  # its own good head, of an earlier entry: only the manifest knew
    (root / "manifest.json").unlink()
    with pytest.raises(StoreError, match=rf"data/o/{MONTH}.json: does not verify, so the manifest cannot be made again"):
        Store.restore(root, "manifest.json")
    assert not (root / "manifest.json").exists()


@pytest.mark.parametrize("linked", [True, False], ids=["the turnstile linked", "no link to be had"])
def test_the_pending_marker_stands_from_the_commit_point_until_every_file_is_in_place(tmp_path, monkeypatch, linked):
    import errno

    store = _new(tmp_path / "s")
    marker, turnstile = store.root / files.PENDING, store.root / ".lock"
    seen = []
    real_sync = os.fdatasync

    def at_the_commit_point(fd):
        real_sync(fd)
        seen.append(os.path.lexists(marker) and (os.stat(marker).st_ino == os.stat(turnstile).st_ino) == linked)

    def no_link(*args, **kwargs):  # (another account's turnstile, a file system without hard links)
        raise PermissionError(errno.EPERM, "Operation not permitted")

    if not linked:
        monkeypatch.setattr(os, "link", no_link)
    monkeypatch.setattr(os, "fdatasync", at_the_commit_point)
    _save(store)
    monkeypatch.undo()
    assert seen == [True]  # (one commit: one fdatasync, the marker already made)
    assert not os.path.lexists(marker) and _state(store.root) == NEW
    # The turnstile a marker was a second name of is as it was: empty, one name, its mode.
    assert turnstile.read_bytes() == b"" and turnstile.stat().st_nlink == 1 and turnstile.stat().st_mode & 0o777 == 0o600
