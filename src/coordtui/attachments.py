"""Files kept with a record (佐证材料): what they are, what is accepted, and who may do what.

The bytes live in the store's ``attachments/`` folder, named by their SHA-256
(:mod:`coordtui.store.blobs`); which record holds which file is a document per
(record, file) in the ``_attachments`` table of the record's partition, written through
the store like any record: every attach and detach is a sealed history entry naming who,
when, the file's hash and its name. The workspace calls this module and enforces roles
and scopes before anything here writes: whoever may change a record may attach to it,
whoever may see a record sees its attachments, and nobody else learns they exist.

The type of a file is judged by its content (magic bytes, and for a zip its parts), never
by its name: a program renamed ``新闻稿.docx`` is refused.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable
from zlib import error as zlib_error

from pydantic import BaseModel, ConfigDict

from coordtui.errors import InputError, StoreError, shown
from coordtui.i18n import Bilingual
from coordtui.store import Delete, Put
from coordtui.store.blobs import Blobs, sha256
from coordtui.store.store import ATTACHMENTS

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

#: The table of a partition that says which record holds which file (hidden from kinds and queries of records).
TABLE = ATTACHMENTS
MAX_FILE_SETTING, MAX_STORE_SETTING = "attachments.max_file_mb", "attachments.max_store_mb"
#: ``coordtui config`` settings of attachments, with their defaults (MB).
SETTINGS = {MAX_FILE_SETTING: 20, MAX_STORE_SETTING: 2048}
MB = 1024 * 1024
NAME_LIMIT = 80  # characters of a kept file name (the extension kept)

#: type -> (Chinese, English) as the interface shows it.
TYPE_LABELS: dict[str, tuple[str, str]] = {
    "docx": ("Word 文档", "Word document"),
    "xlsx": ("Excel 表格", "Excel workbook"),
    "pdf": ("PDF 文件", "PDF file"),
    "doc": ("Word 97-2003 文档", "Word 97-2003 document"),
    "xls": ("Excel 97-2003 表格", "Excel 97-2003 workbook"),
    "wps": ("WPS 文档", "WPS document"),
    "et": ("WPS 表格", "WPS spreadsheet"),
    "ofd": ("OFD 版式文件", "OFD document"),
    "jpg": ("JPEG 图片", "JPEG image"),
    "png": ("PNG 图片", "PNG image"),
}
ACCEPTED = "docx, xlsx, pdf, doc, wps, ofd, jpg, png"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSI_CLSID = bytes.fromhex("84100c0000000000c000000000000046")  # Windows Installer packages are OLE files too
_EXECUTABLE = [
    (b"\x7fELF", "an ELF executable"), (b"MZ", "a Windows executable (PE/MZ)"), (b"#!", "a script (#!)"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"), (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"), (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal executable"),
]
_EXECUTABLE_ZH = {"an ELF executable": "ELF 可执行文件", "a Windows executable (PE/MZ)": "Windows 可执行文件（PE/MZ）",
                  "a script (#!)": "脚本（#!）", "a Mach-O executable": "Mach-O 可执行文件",
                  "a Mach-O universal executable": "Mach-O 通用可执行文件"}
#: Why a file could not be read, in Chinese (the system's own text is English).
OS_REASON_ZH = {FileNotFoundError: "文件不存在", PermissionError: "没有读取权限", IsADirectoryError: "这是文件夹，不是文件"}


def _refuse(name: str, why_en: str, why_zh: str) -> InputError:
    return InputError(f"{shown(name)}: not accepted as an attachment: {why_en}; attach a document or image ({ACCEPTED})",
                      message_zh=f"{shown(name)}：不能作为附件：{why_zh}；请附文档或图片（{ACCEPTED}）")


def sniff(data: bytes, name: str = "") -> str:
    """The type of ``data`` judged by its content (``docx``, ``pdf``, ``png`` ...); InputError
    for anything else, executables and self-extracting archives above all."""
    head = data[:16]
    for magic, what in _EXECUTABLE:
        if head.startswith(magic):
            return _fail(name, what)
    if head.startswith(b"%PDF-"):
        return _plain(data, name, "pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _plain(data, name, "png")
    if head.startswith(b"\xff\xd8\xff"):
        return _plain(data, name, "jpg")
    if head.startswith(_OLE):
        if _MSI_CLSID in data[: 1 << 20]:
            raise _refuse(name, "it is a Windows Installer package", "这是 Windows 安装程序")
        if _ole_macros(data):
            raise _refuse(name, "it holds macros (a VBA project)", "其中含有宏（VBA 工程）")
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return ext if ext in ("doc", "xls", "wps", "et") else "doc"  # the same container: the name tells them apart
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data, name)
    if _embedded_zip(data):
        raise _refuse(name, "it carries an archive behind other content (a self-extracting archive?)", "其中嵌有压缩包（自解压程序？）")
    raise _refuse(name, "its content is none of the accepted types", "其内容不属于可接受的类型")


def _fail(name: str, what: str) -> str:
    raise _refuse(name, f"it is {what}, whatever its name says", f"这是可执行程序（{_EXECUTABLE_ZH[what]}），与文件名无关")


def _embedded_zip(data: bytes) -> bool:
    return b"PK\x05\x06" in data[-65_557:] and b"PK\x03\x04" in data


def _plain(data: bytes, name: str, type_: str) -> str:
    """A PDF or an image, once nothing rides behind it: an archive (a zip whose directory ends
    the file, as polyglots and self-extracting archives are made) or a program."""
    if _embedded_zip(data):
        raise _refuse(name, "it carries a zip archive behind its content", "其内容后附有压缩包")
    if _hidden_program(data):
        raise _refuse(name, "it carries a program (ELF or Windows executable) inside", "其中夹带可执行程序（ELF 或 Windows 程序）")
    return type_


_ELF = re.compile(rb"\x7fELF[\x01\x02][\x01\x02]\x01")  # magic, 32/64 bit, byte order, version 1: a real ELF header


def _hidden_program(data: bytes) -> bool:
    """An ELF header, or an MZ header whose PE pointer lands on ``PE\\0\\0``, anywhere past the start:
    specific enough that compressed image data does not match by chance."""
    if _ELF.search(data, 1):
        return True
    at = data.find(b"MZ", 1)
    while at != -1:
        if at + 0x40 <= len(data):
            pe = at + int.from_bytes(data[at + 0x3C: at + 0x40], "little")
            if at < pe <= len(data) - 4 and data[pe: pe + 4] == b"PE\0\0":
                return True
        at = data.find(b"MZ", at + 1)
    return False


#: The OLE directory entries of a VBA project (a macro-enabled Word, Excel or WPS file).
_MACRO_STORAGES = ("Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT")
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


def _ole_names(data: bytes) -> list[str] | None:
    """The names of an OLE compound file's directory entries (its storages and streams),
    read with the standard library; None when its header or chains do not hold together."""
    import struct

    if len(data) < 512:
        return None
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        return None
    size = 1 << shift
    fat_count, first_dir, first_difat, difat_count = struct.unpack_from("<II16xII", data, 0x2C)

    def sector(n: int) -> bytes | None:
        start = (n + 1) * size
        return data[start: start + size] if start + size <= len(data) else None

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n not in (_FREE, _END)]
    n, seen = first_difat, 0
    while n not in (_FREE, _END) and seen < difat_count and seen < 4096:
        block = sector(n)
        if block is None:
            return None
        ids = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += [i for i in ids[:-1] if i not in (_FREE, _END)]
        n, seen = ids[-1], seen + 1
    if not fat_sectors or len(fat_sectors) > max(fat_count, 1) + 1:
        return None
    fat: list[int] = []
    for n in fat_sectors:
        block = sector(n)
        if block is None:
            return None
        fat.extend(struct.unpack(f"<{size // 4}I", block))
    names, n, visited = [], first_dir, set()
    while n not in (_FREE, _END):
        if n in visited or n >= len(fat):
            return None
        visited.add(n)
        block = sector(n)
        if block is None:
            return None
        for off in range(0, size, 128):
            length = struct.unpack_from("<H", block, off + 64)[0]
            if 2 <= length <= 64 and block[off + 66] in (1, 2, 5):
                names.append(block[off: off + length - 2].decode("utf-16-le", "replace"))
        n = fat[n]
    return names


def _ole_macros(data: bytes) -> bool:
    """Whether an OLE file holds a VBA project: by its directory, or, where the directory cannot
    be read, by the names (UTF-16LE, ending in NUL as directory entries do) found anywhere."""
    names = _ole_names(data)
    if names is not None:
        return any(n in _MACRO_STORAGES for n in names)
    return any(n.encode("utf-16-le") + b"\0\0" in data for n in _MACRO_STORAGES)


MAX_MEMBERS = 10_000  # parts of a zip (a Word or Excel document has tens)
MAX_RATIO = 100  # what all parts together may claim to unpack to, in times the file's size
#: Endings of zip parts that are programs or scripts, whatever a document holding them claims.
_PROGRAM_ENDINGS = (".exe", ".dll", ".bat", ".cmd", ".ps1", ".sh", ".js", ".vbs", ".scr", ".msi")
_VBA_TYPE = "application/vnd.ms-office.vbaproject"


def _part_is_program(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a zip part starts as a program does: a real ELF header, or MZ whose PE pointer
    lands on ``PE\\0\\0`` (an obfuscated font's first bytes are random: two letters alone would
    refuse one document in tens of thousands). Reads a few KB at most, whatever the part claims."""
    with archive.open(info) as part:
        head = part.read(64)
        if _ELF.match(head):
            return True
        if not head.startswith(b"MZ") or len(head) < 64:
            return False
        pe = int.from_bytes(head[0x3C:0x40], "little")
        if not 64 <= pe <= 4096:
            return False
        head += part.read(pe + 4 - 64)
    return head[pe: pe + 4] == b"PE\0\0"


