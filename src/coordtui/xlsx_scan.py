"""The bounds of a workbook before it is read (工作簿读取前的检查): how far its cells reach.

A sheet is read whole into memory as rows × columns (python-calamine), so a small file that
places one cell at A1 and one at XFD1048576 would ask for 17 billion cells, and one whose parts
unzip to gigabytes would fill the memory. So before a workbook is read, its parts are unzipped
and scanned here for how far their cell and row tags reach (:func:`check_unpacked`).

The scan needs nothing but the file (this module imports only the standard library), so a
command that imports workbooks starts it ahead in a child process (:func:`scan_ahead`) while it
loads its models, and takes its verdict where it reads the file, if the file is still the one
that was scanned (its device, inode, size, mtime and ctime); otherwise, or without a verdict
(no child could be started, or it died), the file is scanned where it is read, as before.

The first workbook is read ahead instead (:func:`read_ahead`), by python-calamine in a child
whose address space is capped (:data:`READ_AHEAD_BYTES`): the scan's bounds are what keep a sheet
of 17 billion cells out of the importing process, and this child reads before they are known, so
a workbook that would need more memory only ends that child. On the two cores the import runs on,
the scan and the reading cannot both run beside the models' loading, so the scan of a workbook
read ahead is started once its sheets are taken (:func:`taken_book`), and runs while the rows are
planned: its verdict is taken (:func:`confirm_read_ahead`) before anything is said or written,
and before any other problem is reported, as it was when the scan came first. Sheets are taken
only for the very file that was read; otherwise the file is scanned and read where it is
imported, as before.
"""

from __future__ import annotations

import json
import os
import pickle
import posixpath
import re
import zipfile
from pathlib import Path
from typing import IO, Any, Iterable
from urllib.parse import unquote

from coordtui.errors import InputError
from coordtui.filestate import file_state
from coordtui.forked import core_free as _core_free
from coordtui.forked import ended as _ended
from coordtui.forked import may_fork as _may_fork
from coordtui.forked import said as _said
from coordtui.forked import started as _started

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an xlsx's parts once unzipped (a small file can hold a huge string)
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 10


def _check_unpacked(path: Path, fh: IO[bytes] | None = None) -> None:
    """Refuse (InputError) a workbook whose parts unzip, or whose cells reach, further than an import reads.
    ``fh``: the file, opened (else it is opened by its path)."""
    try:
        with zipfile.ZipFile(path if fh is None else fh) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked <= MAX_UNPACKED_BYTES:
                for part in _sheet_parts(archive):
                    _check_extent(path, archive, part)
    except (zipfile.BadZipFile, OSError):
        return  # the reader says it is not a workbook
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"{path}: the workbook unpacks to {unpacked // (1024 * 1024)} MiB, more than the "
                         f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MiB an import takes: split it or remove long cells",
                         message_zh=f"{path}：工作簿解压后 {unpacked // (1024 * 1024)} MiB，超过上限，请拆分或删去过长的单元格")


# A sheet is read whole into memory as rows × columns (python-calamine): a small file may place
# one cell at A1 and one at XFD1048576, which would ask for 17 billion cells. So before reading,
# every part's cell and row tags are scanned for how far they reach. A tag the strict pattern
# cannot read is a damaged file; comments or text that look like tags only make the bound larger.
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
# Possessive (``*+``, ``++``): each part of a tag can be read one way only (white space, a name, a
# quoted value never run into each other), so the engine keeps what it read instead of trying
# every shorter reading when the rest fails; the same matches, a quarter fewer steps.
_ATTR = rb"\s++[\w.:-]++\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+')"
_ANY_TAG = re.compile(rb"<" + _NS + rb"(?:c|row)[\s/>]")
# The scan's passes in one each (what a 10,000-row sheet's 11 MB took a quarter of a second for):
# every tag start _ANY_TAG finds, with its attributes (_ATTR) and its end where they can be read (an
# empty end where they cannot); every r= attribute, with the cell reference where it is one (empty
# digits where it is not).
_TAG_OR_ANY = re.compile(rb"<" + _NS + rb"(?:c|row)(?=[\s/>])(?:((?:" + _ATTR + rb")*+)\s*+(/?>))?")
_R_OR_PLACED = re.compile(rb"\sr\s*+=\s*+[\"'](?:([A-Z]{0,3}+)([1-9]\d{0,6}+)[\"'])?")
_UNTYPED = re.compile(rb"<" + _NS + rb"c(?:\s++(?!t\s*=)[\w.:-]++\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'))*+\s*+>\s*+(?:<" + _NS
                      + rb"f\b(?:" + _ATTR + rb")*+\s*+(?:/>|>[^<]*+</" + _NS + rb"f\s*+>))?+\s*+<" + _NS + rb"v\s*+>([^<]*+)</")
