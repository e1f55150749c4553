"""A save appends one line to its data file (schema 6, issue 22): the records it saved, moved or
deleted and the file's new sealed head, chained from the one before, instead of the whole month
file written again. Readers apply each line in order; a file whose lines reach their bound is
written whole again, and the version it replaces becomes its newest backup.

These tests prove: a file of appended lines reads, in a fresh process, as the same file written
whole; the bound; hand edits of a line (changed, removed, reordered, cut, repeated) reported and
no save sealing over them; a writer killed at any moment (during the append too) and a power cut
lose no acknowledged save; another process's appended save is seen by a long-lived reader and by
a check's kept results; a schema-5 store migrates and a schema-5 coordtui refuses a schema-6 one.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import orjson
import pytest

import coordtui.store.files as files
import coordtui.store.store as store_module
from conftest import checkpointed, filled_store, power_cut, run
from coordtui.errors import StoreError
from coordtui.store import Delete, Put, Store

MONTH = "2026-03"
#: The last commit of schema 5 (the commit journal's patches), before a save appended to its file.
SCHEMA_5_COMMIT = "a11d44d"
FILLER = 60


def _new(root: Path) -> Store:
    return filled_store(root, MONTH, FILLER)


def _path(store: Store, part: str = MONTH) -> Path:
    return store.root / "data" / "o" / f"{part}.json"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def _saves(store: Store) -> None:
    """New records, one saved again, one deleted, one moved to another month, one transaction of two."""
    store.put("o", "activity", "n1", {"v": "new"}, part=MONTH, rev=0)
    store.put("o", "activity", "f3", {"v": "edited"}, part=MONTH)
    store.put("o", "activity", "n2", {"v": "new", "nested": {"k": [1, 2]}}, part=MONTH, rev=0)
    store.delete("o", "activity", "f5")
    store.put("o", "activity", "f7", {"v": "moved"}, part="2026-04")
    store.apply([Put("o", "activity", "n3", {"v": "new"}, MONTH), Delete("o", "activity", "n1")])
    store.put("o", "unit", "u1", {"name": "a new table"}, part=MONTH)


READ = r"""
import json, sys
from coordtui.store import Store
store = Store(sys.argv[1])
print(json.dumps({kind: {d["id"]: d for d in store.query("o", kind, parts=[sys.argv[2]])} for kind in ("activity", "unit")}))
"""


def _read_elsewhere(root: Path, part: str = MONTH) -> dict:
    """The records of ``part`` as a fresh process reads them."""
    out = subprocess.run([sys.executable, "-c", READ, str(root), part], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def _tables(path: Path) -> dict:
    return {k: v for k, v in files.parse_store_file(path, path.read_bytes()).items() if k != files.HEAD}


def test_saves_append_lines_that_read_in_a_fresh_process_as_the_file_written_whole(tmp_path, monkeypatch):
    appended = _new(tmp_path / "a")
    _saves(appended)
    path = _path(appended)
    lines = _lines(path)
    assert len(lines) == 8  # the first line and one per save into the month
    assert all(orjson.loads(line) for line in lines)  # each line is JSON of its own
    assert list(orjson.loads(lines[-1])) == ["new", "ops", "_head"]
    assert appended.verify_history() == []
    with monkeypatch.context() as whole:  # the same saves, each writing the file whole
        whole.setattr(files, "_MAX_LINES", 0)
        written = _new(tmp_path / "w")
        _saves(written)
    assert len(_lines(_path(written))) == 1
    # (the times saved differ where the two stores' saves straddle a second)
    strip = lambda tables: {k: {i: {f: v for f, v in d.items() if f not in ("_at",)} for i, d in t.items()} for k, t in tables.items()}
    for part in (MONTH, "2026-04"):
        assert strip(_tables(_path(appended, part))) == strip(_tables(_path(written, part)))
        here, there = _read_elsewhere(appended.root, part), _read_elsewhere(written.root, part)
        assert strip(here) == strip(there) and here["activity"]
    assert list(_read_elsewhere(appended.root)["activity"])[-2:] == ["n2", "n3"]  # saved again: at its table's end, as whole
    # No backup is kept per appended save: the version written whole is the one kept
    assert not files.backup_paths(appended.root, path)


def test_a_file_is_written_whole_at_its_bound_and_the_version_replaced_is_its_newest_backup(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    path = _path(store)
    first = len(_lines(path)[0])
    monkeypatch.setattr(files, "_MAX_LINES", 5)
    for k in range(5):
        store.put("o", "activity", f"f{k}", {"v": f"edit {k}"}, part=MONTH)
    assert len(_lines(path)) == 6 and not files.backup_paths(store.root, path)
    before = path.read_bytes()
    store.put("o", "activity", "f9", {"v": "past the bound"}, part=MONTH)
    assert len(_lines(path)) == 1
    assert files.backup_paths(store.root, path) == [store.root / "backups" / "data" / "o" / f"{MONTH}.json.1"]
    assert files.backup_paths(store.root, path)[0].read_bytes() == before  # the replaced version, its lines and all
    assert files.newest_good_backup(store.root, path) == files.backup_paths(store.root, path)[0]
    assert store.verify_history() == []
    # The bound in bytes: lines larger than a quarter of the first line
    monkeypatch.setattr(files, "_MAX_LINES", 256)
    grown = 0
    for k in range(100):
        store.put("o", "activity", "big", {"v": "x" * 500, "k": k}, part=MONTH)
        lines = _lines(path)
        if len(lines) == 1 and k:
            break
        grown = max(grown, sum(map(len, lines[1:])))
    else:
        pytest.fail("never written whole")
    assert grown * files._LINES_SHARE <= max(first, files._LINES_FLOOR) + 2000
    # A restore of the newest backup, as the unreadable file's hint says
    path.write_bytes(b"\x00garbage")
    with pytest.raises(StoreError, match=r"the newest good backup is .*coordtui restore --db"):
        Store(store.root).get("o", "activity", "f1")
    Store.restore(store.root, f"data/o/{MONTH}.json")
    fresh = Store(store.root)
    assert fresh.get("o", "activity", "f9")["v"] == "past the bound" and fresh.verify_history() == []


def _swap(lines: list[bytes], i: int, j: int) -> list[bytes]:
    lines = list(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


EDITS = {
    "changed": lambda lines: lines[:2] + [lines[2].replace(b'"edit 1"', b'"EDIT 1"')] + lines[3:],
    "removed": lambda lines: lines[:2] + lines[3:],
    "the last removed": lambda lines: lines[:-1],
    "reordered": lambda lines: _swap(lines, 2, 3),
    "cut short": lambda lines: lines[:-1] + [lines[-1][: len(lines[-1]) // 2]],
    "repeated": lambda lines: lines[:3] + [lines[2]] + lines[3:],
    "its head changed": lambda lines: lines[:2] + [lines[2].replace(b'"unsealed":0', b'"unsealed":1')] + lines[3:],
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_line_edited_by_hand_is_reported_and_no_save_seals_over_it(tmp_path, capsys, edit):
    store = _new(tmp_path / "s")
    for k in range(4):
        store.put("o", "activity", f"f{k}", {"v": f"edit {k}"}, part=MONTH)
    path = _path(store)
    lines = _lines(path)
    assert len(lines) == 5
    edited = b"\n".join(EDITS[edit](lines))
    assert edited != path.read_bytes()
    path.write_bytes(edited)
    fresh = Store(store.root, user="bob")
    problems = fresh.verify_history()
    assert problems and any(f"data/o/{MONTH}" in p for p in problems), problems
    with pytest.raises(StoreError) as refused:
        fresh.put("o", "activity", "f10", {"v": "over it"}, part=MONTH)
    assert "\n" not in refused.value.message
    assert path.read_bytes() == edited  # untouched
    code, out, err = run(capsys, "verify", "--db", store.root, "--lang", "en")
    # (a file that no longer parses is also refused by the rest of verify, in one line, as today)
    assert (code == 1 or (code == 2 and edit == "cut short")) and f"data/o/{MONTH}" in out + err
    assert len(err.strip().splitlines()) <= 1


def test_the_chain_is_over_each_line_not_the_whole_file_again(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "f1", {"v": "edit"}, part=MONTH)
    hashed: list[int] = []
    real = files.hashlib.sha256

    def counting(data=b""):
        hashed.append(len(data))
        return real(data)

    monkeypatch.setattr(files.hashlib, "sha256", counting)
    store.put("o", "activity", "f2", {"v": "edit"}, part=MONTH)
    assert hashed and max(hashed) < 2000  # the line, not the ~10 KB file
    first, *rest = _lines(_path(store))
    head = orjson.loads(rest[-1])["_head"]
    digest = orjson.loads(first)["_head"]["digest"]
    for line in rest:
        digest = real(bytes.fromhex(digest) + line[: line.rfind(b',"_head":')]).hexdigest()
    assert digest == head["digest"]


SAVER = r"""
import sys
from coordtui.store import Store
store = Store(sys.argv[1], user="saver")
for i in range(int(sys.argv[2])):
    store.put("o", "activity", f"s{i:04d}", {"v": "x" * 50, "i": i}, part="2026-03", rev=0)
    print(i, flush=True)
