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
BINARY = ("xlsx", "docx", "archive")
#: The archive (台账资料, a zip: see coordtui.archive); not in FORMATS, whose every format is one document.
ARCHIVE = "archive"


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


def kind_table(ws: "Workspace", org: Organization, cls: type[Record], *, lang: str = "zh", names: bool = True,
               period: Period | None = None, typed: bool = False) -> tuple[list[str], list[list[Any]]]:
    """A kind's records as a header row and rows; references shown by name when ``names``.

    ``period`` keeps the dated records that fall in it (structure is kept whole); ``typed``
    keeps dates as dates and counts as numbers (for spreadsheet cells) instead of text.
    """
    specs = field_specs(cls)
    headers = [label_for(s.label, lang) for s in specs]
    lookups: dict[str, dict[str, str]] = {}
    if names:
        for s in specs:
            if s.ref_kind:
                lookups[s.name] = {r.id: r.label() for r in ws.records(org, s.ref_kind)}
    rows = []
    for record in ws.records(org, cls.kind):
        if period is not None and cls.partition_field is not None and getattr(record, cls.partition_field) not in period:
            continue
        row = []
        for s in specs:
            value = getattr(record, s.name)
            keep = typed and (isinstance(value, date) or (isinstance(value, int) and not isinstance(value, bool)))
            row.append(value if keep else _value(value, lookups.get(s.name) or cls.choice_labels.get(s.name)))
        rows.append(row)
    return headers, rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert (OWASP's CSV-injection rule):
    ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``. Import removes the quote again."""
    if isinstance(text, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def check_for(ws: "Workspace", org: Organization, as_of: date) -> CheckResult:
    return ws.check(as_of, [org.id])


def _period_rows(result: CheckResult, period: Period | None) -> list:
    """The duties that are ``period``'s; a per-record duty (限期事项) is the period's its due date falls in."""
    rows = result.duties
    if period is not None:
        rows = [r for r in rows if r.duty.belongs_to(period)]
    return rows


# csv ---------------------------------------------------------------------------------------

def export_csv(ws: "Workspace", org_id: str, kind: str | None, out: Path | None, period: Period | None = None) -> bytes:
    if not kind:
        raise InputError("csv exports one kind: add --kind KIND (see 'coordtui schema MODEL' for the kinds)")
    org = ws.org(org_id)
    cls = ws.model_of(org).kind(kind)
    headers, rows = kind_table(ws, org, cls, period=period)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([neutralise(v) for v in row] for row in rows)
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

CANCEL_WINDOW = timedelta(days=92)  # a duty met within this window is sent as cancelled, so phones drop it
ALARM_HOUR = 9  # reminders at 09:00 local on the day, not at midnight


def _sequence(as_of: date, due: date, cancelled: bool) -> int:
    """RFC 5545's SEQUENCE without a stored counter: it grows with each day an overdue duty is moved
    to today, and once more when the duty is met, so calendars take every later export as newer."""
    return max(0, (as_of - due).days) + (1 if cancelled else 0)


def export_ics(ws: "Workspace", org_id: str, as_of: date) -> bytes:
    """Every open deadline of an organization as an all-day event (see :func:`duties_ics`)."""
    org = ws.org(org_id)
    model = ws.model_of(org)
    result = check_for(ws, org, as_of)
    # DTSTAMP is an instant in UTC (RFC 5545), taken from the office's clock like every "now".
    stamp = ws.clock.now().astimezone(timezone.utc)
    if not ws.host.obligations(model.id):  # an empty calendar says why rather than look broken
        empty = f"{model.name_zh}模型没有按期报送的应办事项（其规则只检查记录本身），因此本日历没有到期事项。"
    else:
        empty = f"截至{_cn(as_of)}没有待办或逾期事项。"
    return duties_ics(result.duties, {org.id: org.name}, f"{org.name} 到期事项", stamp, as_of, empty=empty)


def duties_ics(duties: list, org_names: dict[str, str], name: str, stamp, as_of: date, *, empty: str | None = None) -> bytes:
    """The open duties among ``duties`` as a calendar of all-day events (an organization's
    export, a person's feed), with reminders at 09:00 local (an all-day event is a floating
    date) a week before, the day before and on the day.

    An overdue duty is shown on the as-of day ("已逾期", with its deadline), so it stays in
    sight on a phone instead of sinking into the past; a duty met lately keeps its UID and
    comes back as STATUS:CANCELLED with a higher SEQUENCE, which removes it from calendars
    that subscribed to an earlier export. ``empty``: what the calendar says when it has no event."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//coordtui//纪检监察协作机制//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    several = len(org_names) > 1
    events = 0
    for row in duties:
        duty = row.duty
        met = row.status in (DutyStatus.MET, DutyStatus.LATE)
        if met and not (duty.met_on and as_of - CANCEL_WINDOW <= duty.met_on <= as_of):
            continue
        event = Event()
        uid_period = str(duty.period) if duty.period else "-"
        event.add("uid", f"{row.org}.{row.rule}.{duty.subject_kind}.{duty.subject_id}.{uid_period}.{duty.what_en}@coordtui".replace(" ", "_"))
        event.add("dtstamp", stamp)
        overdue = row.status is DutyStatus.OVERDUE
        day = as_of if overdue else duty.due
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("sequence", _sequence(as_of, duty.due, met))
        summary = f"{duty.subject} {duty.what_zh}" + ("（已逾期）" if overdue else "")
        event.add("summary", summary)
        notes = [org_names.get(row.org, row.org) if several else "", row.obligation_zh, duty.period.label() if duty.period else "",
                 f"截止{_cn(duty.due)}", "截止日期为推算" if duty.provisional else "",
                 f"已于{_cn(duty.met_on)}完成" if met and duty.met_on else ""]
        event.add("description", "；".join(n for n in notes if n))
        if met:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
            reminders = (timedelta(0),) if overdue else (timedelta(days=7), timedelta(days=1), timedelta(0))
            for before in reminders:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", summary)
                # relative to the all-day event's start (00:00 local): the morning of the day
                alarm.add("trigger", -before + timedelta(hours=ALARM_HOUR))
                event.add_component(alarm)
        cal.add_component(event)
        events += 1
    if not events and empty:
        cal.add("x-wr-caldesc", empty)
    return cal.to_ical()


# xlsx ---------------------------------------------------------------------------------------------

_DATE_FORMAT = 'yyyy"年"m"月"d"日"'
_STATUS_ORDER = [DutyStatus.OVERDUE, DutyStatus.LATE, DutyStatus.AT_RISK, DutyStatus.DUE, DutyStatus.MET]
_COLOURS = {DutyStatus.MET: "2E7D32", DutyStatus.LATE: "8E24AA", DutyStatus.DUE: "1565C0", DutyStatus.AT_RISK: "EF6C00",
            DutyStatus.OVERDUE: "C62828"}
HEADER_ROW = 2  # row 1 is the ledger's title


def _fit_columns(sheet, rows: list[list[Any]]) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = defaultdict(int)
    for row in rows:
        for i, value in enumerate(row, start=1):
            text = _value(value) if isinstance(value, date) else str(value if value is not None else "")
            widths[i] = max(widths[i], max((cell_len(part) for part in text.split("\n")), default=0))
    for i, width in widths.items():
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)


