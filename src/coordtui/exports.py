"""Reports out (报表导出): the ledger in Excel, the work report in Word, csv, a Markdown summary, a calendar.

Every format works for every model; a model adds its own report sections through the
``coordtui_exports`` hook (an :class:`~coordtui.api.ExportSpec` with ``format="docx-section"``
receives the python-docx ``Document`` and appends to it).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from coordtui.domain.model import DutyStatus, Organization
from coordtui.domain.periods import Period, PeriodKind
from coordtui.domain.records import Record
from coordtui.errors import InputError
from coordtui.forms import field_specs, label_for
from coordtui.rules.engine import CheckResult, status_label

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

FORMATS = ("json", "csv", "md", "ics", "xlsx", "docx")
BINARY = ("xlsx", "docx")
CN_NUMBERS = "一二三四五六七八九十"


def _value(value: Any, names: dict[str, str] | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(names.get(v, v) if names else str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if names and isinstance(value, str):
        return names.get(value, value)
    return str(value)


def kind_table(ws: "Workspace", org: Organization, cls: type[Record], *, lang: str = "zh", names: bool = True) -> tuple[list[str], list[list[str]]]:
    """A kind's records as a header row and text rows; references shown by name when ``names``."""
    specs = field_specs(cls)
    headers = [label_for(s.label, lang) for s in specs]
    lookups: dict[str, dict[str, str]] = {}
    if names:
        for s in specs:
            if s.ref_kind:
                lookups[s.name] = {r.id: r.label() for r in ws.records(org, s.ref_kind)}
    rows = []
    for record in ws.records(org, cls.kind):
        rows.append([_value(getattr(record, s.name), lookups.get(s.name)) for s in specs])
    return headers, rows


def check_for(ws: "Workspace", org: Organization, as_of: date) -> CheckResult:
    return ws.check(as_of, [org.id])


def _period_rows(result: CheckResult, period: Period | None) -> list:
    rows = result.duties
    if period is not None:
        rows = [r for r in rows if r.duty.period is not None and r.duty.period.start >= period.start and r.duty.period.end <= period.end]
    return rows


# csv ---------------------------------------------------------------------------------------

def export_csv(ws: "Workspace", org_id: str, kind: str | None, out: Path | None) -> bytes:
    if not kind:
        raise InputError("csv exports one kind: add --kind KIND (see 'coordtui schema MODEL' for the kinds)")
    org = ws.org(org_id)
    cls = ws.model_of(org).kind(kind)
    headers, rows = kind_table(ws, org, cls)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    # A byte-order mark so that spreadsheet software opens Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# markdown ------------------------------------------------------------------------------------

def export_md(ws: "Workspace", org_id: str, as_of: date, period: Period | None) -> bytes:
    org = ws.org(org_id)
    result = check_for(ws, org, as_of)
    rows = _period_rows(result, period)
    counts = defaultdict(int)
    for r in rows:
        counts[r.status] += 1
    lines = [f"## {org.name}{period.label() if period else ''}工作情况（截至{as_of.isoformat()}）", ""]
    lines.append(f"- 应办事项 {len(rows)} 项：已完成 {counts[DutyStatus.MET]}，逾期完成 {counts[DutyStatus.LATE]}，"
                 f"已逾期 {counts[DutyStatus.OVERDUE]}，临期 {counts[DutyStatus.AT_RISK]}，待办 {counts[DutyStatus.DUE]}")
    findings = [f for f in result.findings if f.org == org.id and (period is None or f.period is None or _in(f.period, period))]
    if findings:
        lines += ["", "**存在问题**", ""]
        lines += [f"{n}. {f.message}" for n, f in enumerate(findings, start=1)]
    soon = sorted((r for r in result.duties if r.status in (DutyStatus.DUE, DutyStatus.AT_RISK) and r.duty.due <= as_of + timedelta(days=14)),
                  key=lambda r: r.duty.due)
    if soon:
        lines += ["", "**近期到期**", ""]
        lines += [f"- {r.duty.due.isoformat()} {r.duty.subject} {r.duty.what_zh}" for r in soon]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _in(period_text: str, period: Period) -> bool:
    try:
        p = Period.parse(period_text)
    except InputError:
        return True
    return p.start >= period.start and p.end <= period.end or (p.start <= period.start and p.end >= period.end)


# ics ------------------------------------------------------------------------------------------

def export_ics(ws: "Workspace", org_id: str, as_of: date) -> bytes:
    """Every upcoming deadline as an all-day event with reminders a day and a week before."""
    org = ws.org(org_id)
    result = check_for(ws, org, as_of)
    # DTSTAMP is an instant in UTC (RFC 5545), taken from the office's clock like every "now".
    stamp = ws.clock.now().astimezone(timezone.utc)
    return duties_ics(result.duties, {org.id: org.name}, f"{org.name} 到期事项", stamp)


