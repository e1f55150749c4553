"""Spreadsheets in (表格导入): xlsx and csv rows of one kind, mapped to the kind's fields.

Ledgers are read as offices keep them: a title row (merged or not) above the header, the
header in any of the first rows and split over lines (``新闻稿⏎报送日期``), a 序号 and a 备注
column, notes rows under the table (``填表人：…``), cells merged down over rows (the value
counts for each row), Excel date cells (also in the East Asian formats the reader does not
know, which arrive as serial numbers such as 46273), dates written ``2026-03-05``,
``2026/3/5``, ``2026.3.5``, ``2026年3月5日（星期二）`` or ``2026-09-08 00:00:00``, periods written
``2026年第四季度`` or ``2026年8月``, choice codes written as their Chinese labels (``撰写报告``),
lists separated by 、 , ； ; or line breaks, csv files saved by Excel in GBK, and Excel's
``Sheet1`` with ``--kind``.

Headers may be a field's name (``news_submitted``), its Chinese or its English label.
References may name a record (its label, an alias, or its name with the organization's in
front) instead of giving its id. Every row is checked before anything is written, and every
bad row (up to :data:`MAX_REPORTED`) is reported in one message,
``FILE: row N: column C: problem; row M: …``.

A row without an id gets the id of the stored record with the same natural key (the
fields its kind declares in ``natural_key``), so a corrected row updates its record;
a new key gets an id made from the key.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pydantic import ValidationError

from coordtui.domain.model import ModelSpec, Organization
from coordtui.domain.records import Record
from coordtui.errors import InputError
from coordtui.i18n import os_reason
from coordtui.forms import FieldSpec, field_specs, label_for, split_list
from coordtui.xlsx_scan import HEADER_SEARCH_ROWS, MAX_ROWS, MAX_SHEET_CELLS, check_unpacked, taken_book

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

MAX_TABLE_BYTES = 50 * 1024 * 1024  # a ledger's file on disk
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_COLUMNS = 16_384  # Excel's own limit for a row (A to XFD)
MAX_REPORTED = 20

_DATE_FORMS = [re.compile(p) for p in (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{4})/(\d{1,2})/(\d{1,2})$",
                                        r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$", r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")]
_WEEKDAY = re.compile(r"\s*[（(]?\s*(星期|周|礼拜)[一二三四五六日天]\s*[）)]?$")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SERIAL_TEXT = re.compile(r"\d{5}(\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE, _FALSE = {"是", "true", "yes", "y", "1", "√", "✓"}, {"否", "false", "no", "n", "0", ""}
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_FIELDS = {"period", "quarter", "month", "half"}
_IGNORED = {"序号", "编号序号", "备注", "no", "no."}
_NOTE = re.compile(r"^\s*(填表人|制表人|填报人|审核人|负责人|联系人|填表日期|制表日期|注|说明|备注)\s*[:：]")


def _serial(number: float) -> str:
    if not 1 <= number < 2958466:
        raise ValueError(f"'{number:g}' is not a date (write 2026-03-05, 2026/3/5 or 2026年3月5日)")
    return (_EXCEL_EPOCH + timedelta(days=int(number))).isoformat()


def parse_cn_date(value: Any) -> str:
    """``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日（星期二）``, a spreadsheet date or serial → ISO text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    text = str(value).strip()
    if m := _ISO_DATE.fullmatch(text):  # the common case, without the other forms' substitutions
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            raise ValueError(f"'{text}' is not a day of the calendar") from None
    if _SERIAL_TEXT.fullmatch(text):
        return _serial(float(text))
    bare = _TIME.sub("", _WEEKDAY.sub("", text)).replace(" ", "")
    for pattern in _DATE_FORMS:
        m = pattern.match(bare)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                raise ValueError(f"'{text}' is not a day of the calendar") from None
    raise ValueError(f"'{text}' is not a date (write 2026-03-05, 2026/3/5 or 2026年3月5日)")