def _zip_type(data: bytes, name: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _refuse(name, f"it has {len(infos)} parts (more than {MAX_MEMBERS})", f"其中有 {len(infos)} 个部件（超过 {MAX_MEMBERS} 个）")
        claimed = sum(i.file_size for i in infos)
        if claimed > MAX_RATIO * len(data):
            raise _refuse(name, f"it claims to unpack to {claimed // MB} MB, more than {MAX_RATIO} times its size (a zip bomb?)",
                          f"其声称解压后达 {claimed // MB} MB，超过自身大小的 {MAX_RATIO} 倍（压缩炸弹？）")
        for info in infos:
            if info.filename.lower().endswith(_PROGRAM_ENDINGS):
                raise _refuse(name, f"it holds a program ({shown(info.filename, 60)})", f"其中夹带程序（{shown(info.filename, 60)}）")
            if not info.is_dir() and info.file_size >= 7 and _part_is_program(archive, info):
                raise _refuse(name, f"it holds a program ({shown(info.filename, 60)})", f"其中夹带程序（{shown(info.filename, 60)}）")
        names = {i.filename for i in infos}
        if "OFD.xml" in names:
            return "ofd"
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MB:
                raise _refuse(name, "its [Content_Types].xml is implausibly large", "其 [Content_Types].xml 大得不合常理")
            types = archive.read(info).decode("utf-8", "replace")
            if "macroEnabled" in types or _VBA_TYPE in types.lower() or any(n.lower().endswith("vbaproject.bin") for n in names):
                raise _refuse(name, "it holds macros (a macro-enabled document)", "其中含有宏")
            if "wordprocessingml.document.main" in types:
                return "docx"
            if "spreadsheetml.sheet.main" in types:
                return "xlsx"
    # (zipfile raises NotImplementedError for a compression method it does not know, RuntimeError
    # for an encrypted member: an upload either way, refused in one line, not unfinished code)
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError, NotImplementedError, RuntimeError, OSError, zlib_error):
        raise _refuse(name, "it looks like a zip but cannot be read as one", "看似 zip 文件但无法读取") from None
    raise _refuse(name, "it is a zip archive, not a Word, Excel or OFD document", "这是压缩包，不是 Word、Excel 或 OFD 文档")


