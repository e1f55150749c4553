"""File primitives of the store: stat-validated reads, atomic multi-file commits.

Why not TinyDB's JSONStorage: it writes in place and truncates afterwards, so a crash
mid-write leaves a broken file, and it re-parses the whole file on every read. Here a
file is parsed once and reused while its (inode, mtime, size) is unchanged.

A commit (提交) is one record appended to the store's commit journal (``journal.wal``)
and made durable by one ``fdatasync``, as SQLite's WAL makes a commit durable: the record
holds the new bytes of every file the commit replaces and every line it appends to a log.
Then the files are put in place (temporary file, rename; logs grow at their end) without
waiting for the disk. So, once ``commit_files`` returns:

- a killed writer (a commit half in place) is finished by the next process that takes the
  lock: ``journal.pending`` exists from before the record is written until every file is in
  place, and ``recover`` puts the journal's last record in place again (idempotent: whole
  files, and each append at the log length it started from);
- a power cut (files in place but not yet on the disk) is finished after the reboot: the
  journal's first line names the boot it belongs to (the kernel's ``boot_id``), and a
  journal of another boot has every record put in place again, in order, then each file it
  names is fsynced and the journal emptied. The same happens, without a reboot, whenever the
  journal grows past ``CHECKPOINT_BYTES`` (a checkpoint), so it stays small.

A data file the journal already holds whole since its last checkpoint is journaled as a patch
(the records a commit saved, moved or deleted in it, and its new sealed head: ``make_patch``),
so a record is the size of the change, not of the month file it lands in; a replay rebuilds the
file from its last whole version in the journal and the patches after it, and checks the result
against the digest its sealed head records.

A save into a data file usually appends one line to it instead of replacing it (schema 6: see
:func:`line_bytes`): the journal record then holds that line as an append at the file's length,
like a log's, so a killed writer's partial line is cut back and written again by ``recover``, and a
replay after a power cut puts every line back at its offset. A file whose appended lines reach
their bound (:func:`needs_compaction`) is written whole again by its next save, as every file is
written by a restore, a migration, or a save whose content had to be checked whole.

Where the boot cannot be told (no ``/proc``), each commit is checkpointed at once: every
file fsynced before ``commit_files`` returns. Readers never see a commit half in place:
they wait (take the lock) while ``journal.pending`` exists.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import operator
import os
import re
import stat
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import orjson

from coordtui.errors import StoreError
from coordtui.i18n import Bilingual, os_reason
from coordtui.store.lock import StoreLock

#: The journal of the commit design before the commit journal: only ever recovered (a store
#: a crash left while an older coordtui was saving), never written.
JOURNAL = "journal.json"
MANIFEST = "manifest.json"
#: The commit journal (see the module's docstring).
WAL = "journal.wal"
#: Exists while a commit is being put in place, and after its writer died in the middle.
PENDING = "journal.pending"
_WAL_HEAD = b"coordtui-journal 1 "
#: The longest first line of a record (the files it names) that is read: past it, what follows
#: is not a record coordtui wrote (250,000 files' names), and is not read further.
MAX_HEAD_LINE = 16 << 20
#: When the commit journal is larger, the next commit first checkpoints it (every file it
#: names fsynced, then the journal emptied): the bound of what a reboot has to put in place again.
CHECKPOINT_BYTES = 32 << 20
_TMP_SUFFIX = ".coordtui-tmp"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
BACKUPS = "backups"
#: How many earlier versions of each store file are kept (hard links: no copy is written).
KEEP = 3


class _Cached:
    """A file's content as parsed, with its signature and (where kept) its bytes: whole, or the
    bytes before and the lines this process appended since, joined only when asked for."""

    __slots__ = ("signature", "data", "_parts", "extent")

    def __init__(self, signature: tuple[int, ...], data: dict[str, Any], raw: bytes | None = None,
                 parts: list[bytes] | None = None, extent: tuple[int, int, int] | None = None) -> None:
        self.signature = signature
        self.data = data
        self._parts = parts if parts is not None else ([raw] if raw is not None else None)
        #: (the length of the first line, the size, how many lines were appended), where known
        self.extent = extent

    @property
    def raw(self) -> bytes | None:
        """The bytes parsed, kept where a fresh read compares against them."""
        parts = self._parts
        if parts is None:
            return None
        if len(parts) > 1:
            parts[:] = [b"".join(parts)]
        return parts[0]


#: The log beside a data file (``2026-03.json`` -> ``2026-03.history.jsonl``); see store.history_path.
_LOG_SUFFIX = ".history.jsonl"


def _log_size(path: Path) -> int:
    """The size of the append-only history log beside ``path`` (-1 where it has none).

    A log only ever grows, and every commit that rewrites a data file appends to its log, so
    its size is a change counter that no recycled inode or coarse timestamp can fool.
    """
    text = os.fspath(path)  # (by string, not pathlib's parts: once per file a check reads)
    if not text.endswith(".json") or os.path.basename(text) == "meta.json":
        return -1
    try:
        return os.stat(text[: -len(".json")] + _LOG_SUFFIX).st_size
    except OSError:
        return -1


def _signature(st: os.stat_result, path: Path | None = None) -> tuple[int, ...]:
    """What changes whenever the file does: (inode, mtime, size, ctime, size of its log).

    Inode, mtime and size alone are not enough: on file systems with coarse timestamps
    (ext3, ext4 with 128-byte inodes, NFS, HFS+, FAT; kernels before 6.13 stamp with a
    ~4 ms clock) a file rewritten to the same size onto a recycled inode looks unchanged.
    """
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns, _log_size(path) if path is not None else -1)


class FileCache:
    """Parsed JSON files, each reused while the file on disk is unchanged."""

    def __init__(self) -> None:
        self._files: dict[Path, _Cached] = {}

    def read(self, path: Path) -> dict[str, Any]:
        """The parsed content of ``path`` ({} if it does not exist). Callers must not mutate it."""
        return self.read_signed(path)[1]

    def signature(self, path: Path) -> tuple[int, ...] | None:
        """The file's current signature, or None when it does not exist."""
        try:
            return _signature(path.stat(), path)
        except FileNotFoundError:
            return None

    def read_signed(self, path: Path, *, keep: bool = True) -> tuple[tuple[int, ...] | None, dict[str, Any]]:
        """(signature, content) of ``path``, the signature belonging to the content read.

        ``keep=False`` reads without adding the content to the cache (a caller that keeps its
        own, converted copy); a file already cached is still served from, and refreshed in, it.
        """
        cached = self._files.get(path)
        if cached is not None:  # (a file not cached is read at once: its open handle's fstat is its signature)
            try:
                st = path.stat()
            except FileNotFoundError:
                self._files.pop(path, None)
                return None, {}
            except OSError as exc:
                raise _read_error(path, exc) from None
            if cached.signature == _signature(st, path):
                return cached.signature, cached.data
        signature, raw = self._read_raw(path)
        if raw is None:
            return None, {}
        data = parse_store_file(path, raw)
        if keep or path in self._files:  # a file someone reads raw stays cached, fresh
            self._files[path] = _Cached(signature, data)
        return signature, data

    def read_fresh(self, path: Path, quiet: bool = False) -> dict[str, Any]:
        """The content of ``path`` as it is on disk now, whatever its signature says.

        For the state a save builds on, under the store lock: the bytes are read and parsed again
        only when they differ from what is cached. ``quiet``: the caller knows that no commit was
        made since this process's last (the commit journal is as that commit left it, under the
        lock): then a file whose signature is the one cached is not read again (no other coordtui
        has written it, and a hand edit changes its ctime; one that did not would break its sealed
        chain, which verify reports and no appended save seals over).
        """
        if quiet:
            cached = self._files.get(path)
            if cached is not None and cached._parts is not None:
                try:
                    if _signature(os.stat(path), path) == cached.signature:
                        return cached.data
                except OSError:
                    pass
        signature, raw = self._read_raw(path)
        if raw is None:
            return {}
        cached = self._files.get(path)
        if cached is not None and cached.raw is not None:
            if cached.raw == raw:
                cached.signature = signature
                return cached.data
            known = len(cached.raw)
            if len(raw) > known and raw[known] == 10 and raw.startswith(cached.raw):
                # Saves appended since (another process's): only they are parsed and applied.
                data = cached.data.copy()
                copied: set[str] = set()
                try:
                    for line in raw[known + 1:].split(b"\n"):
                        if line.strip():
                            apply_line(data, orjson.loads(line), copied)
                except (orjson.JSONDecodeError, ValueError):
                    pass  # parsed whole below, which says what is wrong
                else:
                    self._files[path] = _Cached(signature, data, raw)
                    return data
        data = parse_store_file(path, raw)
        self._files[path] = _Cached(signature, data, raw)
        return data

    def extent(self, path: Path, data: dict[str, Any]) -> tuple[int, int, int] | None:
        """(the length of its first line, its size, how many lines were appended to it) of the
        bytes ``data`` was parsed from, when it is the content cached for ``path`` and they were kept."""
        cached = self._files.get(path)
        if cached is None or cached.data is not data or cached._parts is None:
            return None
        if cached.extent is None:
            raw = cached.raw
            nl = raw.find(b"\n")
            cached.extent = (len(raw), len(raw), 0) if nl < 0 else (nl, len(raw), raw.count(b"\n", nl))
        return cached.extent

    def remember_appended(self, path: Path, base: dict[str, Any], data: dict[str, Any], line: bytes) -> None:
        """Keep ``data`` as the content of ``path`` once ``line`` was appended to the bytes ``base``
        was read from (the whole file is not joined again until someone asks for its bytes)."""
        cached = self._files.get(path)
        if cached is None or cached.data is not base or cached._parts is None:
            self.forget(path)
            return
        first, size, lines = self.extent(path, base)
        try:
            signature = _signature(path.stat(), path)
        except OSError:
            self.forget(path)
            return
        self._files[path] = _Cached(signature, data, parts=[*cached._parts, line], extent=(first, size + len(line), lines + 1))

    def _read_raw(self, path: Path) -> tuple[tuple[int, ...] | None, bytes | None]:
        try:
            # fstat the handle we read, so content and signature belong together. Read with the
            # descriptor itself, not a file object over it (which asks again for the descriptor's
            # stat, whether it is a terminal and where it stands: a check reads 8,441 files).
            fd, st = _open_regular_stat(path, os.O_RDONLY)
            try:
                signature = _signature(st, path)
                raw = _read_to_end(fd, st.st_size)
            finally:
                os.close(fd)
        except FileNotFoundError:
            self._files.pop(path, None)
            return None, None
        except OSError as exc:
            raise _read_error(path, exc) from None
        return signature, raw

    def remember(self, path: Path, data: dict[str, Any], raw: bytes | None = None) -> None:
        """Keep ``data`` (serialized as ``raw``) as the content just written to ``path``."""
        try:
            self._files[path] = _Cached(_signature(path.stat(), path), data, raw)
        except OSError:
            self._files.pop(path, None)

    def raw_of(self, path: Path, data: dict[str, Any]) -> bytes | None:
        """The bytes ``data`` was parsed from, when it is the content cached for ``path`` and they were kept."""
        cached = self._files.get(path)
        return cached.raw if cached is not None and cached.data is data else None

    def signature_read(self, path: Path) -> tuple[int, ...] | None:
        """The signature ``path`` had when it was last read or written through this cache (no stat), or None."""
        cached = self._files.get(path)
        return cached.signature if cached is not None else None

    def forget(self, path: Path | None = None) -> None:
        if path is None:
            self._files.clear()
        else:
            self._files.pop(path, None)