def parse_cn_period(text: str) -> str:
    """``2026年第四季度`` → ``2026Q4``, ``2026年8月`` → ``2026-08``, ``2026年上半年`` → ``2026H1``, ``2026年度`` → ``2026``;
    other text is returned as it is (the kind's own check then judges it)."""
    bare = text.replace(" ", "")
    if m := re.fullmatch(r"(\d{4})年?第?([一二三四1-4])季度", bare):
        return f"{m.group(1)}Q{_CN_DIGIT[m.group(2)]}"
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月(份)?", bare):
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    if m := re.fullmatch(r"(\d{4})年?([上下])半年", bare):
        return f"{m.group(1)}H{'上下'.index(m.group(2)) + 1}"
    if m := re.fullmatch(r"(\d{4})年度?", bare):
        return m.group(1)
    if re.fullmatch(r"第?[一二三四1-4]季度|\d{1,2}月(份)?|[上下]半年", bare):
        raise ValueError(f"'{text}' does not say the year (write 2026年第四季度, 2026年8月 or 2026Q4)")
    return text


def _clean_header(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).lower()


def _header_index(cls: type[Record]) -> dict[str, FieldSpec]:
    index: dict[str, FieldSpec] = {}
    for spec in field_specs(cls):
        for name in (spec.name, spec.label, label_for(spec.label, "zh"), label_for(spec.label, "en")):
            index[_clean_header(name)] = spec
    return index


def _unquote(value: Any) -> Any:
    """A text our own export made inert (``'=…``) comes back as it was written."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


_MISSING = object()
_MEMO_CELLS = 10_000  # distinct values remembered per column


def _converter(cls: type[Record], spec: FieldSpec) -> Callable[[Any], Any]:
    """The function that turns one cell of ``spec``'s column into the value its field takes.

    Worked out once per column (the choice labels, the widget), not once per cell."""
    labels = {v: k for k, v in cls.choice_labels.get(spec.name, {}).items()}
    widget = spec.widget
    several = widget in ("refs", "choices", "list")
    period = spec.name in _PERIOD_FIELDS

    def text_of(value: Any) -> str:
        # The reader gives every number as a float: 1.0 in a yes/no, choice or list column is 1.
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    def specific(value: Any) -> Any:
        if widget == "date":
            return parse_cn_date(value)
        if several:
            parts = [p for line in text_of(value).splitlines() for p in split_list(line)]
            return [labels.get(p, p) for p in parts] if labels else parts
        if widget == "choice":
            text = text_of(value).strip()
            return labels.get(text, text)
        if widget == "bool":
            text = text_of(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"'{value}' is not yes or no (是/否)")
        if isinstance(value, float) and value.is_integer():
            return int(value) if widget == "int" else str(int(value))
        if isinstance(value, (datetime, date)) and widget == "text":
            value = parse_cn_date(value)
        if period and isinstance(value, str):
            return parse_cn_period(value.strip())
        return value.strip() if isinstance(value, str) else value

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            value = _unquote(value)
            if len(value) > MAX_CELL_CHARS:
                raise ValueError(f"the cell holds {len(value):,} characters, more than the {MAX_CELL_CHARS:,} a cell may")
            if not value.strip():
                return [] if several else None
        elif value is None:
            return [] if several else None
        return specific(value)

    # A ledger's column repeats itself (the group, the form, the same units row after row): a
    # value is converted once. Keyed by type as well (True == 1 == 1.0); a bad value is not kept,
    # so every row that has it is reported. Bounded, for the columns whose every value differs.
    memo: dict[tuple[type, Any], Any] = {}

    def remembered(value: Any) -> Any:
        key = (value.__class__, value)
        try:
            found = memo.get(key, _MISSING)
        except TypeError:  # (no cell of a csv or workbook is unhashable; a caller's might be)
            return convert(value)
        if found is _MISSING:
            found = convert(value)
            if len(memo) < _MEMO_CELLS:
                memo[key] = found
        return list(found) if several else found

    return remembered


class Problems:
    """Every bad row of one import, reported together in one line (English, and Chinese for the interface)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.count = 0

    def add(self, en: str, zh: str | None = None) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED:
            self.items.append((en, zh or en))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        more_en = f"; and {self.count - len(self.items)} more" if self.count > len(self.items) else ""
        more_zh = f"；另有{self.count - len(self.items)}处" if self.count > len(self.items) else ""
        lead = f"{self.count} problems: " if self.count > 1 else ""
        lead_zh = f"共{self.count}处问题：" if self.count > 1 else ""
        raise InputError(lead + "; ".join(en for en, _ in self.items) + more_en,
                         message_zh=lead_zh + "；".join(zh for _, zh in self.items) + more_zh)


