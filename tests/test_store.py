import json
import multiprocessing as mp
import os

import pytest

from coordtui.errors import ConflictError, StoreError
from coordtui.store import Put, Store
from coordtui.store.files import JOURNAL, PENDING, recover


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    return s


def test_put_get_query_and_revisions(store):
    doc = store.put("o1", "unit", "u1", {"name": "A"})
    assert doc["_rev"] == 1 and doc["_by"] == "alice"
    doc = store.put("o1", "unit", "u1", {"name": "B"}, rev=1)
    assert doc["_rev"] == 2
    assert store.get("o1", "unit", "u1")["name"] == "B"
    assert [d["name"] for d in store.query("o1", "unit")] == ["B"]
    assert store.get("o1", "unit", "nope") is None


def test_stale_revision_is_a_conflict_and_changes_nothing(store):
    store.put("o1", "unit", "u1", {"name": "A"})
    other = Store(store.root, user="bob")
    other.put("o1", "unit", "u1", {"name": "Bob's"}, rev=1)
    with pytest.raises(ConflictError) as err:
        store.put("o1", "unit", "u1", {"name": "Alice's"}, rev=1)
    assert err.value.current["name"] == "Bob's" and err.value.attempted["name"] == "Alice's"
    assert "by bob" in err.value.message
    assert store.get("o1", "unit", "u1")["name"] == "Bob's"


def test_create_refuses_an_existing_id(store):
    store.put("o1", "unit", "u1", {"name": "A"}, rev=0)
    with pytest.raises(ConflictError, match="already exists"):
        store.put("o1", "unit", "u1", {"name": "A2"}, rev=0)


def test_transaction_is_all_or_nothing(store):
    store.put("o1", "unit", "u1", {"name": "A"})
    with pytest.raises(ConflictError):
        store.apply([Put("o1", "act", "a1", {"x": 1}, "2026"), Put("o1", "unit", "u1", {"name": "Z"}, rev=7)])
    assert store.get("o1", "act", "a1") is None
    assert Store(store.root).get("o1", "act", "a1") is None
    assert store.get("o1", "unit", "u1")["name"] == "A"


def test_partitions_and_moving_between_years(store):
    store.put("o1", "act", "a1", {"d": 1}, part="2025")
    store.put("o1", "act", "a1", {"d": 2}, part="2026")
    assert store.get("o1", "act", "a1")["_part"] == "2026"
    assert len(store.query("o1", "act")) == 1
    assert store.query("o1", "act", parts=["2025"]) == []


def test_history_records_who_what_before_after(store):
    store.put("o1", "unit", "u1", {"name": "A"})
    Store(store.root, user="bob").put("o1", "unit", "u1", {"name": "B"})
    store.delete("o1", "unit", "u1")
    entries = store.history(org="o1", record_id="u1")
    assert [e["op"] for e in entries] == ["delete", "update", "create"]
    assert entries[1]["user"] == "bob" and entries[1]["before"]["name"] == "A" and entries[1]["after"]["name"] == "B"
    assert store.history(user="bob") == [entries[1]]
    assert store.verify_history() == []


def test_hand_edited_history_is_detected(store):
    store.put("o1", "unit", "u1", {"name": "A"})
    store.put("o1", "unit", "u1", {"name": "B"})
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["seq"] for e in entries] == [1, 2] and Store(store.root).verify_history() == []
    entries[0]["after"]["name"] = "forged"
    log.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))
    problems = Store(store.root).verify_history()
    assert any("history entry 1 was altered" in p for p in problems)
    log.write_text(json.dumps(entries[1], ensure_ascii=False) + "\n")  # the first entry removed
    assert any("out of sequence" in p for p in Store(store.root).verify_history())


def test_cache_follows_writes_from_another_instance(store):
    store.put("o1", "unit", "u1", {"name": "A"})
    assert store.get("o1", "unit", "u1")["name"] == "A"
    Store(store.root).put("o1", "unit", "u1", {"name": "B"})
    assert store.get("o1", "unit", "u1")["name"] == "B"


def test_returned_documents_do_not_alias_the_cache(store):
    store.put("o1", "unit", "u1", {"name": "A", "tags": ["x"]})
    got = store.get("o1", "unit", "u1")
    got["tags"].append("y")
    assert store.get("o1", "unit", "u1")["tags"] == ["x"]


