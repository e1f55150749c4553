"""What the fast paths of a spreadsheet import must keep: each column worked out once and each
name looked up once still give every row its own values and every bad row its own report.
(Correctness only: the speed is bench/goals.py's.)"""

from __future__ import annotations

import csv

from coordtui.store import Store

from conftest import run

HEADER = ["协作组", "活动名称", "活动形式", "开始", "结束", "参加单位", "出席网格员", "新闻稿报送日期"]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def imported(store, prefix):
    return sorted((d for d in Store(store).query("tjpu", "activity") if d["title"].startswith(prefix)), key=lambda d: d["title"])


def test_a_name_repeated_on_every_row_is_resolved_on_each(example_store, tmp_path, capsys):
    rows = [["第四协作组", f"例会{n:02d}", "协同工作指导", start, "2026-09-18", units, "孙刚 赵诚", "2026年9月21日"]
            for n, (start, units) in enumerate([("2026-09-18", "机关纪委"), ("2026/9/18", "机关纪委、后勤纪委"),
                                               ("2026.9.18", "机关纪委"), ("2026年9月18日（星期五）", "后勤纪委\n机关纪委")])]
    code, _, err = run(capsys, "import", write_csv(tmp_path / "rows.csv", rows), "--db", example_store, "--org", "tjpu",
                       "--kind", "activity", "--lang", "en")
    assert code == 0, err
    got = imported(example_store, "例会")
    assert [d["units"] for d in got] == [["u01"], ["u01", "u02"], ["u01"], ["u02", "u01"]]
    assert all(d["group"] == "g4" and d["grid_members"] == ["gm05", "gm07"] for d in got)
    assert all(d["start"] == "2026-09-18" and d["news_submitted"] == "2026-09-21" for d in got)


def test_the_same_bad_name_on_many_rows_is_reported_for_each_row(example_store, tmp_path, capsys):
    rows = [["第四协作组", f"例会{n:02d}", "协同工作指导", "2026-09-18", "2026-09-18", "机关纪委", "孙刚", "2026-09-21"]
            for n in range(25)]
    for n in (3, 10, 24):
        rows[n][5] = "不存在纪委"
    rows[7][3] = "2026-02-30"
    rows[8][2] = "开会"
    path = write_csv(tmp_path / "bad.csv", rows)
    before = Store(example_store).query("tjpu", "activity")
    code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "activity", "--lang", "en")
    err = err.splitlines()[-1]  # (after the first use's note that the store had no people)
    assert code == 2 and err.startswith(f"coordtui: 5 problems: {path}: row 9: column 开始: '2026-02-30'")
    for row in (5, 12, 26):  # each row that names it, not only the first
        assert f"{path}: row {row}: column 参加单位: no unit named '不存在纪委'" in err
    assert f"{path}: row 10: column 活动形式:" in err
    code, _, err_zh = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "activity")
    assert code == 2 and err_zh.count("\n") == 1 and "共5处问题" in err_zh and "第26行“参加单位”列：没有名为“不存在纪委”" in err_zh
    assert Store(example_store).query("tjpu", "activity") == before


def test_more_than_twenty_bad_rows_name_the_first_twenty_and_count_the_rest(example_store, tmp_path, capsys):
    rows = [["第九协作组", f"例会{n:02d}", "协同工作指导", "2026-09-18", "2026-09-18", "", "", ""] for n in range(23)]
    path = write_csv(tmp_path / "bad.csv", rows)
    code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "activity", "--lang", "en")
    assert code == 2 and "23 problems" in err and err.count("no group named '第九协作组'") == 20 and err.rstrip().endswith("and 3 more")
    code, _, err_zh = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--kind", "activity")
    assert code == 2 and "共23处问题" in err_zh and err_zh.rstrip().endswith("另有3处")


def test_rows_without_ids_keep_one_record_per_natural_key(example_store, tmp_path, capsys):
    rows = [["第四协作组", "专题培训", "学习培训交流", "2026-09-18", "2026-09-18", "机关纪委", "孙刚", ""],
            ["第四协作组", "专题培训", "学习培训交流", "2026-09-25", "2026-09-25", "机关纪委", "孙刚", ""]]
    path = write_csv(tmp_path / "rows.csv", rows)
    args = ("import", path, "--db", example_store, "--org", "tjpu", "--kind", "activity", "--lang", "en")
    assert run(capsys, *args)[0] == 0
    first = imported(example_store, "专题培训")
    assert len(first) == 2 and len({d["id"] for d in first}) == 2
    rows[1][5] = "后勤纪委"  # the office corrects the second row: it updates its record
    write_csv(path, rows)
    code, out, _ = run(capsys, *args)
    assert code == 0 and "created 0, updated 1, unchanged 1" in out
    second = imported(example_store, "专题培训")
    assert [d["id"] for d in second] == [d["id"] for d in first] and sorted(d["units"][0] for d in second) == ["u01", "u02"]