def find_header(cls: type[Record], rows: list[list[Any]]) -> int:
    """The index of the header row: the first of the top rows whose cells are mostly the kind's columns."""
    index = _header_index(cls)
    for n, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [_clean_header(v) for v in row if _clean_header(v)]
        known = [c for c in cells if c in index]
        if known and len(known) * 2 >= len([c for c in cells if c not in _IGNORED]):
            return n
    return 0


def rows_to_records(cls: type[Record], headers: list[Any], rows: list[tuple[int, list[Any]]], source: str,
                    problems: Problems | None = None) -> tuple[list[Record], dict[int, tuple[int, dict[str, str]]]]:
    """Validate every row; return the records and, per record index, its row number and field → column."""
    own = problems is None
    problems = problems or Problems()
    index = _header_index(cls)
    columns: list[tuple[int, str, FieldSpec]] = []
    for n, header in enumerate(headers):
        text = re.sub(r"\s+", "", str(header or ""))
        if not text:
            continue
        spec = index.get(text.lower())
        if spec is None:
            if text.lower() in _IGNORED:
                continue
            known = "、".join(label_for(s.label, "zh") for s in field_specs(cls))
            raise InputError(f"{source}: column {text}: not a field of {cls.kind} ({cls.title_zh}); known columns: {known}",
                             message_zh=f"{source}：列“{text}”不是{cls.title_zh}的字段；可用的列：{known}")
        columns.append((n, text, spec))
    has_id = any(spec.name == "id" for _, _, spec in columns)
    # Every row has the same columns: one header map for all, one converter per column.
    header_of = {spec.name: text for _, text, spec in columns}
    converters = [(n, text, spec.name, _converter(cls, spec)) for n, text, spec in columns]
    validate = cls.model_validate
    records: list[Record] = []
    places: dict[int, tuple[int, dict[str, str]]] = {}
    for row_number, values in rows:
        # (the cells filled, counted by two C calls: a row's cells looked at one by one in a list of
        # those filled took a tenth of the rows' conversion)
        filled = len(values) - values.count(None) - values.count("")
        if filled <= 1:
            note = [v for v in values if v is not None and v != ""]
            if not note or isinstance(note[0], str) and _NOTE.match(note[0]):
                continue  # an empty row, or 填表人：… under the table
        data: dict[str, Any] = {}
        bad = False
        width = len(values)
        for n, text, name, convert in converters:
            try:
                converted = convert(values[n] if n < width else None)
            except ValueError as exc:
                problems.add(f"{source}: row {row_number}: column {text}: {exc}", f"{source}：第{row_number}行“{text}”列：{exc}")
                bad = True
                continue
            if converted is not None:
                data[name] = converted
        if bad:
            continue
        if not has_id or not data.get("id"):
            data["id"] = provisional_id(cls, data)
        try:
            record = validate(data)
        except ValidationError as exc:
            from coordtui.interchange import first_error_zh
            from coordtui.workspace import first_error

            field, problem = first_error(exc)
            column = header_of.get(field.split(".")[0], field)
            if field == "(item)":  # a whole record's problem (a model validator's): no column to name
                problems.add(f"{source}: row {row_number}: {problem}", f"{source}：第{row_number}行：{first_error_zh(exc)}")
            else:
                problems.add(f"{source}: row {row_number}: column {column}: {problem}",
                             f"{source}：第{row_number}行“{column}”列：{first_error_zh(exc)}")
            continue
        places[len(records)] = (row_number, header_of)
        records.append(record)
    if own:
        problems.raise_if_any()
    return records, places


def provisional_id(cls: type[Record], data: dict[str, Any]) -> str:
    """An id for a row without one, from its natural key (or the whole row when the kind declares none)."""
    key = [(k, data.get(k)) for k in cls.natural_key] if cls.natural_key else sorted(data.items())
    return f"{cls.kind}-{hashlib.sha1(repr(key).encode('utf-8')).hexdigest()[:12]}"


def natural_key(record: Record) -> tuple | None:
    if not record.natural_key:
        return None
    return tuple(repr(getattr(record, k)) for k in record.natural_key)