def test_missing_corrupt_foreign_and_newer_stores_are_clear_errors(tmp_path, store):
    with pytest.raises(StoreError, match="there is no store here"):
        Store(tmp_path / "nothing")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("hi")
    with pytest.raises(StoreError, match="not a coordtui store"):
        Store(tmp_path / "other")
    meta = store.root / "meta.json"
    meta.write_text(json.dumps({"format": "coordtui-store", "schema": 99}))
    with pytest.raises(StoreError, match="newer coordtui"):
        Store(store.root)
    meta.write_text(json.dumps({"format": "coordtui-store", "schema": 1}))
    store.put("o1", "unit", "u1", {"name": "A"})
    part = store.root / "data" / "o1" / "structure.json"
    part.write_bytes(part.read_bytes()[:20])
    with pytest.raises(StoreError, match=r"structure.json: the store file is unreadable"):
        Store(store.root).get("o1", "unit", "u1")


def test_interrupted_multi_file_commit_is_finished_on_next_open(store):
    # A crash after the journal was written but before the renames: recovery rolls forward.
    target = store.root / "data" / "o1" / "2026.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name("2026.json.1.coordtui-tmp")
    tmp.write_text(json.dumps({"act": {"a1": {"id": "a1", "_rev": 1}}}))
    (store.root / JOURNAL).write_text(json.dumps({"files": [[str(tmp), str(target)]]}))
    assert recover(store.root)
    assert not (store.root / JOURNAL).exists()
    assert Store(store.root).get("o1", "act", "a1")["_rev"] == 1


def test_opening_removes_stale_temporary_files_in_the_store_and_none_through_a_link(store, tmp_path):
    """A killed writer's temporary files go when the store is next opened, wherever in the store
    they are; a folder linked into the store is not the store's, and nothing in it is removed."""
    stale = [store.root / "orgs.json.77.coordtui-tmp", store.root / "data" / "o1" / "2026-01.json.77.coordtui-tmp",
             store.root / "cache" / "check" / "o1" / "2026-10-15.json.77-1.coordtui-tmp"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"{}")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep.json.1.coordtui-tmp").write_bytes(b"mine")
    (store.root / "data" / "linked").symlink_to(outside)
    (store.root / "data" / "o1" / "link.json.1.coordtui-tmp").symlink_to(outside / "keep.json.1.coordtui-tmp")
    kept = store.root / "data" / "o1" / "2026-01.json"
    kept.write_bytes(b"{}")
    Store(store.root)
    assert not any(path.exists() for path in stale) and kept.exists()
    assert (outside / "keep.json.1.coordtui-tmp").read_bytes() == b"mine"
    assert (store.root / "data" / "o1" / "link.json.1.coordtui-tmp").is_symlink()


def _writer(root, who, n):
    s = Store(root, user=who)
    for i in range(n):
        s.put("o1", "unit", f"{who}-{i}", {"name": f"{who} {i}"}, rev=0)


def test_two_processes_writing_at_once_lose_nothing(store):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(store.root), w, 60)) for w in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    fresh = Store(store.root)
    assert len(fresh.query("o1", "unit")) == 120
    assert fresh.verify_history() == []


def test_read_only_store_reports_and_keeps_state(store):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    store.put("o1", "unit", "u1", {"name": "A"})
    folder = store.root / "data" / "o1"
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            store.put("o1", "unit", "u1", {"name": "B"})
    finally:
        folder.chmod(0o700)
    assert Store(store.root).get("o1", "unit", "u1")["name"] == "A"


@pytest.mark.parametrize("error,words", [("ENOSPC", "No space left on device"), ("EROFS", "Read-only file system"), ("EACCES", "Permission denied")])
def test_a_full_disk_or_read_only_store_reports_the_problem_and_keeps_the_previous_state(store, monkeypatch, error, words):
    import errno

    import coordtui.store.files as files

    store.put("o1", "unit", "u1", {"name": "A"})
    store.put("o1", "act", "a1", {"x": 1}, part="2026")
    real_open = open

    def full(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).endswith(".coordtui-tmp"):
            raise OSError(getattr(errno, error), words)
        return real_open(path, mode, *args, **kwargs)

    def journal_full(fd, payload):  # (an appended save writes no temporary file: the journal's record is its first write)
        raise OSError(getattr(errno, error), words)

    monkeypatch.setattr(files, "open", full, raising=False)
    monkeypatch.setattr(files, "_write_all", journal_full)
    with pytest.raises(StoreError, match=f"{words}.*nothing was changed"):
        store.apply([Put("o1", "unit", "u1", {"name": "B"}), Put("o1", "act", "a1", {"x": 2}, "2026")])
    monkeypatch.undo()
    fresh = Store(store.root)
    assert fresh.get("o1", "unit", "u1")["name"] == "A" and fresh.get("o1", "act", "a1")["x"] == 1
    assert not list(store.root.rglob("*.coordtui-tmp")) and fresh.verify_history() == []
    assert store.get("o1", "unit", "u1")["name"] == "A"  # the writer's own cache was not left with the failed change
    # Nor its manifest (a commit changes the one it keeps in place): the same writer saves again.
    store.apply([Put("o1", "unit", "u1", {"name": "C"}), Put("o1", "act", "a1", {"x": 3}, "2026")])
    again = Store(store.root)
    assert again.get("o1", "unit", "u1")["name"] == "C" and again.get("o1", "act", "a1")["x"] == 3 and again.verify_history() == []