# file safety ------------------------------------------------------------------
# The store folder is 0700 and its files 0600, or, for a group store (its folder setgid),
# 2770 and 0660: set explicitly on every file and folder the store makes, whatever the
# umask. A file's mode follows its folder, so a group store stays a group store.

@dataclass(frozen=True)
class Modes:
    folder: int
    file: int
    gid: int | None


PRIVATE = Modes(0o700, 0o600, None)


def modes_at(folder: Path) -> Modes:
    """The modes for files made in ``folder``: a group store's when it is setgid."""
    try:
        st = os.stat(folder)
    except OSError:
        return PRIVATE
    return _modes_for(st)


def _modes_for(st: os.stat_result) -> Modes:
    """The modes for files made in the folder whose stat is ``st``."""
    return Modes(0o2770, 0o660, st.st_gid) if st.st_mode & stat.S_ISGID else PRIVATE


def _open_nofollow(path: str | Path, flags: int) -> int:
    return _open_regular(path, flags)


#: Opening a named pipe blocks until another process opens its other end: one planted where a
#: store file goes would hold every coordtui still, the store lock held. So a store file is
#: opened without blocking, and anything but a regular file refused.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _open_regular(path: str | Path, flags: int, mode: int = 0o777) -> int:
    """``os.open`` of a store file, never through a symbolic link, never blocking on a pipe;
    OSError (EINVAL) for anything but a regular file (a pipe, a device, a folder)."""
    return _open_regular_stat(path, flags, mode)[0]


def _open_regular_stat(path: str | Path, flags: int, mode: int = 0o777) -> tuple[int, os.stat_result]:
    """:func:`_open_regular`, and the descriptor's ``fstat``."""
    fd = os.open(path, flags | _NOFOLLOW | os.O_CLOEXEC | _NONBLOCK, mode)
    try:
        st = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file: put there outside coordtui", str(path))
    return fd, st


def _read_to_end(fd: int, size: int) -> bytes:
    """Everything from ``fd``'s position (its start) to its end, ``size`` the length its fstat
    gave: one read where that many bytes are all there is (a regular file read short has ended),
    more where the file turned out to be of another length."""
    want = size + 1
    first = os.read(fd, want)
    if len(first) == size:
        return first
    chunks = [first]
    while True:
        chunk = os.read(fd, max(want, 1 << 16))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _read_error(path: Path, exc: OSError) -> StoreError:
    if exc.errno == 40:  # ELOOP: the last component is a symbolic link
        return StoreError(f"{path}: is a symbolic link, not a file of the store: coordtui never follows links in a store; "
                          "remove the link and run 'coordtui verify'",
                          message_zh=f"{path}：是符号链接，不是数据存储的文件：coordtui 从不跟随数据存储中的链接；请删除该链接并运行 coordtui verify")
    return StoreError(f"{path}: cannot read the store file ({exc.strerror}): check its permissions",
                      message_zh=f"{path}：无法读取数据存储文件（{os_reason(exc)}）：请检查其权限")


def read_nofollow(path: Path) -> bytes:
    """The bytes of ``path``, refusing a symbolic link (FileNotFoundError passes through)."""
    with open(path, "rb", opener=_open_nofollow) as fh:
        return fh.read()


def make_folder(folder: Path) -> None:
    """Make ``folder`` and any missing parents, each with the store's folder mode set explicitly."""
    missing: list[Path] = []
    p = folder
    while not os.path.lexists(p):
        missing.append(p)
        p = p.parent
    for m in reversed(missing):
        modes = modes_at(m.parent)
        try:
            os.mkdir(m, modes.folder)
        except FileExistsError:
            continue
        os.chmod(m, modes.folder)
        if modes.gid is not None:
            os.chown(m, -1, modes.gid)


def _set_mode(fd: int, modes: Modes, st: os.stat_result | None = None) -> None:
    """``fd``'s file given the store's mode and group (``st``: its fstat, where the caller has it)."""
    st = os.fstat(fd) if st is None else st
    if st.st_uid != os.geteuid():  # another member's log in a group store: only its owner may (and did) set it
        return
    if stat.S_IMODE(st.st_mode) != modes.file:
        os.fchmod(fd, modes.file)
    if modes.gid is not None and st.st_gid != modes.gid:
        os.fchown(fd, -1, modes.gid)


def check_inside(root: Path, path: Path, checked: set[str] | None = None, sizes: dict[Path, int] | None = None) -> str:
    """``path`` relative to ``root`` when it lies inside it with no symbolic link on the way; else StoreError.
    ``checked``: the folders found no link in by this call's caller just before (each looked at once
    for the files of one commit), added to. ``sizes``: given, ``path``'s size is put in it (0 where
    it is missing), from the look that found it no link (a commit's appends start there)."""
    rel, steps = _inside(root, path)
    last = len(steps) - 1
    if sizes is not None:
        sizes[path] = 0
    for n, p in enumerate(steps):
        if checked is not None and n < last and p in checked:
            continue
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            break
        if sizes is not None and n == last:
            sizes[path] = st.st_size
        if stat.S_ISLNK(st.st_mode):
            raise StoreError(f"{p}: is a symbolic link inside the store: coordtui never writes through links; "
                             "remove it and run 'coordtui verify'",
                             message_zh=f"{p}：是数据存储中的符号链接：coordtui 从不经由链接写入；请删除它后运行 coordtui verify")
        if checked is not None and n < last:
            checked.add(p)
    return rel


#: (store folder, path[, working folder]) -> what :func:`_inside` made of them: a function of the two
#: names alone (and, where either is relative, of the working folder), so made once per process
#: (each save named its three files to pathlib again). Only names: every folder on the way is
#: still looked at for a link by each call of check_inside.
_INSIDE: dict[tuple[Any, ...], tuple[str, tuple[str, ...]]] = {}
_KNOWN_NAMES = 50_000


def _inside(root: Path, path: Path) -> tuple[str, tuple[str, ...]]:
    """(``path`` relative to ``root``, as posix text; the names, as text, of ``root``'s child on the
    way to ``path`` and of each one below it, down to ``path``), or StoreError when it is not inside."""
    key: tuple[Any, ...] = (root, path)
    if not (os.path.isabs(root) and os.path.isabs(path)):
        key = (root, path, os.getcwd())
    known = _INSIDE.get(key)
    if known is not None:
        return known
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        raise StoreError(f"{path}: is not inside the store {root}: coordtui writes only the store's own files",
                         message_zh=f"{path}：不在数据存储 {root} 之内：coordtui 只写入数据存储自身的文件") from None
    if not rel.parts or ".." in rel.parts:
        raise StoreError(f"{path}: is not inside the store {root}: coordtui writes only the store's own files",
                         message_zh=f"{path}：不在数据存储 {root} 之内：coordtui 只写入数据存储自身的文件")
    p = Path(root)
    steps = []
    for part in rel.parts:
        p = p / part
        steps.append(str(p))
    if len(_INSIDE) >= _KNOWN_NAMES:
        _INSIDE.clear()
    known = _INSIDE[key] = (rel.as_posix(), tuple(steps))
    return known


_NAME = r"[^/\x00.][^/\x00]*"
#: The store's own files, relative to its folder: nothing else is ever written, or replayed from a journal.
_LAYOUT_FILE = re.compile(rf"(meta|orgs|people|manifest|data/{_NAME}/{_NAME})\.json")
_LAYOUT_LOG = re.compile(rf"(orgs|people|data/{_NAME}/{_NAME})\.history\.jsonl")


def is_layout_file(rel: str) -> bool:
    return bool(_LAYOUT_FILE.fullmatch(rel)) and not rel.endswith(".history.json")


def is_layout_log(rel: str) -> bool:
    return bool(_LAYOUT_LOG.fullmatch(rel))


def _store_root(path: Path) -> Path | None:
    for parent in path.parents:
        if (parent / "meta.json").exists() and parent != path:
            return parent
    return None


def backup_paths(root: Path, path: Path) -> list[Path]:
    """The kept earlier versions of ``path``, newest first.

    A backup is a version a commit replaced when it wrote the file whole: for a data file, the
    version (its first line and every save appended to it) that its last compaction, restore or
    whole write replaced; a save that appends a line keeps none (the line is the change, and the
    history log has it)."""
    base = root / BACKUPS / path.relative_to(root)
    return [base.with_name(f"{base.name}.{n}") for n in range(1, KEEP + 1) if base.with_name(f"{base.name}.{n}").exists()]


def newest_good_backup(root: Path, path: Path, good: Callable[[dict[str, Any]], bool] | None = None) -> Path | None:
    """The newest backup of ``path`` that is a store file of the right shape and, with
    ``good``, whose content ``good`` accepts (the layer that knows the models says)."""
    for candidate in backup_paths(root, path):
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        data, problem = _parse(path, raw)
        if problem is None and (good is None or good(data)):
            return candidate
    return None


def unreadable(path: Path, why: str, good: Callable[[dict[str, Any]], bool] | None = None) -> StoreError:
    """The one-line error for a store file that cannot be used: the file, ``why``, and the
    newest good backup with the command that restores it (or what to do without one)."""
    return _unreadable(path, why, good)


def _unreadable(path: Path, why: str, good: Callable[[dict[str, Any]], bool] | None = None) -> StoreError:
    root = _store_root(path)
    backup = newest_good_backup(root, path, good) if root else None
    if backup is not None:
        from datetime import datetime

        when = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        hint = f"the newest good backup is {backup} ({when}): restore it with 'coordtui restore --db {root} {path.relative_to(root)}'"
        hint_zh = f"最新的完好备份是 {backup}（{when}）：请用 coordtui restore --db {root} {path.relative_to(root)} 恢复"
    else:
        hint = "no backup of it is kept: move it away, or restore the folder from your own backup"
        hint_zh = "没有保留它的备份：请将它移开，或用您自己的备份恢复该文件夹"
    kept = _kept_lines(path) if root else -1
    if kept >= 0:  # (newer than any backup: what 'coordtui restore' puts back first, once its seals verify)
        rel = path.relative_to(root)
        what, what_zh = ((f"its first line and the {kept} save(s) appended before its broken line are", f"其第一行及损坏行之前追加的 {kept} 次保存")
                         if kept else ("its first line (as last written whole) is", "其第一行（最近一次整体写入的内容）"))
        hint = f"{what} intact: put it back to that with 'coordtui restore --db {root} {rel}'"
        hint_zh = f"{what_zh}完好：请用 coordtui restore --db {root} {rel} 将其恢复到该状态"
    why_zh = why.zh if isinstance(why, Bilingual) else why
    return StoreError(f"{path}: {why}: {hint}", message_zh=f"{path}：{why_zh}：{hint_zh}")