def duties_ics(duties: list, org_names: dict[str, str], name: str, stamp, *, alarm_hour: int | None = None) -> bytes:
    """The open duties among ``duties`` as a calendar of all-day events (an organization's
    export, a person's feed). Alarms a week and a day before the deadline; with
    ``alarm_hour``, at that hour (local time: an all-day event is a floating date) a week
    before, the day before and on the day."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//coordtui//纪检监察协作机制//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    if alarm_hour is None:
        triggers = [-timedelta(days=7), -timedelta(days=1)]
    else:
        at = timedelta(hours=alarm_hour)
        triggers = [at - timedelta(days=7), at - timedelta(days=1), at]
    several = len(org_names) > 1
    for row in duties:
        if row.status not in (DutyStatus.DUE, DutyStatus.AT_RISK, DutyStatus.OVERDUE):
            continue
        duty = row.duty
        event = Event()
        uid_period = str(duty.period) if duty.period else "-"
        event.add("uid", f"{row.org}.{row.rule}.{duty.subject_kind}.{duty.subject_id}.{uid_period}.{duty.what_en}@coordtui".replace(" ", "_"))
        event.add("dtstamp", stamp)
        event.add("dtstart", duty.due)
        event.add("dtend", duty.due + timedelta(days=1))
        summary = f"{duty.subject} {duty.what_zh}" + ("（已逾期）" if row.status is DutyStatus.OVERDUE else "")
        event.add("summary", summary)
        description = f"{row.obligation_zh}；{duty.period.label() if duty.period else ''}；{'截止日期为推算' if duty.provisional else ''}".strip("；")
        if several:
            description = f"{org_names.get(row.org, row.org)}；{description}"
        event.add("description", description)
        for trigger in triggers:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", trigger)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


# xlsx ---------------------------------------------------------------------------------------------

def _fit_columns(sheet, rows: list[list[str]]) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = defaultdict(int)
    for row in rows:
        for i, value in enumerate(row, start=1):
            widths[i] = max(widths[i], cell_len(str(value)))
    for i, width in widths.items():
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)


def _sheet(book, title: str, headers: list[str], rows: list[list[str]]):
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = book.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True, name="宋体")
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    _fit_columns(sheet, [headers, *rows])
    return sheet


def export_xlsx(ws: "Workspace", org_id: str, as_of: date, period: Period | None) -> bytes:
    """The ledger (台账): a sheet per kind, a sheet per obligation (subject × period with the reason)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    org = ws.org(org_id)
    model = ws.model_of(org)
    book = Workbook()
    book.properties.created = book.properties.modified = ws.clock.now().astimezone(timezone.utc).replace(tzinfo=None)
    book.remove(book.active)
    used: set[str] = set()
    for cls in model.kinds:
        headers, rows = kind_table(ws, org, cls)
        title = cls.title_zh if cls.title_zh not in used else f"{cls.title_zh}（{cls.kind}）"
        used.add(title)
        _sheet(book, title, headers, rows)
    result = check_for(ws, org, as_of)
    rows_by_rule = defaultdict(list)
    for r in _period_rows(result, period):
        rows_by_rule[(r.rule, r.obligation_zh)].append(r)
    colours = {DutyStatus.MET: "2E7D32", DutyStatus.LATE: "8E24AA", DutyStatus.DUE: "1565C0", DutyStatus.AT_RISK: "EF6C00", DutyStatus.OVERDUE: "C62828"}
    for (rule, title), rows in rows_by_rule.items():
        periods = sorted({str(r.duty.period) for r in rows if r.duty.period is not None})
        subjects: list[str] = []
        cells: dict[tuple[str, str], list] = defaultdict(list)
        for r in rows:
            if r.duty.subject not in subjects:
                subjects.append(r.duty.subject)
            cells[(r.duty.subject, str(r.duty.period))].append(r)
        matrix = []
        for subject in subjects:
            line = [subject]
            for p in periods:
                found = cells.get((subject, p), [])
                line.append("；".join(_reason(r) for r in found))
            matrix.append(line)
        name = f"矩阵-{title}"[:31]
        if name in used:
            name = f"矩阵-{rule.split('.')[-1]}"[:31]
        used.add(name)
        sheet = _sheet(book, name, ["对象"] + periods, matrix)
        for ri, subject in enumerate(subjects, start=2):
            for ci, p in enumerate(periods, start=2):
                found = cells.get((subject, p), [])
                if found:
                    worst = min(found, key=lambda r: [DutyStatus.OVERDUE, DutyStatus.LATE, DutyStatus.AT_RISK, DutyStatus.DUE, DutyStatus.MET].index(r.status))
                    sheet.cell(row=ri, column=ci).font = Font(color=colours[worst.status])
    findings = [f for f in result.findings if f.org == org.id]
    _sheet(book, "问题清单", ["级别", "规则", "对象", "期间", "内容"],
           [[{"error": "错误", "warning": "警告", "info": "提示"}[f.severity.value], f.rule, f.subject, f.period or "", f.message] for f in findings])
    from coordtui.assessment import xlsx_sheet  # the year at a glance (年度考核)

    xlsx_sheet(book, ws, org.id, period.start.year if period else as_of.year, as_of, _sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _reason(row) -> str:
    duty = row.duty
    text = status_label(row.status)
    if row.status in (DutyStatus.MET, DutyStatus.LATE):
        return f"{text}（{duty.met_on.isoformat() if duty.met_on else ''}）" if duty.required == 1 else f"{text}（{duty.count}/{duty.required}）"
    return f"{text}：{duty.what_zh} {duty.count}/{duty.required}，{duty.due.isoformat()}截止"


# docx ----------------------------------------------------------------------------------------------

def _font(run, name: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold


def heading(document, text: str) -> None:
    """A numbered section heading (一、…) in 黑体, as official documents set them."""
    paragraph = document.add_paragraph()
    _font(paragraph.add_run(text), "黑体", 16)


def body(document, text: str) -> None:
    """A body paragraph in 仿宋_GB2312, 16 pt (三号), first line indented two characters."""
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), "仿宋_GB2312", 16)