# The same passes where no tag of the part has a namespace prefix (Excel's, openpyxl's and
# calamine's own sheets), so that each tag start is not first tried for one: a third faster.
_PREFIXED = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_PREFIX_NAME = re.compile(rb"</?[A-Za-z_][\w.-]*")
_FEW_COLONS = 16


def _prefixed(buf: bytes) -> bool:
    """Whether ``_PREFIXED`` finds a tag name with a prefix in ``buf``, told from its colons where it
    has few (a sheet written without prefixes has one or two, in its namespace's address): a match
    ends at a colon and starts at the last ``<`` before it (a name holds neither), so trying the few
    colons says the same as trying the pattern at every ``<`` (a sixth of a sheet's scan)."""
    at = buf.find(b":")
    for _ in range(_FEW_COLONS):
        if at < 0:
            return False
        start = buf.rfind(b"<", 0, at)
        if start >= 0 and _PREFIX_NAME.fullmatch(buf, start, at):
            return True
        at = buf.find(b":", at + 1)
    return at >= 0 and _PREFIXED.search(buf) is not None
_BARE_TAG_OR_ANY = re.compile(_TAG_OR_ANY.pattern.replace(_NS, b""))
_BARE_UNTYPED = re.compile(_UNTYPED.pattern.replace(_NS, b""))
MAX_SHEET_CELLS = 5_000_000  # rows × columns of one sheet as read (100,000 rows of 50 columns)
_CHUNK = 4 * 1024 * 1024


_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^<]*")
_TARGET = re.compile(rb"""\bTarget\s*=\s*["']([^"']*)["']""")


def _sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """Every part a reader may take for a sheet: each .xml part, and whatever any relationship of
    a worksheet names (a sheet's part need not end in .xml), however its target is written."""
    names = {info.filename for info in archive.infolist()}
    parts = {name for name in names if name.lower().endswith(".xml")}
    for rels in [name for name in names if name.lower().endswith(".rels")]:
        base = posixpath.dirname(posixpath.dirname(rels))  # xl/_rels/workbook.xml.rels -> xl
        for tag in _RELATIONSHIP.findall(archive.read(rels)):
            target = _TARGET.search(tag)
            if target is None or b"worksheet" not in tag.lower():
                continue
            written = unquote(target.group(1).decode("utf-8", "replace")).replace("\\", "/")
            for candidate in (written.lstrip("/"), posixpath.normpath(posixpath.join(base, written)),
                              posixpath.normpath(posixpath.join("xl", written))):
                parts.update(name for name in names if name.lower() == candidate.lower())
    return sorted(parts)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_extent(path: Path, archive: zipfile.ZipFile, part: str) -> None:
    """Refuse a part whose cells reach further than an import reads, or whose cell tags or
    number cells cannot be read (a number cell holding text: the file is damaged)."""
    rows = cols = tags = unplaced = 0

    def damaged(what: str) -> InputError:
        return InputError(f"{path}: not a readable xlsx workbook ({part}: {what}): open it in Excel and save it again",
                          message_zh=f"{path}：工作簿已损坏（{part}），请用 Excel 打开后重新保存")

    def scan(buf: bytes) -> None:
        nonlocal rows, cols, tags, unplaced
        bare = not _prefixed(buf)
        tags_found = (_BARE_TAG_OR_ANY if bare else _TAG_OR_ANY).findall(buf)
        found = len(tags_found)
        # A tag whose attributes and end cannot be read, where _ANY_TAG finds one; or one _ANY_TAG
        # finds inside the quoted value of an attribute of a tag read whole (the pass goes on after it).
        if (b"", b"") in tags_found:  # (a tag whose attributes and end cannot be read)
            raise damaged("a cell or row tag that cannot be read")
        # Every r= among the tags' attributes (one inside another attribute's quoted value only
        # makes the bound larger, or the file refused).
        joined = b"\n".join([attributes for attributes, _ in tags_found])
        if b"<" in joined and _ANY_TAG.search(joined):
            raise damaged("a cell or row tag that cannot be read")
        placed = _R_OR_PLACED.findall(joined)
        if (b"", b"") in placed:  # (an r= that is not a cell reference)
            raise damaged("a cell reference that cannot be read")
        tags += found
        unplaced += max(0, found - len(placed))
        if placed:
            rows = max(rows, max(map(int, {n for _, n in placed})))
            cols = max(cols, max(map(_column_number, {c for c, _ in placed})))
        for value in set((_BARE_UNTYPED if bare else _UNTYPED).findall(buf)):
            try:
                float(value)
            except ValueError:
                raise damaged(f"a number cell holds {value[:20].decode('utf-8', 'replace')!r}") from None

    with archive.open(part) as fh:
        pending = b""
        while True:
            chunk = fh.read(_CHUNK)
            data = pending + chunk
            if not chunk:
                scan(data)
                break
            cut = data.rfind(b"row>")  # a row's end: no cell or value is cut in two
            if cut < 0:
                pending = data
                continue
            scan(data[:cut + 4])
            pending = data[cut + 4:]
    # Cells and rows without a reference follow the one before: at most one step further each.
    rows, cols = rows + unplaced, cols + unplaced
    if rows > MAX_ROWS + HEADER_SEARCH_ROWS and tags:
        raise InputError(f"{path} [{part}]: more than {MAX_ROWS:,} rows: split the sheet",
                         message_zh=f"{path} [{part}]：超过 {MAX_ROWS:,} 行，请拆分")
    if rows * cols > MAX_SHEET_CELLS:
        raise InputError(f"{path} [{part}]: the sheet spans {rows:,} rows by {cols:,} columns, more than the {MAX_SHEET_CELLS:,} "
                         "cells an import reads: delete the empty rows and columns around the table, or split it",
                         message_zh=f"{path} [{part}]：工作表跨 {rows:,} 行 {cols:,} 列，超过导入可读的 {MAX_SHEET_CELLS:,} 个单元格："
                                    "请删去表格周围的空行空列，或拆分")



