"""File primitives of the store: stat-validated reads, atomic multi-file commits.

Why not TinyDB's JSONStorage: it writes in place and truncates afterwards, so a crash
mid-write leaves a broken file, and it re-parses the whole file on every read. Here a
file is parsed once and reused while its (inode, mtime, size) is unchanged, and every
commit writes temporary files, fsyncs them and renames them into place; a commit that
spans several files goes through a journal so that it lands whole or not at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from coordtui.errors import StoreError

JOURNAL = "journal.json"
_TMP_SUFFIX = ".coordtui-tmp"
BACKUPS = "backups"
#: How many earlier versions of each store file are kept (hard links: no copy is written).
KEEP = 3


@dataclass
class _Cached:
    signature: tuple[int, ...]
    data: dict[str, Any]
    raw: bytes | None = None  # the bytes parsed, kept where a fresh read compares against them


#: The log beside a data file (``2026-03.json`` -> ``2026-03.history.jsonl``); see store.history_path.
_LOG_SUFFIX = ".history.jsonl"


def _log_size(path: Path) -> int:
    """The size of the append-only history log beside ``path`` (-1 where it has none).

    A log only ever grows, and every commit that rewrites a data file appends to its log, so
    its size is a change counter that no recycled inode or coarse timestamp can fool.
    """
    if not path.name.endswith(".json") or path.name == "meta.json":
        return -1
    try:
        return os.stat(path.with_name(path.name[: -len(".json")] + _LOG_SUFFIX)).st_size
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
        try:
            st = path.stat()
        except FileNotFoundError:
            self._files.pop(path, None)
            return None, {}
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the store file ({exc.strerror}): check its permissions") from None
        cached = self._files.get(path)
        if cached is not None and cached.signature == _signature(st, path):
            return cached.signature, cached.data
        signature, raw = self._read_raw(path)
        if raw is None:
            return None, {}
        data = parse_store_file(path, raw)
        if keep or path in self._files:  # a file someone reads raw stays cached, fresh
            self._files[path] = _Cached(signature, data)
        return signature, data

    def read_fresh(self, path: Path) -> dict[str, Any]:
        """The content of ``path`` as it is on disk now, whatever its signature says.

        For the state a save builds on, under the store lock: the bytes are always read
        (a month file is small) and parsed again only when they differ from what is cached.
        """
        signature, raw = self._read_raw(path)
        if raw is None:
            return {}
        cached = self._files.get(path)
        if cached is not None and cached.raw == raw:
            cached.signature = signature
            return cached.data
        data = parse_store_file(path, raw)
        self._files[path] = _Cached(signature, data, raw)
        return data

    def _read_raw(self, path: Path) -> tuple[tuple[int, ...] | None, bytes | None]:
        try:
            with open(path, "rb") as fh:
                # fstat the handle we read, so content and signature belong together.
                signature = _signature(os.fstat(fh.fileno()), path)
                raw = fh.read()
        except FileNotFoundError:
            self._files.pop(path, None)
            return None, None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the store file ({exc.strerror}): check its permissions") from None
        return signature, raw

    def remember(self, path: Path, data: dict[str, Any], raw: bytes | None = None) -> None:
        """Keep ``data`` (serialized as ``raw``) as the content just written to ``path``."""
        try:
            self._files[path] = _Cached(_signature(path.stat(), path), data, raw)
        except OSError:
            self._files.pop(path, None)

    def forget(self, path: Path | None = None) -> None:
        if path is None:
            self._files.clear()
        else:
            self._files.pop(path, None)


def _store_root(path: Path) -> Path | None:
    for parent in path.parents:
        if (parent / "meta.json").exists() and parent != path:
            return parent
    return None


def backup_paths(root: Path, path: Path) -> list[Path]:
    """The kept earlier versions of ``path``, newest first."""
    base = root / BACKUPS / path.relative_to(root)
    return [base.with_name(f"{base.name}.{n}") for n in range(1, KEEP + 1) if base.with_name(f"{base.name}.{n}").exists()]


def newest_good_backup(root: Path, path: Path) -> Path | None:
    for candidate in backup_paths(root, path):
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        if _parse(path, raw)[1] is None:
            return candidate
    return None


def _unreadable(path: Path, why: str) -> StoreError:
    root = _store_root(path)
    backup = newest_good_backup(root, path) if root else None
    if backup is not None:
        from datetime import datetime

        when = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        hint = f"the newest good backup is {backup} ({when}): restore it with 'coordtui restore --db {root} {path.relative_to(root)}'"
    else:
        hint = "no backup of it is kept: move it away, or restore the folder from your own backup"
    return StoreError(f"{path}: {why}: {hint}")


def parse_store_file(path: Path, raw: bytes) -> dict[str, Any]:
    data, problem = _parse(path, raw)
    if problem is not None:
        raise _unreadable(path, problem)
    return data


def _parse(path: Path, raw: bytes) -> tuple[dict[str, Any], str | None]:
    """(content, None), or ({}, what is wrong with it): its JSON, and its shape (tables of records by id)."""
    if not raw.strip():
        return {}, "the store file is empty (a crash or another program emptied it)"
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return {}, f"the store file is unreadable ({exc})"
    if not isinstance(data, dict):
        return {}, "this is not a coordtui store file (expected an object of tables)"
    if path.name != "meta.json":
        for name, table in data.items():
            if not isinstance(table, dict):
                return {}, f"its table '{_shown(name)}' holds {_json_type(table)}, not records by id (edited by hand?)"
            for key, doc in table.items():
                if not isinstance(doc, dict):
                    return {}, f"its table '{_shown(name)}' holds {_json_type(doc)} under '{_shown(key)}', not a record (edited by hand?)"
    return data, None


def _json_type(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false", type(None): "null"}.get(type(value), "a value")


def _shown(text: str) -> str:
    """User-supplied text in a one-line message: control characters escaped, length bounded."""
    escaped = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    return escaped if len(escaped) <= 60 else escaped[:57] + "..."


def _rotate(root: Path, final: Path) -> None:
    """Keep the version about to be replaced: backups/<file>.1 is the newest, .KEEP the oldest."""
    if not final.exists() or root not in final.parents:
        return
    base = root / BACKUPS / final.relative_to(root)
    base.parent.mkdir(parents=True, exist_ok=True)
    for n in range(KEEP - 1, 0, -1):
        older = base.with_name(f"{base.name}.{n}")
        if older.exists():
            os.replace(older, base.with_name(f"{base.name}.{n + 1}"))
    newest = base.with_name(f"{base.name}.1")
    try:
        os.link(final, newest)
    except OSError:  # a file system without hard links: copy instead
        newest.write_bytes(final.read_bytes())


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


def _write_tmp(final: Path, payload: bytes) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f"{final.name}.{os.getpid()}{_TMP_SUFFIX}")
    with open(tmp, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def _append(path: Path, offset: int, payload: bytes) -> None:
    """Make ``path`` its first ``offset`` bytes followed by ``payload`` (repeatable: recovery redoes it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def commit_files(root: Path, files: dict[Path, bytes], appends: dict[Path, bytes] | None = None) -> None:
    """Write every file in ``files`` and append to every log in ``appends``, all of it or none.

    Files are replaced whole (temp file, fsync, rename); logs grow at their end. When more
    than one file or log changes, a journal naming every rename and every append (with the
    log's length before it) is written first, so that ``recover`` can finish the commit
    after a crash. Raises StoreError (with the previous state intact) if the disk refuses.
    """
    appends = {path: payload for path, payload in (appends or {}).items() if payload}
    written: list[tuple[Path, Path]] = []
    grown: list[tuple[Path, int, bytes]] = [(path, _size(path), payload) for path, payload in appends.items()]
    journal = root / JOURNAL
    journaled = len(files) + len(grown) > 1
    try:
        for final, payload in files.items():
            written.append((_write_tmp(final, payload), final))
        if journaled:
            body = {"files": [[str(t), str(f)] for t, f in written],
                    "appends": [[str(p), offset, payload.decode("utf-8")] for p, offset, payload in grown]}
            tmp_journal = _write_tmp(journal, dump(body))
            os.replace(tmp_journal, journal)
            _fsync_dir(root)
    except OSError as exc:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise StoreError(f"{root}: cannot save ({exc.strerror or exc}); nothing was changed: free disk space or check permissions") from None
    for tmp, final in written:
        try:
            _rotate(root, final)
        except OSError:
            pass  # a backup that cannot be kept must not stop the save
        os.replace(tmp, final)
    try:
        for path, offset, payload in grown:
            _append(path, offset, payload)
    except OSError as exc:
        # The files are in place and the journal holds the rest: the next writer finishes it.
        raise StoreError(f"{root}: the change is saved but its history could not be written yet ({exc.strerror or exc}): "
                         "free disk space; it is completed on the next save") from None
    for parent in {f.parent for _, f in written} | {p.parent for p, _, _ in grown if not written}:
        _fsync_dir(parent)
    if journaled:
        journal.unlink(missing_ok=True)
        _fsync_dir(root)


def remove_stale_temp_files(root: Path) -> int:
    """Remove the temporary files of commits that died before their journal was written
    (a killed process leaves them; nothing refers to them). Call under the store lock, after
    ``recover``: then no commit is in progress and none is pending. Returns how many."""
    removed = 0
    for tmp in root.rglob(f"*{_TMP_SUFFIX}"):
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def recover(root: Path) -> bool:
    """Finish a multi-file commit that a crash interrupted. Call under the store lock.

    Returns True when something was recovered.
    """
    journal = root / JOURNAL
    if not journal.exists():
        return False
    try:
        body = orjson.loads(journal.read_bytes())
        pairs = body["files"]
    except (orjson.JSONDecodeError, KeyError, TypeError, OSError):
        # The journal itself was not complete: no rename had started, so roll back.
        for tmp in root.rglob(f"*{_TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
        journal.unlink(missing_ok=True)
        return True
    for tmp, final in pairs:
        if Path(tmp).exists():
            os.replace(tmp, final)
    for path, offset, payload in body.get("appends", []):
        _append(Path(path), offset, payload.encode("utf-8"))
    journal.unlink(missing_ok=True)
    _fsync_dir(root)
    return True