def _sheet_kind(model: ModelSpec, title: str) -> type[Record] | None:
    title = title.strip()
    for cls in model.kinds:
        if title in (cls.kind, cls.title_zh, cls.title_en, f"{cls.title_zh}（{cls.kind}）"):
            return cls
    return None


_DEFAULT_SHEET = re.compile(r"^(sheet|工作表)\d+$", re.I)


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: check the path", message_zh=f"{path}：没有这个文件，请检查路径") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}): check its permissions",
                         message_zh=f"{path}：无法读取（{os_reason(exc)}）：请检查其权限") from None
    if size > MAX_TABLE_BYTES:
        raise InputError(f"{path}: the file is {size // (1024 * 1024)} MiB, more than the {MAX_TABLE_BYTES // (1024 * 1024)} MiB "
                         "a spreadsheet import takes: split it",
                         message_zh=f"{path}：文件 {size // (1024 * 1024)} MiB，超过表格导入上限 {MAX_TABLE_BYTES // (1024 * 1024)} MiB，请拆分")


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly everything
        raise InputError(f"{path}: neither UTF-8 nor GBK text: save the csv as 'CSV UTF-8'",
                         message_zh=f"{path}：不是 UTF-8 或 GBK 文本，请另存为“CSV UTF-8”")
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:  # 20 MB of commas is 10 million cells: finding the header took 12 s
                raise InputError(f"{path}: row {reader.line_num}: {len(row):,} columns, more than the {MAX_COLUMNS:,} a sheet may: "
                                 "check the file's separator, or delete the empty columns",
                                 message_zh=f"{path}：第{reader.line_num}行有 {len(row):,} 列，超过表格最多的 {MAX_COLUMNS:,} 列："
                                            "请检查文件的分隔符，或删去空列")
            rows.append(row)
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise InputError(f"{path}: more than {MAX_ROWS:,} rows: split the file",
                                 message_zh=f"{path}：超过 {MAX_ROWS:,} 行，请拆分文件")
    except csv.Error as exc:
        raise InputError(f"{path}: row {reader.line_num}: {exc}: a cell may hold at most {MAX_CELL_CHARS:,} characters",
                         message_zh=f"{path}：第{reader.line_num}行：单元格内容过长或格式不对（每格最多 {MAX_CELL_CHARS:,} 字）") from None
    return rows


