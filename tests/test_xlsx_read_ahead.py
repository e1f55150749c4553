"""A workbook read ahead, in a child process whose address space is capped, while an import loads
its models (coordtui/xlsx_scan.py ``read_ahead``): the same sheets as read in place, as openpyxl
reads them too; taken only for the very file it read; a workbook too large for the cap ends that
child alone, and the scan's refusal is what the person gets."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from datetime import date, datetime

import pytest

from coordtui import xlsx_scan
from coordtui.errors import InputError
from coordtui.store import Store
from coordtui.tabular import _CalamineBook

from conftest import run
from test_ledgers import office_ledger


@pytest.fixture
def ahead(monkeypatch):
    """Reads ahead wherever this runs (one core, a test runner's threads, or a busy machine would read in place)."""
    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: True)
    monkeypatch.setattr(xlsx_scan, "_core_free", lambda: True)
    yield
    xlsx_scan.cancel_ahead()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
# Cell styles 1-3: a date (14), a date and time (22), a Chinese date of its own format (164).
_STYLES = (f'<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
           '</numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/>'
           '</fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
           '</cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           + "".join(f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' for n in (14, 22, 164))
           + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _written(path, rows_xml, *, shared=(), merges=()):
    """A one-sheet workbook (协作活动) written part by part, as Excel writes one: ``rows_xml`` its
    sheet's rows, ``shared`` its shared strings (each an ``<si>``'s content), ``merges`` its merged ranges."""
    strings = (f'<sst xmlns="{_MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
               + "".join(f"<si>{s}</si>" for s in shared) + "</sst>")
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>") if merges else ""
    parts = {
        "[Content_Types].xml": _TYPES,
        "_rels/.rels": f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets><sheet name="协作活动" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (f'<Relationships xmlns="{_RELS}">'
                                       f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
                                       f'<Relationship Id="rId2" Type="{_OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
                                       f'<Relationship Id="rId3" Type="{_OFFICE}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": strings,
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{rows_xml}</sheetData>{merged}</worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text)
    return path


def _shared_strings(path):
    # Plain, with entities, over two lines, and rich text (runs, and a phonetic guide that is not read).
    return _written(path, '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
                          '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>0</v></c></row>',
                    shared=["<t>编号</t>", "<r><t>活动</t></r><r><rPr><b/></rPr><t>名称</t></r><rPh sb=\"0\" eb=\"1\"><t>カツ</t></rPh>",
                            "<t>a&amp;b &lt;c&gt;</t>", "<t>第一\n行</t>"])


def _inline_strings(path):
    return _written(path, '<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c>'
                          '<c r="B1" t="inlineStr"><is><r><t>富</t></r><r><t xml:space="preserve"> 文本 </t></r></is></c></row>'
                          '<row r="2"><c r="A2" t="inlineStr"><is><t>&#32534;&#21495;</t></is></c></row>')


def _dates(path):
    # Date cells by style (a built-in date, a date and time, a format of the office's own), an
    # ISO date cell, and a serial number left as a number.
    return _written(path, '<row r="1"><c r="A1" s="1"><v>46086</v></c><c r="B1" s="2"><v>46086.5</v></c><c r="C1" s="3"><v>46087</v></c>'
                          '<c r="D1" t="d"><v>2026-03-05T00:00:00</v></c><c r="E1"><v>46273</v></c></row>')


def _empty_cells(path):
    # Cells without a value, rows and columns left out, an empty shared string.
    return _written(path, '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/><c r="D1"><v>1</v></c></row>'
                          '<row r="3"><c r="C3" t="s"><v>1</v></c><c r="E3"/></row><row r="5"/>',
                    shared=["<t>编号</t>", "<t/>"])


def _merged_cells(path):
    return _written(path, '<row r="1"><c r="A1" t="inlineStr"><is><t>台账</t></is></c></row>'
                          '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>机关纪委</t></is></c></row><row r="3"><c r="A3"><v>2</v></c></row>',
                    merges=["A1:C1", "B2:B3"])


def _formulas(path):
    # A formula's cached value is what is read: a number, a text, a yes/no; and an error cell.
    return _written(path, '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
                          '<c r="C1" t="b"><f>TRUE()</f><v>1</v></c><c r="D1" t="b"><v>0</v></c><c r="E1"><v>3.25</v></c></row>'
                          '<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2"><f>A1*2</f></c></row>')


def _by_openpyxl(path):
    """A workbook as openpyxl writes it (inline strings; dates as date cells) with a merged title."""
    office_ledger(path, [["第一协作组", "季度例会", "协同工作指导", date(2026, 3, 5), datetime(2026, 3, 5, 9, 30), "机关纪委", "王洪彬", 46090, ""]],
                  merge=["B5:B5"])
    return path


BOOKS = [_shared_strings, _inline_strings, _dates, _empty_cells, _merged_cells, _formulas, _by_openpyxl]


def _as_openpyxl_reads(path):
    """Every worksheet as openpyxl reads it (cached values), each value as python-calamine gives the
    same cell: an empty cell as "", a date without a time as a date."""
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a workbook without openpyxl's default style)
        book = load_workbook(path, data_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = [["" if v is None else (v.date() if isinstance(v, datetime) and v.time() == datetime.min.time() else v) for v in row]
                for row in sheet.iter_rows(values_only=True)]
        merged = sorted(((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1)) for r in sheet.merged_cells.ranges)
        sheets[sheet.title] = (rows, merged)
    return sheets


def _like_openpyxl(rows):
    """Rows with their dates at midnight as dates and their errors as openpyxl gives them."""
    return [[v.date() if isinstance(v, datetime) and v.time() == datetime.min.time() else v for v in row] for row in rows]


@pytest.mark.parametrize("make", BOOKS, ids=[m.__name__.strip("_") for m in BOOKS])
def test_a_workbook_read_ahead_is_the_workbook_read_in_place_and_as_openpyxl_reads_it(ahead, tmp_path, make):
    path = make(tmp_path / "book.xlsx")
    xlsx_scan.read_ahead(path)
    assert os.fspath(path) in xlsx_scan._READ
    xlsx_scan.check_unpacked(path)
    book = xlsx_scan.taken_book(path)
    assert book is not None and not xlsx_scan._READ
    here = _CalamineBook(path)
    try:
        assert book.titles == here.titles
        for title in here.titles:
            assert book.sheet(title) == here.sheet(title)
    finally:
        here.close()
    theirs = _as_openpyxl_reads(path)
    assert list(theirs) == book.titles
    for title in book.titles:
        rows, merged = book.sheet(title)
        their_rows, their_merged = theirs[title]
        width = max(map(len, rows + their_rows), default=0)
        pad = lambda r: list(r) + [""] * (width - len(r))  # noqa: E731  (openpyxl reads to the widest row)
        ours = [pad(r) for r in _like_openpyxl(rows)]
        # (an error cell: openpyxl gives its text, python-calamine an empty cell; a formula without a cached value is empty in both)
        if make is _formulas:
            assert their_rows[1][0] == "#DIV/0!" and ours[1][0] in ("", "#DIV/0!")
            their_rows[1][0] = ours[1][0]
        assert ours == [pad(r) for r in their_rows]
        assert sorted(merged) == their_merged


def test_a_workbook_too_large_for_the_readers_address_space_ends_that_child_alone(ahead, tmp_path, monkeypatch):
    # 90,000 rows by 2,000 columns read whole would be 180 million cells (gigabytes): the child
    # may take 256 MiB more than it starts with, so it gives nothing, and the scan refuses the file.
    monkeypatch.setattr(xlsx_scan, "READ_AHEAD_BYTES", 256 << 20)
    far = _written(tmp_path / "far.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="90000"><c r="BXX90000"><v>1</v></c></row>')
    xlsx_scan.read_ahead(far)
    pid, read_end = xlsx_scan._READ.pop(os.fspath(far))
    chunks = []  # (what taken_book reads, read here for the child's own peak)
    while chunk := os.read(read_end, 1 << 20):
        chunks.append(chunk)
    os.close(read_end)
    _, _, usage = os.wait4(pid, 0)
    said = b"".join(chunks)
    assert usage.ru_maxrss * 1024 < _rss_now() + (256 << 20) + (64 << 20), usage.ru_maxrss
    assert said == b""
    with pytest.raises(InputError, match="the sheet spans 90,000 rows by 2,000 columns"):
        xlsx_scan.check_unpacked(far)
    # And a workbook that fits the same cap is read ahead.
    good = _merged_cells(tmp_path / "good.xlsx")
    xlsx_scan.read_ahead(good)
    assert xlsx_scan.taken_book(good) is not None


def _rss_now():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _finished(pid):
    """Wait (at most 10 s) until the child ``pid`` has ended, without reaping it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.01)
    return False


def test_a_workbook_changed_after_it_was_read_ahead_is_read_again(ahead, tmp_path, example_store, capsys):
    target = tmp_path / "book.xlsx"
    office_ledger(target, [["第一协作组", "季度例会", "协同工作指导", "2026-03-05", "2026-03-05", "机关纪委", "王洪彬", "", ""]])
    xlsx_scan.read_ahead(target)
    assert _finished(xlsx_scan._READ[os.fspath(target)][0])
    office_ledger(tmp_path / "other.xlsx", [["第一协作组", "季度例会（改）", "协同工作指导", "2026-03-06", "2026-03-06", "机关纪委", "王洪彬", "", ""]])
    with open(target, "r+b") as fh:  # rewritten in place, to the same name and inode
        fh.write((tmp_path / "other.xlsx").read_bytes())
        fh.truncate()
    assert xlsx_scan.taken_book(target) is None
    # Through an import: the file as it is when it is read, whatever was read ahead.
    xlsx_scan.read_ahead(target)
    assert _finished(xlsx_scan._READ[os.fspath(target)][0])
    os.replace(shutil.copy(tmp_path / "other.xlsx", tmp_path / "moved.xlsx"), target)
    office_ledger(tmp_path / "other.xlsx", [["第一协作组", "季度例会（再改）", "协同工作指导", "2026-03-07", "2026-03-07", "机关纪委", "王洪彬", "", ""]])
    shutil.copy(tmp_path / "other.xlsx", target)
    code, out, err = run(capsys, "import", target, "--db", example_store, "--org", "tjpu", "--kind", "activity", "--lang", "en")
    assert code == 0, err
    titles = {d["title"] for d in Store(example_store).query("tjpu", "activity")}
    assert "季度例会（再改）" in titles and "季度例会（改）" not in titles and "季度例会" not in titles


def test_an_import_read_ahead_says_and_stores_what_one_read_in_place_does(tmp_path, example_store, capsys, monkeypatch):
    path = tmp_path / "台账.xlsx"
    office_ledger(path, [
        ["天津工业大学第四协作组", "第三季度联合检查", "联合监督检查", 46273, datetime(2026, 9, 8), "机关纪委", "孙刚\n赵诚", "2026年9月9日（星期三）", "补录"],
        ["第四协作组", "第三季度专题培训", "学习培训交流", "2026-09-18 00:00:00", "2026/9/18", None, "孙刚 赵诚", "2026.9.21", ""],
        ["第四协作组", "第三季度专题培训", "学习培训交流", "2026-13-18", "2026/9/18", "无此单位", "孙刚", "", ""],
    ], merge=["G4:G5"])
    other = shutil.copytree(example_store, tmp_path / "other")
    taken = []
    real = xlsx_scan.taken_book
    monkeypatch.setattr(xlsx_scan, "taken_book", lambda p: taken.append(real(p)) or taken[-1])
    import coordtui.tabular as tabular

    monkeypatch.setattr(tabular, "taken_book", xlsx_scan.taken_book)
    monkeypatch.setattr(xlsx_scan, "_core_free", lambda: True)
    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: True)
    def imported(db):
        code, out, err = run(capsys, "import", path, "--db", db, "--org", "tjpu", "--kind", "activity", "--lang", "en")
        return code, out, err.replace(str(db), "DB")  # (the stores' first use enrols their owner, naming the store)

    ahead = imported(example_store)
    assert taken and taken[-1] is not None  # (read ahead, and taken)
    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: False)
    here = imported(other)
    assert taken[-1] is None  # (read in place)
    assert ahead == here and ahead[0] == 2 and "row 6" in ahead[2]  # the same refusal, in the same words
    # Without the bad row, the same records stored.
    office_ledger(path, [
        ["天津工业大学第四协作组", "第三季度联合检查", "联合监督检查", 46273, datetime(2026, 9, 8), "机关纪委", "孙刚\n赵诚", "2026年9月9日（星期三）", "补录"],
        ["第四协作组", "第三季度专题培训", "学习培训交流", "2026-09-18 00:00:00", "2026/9/18", None, "孙刚 赵诚", "2026.9.21", ""],
    ], merge=["G4:G5"])
    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: True)
    ahead = imported(example_store)
    assert taken[-1] is not None
    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: False)
    here = imported(other)
    assert ahead == here and ahead[0] == 0, ahead

    def stored(db):
        return sorted(({k: v for k, v in d.items() if k not in ("_at", "_part")} for d in Store(db).query("tjpu", "activity")),
                      key=lambda d: d["id"])

    assert stored(example_store) == stored(other)


@pytest.mark.parametrize("rows_problem", [False, True], ids=["good rows", "a bad row"])
def test_a_workbook_read_ahead_that_its_scan_refuses_is_refused_as_before_whatever_its_rows_hold(
        tmp_path, example_store, capsys, monkeypatch, rows_problem):
    # Its scan runs while its rows are planned, and its verdict is taken before anything is said
    # or written, and before what the rows hold: the same refusal as when it was scanned first.
    path = tmp_path / "台账.xlsx"
    office_ledger(path, [["第四协作组", "第三季度专题培训", "学习培训交流", "2026-13-18" if rows_problem else "2026-09-18", "2026/9/18",
                          "机关纪委", "孙刚", "", ""]])
    monkeypatch.setattr(xlsx_scan, "MAX_UNPACKED_BYTES", 1000)
    taken = []
    real = xlsx_scan.taken_book
    import coordtui.tabular as tabular

    monkeypatch.setattr(tabular, "taken_book", lambda p: taken.append(real(p)) or taken[-1])
    other = shutil.copytree(example_store, tmp_path / "other")
    monkeypatch.setattr(xlsx_scan, "_core_free", lambda: True)
    before = Store(example_store).query("tjpu", "activity")
    said = []
    for db, forks in ((example_store, True), (other, False)):
        monkeypatch.setattr(xlsx_scan, "_may_fork", lambda forks=forks: forks)
        for dry in ([], ["--dry-run"]):
            code, out, err = run(capsys, "import", path, "--db", db, "--org", "tjpu", "--kind", "activity", "--lang", "en", *dry)
            assert (taken[-1] is not None) == forks  # (read ahead, or read in place)
            said.append((code, out, err.replace(str(db), "DB").splitlines()[-1]))
    assert said[0][0] == 2 and said[0][1] == "" and "the workbook unpacks to" in said[0][2] and "split it" in said[0][2], said[0]
    assert said == [said[0]] * 4
    assert Store(example_store).query("tjpu", "activity") == before


@pytest.mark.parametrize("said_by", ["processes running now", "the load average, where the system says nothing of now"])
def test_on_a_busy_machine_a_workbook_is_scanned_ahead_and_read_in_place(tmp_path, monkeypatch, said_by):
    from coordtui import forked

    monkeypatch.setattr(xlsx_scan, "_may_fork", lambda: True)
    if said_by == "processes running now":
        monkeypatch.setattr(os, "getloadavg", lambda: (64.0, 64.0, 64.0))  # (a minute of writing to the disk: not now)
        busy, idle = (lambda: 64), (lambda: 1)
        monkeypatch.setattr(forked, "running_now", busy)
    else:
        monkeypatch.setattr(forked, "running_now", lambda: None)
        busy, idle = (lambda: (64.0, 64.0, 64.0)), (lambda: (0.0, 0.0, 0.0))  # (busier than any machine's cores)
        monkeypatch.setattr(os, "getloadavg", busy)
    path = _merged_cells(tmp_path / "book.xlsx")
    try:
        assert xlsx_scan.read_ahead(path) is False and not xlsx_scan._READ
        monkeypatch.setattr(forked if said_by == "processes running now" else os,
                            "running_now" if said_by == "processes running now" else "getloadavg", idle)
        assert xlsx_scan.read_ahead(path) is True and os.fspath(path) in xlsx_scan._READ
    finally:
        xlsx_scan.cancel_ahead()


def test_the_processes_running_now_are_read_from_the_system():
    from coordtui import forked

    running = forked.running_now()
    if not os.path.exists("/proc/loadavg"):
        assert running is None
    else:
        assert isinstance(running, int) and running >= 1  # (this one, at least)


def test_while_a_workbook_is_read_ahead_the_organization_s_files_are_read_and_a_problem_is_left_to_the_plan(example_store):
    """(cli._ready_for_rows, run while the reading child works: the import would only wait.)"""
    import argparse

    from coordtui.cli import _ready_for_rows
    from coordtui.plugins import PluginHost
    from coordtui.workspace import Workspace

    ws = Workspace(Store(example_store), PluginHost())
    org = ws.org("tjpu")
    for org_id, kind in (("nope", "activity"), ("tjpu", "no_such_kind")):  # the plan says what is wrong, in its place
        _ready_for_rows(ws, argparse.Namespace(org=org_id, kind=kind))
        assert not ws._parsed_of(org)
    _ready_for_rows(ws, argparse.Namespace(org="tjpu", kind="activity"))
    parsed = ws._parsed_of(org)
    assert sorted(part for _, part in parsed) == ws.store.parts("tjpu")
    assert ws.model_of(org).kind("activity").__pydantic_complete__