_UNSAFE = re.compile(r'[\\/:*?"<>|]')


#: The endings a file of each type may be kept under.
ENDINGS = {"docx": ("docx",), "xlsx": ("xlsx",), "pdf": ("pdf",), "doc": ("doc",), "xls": ("xls",), "wps": ("wps",),
           "et": ("et",), "ofd": ("ofd",), "jpg": ("jpg", "jpeg"), "png": ("png",)}


def named_as(name: str, type_: str) -> str:
    """``name`` ending as its content says it is: the type was judged by the bytes, so a name
    saying otherwise (``会议记录.bat`` holding a PDF, ``gpj.exe``) gets the type's ending after it
    (``会议记录.bat.pdf``): whoever opens the file from the archive or a download opens what
    was checked, never a program a name chose."""
    ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if ext in ENDINGS.get(type_, (type_,)):
        return name
    return safe_name(f"{name}.{ENDINGS.get(type_, (type_,))[0]}")


def safe_name(name: str, limit: int = NAME_LIMIT, *, default: str = "附件", tail: bool = True) -> str:
    """``name`` fit to be a file name anywhere: its last path part only (``tail``; else every
    separator becomes ``_``, for a label), no control characters, none of ``\\ / : * ? " < > |``,
    no leading dot, at most ``limit`` characters (extension kept)."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/")
    if tail:
        name = name.rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if name in ("", ".", ".."):
        name = default
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            name = stem[: limit - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:limit].rstrip()
    return name


class Attachment(BaseModel):
    """One file kept with a record (附件): what the person sees of it and what the history keeps."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: str
    record: str
    sha256: str
    name: str
    title: str
    size: int
    type: str
    added: date
    by: str

    @property
    def key(self) -> str:
        """The document id in the ``_attachments`` table."""
        return doc_id(self.kind, self.record, self.sha256)

    def type_label(self, lang: str = "zh") -> str:
        zh, en = TYPE_LABELS.get(self.type, (self.type, self.type))
        return zh if lang == "zh" else en

    def size_label(self) -> str:
        return size_label(self.size)


