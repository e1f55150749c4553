"""The archive an inspection asks for (台账资料): one zip of a period an inspector opens without coordtui.

    天津工业大学2026年台账.xlsx          the ledger, as ``export --format xlsx``
    天津工业大学2026年工作报告.docx       the work report, as ``export --format docx``
    目录.xlsx                            序号, 类别, 事项, 日期, 文件名, 页数: a row per file above and below
    协作活动/第四协作组/2026-09-25 第三季度协同监督工作交流会/新闻稿.docx
    …                                    every attachment: kind / subject / date and record / file name

Only what the person may see, only records of the period (a record without a date: the
files added during it). Every name is made safe (no path parts, no control characters,
length-limited) and unique, and the order is deterministic.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, BinaryIO

from coordtui.access.actor import Actor
from coordtui.access.policy import Policy
from coordtui.attachments import Attachment, safe_name, stored
from coordtui.domain.periods import Period, PeriodKind
from coordtui.domain.records import Record
from coordtui.store.blobs import Blobs, is_digest

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

INDEX = "目录.xlsx"
INDEX_HEADERS = ["序号", "类别", "事项", "日期", "文件名", "页数"]
#: Types whose content is compressed already: stored as they are.
_COMPRESSED = {"docx", "xlsx", "ofd", "jpg", "png"}
PART_LIMIT = 60  # characters of one folder or file name inside the archive
APP_XML_LIMIT = 64 * 1024  # bytes of a docx's docProps/app.xml read for its page count


@dataclass
class Entry:
    category: str  # 类别
    matter: str  # 事项
    day: date | None
    path: str  # inside the archive
    pages: int | None
    data: bytes | None  # None: the attachment's file, read when it is written
    compressed: bool
    sha256: str | None = None


def pages_of(data: bytes, kind: str) -> int | None:
    """How many pages a file has, where that can be known without rendering it."""
    if kind in ("jpg", "png"):
        return 1
    if kind == "pdf":
        count = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
        return count or None
    if kind == "docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z, z.open("docProps/app.xml") as part:
                # a few KB in any real document: read no more, whatever the part claims to unpack to
                app = part.read(APP_XML_LIMIT).decode("utf-8", "replace")
        except (KeyError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
            return None  # (NotImplementedError: zipfile's, for a compression method it does not know)
        found = re.search(r"<Pages>(\d+)</Pages>", app)
        return int(found.group(1)) if found and int(found.group(1)) > 0 else None
    return None


def _day_of(record: Record, model) -> date | None:
    """The record's date: its partition's, else the one its model's evidence is owed from (a problem's rectification)."""
    names = [record.partition_field, *(ask.date_field for ask in model.evidence if ask.kind == record.kind)]
    for name in names:
        value = getattr(record, name, None) if name else None
        if isinstance(value, date):
            return value
    return None


def _subject(structure, org, record: Record) -> tuple[tuple[str, str], str]:
    """The structure subject a record's files are filed under (its group, zone, unit; the first by
    id where it has several), else the organization: (kind and id, to order by; label)."""
    subjects = sorted(s for s in structure.subjects(record.kind, record) if s != (record.kind, record.id))
    return (subjects[0], structure.label(subjects[0])) if subjects else (("", ""), org.name)


def _unique(path: str, taken: set[str]) -> str:
    if path not in taken:
        taken.add(path)
        return path
    stem, dot, ext = path.rpartition(".") if "." in path.rsplit("/", 1)[-1] else (path, "", "")
    n = 2
    while f"{stem}（{n}）{dot}{ext}" in taken:
        n += 1
    taken.add(f"{stem}（{n}）{dot}{ext}")
    return f"{stem}（{n}）{dot}{ext}"


def _folder(subject: str, org, cls, record: Record, day: date | None, taken: set[str]) -> str:
    label = record.label()
    leaf = f"{day.isoformat()} {label}" if day else label
    parts = [safe_name(cls.title_zh, PART_LIMIT, default=cls.kind, tail=False), safe_name(subject, PART_LIMIT, default=org.id, tail=False),
             safe_name(leaf, PART_LIMIT, default=record.id, tail=False)]
    folder = "/".join(parts)
    if folder in taken:  # two records of one day with one label: the id tells them apart
        folder = "/".join([*parts[:2], safe_name(f"{leaf} {record.id}", PART_LIMIT, default=record.id, tail=False)])
    taken.add(folder)
    return folder


def export_archive(ws: "Workspace", org_id: str, as_of: date, period: Period | None) -> bytes:
    """The archive (台账资料) of ``org_id`` for ``period`` (default: the year of ``as_of``), as zip bytes."""
    out = io.BytesIO()
    write_archive(ws, org_id, as_of, period, out)
    return out.getvalue()


def write_archive(ws: "Workspace", org_id: str, as_of: date, period: Period | None, out: BinaryIO) -> list[str]:
    """Write the archive into ``out`` (a file, or standard output: it need not seek), holding one
    attachment in memory at a time; every file is checked against its hash before anything is
    written. Returns the paths written, in order."""
    from coordtui.errors import StoreError
    from coordtui.exports import export_docx, export_xlsx

    org = ws.org(org_id)
    model = ws.model_of(org)
    period = period or Period.containing(as_of, PeriodKind.YEAR)
    title = f"{org.name}{period.label()}"
    entries = [
        Entry("台账", f"{title}台账", None, safe_name(f"{title}台账.xlsx", 120, tail=False), None, export_xlsx(ws, org_id, as_of, period), True),
        Entry("工作报告", f"{title}工作报告", None, safe_name(f"{title}工作报告.docx", 120, tail=False), None, export_docx(ws, org_id, as_of, period), True),
    ]
    held: dict[tuple[str, str], list[Attachment]] = {}
    for item in stored(ws, org_id):
        held.setdefault((item.kind, item.record), []).append(item)
    blobs = Blobs(ws.store.root)
    # Only to name the subjects files are filed under: what the person may see was chosen by ws.records.
    structure = Policy(Actor("-", None), org, model, lambda kind: ws.records_all(org, kind))
    folders: set[str] = set()
    taken = {INDEX, *(e.path for e in entries)}
    for cls in model.kinds:
        if not any(k == cls.kind for k, _ in held):
            continue
        chosen = []
        for record in ws.records(org, cls.kind):  # only what the person may see
            files = held.get((cls.kind, record.id))
            if not files:
                continue
            day = _day_of(record, model)
            if day is not None and not period.start <= day <= period.end:
                continue
            if day is None:
                files = [f for f in files if period.start <= f.added <= period.end]
            if files:
                order, subject = _subject(structure, org, record)
                chosen.append((order, day or date.min, record.label(), record.id, subject, record, day, files))
        for _, _, _, _, subject, record, day, files in sorted(chosen, key=lambda c: c[:4]):
            folder = _folder(subject, org, cls, record, day, folders)
            for f in sorted(files, key=lambda a: (a.added, a.name, a.sha256)):
                problem = blobs.problem(f.sha256, f.size)
                if problem is not None:
                    why_zh = "缺失或被改动" if is_digest(f.sha256) else "的记录条目已在 coordtui 之外被改动（不是有效的 SHA-256）"
                    raise StoreError(f"{org_id} {cls.kind} {record.id}: attachment {f.name}: {problem}: the archive was not written; "
                                     "see 'coordtui verify'",
                                     message_zh=f"{org_id} {cls.title_zh}“{record.label()}”的附件“{f.name}”{why_zh}，未生成台账资料：请运行 coordtui verify")
                path = _unique(f"{folder}/{safe_name(f.name, PART_LIMIT)}", taken)
                matter = f"{subject} {record.label()}：{f.title}" if subject != org.name else f"{record.label()}：{f.title}"
                pages = pages_of(blobs.read(f.sha256), f.type)
                entries.append(Entry(cls.title_zh, matter, day or f.added, path, pages, None, f.type in _COMPRESSED, f.sha256))
    index = _index(org, period, entries)
    stamp = (max(period.start, min(as_of, period.end)).timetuple()[:3]) + (0, 0, 0)
    with zipfile.ZipFile(out, "w") as z:
        for path, data, compressed, digest in [(INDEX, index, True, None), *((e.path, e.data, e.compressed, e.sha256) for e in entries)]:
            info = zipfile.ZipInfo(path, stamp)
            info.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data if data is not None else blobs.read(digest))
    return [INDEX, *(e.path for e in entries)]


def _index(org, period: Period, entries: list[Entry]) -> bytes:
    """目录.xlsx: a row per file of the archive, in its order."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.properties.created = book.properties.modified = datetime(period.start.year, period.start.month, period.start.day)
    book.properties.language = "zh-CN"
    sheet = book.active
    sheet.title = "目录"
    sheet.append([f"{org.name}{period.label()}台账资料目录"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(INDEX_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, e in enumerate(entries, start=1):
        sheet.append([n, e.category, e.matter, e.day.isoformat() if e.day else "", e.path, e.pages if e.pages is not None else ""])
    for column, width in zip("ABCDEF", (6, 14, 48, 12, 70, 6)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