def _sheet_with(tmp_path, name, extra_row_xml):
    """A one-sheet workbook of groups (名称, x) with ``extra_row_xml`` put in after its rows."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "协作组"
    book.active.append(["名称"])
    book.active.append(["第九协作组"])
    good, bad = tmp_path / "good.xlsx", tmp_path / name
    book.save(good)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.decode().replace("</row></sheetData>", f"</row>{extra_row_xml}</sheetData>").encode()
            zout.writestr(item, data)
    return bad


def _renamed_part(src, dst):
    """``src`` with its sheet's part moved to ``xl/worksheets/sheet1.dat``, as its relationships say."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"sheet1.xml", b"sheet1.dat")
            zout.writestr(item.filename.replace("sheet1.xml", "sheet1.dat"), data)
    return dst


def test_a_cell_far_out_is_refused_before_the_sheet_is_read(example_store, tmp_path, capsys):
    # One cell at XFD1048576 makes a sheet of 17 billion cells: the reader would abort the
    # process asking for their memory. It is one line, and nothing is written.
    before = Store(example_store).query("tjpu", "group")
    for name, extra, expected in [
        ("far.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "more than 100,000 rows: split the sheet"),
        ("wide.xlsx", '<row r="3"><c r="XFD3"><v>1</v></c></row><row r="400"><c r="A400"><v>1</v></c></row>',
         "the sheet spans 400 rows by 16,384 columns"),
        ("odd.xlsx", '<row r="3"><c r="xfd3"><v>1</v></c></row>', "a cell reference that cannot be read"),
        ("unquoted.xlsx", '<row r="3"><c r=XFD3><v>1</v></c></row>', "a cell or row tag that cannot be read"),
        # A tag inside another tag's attribute (the scan reads each tag once, past its attributes).
        ("inner.xlsx", '<row r="3"><c r="A3" x="<c r=&apos;XFD3&apos;>"><v>1</v></c></row>', "a cell or row tag that cannot be read"),
        ("inner2.xlsx", '<row r="3"><c r="A3" x="<row r=\'4\'/>"><v>1</v></c></row>', "a cell or row tag that cannot be read"),
        ("lower.xlsx", '<row r="3"><c r="A3" x=" r=\'q\'"><v>1</v></c></row>', "a cell reference that cannot be read"),
    ]:
        code, _, err = run(capsys, "import", _sheet_with(tmp_path, name, extra), "--db", example_store, "--org", "tjpu", "--lang", "en")
        assert code == 2 and expected in err.splitlines()[-1] and "Traceback" not in err, (name, err)
    # The sheet's part need not be called .xml: whatever the workbook's relationships name is scanned.
    renamed = _renamed_part(_sheet_with(tmp_path, "far2.xlsx", '<row r="3"><c r="XFD1048576"><v>1</v></c></row>'), tmp_path / "renamed.xlsx")
    code, _, err = run(capsys, "import", renamed, "--db", example_store, "--org", "tjpu", "--lang", "en")
    assert code == 2 and "more than 100,000 rows" in err.splitlines()[-1], err
    code, _, err = run(capsys, "import", _sheet_with(tmp_path, "ok.xlsx", '<row r="3"><c r="A3" t="inlineStr"><is><t>第十协作组</t></is></c></row>'),
                       "--db", example_store, "--org", "tjpu", "--lang", "en")
    assert code == 2 and "[协作组]: row 3: column number: required field is missing" in err  # read, as far as it goes
    assert Store(example_store).query("tjpu", "group") == before


def test_an_installation_without_the_xlsx_reader_says_so(example_store, tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "python_calamine", None)  # (an import of it raises ImportError)
    path = _sheet_with(tmp_path, "ok.xlsx", "")
    code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--lang", "en")
    assert code == 2 and "needs the python-calamine package" in err.splitlines()[-1]
    code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu")
    assert code == 2 and "需要 python-calamine 软件包" in err


def test_numbers_in_a_workbook_read_as_people_typed_them(example_store, tmp_path, capsys):
    # The xlsx reader gives every number as a float: 1 in a yes/no column is 是, 0 is 否, and a
    # whole number in a text column is its digits.
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "协作活动"
    book.active.append(["协作组", "活动名称", "活动形式", "交叉检查", "开始", "结束"])
    book.active.append(["第四协作组", 2026, "联合监督检查", 1, "2026-09-18", "2026-09-18"])
    book.active.append(["第四协作组", "数字例会", "协同工作指导", 0, "2026-09-19", "2026-09-19"])
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    code, _, err = run(capsys, "import", path, "--db", example_store, "--org", "tjpu", "--lang", "en")
    assert code == 0, err
    got = {d["title"]: d["cross_inspection"] for d in Store(example_store).query("tjpu", "activity") if d["start"] >= "2026-09-18"
           and d["group"] == "g4" and d["title"] in ("2026", "数字例会")}
    assert got == {"2026": True, "数字例会": False}


PLUGINS_LOADED = r"""
import sys
from coordtui.cli import main
code = main(sys.argv[1:])
models = ("county_zones", "dispatched_linkage", "enterprise_tiers", "four_duties", "university_grid")
print(code, ",".join(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in models})))
"""


def test_a_spreadsheet_import_loads_only_its_organizations_model(example_store, tmp_path):
    # tjpu is a university_grid organization: the other installed models are not imported.
    import os
    import subprocess
    import sys

    rows = write_csv(tmp_path / "one.csv", [["第一协作组", "单独导入", "协同工作指导", "2026-03-02", "2026-03-02", "机关纪委", "王洪彬", ""]])
    argv = [sys.executable, "-c", PLUGINS_LOADED, "import", "--db", str(example_store), "--org", "tjpu", "--kind", "activity", "--lang", "en"]
    done = subprocess.run([*argv, str(rows)], capture_output=True, text=True, env=os.environ, timeout=120)
    assert done.stdout.split()[-2:] == ["0", "university_grid"], done.stdout + done.stderr
    assert [d["title"] for d in imported(example_store, "单独导入")] == ["单独导入"]
    # A JSON document names its own model: every plugin is loaded, as for any other command.
    doc = tmp_path / "tjpu.json"
    assert run_main(["export", "--db", str(example_store), "--org", "tjpu", "--format", "json", "--out", str(doc)]) == 0
    done = subprocess.run([*argv[:3], "import", "--db", str(example_store), str(doc)], capture_output=True, text=True, env=os.environ, timeout=120)
    assert done.stdout.split()[-1].count(",") == 4, done.stdout + done.stderr


def test_an_import_whose_model_is_switched_off_says_so_as_before(example_store, tmp_path, capsys, monkeypatch):
    # The plugin named after the model does not provide it here: the import falls back to every
    # plugin, and says what any command says of an organization whose model is not loaded.
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "university_grid")
    rows = write_csv(tmp_path / "one.csv", [["第一协作组", "单独导入", "协同工作指导", "2026-03-02", "2026-03-02", "机关纪委", "王洪彬", ""]])
    before = Store(example_store).query("tjpu", "activity")
    code, _, err = run(capsys, "import", rows, "--db", example_store, "--org", "tjpu", "--kind", "activity", "--lang", "en")
    assert code == 2 and "organization tjpu uses model 'university_grid', which is not loaded" in err, err
    code, _, check_err = run(capsys, "export", "--db", example_store, "--org", "tjpu", "--format", "csv", "--kind", "activity", "--lang", "en")
    assert err.splitlines()[-1] == check_err.splitlines()[-1]
    assert Store(example_store).query("tjpu", "activity") == before