def doc_id(kind: str, record_id: str, digest: str) -> str:
    return f"{kind}/{record_id}/{digest}"


# limits ------------------------------------------------------------------------------

def setting_value(setting: str, value: str) -> int:
    """A limit as ``coordtui config`` takes it: a whole number of megabytes, at least 1."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1 or number > 1_000_000:
        raise InputError(f"{setting} {shown(value, 20)}: give a whole number of megabytes from 1 to 1000000",
                         message_zh=f"{setting} {shown(value, 20)}：请给出 1 至 1000000 之间的整数（单位 MB）")
    return number


def limits(meta: dict[str, Any]) -> tuple[int, int]:
    """(bytes per file, bytes per store) as the store's settings say."""
    out = []
    for setting, default in SETTINGS.items():
        try:
            out.append(max(1, int(meta.get(setting, default))) * MB)
        except (TypeError, ValueError):
            out.append(default * MB)
    return out[0], out[1]


def too_big(name: str, limit: int) -> InputError:
    mb = limit // MB
    return InputError(f"{shown(name)}: larger than {mb} MB, the limit per attachment: make it smaller (scan at a lower resolution, "
                      f"save as PDF) or ask an administrator to raise it ('coordtui config {MAX_FILE_SETTING}')",
                      message_zh=f"{shown(name)}：超过每个附件 {mb} MB 的上限：请缩小文件（降低扫描分辨率、另存为 PDF），"
                                 f"或请管理员调高上限（coordtui config {MAX_FILE_SETTING}）")


def read_limited(stream: BinaryIO, limit: int, name: str) -> bytes:
    """Everything ``stream`` holds, refused (InputError) as soon as it passes ``limit`` bytes:
    standard input over SSH is never read to its end before the limit is applied."""
    chunks, total = [], 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_big(name, limit)


# the workspace's operations ------------------------------------------------------------

def _record(ws: "Workspace", org_id: str, kind: str, record_id: str):
    """The record, if the actor may see it; else the InputError any unknown record gets (nothing more is told)."""
    ws.model_of(ws.org(org_id)).kind(kind)  # an unknown kind is named as such
    found = ws.get(org_id, kind, record_id)
    if found is None:
        raise InputError(f"no {shown(kind)} '{shown(record_id)}' in {shown(org_id)}: check the kind and the record's id (编号)",
                         message_zh=f"{shown(org_id)} 中没有 {shown(kind)}“{shown(record_id)}”：请核对类别与编号")
    return found[0]