def _kept_lines(path: Path) -> int:
    """How many of the data file ``path``'s appended saves apply before its first broken line, when
    its first line reads; -1 when nothing of it can be kept that way (a file of one line, its first
    line broken, no line broken, not a data file, unreadable)."""
    if path.name in ("meta.json", MANIFEST) or not path.name.endswith(".json"):
        return -1
    try:
        raw = read_nofollow(path)
    except OSError:
        return -1
    nl = raw.find(b"\n")
    if nl < 0:
        return -1
    data, problem = _parse(path, raw[:nl])
    if problem is not None:
        return -1
    lines = raw[nl + 1:].split(b"\n")
    for kept, line in enumerate(lines):
        try:
            apply_line(data, orjson.loads(line))
        except (orjson.JSONDecodeError, ValueError):
            return kept
    return -1  # (no line is broken: what is wrong is elsewhere)


def parse_store_file(path: Path, raw: bytes) -> dict[str, Any]:
    data, problem = _parse(path, raw)
    if problem is not None:
        raise _unreadable(path, problem)
    return data


def parse_data(raw: bytes | memoryview) -> dict[str, Any] | None:
    """A data file's content (its first line with every appended save applied), or None where it is not one."""
    raw = bytes(raw)
    nl = raw.find(b"\n")
    if nl < 0 or not raw[nl:].strip():
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
    data, problem = _parse(Path("data.json"), raw)
    return data if problem is None else None


def _parse(path: Path, raw: bytes) -> tuple[dict[str, Any], Bilingual | None]:
    """(content, None), or ({}, what is wrong with it, in both languages): its JSON, and its shape (tables of records by id).

    A data file is its first line (the records, with the sealed head as the last key) and, after
    it, one line per save appended since it was last written whole (see :func:`line_bytes`), each
    applied in order: the content is what the last line leaves."""
    if not raw.strip():
        return {}, Bilingual("the store file is empty (a crash or another program emptied it)", "该数据存储文件是空的（因程序中断或被其他程序清空）")
    nl = raw.find(b"\n")
    if nl >= 0 and path.name not in ("meta.json", "manifest.json") and raw[nl:].strip():
        data, problem = _parse(path, raw[:nl])
        if problem is not None:
            return data, problem
        return _apply_lines(data, raw, nl)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return {}, Bilingual(f"the store file is unreadable ({exc})", f"该数据存储文件无法解读（不是有效的 JSON，第 {exc.lineno} 行第 {exc.colno} 列）")
    if not isinstance(data, dict):
        return {}, Bilingual("this is not a coordtui store file (expected an object of tables)", "这不是 coordtui 的数据存储文件（应为由各表组成的对象）")
    if path.name not in ("meta.json", "manifest.json"):
        for name, table in data.items():
            if name == "_head":  # the sealed head (store/seal.py), not a table
                continue
            if not isinstance(table, dict):
                return {}, Bilingual(f"its table '{_shown(name)}' holds {_json_type(table)}, not records by id (edited by hand?)",
                                     f"其中的表“{_shown(name)}”存放的是{_JSON_TYPE_ZH.get(type(table), '其他值')}，而不是按标识存放的记录（被手工修改过？）")
            for key, doc in table.items():
                if not isinstance(doc, dict):
                    return {}, Bilingual(f"its table '{_shown(name)}' holds {_json_type(doc)} under '{_shown(key)}', not a record (edited by hand?)",
                                         f"其中的表“{_shown(name)}”在“{_shown(key)}”下存放的是{_JSON_TYPE_ZH.get(type(doc), '其他值')}，"
                                         "而不是一条记录（被手工修改过？）")
    return data, None


def _apply_lines(data: dict[str, Any], raw: bytes, nl: int) -> tuple[dict[str, Any], Bilingual | None]:
    """``data`` (a data file's first line, parsed: changed in place) with each line of ``raw`` after
    ``nl`` (the first line's end) applied in order."""
    number = 1
    for line in raw[nl + 1:].split(b"\n"):
        number += 1
        if not line.strip():
            continue
        try:
            apply_line(data, orjson.loads(line))
        except (orjson.JSONDecodeError, ValueError):
            return {}, Bilingual(f"its appended save on line {number} is not one coordtui wrote (changed or cut short outside coordtui)",
                                 f"其第 {number} 行追加的保存不是 coordtui 写入的（在 coordtui 之外被修改或截断）")
    return data, None


def apply_line(data: dict[str, Any], line: Any, copied: set[str] | None = None) -> dict[str, Any]:
    """``data`` (a data file's content: changed in place) with one appended line (see :func:`line_bytes`)
    applied: its new tables made, its records saved, moved or deleted, its head the file's;
    ValueError when it is not such a line or does not apply. ``copied``: where the tables of
    ``data`` are shared with a cached content, the names of those already copied (each other table
    is copied before it is changed, and added); None where ``data`` is the caller's own."""
    if (not isinstance(line, dict) or list(line) != ["new", "ops", HEAD] or not isinstance(line["ops"], list)
            or not isinstance(line["new"], list) or not isinstance(line[HEAD], dict)):
        raise ValueError("not an appended save")
    data.pop(HEAD, None)
    _apply_ops(data, line["new"], line["ops"], copied, "not an appended save")
    data[HEAD] = line[HEAD]
    return data


def line_prefix(patch: dict[str, Any]) -> bytes:
    """The bytes of a save's appended line before its head (what the head's digest chains over)."""
    return dump({"new": patch["new"], "ops": patch["ops"]})[:-1]


def line_bytes(prefix: bytes, head: dict[str, Any]) -> bytes:
    """One save appended to a data file: a newline, then a compact JSON object of the tables it
    makes (``new``), the records it saved, moved or deleted (``ops``, as :func:`make_patch`
    makes them) and the file's new sealed head (the last key). orjson never writes a raw newline,
    so each line is one save."""
    return b"\n" + prefix + b',"' + HEAD.encode() + b'":' + dump(head) + b"}"


def split_lines(raw: bytes) -> list[bytes]:
    """A data file's lines: its first (the records written whole) and each save appended since."""
    return [line for n, line in enumerate(raw.split(b"\n")) if n == 0 or line.strip()]


def chain_digest(previous: str, prefix: bytes) -> str:
    """The digest of a data file's content after an appended line: the previous digest's bytes and
    the line's bytes before its head, hashed (the 500 KB before it are not hashed again)."""
    return hashlib.sha256(bytes.fromhex(previous) + prefix).hexdigest()


#: A data file is written whole again (one line) once its appended lines are more than this many,
_MAX_LINES = 256
#: or larger than its first line divided by this,
_LINES_SHARE = 4
#: a first line counted as at least this long: a small file (most month files hold a few records)
#: takes up to 16 KB of lines, a few saves' worth, before it is written whole again. (With 4 KB, a
#: file of three records was written whole every third save: a new inode for its temporary file
#: and the renames of its backups, ~0.4 ms each time on ext4, for a read saved of 3 KB of lines.)
_LINES_FLOOR = 64 << 10


def needs_compaction(first: int, size: int, lines: int) -> bool:
    """Whether a data file of ``size`` bytes whose first line is ``first`` bytes and which has
    ``lines`` appended lines is to be written whole by its next save instead of appended to: a
    reader parses the first line once and applies every line after it."""
    return lines >= _MAX_LINES or (size - first) * _LINES_SHARE > max(first, _LINES_FLOOR)


_JSON_TYPE_ZH = {list: "列表", str: "文本", int: "数字", float: "数字", bool: "真/假值", type(None): "空值"}


def _json_type(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false", type(None): "null"}.get(type(value), "a value")


def _shown(text: str) -> str:
    """User-supplied text in a one-line message: control characters escaped, length bounded."""
    escaped = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    return escaped if len(escaped) <= 60 else escaped[:57] + "..."


def _room_for_newest(root: Path, final: Path) -> Path:
    """The path of ``final``'s newest backup (backups/<file>.1), each older one moved one down
    (.KEEP, the oldest, dropped)."""
    base = root / BACKUPS / final.relative_to(root)
    make_folder(base.parent)
    check_inside(root, base)
    for n in range(KEEP - 1, 0, -1):
        older = base.with_name(f"{base.name}.{n}")
        if older.exists():
            os.replace(older, base.with_name(f"{base.name}.{n + 1}"))
    return base.with_name(f"{base.name}.1")


def _rotate(root: Path, final: Path) -> None:
    """Keep the version about to be replaced: backups/<file>.1 is the newest, .KEEP the oldest."""
    if not final.exists() or root not in final.parents:
        return
    newest = _room_for_newest(root, final)
    newest.unlink(missing_ok=True)
    try:
        os.link(final, newest, follow_symlinks=False)  # the same inode: its mode is the file's
    except OSError:  # a file system without hard links: copy instead
        _write_new(newest, read_nofollow(final), modes_at(newest.parent))


def dump(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, payload: "bytes | list[bytes]", modes: Modes, *, sync: bool = True) -> None:
    """Create ``path`` afresh (never through a link) with the store's mode, write it (``payload``,
    or its pieces one after another) and (``sync``) fsync it."""
    path.unlink(missing_ok=True)
    with open(path, "wb", opener=lambda p, flags: os.open(p, flags | os.O_EXCL | _NOFOLLOW | os.O_CLOEXEC, modes.file)) as fh:
        _set_mode(fh.fileno(), modes)
        for piece in (payload if isinstance(payload, list) else (payload,)):
            fh.write(piece)
        fh.flush()
        if sync:
            os.fsync(fh.fileno())


def _cache_tmp(path: Path) -> Path:
    """The temporary name a cache file is written under before it is renamed to ``path``: this
    process's and thread's own."""
    return path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}{_TMP_SUFFIX}")


def write_cache_file(root: Path, path: Path, body: "bytes | list[bytes]") -> bool:
    """Put ``body`` (or its pieces, one after another) in place as ``path``, a disposable cache file inside the store ``root``:
    a temporary file of its own (this process and thread), never through a link, with the
    store's mode and group, renamed into place; not fsynced (a cache lost in a crash is
    rebuilt). False, with nothing left behind, when it cannot be written: nothing depends on
    a cache."""
    tmp = _cache_tmp(path)
    try:
        make_folder(path.parent)
        check_inside(root, tmp)
        _write_new(tmp, body, modes_at(path.parent), sync=False)
        os.replace(tmp, path)
        return True
    except (OSError, StoreError):
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False