def run_main(argv):
    from coordtui.cli import main

    return main(argv)


def test_references_resolved_in_place_are_what_a_copy_would_be(example_store):
    # plan_table_rows lets the resolution change its own records in place; anyone else's are copied.
    from coordtui.interchange import _resolve_references
    from coordtui.workspace import Workspace

    ws = Workspace.open(example_store)
    org = ws.org("tjpu")
    model = ws.model_of(org)
    cls = model.kind_map["activity"]
    stored = {kind: ws.records(org, kind) for kind in model.kind_map}

    def fresh():
        return [cls.model_validate({"id": f"a{n}", "group": "第一协作组", "title": f"活动{n}", "form": "协同工作指导", "start": "2026-03-02",
                                    "end": "2026-03-02", "units": ["机关纪委", "后勤纪委"], "grid_members": ["王洪彬"]}) for n in range(3)]

    given = fresh()
    copied = _resolve_references(given, stored, "x.csv", org_name=org.name)
    assert [r.units for r in given] == [["机关纪委", "后勤纪委"]] * 3  # the caller's records as they were
    owned = fresh()
    in_place = _resolve_references(owned, stored, "x.csv", org_name=org.name, owned=True)
    assert [r.model_dump() for r in in_place] == [r.model_dump() for r in copied]
    assert [r.model_fields_set for r in in_place] == [r.model_fields_set for r in copied]
    assert in_place[0].units != ["机关纪委", "后勤纪委"] and in_place[0] is owned[0]