@pytest.mark.usefixtures("whole_writes")  # (each save writes the file whole: the version it replaced is a backup)
def test_a_corrupt_file_names_its_newest_good_backup_and_restore_needs_the_user(store, capsys):
    from coordtui.cli import main

    for n in range(5):
        store.put("o1", "unit", "u1", {"name": f"v{n}"})
    part = store.root / "data" / "o1" / "structure.json"
    part.write_bytes(b'{"unit": {"u1": {"na')  # truncated by a crash or a stray program
    with pytest.raises(StoreError) as err:
        Store(store.root).get("o1", "unit", "u1")
    message = err.value.message
    assert "structure.json: the store file is unreadable" in message and "newest good backup" in message
    assert f"coordtui restore --db {store.root} data/o1/structure.json" in message
    assert part.read_bytes() == b'{"unit": {"u1": {"na'  # nothing overwritten before the user agrees
    assert main(["restore", "data/o1/structure.json", "--db", str(store.root), "--lang", "en"]) == 0
    assert "broken file is kept" in capsys.readouterr().out
    fresh = Store(store.root)
    assert fresh.get("o1", "unit", "u1")["name"] == "v3"  # the version before the last save
    assert list(part.parent.glob("structure.json.broken-*"))


def test_an_empty_store_file_without_backups_says_so(tmp_path):
    s = Store(tmp_path / "s", create=True)
    s.put_org({"id": "o", "name": "O", "model": "m"})
    s.put("o", "unit", "u", {"name": "x"})
    part = s.root / "data" / "o" / "structure.json"
    part.write_bytes(b"")
    with pytest.raises(StoreError, match="empty.*no backup of it is kept"):
        Store(s.root).get("o", "unit", "u")


def test_a_crash_between_the_rename_and_the_history_append_is_finished_by_the_next_writer(store, monkeypatch):
    import coordtui.store.files as files

    store.put("o1", "unit", "u1", {"name": "A"})

    def crash(path, offset, payload):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files, "_append", crash)
    with pytest.raises(StoreError, match="history could not be written yet"):
        store.put("o1", "unit", "u1", {"name": "B"})
    monkeypatch.undo()
    assert (store.root / PENDING).exists()  # the commit journal holds the entry that did not reach the log
    other = Store(store.root, user="bob")
    other.put("o1", "unit", "u2", {"name": "C"})  # the next writer finishes the commit first
    assert not (store.root / PENDING).exists()
    assert [e["op"] for e in reversed(other.history(record_id="u1"))] == ["create", "update"]
    assert other.get("o1", "unit", "u1")["name"] == "B" and other.verify_history() == []


@pytest.mark.usefixtures("whole_writes")
def test_a_schema_1_store_has_its_history_moved_to_logs_on_open(tmp_path):
    # Version 1 kept each file's history as a "_history" table inside the file.
    old = Store(tmp_path / "s", create=True, user="alice")
    old.put_org({"id": "o1", "name": "Org", "model": "m"})
    old.put("o1", "unit", "u1", {"name": "A"})
    old.put("o1", "unit", "u1", {"name": "B"})
    # (and knew nothing of seals: no store id, no manifest, no sealed heads, no seals on entries)
    for data_file in [old.root / "orgs.json", old.root / "data" / "o1" / "structure.json"]:
        log = data_file.with_name(data_file.name[:-5] + ".history.jsonl")
        data = json.loads(data_file.read_text())
        data.pop("_head")
        entries = [{k: v for k, v in e.items() if k != "seal"} for e in map(json.loads, log.read_text().splitlines())]
        data["_history"] = {str(e["seq"]): e for e in entries}
        data_file.write_text(json.dumps(data, ensure_ascii=False))
        log.unlink()
    (old.root / "manifest.json").unlink()
    meta = json.loads((old.root / "meta.json").read_text())
    meta.pop("store_id")
    (old.root / "meta.json").write_text(json.dumps(meta | {"schema": 1}))

    fresh = Store(old.root, user="bob")
    assert json.loads((old.root / "meta.json").read_text())["schema"] == 6  # schema 2 moved the history, 3 sealed it, 4 journals commits, 5 journals patches, 6 appends saves
    assert "_history" not in json.loads((old.root / "data" / "o1" / "structure.json").read_text())
    assert [e["after"]["name"] for e in fresh.history(record_id="u1")] == ["B", "A"] and fresh.verify_history() == []
    fresh.put("o1", "unit", "u1", {"name": "C"})  # the chain goes on from the moved entries
    assert [e["seq"] for e in fresh.history(record_id="u1")] == [3, 2, 1] and fresh.verify_history() == []