def stored(ws: "Workspace", org_id: str, kind: str | None = None, record_id: str | None = None, *,
           docs: Iterable[dict[str, Any]] | None = None) -> list[Attachment]:
    """Every attachment of ``org_id`` as stored (of one record, when given), whoever may see it.
    ``docs``: the entries as read already (a check's, with its records), else read now."""
    out = []
    for doc in ws.store.query(org_id, TABLE) if docs is None else docs:
        if (kind is None or doc.get("kind") == kind) and (record_id is None or doc.get("record") == record_id):
            try:
                out.append(Attachment.model_validate(doc))
            except ValueError:
                raise StoreError(f"{ws.store.root}/data/{org_id}: an attachment entry {shown(doc.get('id'))} is not as coordtui writes it "
                                 "(edited by hand?): run 'coordtui verify'") from None
    out.sort(key=lambda a: (a.added, a.name, a.sha256))
    return out


def attachments(ws: "Workspace", org_id: str, kind: str, record_id: str) -> list[Attachment]:
    _record(ws, org_id, kind, record_id)
    return stored(ws, org_id, kind, record_id)


class AttachmentGone(InputError):
    """The record holds no file of the SHA-256 asked for (another person or process removed it
    meanwhile, or it was never attached): a screen that listed it says so and lists again."""

    title = "File no longer attached"


_DIGEST = re.compile(r"[0-9a-f]{64}")


def find(items: list[Attachment], key: str, where: str) -> Attachment:
    """The attachment named by ``key``: its SHA-256 (or a prefix of 8 or more), its file name or its title."""
    key = key.strip()
    low = key.lower()
    matches = [a for a in items if a.sha256 == low] or ([a for a in items if a.sha256.startswith(low)] if len(low) >= 8 else [])
    if not matches and _DIGEST.fullmatch(low):
        raise AttachmentGone(f"{where} holds no attachment {low[:12]}… (any more: removed meanwhile?): "
                             "list what it holds with 'coordtui attachments'",
                             message_zh=f"{where} 已没有附件 {low[:12]}…（可能已被删除）：请用 coordtui attachments 查看现有附件")
    if not matches:
        matches = [a for a in items if a.name == key] or [a for a in items if a.title == key]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{a.name} ({a.sha256[:12]})" for a in items[:8]) or "none"
    if not matches:
        raise InputError(f"{where} has no attachment '{shown(key)}' (it has: {known}): name one by its file name or SHA-256",
                         message_zh=f"{where} 没有附件“{shown(key)}”（现有：{known}）：请用文件名或 SHA-256 指明")
    raise InputError(f"'{shown(key)}' names {len(matches)} attachments of {where}: give the SHA-256 instead ({known})",
                     message_zh=f"“{shown(key)}”对应 {where} 的 {len(matches)} 个附件：请改用 SHA-256 指明（{known}）")


def attach(ws: "Workspace", org_id: str, kind: str, record_id: str, data: bytes | BinaryIO, *, name: str,
           title: str | None = None) -> Attachment:
    org = ws.org(org_id)
    record = _record(ws, org_id, kind, record_id)
    ws._allow(org, kind, record_id, record)  # whoever may change the record may attach to it
    name = safe_name(name)
    max_file, max_store = limits(ws.store.meta())
    payload = read_limited(data, max_file, name) if not isinstance(data, (bytes, bytearray, memoryview)) else bytes(data)
    if len(payload) > max_file:
        raise too_big(name, max_file)
    if not payload:
        raise InputError(f"{shown(name)}: the file is empty: attach the document itself",
                         message_zh=f"{shown(name)}：文件为空：请附上文件本身")
    kind_of = sniff(payload, name)
    name = named_as(name, kind_of)
    digest = sha256(payload)
    where = f"{kind} {shown(record_id)} of {org_id}"
    for existing in stored(ws, org_id, kind, record_id):
        if existing.sha256 == digest:
            raise InputError(f"{shown(name)}: already attached to {where} as {shown(existing.name)}",
                             message_zh=f"{shown(name)}：已作为“{shown(existing.name)}”附于{where}")
    blobs = Blobs(ws.store.root)
    if not blobs.has(digest) and blobs.total() + len(payload) > max_store:
        raise _store_full(ws.store, name, max_store)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    item = Attachment(kind=kind, record=record_id, sha256=digest, name=name,
                      title=" ".join("".join(ch if ch.isprintable() else " " for ch in title or "").split())[:100] or stem,
                      size=len(payload), type=kind_of,
                      added=ws.today(), by=ws.actor.name)
    with ws.store.locked():  # the file lands before the entry naming it, and no detach removes it between
        blobs.put(payload)
        ws.store.apply([Put(org_id, TABLE, item.key, item.model_dump(mode="json"), record.partition() or "structure", 0)])
    return item


