"""Spreadsheets in (表格导入): xlsx and csv rows of one kind, mapped to the kind's fields.

Headers may be a field's name (``news_submitted``), its Chinese or its English label
(``新闻稿报送日期`` / ``News submitted on``). Dates may be written ``2026-03-05``,
``2026/3/5``, ``2026.3.5`` or ``2026年3月5日``; lists are separated by 、 , ； ;
references may name a record instead of giving its id. Every row is checked before
anything is written; the first problem is reported as ``FILE: row N: column C: problem``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from coordtui.domain.model import ModelSpec, Organization
from coordtui.domain.records import Record
from coordtui.errors import InputError
from coordtui.forms import FieldSpec, field_specs, label_for, split_list

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

_DATE_FORMS = [re.compile(p) for p in (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{4})/(\d{1,2})/(\d{1,2})$",
                                        r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$", r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")]
_TRUE, _FALSE = {"是", "true", "yes", "y", "1", "√", "✓"}, {"否", "false", "no", "n", "0", ""}


def parse_cn_date(value: Any) -> str:
    """``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日`` or a spreadsheet date → ISO text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern in _DATE_FORMS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                raise ValueError(f"'{text}' is not a day of the calendar") from None
    raise ValueError(f"'{text}' is not a date (write 2026-03-05, 2026/3/5 or 2026年3月5日)")


def _header_index(cls: type[Record]) -> dict[str, FieldSpec]:
    index: dict[str, FieldSpec] = {}
    for spec in field_specs(cls):
        for name in (spec.name, spec.label, label_for(spec.label, "zh"), label_for(spec.label, "en")):
            index[name.strip().lower()] = spec
    return index


def _convert(spec: FieldSpec, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [] if spec.widget in ("refs", "choices", "list") else None
    if spec.widget == "date":
        return parse_cn_date(value)
    if spec.widget in ("refs", "choices", "list"):
        return split_list(str(value))
    if spec.widget == "bool":
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"'{value}' is not yes or no (是/否)")
    if spec.widget == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if isinstance(value, str) else value


def rows_to_records(cls: type[Record], headers: list[Any], rows: list[tuple[int, list[Any]]], source: str) -> tuple[list[Record], dict[int, tuple[int, dict[str, str]]]]:
    """Validate every row; return the records and, per record index, its row number and field → column."""
    index = _header_index(cls)
    columns: list[tuple[int, str, FieldSpec]] = []
    for n, header in enumerate(headers):
        text = str(header or "").strip()
        if not text:
            continue
        spec = index.get(text.lower())
        if spec is None:
            known = "、".join(label_for(s.label, "zh") for s in field_specs(cls))
            raise InputError(f"{source}: column {text}: not a field of {cls.kind} ({cls.title_zh}); known columns: {known}")
        columns.append((n, text, spec))
    has_id = any(spec.name == "id" for _, _, spec in columns)
    records: list[Record] = []
    places: dict[int, tuple[int, dict[str, str]]] = {}
    for row_number, values in rows:
        if not any(v not in (None, "") for v in values):
            continue
        data: dict[str, Any] = {}
        header_of: dict[str, str] = {}
        for n, text, spec in columns:
            header_of[spec.name] = text
            try:
                converted = _convert(spec, values[n] if n < len(values) else None)
            except ValueError as exc:
                raise InputError(f"{source}: row {row_number}: column {text}: {exc}") from None
            if converted is not None:
                data[spec.name] = converted
        if not has_id:
            # The same row imported twice gets the same id: re-importing a ledger updates it.
            digest = hashlib.sha1(repr(sorted(data.items())).encode("utf-8")).hexdigest()[:12]
            data["id"] = f"{cls.kind}-{digest}"
        try:
            record = cls.model_validate(data)
        except ValidationError as exc:
            from coordtui.workspace import first_error

            field, problem = first_error(exc)
            column = header_of.get(field.split(".")[0], field)
            raise InputError(f"{source}: row {row_number}: column {column}: {problem}") from None
        places[len(records)] = (row_number, header_of)
        records.append(record)
    return records, places


def _sheet_kind(model: ModelSpec, title: str) -> type[Record] | None:
    title = title.strip()
    for cls in model.kinds:
        if title in (cls.kind, cls.title_zh, cls.title_en, f"{cls.title_zh}（{cls.kind}）"):
            return cls
    return None


def read_table(path: Path, model: ModelSpec, kind: str | None) -> list[tuple[type[Record], str, list[Any], list[tuple[int, list[Any]]]]]:
    """(kind, where, headers, numbered rows) for each table in the file that holds a kind."""
    try:
        if path.suffix.lower() == ".csv":
            if not kind:
                raise InputError(f"{path}: a csv file holds one kind: add --kind KIND")
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
            if not rows:
                raise InputError(f"{path}: the file is empty")
            return [(model.kind(kind), str(path), rows[0], [(n, r) for n, r in enumerate(rows[1:], start=2)])]
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text: save the csv as UTF-8") from None
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}): save it as .xlsx") from None
    tables = []
    for sheet in book.worksheets:
        cls = model.kind(kind) if kind and len(book.worksheets) == 1 else _sheet_kind(model, sheet.title)
        if cls is None or (kind and cls.kind != kind):
            continue
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        if rows:
            tables.append((cls, f"{path} [{sheet.title}]", rows[0], [(n, r) for n, r in enumerate(rows[1:], start=2)]))
    if not tables:
        names = "、".join(cls.title_zh for cls in model.kinds)
        raise InputError(f"{path}: no sheet holds a kind of {model.id} (name a sheet after a kind: {names}, or give --kind)")
    return tables


def plan_table_import(ws: "Workspace", path: Path, org_id: str, kind: str | None) -> tuple[Organization, list[Record]]:
    """Every record the file holds, validated and with references resolved; nothing written."""
    from coordtui.interchange import resolve_references

    org = ws.org(org_id)
    model = ws.model_of(org)
    records: list[Record] = []
    places: dict[int, tuple[str, int, dict[str, str]]] = {}
    for cls, where, headers, rows in read_table(path, model, kind):
        found, at = rows_to_records(cls, headers, rows, where)
        for i, (row_number, header_of) in at.items():
            places[len(records) + i] = (where, row_number, header_of)
        records.extend(found)
    seen: dict[tuple[str, str], int] = {}
    for i, record in enumerate(records):
        key = (record.kind, record.id)
        if key in seen:
            where, row_number, _ = places[i]
            raise InputError(f"{where}: row {row_number}: column 编号: '{record.id}' is used again")
        seen[key] = i

    def locate(number: int, record: Record, field: str) -> str:
        where, row_number, header_of = places[number - 1]
        return f"{where}: row {row_number}: column {header_of.get(field, field)}"

    return org, resolve_references(records, ws, org, model, str(path), locate)