def export_docx(ws: "Workspace", org_id: str, as_of: date, period: Period | None) -> bytes:
    """The work report (工作报告): centred title, the period, numbered sections, Chinese fonts named."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    org = ws.org(org_id)
    model = ws.model_of(org)
    period = period or Period.containing(as_of, PeriodKind.QUARTER)
    result = check_for(ws, org, as_of)
    rows = _period_rows(result, period)
    document = Document()
    document.core_properties.created = document.core_properties.modified = ws.clock.now().astimezone(timezone.utc)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(f"{org.name}\n{period.label()}{model.name_zh}工作报告"), "方正小标宋简体", 22)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(sub.add_run(f"（{period.start.isoformat()}至{period.end.isoformat()}，截至{as_of.isoformat()}）"), "楷体_GB2312", 16)

    counts = defaultdict(int)
    for r in rows:
        counts[r.status] += 1
    sections: list[tuple[str, list[str]]] = []
    done = counts[DutyStatus.MET] + counts[DutyStatus.LATE]
    summary = [f"本期应办事项{len(rows)}项，已完成{done}项（其中逾期完成{counts[DutyStatus.LATE]}项），"
               f"已逾期未完成{counts[DutyStatus.OVERDUE]}项，临期{counts[DutyStatus.AT_RISK]}项，尚未到期{counts[DutyStatus.DUE]}项。"]
    by_obligation = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_obligation[r.obligation_zh][r.status] += 1
    for name, c in by_obligation.items():
        total = sum(c.values())
        summary.append(f"{name}：共{total}项，完成{c[DutyStatus.MET] + c[DutyStatus.LATE]}项，逾期未完成{c[DutyStatus.OVERDUE]}项。")
    sections.append(("总体情况", summary))
    findings = [f for f in result.findings if f.org == org.id and (f.period is None or _in(f.period, period))]
    sections.append(("存在的问题", [f"{n}. {f.message}" for n, f in enumerate(findings, start=1)] or ["本期未发现问题。"]))
    activity = []
    for cls in model.kinds:
        if cls.partition_field is None:
            continue
        records = [r for r in ws.records(org, cls.kind) if getattr(r, cls.partition_field) in period]
        if records:
            activity.append(f"{cls.title_zh}{len(records)}项：" + "；".join(f"{r.label()}（{getattr(r, cls.partition_field).isoformat()}）" for r in records[:12])
                            + ("等。" if len(records) > 12 else "。"))
    sections.append(("本期工作", activity or ["本期无记录。"]))
    soon = sorted((r for r in result.duties if r.status in (DutyStatus.DUE, DutyStatus.AT_RISK)), key=lambda r: r.duty.due)[:10]
    sections.append(("下一步工作", [f"{r.duty.due.isoformat()}前：{r.duty.subject}{r.duty.what_zh}。" for r in soon] or ["按计划推进各项工作。"]))
    for n, (name, paragraphs) in enumerate(sections):
        heading(document, f"{CN_NUMBERS[n]}、{name}")
        for text in paragraphs:
            body(document, text)
    ctx = ws.context(org, as_of)
    for spec in ws.host.exports(model.id):
        if spec.format == "docx-section":
            spec.write(ctx, period, document)
    from coordtui.assessment import docx_section  # the year at a glance (年度考核), with its chart

    docx_section(document, ws, org.id, period.start.year, as_of, lambda d, text: heading(d, f"{CN_NUMBERS[len(sections)]}、{text}"), body)
    signature = document.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(signature.add_run(f"{org.name}\n{as_of.year}年{as_of.month}月{as_of.day}日"), "仿宋_GB2312", 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export(ws: "Workspace", org_id: str, fmt: str, *, as_of: date, period: Period | None = None, kind: str | None = None) -> bytes:
    """The bytes of ``org_id`` exported as ``fmt``."""
    if fmt == "json":
        from coordtui.interchange import dumps, export_document

        return dumps(export_document(ws, org_id))
    if fmt == "csv":
        return export_csv(ws, org_id, kind, None)
    if fmt == "md":
        return export_md(ws, org_id, as_of, period)
    if fmt == "ics":
        return export_ics(ws, org_id, as_of)
    if fmt == "xlsx":
        return export_xlsx(ws, org_id, as_of, period)
    if fmt == "docx":
        return export_docx(ws, org_id, as_of, period)
    raise InputError(f"unknown export format '{fmt}' (known: {', '.join(FORMATS)})")