"""


def test_a_writer_killed_at_random_moments_keeps_every_acknowledged_save(tmp_path):
    store = _new(tmp_path / "s")
    root = store.root
    rng = random.Random(11)
    most = 0
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(root), "400"], stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.4, 1.5))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=120)
        returned = [int(line) for line in out.split()]
        fresh = Store(root)  # opens, finishing any interrupted commit
        ids = {d["id"] for d in fresh.query("o", "activity", parts=[MONTH])}
        assert {f"s{i:04d}" for i in returned} <= ids
        assert fresh.verify_history() == []
        most = max(most, len(_lines(_path(fresh))))
        fresh.apply([Delete("o", "activity", d) for d in sorted(ids) if d.startswith("s")])
    assert most > 1  # saves were appended, and killed in the middle of it


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked writer")
@pytest.mark.parametrize("step", ["in the middle of its line", "before its log's append", "the record not yet fsynced"])
def test_a_writer_killed_during_its_append_leaves_the_old_or_the_new_file(tmp_path, step):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "f1", {"v": "appended"}, part=MONTH)
    path = _path(store)
    old = path.read_bytes()
    pid = os.fork()
    if pid == 0:
        try:
            writer = Store(store.root, user="bob")
            real = files._append
            if step == "in the middle of its line":
                def half(target, offset, payload):
                    if target.name.endswith(".json"):
                        real(target, offset, payload[: len(payload) // 2])
                        os._exit(9)
                    real(target, offset, payload)
                files._append = half
            elif step == "before its log's append":
                def before_log(target, offset, payload):
                    if target.name.endswith(".jsonl"):
                        os._exit(9)
                    real(target, offset, payload)
                files._append = before_log
            else:
                os.fdatasync = lambda fd: os._exit(9)
            writer.put("o", "activity", "f2", {"v": "killed"}, part=MONTH)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 9
    assert (store.root / files.PENDING).exists()
    fresh = Store(store.root, user="carol")  # opening finishes (or drops) the killed commit
    found = fresh.get("o", "activity", "f2")
    if step == "the record not yet fsynced":
        assert found["v"] in ("killed", None) or "v" not in found
    else:
        assert found["v"] == "killed"
        assert path.read_bytes().startswith(old) and len(_lines(path)) == len(old.split(b"\n")) + 1
    assert fresh.verify_history() == [] and not (store.root / files.PENDING).exists()
    fresh.put("o", "activity", "f3", {"v": "next"}, part=MONTH)
    assert Store(store.root).verify_history() == []


def test_a_power_cut_replays_every_appended_save_and_compaction_byte_for_byte(tmp_path, monkeypatch):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "f1", {"v": "before the checkpoint"}, part=MONTH)
    snapshot = checkpointed(store, tmp_path)
    monkeypatch.setattr(files, "_MAX_LINES", 3)
    _saves(store)  # appends, a compaction (written whole: journaled whole) and appends after it
    for k in range(5):
        store.put("o", "activity", f"f{10 + k}", {"v": k}, part=MONTH)
    def files_now():
        return {p.relative_to(store.root): p.read_bytes() for p in [*(store.root / "data").rglob("*.json"), store.root / "manifest.json"]}

    before = files_now()
    assert any(len(raw.split(b"\n")) > 1 for raw in before.values())
    assert len(before[Path("manifest.json")].split(b"\n")) > 1
    power_cut(store.root, snapshot, monkeypatch)
    assert files_now() != before
    fresh = Store(store.root, user="carol")  # another boot: the whole journal put in place again
    after = files_now()
    assert after == before and fresh.verify_history() == []
    fresh.put("o", "activity", "f20", {"v": "after"}, part=MONTH)
    assert Store(store.root).verify_history() == []


WRITE = r"""
import sys
from coordtui.store import Store
store = Store(sys.argv[1], user="bob")
store.put("o", "activity", sys.argv[2], {"v": sys.argv[3]}, part="2026-03")
"""


def test_another_process_s_appended_save_is_seen_by_a_long_lived_store(tmp_path):
    store = _new(tmp_path / "s")
    store.put("o", "activity", "f1", {"v": "mine"}, part=MONTH)
    reader = Store(store.root, user="reader")
    assert reader.get("o", "activity", "f2")["v"] if "v" in reader.get("o", "activity", "f2") else True
    assert len(reader.query("o", "activity", parts=[MONTH])) == FILLER
    for k in range(3):
        subprocess.run([sys.executable, "-c", WRITE, str(store.root), f"f{2 + k}", f"theirs {k}"], check=True, timeout=120)
        assert reader.get("o", "activity", f"f{2 + k}")["v"] == f"theirs {k}"
        assert [d["v"] for d in reader.query("o", "activity", parts=[MONTH]) if d["id"] == f"f{2 + k}"] == [f"theirs {k}"]
        assert store.get("o", "activity", f"f{2 + k}")["v"] == f"theirs {k}"  # the writer of the lines before, too
    assert len(_lines(_path(store))) == 5
    store.put("o", "activity", "f9", {"v": "mine again"}, part=MONTH)  # its cache brought up to the other's lines
    assert Store(store.root).get("o", "activity", "f4")["v"] == "theirs 2" and store.verify_history() == []


CLI_DELETE = r"""
import sys
from coordtui.workspace import Workspace
ws = Workspace.open(sys.argv[1])
by_part = [list(ws.store.read_part("tjpu", part)[1].get("activity", {})) for part in ws.store.parts("tjpu")]
ids = max(by_part, key=len)[:2]  # two of one month's file: the second save appends to it
for record_id in ids:
    ws.delete("tjpu", "activity", record_id, rev=None)