def _store_full(store, name: str, max_store: int) -> InputError:
    """The per-store limit's refusal; it says how much of the limit files no record holds take (orphans)."""
    mb = max_store // MB
    held = sum(size for _, size in orphans(store))
    en = zh = ""
    if held:
        en = (f" ({size_label(held)} of it are files no record holds: an administrator removes them with "
              "'coordtui verify --prune-orphans')")
        zh = f"（其中 {size_label(held)} 是已不属于任何记录的文件：管理员可用 coordtui verify --prune-orphans 清除）"
    return InputError(f"{shown(name)}: the store's attachments would pass {mb} MB, its limit{en}: remove attachments no longer needed "
                      f"or ask an administrator to raise it ('coordtui config {MAX_STORE_SETTING}')",
                      message_zh=f"{shown(name)}：附件总量将超过该数据存储 {mb} MB 的上限{zh}：请删除不再需要的附件，"
                                 f"或请管理员调高上限（coordtui config {MAX_STORE_SETTING}）")


def size_label(size: int) -> str:
    """``512 B``, ``3.4 KB``, ``1.2 MB``: a size as people read it."""
    if size < 1024:
        return f"{size} B"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"


def orphans(store) -> list[tuple[str, int]]:
    """(digest, bytes) of every file of the attachments folder that no entry of any
    organization names: left by a crash between the file and its entry, or by an old detach."""
    named = {str(doc.get("sha256")) for org in store.orgs() for doc in store.query(str(org.get("id")), TABLE)}
    blobs = Blobs(store.root)
    return [(digest, blobs.size(digest)) for digest in blobs.digests() if digest not in named]


def prune_orphans(ws: "Workspace") -> tuple[int, int]:
    """Remove the files no record holds (the store's owner or an administrator only), under
    the store lock, each one checked again there so that an attach meanwhile keeps its file.
    Returns (files, bytes) removed."""
    ws.require_admin(None, action="remove the attachment files no record holds", action_zh="清除不属于任何记录的附件文件")
    blobs = Blobs(ws.store.root)
    with ws.store.locked():
        found = orphans(ws.store)
        for digest, _ in found:
            blobs.remove(digest)
    return len(found), sum(size for _, size in found)


def attachment_bytes(ws: "Workspace", org_id: str, kind: str, record_id: str, key: str) -> tuple[Attachment, bytes]:
    items = attachments(ws, org_id, kind, record_id)
    item = find(items, key, f"{kind} {shown(record_id)} of {org_id}")
    blobs = Blobs(ws.store.root)
    problem = blobs.problem(item.sha256, item.size)
    if problem is not None:
        raise StoreError(f"{org_id} {kind} {record_id}: attachment {shown(item.name)}: {problem}: restore the store from a backup, "
                         "or detach it and attach the file again; see 'coordtui verify'",
                         message_zh=f"{org_id} {kind} {record_id} 的附件“{shown(item.name)}”已缺失或被改动：请从备份恢复，或删除后重新附上；见 coordtui verify")
    return item, blobs.read(item.sha256)


def detach(ws: "Workspace", org_id: str, kind: str, record_id: str, key: str) -> Attachment:
    org = ws.org(org_id)
    record = _record(ws, org_id, kind, record_id)
    ws._allow(org, kind, record_id, record)
    item = find(stored(ws, org_id, kind, record_id), key, f"{kind} {shown(record_id)} of {org_id}")
    with ws.store.locked():
        ws.store.apply([Delete(org_id, TABLE, item.key)])
        forget_unused(ws, [item.sha256])
    return item


def delete_ops(ws: "Workspace", org_id: str, kind: str, record_id: str) -> tuple[list[Delete], list[str]]:
    """The operations that remove a record's attachment entries with it, and their digests."""
    items = stored(ws, org_id, kind, record_id)
    return [Delete(org_id, TABLE, a.key) for a in items], [a.sha256 for a in items]