def _merged_fill(rows: list[list[Any]], ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """A value merged down (or across) over cells counts for each of them, as the reader sees it.

    ``ranges``: the sheet's merged ranges, ((first row, first column), (last row, last column)) from 0."""
    for (min_row, min_col), (max_row, max_col) in ranges:
        if min_row >= len(rows):
            continue
        top = rows[min_row]
        value = top[min_col] if min_col < len(top) else None
        for r in range(min_row, min(max_row + 1, len(rows))):
            row = rows[r]
            while len(row) <= max_col:
                row.append(None)
            for c in range(min_col, max_col + 1):
                if row[c] in (None, ""):
                    row[c] = value


def read_table(path: Path, model: ModelSpec, kind: str | None) -> list[tuple[type[Record], str, list[Any], list[tuple[int, list[Any]]]]]:
    """(kind, where, headers, numbered rows) for each table in the file that holds a kind."""
    _check_size(path)
    if path.suffix.lower() == ".csv":
        if not kind:
            raise InputError(f"{path}: a csv file holds one kind: add --kind KIND", message_zh=f"{path}：csv 文件只含一类记录，请加 --kind 类别")
        try:
            rows = _read_csv(path)
        except IsADirectoryError:
            raise InputError(f"{path}: is a folder, not a file",
                             message_zh=f"{path}：这是文件夹，不是文件") from None
        if not rows:
            raise InputError(f"{path}: the file is empty", message_zh=f"{path}：文件是空的")
        cls = model.kind(kind)
        at = find_header(cls, rows)
        return [(cls, str(path), rows[at], [(n, r) for n, r in enumerate(rows[at + 1:], start=at + 2)])]
    book = taken_book(path)  # (read ahead in a child while the models loaded: its scan's verdict is the caller's to take)
    if book is None:
        check_unpacked(path)
        book = _CalamineBook(path)
    titles = book.titles
    tables = []
    cells = 0
    try:
        kinds = [_sheet_kind(model, title) for title in titles]
        for n, title in enumerate(titles):
            cls = kinds[n]
            if kind and cls is None and (len(titles) == 1 or _DEFAULT_SHEET.match(title.strip())):
                cls = model.kind(kind)  # Excel's Sheet1 (Sheet2 and Sheet3 left empty) with --kind
            if cls is None or (kind and cls.kind != kind):
                continue
            rows, merged = book.sheet(title)
            # Each sheet is bounded by the scan, but the sheets read are kept together: a 15 KB
            # workbook of 20 sheets, each reaching AX100000, held 1.4 GB. So is their sum.
            cells += sum(map(len, rows))
            if cells > MAX_SHEET_CELLS:
                raise InputError(f"{path} [{title}]: the sheets read so far span {cells:,} cells together, more than the "
                                 f"{MAX_SHEET_CELLS:,} an import reads: delete the empty rows and columns around each table, "
                                 "or split the workbook",
                                 message_zh=f"{path} [{title}]：已读的工作表合计 {cells:,} 个单元格，超过导入可读的 "
                                            f"{MAX_SHEET_CELLS:,} 个：请删去各表格周围的空行空列，或拆分工作簿")
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise InputError(f"{path} [{title}]: more than {MAX_ROWS:,} rows: split the sheet",
                                 message_zh=f"{path} [{title}]：超过 {MAX_ROWS:,} 行，请拆分")
            while rows and not any(v not in (None, "") for v in rows[-1]):
                rows.pop()
            if not rows:
                continue
            _merged_fill(rows, merged)
            at = find_header(cls, rows)
            tables.append((cls, f"{path} [{title}]", rows[at], [(i, r) for i, r in enumerate(rows[at + 1:], start=at + 2)]))
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a damaged sheet (a shared string that is not there); a reader's panic is a BaseException
        raise InputError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}: {str(exc)[:80]!r}): open it in Excel and save it again",
                         message_zh=f"{path}：工作簿已损坏（{type(exc).__name__}），请用 Excel 打开后重新保存") from None
    finally:
        book.close()
    if not tables:
        names = "、".join(cls.title_zh for cls in model.kinds)
        raise InputError(f"{path}: no sheet holds a kind of {model.id} (name a sheet after a kind: {names}, or give --kind)",
                         message_zh=f"{path}：没有哪个工作表对应{model.name_zh}的类别（请把工作表命名为：{names}，或加 --kind）")
    return tables


class _CalamineBook:
    """A workbook read here by python-calamine, as :class:`coordtui.xlsx_scan.ReadAhead` gives one
    read ahead: its worksheets' ``titles``, and each one's cells and merged ranges."""

    def __init__(self, path: Path) -> None:
        try:
            from python_calamine import CalamineWorkbook, SheetTypeEnum
        except ImportError:  # an installation from before it was a dependency
            raise InputError(f"{path}: reading an xlsx needs the python-calamine package, which is not installed: "
                             "install coordtui again (pip install coordtui, or make in a checkout)",
                             message_zh=f"{path}：读取 xlsx 需要 python-calamine 软件包，但未安装：请重新安装 coordtui"
                                        "（pip install coordtui，或在源码目录中运行 make）") from None
        try:
            self._book = CalamineWorkbook.from_path(str(path))
            self.titles = [m.name for m in self._book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # the reader raises many kinds for a file that is not a workbook; a panic is a BaseException
            raise InputError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}): save it as .xlsx",
                             message_zh=f"{path}：不是可读的 xlsx 工作簿，请另存为 .xlsx") from None

    def sheet(self, title: str) -> tuple[list[list[Any]], list]:
        """(the sheet's cells from A1, row by row: row numbers as Excel shows them; its merged ranges)."""
        found = self._book.get_sheet_by_name(title)
        return found.to_python(skip_empty_area=False), found.merged_cell_ranges or []

    def close(self) -> None:
        self._book.close()


def plan_table_import(ws: "Workspace", path: Path, org_id: str, kind: str | None) -> tuple[Organization, list[Record]]:
    """Every record the file holds, validated and with references resolved; nothing written."""
    org, records, _ = plan_table_rows(ws, path, org_id, kind)
    return org, records


