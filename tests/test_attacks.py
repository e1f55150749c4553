"""Attacks by a colleague on the same server who can write the store's files (a member of a
group store) against what landed with the commit journal, the manifest's rebuild, the xlsx
import and ``serve``: each refused in one line, the store untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

import coordtui.store.files as files
from coordtui.errors import StoreError
from coordtui.store import Store

MONTH = "2026-03"


def _new(root: Path) -> Store:
    store = Store(root, create=True, user="alice")
    store.put_org({"id": "o", "name": "O", "model": "m"})
    store.put("o", "activity", "a", {"v": "old"}, part=MONTH)
    store.put("o", "activity", "b", {"v": "evidence"}, part="2026-04")
    return store


def _gone_and_rebuilt(root: Path, match: str) -> None:
    (root / "manifest.json").unlink()
    with pytest.raises(StoreError, match=match) as refused:
        Store.restore(root, "manifest.json")
    assert "\n" not in str(refused.value) and refused.value.message_zh
    assert not (root / "manifest.json").exists()
    assert Store(root, user="carol").verify_history()  # still not called intact


def test_a_data_file_deleted_with_its_log_is_not_laundered_by_making_the_manifest_again(tmp_path):
    root = tmp_path / "s"
    _new(root)
    (root / "data" / "o" / "2026-04.json").unlink()
    (root / "data" / "o" / "2026-04.history.jsonl").unlink()
    _gone_and_rebuilt(root, "data/o/2026-04.json: is missing, but the last save left it at entry 1")


def test_a_data_file_put_back_with_its_log_cut_to_match_is_not_laundered(tmp_path):
    root = tmp_path / "s"
    store = _new(root)
    part, log = root / "data" / "o" / "2026-04.json", root / "data" / "o" / "2026-04.history.jsonl"
    earlier = part.read_bytes(), log.read_bytes()
    store.put("o", "activity", "b", {"v": "changed"}, part="2026-04")
    part.write_bytes(earlier[0])
    log.write_bytes(earlier[1])
    _gone_and_rebuilt(root, "data/o/2026-04.json: is at entry 1, but the last save left it at entry 2")


def test_without_the_journal_the_manifest_is_not_made_again(tmp_path):
    root = tmp_path / "s"
    _new(root)
    (root / files.WAL).unlink()
    _gone_and_rebuilt(root, "holds no sealed manifest to check the data files against")


def test_the_manifest_is_made_again_after_a_checkpoint_and_a_new_boot(tmp_path, monkeypatch):
    root = tmp_path / "s"
    store = _new(root)
    monkeypatch.setattr(files, "_BOOT", ["another-boot"])
    Store(root, user="carol")  # the journal is put in place again and emptied down to its base
    store.put("o", "activity", "a", {"v": "after"}, part=MONTH)
    (root / "manifest.json").unlink()
    Store.restore(root, "manifest.json")
    assert Store(root, user="dan").verify_history() == []