def forget_unused(ws: "Workspace", digests: Iterable[str]) -> None:
    """Remove the files no record of any organization holds any more (under the store lock)."""
    wanted = set(digests)
    if not wanted:
        return
    for org in ws.store.orgs():
        for doc in ws.store.query(str(org.get("id")), TABLE):
            wanted.discard(doc.get("sha256"))
            if not wanted:
                return
    blobs = Blobs(ws.store.root)
    for digest in wanted:
        blobs.remove(digest)


def verify(store) -> tuple[int, list[Bilingual]]:
    """(files checked, problems in both languages): every attachment entry of the store against the file its hash names."""
    blobs = Blobs(store.root)
    problems: list[Bilingual] = []
    checked: dict[str, Bilingual | None] = {}
    count = 0
    for org in sorted(store.orgs(), key=lambda o: str(o.get("id"))):
        org_id = str(org.get("id"))
        for doc in sorted(store.query(org_id, TABLE), key=lambda d: str(d.get("id"))):
            digest, size = str(doc.get("sha256", "")), doc.get("size")
            count += 1
            if digest not in checked:
                try:
                    checked[digest] = blobs.problem(digest, size if isinstance(size, int) else None)
                except StoreError as exc:
                    checked[digest] = Bilingual(exc.message, exc.message_zh)
            found = checked[digest]
            if found is not None:
                where = f"{org_id} {doc.get('kind')} {doc.get('record')}"
                problems.append(Bilingual(f"{where}: attachment {shown(doc.get('name'))}: {found}",
                                          f"{where}：附件“{shown(doc.get('name'))}”：{found.zh}"))
    return count, problems


# evidence the models ask for (佐证材料要求) ------------------------------------------------

def held_files(ws: "Workspace", org_id: str, docs: Callable[[], Iterable[dict[str, Any]]] | None = None
               ) -> dict[tuple[str, str], list[Attachment]]:
    """(kind, record id) -> its attachments, for the rules (read in the checking process;
    ``docs()``: the entries as the check read them with the records)."""
    held: dict[tuple[str, str], list[Attachment]] = {}
    for item in stored(ws, org_id, docs=docs() if docs is not None else None):
        held.setdefault((item.kind, item.record), []).append(item)
    return held


def evidence_rule(model, ask, held: dict[tuple[str, str], list[Attachment]]):
    """The rule that finds the records lacking what ``ask`` wants kept with them."""
    from datetime import timedelta

    from coordtui.domain.model import Rule

    cls = model.kind_map[ask.kind]

    def check(ctx):
        for record in ctx.records(ask.kind):
            if not ask.applies(record):
                continue
            day = ask.owed_from(record)
            if day is None or day < ctx.tracking_start:
                continue
            due = day + timedelta(days=ask.grace_days)
            if ctx.as_of <= due or ask.met_by(held.get((record.kind, record.id), [])):
                continue
            label = record.label()
            counts = "，该记录暂不计入相关工作完成情况" if ask.required_for_duty else ""
            counts_en = "; until then the record does not count toward its duties" if ask.required_for_duty else ""
            yield ctx.finding(
                ask.rule_id(model.id), ask.severity, label,
                f"{cls.title_zh}“{label}”（{day.isoformat()}）未留存{ask.what_zh}：请将{ask.what_zh}作为佐证材料上传至该记录{counts}",
                f"{cls.title_en} '{label}' ({day.isoformat()}) has no {ask.what_en} kept with it: attach the {ask.what_en} "
                f"to the record as its evidence{counts_en}",
                record=record, since=due + timedelta(days=1))

    return Rule(ask.rule_id(model.id), f"{cls.title_zh}须留存{ask.what_zh}", f"{cls.title_en} keeps its {ask.what_en}", check)