# scanning ahead -------------------------------------------------------------------------

#: path as given -> (the child's pid, the read end of its pipe), for the scans started ahead.
_AHEAD: dict[str, tuple[int, int]] = {}
_AHEAD_MAX = 2  # workbooks scanned ahead at once (one per core of the server this is measured on)
def scan_ahead(paths: Iterable[Path]) -> None:
    """Start :func:`check_unpacked`'s scan of each workbook in ``paths`` in a child process (the first
    :data:`_AHEAD_MAX` of them), where this process can: its verdict is taken by :func:`check_unpacked`.
    Call :func:`cancel_ahead` when done (the verdicts not taken are dropped, their children ended)."""
    if not _may_fork():
        return
    for path in paths:
        key = os.fspath(path)
        if len(_AHEAD) >= _AHEAD_MAX or key in _AHEAD:
            continue
        child = _started(lambda: _verdict_of(path))
        if child is None:
            return
        _AHEAD[key] = child


def _verdict_of(path: Path) -> bytes:
    """The child's verdict: the file's state when scanned and the scan's problem (none: null); b"" when it cannot say."""
    try:
        with open(path, "rb") as fh:
            state = file_state(os.fstat(fh.fileno()))
            try:
                _check_unpacked(path, fh)
            except InputError as exc:
                return json.dumps({"state": state, "problem": [exc.message, exc.message_zh]}).encode()
            return json.dumps({"state": state, "problem": None}).encode()
    except BaseException:  # (the parent scans the file itself)
        return b""


def _taken(pid: int, read_end: int) -> dict[str, Any] | None:
    """A child's verdict, once it has ended (None: it gave none)."""
    said = _said(pid, read_end)
    try:
        verdict = json.loads(said) if said else None
    except ValueError:
        return None
    return verdict if isinstance(verdict, dict) else None


def check_unpacked(path: Path) -> None:
    """Refuse (InputError) a workbook whose parts unzip, or whose cells reach, further than an import
    reads: by the scan started ahead where it scanned this very file, else by scanning it now."""
    ahead = _AHEAD.pop(os.fspath(path), None)
    if ahead is not None:
        verdict = _taken(*ahead)
        try:
            now = file_state(os.stat(path))
        except OSError:
            now = None
        if verdict is not None and now is not None and verdict.get("state") == now:
            problem = verdict.get("problem")
            if problem is None:
                return
            raise InputError(problem[0], message_zh=problem[1])
    _check_unpacked(path)


def cancel_ahead() -> None:
    """End the scans and the reading started ahead whose results were not taken (a command that stopped early)."""
    _UNCONFIRMED.clear()
    for started in (_AHEAD, _READ):
        while started:
            _ended(*started.popitem()[1])


# reading ahead --------------------------------------------------------------------------

#: path as given -> (the child's pid, the read end of its pipe), for the workbook read ahead.
_READ: dict[str, tuple[int, int]] = {}
#: The address space the reading child may take beyond what it has when it starts: a sheet the
#: scan would refuse (17 billion cells) asks for far more at once, which fails in that child
#: alone; a workbook that fits the bounds but not this is read in place, as before.
READ_AHEAD_BYTES = 1 << 30
READ_AHEAD_FILE_BYTES = 50 * 1024 * 1024  # (tabular.MAX_TABLE_BYTES: a larger file is refused before it is read)


