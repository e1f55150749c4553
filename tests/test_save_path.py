"""What a save learns once and reuses, and what it still asks the disk every time.

- the names a commit's files have inside the store are made once per process (files._inside,
  files._relative), but every folder on the way is looked at for a link by every save: a link
  planted after this process saved into the same file is refused as before;
- the names of a store given by a relative path follow the working folder (the names made
  once are made again in another working folder);
- a commit asks each folder's modes once, never keeping the modes of a folder it had still to
  make: the files of a folder a save makes in a group store get the group's modes;
- a save whose folder is missing makes it (as it did before asking the disk first).
"""

from __future__ import annotations

import os
import stat

import pytest

from coordtui.errors import StoreError
from coordtui.store import Store
from coordtui.store import files


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    return s


def test_a_link_planted_after_saves_into_the_same_file_is_still_refused(store, tmp_path):
    for n in range(3):  # the names of the month file, its log and the manifest made and reused
        store.put("o1", "activity", f"a{n}", {"t": n}, part="2026-03")
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(b"")
    log = store.root / "data" / "o1" / "2026-03.history.jsonl"
    kept = log.read_bytes()
    log.unlink()
    log.symlink_to(outside)
    with pytest.raises(StoreError, match="is a symbolic link inside the store"):
        store.put("o1", "activity", "a9", {"t": 9}, part="2026-03")
    assert outside.read_bytes() == b""
    log.unlink()
    log.write_bytes(kept)
    assert store.put("o1", "activity", "a9", {"t": 9}, part="2026-03")["_rev"] == 1


def test_the_names_of_a_relative_store_follow_the_working_folder(tmp_path, monkeypatch):
    for name in ("one", "two"):
        (tmp_path / name / "s").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "two" / "s" / "data").symlink_to(elsewhere)
    (tmp_path / "one" / "s" / "data").mkdir()
    root, path = files.Path("s"), files.Path("s/data/x.json")
    monkeypatch.chdir(tmp_path / "one")
    assert files.check_inside(root, path) == "data/x.json"
    monkeypatch.chdir(tmp_path / "two")
    with pytest.raises(StoreError, match="is a symbolic link inside the store"):
        files.check_inside(root, path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="is not inside the store"):
        files.check_inside(files.Path("one/s"), files.Path("two/s/data/x.json"))


def test_the_files_of_a_folder_a_save_makes_in_a_group_store_get_its_modes(store):
    os.chmod(store.root, 0o2770)  # a group store's folder (setgid): its files' mode follows it
    again = Store(store.root, user="alice")
    again.put("o1", "activity", "x", {"t": 1}, part="2026-03")
    again.put_org({"id": "o2", "name": "Org 2", "model": "m"})
    again.put("o2", "activity", "x", {"t": 1}, part="2026-03")  # data/o2 made by this commit
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    folder = store.root / "data" / "o2"
    assert mode(folder) == 0o2770
    assert mode(folder / "2026-03.json") == 0o660 and mode(folder / "2026-03.history.jsonl") == 0o660
    assert mode(store.root / "manifest.json") == 0o660


def test_an_append_whose_folder_is_missing_makes_it(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    log = root / "data" / "o1" / "2026-03.history.jsonl"
    files._append(log, 0, b"line\n")
    assert log.read_bytes() == b"line\n"
    assert stat.S_IMODE(os.stat(log.parent).st_mode) == 0o700 and stat.S_IMODE(os.stat(log).st_mode) == 0o600


def test_a_file_changed_by_hand_after_this_process_saved_into_it_is_refused(store):
    for n in range(3):  # its head kept under the signature the cache took after each save
        store.put("o1", "activity", f"a{n}", {"t": n}, part="2026-03")
    path = store.root / "data" / "o1" / "2026-03.json"
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"t":1', b'"t":7'))
    with pytest.raises(StoreError) as refused:
        store.put("o1", "activity", "a9", {"t": 9}, part="2026-03")
    assert "\n" not in str(refused.value) and "coordtui verify" in str(refused.value)
    assert path.read_bytes() == raw.replace(b'"t":1', b'"t":7')


def test_one_transaction_of_two_saves_into_one_file_reads_it_once_and_keeps_both(store, monkeypatch):
    from coordtui.store import Put

    store.put("o1", "activity", "a0", {"t": 0}, part="2026-03")
    reads = []
    real = files.FileCache.read_fresh
    monkeypatch.setattr(files.FileCache, "read_fresh", lambda self, path, quiet=False: reads.append(path) or real(self, path, quiet))
    store.apply([Put("o1", "activity", "a1", {"t": 1}, "2026-03"), Put("o1", "activity", "a0", {"t": 5}, "2026-03", 1)])
    assert reads.count(store.root / "data" / "o1" / "2026-03.json") == 1
    assert {d["id"]: (d["t"], d["_rev"]) for d in Store(store.root).query("o1", "activity")} == {"a0": (5, 2), "a1": (1, 1)}