def counted_view(ctx, asks, held):
    """``ctx`` as the duties see it: a record that lacks evidence its duty requires is not there
    yet, once its grace days are over."""
    from datetime import timedelta

    from coordtui.domain.model import Context

    by_kind: dict[str, list] = {}
    for ask in asks:
        by_kind.setdefault(ask.kind, []).append(ask)

    def owed(ask, record) -> bool:
        """The record owes the file now: it needs it, its grace is over, and it lacks it.
        (Within the grace a meeting just held counts: its minutes are written in the week after.)"""
        if not ask.applies(record):
            return False
        day = ask.owed_from(record)
        if day is None or ctx.as_of <= day + timedelta(days=ask.grace_days):
            return False
        return not ask.met_by(held.get((record.kind, record.id), []))

    def load(kind: str):
        records = ctx.records(kind)
        wanted = by_kind.get(kind)
        if not wanted:
            return records
        return [r for r in records if not any(owed(a, r) for a in wanted)]

    return Context(ctx.org, ctx.model, load, ctx.calendar, ctx.as_of, ctx._tracking_start)


class _Held:
    """:func:`held_files`, read when a rule first asks: in the process that runs the rules (a
    check's worker), so the process that asked for the check never holds the store's files. An
    entry that is not as coordtui writes it is a StoreError there: the organization's one finding."""

    def __init__(self, read: Callable[[], dict[tuple[str, str], list[Attachment]]]) -> None:
        self._read, self._held = read, None

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        if self._held is None:
            self._held = self._read()
        return self._held.get(key, default)


def with_evidence(ws: "Workspace", org_id: str, model, rules: list, obligations: list,
                  docs: Callable[[], Iterable[dict[str, Any]]] | None = None) -> tuple[list, list, dict[int, object]]:
    """The rules and obligations of one organization's check with its model's evidence
    applied: one rule per :class:`~coordtui.domain.evidence.Evidence`, and obligations that
    count a record only once it carries the evidence its duty requires. Also wrapped -> original."""
    import dataclasses

    if not model.evidence:
        return rules, obligations, {}
    held = _Held(lambda: held_files(ws, org_id, docs))
    rules = [*rules, *(evidence_rule(model, ask, held) for ask in model.evidence)]
    required = [ask for ask in model.evidence if ask.required_for_duty]
    if not required:
        return rules, obligations, {}
    wrapped, originals = [], {}
    for ob in obligations:
        new = dataclasses.replace(ob, duties=lambda ctx, _ob=ob: _ob.duties(counted_view(ctx, required, held)))
        originals[id(new)] = ob
        wrapped.append(new)
    return rules, wrapped, originals


def attach_examples(ws: "Workspace", org_id: str, files: Iterable[dict[str, Any]]) -> int:
    """Keep a bundled example's files (``{"kind", "id", "name", "title", "data"}`` each) with its
    records, in one transaction; a file the record already holds is left as it is. Returns
    how many were added. Typed and limited like any attachment; only for ``load_examples``."""
    max_file, max_store = limits(ws.store.meta())
    have = {a.key for a in stored(ws, org_id)}
    blobs = Blobs(ws.store.root)
    puts, payloads, total = [], {}, None
    part_of: dict[tuple[str, str], str] = {}
    for part in ws.store.parts(org_id):
        for kind, table in ws.store.read_part(org_id, part)[1].items():
            part_of.update({(kind, rid): part for rid in table})
    for f in files:
        part = part_of.get((f["kind"], f["id"]))
        if part is None:
            raise InputError(f"example {org_id}: a file for {f['kind']} {f['id']}, which the example does not have")
        data, name = bytes(f["data"]), safe_name(f["name"])
        if len(data) > max_file:
            raise too_big(name, max_file)
        digest = sha256(data)
        if doc_id(f["kind"], f["id"], digest) in have:
            continue
        item = Attachment(kind=f["kind"], record=f["id"], sha256=digest, name=name, title=f.get("title") or name.rsplit(".", 1)[0],
                          size=len(data), type=sniff(data, name), added=ws.today(), by=ws.actor.name)
        if digest not in payloads and not blobs.has(digest):
            total = blobs.total() if total is None else total
            if total + len(data) > max_store:
                raise InputError(f"example {org_id}: its files would pass the store's limit of {max_store // MB} MB")
            total += len(data)
        payloads[digest] = data
        have.add(item.key)
        puts.append(Put(org_id, TABLE, item.key, item.model_dump(mode="json"), part, 0))
    if puts:
        with ws.store.locked():
            blobs.put_many(list(payloads.values()))
            ws.store.apply(puts)
    return len(puts)