def _sheet(book, name: str, title: str, headers: list[str], rows: list[list[Any]], *, numbered: bool = True):
    """A ledger sheet (台账): the title row, the header row (repeated on every printed page), 序号,
    date cells with a Chinese date format, long text wrapped, landscape A4 fitted to the width."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=name[:31])
    if numbered:
        headers = ["序号", *headers]
        rows = [[n, *row] for n, row in enumerate(rows, start=1)]
    width = max(len(headers), 1)
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, name="宋体", size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 28
    for c, header in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=c, value=header)
        cell.font = Font(bold=True, name="宋体")
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                # text stays text: a title starting with = is never a live formula
                cell.data_type = "s"
                if len(value) > 40 or "\n" in value:
                    cell.alignment = wrap
            elif isinstance(value, date):
                cell.number_format = _DATE_FORMAT
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2 if numbered else 1)
    if rows:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{HEADER_ROW + len(rows)}"
    _fit_columns(sheet, [headers, *rows])
    _print_setup(sheet)
    return sheet


def _print_setup(sheet) -> None:
    """Landscape A4, all columns on one page width, the title and header rows on every page, page numbers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def ledger_title(org: Organization, period: Period | None, what: str) -> str:
    """``天津工业大学 2026年第三季度 协作活动台账``."""
    return " ".join(part for part in (org.name, period.label() if period else "", f"{what}台账") if part)


