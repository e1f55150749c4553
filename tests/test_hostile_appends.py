"""What a hostile colleague and a crash found in appended saves (schema 6), each fixed:

- ``coordtui restore`` of a data file whose last appended line was cut or changed put back the
  version its last whole write replaced (its newest backup), dropping every save appended since,
  though every line before the broken one is a version coordtui wrote and still verifies;
- a blank (or whitespace-only) line put between a data file's lines, or after the last, was read,
  verified and saved over as coordtui's;
- the one-line error for a file with a broken appended line said "no backup of it is kept: move it
  away" (moving it away drops every record it holds) instead of naming the restore that keeps the
  saves before the broken line (and a restore of a file with a blank line put in kept only the
  lines before it).

Open (xfail, strict): the newest save cut off the end of every file it grew leaves an earlier
sealed state of the whole store that verify cannot tell from the real one.
"""

from __future__ import annotations

import pytest

import coordtui.store.files as files
from conftest import run
from coordtui.errors import StoreError
from coordtui.store import Put, Store

MONTH = "2026-03"


def _new(root, saves: int = 0) -> Store:
    store = Store(root, create=True, user="alice")
    store.put_org({"id": "o", "name": "O", "model": "m"})
    store.apply([Put("o", "activity", f"f{i}", {"title": f"filler record {i} " * 4}, MONTH) for i in range(40)])
    for k in range(saves):
        store.put("o", "activity", f"n{k}", {"v": f"new {k}"}, part=MONTH, rev=0)
    return store


def _path(store: Store):
    return store.root / "data" / "o" / f"{MONTH}.json"


@pytest.mark.parametrize("broken", ["cut short", "changed"])
def test_a_restore_keeps_the_appended_saves_before_the_broken_line(tmp_path, capsys, monkeypatch, broken):
    monkeypatch.setattr(files, "_MAX_LINES", 5)
    store = _new(tmp_path / "s", saves=9)  # written whole at the 6th save; 3 lines appended since
    path = _path(store)
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 4 and files.backup_paths(store.root, path)
    last = lines[-1][:20] if broken == "cut short" else lines[-1].replace(b'"new 8"', b'"NEW 8"')
    path.write_bytes(b"\n".join(lines[:-1] + [last]))
    code, out, err = run(capsys, "restore", f"data/o/{MONTH}.json", "--db", store.root, "--lang", "en")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1 and "broken" in out
    fresh = Store(store.root)
    present = {d["id"] for d in fresh.query("o", "activity", parts=[MONTH])}
    # n6 and n7 were appended after the last whole write, in lines that still verify
    assert {f"n{k}" for k in range(8)} <= present and "n8" not in present
    assert fresh.verify_history() == []
    fresh.put("o", "activity", "after", {"v": 1}, part=MONTH, rev=0)
    assert Store(store.root).verify_history() == []


@pytest.mark.parametrize("where", ["between two lines", "after the last", "spaces after the last"])
def test_a_blank_line_put_among_the_appended_saves_is_reported_and_refused(tmp_path, capsys, where):
    store = _new(tmp_path / "s", saves=3)
    path = _path(store)
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 4
    edited = {"between two lines": lines[:2] + [b""] + lines[2:], "after the last": lines + [b""],
              "spaces after the last": lines + [b" \t "]}[where]
    path.write_bytes(b"\n".join(edited))
    fresh = Store(store.root, user="bob")
    problems = fresh.verify_history()
    assert problems and f"data/o/{MONTH}" in problems[0], problems
    with pytest.raises(StoreError) as refused:
        fresh.put("o", "activity", "over", {"v": "over it"}, part=MONTH, rev=0)
    assert "\n" not in refused.value.message
    assert path.read_bytes() == b"\n".join(edited)
    for lang in ("en", "zh"):
        code, out, err = run(capsys, "verify", "--db", store.root, "--lang", lang)
        assert code == 1 and f"data/o/{MONTH}" in out, (out, err)


def test_the_error_for_a_cut_line_points_to_the_restore_that_keeps_the_saves_before_it(tmp_path, capsys):
    store = _new(tmp_path / "s", saves=3)  # no backup kept yet: no whole write since it was made
    path = _path(store)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:-1] + [lines[-1][:15]]))
    assert not files.backup_paths(store.root, path)
    with pytest.raises(StoreError) as unreadable:
        Store(store.root).get("o", "activity", "n0")
    message, zh = unreadable.value.message, unreadable.value.message_zh
    assert "\n" not in message and "move it away" not in message and f"coordtui restore --db {store.root} data/o/{MONTH}.json" in message
    assert "coordtui restore" in zh and "移开" not in zh
    code, out, err = run(capsys, "restore", f"data/o/{MONTH}.json", "--db", store.root, "--lang", "en")
    assert code == 0, err
    fresh = Store(store.root)
    assert fresh.get("o", "activity", "n1")["v"] == "new 1" and fresh.verify_history() == []


def test_a_restore_of_a_file_with_a_blank_line_put_in_keeps_every_save(tmp_path, capsys):
    store = _new(tmp_path / "s", saves=4)
    path = _path(store)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:2] + [b"  "] + lines[2:]))
    code, out, err = run(capsys, "restore", f"data/o/{MONTH}.json", "--db", store.root, "--lang", "en")
    assert code == 0, err
    fresh = Store(store.root)
    assert {f"n{k}" for k in range(4)} <= {d["id"] for d in fresh.query("o", "activity", parts=[MONTH])}
    assert fresh.verify_history() == []


@pytest.mark.xfail(strict=True, reason="open: the newest save, cut off the end of every file it grew (data file, its log, the "
                   "manifest), leaves an earlier sealed state of the whole store that nothing in the store can tell from "
                   "the real one; telling it needs an anchor outside the store folder (a design decision, not made here)")
def test_the_last_save_cut_off_every_file_it_grew_is_reported(tmp_path):
    store = _new(tmp_path / "s", saves=2)
    with store.locked():
        files._checkpoint(store.root)  # (the commit journal emptied, as it is every 32 MB)
    kept = {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file() and "cache" not in p.parts
            and p.name not in (files.WAL, ".lock")}
    store.put("o", "activity", "n0", {"v": "the save cut off"}, part=MONTH)
    with store.locked():
        files._checkpoint(store.root)
    cut = 0
    for path, before in kept.items():
        now = path.read_bytes()
        if now != before:
            assert now.startswith(before)  # every file this save changed only grew
            path.write_bytes(before)
            cut += 1
    assert cut == 3  # the month file, its log, the manifest
    fresh = Store(store.root)
    assert fresh.get("o", "activity", "n0")["v"] == "new 0"  # the save is gone
    assert fresh.verify_history() != []