# The patterns of the scan before a workbook is read, as they were first written (greedy, without
# the possessive forms the scan now uses to go faster): what they find is what the scan must find.
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_ATTR = rb"\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
FIRST_PATTERNS = {
    "_TAG_OR_ANY": rb"<" + _NS + rb"(?:c|row)(?=[\s/>])(?:((?:" + _ATTR + rb")*)\s*(/?>))?",
    "_R_OR_PLACED": rb"\sr\s*=\s*[\"'](?:([A-Z]{0,3})([1-9]\d{0,6})[\"'])?",
    "_UNTYPED": rb"<" + _NS + rb"c(?:\s+(?!t\s*=)[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*>\s*(?:<" + _NS + rb"f\b(?:"
                + _ATTR + rb")*\s*(?:/>|>[^<]*</" + _NS + rb"f\s*>))?\s*<" + _NS + rb"v\s*>([^<]*)</",
}


def _tag_soup(rng):
    pieces = [b"<", b">", b"/>", b"</", b"c", b"row", b"x:", b"f", b"v", b"t", b" ", b"\t", b"\n", b"r", b"=", b"\"", b"'",
              b"A", b"XFD", b"1", b"0", b"9", b"s", b"t=\"s\"", b" r=\"B2\"", b"<c r=\"A1\">", b"<v>1</v>", b"<f>A1</f>", b"</c>",
              b"<row r=\"3\">", b"</row>", b"<x:c ", b":", b"_", b"-", b"."]
    return b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))


def test_the_scan_before_a_workbook_is_read_finds_what_its_first_patterns_found(tmp_path):
    import random
    import re

    from openpyxl import Workbook

    from coordtui import xlsx_scan

    first = {name: re.compile(pattern) for name, pattern in FIRST_PATTERNS.items()}
    bare = {name: re.compile(pattern.replace(_NS, b"")) for name, pattern in FIRST_PATTERNS.items()}
    now = {"_TAG_OR_ANY": (xlsx_scan._TAG_OR_ANY, xlsx_scan._BARE_TAG_OR_ANY), "_R_OR_PLACED": (xlsx_scan._R_OR_PLACED, xlsx_scan._R_OR_PLACED),
           "_UNTYPED": (xlsx_scan._UNTYPED, xlsx_scan._BARE_UNTYPED)}
    book = Workbook()
    book.active.append(["名称", 1, 2.5, "=A1"])
    book.active.append(["第九协作组", None, "x:y", "<c r='A1'>"])
    book.save(tmp_path / "b.xlsx")
    import zipfile

    with zipfile.ZipFile(tmp_path / "b.xlsx") as archive:
        texts = [archive.read(n) for n in archive.namelist() if n.endswith(".xml")]
    rng = random.Random(20261202)
    texts += [_tag_soup(rng) for _ in range(30000)]
    for text in texts:
        for name, (pattern, bare_pattern) in now.items():
            assert pattern.findall(text) == first[name].findall(text), (name, text)
            assert bare_pattern.findall(text) == bare[name].findall(text), (name, text)
        assert xlsx_scan._prefixed(text) == (xlsx_scan._PREFIXED.search(text) is not None), text
    many = b"<a>" + b"12:30 " * 40 + b"<x:c r='A1'/>"  # more colons than are tried one by one: the pattern decides
    assert xlsx_scan._prefixed(many) and not xlsx_scan._prefixed(many.replace(b"x:c", b"c"))