def read_ahead(path: Path) -> bool:
    """Start reading the workbook ``path`` (every worksheet, as :func:`coordtui.tabular.read_table`
    reads one) in a child process of its own, where this process can and a core is likely free for
    it (False: not, and the caller scans it ahead instead); taken by :func:`taken_book`.
    :func:`cancel_ahead` ends it where it is not taken."""
    if _READ or not _may_fork() or not _core_free():  # (a machine already busy: scanned ahead, read in place)
        return False
    child = _started(lambda: _book_of(path))
    if child is not None:
        _READ[os.fspath(path)] = child
    return child is not None


def reading_ahead() -> bool:
    """Whether a workbook is being read ahead (:func:`read_ahead`) and its sheets not yet taken."""
    return bool(_READ)


def _address_space() -> int | None:
    """This process's address space in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _book_of(path: Path) -> bytes:
    """The reading child's work: the file's state when read, its worksheets' titles (in order), and
    each one's cells from A1 (``to_python(skip_empty_area=False)``) with its merged ranges, pickled;
    b"" where it cannot say (the file is not a workbook the reader reads, the sheets together
    exceed MAX_SHEET_CELLS, or they do not fit in the address space allowed): the importing
    process then reads the file itself, with its own messages."""
    try:
        import resource

        # A reader that cannot allocate may abort the process: it says so on standard error (not
        # the person's to read) and may leave a core file in the working folder: neither.
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        used = _address_space()
        if used is None:
            return b""
        resource.setrlimit(resource.RLIMIT_AS, (used + READ_AHEAD_BYTES, used + READ_AHEAD_BYTES))
        state = file_state(os.stat(path))
        if state[2] > READ_AHEAD_FILE_BYTES:
            return b""
        from python_calamine import CalamineWorkbook, SheetTypeEnum

        book = CalamineWorkbook.from_path(str(path))  # (as the importing process opens it)
        try:
            titles = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            sheets = {}
            cells = 0
            for title in titles:
                sheet = book.get_sheet_by_name(title)
                rows = sheet.to_python(skip_empty_area=False)
                cells += sum(map(len, rows))
                if cells > MAX_SHEET_CELLS:
                    return b""
                sheets[title] = (rows, sheet.merged_cell_ranges or [])
        finally:
            book.close()
        if file_state(os.stat(path)) != state:  # (the file read was not, throughout, the one whose state is said)
            return b""
        return pickle.dumps({"state": state, "titles": titles, "sheets": sheets}, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # (the importing process reads the file itself)
        return b""


class ReadAhead:
    """A workbook read ahead: its worksheets' ``titles`` in order, and each one's cells and merged
    ranges as :meth:`coordtui.tabular._CalamineBook.sheet` gives them."""

    def __init__(self, titles: list[str], sheets: dict[str, tuple[list[list[Any]], list]]) -> None:
        self.titles, self._sheets = titles, sheets

    def sheet(self, title: str) -> tuple[list[list[Any]], list]:
        return self._sheets[title]

    def close(self) -> None:
        self._sheets = {}


#: The workbooks whose sheets were taken before their scan's verdict (see :func:`confirm_read_ahead`).
_UNCONFIRMED: list[Path] = []


def taken_book(path: Path) -> ReadAhead | None:
    """The workbook ``path`` as read ahead, where it was read ahead and is still the very file it
    read; else None, and the caller scans (:func:`check_unpacked`) and reads it itself. Where it is
    given, its scan is started now, and its verdict must be taken by :func:`confirm_read_ahead`
    before anything the sheets hold is said or written."""
    ahead = _READ.pop(os.fspath(path), None)
    if ahead is None:
        return None
    said = _said(*ahead)
    if not said:
        return None
    # The scan is forked before the sheets become this process's objects: forked after, every
    # page of the 100,000 cells the rows' planning then touches (a count is a write) would be
    # copied while the scan runs. (Should the file have changed since it was read, the sheets
    # are not taken, and the scan's verdict, of the file as it is now, is check_unpacked's.)
    scan_ahead([path])
    try:
        now = file_state(os.stat(path))
    except OSError:
        return None
    # (The pickle is this process's own, from its child through a pipe of its own; loads builds
    # only lists, texts, numbers and dates from it. A child gives at most MAX_SHEET_CELLS cells.)
    book = pickle.loads(said)
    if book.get("state") != now:
        return None
    _UNCONFIRMED.append(path)
    return ReadAhead(book["titles"], book["sheets"])


def confirm_read_ahead() -> None:
    """Take the scan's verdict on every workbook whose sheets were taken ahead of it: its refusal
    (InputError), as :func:`check_unpacked` gives it, where it refuses one. Call it before anything
    read from them is said or written, and before any other problem found since is reported (the
    scan came first: its refusal stands before them)."""
    while _UNCONFIRMED:
        check_unpacked(_UNCONFIRMED.pop(0))
