"""Attacks by a colleague on the same server who can write the store's files (a member of a
group store) against what landed with the commit journal, the manifest's rebuild, the xlsx
import and ``serve``: each refused in one line, the store untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

import coordtui.store.files as files
from coordtui.errors import StoreError
from coordtui.store import Store
from conftest import run

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


def test_bytes_planted_in_the_journal_cannot_make_a_recovery_put_an_earlier_commit_back(tmp_path):
    root = tmp_path / "s"
    store = _new(root)
    journal = root / files.WAL
    journal.write_bytes(journal.read_bytes() + b"x\n")  # ends like a record: the next save appends after it
    store.put("o", "activity", "a", {"v": "two"}, part=MONTH)
    store.put("o", "activity", "a", {"v": "three"}, part=MONTH)
    (root / files.PENDING).touch()  # "a writer died": recovery would replay the last whole record it could read
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with pytest.raises(StoreError, match="its last readable record is older than the store.s manifest.*nothing was replayed") as refused:
        Store(root, user="carol")
    assert "\n" not in str(refused.value) and refused.value.message_zh
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_journal_not_ending_in_a_record_is_started_afresh_by_the_next_save(tmp_path):
    root = tmp_path / "s"
    store = _new(root)
    journal = root / files.WAL
    journal.write_bytes(journal.read_bytes() + b"junk")
    store.put("o", "activity", "a", {"v": "two"}, part=MONTH)
    (root / files.PENDING).touch()
    again = Store(root, user="carol")
    assert again.get("o", "activity", "a")["v"] == "two" and again.verify_history() == []
    assert b"junk" not in journal.read_bytes()


@pytest.mark.skipif(not hasattr(files.os, "SEEK_HOLE"), reason="needs SEEK_HOLE")
@pytest.mark.parametrize("pending", [True, False])
def test_a_sparse_journal_of_many_gib_is_never_read_into_memory(tmp_path, pending):
    root = tmp_path / "s"
    _new(root)
    journal = root / files.WAL
    with open(journal, "r+b") as fh:
        fh.seek(0, 2)
        fh.write(b"R")
        fh.truncate(64 << 30)  # 64 GiB that cost no disk: reading it whole would exhaust memory
    if pending:
        (root / files.PENDING).touch()
    store = Store(root, user="carol")
    store.put("o", "activity", "a", {"v": "two"}, part=MONTH)  # past the checkpoint bound: started afresh
    assert journal.stat().st_size < 1 << 20
    assert Store(root, user="dan").get("o", "activity", "a")["v"] == "two"


def test_a_csv_row_of_millions_of_columns_is_refused_in_one_line(example_store, tmp_path, capsys):
    path = tmp_path / "commas.csv"
    path.write_bytes("名称\n".encode() + b"," * 200_000)  # 200 KB: 200,001 empty cells in one row
    before = Store(example_store).query("tjpu", "group")
    for lang, says in (("en", "row 2: 200,001 columns, more than the 16,384 a sheet may"), ("zh", "第2行有 200,001 列")):
        code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "group", "--lang", lang)
        assert code == 2 and says in err.splitlines()[-1] and "Traceback" not in err, err
    assert Store(example_store).query("tjpu", "group") == before


@pytest.mark.skipif(not hasattr(files.os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("planted", [files.WAL, "manifest.json", files.PENDING])
def test_a_named_pipe_planted_as_a_store_file_is_refused_instead_of_holding_everyone_still(tmp_path, planted):
    # Opening a pipe for reading blocks until someone opens it for writing: on main every
    # coordtui process then hung for good, the store lock held.
    root = tmp_path / "s"
    _new(root)
    path = root / planted
    path.unlink(missing_ok=True)
    files.os.mkfifo(path)
    if planted == files.PENDING:  # the marker is removed by the recovery it asks for
        store = Store(root, user="carol")
        store.put("o", "activity", "a", {"v": "two"}, part=MONTH)
        assert Store(root, user="dan").get("o", "activity", "a")["v"] == "two"
        return
    why = "is a named pipe, not the commit journal coordtui writes" if planted == files.WAL else "not a regular file: put there outside coordtui"
    with pytest.raises(StoreError, match=why) as refused:
        Store(root, user="carol").put("o", "activity", "a", {"v": "two"}, part=MONTH)
    assert "\n" not in str(refused.value) and refused.value.message_zh


def test_a_folder_planted_as_the_pending_marker_is_one_line_or_removed_when_empty(tmp_path):
    root = tmp_path / "s"
    _new(root)
    (root / files.PENDING).mkdir()
    assert Store(root, user="carol").get("o", "activity", "a")["v"] == "old"  # an empty one: removed
    (root / files.PENDING).mkdir()
    (root / files.PENDING / "x").touch()
    with pytest.raises(StoreError, match="journal.pending: is a folder, not a file coordtui makes") as refused:
        Store(root, user="carol")
    assert "\n" not in str(refused.value) and refused.value.message_zh


def test_a_forged_record_planted_in_the_journal_is_caught_and_the_version_it_replaced_can_be_put_back(tmp_path):
    root = tmp_path / "s"
    store = _new(root)
    store.put("o", "activity", "a", {"v": "good"}, part=MONTH)
    part = root / "data" / "o" / f"{MONTH}.json"
    forged = part.read_bytes().replace(b'"good"', b'"forged"')  # its sealed head no longer matches
    journal = root / files.WAL
    journal.write_bytes(journal.read_bytes() + b"".join(files._journal_record(root, [(part, forged)], [])))
    (root / files.PENDING).touch()  # "a writer died": the owner's next open puts the record in place
    opened = Store(root, user="carol")
    assert part.read_bytes() == forged and any(f"data/o/{MONTH}.json" in p for p in opened.verify_history())
    Store.restore(root, f"data/o/{MONTH}.json")  # the version the record replaced was kept
    again = Store(root, user="dan")
    assert again.get("o", "activity", "a")["v"] == "good" and again.verify_history() == []


def test_a_full_disk_while_a_killed_save_is_finished_is_one_line_and_the_next_open_finishes_it(tmp_path, monkeypatch):
    root = tmp_path / "s"
    _new(root)
    (root / files.PENDING).touch()  # a writer killed after its commit point

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    real = files._write_tmp
    monkeypatch.setattr(files, "_write_tmp", full)
    with pytest.raises(StoreError, match="cannot finish the last save \\(No space left on device\\).*nothing is lost") as refused:
        Store(root, user="carol")
    assert "\n" not in str(refused.value) and refused.value.message_zh
    monkeypatch.setattr(files, "_write_tmp", real)
    again = Store(root, user="carol")
    assert not (root / files.PENDING).exists() and again.get("o", "activity", "b")["v"] == "evidence"


def test_many_sheets_each_within_the_bound_are_refused_together_before_they_exhaust_memory(example_store, tmp_path, capsys,
                                                                                          monkeypatch):
    # Each sheet's reach is bounded by the scan, but the sheets read are kept together: a 15 KB
    # workbook of 20 sheets each reaching AX100000 held 1.4 GB (100 of them: all the memory).
    import coordtui.tabular as tabular
    from openpyxl import Workbook

    monkeypatch.setattr(tabular, "MAX_SHEET_CELLS", 1_000)
    book = Workbook()
    for n in range(3):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = f"Sheet{n + 1}"
        sheet["A1"], sheet["A2"], sheet["AN20"] = "名称", f"第{n + 10}协作组", "x"  # 20 rows by 40 columns: 800 cells
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    before = Store(example_store).query("tjpu", "group")
    for lang, says in (("en", "[Sheet2]: the sheets read so far span 1,600 cells together, more than the 1,000"),
                       ("zh", "已读的工作表合计 1,600 个单元格")):
        code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "group", "--lang", lang)
        assert code == 2 and says in err.splitlines()[-1] and "Traceback" not in err, err
    assert Store(example_store).query("tjpu", "group") == before


def test_a_reader_panic_while_opening_a_workbook_is_one_line(example_store, tmp_path, capsys, monkeypatch):
    # python-calamine reports a Rust panic as pyo3's PanicException, a BaseException: the
    # sheets were guarded against it, opening the workbook was not (a traceback).
    import python_calamine
    from openpyxl import Workbook

    class PanicException(BaseException):
        pass

    def panics(_path):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    path = tmp_path / "book.xlsx"
    Workbook().save(path)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", panics)
    code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "group", "--lang", "en")
    assert code == 2 and "not a readable xlsx workbook (PanicException)" in err.splitlines()[-1] and "Traceback" not in err, err