def kind_sheet_rows(ws: "Workspace", org: Organization, cls: type[Record], period: Period | None) -> tuple[list[str], list[list[Any]]]:
    """A kind's ledger columns: its fields with the id (编号) moved to the last column."""
    headers, rows = kind_table(ws, org, cls, period=period, typed=True)
    at = [s.name for s in field_specs(cls)].index("id")
    return ([*headers[:at], *headers[at + 1:], headers[at]],
            [[*row[:at], *row[at + 1:], row[at]] for row in rows])


def export_xlsx(ws: "Workspace", org_id: str, as_of: date, period: Period | None) -> bytes:
    """The ledger (台账): a sheet per kind, a sheet per obligation (subject × period with the reason), the problems."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    org = ws.org(org_id)
    model = ws.model_of(org)
    book = Workbook()
    book.properties.created = book.properties.modified = ws.clock.now().astimezone(timezone.utc).replace(tzinfo=None)
    book.properties.language = "zh-CN"
    book.remove(book.active)
    used: set[str] = set()
    for cls in model.kinds:
        headers, rows = kind_sheet_rows(ws, org, cls, period if cls.partition_field else None)
        name = cls.title_zh if cls.title_zh not in used else f"{cls.title_zh}（{cls.kind}）"
        used.add(name)
        _sheet(book, name, ledger_title(org, period if cls.partition_field else None, cls.title_zh), headers, rows)
    result = check_for(ws, org, as_of)
    rows_by_rule = defaultdict(list)
    for r in _period_rows(result, period):
        rows_by_rule[(r.rule, r.obligation_zh)].append(r)
    legend = "图例：" + "；".join(f"{status_label(s)}（{name}色）" for s, name in
                                 zip(_STATUS_ORDER, ("红", "紫", "橙", "蓝", "绿")))
    for (rule, title), rows in rows_by_rule.items():
        periods: list[Period | None] = sorted({r.duty.period for r in rows if r.duty.period is not None}, key=lambda p: (p.start, p.end))
        if any(r.duty.period is None for r in rows):
            periods.append(None)  # per-record duties (限期事项): one column, each with its own due date
        subjects: list[str] = []
        cells: dict[tuple[str, Any], list] = defaultdict(list)
        for r in rows:
            if r.duty.subject not in subjects:
                subjects.append(r.duty.subject)
            cells[(r.duty.subject, r.duty.period)].append(r)
        matrix = []
        for subject in subjects:
            line = [subject]
            for p in periods:
                found = cells.get((subject, p), [])
                # two duties in one cell say which is which
                line.append("\n".join((f"{r.duty.what_zh}：" if len(found) > 1 else "") + _reason(r) for r in found))
            matrix.append(line)
        name = f"矩阵-{title}"[:31]
        if name in used:
            name = f"矩阵-{rule.split('.')[-1]}"[:31]
        used.add(name)
        sheet = _sheet(book, name, ledger_title(org, period, title), ["对象"] + [p.label() if p else "限期事项" for p in periods], matrix, numbered=False)
        for ri, subject in enumerate(subjects, start=HEADER_ROW + 1):
            for ci, p in enumerate(periods, start=2):
                found = cells.get((subject, p), [])
                if found:
                    worst = min(found, key=lambda r: _STATUS_ORDER.index(r.status))
                    sheet.cell(row=ri, column=ci).font = Font(color=_COLOURS[worst.status])
        at = HEADER_ROW + len(subjects) + 2
        sheet.cell(row=at, column=1, value=legend)
        for n, status in enumerate(_STATUS_ORDER, start=1):
            cell = sheet.cell(row=at + n, column=1, value=status_label(status))
            cell.font = Font(color=_COLOURS[status])
    rule_titles = {rule.id: rule.title_zh for rule in ws.host.rules(model.id)}
    rule_titles.update({o.rule: o.title_zh for o in ws.host.obligations(model.id)})
    findings = [f for f in result.findings if f.org == org.id and (period is None or f.period is None or _in(f.period, period))]
    _sheet(book, "问题清单", ledger_title(org, period, "问题清单"), ["级别", "规则", "对象", "期间", "内容"],
           [[{"error": "错误", "warning": "警告", "info": "提示"}[f.severity.value], rule_titles.get(f.rule, f.rule), f.subject,
             _period_label(f.period), f.message] for f in findings])
    from coordtui.assessment import xlsx_sheet  # the year at a glance (年度考核)

    xlsx_sheet(book, ws, org.id, period.start.year if period else as_of.year, as_of,
               lambda book, name, headers, rows: _sheet(book, name, f"{org.name} {name}", headers, rows, numbered=False))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _period_label(text: str | None) -> str:
    if not text:
        return ""
    try:
        return Period.parse(text).label()
    except InputError:
        return text


def _reason(row) -> str:
    duty = row.duty
    text = status_label(row.status)
    if row.status in (DutyStatus.MET, DutyStatus.LATE):
        return f"{text}（{_cn(duty.met_on) if duty.met_on else ''}）" if duty.required == 1 else f"{text}（{duty.count}/{duty.required}）"
    return f"{text}：{duty.what_zh} {duty.count}/{duty.required}，{_cn(duty.due)}截止"


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# docx ----------------------------------------------------------------------------------------------

def heading(document, text: str, level: int = 1) -> None:
    """A section heading of the Word report, numbered for its level (一、 （一） 1. （1）) after the
    headings already there, in the standard's font for the level, kept with the text after it.

    :param text: the heading without its number (``案件质量``).
    :param level: 1 to 4.
    """
    from coordtui import officedoc  # python-docx is loaded only when a report is written

    officedoc.heading(document, text, level)


def body(document, text: str) -> None:
    """A body paragraph of the Word report: 仿宋 三号, first line indented two characters, ISO dates
    written 2026年10月15日 and a full stop added when the text does not end a sentence."""
    from coordtui import officedoc

    officedoc.body(document, text)

_WORST_FIRST = [DutyStatus.OVERDUE, DutyStatus.LATE, DutyStatus.AT_RISK, DutyStatus.DUE, DutyStatus.MET]


def record_owner(record: Record, lookups: dict[str, dict[str, str]]) -> str:
    """Who or what a record belongs to, by name: its first reference that is set (a group, a unit, a task)."""
    for field, target in record.references().items():
        values = record.ref_values(field)
        if values and target in lookups:
            return "、".join(lookups[target].get(v, v) for v in values)
    return ""


def record_title(record: Record) -> str:
    """What a record is called in a sentence: its label, or its kind's name when the label is only its id."""
    label = record.label()
    return record.title_zh if record.label_field == "id" or label == record.id else label