# the index from record id to partition (issue 22) -------------------------------------------

def test_the_index_follows_records_another_store_moved_added_or_deleted(store):
    store.put("o1", "act", "a1", {"d": 1}, part="2026-01")
    store.put("o1", "act", "a2", {"d": 1}, part="2026-01")
    assert store.get("o1", "act", "a1")["_part"] == "2026-01"  # the index is built
    other = Store(store.root, user="bob")
    other.put("o1", "act", "a1", {"d": 2}, part="2026-02")  # moved by someone else
    other.put("o1", "act", "a3", {"d": 1}, part="2026-03")  # added in a partition new to the index
    other.delete("o1", "act", "a2")
    assert store.get("o1", "act", "a1")["_part"] == "2026-02" and store.get("o1", "act", "a1")["d"] == 2
    assert store.get("o1", "act", "a3")["_part"] == "2026-03"
    assert store.get("o1", "act", "a2") is None
    # A save builds on where the record is now: its revision goes on, it stays in one place.
    with pytest.raises(ConflictError):
        store.put("o1", "act", "a1", {"d": 3}, part="2026-04", rev=1)
    assert store.put("o1", "act", "a1", {"d": 3}, part="2026-04", rev=2)["_rev"] == 3
    assert [d["d"] for d in Store(store.root).query("o1", "act") if d["id"] == "a1"] == [3]
    # A deleted id created again goes on from its tombstone's revision.
    assert store.put("o1", "act", "a2", {"d": 9}, part="2026-05")["_rev"] == 2
    assert store.verify_history() == []


def test_the_index_follows_a_record_another_process_moved(store):
    import subprocess
    import sys

    store.put("o1", "act", "a1", {"d": 1}, part="2026-01")
    assert store.get("o1", "act", "a1")["_part"] == "2026-01"
    code = ("import sys; from coordtui.store import Store; "
            "Store(sys.argv[1], user='bob').put('o1', 'act', 'a1', {'d': 2}, part='2026-07', rev=1)")
    subprocess.run([sys.executable, "-c", code, str(store.root)], check=True, timeout=60)
    assert store.get("o1", "act", "a1")["_part"] == "2026-07"
    assert store.put("o1", "act", "a1", {"d": 3}, part="2026-08", rev=2)["_part"] == "2026-08"
    assert [(d["id"], d["d"]) for d in Store(store.root).query("o1", "act")] == [("a1", 3)]


def test_one_transaction_moving_an_id_twice_leaves_it_in_one_place(store):
    store.put("o1", "act", "a0", {"d": 0}, part="2026-01")
    store.apply([Put("o1", "act", f"a{i}", {"d": i}, f"2026-{i % 3 + 1:02d}") for i in range(1, 30)]
                + [Put("o1", "act", "a0", {"d": 1}, "2026-02"), Put("o1", "act", "a0", {"d": 2}, "2026-03"),
                   Put("o1", "act", "a5", {"d": 5}, "2026-01")])
    fresh = Store(store.root)
    docs = fresh.query("o1", "act")
    assert len(docs) == 30 and sorted({d["id"] for d in docs}) == sorted(f"a{i}" for i in range(30))
    assert fresh.get("o1", "act", "a0")["_part"] == "2026-03" and fresh.get("o1", "act", "a0")["_rev"] == 3
    assert fresh.get("o1", "act", "a5")["_part"] == "2026-01" and fresh.get("o1", "act", "a5")["_rev"] == 2
    assert sorted(e["op"] for e in fresh.history(record_id="a0")) == ["create", "move-out", "move-out", "update", "update"]
    assert fresh.verify_history() == []
