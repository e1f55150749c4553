"""Ledgers (台账) as offices keep them, built with openpyxl the way Excel leaves them, imported
and checked for exactly what was stored; and the spreadsheets that must be refused in one line."""

from __future__ import annotations

import csv
import zipfile
from datetime import datetime

import pytest

from coordtui.cli import main
from coordtui.store import Store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "db"
    assert main(["init", "--db", str(path), "--examples"]) == 0
    return path


def activities(db, title):
    return [d for d in Store(db).query("tjpu", "activity") if d["title"] == title]


def office_ledger(path, rows, *, merge=(), title="天津工业大学2026年第三季度协作活动台账"):
    """Sheet1 with a merged title row, an empty row, the header in row 3 (split over two lines),
    序号 and 备注 columns, the rows, a notes row; Sheet2 and Sheet3 left empty, as Excel makes them."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    header = ["序号", "协作组", "活动名称", "活动形式", "开始", "结束", "参加单位", "出席网格员", "新闻稿\n报送日期", "备注"]
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([])
    sheet.append(header)
    for n, row in enumerate(rows, start=1):
        sheet.append([n, *row])
    for ref in merge:
        sheet.merge_cells(ref)
    sheet.append([])
    sheet.append(["填表人：张三        审核人：李四"])
    book.create_sheet("Sheet2")
    book.create_sheet("Sheet3")
    book.save(path)


def test_an_office_ledger_is_read_as_the_office_meant_it(db, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    office_ledger(path, [
        # the group's full name with the organization's in front, an Excel serial date, a date cell, Chinese dates
        ["天津工业大学第四协作组", "第三季度联合检查", "联合监督检查", 46273, datetime(2026, 9, 8), "机关纪委", "孙刚\n赵诚", "2026年9月9日（星期三）", "补录"],
        # 参加单位 merged down from the row above: it counts for this row too
        ["第四协作组", "第三季度专题培训", "学习培训交流", "2026-09-18 00:00:00", "2026/9/18", None, "孙刚 赵诚", "2026.9.21", ""],
    ], merge=["G4:G5"])
    assert main(["import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity"]) == 0, capsys.readouterr().err
    first, = activities(db, "第三季度联合检查")
    second, = activities(db, "第三季度专题培训")
    assert (first["group"], first["start"], first["end"], first["news_submitted"]) == ("g4", "2026-09-08", "2026-09-08", "2026-09-09")
    assert first["units"] == second["units"] == ["u01"] and first["grid_members"] == second["grid_members"] == ["gm05", "gm07"]
    assert (second["start"], second["end"], second["news_submitted"]) == ("2026-09-18", "2026-09-18", "2026-09-21")
    assert len(activities(db, "填表人：张三        审核人：李四")) == 0


def test_a_corrected_row_updates_its_record_and_dry_run_says_so_per_row(db, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    row = ["第四协作组", "第三季度联合检查", "联合监督检查", "2026-09-08", "2026-09-08", "机关纪委", "孙刚", "2026-09-15", ""]
    office_ledger(path, [row])
    assert main(["import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity"]) == 0
    before = len(Store(db).query("tjpu", "activity"))
    office_ledger(path, [[*row[:6], "孙刚、赵诚", "2026-09-09", "已更正"]])  # the office corrects attendance and the news date
    capsys.readouterr()
    assert main(["import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity", "--dry-run", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "[Sheet1]: row 4: updated activity 第三季度联合检查" in out and "nothing written" in out
    assert main(["import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity"]) == 0
    stored, = activities(db, "第三季度联合检查")
    assert len(Store(db).query("tjpu", "activity")) == before  # one meeting, counted once
    assert stored["grid_members"] == ["gm05", "gm07"] and stored["news_submitted"] == "2026-09-09"
    capsys.readouterr()
    assert main(["import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity", "--dry-run"]) == 0
    assert "[Sheet1]：第4行：未变 activity" in capsys.readouterr().out


def test_every_bad_row_is_reported_at_once_with_the_nearest_names(db, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    office_ledger(path, [
        ["第四组", "甲", "联合监督检查", "2026-09-08", "2026-09-08", "", "", "", ""],
        ["第一协作组", "乙", "联合监督检查", "2026-02-30", "2026-09-08", "", "", "", ""],
        ["第一协作组", "丙", "联合监督检查", "2026-09-08", "2026-09-08", "", "", "", ""],
    ])
    before = Store(db).query("tjpu", "activity")
    assert main(["--lang", "en", "import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2 problems" in err
    assert "row 4: column 协作组: no group named '第四组': did you mean 第四协作组" in err
    assert "row 5: column 开始: '2026-02-30' is not a day of the calendar" in err
    assert Store(db).query("tjpu", "activity") == before


def test_the_chinese_message_names_the_rows_too(db, tmp_path):
    from coordtui.errors import InputError
    from coordtui.plugins import PluginHost
    from coordtui.tabular import plan_table_rows
    from coordtui.workspace import Workspace

    path = tmp_path / "x.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["协作组", "活动名称", "活动形式", "开始", "结束"], ["第一协作组", "x", "协同工作指导", "三月五日", "2026-03-01"]])
    with pytest.raises(InputError) as info:
        plan_table_rows(Workspace(Store(db), PluginHost()), path, "tjpu", "activity")
    assert "第2行“开始”列" in info.value.text("zh")


def test_gbk_csv_quarters_as_written_and_a_step_in_chinese(db, tmp_path, capsys):
    plans = tmp_path / "安排.csv"
    with open(plans, "w", encoding="gbk", newline="") as fh:  # what Excel saves on a Chinese Windows
        csv.writer(fh).writerows([["协作组", "季度", "报送单位", "报送日期"], ["第一协作组", "2026年第四季度", "机关纪委", "2026年10月9日"]])
    assert main(["import", str(plans), "--db", str(db), "--org", "tjpu", "--kind", "quarter_plan"]) == 0, capsys.readouterr().err
    assert [d["filed_on"] for d in Store(db).query("tjpu", "quarter_plan") if d["quarter"] == "2026Q4" and d["group"] == "g1"] == ["2026-10-09"]
    with open(plans, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([["协作组", "季度", "报送单位", "报送日期"], ["第一协作组", "四季度", "机关纪委", "2026年10月9日"]])
    assert main(["import", str(plans), "--db", str(db), "--org", "tjpu", "--kind", "quarter_plan"]) == 2
    assert "'四季度' does not say the year" in capsys.readouterr().err
    steps = tmp_path / "流程.csv"
    with open(steps, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["任务", "环节", "经办人", "日期"], ["群众反映强烈问题线索集中核查", "撰写报告", "检查组组长", "2026年9月1日"]])
    assert main(["import", str(steps), "--db", str(db), "--org", "pingluo", "--kind", "task_step"]) == 0, capsys.readouterr().err
    assert [d["on"] for d in Store(db).query("pingluo", "task_step") if d["state"] == "report_drafted" and d["task"] == "t-2026-leads"] == ["2026-09-01"]


def _patched(src, dst, sheet_xml):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml(data.decode()).encode()
            zout.writestr(item, data)


@pytest.mark.parametrize("cell", ['<c r="B2"><v>abc</v></c>', '<c r="B2" t="s"><v>999</v></c>'])
def test_a_damaged_cell_is_one_line_not_a_traceback(db, tmp_path, capsys, cell):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "协作组"
    book.active.append(["名称"])
    book.active.append(["x"])
    book.save(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    _patched(tmp_path / "good.xlsx", bad, lambda xml: xml.replace("</row></sheetData>", f"</row><row r=\"3\">{cell}</row></sheetData>"))
    assert main(["--lang", "en", "import", str(bad), "--db", str(db), "--org", "tjpu"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable xlsx workbook" in err and "save it again" in err


def test_spreadsheet_limits(db, tmp_path, capsys, monkeypatch):
    from coordtui import tabular

    path = tmp_path / "g.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["名称"], ["x" * 140_000]])
    assert main(["--lang", "en", "import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "group"]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "at most 32,767 characters" in err and "not a readable xlsx" not in err
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["名称"], *[[f"组{n}"] for n in range(30)]])
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    assert main(["--lang", "en", "import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "group"]) == 2
    assert "more than 5 rows: split the file" in capsys.readouterr().err
    monkeypatch.setattr(tabular, "MAX_TABLE_BYTES", 100)
    assert main(["--lang", "en", "import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "group"]) == 2
    assert "a spreadsheet import takes: split it" in capsys.readouterr().err
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "协作组"
    book.active.append(["名称"])
    book.active.append(["长" * 5000])
    book.save(tmp_path / "big.xlsx")
    monkeypatch.setattr(tabular, "MAX_TABLE_BYTES", 50 * 1024 * 1024)
    from coordtui import xlsx_scan  # (a workbook's parts are bounded by the scan before it is read)

    monkeypatch.setattr(xlsx_scan, "MAX_UNPACKED_BYTES", 10_000)
    assert main(["--lang", "en", "import", str(tmp_path / "big.xlsx"), "--db", str(db), "--org", "tjpu"]) == 2
    assert "unpacks to" in capsys.readouterr().err


def test_every_kind_declares_a_natural_key_of_its_own_fields():
    import importlib

    for model in ("university_grid", "county_zones", "enterprise_tiers", "four_duties", "dispatched_linkage"):
        for cls in importlib.import_module(f"{model}.kinds").KINDS:
            assert cls.natural_key and set(cls.natural_key) <= set(cls.model_fields) - {"id"}, (model, cls.kind)