"""


def test_another_process_s_appended_save_is_seen_by_a_check_s_kept_results(example_store, capsys, monkeypatch):
    from coordtui import check_output

    def check():
        code, out, err = run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", "2026-10-15", "--lang", "en")
        assert code in (0, 1), err
        return out

    first = check()
    assert check() == first  # kept
    sizes = {p: len(p.read_bytes().split(b"\n")) for p in (example_store / "data" / "tjpu").glob("*.json")}
    subprocess.run([sys.executable, "-c", CLI_DELETE, str(example_store)], check=True, timeout=300)
    grown = [p for p in sizes if len(p.read_bytes().split(b"\n")) > sizes[p]]
    assert grown, "the second delete appended a line"
    after = check()
    assert after != first
    monkeypatch.setattr(check_output, "serve", lambda args, root: (None, None))
    shutil.rmtree(example_store / "cache")
    assert check() == after  # what a check with no kept results at all says


def test_a_schema_5_store_is_migrated_and_a_schema_5_coordtui_refuses_a_schema_6_store(tmp_path, monkeypatch):
    with monkeypatch.context() as older:
        older.setattr(store_module, "SCHEMA_VERSION", 5)
        old = _new(tmp_path / "s")
        old.put("o", "activity", "f1", {"v": "written by schema 5"}, part=MONTH)
    assert orjson.loads((tmp_path / "s" / "meta.json").read_bytes())["schema"] == 5
    store = Store(tmp_path / "s", user="carol")
    assert orjson.loads((tmp_path / "s" / "meta.json").read_bytes())["schema"] == 6
    store.put("o", "activity", "f2", {"v": "appended"}, part=MONTH)
    assert store.get("o", "activity", "f1")["v"] == "written by schema 5" and store.verify_history() == []
    # The schema-5 code itself: the last commit before schema 6, from this checkout's history.
    repo = Path(__file__).resolve().parents[1]
    older_src = tmp_path / "schema5"
    older_src.mkdir()
    try:
        archive = subprocess.run(["git", "-C", str(repo), "archive", SCHEMA_5_COMMIT, "src/coordtui"],
                                 capture_output=True, timeout=120, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the schema-5 code ({SCHEMA_5_COMMIT}) is not in this checkout's git history: {exc}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(older_src, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    old_python = Path(sys.executable)
    env = dict(os.environ, PYTHONPATH=str(older_src / "src"))
    probe = subprocess.run([str(old_python), "-c", "import coordtui.store.store as s; print(s.SCHEMA_VERSION)"],
                           capture_output=True, text=True, timeout=120, env=env)
    assert probe.stdout.strip() == "5", probe.stderr
    refused = subprocess.run([str(old_python), "-m", "coordtui.cli", "check", "--db", str(tmp_path / "s"), "--lang", "en"],
                             capture_output=True, text=True, timeout=300, env=env)
    assert refused.returncode == 2
    assert "written by a newer coordtui (schema 6, this one reads 5)" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr


def test_records_whose_keys_collide_once_made_strings_are_refused_at_put(tmp_path, capsys):
    store = _new(tmp_path / "s")
    before = {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()}
    with pytest.raises(StoreError) as refused:
        store.put("o", "activity", "c1", {"v": {1: "a", "1": "b"}}, part=MONTH)
    assert "\n" not in refused.value.message and "'1'" in refused.value.message
    with pytest.raises(StoreError):
        store.put("o", "activity", "c1", {1: "a", "1": "b"}, part=MONTH)
    with pytest.raises(StoreError):
        store.put_org({"id": "p", "name": "P", "model": "m", "x": [{True: 1, "true": 2}]})
    assert {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()} == before
    stored = store.put("o", "activity", "c2", {"v": {1: "a", 2: "b"}}, part=MONTH)  # non-string keys that do not collide
    assert Store(store.root).get("o", "activity", "c2")["v"] == {"1": "a", "2": "b"} and stored
    assert store.verify_history() == []


@pytest.mark.parametrize("what", ["a named pipe", "a folder"])
def test_a_journal_that_is_not_a_file_is_named_for_what_it_is(tmp_path, capsys, what):
    store = _new(tmp_path / "s")
    journal = store.root / files.WAL
    journal.unlink()
    if what == "a named pipe":
        os.mkfifo(journal)
    else:
        journal.mkdir()
        (journal / "x").write_text("x")
    with pytest.raises(StoreError) as refused:
        Store(store.root).put("o", "activity", "f1", {"v": "x"}, part=MONTH)
    message = refused.value.message
    assert what.split()[-1].replace("pipe", "pipe") in message and "permissions" not in message, message
    assert "mv " in message and "\n" not in message
    code, out, err = run(capsys, "check", "--db", store.root, "--lang", "en")
    assert code == 2 and "permissions" not in err and len(err.strip().splitlines()) == 1, err


def test_a_hand_edit_between_two_saves_of_one_process_is_read_and_refused(tmp_path):
    """The journal as this process's last commit left it lets a save trust a file's cached content
    only while its signature is the one cached: an edit by hand changes it (its ctime at least)."""
    store = _new(tmp_path / "s")
    store.put("o", "activity", "f1", {"v": "mine"}, part=MONTH)
    path = _path(store)
    raw = path.read_bytes()
    edited = raw.replace(b"filler record 2 ", b"FILLER RECORD 2 ", 1)
    assert len(edited) == len(raw) and edited != raw
    path.write_bytes(edited)
    with pytest.raises(StoreError, match="changed outside coordtui"):
        store.put("o", "activity", "f2", {"v": "over it"}, part=MONTH)
    assert path.read_bytes() == edited


MANIFEST_EDITS = {
    "a seq changed": lambda lines: lines[:-1] + [lines[-1].replace(b'.json":', b'.json":1', 1)],
    "the last line removed": lambda lines: lines[:-1],
    "a line removed": lambda lines: lines[:1] + lines[2:],
    "a line repeated": lambda lines: lines + [lines[-2]],
}


@pytest.mark.parametrize("edit", list(MANIFEST_EDITS))
def test_the_manifest_appends_a_line_per_save_and_a_line_edited_by_hand_is_named(tmp_path, capsys, edit):
    store = _new(tmp_path / "s")
    manifest = store.root / "manifest.json"
    for k in range(3):
        store.put("o", "activity", f"f{k}", {"v": k}, part=MONTH)
        store.put("o", "activity", "b", {"v": k}, part="2026-04")
    lines = _lines(manifest)
    assert len(lines) > 3 and all(list(orjson.loads(line)) == ["set", "seal"] for line in lines[1:])
    assert Store(store.root).verify_history() == []
    manifest.write_bytes(b"\n".join(MANIFEST_EDITS[edit](lines)))
    fresh = Store(store.root, user="bob")
    problems = fresh.verify_history()
    assert problems and any("manifest" in p for p in problems), problems
    with pytest.raises(StoreError) as refused:  # (the file its last line was of: the one an earlier manifest is wrong about)
        fresh.put("o", "activity", "b", {"v": "over it"}, part="2026-04")
    assert "\n" not in refused.value.message


def test_the_manifest_is_written_whole_past_its_bound(tmp_path, monkeypatch):
    import coordtui.store.seal as seal_module

    store = _new(tmp_path / "s")
    manifest = store.root / "manifest.json"
    monkeypatch.setattr(seal_module, "MANIFEST_LINES", 3)
    counts = []
    for k in range(8):
        store.put("o", "activity", f"f{k}", {"v": k}, part=MONTH)
        counts.append(len(_lines(manifest)))
    assert 1 in counts and max(counts) == 4
    for k in range(9):  # lines of several files' entries, then the manifest whole again: sealed over every entry moved
        store.put("o", "activity", f"m{k}", {"v": k}, part=("2026-04", "2026-05", "2026-06")[k % 3])
    assert Store(store.root).verify_history() == []
    listed = orjson.loads(_lines(manifest)[0])["files"] if counts[-1] == 1 else None
    assert listed is None or list(listed) == sorted(listed)
    other = subprocess.run([sys.executable, "-c", WRITE, str(store.root), "f1", "theirs"], timeout=120)
    assert other.returncode == 0
    store.put("o", "activity", "f2", {"v": "mine"}, part=MONTH)  # over another process's line
    assert Store(store.root).verify_history() == []


def test_a_small_file_takes_a_few_saves_of_lines_before_it_is_written_whole(tmp_path):
    """A month file of a few records (most are) is appended to for several saves, as a large one
    is: written whole every second or third save, it cost a new inode and the renames of its
    backups each time for a read saved of a few KB of lines."""
    store = Store(tmp_path / "s", create=True, user="alice")
    store.put_org({"id": "o", "name": "O", "model": "m"})
    store.put("o", "activity", "first", {"v": "a record of a small month file"}, part=MONTH)
    path = _path(store)
    for k in range(12):
        store.put("o", "activity", "first" if k % 2 else f"s{k}", {"v": f"save {k}", "note": "x" * 200}, part=MONTH)
    first, size = len(_lines(path)[0]), path.stat().st_size
    assert len(_lines(path)) == 13 and not files.backup_paths(store.root, path)
    assert first < 4096 and (size - first) * files._LINES_SHARE > 4096  # (past the old bound: it was written whole)
    assert Store(store.root).get("o", "activity", "first")["v"] == "save 11" and Store(store.root).verify_history() == []