def rewrite_cache_file(root: Path, old: Path, path: Path, body: "bytes | list[bytes]") -> bool:
    """:func:`write_cache_file`, written into the file ``old`` (a disposable cache file of the
    same folder, one about to be removed to make room): it is renamed to the temporary name (so
    no other process writes into it as well), written over from its start, cut to its new length
    and renamed into place as ``path``. Removing a file whose blocks are on the disk, and giving
    a new one blocks of its own, cost the system three to four times what this does (241 files
    of 234 KB: 0.11 s against 0.03-0.04 s). Only a regular file of this account's with no other
    name is written into; otherwise (a link, another's file, a hard link) it is removed and a new
    file written, as write_cache_file does. A reader that had ``old`` open may read a mix of the
    two contents: a sealed cache does not trust it. False, nothing left behind, where neither
    could be done."""
    tmp = _cache_tmp(path)
    try:
        check_inside(root, tmp)
        os.rename(old, tmp)
    except (OSError, StoreError):  # (taken by another process, or gone: a new file then)
        return write_cache_file(root, path, body)
    fd = -1
    try:
        fd = os.open(tmp, os.O_WRONLY | _NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != os.geteuid():
            raise OSError("not a file of this account's alone")
        _set_mode(fd, modes_at(path.parent), st)
        size = 0
        for piece in (body if isinstance(body, list) else (body,)):
            view = memoryview(piece)
            while view:
                written = os.pwrite(fd, view, size)
                size += written
                view = view[written:]
        os.ftruncate(fd, size)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
        return True
    except OSError:
        if fd >= 0:
            os.close(fd)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            return False
        return write_cache_file(root, path, body)


_KIND_OF = {stat.S_IFIFO: ("a named pipe", "命名管道"), stat.S_IFDIR: ("a folder", "文件夹"), stat.S_IFSOCK: ("a socket", "套接字"),
            stat.S_IFCHR: ("a device", "设备"), stat.S_IFBLK: ("a device", "设备")}


def _not_a_file(journal: Path) -> StoreError | None:
    """The one-line error for something other than a file (a named pipe, a folder, a device) where
    the journal goes: what it is and what to do (not "check its permissions"); None for a file."""
    try:
        kind = _KIND_OF.get(stat.S_IFMT(os.lstat(journal).st_mode))
    except OSError:
        return None
    if kind is None:
        return None
    aside = journal.parent / "journal.refused"
    return StoreError(f"{journal}: is {kind[0]}, not the commit journal coordtui writes (put there outside coordtui): move it aside "
                      f"(mv {journal} {aside}) and run 'coordtui verify --db {journal.parent}'",
                      message_zh=f"{journal}：是{kind[1]}，不是 coordtui 写入的提交日志（在 coordtui 之外放入）：请将其移走"
                                 f"（mv {journal} {aside}），然后运行 coordtui verify")


def _journal_unreadable(journal: Path, exc: OSError) -> StoreError:
    """Why a journal (the commit journal, or the older design's) cannot be read: a link planted in
    its place is refused as such, a pipe or folder said to be one, anything else names the system's reason."""
    if exc.errno == 40:
        return _refuse(journal, str(journal), "which is a symbolic link")
    planted = _not_a_file(journal)
    if planted is not None:
        return planted
    return StoreError(f"{journal}: cannot read the store's commit journal ({exc.strerror}): check its permissions",
                      message_zh=f"{journal}：无法读取数据存储的提交日志（{os_reason(exc)}）：请检查其权限")


def _write_tmp(final: Path, payload: bytes) -> Path:
    """A temporary file beside ``final`` holding ``payload``, not yet fsynced: the commit
    journal holds the same bytes durably (see the module's docstring)."""
    tmp = final.with_name(f"{final.name}.{os.getpid()}{_TMP_SUFFIX}")
    try:
        _write_new(tmp, payload, _commit_modes()(final.parent), sync=False)
    except FileNotFoundError:  # its folder is missing: made (as make_folder makes it), then written again
        make_folder(final.parent)
        _write_new(tmp, payload, modes_at(final.parent), sync=False)
    return tmp


#: This thread's commit under way (see :func:`commit_files`): ``modes``, its folders' modes as it found them.
_COMMIT = threading.local()


def _commit_modes() -> Callable[[Path], Modes]:
    """:func:`modes_at`, or, during a commit of this thread, the one that asks each folder once."""
    return getattr(_COMMIT, "modes", None) or modes_at


def _modes_of() -> Callable[[Path], Modes]:
    """:func:`modes_at`, each folder asked once: for the files of one commit (a save puts a data
    file and its log in one folder and the manifest and markers in another, under the lock)."""
    known: dict[Path, Modes] = {}

    def modes(folder: Path) -> Modes:
        found = known.get(folder)
        if found is None:
            try:
                st = os.stat(folder)
            except OSError:
                return PRIVATE  # (as modes_at; not kept: a folder this commit makes is asked again)
            found = known[folder] = _modes_for(st)
        return found

    return modes


def _append(path: Path, offset: int, payload: bytes) -> None:
    """Make ``path`` its first ``offset`` bytes followed by ``payload`` (repeatable: recovery
    redoes it). Not fsynced: the commit journal holds the same bytes durably."""
    folder = path.parent
    modes = _commit_modes()(folder)
    try:
        fd, st = _open_regular_stat(path, os.O_WRONLY | os.O_CREAT, modes.file)
    except FileNotFoundError:  # its folder is missing: made (as make_folder makes it), then opened again
        make_folder(folder)
        modes = modes_at(folder)
        fd, st = _open_regular_stat(path, os.O_WRONLY | os.O_CREAT, modes.file)
    try:
        _set_mode(fd, modes, st)
        if st.st_size != offset:  # (a redo, or a file cut short: made its first ``offset`` bytes)
            os.ftruncate(fd, offset)
        view = memoryview(payload)
        while view:
            done = os.pwrite(fd, view, offset)
            view, offset = view[done:], offset + done
    finally:
        os.close(fd)


def commit_files(root: Path, files: dict[Path, bytes], appends: dict[Path, bytes] | None = None,
                 unkept: set[Path] | frozenset[Path] = frozenset(), manifest: tuple[dict[str, int], str] | None = None,
                 patches: dict[Path, bytes] | None = None) -> None:
    """Write every file in ``files`` and append to every log in ``appends``, all of it or none,
    durably (a power cut after the return loses nothing): one record of the commit journal,
    fsynced once, then each file put in place (see the module's docstring). Under the store lock.

    Raises StoreError (with the previous state intact) if the disk refuses. The version each
    file replaces becomes its newest backup, except for the files in ``unkept`` (a version that
    does not fit the models: the backups keep the ones that did).

    ``manifest``: (the entries the commit changes, its seal) when ``files`` holds the manifest as
    ``Seal.commit_bytes`` made it from the one on disk: the journal then holds only those (a
    store of 100,000 records has a 280 KB manifest), and a replay rebuilds it from them.

    ``patches``: for a data file of ``files``, its change from the version on disk (see
    :func:`apply_patch`): where the journal already holds that file whole since its last
    checkpoint, the record holds only the patch (a save into a month file of 1,700 records
    journaled and fsynced its 500 KB each time), and a replay rebuilds the file from the last
    whole version and the patches after it.
    """
    appends = {path: payload for path, payload in (appends or {}).items() if payload}
    if not files and not appends:
        return
    checked: set[str] = set()
    for path in files:
        check_inside(root, path, checked)
    sizes: dict[Path, int] = {}
    for path in appends:
        check_inside(root, path, checked, sizes)
    grown: list[tuple[Path, int, bytes]] = [(path, sizes[path], payload) for path, payload in appends.items()]
    boot = boot_id()
    markers = _markers(root)
    _COMMIT.modes = _modes_of()
    try:
        _commit_under_way(root, files, unkept, manifest, patches, grown, boot)
    finally:
        _COMMIT.modes = None
    _unlink(markers[0])


def _commit_under_way(root: Path, files: dict[Path, bytes], unkept: set[Path] | frozenset[Path],
                      manifest: tuple[dict[str, int], str] | None, patches: dict[Path, bytes] | None,
                      grown: list[tuple[Path, int, bytes]], boot: str | None) -> None:
    """:func:`commit_files` from its temporary files to its appends (``journal.pending`` is the caller's to remove)."""
    written: list[tuple[Path, Path]] = []
    try:
        for final, payload in files.items():
            written.append((_write_tmp(final, payload), final))
        manifest_path = root / MANIFEST if manifest is not None else None
        journaled = [(final, files[final]) for _, final in written if final != manifest_path]
        _journal_commit(root, journaled, grown, boot, manifest, patches)
    except OSError as exc:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        planted = _not_a_file(root / WAL)
        if planted is not None:
            raise planted from None
        raise StoreError(f"{root}: cannot save ({exc.strerror or exc}); nothing was changed: free disk space or check permissions",
                         message_zh=f"{root}：无法保存（{os_reason(exc)}），未做任何更改：请释放磁盘空间或检查权限") from None
    # From here the commit is durable: whatever stops it, the next writer (or a reader, which
    # waits while journal.pending exists) puts it in place from the journal.
    try:
        _put_written(root, written, unkept)
    except OSError as exc:
        raise StoreError(f"{root}: the change is saved but not yet in place ({exc.strerror or exc}): free disk space or check "
                         "permissions; it is completed on the next save",
                         message_zh=f"{root}：更改已保存但尚未写入到位（{os_reason(exc)}）：请释放磁盘空间或检查权限；下次保存时会自动完成") from None
    try:
        for path, offset, payload in grown:
            _append(path, offset, payload)
    except OSError as exc:
        raise StoreError(f"{root}: the change is saved but its history could not be written yet ({exc.strerror or exc}): "
                         "free disk space; it is completed on the next save",
                         message_zh=f"{root}：更改已保存，但其变更历史暂未写入（{os_reason(exc)}）：请释放磁盘空间；下次保存时会自动完成") from None
    if boot is None:  # no boot to tell a journal of before a power cut by: make it all durable now
        _checkpoint(root)


def _put_written(root: Path, written: list[tuple[Path, Path]], unkept: set[Path] | frozenset[Path]) -> None:
    """Put each temporary file in place as its final name, keeping the version it replaces as a backup."""
    for tmp, final in written:
        # The manifest is rewritten by every commit and lists every data file's newest seq: a
        # version of it from before the last commit cannot be put back without that commit's
        # file disagreeing with it (and refusing saves), so none is kept (at 100,000 records
        # rotating it cost two renames and a 280 KB file freed per save).
        _into_place(root, tmp, final, final not in unkept and final.name != "manifest.json")


#: renameat2(2)'s flag that swaps two names atomically
_RENAME_EXCHANGE = 2
_EXCHANGE: list[Any] = []


def _exchange(tmp: Path, final: Path) -> bool:
    """Swap ``tmp`` and ``final`` atomically (renameat2 with RENAME_EXCHANGE): True when done; False
    where ``final`` does not exist yet or the system or file system cannot swap (then nothing was done).

    Why not a rename over ``final``: ext4 (its default ``auto_da_alloc``) starts writing a file out
    as soon as it is renamed over another, and the next commit's fsync then waits for it: a save
    into a month file of 1,700 records paid for its 500 KB going to the disk. Swapped, the file is
    written out in the background, as any unsynced write: the commit journal holds it durably."""
    if not _EXCHANGE:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            call = libc.renameat2
            call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            call.restype = ctypes.c_int
            _EXCHANGE.append((call, ctypes.get_errno))
        except (OSError, AttributeError, ImportError):
            _EXCHANGE.append(None)
    if _EXCHANGE[0] is None:
        return False
    call, get_errno = _EXCHANGE[0]
    if call(-100, os.fsencode(tmp), -100, os.fsencode(final), _RENAME_EXCHANGE) == 0:  # -100: AT_FDCWD
        return True
    err = get_errno()
    if err == errno.ENOENT:
        return False
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        _EXCHANGE[0] = None  # not here: rename over, as everywhere else
        return False
    raise OSError(err, os.strerror(err), str(final))


def _into_place(root: Path, tmp: Path, final: Path, keep: bool) -> None:
    """Put ``tmp`` in place as ``final`` (the name always names one whole version), the version it
    replaces becoming the newest backup when ``keep``."""
    try:
        swappable = stat.S_ISREG(os.lstat(final).st_mode)
    except FileNotFoundError:
        swappable = False
    if swappable and _exchange(tmp, final):
        # ``tmp`` now names the version replaced: it is the newest backup, or goes
        try:
            if keep and root in final.parents:
                os.replace(tmp, _room_for_newest(root, final))
                return
        except (OSError, StoreError):
            pass  # a backup that cannot be kept must not stop the save
        _unlink(tmp)
        return
    try:
        if keep:
            _rotate(root, final)
    except OSError:
        pass  # a backup that cannot be kept must not stop the save
    os.replace(tmp, final)


_BOOT: list[str | None] = []


def default_store_path() -> Path:
    """The store when no ``--db`` names one: ``COORDTUI_DB``, else a folder under the user's data directory."""
    env = os.environ.get("COORDTUI_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("coordtui", appauthor=False)) / "store"


def boot_id() -> str | None:
    """This boot of the machine (the kernel's random ``boot_id``), or None where it cannot be told."""
    if not _BOOT:
        try:
            with open("/proc/sys/kernel/random/boot_id", "rb") as fh:
                value = fh.read(64).strip().decode("ascii")
        except (OSError, UnicodeDecodeError):
            value = ""
        _BOOT.append(value if value and all(c.isalnum() or c == "-" for c in value) else None)
    return _BOOT[0]


def _unlink(path: Path | str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:  # a folder planted where a marker goes: an empty one is removed
        try:
            os.rmdir(path)
        except OSError:
            raise StoreError(f"{path}: is a folder, not a file coordtui makes (put there outside coordtui): remove it "
                             f"(rm -r {path}) and run 'coordtui verify --db {Path(path).parent}'",
                             message_zh=f"{path}：是文件夹，不是 coordtui 建立的文件（在 coordtui 之外放入）：请删除它，然后运行 coordtui verify") from None


def _touch(path: Path | str, modes: Modes) -> None:
    """Create ``path`` empty if missing, never through a link (one planted there is removed)."""
    for _ in range(2):
        try:
            fd = _open_regular(path, os.O_WRONLY | os.O_CREAT, modes.file)
        except OSError as exc:
            if exc.errno != 40:  # ELOOP: a link where the marker goes
                raise
            os.unlink(path)
            continue
        os.close(fd)
        return


def _mark_pending(root: Path, pending: str) -> None:
    """Make the ``journal.pending`` marker: a second name of the write lock's turnstile (``.lock``,
    which every writer has just opened), as a link costs only a name, where a new empty file costs
    an inode (15-110 us a save on ext4: the inode the last commit's unlink freed is not taken again
    until the file system's journal commits). An empty file where the turnstile cannot be linked
    (missing, another account's, a file system without links, a marker already there)."""
    try:
        os.link(os.path.join(root, StoreLock.TURNSTILE), pending, follow_symlinks=False)
    except OSError:
        _touch(pending, _commit_modes()(root))


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _journal_header(boot: str | None) -> bytes:
    return _WAL_HEAD + (boot or "").encode("ascii") + b"\n"


def _journal_record(root: Path, files: list[tuple[Path, bytes]], grown: list[tuple[Path, int, bytes]],
                    manifest: tuple[dict[str, int], str] | None = None, patched: list[tuple[Path, bytes]] | None = None) -> list[bytes]:
    """One commit as the journal holds it: a line naming each file, patch and append (paths
    relative to the store, with lengths) and the manifest's changed entries and seal, the bytes
    of all of them, and a newline; a CRC of the bytes tells a whole record from one a crash cut short."""
    patched = patched or []
    parts = [payload for _, payload in files] + [payload for _, payload in patched] + [payload for _, _, payload in grown]
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    head: dict[str, Any] = {"files": [[_relative(root, path), len(payload)] for path, payload in files],
                            "appends": [[_relative(root, path), offset, len(payload)] for path, offset, payload in grown],
                            "size": sum(len(part) for part in parts), "crc": crc}
    if patched:
        head["patches"] = [[_relative(root, path), len(payload)] for path, payload in patched]
    if manifest is not None:
        head["manifest"] = {"set": manifest[0], "seal": manifest[1]}
    return [b"R" + dump(head) + b"\n", *parts, b"\n"]


#: (store folder, path) -> ``path.relative_to(root).as_posix()``: a function of the two names alone
#: (pathlib's is lexical), made once per process.
_RELATIVE: dict[tuple[Path, Path], str] = {}


def _relative(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` as posix text (ValueError where it is not below it by name)."""
    rel = _RELATIVE.get((root, path))
    if rel is None:
        if len(_RELATIVE) >= _KNOWN_NAMES:
            _RELATIVE.clear()
        rel = _RELATIVE[(root, path)] = path.relative_to(root).as_posix()
    return rel


def _journal_start(root: Path, boot: str | None) -> bytes:
    """A journal's first bytes: its header, then the manifest as it is now (the base the
    records' manifest changes apply to: a replay never reads manifest.json, which a power cut
    may have left half written)."""
    try:
        base = read_nofollow(root / MANIFEST)
    except FileNotFoundError:
        return _journal_header(boot)
    return _journal_header(boot) + b"B" + dump({"size": len(base), "crc": zlib.crc32(base)}) + b"\n" + base + b"\n"


def _open_journal(root: Path, boot: str | None) -> int:
    """The commit journal open for appending; made (with its header, durably) when missing."""
    path = root / WAL
    try:
        return _open_regular(path, os.O_RDWR | os.O_APPEND)
    except FileNotFoundError:
        pass
    modes = modes_at(root)
    tmp = root / f"{WAL}.{os.getpid()}{_TMP_SUFFIX}"
    _write_new(tmp, _journal_start(root, boot), modes)
    os.replace(tmp, path)
    _fsync_dir(root)
    return _open_regular(path, os.O_RDWR | os.O_APPEND)


def journal_state(root: Path) -> tuple[int, ...] | None:
    """What changes whenever any process commits: the commit journal's (inode, size, mtime, ctime)
    (every commit appends a record to it; a checkpoint replaces it), or None without one."""
    try:
        st = os.stat(os.path.join(root, WAL))
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


#: store folder -> (the journal's inode, where this process's last record starts, its first line,
#: the data files the journal holds whole from there back to its start): what a commit may journal as a patch.
_WHOLE: dict[str, tuple[int, int, bytes, set[Path]]] = {}


def _whole_in_journal(root: Path, fd: int, st: os.stat_result | None = None) -> set[Path]:
    """The files the open journal ``fd`` holds a whole version of (since its header), as far as
    this process knows: those it journaled whole itself, while its own last record is still where
    it wrote it (a checkpoint replaces the journal, and another process only ever appends). Empty
    when that cannot be told: a patch is then journaled whole, never a patch without its base."""
    kept = _WHOLE.get(os.fspath(root))
    if kept is None:
        return set()
    ino, at, line, whole = kept
    st = os.fstat(fd) if st is None else st  # (``st``: the caller's fstat of ``fd``, with nothing written since)
    if st.st_ino != ino or st.st_size < at + len(line) or os.pread(fd, len(line), at) != line:
        _WHOLE.pop(os.fspath(root), None)
        return set()
    return whole


def _journal_commit(root: Path, files: list[tuple[Path, bytes]], grown: list[tuple[Path, int, bytes]], boot: str | None,
                    manifest: tuple[dict[str, int], str] | None = None, patches: dict[Path, bytes] | None = None) -> None:
    """Append one commit's record to the journal and make it durable (the commit point). A file
    of ``patches`` that the journal holds whole (see :func:`_whole_in_journal`) is journaled as its patch."""
    fd = _open_journal(root, boot)
    pending = _markers(root)[0]
    try:
        st = os.fstat(fd)
        size = st.st_size
        # Every record (and the header) ends in a newline: a journal that does not was written
        # to outside coordtui, and a record appended after such bytes could not be read back
        # by a recovery. A checkpoint starts it afresh.
        if size > CHECKPOINT_BYTES or (size and os.pread(fd, 1, size - 1) != b"\n"):
            os.close(fd)
            fd = -1
            _checkpoint(root)
            fd = _open_journal(root, boot)
            st = os.fstat(fd)
            size = st.st_size
        whole = _whole_in_journal(root, fd, st) if patches else set()
        patched = [(path, patches[path]) for path, _ in files if patches and path in patches and path in whole]
        if patched:
            files = [(path, payload) for path, payload in files if path not in patches or path not in whole]
        _mark_pending(root, pending)
        try:
            record = _journal_record(root, files, grown, manifest, patched)
            _write_all(fd, b"".join(record) if sum(map(len, record)) < (1 << 20) else record[0])
            if sum(map(len, record)) >= (1 << 20):  # (a large record is not copied to be written at once)
                for part in record[1:]:
                    _write_all(fd, part)
            os.fdatasync(fd)
            # A file appended to is no longer the version the journal holds whole: its next whole
            # write is journaled whole (a patch of it would be of a version the journal lacks).
            _WHOLE[os.fspath(root)] = (st.st_ino, size, record[0],  # (the descriptor's inode: fstat'ed above)
                                       (whole | {path for path, _ in files}) - {path for path, _, _ in grown})
        except OSError:
            try:
                os.ftruncate(fd, size)  # a record cut short is ignored anyway; leave none
            except OSError:
                pass
            _unlink(pending)
            raise
    finally:
        if fd >= 0:
            os.close(fd)


@dataclass
class _Commit:
    """One record of the commit journal: its bytes are views into the journal read (no copies)."""

    files: list[tuple[Path, memoryview]]
    appends: list[tuple[Path, int, memoryview]]
    #: (the manifest entries the commit changed, the manifest's seal), where it holds no whole manifest
    manifest: tuple[dict[str, int], str] | None = None
    #: data files the record holds as patches (see :func:`apply_patch`); :func:`_resolve_patches`
    #: adds to ``files`` the whole version of each, where the record is the last to change it
    patches: list[tuple[Path, memoryview]] = field(default_factory=list)


def _journal_records(root: Path, journal: Path, raw: bytes) -> tuple[bool, list[_Commit], int]:
    """(whether the journal has a header, its whole records with their paths checked, where
    the last whole record ends). Reading stops at the first record that is not whole (its
    writer died before its fsync ended: that commit never happened). A record naming
    anything but the store's own files refuses the whole journal (StoreError)."""
    nl = raw.find(b"\n")
    if not raw.startswith(_WAL_HEAD) or nl < 0:
        return False, [], 0
    pos, records = nl + 1, []
    view = memoryview(raw)
    base = _base_record(raw, pos)
    if base is not None:
        pos, manifest = base
        records.append(_Commit([(_journal_path(root, journal, MANIFEST, is_layout_file), manifest)], []))
    while pos < len(raw) and raw[pos:pos + 1] == b"R":
        end = raw.find(b"\n", pos, pos + MAX_HEAD_LINE)
        if end < 0:
            break
        try:
            head = orjson.loads(view[pos + 1:end])
        except orjson.JSONDecodeError:
            break
        if not _record_head_ok(head):
            break
        start, stop = end + 1, end + 1 + head["size"]
        if raw[stop:stop + 1] != b"\n" or zlib.crc32(view[start:stop]) != head["crc"]:
            break
        at, commit = start, _Commit([], [])
        for rel, length in head["files"]:
            commit.files.append((_journal_path(root, journal, rel, is_layout_file), view[at:at + length]))
            at += length
        for rel, length in head.get("patches", ()):
            commit.patches.append((_journal_path(root, journal, rel, _is_data_file), view[at:at + length]))
            at += length
        for rel, offset, length in head["appends"]:
            commit.appends.append((_journal_path(root, journal, rel, _appendable), offset, view[at:at + length]))
            at += length
        if "manifest" in head:
            commit.manifest = (head["manifest"]["set"], head["manifest"]["seal"])
        records.append(commit)
        pos = stop + 1
    _resolve_patches(journal, records)
    return True, records, pos


_DATA_FILE = re.compile(rf"data/{_NAME}/{_NAME}\.json")
HEAD = "_head"  # a data file's sealed head (store/seal.py), always its last key
#: Past this many changed records a data file is journaled whole: its patch would be no smaller.
PATCH_OPS = 64


def _is_data_file(rel: str) -> bool:
    return bool(_DATA_FILE.fullmatch(rel)) and not rel.endswith(".history.json")


def _appendable(rel: str) -> bool:
    """A store file a commit may append to: a history log, or a data file (a save's line: see :func:`line_bytes`)."""
    return is_layout_log(rel) or _is_data_file(rel) or rel == MANIFEST


def manifest_body(raw: bytes | memoryview) -> dict[str, Any] | None:
    """The manifest as one object, ``{"files": ..., "seal": ...}``: its first line's entries with
    those of each line appended since (see Seal.commit_bytes), the last line's seal; None when it
    is not one. Its seals are the caller's to check (Seal.manifest_files)."""
    lines = [line for line in bytes(raw).split(b"\n") if line.strip()]
    if not lines:
        return None
    try:
        body = orjson.loads(lines[0])
        if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
            return None
        for line in lines[1:]:
            change = orjson.loads(line)
            if not isinstance(change, dict) or not isinstance(change.get("set"), dict):
                return None
            body["files"].update(change["set"])
            body["seal"] = change.get("seal")
    except orjson.JSONDecodeError:
        return None
    return body


def data_file_bytes(prefix: bytes, head: dict[str, Any]) -> bytes:
    """A data file's bytes: ``prefix`` (its records serialized, without the closing brace), then its sealed head."""
    return prefix + (b"," if len(prefix) > 1 else b"") + b'"' + HEAD.encode() + b'":' + dump(head) + b"}"


def _patch_frame(base: dict[str, Any], data: dict[str, Any]) -> tuple[str, list[str], int] | None:
    """What a patch from ``base`` to ``data`` stands on: the digest of ``base``'s sealed head, the
    table names of ``data`` in order, and how many of them ``base`` has (they come first, in its
    order); None where there is no patch (no sealed head, or the old tables are not first)."""
    head = base.get(HEAD)
    digest = head.get("digest") if isinstance(head, dict) else None
    if not isinstance(digest, str) or not isinstance(data.get(HEAD), dict):
        return None
    base_names = [k for k in base if k != HEAD]
    names = [k for k in data if k != HEAD]
    if names[:len(base_names)] != base_names:
        return None
    return digest, names, len(base_names)


def make_patch(base: dict[str, Any], data: dict[str, Any], changed: dict[str, set[str]]) -> dict[str, Any] | None:
    """The change from ``base`` (a data file's content as read, with its sealed head) to ``data``
    (the new content, its new head included), as :func:`apply_patch` redoes it, when the only
    records that differ are among ``changed`` (table -> ids) and each of them was removed, changed
    in place, or saved again at its table's end (where a save puts it); None otherwise, or when the
    whole file is the smaller record. Checked, not trusted: every other record must be the very
    object ``base`` holds, in the same order."""
    frame = _patch_frame(base, data)
    if frame is None:
        return None
    digest, names, old_count = frame
    ops: list[list[Any]] = []
    for name in names:
        table, old = data[name], base.get(name, {})
        if table is old:
            continue
        if not isinstance(table, dict) or not isinstance(old, dict):
            return None
        ids = changed.get(name, set())
        if len(ids) > PATCH_OPS:
            return None  # a bulk change: journaled whole (and not searched for, record by record)
        keys = list(table)
        cut = len(keys)
        while cut and keys[cut - 1] in ids:
            cut -= 1
        moved = keys[cut:]
        removed = [k for k in ids if k in old and k not in table]
        expected = list(old)
        for k in removed:
            expected.remove(k)
        for k in moved:
            if k in old:
                expected.remove(k)
        kept = keys[:cut]
        if kept != expected:
            return None
        in_place = [k for k in ids if k in old and k in table and table[k] is not old[k] and k not in moved]
        if in_place:
            if sum(map(operator.is_not, map(table.__getitem__, kept), map(old.__getitem__, kept))) != len(in_place):
                return None  # a record outside ``changed`` differs
        else:
            # Every kept record must be the one ``base`` holds: the values in table order, those of
            # ``old`` without the records removed or moved (their few places found in C), compared as
            # lists (each pair the same object, or equal: the same bytes either way).
            now = list(table.values())[:cut]
            before = list(old.values())
            gone = [k for k in (*removed, *moved) if k in old]
            if gone:
                old_ids = list(old)
                for at in sorted(map(old_ids.index, gone), reverse=True):
                    del before[at]
            if now != before:
                return None  # a record outside ``changed`` differs
        ops.extend([name, k, None, 0] for k in removed)
        ops.extend([name, k, table[k], 0] for k in in_place)
        ops.extend([name, k, table[k], 1] for k in moved)
        if len(ops) > PATCH_OPS:
            return None
    return {"base": digest, "new": names[old_count:], "ops": ops, "head": data[HEAD]}


def patch_of_saves(base: dict[str, Any], data: dict[str, Any], changed: dict[str, set[str]]) -> dict[str, Any] | None:
    """:func:`make_patch`'s patch, for a ``data`` a transaction made from ``base`` by deleting
    records of ``changed`` and saving records of ``changed`` again at their table's end (as
    Store's writes do, on a copy of each table they change), found from those records alone:
    make_patch compares every record of the table (a month file of 1,700 records: ~0.2 ms a save).
    What that shape implies is checked on the records' keys: each table's length is the old one
    less the records gone and plus the ones saved, and the records saved (every one of ``changed``
    present and not the very object ``base`` holds) are the table's last, in the order the table
    holds them. None where that does not hold (the caller then asks make_patch)."""
    frame = _patch_frame(base, data)
    if frame is None:
        return None
    digest, names, old_count = frame
    ops: list[list[Any]] = []
    for name in names:
        table, old = data[name], base.get(name, {})
        if table is old:
            continue
        if not isinstance(table, dict) or not isinstance(old, dict):
            return None
        ids = changed.get(name, ())
        if len(ids) > PATCH_OPS:
            return None
        removed = [k for k in ids if k in old and k not in table]
        saved = {k for k in ids if k in table and table[k] is not old.get(k)}
        before = sum(1 for k in ids if k in old)
        if len(table) != len(old) - before + sum(1 for k in ids if k in table):
            return None
        tail: list[str] = []
        for k in reversed(table):
            if len(tail) == len(saved):
                break
            tail.append(k)
        if set(tail) != saved:
            return None  # a record saved is not at its table's end, or another one is
        tail.reverse()
        ops.extend([name, k, None, 0] for k in removed)
        ops.extend([name, k, table[k], 1] for k in tail)
        if len(ops) > PATCH_OPS:
            return None
    return {"base": digest, "new": names[old_count:], "ops": ops, "head": data[HEAD]}


def _apply_ops(data: dict[str, Any], new: list[Any], ops: list[Any], copied: set[str] | None, what: str) -> None:
    """Make the tables ``new`` in ``data`` and apply ``ops`` (each ``[table, id, record or None,
    to the table's end]``: a record saved, moved or deleted) to it, as an appended line and a
    journal's patch carry them; ValueError(``what``) where one is not of that shape or does not
    apply. ``copied``: see :func:`apply_line`."""
    for name in new:
        if not isinstance(name, str) or name == HEAD or name in data:
            raise ValueError(what)
        data[name] = {}
    if copied is not None:
        copied.update(new)
    for op in ops:
        if not (isinstance(op, list) and len(op) == 4 and isinstance(op[0], str) and isinstance(op[1], str)
                and isinstance(data.get(op[0]), dict) and isinstance(op[2], (dict, type(None)))):
            raise ValueError(what)
        name = op[0]
        if copied is not None and name not in copied:  # (a cached content's tables are never changed in place)
            data[name] = data[name].copy()
            copied.add(name)
        table = data[name]
        if op[2] is None:
            table.pop(op[1], None)
        else:
            if op[3]:
                table.pop(op[1], None)
            table[op[1]] = op[2]


def apply_patch(data: dict[str, Any], patch: Any) -> dict[str, Any]:
    """``data`` (a data file's content, parsed afresh: changed in place) with ``patch`` (see
    :func:`make_patch`) applied; ValueError when it does not apply to it."""
    if not isinstance(patch, dict) or not isinstance(patch.get("ops"), list) or not isinstance(patch.get("new"), list):
        raise ValueError("not a patch")
    head = data.pop(HEAD, None)
    if not isinstance(head, dict) or head.get("digest") != patch.get("base") or not isinstance(patch.get("head"), dict):
        raise ValueError("the patch is of another version of the file")
    _apply_ops(data, patch["new"], patch["ops"], None, "not a patch")
    data[HEAD] = patch["head"]
    return data


def _resolve_patches(journal: Path, records: list[_Commit]) -> None:
    """Give each record's patched data files their whole bytes where the record is the last to
    change them (a replay puts records in place in order: an earlier version is never needed),
    from the last whole version before (the journal's, or the file on disk when the journal has
    none and the file is the version the first patch was made from), each rebuilt file checked
    against the digest its sealed head records. StoreError, before anything is replayed, when
    one cannot be rebuilt."""
    last: dict[Path, int] = {}
    for n, commit in enumerate(records):
        for path, _ in [*commit.files, *commit.patches]:
            last[path] = n
    if not any(commit.patches for commit in records):
        return
    state: dict[Path, Any] = {}  # path -> its latest version: bytes (a view), or parsed content
    for n, commit in enumerate(records):
        for path, payload in commit.files:
            state[path] = payload
        for path, offset, payload in commit.appends:
            # A save appended to a data file (see line_bytes): its version goes on from the last
            # one here at the length the append starts from, or from the file on disk (at that length).
            if path.name.endswith(_LOG_SUFFIX):
                continue
            if path not in state:
                state[path] = None  # a version the journal does not hold: no patch of it can be rebuilt
                continue
            current = state[path]
            if current is None:
                continue
            if isinstance(current, dict):
                current = data_file_bytes(dump({k: v for k, v in current.items() if k != HEAD})[:-1], current[HEAD])
            state[path] = bytes(current[:offset]) + bytes(payload) if len(current) >= offset else None
        for path, payload in commit.patches:
            current = state.get(path, False)
            try:
                if current is None:
                    raise ValueError("an append of it does not follow its version before")
                if current is False:
                    current = read_nofollow(path)
                data = parse_data(current) if not isinstance(current, dict) else current
                if not isinstance(data, dict):
                    raise ValueError("not a data file")
                data = apply_patch(data, orjson.loads(payload))
                state[path] = data
                if last[path] == n:
                    body = dump({k: v for k, v in data.items() if k != HEAD})[:-1]
                    if hashlib.sha256(body).hexdigest() != data[HEAD].get("digest"):
                        raise ValueError("the rebuilt file is not the one its head records")
                    commit.files.append((path, memoryview(data_file_bytes(body, data[HEAD]))))
            except (OSError, ValueError, orjson.JSONDecodeError, orjson.JSONEncodeError) as exc:
                raise StoreError(
                    f"{journal}: its record of {path.name} cannot be rebuilt ({exc}): nothing was replayed; move the journal aside "
                    f"(mv {journal} {journal.parent / 'journal.refused'}) and run 'coordtui verify --db {journal.parent}'",
                    message_zh=f"{journal}：其中 {path.name} 的记录无法重建（{exc}），未执行任何恢复；请将日志移走"
                               f"（mv {journal} {journal.parent / 'journal.refused'}），然后运行 coordtui verify") from None


def _base_record(raw: bytes, pos: int) -> tuple[int, memoryview] | None:
    """(where the records start, the manifest) of the base record at ``pos``, if there is a whole one."""
    if raw[pos:pos + 1] != b"B":
        return None
    end = raw.find(b"\n", pos)
    try:
        head = orjson.loads(raw[pos + 1:end]) if end > 0 else None
    except orjson.JSONDecodeError:
        return None
    if not isinstance(head, dict) or type(head.get("size")) is not int or type(head.get("crc")) is not int or head["size"] < 0:
        return None
    start, stop = end + 1, end + 1 + head["size"]
    body = memoryview(raw)[start:stop]
    if raw[stop:stop + 1] != b"\n" or zlib.crc32(body) != head["crc"]:
        return None
    return stop + 1, body


def _record_head_ok(head: Any) -> bool:
    def count(v: Any) -> bool:
        return type(v) is int and v >= 0

    if not isinstance(head, dict) or not count(head.get("size")) or not count(head.get("crc")):
        return False
    files, appends = head.get("files"), head.get("appends")
    if not isinstance(files, list) or not isinstance(appends, list):
        return False
    if not all(isinstance(f, list) and len(f) == 2 and isinstance(f[0], str) and count(f[1]) for f in files):
        return False
    if not all(isinstance(a, list) and len(a) == 3 and isinstance(a[0], str) and count(a[1]) and count(a[2]) for a in appends):
        return False
    patches = head.get("patches", [])
    if not isinstance(patches, list) or not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and count(p[1]) for p in patches):
        return False
    if "manifest" in head:
        m = head["manifest"]
        if not (isinstance(m, dict) and isinstance(m.get("seal"), str) and isinstance(m.get("set"), dict)
                and all(isinstance(k, str) and count(v) for k, v in m["set"].items())):
            return False
    return sum(f[1] for f in files) + sum(p[1] for p in patches) + sum(a[2] for a in appends) == head["size"]


def _put_in_place(commit: _Commit, manifest: tuple[Path, bytes] | None = None, keep_in: Path | None = None) -> None:
    """One journal record's files and appends, as its commit would have left them (``manifest``:
    the manifest it wrote, rebuilt by :func:`_manifests`). ``keep_in``: the store's folder,
    where a file that differs from the record's is kept as its newest backup first, as its
    commit would have kept it (a record planted in the journal then never destroys the
    version it replaces: 'coordtui restore' puts it back)."""
    for final, payload in commit.files:
        if keep_in is not None and final.name != MANIFEST:
            try:
                if read_nofollow(final) != payload:
                    _rotate(keep_in, final)
            except OSError:
                pass  # missing, or not a file: nothing to keep
    for final, payload in [*commit.files, *([manifest] if manifest is not None else [])]:
        tmp = _write_tmp(final, payload)
        os.replace(tmp, final)
    for path, offset, payload in commit.appends:
        _append(path, offset, payload)


def _manifests(root: Path, records: list[_Commit]) -> list[tuple[Path, bytes] | None]:
    """For each record, the manifest its commit wrote where the record holds only its changes:
    the last whole manifest before it (the journal's base, or a record's own), with the changes
    of every record up to it, in name order, with the record's seal, as ``Seal.commit_bytes``
    wrote it. None where the record holds the whole manifest, or none, or no base parses."""
    path = Path(os.path.realpath(root)) / MANIFEST
    listed: dict[str, int] | None = None
    out: list[tuple[Path, bytes] | None] = []
    for commit in records:
        whole = next((payload for final, payload in commit.files if final == path), None)
        appended = [payload for final, _, payload in commit.appends if final == path]
        if whole is not None:
            body = manifest_body(whole)
            listed = dict(body["files"]) if body is not None else None
            out.append(None)
        elif appended:
            body = manifest_body(b"{\"files\":{}}" + bytes(appended[-1]))
            if listed is not None and body is not None:
                listed.update(body["files"])
            out.append(None)
        elif commit.manifest is not None and listed is not None:
            listed.update(commit.manifest[0])
            out.append((path, dump({"files": dict(sorted(listed.items())), "seal": commit.manifest[1]})))
        else:
            out.append(None)
    return out


def journal_manifest(root: Path) -> bytes | None:
    """The manifest (清单) as the commit journal's last whole record left it (its base, or a
    record's own, with the changes of the records after it), or None when the journal holds
    none. Under the lock, after ``recover``. Its seal is the caller's to check: a rebuilt
    manifest must list every file it lists, at least at its seq (else a file was deleted or
    put back to an earlier version since)."""
    raw = _read_journal(root)
    if raw is None:
        return None
    _, records, _ = _journal_records(root, root / WAL, raw)
    return _last_manifest(root, records, _manifests(root, records))


def _last_manifest(root: Path, records: list[_Commit], manifests: list[tuple[Path, bytes] | None]) -> bytes | None:
    path = Path(os.path.realpath(root)) / MANIFEST
    last: bytes | None = None
    for commit, rebuilt in zip(records, manifests):
        if rebuilt is not None:
            last = rebuilt[1]
        else:
            last = next((bytes(payload) for final, payload in commit.files if final == path), last)
        for final, offset, payload in commit.appends:
            if final == path:  # a line appended to it, at the length it started from
                last = last[:offset] + bytes(payload) if last is not None and len(last) >= offset else None
    return last


def _behind_the_store(root: Path, records: list[_Commit], manifests: list[tuple[Path, bytes] | None]) -> bool:
    """Whether the journal's last readable record is older than the manifest on disk (it lists
    a data file the record does not, or at a later seq). A commit's record is durable before
    any of its files is in place, so coordtui never leaves one so: bytes were put in the journal
    by hand before later records (replaying "the last record" would put an earlier commit back
    over them), or it was cut. Reads only the manifest; False when either cannot be read."""
    last = _last_manifest(root, records, manifests)
    try:
        journaled = (manifest_body(last) or {}).get("files") if last is not None else None
        on_disk = (manifest_body(read_nofollow(root / MANIFEST)) or {}).get("files")
    except OSError:
        return False
    if not isinstance(journaled, dict) or not isinstance(on_disk, dict):
        return False
    return any(type(seq) is int and not (type(journaled.get(rel)) is int and journaled[rel] >= seq) for rel, seq in on_disk.items())


def _sync_paths(paths: set[Path]) -> None:
    """fdatasync every file of ``paths`` that exists, then fsync their folders (the renames)."""
    for path in sorted(paths):
        try:
            fd = _open_regular(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)
    for folder in sorted({p.parent for p in paths}):
        _fsync_dir(folder)


def _read_journal(root: Path) -> bytes | None:
    """The journal's bytes up to its first hole: coordtui only appends to it, so a hole (a sparse
    file of many GiB costs its planter no disk) ends what can be a record, and is never read
    into memory."""
    try:
        with open(root / WAL, "rb", opener=_open_nofollow) as fh:
            return os.pread(fh.fileno(), _first_hole(fh.fileno()), 0) if hasattr(os, "SEEK_HOLE") else fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == 40:
            raise _refuse(root / WAL, str(root / WAL), "which is a symbolic link") from None
        planted = _not_a_file(root / WAL)
        if planted is not None:
            raise planted from None
        raise StoreError(f"{root / WAL}: cannot read the store's commit journal ({exc.strerror}): check its permissions",
                         message_zh=f"{root / WAL}：无法读取数据存储的提交日志（{os_reason(exc)}）：请检查其权限") from None


def _first_hole(fd: int) -> int:
    """Where the file's first hole starts (its size when it has none, or where that cannot be told)."""
    size = os.fstat(fd).st_size
    try:
        return min(os.lseek(fd, 0, os.SEEK_HOLE), size)
    except OSError:
        return size


def _checkpoint(root: Path, records: list[_Commit] | None = None) -> None:
    """Make every file the journal's records name durable, then empty the journal (its header
    names this boot). Under the lock."""
    if records is None:
        paths = _journal_paths(root)
    else:
        paths = ({path for commit in records for path, _ in commit.files} | {path for commit in records for path, _, _ in commit.appends}
                 | {path for commit in records for path, _ in commit.patches})
    _sync_paths(paths | {root / MANIFEST})
    tmp = root / f"{WAL}.{os.getpid()}{_TMP_SUFFIX}"
    _write_new(tmp, _journal_start(root, boot_id()), modes_at(root))
    os.replace(tmp, root / WAL)
    _fsync_dir(root)


def _journal_paths(root: Path) -> set[Path]:
    """The files the journal's records name, reading only each record's first line (a checkpoint
    of a 32 MiB journal read and parsed all of it: 0.3 s). Under the lock, after ``recover``:
    every record is whole; where one is not, the paths named up to it are returned."""
    journal = root / WAL
    paths: set[Path] = set()
    try:
        fd = _open_regular(journal, os.O_RDONLY)
    except FileNotFoundError:
        return paths
    try:
        size = _first_hole(fd) if hasattr(os, "SEEK_HOLE") else os.fstat(fd).st_size
        pos = len(os.pread(fd, 256, 0).split(b"\n", 1)[0]) + 1
        first = os.pread(fd, 256, pos)
        if first[:1] == b"B" and b"\n" in first:  # the base manifest: skipped by its length
            line = first.split(b"\n", 1)[0]
            try:
                pos += len(line) + 1 + int(orjson.loads(line[1:])["size"]) + 1
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                return paths
        while pos < size:
            chunk = os.pread(fd, 4096, pos)
            while b"\n" not in chunk and len(chunk) < min(size - pos, MAX_HEAD_LINE):
                more = os.pread(fd, 65536, pos + len(chunk))
                if not more:
                    break
                chunk += more
            line, found, _ = chunk.partition(b"\n")
            if not found or line[:1] != b"R":
                break
            try:
                head = orjson.loads(line[1:])
            except orjson.JSONDecodeError:
                break
            if not _record_head_ok(head):
                break
            paths.update(_journal_path(root, journal, rel, is_layout_file) for rel, _ in head["files"])
            paths.update(_journal_path(root, journal, rel, _is_data_file) for rel, _ in head.get("patches", ()))
            paths.update(_journal_path(root, journal, rel, _appendable) for rel, _, _ in head["appends"])
            pos += len(line) + 1 + head["size"] + 1
    finally:
        os.close(fd)
    return paths


def _recover_journal(root: Path) -> bool:
    """Finish what the commit journal holds and the files may not (see the module's docstring)."""
    marker = _markers(root)[0]
    pending = os.path.lexists(marker)
    try:
        fd = _open_regular(os.path.join(root, WAL), os.O_RDONLY)
    except FileNotFoundError:
        if pending:
            _unlink(marker)
        return pending
    except OSError as exc:
        raise _journal_unreadable(root / WAL, exc) from None
    try:
        header = _journal_header(boot_id())
        same_boot = os.pread(fd, len(header), 0) == header
    finally:
        os.close(fd)
    if same_boot and not pending:
        return False  # the common case: nothing to do
    journal = root / WAL
    raw = _read_journal(root) or b""
    _, records, end = _journal_records(root, journal, raw)
    manifests = _manifests(root, records)
    if _behind_the_store(root, records, manifests):
        raise StoreError(
            f"{journal}: its last readable record is older than the store's manifest (bytes were put in it outside coordtui): "
            f"nothing was replayed; move it aside (mv {journal} {journal.parent / 'journal.refused'}) and run "
            f"'coordtui verify --db {journal.parent}'",
            message_zh=f"{journal}：其最后一条可读记录比数据存储的清单旧（有人在 coordtui 之外向其中写入了内容），未执行任何恢复；"
                       f"请将其移走（mv {journal} {journal.parent / 'journal.refused'}），然后运行 coordtui verify")
    if same_boot:
        # A writer died with its commit half in place: only the last commit can be (every
        # earlier one finished before the next took the lock). Its record, if whole, goes in.
        for commit, manifest in list(zip(records, manifests))[-1:]:
            _put_in_place(commit, manifest, Path(os.path.realpath(root)))
        if end < len(raw):
            with open(journal, "r+b", opener=_open_nofollow) as fh:
                fh.truncate(end)
    else:
        # Written before this boot: any of it may not have reached the disk. All of it goes in
        # again, in order (each record whole files and appends at their offsets, so the last
        # state wins), then it is made durable and the journal emptied.
        for commit, manifest in zip(records, manifests):
            _put_in_place(commit, manifest)
        _checkpoint(root, records)
    for commit in records[-1:] if same_boot else records:
        for final, _ in commit.files:
            for tmp in final.parent.glob(f"{glob.escape(final.name)}.*{_TMP_SUFFIX}"):
                tmp.unlink(missing_ok=True)
    _unlink(root / PENDING)
    return True


def remove_stale_temp_files(root: Path) -> int:
    """Remove the temporary files of commits that died before their journal was written
    (a killed process leaves them; nothing refers to them). Call under the store lock, after
    ``recover``: then no commit is in progress and none is pending. Returns how many."""
    # One scandir per folder, the names looked at as text (pathlib's rglob built a Path for each
    # of the 171,000 files of a 1,000,000-record store: a quarter of a second of every open), and
    # never through a link: a folder linked into the store is not the store's to clean.
    removed = 0
    folders = [os.fspath(root)]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        with entries:
            for entry in entries:
                if entry.name.endswith(_TMP_SUFFIX):
                    if entry.is_file(follow_symlinks=False):
                        try:
                            os.unlink(entry.path)
                        except FileNotFoundError:
                            continue
                        removed += 1
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
    return removed


def _refuse(journal: Path, named: str, why: str) -> StoreError:
    return StoreError(
        f"{journal}: the journal names {named}, {why}: nothing was replayed; someone may have planted it: move it aside "
        f"(mv {journal} {journal.parent / 'journal.refused'}) and run 'coordtui verify --db {journal.parent}'",
        message_zh=f"{journal}：日志文件指向 {named}（{why}），未执行任何恢复；可能有人伪造了它：请将其移走，然后运行 coordtui verify")


def _journal_path(root: Path, journal: Path, named: Any, allowed) -> Path:
    """The store file a journal entry names, if it is one of the store's own (else StoreError)."""
    if not isinstance(named, str) or not named or "\x00" in named:
        raise _refuse(journal, repr(named), "which is not a path")
    real_root = Path(os.path.realpath(root))
    candidate = Path(named)
    if candidate.is_absolute():
        for base in (Path(os.path.abspath(root)), real_root):
            try:
                candidate = candidate.relative_to(base)
                break
            except ValueError:
                continue
        else:
            raise _refuse(journal, named, "which is outside the store")
    rel = candidate.as_posix()
    if ".." in candidate.parts or not allowed(rel):
        raise _refuse(journal, named, "which is not one of the store's own files")
    path = real_root / candidate
    p = real_root
    for part in candidate.parts:
        p = p / part
        try:
            if stat.S_ISLNK(os.lstat(p).st_mode):
                raise _refuse(journal, named, f"and {p} is a symbolic link")
        except FileNotFoundError:
            break
    return path


def _is_tmp_of(rel: str, final_rel: str) -> bool:
    return rel.startswith(final_rel + ".") and rel.endswith(_TMP_SUFFIX) and rel[len(final_rel) + 1:-len(_TMP_SUFFIX)].isdigit()


def _replay_plan(root: Path, journal: Path, body: Any) -> tuple[list[tuple[Path, Path]], list[tuple[Path, int, bytes]]]:
    """Every rename and append of the journal, checked before any of it is done."""
    if not isinstance(body, dict) or not isinstance(body.get("files"), list) or not isinstance(body.get("appends", []), list):
        raise ValueError("not a journal")
    renames = []
    for pair in body["files"]:
        if not isinstance(pair, list) or len(pair) != 2:
            raise _refuse(journal, repr(pair), "which is not a rename")
        final = _journal_path(root, journal, pair[1], is_layout_file)
        final_rel = final.relative_to(os.path.realpath(root)).as_posix()
        tmp = _journal_path(root, journal, pair[0], lambda rel: _is_tmp_of(rel, final_rel))
        renames.append((tmp, final))
    appends = []
    for item in body.get("appends", []):
        if (not isinstance(item, list) or len(item) != 3 or not isinstance(item[1], int) or isinstance(item[1], bool)
                or item[1] < 0 or not isinstance(item[2], str)):
            raise _refuse(journal, repr(item)[:80], "which is not an append")
        appends.append((_journal_path(root, journal, item[0], is_layout_log), item[1], item[2].encode("utf-8")))
    return renames, appends


def recover(root: Path) -> bool:
    """Finish a commit that a crash interrupted (see the module's docstring). Call under the store lock.

    Only the store's own files are ever touched: a journal naming anything else (a path
    outside the folder, a symbolic link, a name not of the store's layout) is refused whole
    with a StoreError, and nothing of it is replayed. Returns True when something was recovered.
    """
    try:
        old = _recover_old_journal(root)
        return _recover_journal(root) or old
    except OSError as exc:  # the disk full, a file made read-only: the journal still holds it all
        raise StoreError(f"{root}: cannot finish the last save ({exc.strerror or exc}): free disk space or check permissions; "
                         "nothing is lost: it is finished when the store is next opened",
                         message_zh=f"{root}：无法完成上一次保存（{os_reason(exc)}）：请释放磁盘空间或检查权限；"
                                    "没有丢失任何内容：下次打开数据存储时会自动完成") from None


def _recover_old_journal(root: Path) -> bool:
    """Finish a multi-file commit of the design before the commit journal (``journal.json``
    naming fsynced temporary files to rename and appends to redo), then make it durable."""
    if not os.path.lexists(_markers(root)[1]):
        return False
    journal = root / JOURNAL
    try:
        raw = read_nofollow(journal)
    except OSError as exc:
        raise _journal_unreadable(journal, exc) from None
    try:
        renames, appends = _replay_plan(root, journal, orjson.loads(raw))
    except (orjson.JSONDecodeError, ValueError):
        # The journal itself was not complete: no rename had started, so roll back.
        for tmp in [*root.glob(f"*{_TMP_SUFFIX}"), *root.glob(f"data/*/*{_TMP_SUFFIX}")]:
            tmp.unlink(missing_ok=True)
        journal.unlink(missing_ok=True)
        return True
    for tmp, final in renames:
        if os.path.lexists(tmp):
            os.replace(tmp, final)
    for path, offset, payload in appends:
        _append(path, offset, payload)
    _sync_paths({final for _, final in renames} | {path for path, _, _ in appends})
    journal.unlink(missing_ok=True)
    _fsync_dir(root)
    return True


def commit_pending(root: Path) -> bool:
    """Whether a commit is being put in place (or its writer died in the middle): a reader
    that sees one takes the lock, which waits for it or finishes it."""
    names = _markers(root)
    return os.path.lexists(names[0]) or os.path.lexists(names[1])


def _markers(root: Path) -> tuple[str, str]:
    """The names of ``root``'s ``journal.pending`` and ``journal.json``, joined once per process
    (asked before and after every file a reader reads, and by every commit)."""
    names = _MARKERS.get(root)
    if names is None:
        # (spelt as pathlib spells them: the names the messages about them show)
        names = _MARKERS[root] = (os.fspath(Path(root) / PENDING), os.fspath(Path(root) / JOURNAL))
    return names


#: Store root -> the paths of its commit's markers, for commit_pending.
_MARKERS: dict[Any, tuple[str, str]] = {}


def recovery_needed(root: Path) -> bool:
    """Whether opening the store now would have :func:`recover` do anything: a commit pending (or
    of the design before the journal), or a journal written before this boot. Read without the
    lock, as what a reader that serves without opening the store (store/outcache.py) must take
    the ordinary way for; an unreadable journal counts as needing it (the ordinary way says why)."""
    if commit_pending(root):
        return True
    try:
        fd = _open_regular(root / WAL, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        header = _journal_header(boot_id())
        return os.pread(fd, len(header), 0) != header
    finally:
        os.close(fd)
