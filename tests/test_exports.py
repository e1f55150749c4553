"""Every export opened back with its own library and checked for content; spreadsheet imports, good and bad."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from coordtui.cli import main
from coordtui.store import Store

AS_OF = "2026-10-15"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "db"
    assert main(["init", "--db", str(path), "--examples"]) == 0
    return path


def export(db, tmp_path, fmt, *extra):
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--db", str(db), "--org", "tjpu", "--format", fmt, "--as-of", AS_OF, "--out", str(out), *extra]) == 0
    return out


def test_xlsx_ledger_has_a_sheet_per_kind_and_per_obligation(db, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(export(db, tmp_path, "xlsx", "--period", "2026Q3"))
    units = book["成员单位"]
    assert units["A1"].value == "天津工业大学 成员单位台账" and "A1:F1" in {str(r) for r in units.merged_cells.ranges}
    assert [c.value for c in units[2]] == ["序号", "名称", "类型", "协作组", "组内顺序", "编号"]
    assert units.max_row == 27 and units.freeze_panes == "B3" and units.auto_filter.ref == "A2:F27"
    assert units["A3"].value == 1 and units["B3"].value == "机关纪委" and units["D3"].value == "第一协作组"
    assert units["E3"].data_type == "n"  # counts are numbers
    assert units.column_dimensions["B"].width >= 26  # 工程教学实习训练中心党总支 is 26 cells wide
    assert units.page_setup.orientation == "landscape" and units.page_setup.paperSize == 9 and units.page_setup.fitToWidth == 1
    assert units.print_title_rows == "$1:$2" and "&P" in units.oddFooter.center.text
    activities = book["协作活动"]
    assert activities["A1"].value == "天津工业大学 2026年第三季度 协作活动台账"
    assert activities.max_row == 2 + 8  # --period: the quarter's 8 activities, not the year's
    start = next(c for c in activities[2] if c.value == "开始").column
    cell = activities.cell(row=3, column=start)
    assert isinstance(cell.value, __import__("datetime").datetime) and cell.number_format == 'yyyy"年"m"月"d"日"'
    matrix = book["矩阵-各协作组每季度不少于1次开展活动"]
    assert [c.value for c in matrix[2]] == ["对象", "2026年第三季度"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in matrix.iter_rows(min_row=3)}
    assert rows["第四协作组"][0].startswith("已逾期") and rows["第一协作组"][0].startswith("已完成")
    assert any(str(v).startswith("图例：") for v in rows)  # a legend beside the colours
    findings = book["问题清单"]
    assert findings.max_row == 2 + 4
    assert {c.value for c in findings["C"][2:]} and not any("university_grid." in str(c.value) for c in findings["C"])


def test_docx_report_is_laid_out_like_an_official_document(db, tmp_path):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    document = Document(export(db, tmp_path, "docx", "--period", "2026Q3"))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert "天津工业大学" in title.text and "2026年第三季度" in title.text and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    headings = [p.text for p in paragraphs if p.text[:2] in ("一、", "二、", "三、", "四、")]
    assert headings == ["一、总体情况", "二、本期工作", "三、存在的问题", "四、下一步工作"]
    text = "\n".join(p.text for p in paragraphs)
    assert "第四协作组2026年第三季度协作活动未完成" in text and "协作活动" in text
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in paragraphs for r in p.runs}
    assert {"黑体", "仿宋_GB2312"} <= fonts
    for p in paragraphs:
        if p.text[:2] in ("一、", "二、", "三、", "四、"):
            assert p._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "0" and p.paragraph_format.keep_with_next
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    props = document.core_properties
    assert props.language == "zh-CN" and props.author == "中共天津工业大学纪律检查委员会" and props.created.date() != date(2013, 12, 23)  # not python-docx's template


def test_csv_of_a_kind_and_its_round_trip(db, tmp_path):
    out = export(db, tmp_path, "csv", "--kind", "activity")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["编号", "协作组", "活动名称"] and len(rows) == 29
    fresh = tmp_path / "fresh"
    main(["init", "--db", str(fresh), "--examples"])
    store = Store(fresh)
    before = {d["id"]: {k: v for k, v in d.items() if not k.startswith("_")} for d in store.query("tjpu", "activity")}
    assert main(["import", str(out), "--db", str(fresh), "--org", "tjpu", "--kind", "activity"]) == 0
    after = {d["id"]: {k: v for k, v in d.items() if not k.startswith("_")} for d in Store(fresh).query("tjpu", "activity")}
    assert after == before  # names in the file resolved back to the same ids


def test_xlsx_round_trip_import_then_export_gives_the_same_rows(db, tmp_path):
    from openpyxl import load_workbook

    first = export(db, tmp_path, "xlsx")
    fresh = tmp_path / "fresh"
    main(["init", "--db", str(fresh)])
    main(["export", "--db", str(db), "--org", "tjpu", "--out", str(tmp_path / "org.json")])
    doc = json.loads((tmp_path / "org.json").read_text())
    doc["items"] = [i for i in doc["items"] if i["kind"] in ("group", "unit", "grid_member")]
    (tmp_path / "structure.json").write_text(json.dumps(doc, ensure_ascii=False))
    assert main(["import", str(tmp_path / "structure.json"), "--db", str(fresh)]) == 0
    assert main(["import", str(first), "--db", str(fresh), "--org", "tjpu"]) == 0
    second = tmp_path / "second.xlsx"
    main(["export", "--db", str(fresh), "--org", "tjpu", "--format", "xlsx", "--as-of", AS_OF, "--out", str(second)])
    a, b = load_workbook(first), load_workbook(second)
    for title in ("协作组", "成员单位", "网格员", "网格联系", "组长单位任期", "协作活动", "成员单位会议", "季度活动安排", "季度工作总结"):
        assert [[c.value for c in r] for r in a[title].iter_rows()] == [[c.value for c in r] for r in b[title].iter_rows()], title


def test_ics_has_every_upcoming_deadline_with_reminders(db, tmp_path):
    from datetime import timedelta

    from icalendar import Calendar

    cal = Calendar.from_ical(export(db, tmp_path, "ics").read_bytes())
    events = [e for e in cal.walk("VEVENT")]
    open_events = [e for e in events if str(e["status"]) == "CONFIRMED"]
    summaries = {str(e["summary"]) for e in open_events}
    assert "第四协作组 协作活动（已逾期）" in summaries and "第五协作组 工作总结" in summaries
    q4 = next(e for e in open_events if str(e["summary"]) == "第一协作组 协作活动")
    assert q4.decoded("dtstart") == date(2026, 12, 31)
    # reminders at 09:00 on the morning a week and a day before, not at midnight
    assert sorted(a.decoded("trigger") for a in q4.walk("VALARM")) == [timedelta(days=-7, hours=9), timedelta(days=-1, hours=9), timedelta(hours=9)]
    # an overdue duty stays in sight: on the as-of day, with its deadline in the description
    overdue = next(e for e in open_events if str(e["summary"]) == "第四协作组 协作活动（已逾期）")
    assert overdue.decoded("dtstart") == date(2026, 10, 15) and "截止2026年9月30日" in str(overdue["description"])
    assert overdue.decoded("sequence") == 15
    # a duty met lately is cancelled under its own UID, with a higher SEQUENCE than any earlier export gave it
    met = next(e for e in events if str(e["summary"]) == "第一协作组 协作活动" and str(e["status"]) == "CANCELLED")
    assert "2026Q3" in str(met["uid"]) and met.decoded("sequence") >= 1 and not list(met.walk("VALARM"))
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_ics_of_a_model_without_recurring_duties_says_why(db, tmp_path):
    from icalendar import Calendar

    out = tmp_path / "tianjin.ics"
    assert main(["export", "--db", str(db), "--org", "tianjin", "--format", "ics", "--as-of", AS_OF, "--out", str(out)]) == 0
    cal = Calendar.from_ical(out.read_bytes())
    assert not list(cal.walk("VEVENT")) and "没有按期报送的应办事项" in str(cal["x-wr-caldesc"])


def test_md_summary(db, tmp_path, capsys):
    assert main(["export", "--db", str(db), "--org", "tjpu", "--format", "md", "--period", "2026Q3", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## 天津工业大学2026年第三季度工作情况") and "已逾期 2" in out and "苏岩" in out


def test_every_example_exports_to_every_format(db, tmp_path):
    for org in ("tjpu", "pingluo", "zikuang", "usst"):
        for fmt in ("json", "xlsx", "docx", "md", "ics"):
            out = tmp_path / f"{org}.{fmt}"
            assert main(["export", "--db", str(db), "--org", org, "--format", fmt, "--as-of", AS_OF, "--out", str(out)]) == 0
            assert out.stat().st_size > 200, (org, fmt)


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_csv_import_with_english_headers_chinese_dates_and_names(db, tmp_path, capsys):
    fresh = tmp_path / "fresh"
    main(["init", "--db", str(fresh), "--examples"])
    path = tmp_path / "acts.csv"
    write_csv(path, [["Group", "Title", "Form", "Start", "End", "Grid members present", "News submitted on"],
                     ["第四协作组", "第三季度工作例会", "协同工作指导", "2026/9/18", "2026年9月18日", "孙刚、赵  诚", "2026.9.21"]])
    assert main(["import", str(path), "--db", str(fresh), "--org", "tjpu", "--kind", "activity", "--dry-run", "--lang", "en"]) == 0
    assert "would create 1" in capsys.readouterr().out
    assert main(["import", str(path), "--db", str(fresh), "--org", "tjpu", "--kind", "activity"]) == 0
    new = [d for d in Store(fresh).query("tjpu", "activity") if d["title"] == "第三季度工作例会"]
    assert len(new) == 1 and new[0]["group"] == "g4" and new[0]["grid_members"] == ["gm05", "gm07"] and new[0]["end"] == "2026-09-18"
    assert main(["import", str(path), "--db", str(fresh), "--org", "tjpu", "--kind", "activity"]) == 0  # idempotent
    assert len([d for d in Store(fresh).query("tjpu", "activity") if d["title"] == "第三季度工作例会"]) == 1


@pytest.mark.parametrize("rows,expected", [
    ([["协作组", "活动名称", "颜色"], ["第一协作组", "x", "红"]], "column 颜色: not a field of activity"),
    ([["协作组", "活动名称", "活动形式", "开始", "结束"], ["第一协作组", "x", "协同工作指导", "2026-02-30", "2026-03-01"]], "row 2: column 开始: '2026-02-30' is not a day"),
    ([["协作组", "活动名称", "活动形式", "开始", "结束"], ["第一协作组", "x", "协同工作指导", "三月五日", "2026-03-01"]], "row 2: column 开始: '三月五日' is not a date"),
    ([["协作组", "活动名称", "活动形式", "开始", "结束"], ["第九协作组", "x", "协同工作指导", "2026-03-01", "2026-03-01"]], "row 2: column 协作组: no group named '第九协作组'"),
    ([["协作组", "活动名称", "活动形式", "开始", "结束"], ["第一协作组", "x", "开会", "2026-03-01", "2026-03-01"]], "row 2: column 活动形式:"),
    ([["协作组", "活动名称", "活动形式", "开始", "结束"], ["第一协作组", "好", "协同工作指导", "2026-03-01", "2026-03-01"],
      ["第一协作组", "", "协同工作指导", "2026-03-01", "2026-03-01"]], "row 3: column 活动名称:"),
])
def test_bad_spreadsheet_rows_stop_the_import(db, tmp_path, capsys, rows, expected):
    path = tmp_path / "bad.csv"
    write_csv(path, rows)
    before = len(Store(db).query("tjpu", "activity"))
    code = main(["--lang", "en", "import", str(path), "--db", str(db), "--org", "tjpu", "--kind", "activity"])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and str(path) in err and err.count("\n") == 1
    assert len(Store(db).query("tjpu", "activity")) == before


def test_spreadsheet_import_needs_org_and_csv_needs_kind(db, tmp_path, capsys):
    path = tmp_path / "x.csv"
    write_csv(path, [["名称"], ["a"]])
    assert main(["--lang", "en", "import", str(path), "--db", str(db)]) == 2 and "add --org" in capsys.readouterr().err
    assert main(["--lang", "en", "import", str(path), "--db", str(db), "--org", "tjpu"]) == 2 and "add --kind" in capsys.readouterr().err
    (tmp_path / "not.xlsx").write_text("hello")
    assert main(["--lang", "en", "import", str(tmp_path / "not.xlsx"), "--db", str(db), "--org", "tjpu"]) == 2
    assert "not a readable xlsx workbook" in capsys.readouterr().err