def plan_table_rows(ws: "Workspace", path: Path, org_id: str, kind: str | None) -> tuple[Organization, list[Record], list[str]]:
    """As :func:`plan_table_import`, with each record's place (``FILE [sheet]: row N``) in the file."""
    from coordtui.interchange import resolve_references

    org = ws.org(org_id)
    model = ws.model_of(org)
    records: list[Record] = []
    places: dict[int, tuple[str, int, dict[str, str]]] = {}
    problems = Problems()
    for cls, where, headers, rows in read_table(path, model, kind):
        found, at = rows_to_records(cls, headers, rows, where, problems)
        for i, (row_number, header_of) in at.items():
            places[len(records) + i] = (where, row_number, header_of)
        records.extend(found)

    def locate(number: int, record: Record, field: str) -> str:
        where, row_number, header_of = places[number - 1]
        return f"{where}: row {row_number}: column {header_of.get(field, field)}"

    def locate_zh(number: int, record: Record, field: str) -> str:
        where, row_number, header_of = places[number - 1]
        return f"{where}：第{row_number}行“{header_of.get(field, field)}”列"

    records = resolve_references(records, ws, org, model, str(path), locate, org_name=org.name, problems=problems, where_zh=locate_zh,
                                 owned=True)
    problems.raise_if_any()
    records = _match_stored(ws, org, records)
    seen: dict[tuple[str, str], int] = {}
    for i, record in enumerate(records):
        key = (record.kind, record.id)
        if key in seen:
            where, row_number, header_of = places[i]
            first = places[seen[key]][1]
            problems.add(f"{where}: row {row_number}: the same {record.kind} as row {first} ({', '.join(header_of.get(k, k) for k in record.natural_key) or 'id'})",
                         f"{where}：第{row_number}行与第{first}行是同一条{record.title_zh}")
        else:
            seen[key] = i
    problems.raise_if_any()
    return org, records, [f"{places[i][0]}: row {places[i][1]}" for i in range(len(records))]


def _match_stored(ws: "Workspace", org: Organization, records: list[Record]) -> list[Record]:
    """A row without an id takes the id of the stored record with its natural key: a corrected row updates it."""
    if ws.store.get_org(org.id) is None:
        return records
    by_key: dict[str, dict[tuple, str]] = {}
    out = []
    for record in records:
        if not record.natural_key or not record.id.startswith(f"{record.kind}-"):
            out.append(record)
            continue
        if record.kind not in by_key:
            by_key[record.kind] = {natural_key(r): r.id for r in ws.records(org, record.kind)}
        stored = by_key[record.kind].get(natural_key(record))
        if stored is not None and stored != record.id:
            record = record.model_copy(update={"id": stored})
        elif stored is None:  # (the id from the key as it reads once its names are resolved to ids)
            key = record.model_dump(include=set(record.natural_key))
            record = record.model_copy(update={"id": provisional_id(type(record), key)})
        out.append(record)
    return out


#: What an import does with a row, as a person reads it.
ROW_CHANGE_ZH = {"created": "新建", "unchanged": "未变", "updated": "更新"}


def row_changes(ws: "Workspace", org: Organization, records: list[Record], places: list[str], lang: str = "en") -> list[str]:
    """Per row, what an import would do with it: ``FILE [sheet]: row 3: updated 协作活动 …``."""
    stored: dict[str, dict[str, Record]] = {}
    exists = ws.store.get_org(org.id) is not None
    lines = []
    for record, place in zip(records, places):
        if record.kind not in stored:
            stored[record.kind] = {r.id: r for r in ws.records(org, record.kind)} if exists else {}
        before = stored[record.kind].get(record.id)
        what = "created" if before is None else ("unchanged" if before.model_dump() == record.model_dump() else "updated")
        if lang == "zh":  # the place is "FILE [sheet]: row N", as plan_table_rows writes it
            place = re.sub(r": row (\d+)$", r"：第\1行", place)
            lines.append(f"{place}：{ROW_CHANGE_ZH[what]} {record.kind} {record.label()}")
        else:
            lines.append(f"{place}: {what} {record.kind} {record.label()}")
    return lines
