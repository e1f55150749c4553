"""A workbook's bounds scanned ahead, in a child process, while an import loads its models
(coordtui/xlsx_scan.py): its verdict counts only for the very file it scanned."""

from __future__ import annotations

import os
import shutil

import pytest

from coordtui import xlsx_scan
from coordtui.errors import InputError
from coordtui.store import Store

from conftest import run
from test_import_speed import _sheet_with

FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.fixture
def ahead(monkeypatch):
    """Scans ahead wherever this runs (one core, or a test runner's threads, would scan in place)."""
    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: True)
    yield
    xlsx_scan.cancel_ahead()


def _ended(pid):
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return True


def test_the_verdict_of_a_scan_ahead_is_taken_for_the_file_it_scanned(ahead, tmp_path):
    good, far = _sheet_with(tmp_path, "good-copy.xlsx", ""), _sheet_with(tmp_path, "far.xlsx", FAR)
    xlsx_scan.scan_ahead([good, far])
    pids = [pid for pid, _ in xlsx_scan._AHEAD.values()]
    assert len(pids) == 2
    xlsx_scan.check_unpacked(good)
    with pytest.raises(InputError, match="more than 100,000 rows: split the sheet"):
        xlsx_scan.check_unpacked(far)
    assert not xlsx_scan._AHEAD and all(_ended(pid) for pid in pids)


def test_a_file_changed_after_its_scan_ahead_is_scanned_again(ahead, tmp_path):
    good, far = _sheet_with(tmp_path, "good-copy.xlsx", ""), _sheet_with(tmp_path, "far.xlsx", FAR)
    target = tmp_path / "book.xlsx"
    shutil.copy(good, target)
    xlsx_scan.scan_ahead([target])
    assert str(target) in xlsx_scan._AHEAD  # (its child may have scanned it already, or not yet: either way)
    with open(target, "r+b") as fh:  # rewritten in place, to the same name and inode
        fh.write(far.read_bytes())
        fh.truncate()
    with pytest.raises(InputError, match="more than 100,000 rows"):
        xlsx_scan.check_unpacked(target)
    # And the other way round: a file refused ahead, then corrected, is read.
    xlsx_scan.scan_ahead([target])
    os.replace(shutil.copy(good, tmp_path / "corrected.xlsx"), target)
    xlsx_scan.check_unpacked(target)


def test_a_scan_ahead_that_gives_no_verdict_leaves_the_scan_to_the_reader(ahead, tmp_path):
    far = _sheet_with(tmp_path, "far.xlsx", FAR)
    xlsx_scan.scan_ahead([far])
    pid, _ = xlsx_scan._AHEAD[str(far)]
    os.kill(pid, 9)
    with pytest.raises(InputError, match="more than 100,000 rows"):
        xlsx_scan.check_unpacked(far)
    assert _ended(pid)


def test_scans_ahead_not_taken_are_ended(ahead, tmp_path):
    far = _sheet_with(tmp_path, "far.xlsx", FAR)
    xlsx_scan.scan_ahead([far, far, tmp_path / "missing.xlsx", tmp_path / "third.xlsx"])
    pids = [pid for pid, _ in xlsx_scan._AHEAD.values()]
    assert len(pids) == 2  # the same file once; at most two at a time
    xlsx_scan.cancel_ahead()
    assert not xlsx_scan._AHEAD and all(_ended(pid) for pid in pids)


def test_an_import_refused_by_the_scan_ahead_is_one_line_and_writes_nothing(ahead, example_store, tmp_path, capsys):
    far = _sheet_with(tmp_path, "far.xlsx", FAR)
    before = Store(example_store).query("tjpu", "group")
    for lang, says in (("en", "more than 100,000 rows: split the sheet"), ("zh", "超过 100,000 行，请拆分")):
        code, _, err = run(capsys, "import", far, "--db", example_store, "--org", "tjpu", "--lang", lang)
        assert code == 2 and says in err.splitlines()[-1] and "Traceback" not in err, err
    assert Store(example_store).query("tjpu", "group") == before and not xlsx_scan._AHEAD