def _joined(names: list[str], limit: int = 8, unit: str = "个") -> str:
    return "、".join(names[:limit]) + (f"等{len(names)}{unit}" if len(names) > limit else "")


def _name_lookups(ws: "Workspace", org: Organization, model) -> dict[str, dict[str, str]]:
    """kind → id → what the report calls the record (its label, or its kind's name when that is only its id)."""
    return {cls.kind: {r.id: record_title(r) for r in ws.records(org, cls.kind)} for cls in model.kinds}


def _work_done(ws: "Workspace", org: Organization, model, period: Period) -> list[str]:
    """本期工作: per kind, who did what and when, records of one owner together."""
    from coordtui.officedoc import cn_date

    lookups = _name_lookups(ws, org, model)
    paragraphs = []
    for cls in model.kinds:
        if cls.partition_field is None:
            continue
        records = sorted((r for r in ws.records(org, cls.kind) if getattr(r, cls.partition_field) in period),
                         key=lambda r: getattr(r, cls.partition_field))
        if not records:
            continue
        by_owner: dict[str, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
        for r in records:
            by_owner[record_owner(r, lookups)][record_title(r)].append(getattr(r, cls.partition_field))
        parts = []
        for owner, titles in list(by_owner.items())[:12]:
            entries = "；".join(f"{t}（{_joined([cn_date(d) for d in days], 6, '次')}）" for t, days in list(titles.items())[:6])
            if len(titles) > 6:
                entries += f"等{len(titles)}项"
            parts.append(f"{owner}：{entries}" if owner else entries)
        more = f"；另有{len(by_owner) - 12}个对象的记录从略" if len(by_owner) > 12 else ""
        paragraphs.append(f"{cls.title_zh}共{len(records)}项。" + "；".join(parts) + more + "。")
    return paragraphs


def _problems(result: CheckResult, org: Organization, period: Period) -> list[str]:
    """存在的问题: this period's findings, and duties of earlier periods that are still overdue."""
    from coordtui.officedoc import cn_date

    lines = [f.message for f in result.findings if f.org == org.id and f.period is not None and _in(f.period, period)]
    lines += [f.message for f in result.findings if f.org == org.id and f.period is None]
    # (an overdue per-record duty is among the findings without a period, above)
    earlier = sorted((r for r in result.duties if r.status is DutyStatus.OVERDUE and r.duty.period is not None
                      and r.duty.period.end < period.start), key=lambda r: r.duty.due)
    for r in earlier:
        lines.append(f"{r.duty.subject}{r.duty.period.label()}{r.duty.what_zh}至今未完成，自{cn_date(r.duty.due + timedelta(days=1))}起逾期")
    return lines


def _next_steps(result: CheckResult, as_of: date) -> list[str]:
    """下一步工作: what is overdue first (since when), then what falls due, provisional dates marked."""
    from coordtui.officedoc import cn_date

    overdue = sorted((r for r in result.duties if r.status is DutyStatus.OVERDUE), key=lambda r: r.duty.due)
    soon = sorted((r for r in result.duties if r.status in (DutyStatus.DUE, DutyStatus.AT_RISK)), key=lambda r: r.duty.due)[:40]
    lines = []
    if overdue:
        items = "；".join(f"{r.duty.subject}{r.duty.period.label() if r.duty.period else ''}{r.duty.what_zh}"
                         f"（{cn_date(r.duty.due)}到期）" for r in overdue[:12])
        lines.append(f"督促补办已逾期事项{len(overdue)}项：{items}" + ("等" if len(overdue) > 12 else ""))
    grouped: dict[tuple[date, str, bool], list[str]] = defaultdict(list)
    for r in soon:
        grouped[(r.duty.due, r.duty.what_zh, r.duty.provisional)].append(r.duty.subject)
    for (due, what, provisional), subjects in grouped.items():
        note = "（该截止日期按周一至周五推算，待国务院公布当年节假日安排后确认）" if provisional else ""
        lines.append(f"{cn_date(due)}前，{_joined(subjects, unit='个对象')}完成{what}{note}")
    return lines or ["按计划推进各项工作"]


def report_settings(ws: "Workspace", org: Organization):
    """The organization's settings the report reads: issuing body, recipient, copies."""
    core = ws.model_of(org).parse_settings(org.settings).core
    # an organization that is itself a discipline body (天津市纪委监委) signs with its own name
    own = org.name.endswith(("纪委", "纪委监委", "纪律检查委员会", "纪检监察组"))
    issuer = core.report_issuer or (org.name if own else f"中共{org.name}纪律检查委员会")
    return issuer, core.report_recipient, list(core.report_copy_to)


def _title_lines(parts: list[str], width: int = 20) -> list[str]:
    """The title's parts packed into lines of at most ``width`` characters without splitting a part."""
    from coordtui.officedoc import _width

    lines: list[str] = []
    for part in parts:
        if lines and _width(lines[-1] + part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return lines


def export_docx(ws: "Workspace", org_id: str, as_of: date, period: Period | None) -> bytes:
    """The work report (工作报告) laid out as GB/T 9704-2012 sets an official document."""
    from coordtui import officedoc

    org = ws.org(org_id)
    model = ws.model_of(org)
    period = period or Period.containing(as_of, PeriodKind.QUARTER)
    result = check_for(ws, org, as_of)
    rows = _period_rows(result, period)
    issuer, recipient, copy_to = report_settings(ws, org)
    name = f"{period.label()}{model.name_zh}工作报告"
    document = officedoc.new_document(author=issuer, title=f"{org.name}{name}",
                                      created=ws.clock.now().astimezone(timezone.utc).replace(tzinfo=None))
    officedoc.title(document, _title_lines([org.name, period.label(), f"{model.name_zh}工作报告"]))
    if recipient:
        officedoc.recipient(document, recipient)

    counts = defaultdict(int)
    for r in rows:
        counts[r.status] += 1
    done = counts[DutyStatus.MET] + counts[DutyStatus.LATE]
    summary = [f"{officedoc.cn_date(period.start)}至{officedoc.cn_date(period.end)}，本期应办事项{len(rows)}项，"
               f"已完成{done}项（其中逾期完成{counts[DutyStatus.LATE]}项），已逾期未完成{counts[DutyStatus.OVERDUE]}项，"
               f"临期{counts[DutyStatus.AT_RISK]}项，尚未到期{counts[DutyStatus.DUE]}项（统计截至{officedoc.cn_date(as_of)}）"]
    by_obligation = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_obligation[r.obligation_zh][r.status] += 1
    for obligation, c in by_obligation.items():
        summary.append(f"{obligation}：共{sum(c.values())}项，完成{c[DutyStatus.MET] + c[DutyStatus.LATE]}项，"
                       f"逾期未完成{c[DutyStatus.OVERDUE]}项")
    sections = [("总体情况", summary),
                ("本期工作", _work_done(ws, org, model, period) or ["本期无工作记录"]),
                ("存在的问题", _problems(result, org, period) or ["本期未发现问题"]),
                ("下一步工作", _next_steps(result, as_of))]
    for heading_text, paragraphs in sections:
        officedoc.heading(document, heading_text)
        for text in paragraphs:
            officedoc.body(document, text)
    ctx = ws.context(org, as_of)
    for spec in ws.host.exports(model.id):
        if spec.format == "docx-section":
            spec.write(ctx, period, document)
    from coordtui.assessment import docx_section  # the year at a glance (年度考核), with its chart

    docx_section(document, ws, org.id, period.start.year, as_of, lambda d, text: heading(d, text), body)
    officedoc.signature(document, issuer, as_of)
    officedoc.closing_block(document, copy_to=copy_to, issuer=issuer, day=as_of)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export(ws: "Workspace", org_id: str, fmt: str, *, as_of: date, period: Period | None = None, kind: str | None = None) -> bytes:
    """The bytes of ``org_id`` exported as ``fmt``."""
    if fmt == "json":
        from coordtui.interchange import dumps, export_document

        return dumps(export_document(ws, org_id))
    if fmt == "csv":
        return export_csv(ws, org_id, kind, None, period)
    if fmt == "md":
        return export_md(ws, org_id, as_of, period)
    if fmt == "ics":
        return export_ics(ws, org_id, as_of)
    if fmt == "xlsx":
        return export_xlsx(ws, org_id, as_of, period)
    if fmt == "docx":
        return export_docx(ws, org_id, as_of, period)
    if fmt == ARCHIVE:
        from coordtui.archive import export_archive

        return export_archive(ws, org_id, as_of, period)
    raise InputError(f"unknown export format '{fmt}' (known: {', '.join((*FORMATS, ARCHIVE))})")
