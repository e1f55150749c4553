"""The store (数据存储): TinyDB files behind one small interface.

Layout of a store folder::

    meta.json                          format and schema version
    orgs.json                          the organizations (TinyDB: table "org")
    data/<org>/structure.json          an organization's structural records (units, groups ...)
    data/<org>/<month>.json            its dated records of one month (2026-03)
    <any of these>.history.jsonl       the file's history log, one change per line
    manifest.json                      the sealed list of the data files (see seal.py)
    cache/verified.json                disposable: what verifying each file found (seal.VerifiedCache)
    cache/check/<org>/<as-of>.json     disposable: an organization's findings on a day (store.results)
    .lock                              the cross-process write lock

The folder is 0700 and every file 0600 (a group store's 2770 and 0660), whatever the
umask; store files are never read or written through a symbolic link.

Each data file is a TinyDB database with one table per kind. Beside it, an append-only
log holds its history, entries chained by hash. Partitioning keeps the cost of a write
proportional to one organization's month, not to the whole history; keeping the
history in its own log means a write appends to it instead of rewriting it, and reading
records never loads it.

Guarantees (see ARCHITECTURE.md for the failures of stock TinyDB that motivate them):
writes are serialized across processes by a file lock and re-read fresh state under
it; every commit is atomic and durable (one record of the commit journal, fsynced once,
then each file put in place by temp file and rename: see ``files.py``); every
document carries a revision, and a write based on a stale revision raises
:class:`ConflictError`; every change is recorded with who, when, before and after.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import pwd
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from coordtui.domain.clock import utc_now
from coordtui.errors import ConflictError, StoreError
from coordtui.i18n import os_reason
from coordtui.store.files import (
    FileCache,
    commit_files,
    commit_pending,
    dump,
    is_layout_file,
    journal_state,
    line_prefix,
    make_patch,
    patch_of_saves,
    modes_at,
    needs_compaction,
    parse_store_file,
    read_nofollow,
    recover,
    remove_stale_temp_files,
)
from coordtui.store.lock import LockTimeout, StoreLock
from coordtui.store.seal import HEAD, HISTORY_SUFFIX, Seal, entry_hash, history_path, instant, new_store_files, prepare_folder, read_log
from coordtui.store.results import SealedCache
from coordtui.store.seal import MANIFEST, VerifiedCache, keep_group, restore_file, upgrade, well_formed

SCHEMA_VERSION = 6
FORMAT = "coordtui-store"
STRUCTURE = "structure"
HISTORY = "_history"
ORG_TABLE = "org"
PEOPLE_TABLE = "person"
#: In ``people.json``: what reminders were sent (see :class:`PutSent`).
SENT_TABLE = "sent"
#: In each data file: ``kind/id`` -> the last revision of a record deleted from it. A record
#: deleted and created again with the same id goes on from there, so a revision never
#: repeats for an id and a form opened before the delete meets a conflict.
TOMBSTONES = "_tombstones"
#: In each data file: which record holds which attached file (see ``coordtui.attachments``), a
#: table of the store's own: hidden from kinds and queries, found through the index like records.
ATTACHMENTS = "_attachments"
META_KEYS = ("_rev", "_at", "_by")

# HISTORY_SUFFIX and history_path moved to seal.py with the rest of the history's format; imported above for callers.


def _history_out_of_data_files(root: Path) -> None:
    """Schema 1 -> 2: each file's ``_history`` table moves to its own append-only log.

    A write no longer rewrites the history, and reading records no longer loads it. Each
    file moves in one journaled commit, so an interrupted migration resumes where it stopped.
    """
    for path in [root / "orgs.json", *sorted((root / "data").glob("*/*.json"))]:
        if not path.exists():
            continue
        data = parse_store_file(path, path.read_bytes())
        if HISTORY not in data:
            continue
        entries = list(data.pop(HISTORY).values())
        log = b"".join(dump(e) + b"\n" for e in entries)
        commit_files(root, {path: dump(data)}, {history_path(path): log})


def _commit_journal(root: Path) -> None:
    """Schema 3 -> 4: commits go through the commit journal (``journal.wal``, see files.py).

    Nothing in the files changes (the older design's ``journal.json`` is finished when the
    store opens, before any migration). The version says it so that an older coordtui, which
    knows nothing of ``journal.wal`` and ``journal.pending``, refuses the store ("written by a
    newer coordtui") rather than read a commit a crash left half in place, or write beside a
    journal whose replay after a power cut would put its own older files back over it."""


def _patched_journal(root: Path) -> None:
    """Schema 4 -> 5: the commit journal may hold a data file's change as a patch of its last whole
    version there (files.make_patch) instead of the whole file.

    Nothing in the files changes. The version says it so that an older coordtui, which reads
    such a record as one a crash cut short, refuses the store ("written by a newer coordtui")
    rather than replay its journal without the commits from that record on after a power cut."""


def _appended_saves(root: Path) -> None:
    """Schema 5 -> 6: a save into a data file may append one line to it (the records it saved,
    moved or deleted and the file's new sealed head, chained from the one before: see
    files.line_bytes and Seal.check_head) instead of writing it whole.

    Nothing in the files changes: each is its first line. The version says it so that an older
    coordtui, which would read a file with appended lines as unreadable (and its head as
    rewritten outside coordtui), refuses the store ("written by a newer coordtui") instead."""


#: Schema migrations: version N -> function(store root) upgrading it to N+1.
MIGRATIONS: dict[int, Any] = {1: _history_out_of_data_files, 2: upgrade, 3: _commit_journal, 4: _patched_journal,
                              5: _appended_saves}


class _StrTable(Table):
    """A TinyDB table keyed by our own string ids (never TinyDB's per-process counter)."""

    document_id_class = str


class _StagedStorage(Storage):
    """TinyDB storage over the store's file cache; writes are staged until the commit."""

    def __init__(self, path: Path, cache: FileCache, stage: dict[Path, dict] | None) -> None:
        self.path = path
        self.cache = cache
        self.stage = stage

    def read(self) -> dict | None:
        if self.stage is not None and self.path in self.stage:
            return self.stage[self.path]
        # Under the lock: the file as it is on disk, never a cached copy that only looks current.
        # A shallow copy: TinyDB replaces whole tables on update, never mutating them in place
        # as long as we never call update/upsert, so the cached tables stay intact.
        return dict(self.cache.read_fresh(self.path))

    def write(self, data: dict) -> None:
        if self.stage is None:
            raise StoreError("internal: write outside a transaction")
        self.stage[self.path] = data

    def close(self) -> None:
        pass


def _db(path: Path, cache: FileCache, stage: dict[Path, dict] | None = None) -> TinyDB:
    db = TinyDB(path, cache, stage, storage=_StagedStorage)
    db.table_class = _StrTable
    return db


def _table(db: TinyDB, name: str) -> Table:
    return db.table(name, cache_size=0)


def current_user() -> str:
    """The OS account this process runs as, from the kernel (never ``$LOGNAME`` or ``$USER``)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # no passwd entry (containers): the uid stands for it
        return f"uid{os.geteuid()}"


def _now() -> str:
    """Stored times are UTC (``2026-03-06T19:07:08Z``): they sort by instant whoever wrote them;
    the interface shows them in the office's time zone."""
    return utc_now()


_hash = entry_hash


def _parses(path: Path) -> bool:
    """Whether ``path`` exists and reads as a store file of the right shape."""
    try:
        parse_store_file(path, read_nofollow(path))
        return True
    except FileNotFoundError:
        return False
    except (StoreError, OSError):
        return False


def _intact_versions(seal: Any, path: Path, key: bytes) -> Iterator[dict[str, Any]]:
    """The versions of the data file ``path`` that its own lines still hold, newest first: each run
    of its lines from the first up to (not including) a later one, whose sealed chain verifies
    with ``key`` (see Seal.check_head). The whole file is not among them (the caller checked it),
    but it is first without the blank lines put in it (coordtui writes none: they hold nothing)."""
    try:
        raw = read_nofollow(path)
    except OSError:
        return
    parts = raw.split(b"\n")
    unblank = b"\n".join(parts[:1] + [line for line in parts[1:] if line.strip()])
    if unblank != raw:
        try:
            data = parse_store_file(path, unblank)
        except StoreError:
            data = None
        if data is not None and not seal.check_head(path, unblank, data, key)[1]:
            yield data
    ends: list[int] = []
    at = raw.find(b"\n")
    while at >= 0:
        ends.append(at)
        at = raw.find(b"\n", at + 1)
    for end in reversed(ends):
        version = raw[:end]
        try:
            data = parse_store_file(path, version)
        except StoreError:
            continue
        if not seal.check_head(path, version, data, key)[1]:
            yield data


def _unencodable(root: Path, exc: Exception) -> StoreError:
    return StoreError(f"{root}: cannot save ({exc}; numbers must fit in 64 bits): nothing was changed")


def _colliding_key(value: Any) -> str | None:
    """The first key of ``value`` (a record, searched through its nested objects and lists) that
    another key of the same object becomes once keys are made text, as the store writes them
    (``{1: "a", "1": "b"}``: both "1"); None when there is none."""
    if isinstance(value, dict):
        seen: set[str] = set()
        for k in value:
            text = k if isinstance(k, str) else next(iter(orjson.loads(orjson.dumps({k: 0}, option=orjson.OPT_NON_STR_KEYS))))
            if text in seen:
                return text
            seen.add(text)
        values: Iterable[Any] = value.values()
    elif isinstance(value, (list, tuple)):
        values = value
    else:
        return None
    for v in values:
        found = _colliding_key(v)
        if found is not None:
            return found
    return None


def _refuse_colliding_keys(what: str, data: Any) -> None:
    """StoreError (nothing saved) for a record two of whose keys are one once made text: its file
    would hold one of them, its history hash the other's place (and a replay refuse the journal)."""
    try:
        orjson.dumps(data)  # (without OPT_NON_STR_KEYS: fails only where some key is not text)
        return
    except orjson.JSONEncodeError:
        pass
    key = _colliding_key(data)
    if key is not None:
        shown = key if len(key) <= 40 else key[:37] + "..."
        raise StoreError(f"{what}: two of its keys are both '{shown}' once written as text (one a number or another value, "
                         "one text): nothing was saved; give them different names",
                         message_zh=f"{what}：其中两个键写成文本后都是“{shown}”（一个是数字或其他值，一个是文本）：未保存任何内容；请给它们不同的名称")


def _bury(tombstones: Table, key: str, rev: int) -> None:
    """Remember the last revision of a deleted record (see TOMBSTONES)."""
    buried = tombstones.get(doc_id=key)
    if buried is not None:
        if int(buried["_rev"]) >= rev:
            return
        tombstones.remove(doc_ids=[key])
    tombstones.insert(Document({"_rev": rev}, doc_id=key))


def _bury_in(tombstones: dict[str, Any], key: str, rev: int) -> None:
    """:func:`_bury` on a staged table of tombstones (a plain dict)."""
    buried = tombstones.get(key)
    if buried is not None:
        if int(buried["_rev"]) >= rev:
            return
        del tombstones[key]
    tombstones[key] = {"_rev": rev}


def strip_meta(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without the store's own keys (``_rev``, ``_at``, ``_by`` ...)."""
    return {k: v for k, v in doc.items() if k[:1] != "_"}


# operations -----------------------------------------------------------------

ANY_REV = None


@dataclass
class Put:
    """Create or replace a record. ``rev``: None = whatever is there (import), 0 = must be new, n = must be at n."""

    org: str
    kind: str
    id: str
    data: dict[str, Any]
    part: str = STRUCTURE
    rev: int | None = ANY_REV


@dataclass
class Delete:
    org: str
    kind: str
    id: str
    rev: int | None = ANY_REV


@dataclass
class PutOrg:
    data: dict[str, Any]
    rev: int | None = ANY_REV


@dataclass
class PutPerson:
    """Create or replace a person (人员) in ``people.json``, keyed by ``data["name"]``."""

    data: dict[str, Any]
    rev: int | None = ANY_REV


@dataclass
class DeletePerson:
    name: str
    rev: int | None = ANY_REV


@dataclass
class Refused:
    """Keep a refused action in the history (op ``refused``, in ``people.json``'s log); no data changes.

    ``kind``/``id`` name what was attempted ("-" for the organization itself), ``message``
    the refusal as the person was told it."""

    org: str
    kind: str
    id: str
    message: str


class ContentCheck(Protocol):
    """What the layer that knows the models tells the store about a data file's content."""

    def problem(self, path: Path, data: dict[str, Any]) -> str | None:
        """The first record of ``data`` (kind -> id -> document) that does not fit its model, or None."""

    def advice(self, path: Path, lang: str = "en") -> str:
        """What to do about a file holding such a record (a backup that fits, or how to correct it), in ``lang``."""

    # Optional: ``basis(path) -> object``, what the verdict on ``path`` depends on besides its content
    # (the application's: the organization's model, kept in orgs.json). A save trusts an earlier
    # verdict on a file only while its basis compares equal (see Store._check_content); a check
    # without one is trusted while the content is the same.


@dataclass
class PutSent:
    """Keep what a reminder (到期提醒) delivered, or failed to deliver, in ``people.json``'s
    ``sent`` table under ``key`` (``day/person/channel``), with a history entry (op ``sent``):
    a second ``coordtui remind`` on the same day reads it and sends nothing new."""

    key: str
    data: dict[str, Any]


@dataclass
class _Txn:
    stage: dict[Path, dict] = field(default_factory=dict)
    dbs: dict[Path, TinyDB] = field(default_factory=dict)
    history: dict[Path, list[dict]] = field(default_factory=dict)  # data file -> entries for its log
    #: data file -> (seq, hash, unsealed) its chain goes on from, where its own head is not to be read
    tails: dict[Path, tuple[int, str, int]] = field(default_factory=dict)
    #: org -> where its records are (read under the lock, once per transaction), see :class:`_IdIndex`
    where: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    #: data file -> tables this transaction has copied and may change in place
    owned: dict[Path, set[str]] = field(default_factory=dict)
    #: org -> its folder (checked for links once per transaction)
    dirs: dict[str, Path] = field(default_factory=dict)
    #: org -> ``kind/id`` -> the partitions this transaction filed it in
    placed: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    #: data file -> the (kind, id) whose record or tombstone this transaction changed in it: what
    #: the id index learns from the commit instead of reading the file again (see :meth:`Store._learn`)
    touched: dict[Path, set[tuple[str, str]]] = field(default_factory=dict)
    #: data file -> its content as read from disk when first staged: what the commit journal's
    #: patch of the file is made against (see :meth:`Store._patches`)
    bases: dict[Path, dict] = field(default_factory=dict)
    #: data file -> the basis of the content check's verdict (see :class:`ContentCheck`), for the files
    #: whose new content it found fitting, every record of it
    fits: dict[Path, object] = field(default_factory=dict)
    #: the data files whose content check looked at the changed records alone (see :meth:`Store._check_content`)
    shortcut: set[Path] = field(default_factory=set)
    #: whether no commit was made since this process's last (see :meth:`Store._quiet`), once asked
    quiet: bool | None = None
    #: the commit journal's state (files.journal_state) under this lock, once asked: no other
    #: process commits while the lock is held, so it is the same until this transaction commits
    journal: tuple[int, ...] | None | bool = False
    #: data file -> (seq, hash, unsealed) of its verified head (Seal.tail), read under this lock for
    #: the transaction's first entry of it: what the commit chains from too (not read again)
    heads: dict[Path, tuple[int, str, int]] = field(default_factory=dict)
    #: data file -> its content read fresh under this lock (files.FileCache.read_fresh), once per
    #: transaction: where the record is looked for and what its table is copied from are the same read
    fresh: dict[Path, dict] = field(default_factory=dict)


class _IdIndex:
    """Where an organization's records are: ``kind/id`` -> the partitions whose file holds the
    record or its tombstone, so that a get or a save reads one or two partitions instead of
    searching every one.

    The files stay the source of truth: each partition's contribution is kept with the file
    signature it was read at (see ``files._signature``: inode, mtime, size, ctime and the size
    of its log, which every commit appends to) and read again whenever that signature changes,
    so a record another process moved, added or deleted is found where it is now. A partition
    that appeared or vanished is seen in the folder's listing, read on every use.
    """

    def __init__(self) -> None:
        self.parts: dict[str, tuple[tuple[int, ...] | None, set[str]]] = {}
        self.where: dict[str, set[str]] = {}
        #: The commit journal's state (files.journal_state) right after this process's commit that
        #: last brought the whole index up to date under the lock; None when it is not known to be.
        self.token: tuple[int, ...] | None = None

    def refresh(self, listed: list[str], signature: Callable[[str], tuple[int, ...] | None],
                read: Callable[[str], tuple[tuple[int, ...] | None, dict[str, Any]]]) -> dict[str, set[str]]:
        """Bring the index up to the partitions ``listed`` now; returns ``where``."""
        self.token = None
        now = set(listed)
        for part in [p for p in self.parts if p not in now]:
            self._drop(part)
        for part in listed:
            kept = self.parts.get(part)
            if kept is not None and kept[0] is not None and kept[0] == signature(part):
                continue
            sig, data = read(part)
            self._drop(part)
            keys = set(_keys(data))
            self.parts[part] = (sig, keys)
            for key in keys:
                self.where.setdefault(key, set()).add(part)
        return self.where

    def learn(self, part: str, signature: tuple[int, ...] | None, present: dict[str, bool]) -> None:
        """The partition was just written (at ``signature``) by this process, from the content the
        index held for it: ``present`` says, for each key the write changed, whether the file
        still holds it. The file need not be read again."""
        keys = self.parts[part][1] if part in self.parts else set()
        for key, here in present.items():
            if here:
                keys.add(key)
                self.where.setdefault(key, set()).add(part)
            else:
                keys.discard(key)
                places = self.where.get(key)
                if places is not None:
                    places.discard(part)
                    if not places:
                        del self.where[key]
        self.parts[part] = (signature, keys)

    def _drop(self, part: str) -> None:
        self.token = None
        kept = self.parts.pop(part, None)
        if kept is None:
            return
        for key in kept[1]:
            places = self.where.get(key)
            if places is not None:
                places.discard(part)
                if not places:
                    del self.where[key]


def _keys(data: dict[str, Any]) -> Iterator[str]:
    """``kind/id`` of every record and tombstone of a data file's content."""
    for name, table in data.items():
        if not isinstance(table, dict):
            continue
        if name == TOMBSTONES:
            yield from table
        elif name == ATTACHMENTS or not name.startswith("_"):
            for rid in table:
                yield f"{name}/{rid}"


class Store:
    """One store folder. Cheap to create; several may be open on one folder in several processes."""

    def __init__(self, root: Path | str, *, user: str | None = None, create: bool = False, lock_timeout: float = 15.0,
                 group: str | None = None) -> None:
        """``group``: when creating, make a group store (setgid folders 2770, files 0660, owned by ``group``)."""
        self.root = Path(root).expanduser()
        self.user = user or current_user()
        self.lock_timeout = lock_timeout
        self._cache = FileCache()
        self._seal = Seal(self.root)
        self._people_checked: tuple[bytes, dict[str, Any]] | None = None
        self._lock = StoreLock(self.root, lock_timeout, mode=modes_at(self.root).file)
        #: Whether a data file's content fits the models (see :class:`ContentCheck`): the store
        #: knows only shapes; the workspace, which knows the models, sets this.
        self.content_check: ContentCheck | None = None
        self._index: dict[str, _IdIndex] = {}
        #: the commit journal's state (files.journal_state) as this process's last commit left it
        self._committed: tuple[int, ...] | None = None
        self._org_dirs: dict[str, tuple[Path, tuple[str, str]]] = {}
        self._part_paths: dict[tuple[str, str], Path] = {}
        #: data file -> (the content this process last wrote to it, its records serialized by table
        #: and id): what the next save into it serializes the file from (see :meth:`_serialized`)
        self._pieces: dict[Path, tuple[dict[str, Any], dict[str, dict[str, bytes]]]] = {}
        #: data file -> (the content check, the content this process last wrote to it, which the check found
        #: fitting whole, the basis of that verdict)
        self._fitting: dict[Path, tuple[ContentCheck, dict[str, Any], object]] = {}
        self._open(create, group)

    # opening ------------------------------------------------------------------
    def _open(self, create: bool, group: str | None = None) -> None:
        meta_path = self.root / "meta.json"
        try:
            empty = not self.root.exists() or (self.root.is_dir() and not any(self.root.iterdir()))
        except PermissionError:
            raise StoreError(f"{self.root}: cannot read the store folder (Permission denied): it is private to the account "
                             "that owns it; open it as that account, or ask its owner",
                             message_zh=f"{self.root}：无权读取该数据存储（仅其所有者可以打开）：请以所有者账户打开，或联系其所有者") from None
        if empty:
            if not create:
                raise StoreError(f"{self.root}: there is no store here: create one with 'coordtui init --db {self.root}'",
                                 message_zh=f"{self.root}：此处没有数据存储：请用 coordtui init --db {self.root} 创建")
            self._init(group)
            return
        if not self.root.is_dir():
            raise StoreError(f"{self.root}: this is a file, not a store folder: name a folder with --db",
                             message_zh=f"{self.root}：这是文件，不是数据存储目录：请用 --db 指定一个目录")
        if not meta_path.exists():
            raise StoreError(f"{self.root}: this folder is not a coordtui store (no meta.json): name another folder with --db",
                             message_zh=f"{self.root}：此目录不是 coordtui 数据存储（没有 meta.json）：请用 --db 指定其他目录")
        try:
            meta = parse_store_file(meta_path, read_nofollow(meta_path))
        except OSError as exc:
            raise StoreError(f"{meta_path}: cannot read ({exc.strerror}): check its permissions",
                             message_zh=f"{meta_path}：无法读取（{os_reason(exc)}）：请检查其权限") from None
        if meta.get("format") != FORMAT or not isinstance(meta.get("schema"), int):
            raise StoreError(f"{meta_path}: not a coordtui store's meta file: name another folder with --db",
                             message_zh=f"{meta_path}：不是 coordtui 数据存储的 meta 文件：请用 --db 指定其他目录")
        schema = meta["schema"]
        keep_group(self.root, meta)
        if schema > SCHEMA_VERSION:
            raise StoreError(
                f"{self.root}: the store was written by a newer coordtui (schema {schema}, this one reads {SCHEMA_VERSION}): upgrade coordtui"
            ,
                             message_zh=f"{self.root}：该数据存储由更新版本的 coordtui 写入（schema {schema}，本版本读取 {SCHEMA_VERSION}）：请升级 coordtui")
        with self._locked():
            remove_stale_temp_files(self.root)
            if schema < SCHEMA_VERSION:
                self._migrate(schema)

    def _init(self, group: str | None = None) -> None:
        prepare_folder(self.root, group)
        self._lock = StoreLock(self.root, self.lock_timeout, mode=modes_at(self.root).file)
        with self._locked():
            commit_files(self.root, new_store_files(self.root, _now(), SCHEMA_VERSION, FORMAT, group))

    def _migrate(self, schema: int) -> None:
        while schema < SCHEMA_VERSION:
            MIGRATIONS[schema](self.root)
            schema += 1
        meta = parse_store_file(self.root / "meta.json", (self.root / "meta.json").read_bytes())
        commit_files(self.root, {self.root / "meta.json": dump(meta | {"schema": schema, "migrated": _now()})})

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            try:
                self._lock.acquire()
            except OSError as exc:  # a read-only file system, a turnstile gone missing there...
                if isinstance(exc, PermissionError):
                    raise
                raise StoreError(f"{self.root}: cannot lock the store ({exc.strerror}): check the folder and its file system",
                                 message_zh=f"{self.root}：无法锁定数据存储（{os_reason(exc)}）：请检查该目录及其文件系统") from None
            try:
                recover(self.root)
                yield
            finally:
                self._lock.release()
        except LockTimeout:
            raise StoreError(
                f"{self.root}: the store is busy (another user has been saving for {self.lock_timeout:.0f} s): try again",
                message_zh=f"{self.root}：其他用户正在保存（已等待 {self.lock_timeout:.0f} 秒）：请稍后再试",
            ) from None
        except PermissionError as exc:
            raise StoreError(f"{self.root}: cannot lock the store ({exc.strerror}): check the folder's permissions",
                             message_zh=f"{self.root}：无法锁定数据存储（{os_reason(exc)}）：请检查该目录的权限") from None

    def locked(self) -> Iterator[None]:
        """Hold the store's write lock (re-entrant) around work outside the data files that must
        not interleave with another writer's (an attachment's file kept with the entry naming it)."""
        return self._locked()

    # paths ----------------------------------------------------------------------
    @property
    def _orgs_path(self) -> Path:
        return self.root / "orgs.json"

    @property
    def _people_path(self) -> Path:
        return self.root / "people.json"

    def meta(self) -> dict[str, Any]:
        """The store's ``meta.json``: format, schema and store-wide settings (``timezone``)."""
        return dict(self._cache.read(self.root / "meta.json"))

    def set_meta(self, **values: Any) -> dict[str, Any]:
        """Change store-wide settings in ``meta.json`` (None removes one)."""
        with self._locked():
            meta = dict(parse_store_file(self.root / "meta.json", (self.root / "meta.json").read_bytes()))
            for key, value in values.items():
                if value is None:
                    meta.pop(key, None)
                else:
                    meta[key] = value
            commit_files(self.root, {self.root / "meta.json": dump(meta)})
            self._cache.forget(self.root / "meta.json")
        return meta

    def _org_dir(self, org: str) -> Path:
        """An organization's folder, never through a symbolic link: in a group store a member
        could otherwise point ``data/<org>`` at another store and have it read (or written) as this one."""
        known = self._org_dirs.get(org)
        if known is None:
            data = os.path.join(self.root, "data")
            known = self._org_dirs[org] = (self.root / "data" / org, (data, os.path.join(data, org)))
        folder, checked = known
        for path in checked:  # checked on every use, by string: thousands per check
            if os.path.islink(path):
                raise StoreError(f"{path}: is a symbolic link, not a folder of the store: coordtui never follows links in a store; "
                                 f"remove the link and run 'coordtui verify --db {self.root}'",
                                 message_zh=f"{path} 是符号链接，不是数据存储的文件夹：请删除该链接并运行 coordtui verify")
        return folder

    def _part_path(self, org: str, part: str) -> Path:
        folder = self._org_dir(org)
        path = self._part_paths.get((org, part))
        if path is None:
            path = self._part_paths[(org, part)] = folder / f"{part}.json"
        return path

    def _settle(self) -> None:
        """Wait while a commit is pending, so that no read sees one half done.

        A commit puts its files in place while ``journal.pending`` exists; a writer killed in
        the middle leaves it behind. Either way a reader that finds it takes the lock, which
        waits for a live writer and finishes (``recover``) a dead one's commit.
        """
        if not self._lock.held and commit_pending(self.root):
            with self._locked():
                pass

    def _read(self, read: Callable[[], Any]) -> Any:
        """``read()`` with no commit half seen: settled before, and again (then read anew)
        when a commit began while it read."""
        for _ in range(3):
            self._settle()
            result = read()
            if self._lock.held or not commit_pending(self.root):
                return result
        self._settle()
        return read()

    def part_entries(self, org: str) -> dict[str, os.DirEntry]:
        """The entries of an organization's folder by name, from one listing (empty where it has
        none): for a caller that stats its partitions' files itself (a check's signatures of
        every partition: 2,409 folders listed once each, not twice, at 1,000,000 records)."""
        self._settle()
        folder = self._org_dir(org)
        try:
            with os.scandir(folder) as listing:
                return {entry.name: entry for entry in listing}
        except FileNotFoundError:
            return {}

    def parts(self, org: str) -> list[str]:
        """The partitions an organization's records are filed in (``structure``, ``2026`` ...)."""
        self._settle()
        folder = self._org_dir(org)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return []
        return sorted(n[:-5] for n in names if n.endswith(".json"))

    @classmethod
    def restore(cls, root: Path | str, relative: str, good: Callable[[Path, dict[str, Any]], bool] | None = None) -> tuple[Path, Path | None, Path | None]:
        """Put the newest good backup of ``relative`` back in place; the broken file is kept aside.
        For a data file with appended saves, the newest version its own lines still verify comes
        first (then the backup used is reported as the file kept aside).

        Returns (restored file, backup used, where the broken one was moved). Works on a store
        whose data files cannot be read, since that is when it is needed. A data file comes
        back as a change like any other (see :meth:`_restore`): recorded in its history, its
        records' revisions going on from the last ones, a record that has since moved to
        another partition left where it is now.
        """
        root = Path(root).expanduser()
        try:
            return cls._restore_file(root, relative, good)
        except PermissionError as exc:
            raise StoreError(f"{root}: cannot read the store ({exc.strerror}): only the account that owns it can restore its files",
                             message_zh=f"{root}：无权读取该数据存储：只有其所有者可以恢复其中的文件") from None

    @classmethod
    def _restore_file(cls, root: Path, relative: str, good: Callable[[Path, dict[str, Any]], bool] | None) -> tuple[Path, Path | None, Path | None]:
        """See :meth:`restore`. ``good(target, content)``: the caller that knows the models says
        which backup fits them (the store knows only shapes and seals)."""
        from coordtui.store.files import backup_paths, newest_good_backup

        target = (root / relative).resolve()
        if root.resolve() not in target.parents:
            raise StoreError(f"{relative}: not a file of the store {root}: give the path the error message named",
                             message_zh=f"{relative}：不是数据存储 {root} 中的文件：请给出错误信息中所写的路径")
        aside = target.with_name(f"{target.name}.broken-{datetime.now():%Y%m%d%H%M%S}")
        relative_posix = target.relative_to(root.resolve()).as_posix()
        intact = StoreError(f"{target}: is intact: nothing to restore (a restore puts back a file that cannot be read)",
                            message_zh=f"{target}：文件完好，无需恢复")
        if relative_posix == "manifest.json":
            return cls._rebuild_manifest(root, target, aside, intact)
        if relative_posix == "meta.json" or not is_layout_file(relative_posix):
            # Files without a history of their own: put back as they were, and only when broken.
            if _parses(target) and (good is None or good(target, parse_store_file(target, read_nofollow(target)))):
                raise intact
            backup = newest_good_backup(root.resolve(), target, (lambda data: good(target, data)) if good else None)
            if backup is None:
                raise StoreError(f"{target}: no good backup is kept for it: move it away, or restore the folder from your own backup",
                                 message_zh=f"{target}：没有保留完好的备份：请把它移开，或用您自己的备份恢复整个目录")
            with StoreLock(root, 15, mode=modes_at(root).file):
                recover(root)
                if target.exists():
                    os.replace(target, aside)
                restore_file(root.resolve(), target, read_nofollow(backup))
            return target, backup, aside
        store = cls(root)
        path = store.root / relative_posix
        key, _ = store._seal.try_key()
        if key is not None and _parses(path):
            raw = read_nofollow(path)
            current = parse_store_file(path, raw)
            if not store._seal.check_head(path, raw, current, key)[1] and (good is None or good(target, current)):
                raise intact
        # A data file with appended saves (schema 6): the end of each of its lines ends a version
        # coordtui wrote, newer than its backups (each the version a whole write replaced). Its
        # longest run of lines that still verifies is put back unless a backup is newer (a file put
        # back by hand to an older version): only the saves from the broken line on are lost, not
        # every save since its last whole write.
        own = next((data for data in (_intact_versions(store._seal, path, key) if key is not None else ())
                    if good is None or good(target, data)), None)
        # A backup is taken only as coordtui wrote it: its sealed head must verify (in a group
        # store a member can write into backups/ and plant a version of their own).
        for backup in backup_paths(root.resolve(), target):
            try:
                raw = read_nofollow(backup)
                data = parse_store_file(backup, raw)
            except (StoreError, OSError):
                continue
            if key is not None and not store._seal.check_head(path, raw, data, key)[1] and (good is None or good(target, data)):
                if own is not None and own[HEAD]["seq"] >= data[HEAD]["seq"]:
                    break
                store._restore(path, data, aside)
                return target, backup, aside
        if own is not None:
            store._restore(path, own, aside)
            return target, aside, aside
        raise StoreError(f"{target}: no backup coordtui wrote is kept for it (none has a sealed head that verifies): "
                         "move it away, or restore the folder from your own backup",
                         message_zh=f"{target}：没有 coordtui 写入的备份（没有一个的封印头能通过核验）：请把它移开，或用您自己的备份恢复整个目录")

    @classmethod
    def _rebuild_manifest(cls, root: Path, target: Path, aside: Path, intact: StoreError) -> tuple[Path, None, Path | None]:
        """Put back a broken or missing ``manifest.json`` (清单), the sealed list of every data
        file's newest seq. It has no backups (every save rewrites it, and an earlier one would
        disagree with every file saved since): it is made again from the data files' own sealed
        heads, each verified with the store's key, so only the key's holder can, and only when
        every data file verifies. Returns (the manifest, None: no backup was used, where the
        broken one was moved or None)."""
        from coordtui.store.files import journal_manifest
        from coordtui.store.seal import data_files

        store = cls(root)
        seal = store._seal
        key = seal.key()  # without the key nothing can be verified or sealed: one line
        with StoreLock(root, 15, mode=modes_at(root).file):
            recover(root)
            if seal.manifest_files(key)[0] is not None:
                raise intact
            listed: dict[str, int] = {}
            for path in data_files(store.root):
                rel = seal.rel(path)
                try:
                    raw = read_nofollow(path)
                    head, problems = seal.check_head(path, raw, parse_store_file(path, raw), key)
                    entries = [e for e in read_log(history_path(path)) or [] if well_formed(e)]
                except (StoreError, OSError):
                    head, problems, entries = None, [], []
                # A file put back to an earlier version of its own carries a good head, but its log
                # goes further: the manifest is what would have told, so it is never made from that.
                behind = head is not None and head["seq"] != (entries[-1]["seq"] if entries else 0)
                if head is None or problems or behind:
                    why = "does not verify" if problems or behind else "cannot be read or has no sealed head"
                    why_zh = "未通过核验" if problems or behind else "无法读取或没有封存头"
                    raise StoreError(
                        f"{rel}: {why}, so the manifest cannot "
                        f"be made again from the data files: put that file back first ('coordtui restore --db {root} {rel}'), "
                        "then the manifest",
                        message_zh=f"{rel}：{why_zh}，无法据数据文件重建清单：请先恢复该文件"
                                   f"（coordtui restore --db {root} {rel}），再恢复清单")
                listed[rel] = head["seq"]
            # Every data file's own head verifies, but a file deleted with its log, or put back
            # with its log cut to match, leaves no trace in the files left: the journal's sealed
            # manifest (the last commit's) is what tells. Without it nothing can tell, so no
            # manifest is made that would let verify call such a store intact.
            journaled = journal_manifest(root)
            known = seal.manifest_files(key, journaled)[0] if journaled is not None else None
            if known is None:
                raise StoreError(
                    f"{root / 'journal.wal'}: holds no sealed manifest to check the data files against (a data file deleted "
                    "with its log could not be told), so the manifest is not made again: restore the folder from your own backup",
                    message_zh=f"{root / 'journal.wal'}：其中没有可核对数据文件的已封存清单（无法发现连同日志一起被删除的数据文件），"
                               "因此不重建清单：请用您自己的备份恢复整个目录")
            for rel, seq in sorted(known.items()):
                if listed.get(rel, -1) < seq:
                    have = "is missing" if rel not in listed else f"is at entry {listed[rel]}"
                    have_zh = "不见了" if rel not in listed else f"停在第 {listed[rel]} 条"
                    raise StoreError(
                        f"{rel}: {have}, but the last save left it at entry {seq} (it was deleted or put back to an earlier "
                        f"version outside coordtui), so the manifest is not made again: restore the folder from your own backup",
                        message_zh=f"{rel}：{have_zh}，而最后一次保存时它是第 {seq} 条（在 coordtui 之外被删除或退回到早先版本），"
                                   "因此不重建清单：请用您自己的备份恢复整个目录")
            moved = os.path.lexists(target)
            if moved:
                os.replace(target, aside)
            restore_file(root.resolve(), target, seal.manifest_bytes(listed))
        return target, None, aside if moved else None

    def _restore(self, target: Path, data: dict[str, Any], aside: Path) -> None:
        """Make ``data`` (a backup of ``target``) current again, as a change recorded in its log.

        Revisions never go back: a restored record gets the revision after the highest its id
        ever had in the log (or in the backup's tombstones), so a form opened before the
        restore meets a conflict instead of saving over it. A record that the log shows was
        moved to another partition since the backup (a date changed month) stays there, not
        in both; one the backup lacks is deleted, with its tombstone.
        """
        with self._locked():
            now = _now()
            org_dir = target.parent if target.parent.parent == self.root / "data" else None
            elsewhere: set[tuple[str, str]] = set()
            if org_dir is not None:
                for other in sorted(org_dir.glob("*.json")):
                    if other != target:
                        for kind, table in self._cache.read_fresh(other).items():
                            if not kind.startswith("_") and isinstance(table, dict):
                                elsewhere.update((kind, rid) for rid in table)
            state: dict[tuple[str, str], dict | None] = {}
            high: dict[tuple[str, str], int] = {}
            entries = [e for e in self._log(target) if well_formed(e)]
            for entry in entries:
                key = (str(entry.get("kind")), str(entry.get("id")))
                state[key] = entry.get("after") if isinstance(entry.get("after"), dict) else None
                for side in (entry.get("before"), entry.get("after")):
                    if isinstance(side, dict) and isinstance(side.get("_rev"), int):
                        high[key] = max(high.get(key, 0), side["_rev"])
            restored = {name: dict(table) for name, table in data.items() if isinstance(table, dict) and name != HEAD}
            tombs = dict(restored.get(TOMBSTONES, {}))
            txn = _Txn()
            # The chain goes on from the log's last entry; entries before the store was sealed stay unsealed.
            leading = next((e["seq"] - 1 for e in entries if "seal" in e), entries[-1]["seq"] if entries else 0)
            backup_head = data.get(HEAD) if isinstance(data.get(HEAD), dict) else {}
            unsealed = max(int(backup_head.get("unsealed", 0)) if type(backup_head.get("unsealed")) is int else 0, leading)
            txn.tails[target] = (entries[-1]["seq"], entries[-1]["hash"], unsealed) if entries else (0, "", 0)
            org = target.parent.name if org_dir is not None else "-"
            for kind, table in list(restored.items()):
                if kind.startswith("_"):
                    continue
                for rid, doc in list(table.items()):
                    key = (kind, rid)
                    if key in elsewhere:
                        del table[rid]  # it lives in another partition now
                        continue
                    last = max(high.get(key, 0), int(tombs.get(f"{kind}/{rid}", {}).get("_rev", 0)))
                    before = state.get(key)
                    if before is not None and strip_meta(before) == strip_meta(doc) and int(doc.get("_rev", 0)) > 0 \
                            and int(before.get("_rev", 0)) == int(doc.get("_rev", 0)):
                        continue  # unchanged since the backup
                    table[rid] = new = strip_meta(doc) | {"_rev": max(last, int(doc.get("_rev", 0))) + 1, "_at": now, "_by": self.user}
                    if kind not in (ORG_TABLE, PEOPLE_TABLE):
                        new.setdefault("id", rid)
                    self._record(txn, target, "restore", org if org != "-" else rid, kind, rid, before, new, now)
            for (kind, rid), before in state.items():
                if before is not None and rid not in restored.get(kind, {}) and (kind, rid) not in elsewhere:
                    tombs[f"{kind}/{rid}"] = {"_rev": max(high.get((kind, rid), 0), int(tombs.get(f"{kind}/{rid}", {}).get("_rev", 0)))}
                    self._record(txn, target, "restore", org if org != "-" else rid, kind, rid, before, None, now)
            if tombs:
                restored[TOMBSTONES] = tombs
            txn.stage[target] = restored
            moved = target.exists()
            if moved:
                os.replace(target, aside)
            try:
                self._commit(txn)
            except BaseException:
                if moved:
                    os.replace(aside, target)
                raise

    def part_signature(self, org: str, part: str) -> tuple[int, ...] | None:
        """What changes whenever the partition's file does (see ``files._signature``): for caches above the store."""
        return self._cache.signature(self._part_path(org, part))

    # reading ----------------------------------------------------------------------
    def read_part(self, org: str, part: str, *, attachments: bool = False) -> tuple[tuple[int, ...] | None, dict[str, dict[str, dict[str, Any]]]]:
        """(signature, {kind: {id: doc}}) of one partition, for a caller that keeps its own
        converted copy (the store does not keep this one). Read-only dicts. ``attachments``:
        the attachments' entries too, under ``ATTACHMENTS`` (what ``query(org, ATTACHMENTS)``
        finds in this partition: a check reads them with the records, not every file again)."""
        signature, data = self._read(lambda: self._cache.read_signed(self._part_path(org, part), keep=False))
        return signature, {kind: table for kind, table in data.items()
                           if not kind.startswith("_") or (attachments and kind == ATTACHMENTS)}

    def orgs(self) -> list[dict[str, Any]]:
        raw = self._read(lambda: self._cache.read(self._orgs_path)).get(ORG_TABLE, {})
        return [dict(doc) for doc in raw.values()]

    def get_org(self, org_id: str) -> dict[str, Any] | None:
        doc = self._read(lambda: self._cache.read(self._orgs_path)).get(ORG_TABLE, {}).get(org_id)
        return dict(doc) if doc is not None else None

    def people(self) -> list[dict[str, Any]]:
        """Every person of the store (人员), with ``_rev``."""
        return [dict(doc) for doc in self._read(self._trusted_people).get(PEOPLE_TABLE, {}).values()]

    def get_person(self, name: str) -> dict[str, Any] | None:
        doc = self._read(self._trusted_people).get(PEOPLE_TABLE, {}).get(name)
        return dict(doc) if doc is not None else None

    def _trusted_people(self) -> dict[str, Any]:
        """people.json, only as coordtui wrote it. Who may do what is read from it, so a person
        added or a grant raised by hand (a member of a group store can write the file) is never
        acted on: its sealed head must match its records (and its seal, where this account has
        the key). Checked again whenever the file's bytes change."""
        path = self._people_path
        try:
            raw = read_nofollow(path)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the store file ({exc.strerror}): check its permissions",
                             message_zh=f"{path}：无法读取数据存储文件（{os_reason(exc)}）：请检查其权限") from None
        if self._people_checked is not None and self._people_checked[0] == raw:
            return self._people_checked[1]
        data = parse_store_file(path, raw)
        if HEAD in data or self._seal_expected():
            key, _ = self._seal.try_key()
            _, problems = self._seal.check_head(path, raw, data, key)
            if problems:
                raise StoreError(f"{problems[0]}: nobody's access is read from it; see 'coordtui verify --db {self.root}'",
                                 message_zh=f"people.json 在 coordtui 之外被修改，其中的人员与权限不予采用：请运行 coordtui verify --db {self.root}")
        self._people_checked = (raw, data)
        return data

    def _seal_expected(self) -> bool:
        """Whether this store's files carry sealed heads (every store of schema 3 and later)."""
        try:
            return int(self.meta().get("schema", 0)) >= 3
        except (TypeError, ValueError):
            return True

    def sent(self, key: str) -> dict[str, Any] | None:
        """What reminders recorded under ``key`` (see :class:`PutSent`), or None."""
        doc = self._read(self._trusted_people).get(SENT_TABLE, {}).get(key)
        return dict(doc) if doc is not None else None

    def _locate(self, org: str, kind: str, record_id: str) -> tuple[str, dict] | None:
        key = f"{kind}/{record_id}"
        for _ in range(2):  # again when the partitions the index named no longer hold it (moved meanwhile)
            named = sorted(self._where(org).get(key, ()))
            for part in named:
                doc = (self._cache.read(self._part_path(org, part)).get(kind) or {}).get(record_id)
                if doc is not None:
                    return part, doc
            if not named:
                break
        return None

    def get(self, org: str, kind: str, record_id: str) -> dict[str, Any] | None:
        """One record with its ``_rev`` and ``_part``, or None."""
        found = self._read(lambda: self._locate(org, kind, record_id))
        if found is None:
            return None
        part, doc = found
        return orjson.loads(dump(doc)) | {"_part": part}

    def query(self, org: str, kind: str, *, parts: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every record of ``kind`` in ``org`` (optionally only in some partitions). Read-only dicts."""
        def read() -> list[dict[str, Any]]:
            result: list[dict[str, Any]] = []
            known = self.parts(org)
            for part in known if parts is None else [p for p in parts if p in set(known)]:
                table = self._cache.read(self._part_path(org, part)).get(kind)
                if table:
                    result.extend(table.values())
            return result

        return self._read(read)

    def kinds(self, org: str) -> dict[str, int]:
        """Kind → number of records, over every partition."""
        def read() -> dict[str, int]:
            counts: dict[str, int] = {}
            for part in self.parts(org):
                for name, table in self._cache.read(self._part_path(org, part)).items():
                    if not name.startswith("_"):
                        counts[name] = counts.get(name, 0) + len(table)
            return counts

        return self._read(read)

    def count(self) -> int:
        return sum(sum(self.kinds(o["id"]).values()) for o in self.orgs())

    # writing ----------------------------------------------------------------------
    def put(self, org: str, kind: str, record_id: str, data: dict[str, Any], *, part: str = STRUCTURE, rev: int | None = ANY_REV) -> dict[str, Any]:
        return self.apply([Put(org, kind, record_id, data, part, rev)])[0]

    def delete(self, org: str, kind: str, record_id: str, *, rev: int | None = ANY_REV) -> None:
        self.apply([Delete(org, kind, record_id, rev)])

    def put_org(self, data: dict[str, Any], *, rev: int | None = ANY_REV) -> dict[str, Any]:
        return self.apply([PutOrg(data, rev)])[0]

    def put_person(self, data: dict[str, Any], *, rev: int | None = ANY_REV) -> dict[str, Any]:
        return self.apply([PutPerson(data, rev)])[0]

    def delete_person(self, name: str, *, rev: int | None = ANY_REV) -> None:
        self.apply([DeletePerson(name, rev)])

    def apply(self, ops: list[Put | Delete | PutOrg | PutPerson | DeletePerson | Refused | PutSent]) -> list[dict[str, Any] | None]:
        """Apply every operation in one transaction: all of them land, or none (ConflictError, StoreError)."""
        if not ops:
            return []
        with self._locked():
            txn = _Txn()
            try:
                try:
                    # (one transaction, one moment: every change it makes is stamped with it)
                    now = _now()
                    results = [self._apply_one(txn, op, now) for op in ops]
                except orjson.JSONEncodeError as exc:  # the history hash meets the value first
                    raise _unencodable(self.root, exc) from None
            except BaseException:
                self._forget(txn)
                raise
            self._commit(txn)
            return results

    def _forget(self, txn: _Txn) -> None:
        for path in txn.stage:
            self._cache.forget(path)

    def _commit(self, txn: _Txn) -> None:
        """Write a transaction's staged files (each with its sealed head) and history entries, all
        or nothing. Under the lock."""
        try:
            try:
                made = self._made_patches(txn)
                unkept = self._check_content(txn, made)
                lines = self._appendable(txn, made)
                patches = self._patches(txn, {path: patch for path, patch in made.items() if path not in lines})
                bodies = {path: body for path, (_, body, _) in patches.items() if body is not None}
                tails = {**txn.heads, **txn.tails} if txn.heads else txn.tails
                files, logs = self._seal.commit_bytes(txn.stage, txn.history, tails, bodies, lines, self._quiet(txn))
                journaled = {}
                for path, (patch, _, _) in patches.items():
                    patch["head"] = txn.stage[path][HEAD]
                    body = dump(patch)
                    if 2 * len(body) < len(files[path]):
                        journaled[path] = body
            except orjson.JSONEncodeError as exc:
                raise _unencodable(self.root, exc) from None
            commit_files(self.root, files, logs, unkept=unkept, manifest=self._seal.pending_change, patches=journaled)
        except BaseException:
            self._forget(txn)
            self._seal.abandon()
            raise
        for path, data in txn.stage.items():
            if path in lines:
                self._cache.remember_appended(path, txn.bases[path], data, logs[path])
            else:
                self._cache.remember(path, data, files[path])
            self._fitting.pop(path, None)
            if path in txn.fits and self.content_check is not None:
                self._fitting[path] = (self.content_check, data, txn.fits[path])
            self._pieces.pop(path, None)
            pieces = patches[path][2] if path in patches else None
            if pieces is not None:
                self._pieces[path] = (data, pieces)
        for kept in (self._fitting, self._pieces):  # the files saved into last, a few
            while len(kept) > self.KEPT_FILES:
                del kept[next(iter(kept))]
        # The signatures the cache just took of the files written (under the lock, after the commit)
        # are the ones the seal keeps their heads under: each file is not stat'ed again.
        self._seal.committed(txn.stage, {path: self._cache.signature_read(path) for path in txn.stage})
        self._learn(txn)

    def _made_patches(self, txn: _Txn) -> dict[Path, dict[str, Any]]:
        """Each staged data file's change as a patch (see files.make_patch; its new head is the
        caller's to add), where it is one: the records this transaction saved, moved or deleted in
        it (and their tombstones), against the content it was staged from."""
        made: dict[Path, dict[str, Any]] = {}
        for path, touched in txn.touched.items():
            base, data = txn.bases.get(path), txn.stage.get(path)
            if base is None or data is None:
                continue
            changed: dict[str, set[str]] = {}
            for kind, rid in touched:
                changed.setdefault(kind, set()).add(rid)
                changed.setdefault(TOMBSTONES, set()).add(f"{kind}/{rid}")
            patch = patch_of_saves(base, data, changed) or make_patch(base, data, changed)
            if patch is not None:
                made[path] = patch
        return made

    def _appendable(self, txn: _Txn, made: dict[Path, dict[str, Any]]) -> dict[Path, tuple[bytes, str]]:
        """The staged data files saved by appending one line (files.line_bytes) instead of being
        written whole, with (the line's bytes before its head, the digest it chains from): those whose
        change is a patch of the very bytes read under this lock, whose content check was the one of
        the changed records alone (``_check_content``'s shortcut; every record is checked, and the
        file written whole, otherwise), and whose appended lines stay within the bound
        (files.needs_compaction: past it the file is written whole, and the version it replaces
        becomes its newest backup)."""
        lines: dict[Path, tuple[bytes, str]] = {}
        for path, patch in made.items():
            if path in txn.tails or (self.content_check is not None and path not in txn.shortcut):
                continue
            extent = self._cache.extent(path, txn.bases[path])
            if extent is None or needs_compaction(*extent):
                continue
            lines[path] = (line_prefix(patch), patch["base"])
        return lines

    def _patches(self, txn: _Txn, made: dict[Path, dict[str, Any]]
                 ) -> dict[Path, tuple[dict[str, Any], bytes | None, dict[str, dict[str, bytes]] | None]]:
        """The patches ``made`` for the commit journal of the files written whole, with the file's
        records serialized (and its serialized records by table: see :meth:`_serialized`) where
        the file is large enough for that to be worth it. A file changed otherwise is journaled whole."""
        patches: dict[Path, tuple[dict[str, Any], bytes | None, dict[str, dict[str, bytes]] | None]] = {}
        for path, patch in made.items():
            body, pieces = self._serialized(path, txn.bases[path], txn.stage[path], patch)
            patches[path] = (patch, body, pieces)
        return patches

    #: A data file read larger than this keeps its records serialized one by one (see :meth:`_serialized`).
    SERIALIZED_FROM = 32 << 10
    #: How many data files (the ones saved into last) keep their serialized records and their content check's verdict.
    KEPT_FILES = 16

    def _serialized(self, path: Path, base: dict[str, Any], data: dict[str, Any],
                    patch: dict[str, Any]) -> tuple[bytes | None, dict[str, dict[str, bytes]] | None]:
        """(``data``'s records serialized as ``dump`` would, its records serialized by table and id),
        from those of ``base`` kept by the last save into the file and the patch's few changes
        (serializing a month file of 1,700 records took 0.5 ms a save); (None, None) for a file too
        small to be worth it. Kept only while ``base`` is the very content this process last wrote."""
        kept = self._pieces.get(path)
        if kept is not None and kept[0] is base:
            pieces = kept[1]
        else:
            raw = self._cache.raw_of(path, base)
            if raw is None or len(raw) < self.SERIALIZED_FROM:
                return None, None
            pieces = {name: {rid: dump(rid) + b":" + dump(doc) for rid, doc in table.items()}
                      for name, table in base.items() if name != HEAD}
        by_table = dict(pieces)
        copied: set[str] = set()
        for name in patch["new"]:
            by_table[name] = {}
            copied.add(name)
        for name, rid, doc, at_end in patch["ops"]:
            if name not in copied:
                by_table[name] = dict(by_table[name])
                copied.add(name)
            table = by_table[name]
            if doc is None:
                table.pop(rid, None)
                continue
            if at_end:
                table.pop(rid, None)
            table[rid] = dump(rid) + b":" + dump(doc)
        body = b"{" + b",".join(dump(name) + b":{" + b",".join(by_table[name].values()) + b"}"
                                for name in data if name != HEAD) + b"}"
        return body, by_table

    def _learn(self, txn: _Txn) -> None:
        """Bring the id index up to the partitions this transaction wrote, from what it changed in
        them (re-reading a partition of 1,700 records for its keys took 2-10 ms a save). The index
        of a partition staged otherwise (a restore), or not brought up to date under this lock, is
        dropped instead: the next use reads it again."""
        data_root = self.root / "data"
        token = self._committed = journal_state(self.root)
        for org in txn.where:  # refreshed under this lock; what this commit changed is learnt below
            index = self._index.get(org)
            if index is not None:
                index.token = token
        for path, data in txn.stage.items():
            if path.parent.parent != data_root:
                continue
            org, part = path.parent.name, path.name[: -len(".json")]
            index = self._index.get(org)
            if index is None:
                continue
            touched = txn.touched.get(path)
            signature = self._cache.signature_read(path)
            if touched is None or org not in txn.where or signature is None:
                index._drop(part)
                continue
            tombs = data.get(TOMBSTONES) or {}
            index.learn(part, signature, {f"{kind}/{rid}": rid in (data.get(kind) or {}) or f"{kind}/{rid}" in tombs
                                          for kind, rid in touched})

    def _check_content(self, txn: _Txn, patches: dict[Path, Any] | None = None) -> set[Path]:
        """Refuse (StoreError, nothing written) a data file whose new content does not fit the
        models, and return the files whose current version does not fit them either: those are
        not rotated into the backups, which keep the newest versions that did.

        Where the content a file was staged from is the very content this check last found
        fitting (this process's last save into it: see ``_fitting``), under the same basis (the
        organization's model: see :class:`ContentCheck`), and the commit's patch shows
        every other record unchanged (``patches``, see files.make_patch), only the records the
        transaction changed are checked: checking a month file of 1,700 records took ~15 ms a save."""
        check = self.content_check
        unkept: set[Path] = set()
        if check is None:
            return unkept
        basis_of = getattr(check, "basis", None)
        for path, data in txn.stage.items():
            if path.parent.parent != self.root / "data":
                continue
            fitting = self._fitting.get(path)
            # What the verdict depends on besides the content (the organization's model), as it is now:
            # a verdict reached under another model says nothing of this one.
            basis = basis_of(path) if basis_of is not None else None
            if (patches and path in patches and fitting is not None and fitting[0] is check
                    and fitting[1] is txn.bases.get(path) and fitting[2] == basis):
                changed: dict[str, dict[str, Any]] = {}
                for kind, rid in txn.touched.get(path, ()):
                    doc = (data.get(kind) or {}).get(rid)
                    if doc is not None:
                        changed.setdefault(kind, {})[rid] = doc
                problem = check.problem(path, changed)
                if problem is None:
                    txn.fits[path] = basis
                    txn.shortcut.add(path)
                    continue
                raise StoreError(f"{path}: nothing was saved: {problem}: {check.advice(path)}",
                                 message_zh=f"{path}：未保存：该文件中已有不符合模型的记录（{problem}）：{check.advice(path, 'zh')}")
            problem = check.problem(path, data)
            if problem is not None:
                raise StoreError(f"{path}: nothing was saved: {problem}: {check.advice(path)}",
                                 message_zh=f"{path}：未保存：该文件中已有不符合模型的记录（{problem}）：{check.advice(path, 'zh')}")
            txn.fits[path] = basis
            try:
                old = self._cache.read_fresh(path)
            except StoreError:
                unkept.add(path)
                continue
            # What the new content keeps unchanged has just been checked: only the rest of the old.
            rest = {kind: {rid: doc for rid, doc in table.items() if (data.get(kind) or {}).get(rid) != doc}
                    for kind, table in old.items() if not kind.startswith("_") and isinstance(table, dict)}
            if check.problem(path, rest) is not None:
                unkept.add(path)
        return unkept

    def _txn_db(self, txn: _Txn, path: Path) -> TinyDB:
        if path not in txn.dbs:
            txn.dbs[path] = _db(path, self._cache, txn.stage)
        return txn.dbs[path]

    def _check_rev(self, what: str, current: dict | None, rev: int | None, attempted: dict | None) -> None:
        if rev is ANY_REV:
            return
        have = int(current.get("_rev", 0)) if current is not None else 0
        if rev == 0 and current is not None:
            raise ConflictError(f"{what} already exists (revision {have}): choose another id or edit it", current=dict(current), attempted=attempted,
                                message_zh=f"{what} 已存在（第{have}版）：请换一个编号，或打开它修改")
        if have != rev:
            who = f" by {current.get('_by')} at {current.get('_at')}" if current else ""
            who_zh = f"已被 {current.get('_by')} 于 {current.get('_at')} 修改" if current else "已被删除"
            raise ConflictError(
                f"{what} was changed{who} since you opened it (your revision {rev}, now {have}): compare both versions and save again",
                current=dict(current) if current else None,
                attempted=attempted,
                message_zh=f"您打开后，{what} {who_zh}（您的版本 {rev}，现为 {have}）：请对照两个版本后再保存",
            )

    def _apply_one(self, txn: _Txn, op: Put | Delete | PutOrg | PutPerson | DeletePerson | Refused | PutSent,
                   now: str) -> dict[str, Any] | None:
        user = self.user
        if isinstance(op, Put):
            _refuse_colliding_keys(f"{op.kind} {op.id} of {op.org}", op.data)
        elif isinstance(op, PutOrg):
            _refuse_colliding_keys(f"organization {op.data.get('id')}", op.data)
        elif isinstance(op, PutPerson):
            _refuse_colliding_keys(f"person {op.data.get('name')}", op.data)
        elif isinstance(op, PutSent):
            _refuse_colliding_keys(f"reminder {op.key}", op.data)
        if isinstance(op, Refused):
            # Staged like any change, so the file's sealed head and the manifest move on with its log.
            if self._people_path not in txn.stage:
                txn.stage[self._people_path] = dict(self._cache.read_fresh(self._people_path))
            self._record(txn, self._people_path, "refused", op.org, op.kind, op.id, None, None, now, message=op.message)
            return None
        if isinstance(op, PutSent):
            table = _table(self._txn_db(txn, self._people_path), SENT_TABLE)
            current = table.get(doc_id=op.key)
            new = strip_meta(op.data) | {"_rev": (int(current["_rev"]) if current else 0) + 1, "_at": now, "_by": user}
            if current is not None:
                table.remove(doc_ids=[op.key])
            table.insert(Document(new, doc_id=op.key))
            self._record(txn, self._people_path, "sent", "-", SENT_TABLE, op.key, current, new, now)
            return dict(new)
        if isinstance(op, (PutPerson, DeletePerson)):
            name = op.data["name"] if isinstance(op, PutPerson) else op.name
            db = self._txn_db(txn, self._people_path)
            table = _table(db, PEOPLE_TABLE)
            current = table.get(doc_id=name)
            tombs = _table(db, TOMBSTONES)
            self._check_rev(f"person {name}", current, op.rev, op.data if isinstance(op, PutPerson) else None)
            if isinstance(op, DeletePerson):
                if current is None:
                    raise StoreError(f"there is no person '{name}' in {self.root}: see 'coordtui users list'",
                                     message_zh=f"{self.root} 中没有人员“{name}”：请查看 coordtui users list")
                table.remove(doc_ids=[name])
                _bury(tombs, f"{PEOPLE_TABLE}/{name}", int(current["_rev"]))
                self._record(txn, self._people_path, "delete", "-", PEOPLE_TABLE, name, current, None, now)
                return None
            buried = tombs.get(doc_id=f"{PEOPLE_TABLE}/{name}")
            last = max(int(current["_rev"]) if current else 0, int(buried["_rev"]) if buried else 0)
            new = strip_meta(op.data) | {"_rev": last + 1, "_at": now, "_by": user}
            if current is not None:
                table.remove(doc_ids=[name])
            table.insert(Document(new, doc_id=name))
            self._record(txn, self._people_path, "update" if current else "create", "-", PEOPLE_TABLE, name, current, new, now)
            return dict(new)
        if isinstance(op, PutOrg):
            org_id = op.data["id"]
            db = self._txn_db(txn, self._orgs_path)
            table = _table(db, ORG_TABLE)
            current = table.get(doc_id=org_id)
            self._check_rev(f"organization {org_id}", current, op.rev, op.data)
            new = strip_meta(op.data) | {"_rev": (int(current["_rev"]) if current else 0) + 1, "_at": now, "_by": user}
            if current is not None:
                table.remove(doc_ids=[org_id])
            table.insert(Document(new, doc_id=org_id))
            self._record(txn, self._orgs_path, "put" if current else "create", org_id, ORG_TABLE, org_id, current, new, now)
            return dict(new)

        folder = self._txn_dir(txn, op.org)
        places, last = self._locate_staged(txn, op.org, op.kind, op.id, op.part if isinstance(op, Put) else None)
        # Normally one place; two only where a store was put back by hand or by an old restore.
        # The newest is the record; the others are removed by this write.
        current = dict(max(places, key=lambda p: int(p[1].get("_rev", 0)))[1]) if places else None
        what = f"{op.kind} {op.id} of {op.org}"
        attempted = op.data if isinstance(op, Put) else None
        self._check_rev(what, current, op.rev, attempted)
        key = f"{op.kind}/{op.id}"
        if isinstance(op, Delete):
            if not places:
                raise StoreError(f"{what} does not exist (it may have been deleted by someone else): reload",
                                 message_zh=f"{what} 不存在（可能已被他人删除）：请刷新")
            for part, _ in places:
                path = self._txn_path(folder, (op.org, part))
                txn.touched.setdefault(path, set()).add((op.kind, op.id))
                del self._staged_table(txn, path, op.kind)[op.id]
                _bury_in(self._staged_table(txn, path, TOMBSTONES), key, last)
                self._record(txn, path, "delete", op.org, op.kind, op.id, current, None, now)
            return None

        new = strip_meta(op.data) | {"id": op.id, "_rev": last + 1, "_at": now, "_by": user}
        for part, doc in places:
            if part != op.part:
                # The record moved to another partition (its date changed month): leave the old one.
                old_path = self._txn_path(folder, (op.org, part))
                txn.touched.setdefault(old_path, set()).add((op.kind, op.id))
                del self._staged_table(txn, old_path, op.kind)[op.id]
                self._record(txn, old_path, "move-out", op.org, op.kind, op.id, dict(doc), None, now)
        path = self._txn_path(folder, (op.org, op.part))
        txn.touched.setdefault(path, set()).add((op.kind, op.id))
        table = self._staged_table(txn, path, op.kind)
        table.pop(op.id, None)  # a record saved again goes to the end of its table, as TinyDB put it
        table[op.id] = new
        txn.placed.setdefault(op.org, {}).setdefault(key, set()).add(op.part)
        self._record(txn, path, "update" if current else "create", op.org, op.kind, op.id, current, new, now)
        return dict(new) | {"_part": op.part}

    def _txn_path(self, folder: Path, org_part: tuple[str, str]) -> Path:
        """A partition's path in ``folder`` (its organization's, checked by :meth:`_txn_dir` once per
        transaction), made once per process: a 10,000-row transaction joined 20,000 paths."""
        path = self._part_paths.get(org_part)
        if path is None:
            path = self._part_paths[org_part] = folder / f"{org_part[1]}.json"
        return path

    def _txn_dir(self, txn: _Txn, org: str) -> Path:
        """The organization's folder, checked once per transaction (see :meth:`_org_dir`)."""
        folder = txn.dirs.get(org)
        if folder is None:
            folder = txn.dirs[org] = self._org_dir(org)
        return folder

    def _staged_table(self, txn: _Txn, path: Path, kind: str) -> dict[str, Any]:
        """The table ``kind`` of the data file ``path`` as the transaction sees it, copied once so
        that it may be changed in place (the cached content is never touched)."""
        data = txn.stage.get(path)
        if data is None:
            base = txn.bases[path] = self._fresh(txn, path)
            data = txn.stage[path] = base.copy()
        owned = txn.owned.setdefault(path, set())
        if kind not in owned:
            data[kind] = (data.get(kind) or {}).copy()  # (a dict's own copy: five times dict()'s speed)
            owned.add(kind)
        return data[kind]

    def _where(self, org: str, txn: _Txn | None = None) -> dict[str, set[str]]:
        """``kind/id`` -> the partitions that hold it (see :class:`_IdIndex`), up to date with the files now.
        ``txn``: the transaction asking, under the lock (its folder checked once, the journal's state read once)."""
        folder = self._org_dir(org) if txn is None else self._txn_dir(txn, org)
        index = self._index.get(org)
        if index is None:
            index = self._index[org] = _IdIndex()
        if index.token is not None and self._lock.held and index.token == (journal_state(self.root) if txn is None else self._journal(txn)):
            # Under the lock, and the commit journal is as this process's last commit left it: no
            # other process has committed since (each commit appends to it, a checkpoint replaces
            # it), so no partition of the organization changed: none is listed or stat'ed again.
            return index.where

        def signature(part: str) -> tuple[int, ...] | None:
            return self._cache.signature(folder / f"{part}.json")

        def read(part: str) -> tuple[tuple[int, ...] | None, dict[str, Any]]:
            return self._cache.read_signed(folder / f"{part}.json", keep=False)

        return index.refresh(self.parts(org), signature, read)

    def _quiet(self, txn: _Txn) -> bool:
        """Whether no commit was made since this process's last one (the commit journal, read under
        this lock, is as that commit left it): see files.FileCache.read_fresh. Asked once per transaction."""
        if txn.quiet is None:
            txn.quiet = bool(self._lock.held and self._committed is not None and self._journal(txn) == self._committed)
        return txn.quiet

    def _journal(self, txn: _Txn) -> tuple[int, ...] | None:
        """files.journal_state under this lock, read once per transaction (see ``_Txn.journal``)."""
        if txn.journal is False:
            txn.journal = journal_state(self.root)
        return txn.journal  # type: ignore[return-value]

    def _fresh(self, txn: _Txn, path: Path) -> dict[str, Any]:
        """The content of the data file ``path`` read fresh under this lock, once per transaction (see ``_Txn.fresh``)."""
        data = txn.fresh.get(path)
        if data is None:
            data = txn.fresh[path] = self._cache.read_fresh(path, self._quiet(txn))
        return data

    def _locate_staged(self, txn: _Txn, org: str, kind: str, record_id: str, part: str | None = None) -> tuple[list[tuple[str, dict]], int]:
        """Every partition that holds the record as the transaction sees it (read from disk,
        under the lock), and the highest revision the id has ever had there (tombstones too).

        Only the partitions the index names (brought up to date under the lock, once per
        transaction and organization), those this transaction filed the id in, and ``part``
        (where it is about to be saved) are read: each of them fresh from disk."""
        base = txn.where.get(org)
        if base is None:
            base = txn.where[org] = self._where(org, txn)
        key = f"{kind}/{record_id}"
        candidates = set(base.get(key, ())) | txn.placed.get(org, {}).get(key, set())
        if part is not None:
            candidates.add(part)
        folder = self._txn_dir(txn, org)
        places: list[tuple[str, dict]] = []
        last = 0
        for name in sorted(candidates):
            path = self._txn_path(folder, (org, name))
            data = txn.stage[path] if path in txn.stage else self._fresh(txn, path)
            doc = (data.get(kind) or {}).get(record_id)
            if doc is not None:
                places.append((name, doc))
                last = max(last, int(doc.get("_rev", 0)))
            buried = (data.get(TOMBSTONES) or {}).get(key)
            if buried is not None:
                last = max(last, int(buried.get("_rev", 0)))
        return places, last

    def _record(self, txn: _Txn, path: Path, op: str, org: str, kind: str, record_id: str, before: dict | None, after: dict | None, at: str,
                **extra: Any) -> None:
        """Add a sealed history entry for a change to the data file ``path``, chained to the entry its sealed head names."""
        pending = txn.history.setdefault(path, [])
        if pending:
            seq, prev = pending[-1]["seq"], pending[-1]["hash"]
        else:
            if path in txn.tails:
                seq, prev = txn.tails[path][:2]
            else:
                head = txn.heads[path] = self._seal.tail(path)
                seq, prev = head[:2]
        entry = {
            "seq": seq + 1, "at": at, "user": self.user, "op": op, "org": org, "kind": kind, "id": record_id,
            "before": before, "after": after, **extra, "prev": prev,
        }
        entry["hash"] = _hash(entry)
        self._seal.seal_entry(path, entry)
        pending.append(entry)

    # history ----------------------------------------------------------------------
    def _history_files(self, org: str | None) -> list[Path]:
        """The data files whose history logs hold ``org``'s changes (every organization's: None)."""
        files = [self._orgs_path, self._people_path] if org is None else []
        orgs = [org] if org else [o["id"] for o in self.orgs()]
        for o in orgs:
            files.extend(self._part_path(o, p) for p in self.parts(o))
        return files

    def _log(self, path: Path) -> list[dict[str, Any] | None]:
        """The entries of ``path``'s history log, oldest first (None for a line that is not JSON)."""
        return read_log(history_path(path)) or []

    def history(self, *, org: str | None = None, kind: str | None = None, record_id: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Every recorded change, newest first (by instant), optionally filtered; malformed lines are left out
        (:meth:`verify_history` reports them)."""
        entries: list[dict[str, Any]] = []
        for path in self._history_files(org):
            for e in self._log(path):
                if not well_formed(e):
                    continue
                if kind and e.get("kind") != kind:
                    continue
                if record_id and e.get("id") != record_id:
                    continue
                if user and e.get("user") != user:
                    continue
                entries.append(e)
        entries.sort(key=lambda e: (instant(e["at"]), e["seq"]), reverse=True)
        return entries

    def org_history(self) -> list[dict[str, Any]]:
        """The changes to the organizations themselves (``orgs.json``'s log), oldest first:
        cheap, since no record partition's log is read."""
        return [e for e in self._log(self._orgs_path) if isinstance(e, dict)]

    def verify_history(self) -> list[str]:
        """Every break in the sealed history, each naming its file and entry (see :meth:`Seal.verify_file`).

        Only the files changed since the last verification (by any process) are verified again:
        the others' results come from the store's sealed verification cache (see
        :class:`~coordtui.store.seal.VerifiedCache`). ``coordtui verify`` verifies everything."""
        seal = self._seal
        key, why = seal.try_key()
        rels, listed, problems = seal.rels_to_verify(key)
        if key is None:
            problems.insert(0, seal.unchecked(why))
        return problems + VerifiedCache(seal).problems(key, rels, listed)


class HistoryReader:
    """Every history log of a store, read once and then re-read only where a log changed.

    For a screen that shows and filters the whole history: at 100,000 changes reading and
    verifying every log takes seconds, a refresh after one save a few milliseconds. The
    entries live as long as the reader does.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._logs: dict[Path, tuple[tuple, Any]] = {}
        self.notes: list[str] = []

    def refresh(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(every entry, newest first by instant; every break in the sealed history). ``notes`` says
        which logs predate sealing."""
        seal = self.store._seal
        key, why = seal.try_key()
        paths, listed, problems = seal.files_to_verify(key)
        if key is None:
            problems.insert(0, seal.unchecked(why))
        entries: list[dict[str, Any]] = []
        notes: list[str] = []
        current: dict[Path, tuple] = {}
        for path in paths:
            seq = listed.get(seal.rel(path))
            signature = (_stat(history_path(path)), _stat(path), key is not None, seq)
            kept = self._logs.get(path)
            if kept is None or kept[0] != signature:
                kept = (signature, seal.verify_file(path, key, self.store._log(path) if signature[0] is not None else None, seq))
            current[path] = kept
            report = kept[1]
            entries.extend(report.entries)
            problems.extend(report.problems)
            notes.extend(report.notes)
        self._logs = current
        self.notes = notes
        entries.sort(key=lambda e: (instant(e["at"]), e["seq"]), reverse=True)
        return entries, problems


class HistoryPager:
    """The whole history, newest first, a page at a time (变更历史分页): for the History screen.

    :meth:`refresh` verifies what changed since the last verification (by any process: see
    :class:`~coordtui.store.seal.VerifiedCache`) and learns from it, per log, the time of its
    newest entry; :meth:`more` then reads logs newest first, only as many as the next page
    needs: an entry is handed out once no unread log can hold a newer one. Logs read are kept
    while their file state is unchanged, so a refresh after one save reads one log again.
    """

    #: How many logs, those holding the newest entries, the index a refresh keeps for :meth:`quick` names.
    NEWEST = 1000

    def __init__(self, store: Store) -> None:
        self.store = store
        self.problems: list[str] = []
        #: After :meth:`quick`, until :meth:`refresh`: the sort key of the newest entry of the logs
        #: the index does not name; no entry at or before it is handed out (an unnamed log may
        #: hold a newer one).
        self._floor: tuple[float, str] | None = None
        self._index = NewestLogs(store.root)
        # (each log named by its data file, relative to the store, as the verification names it)
        self._logs: dict[str, tuple[list[Any] | None, list[dict[str, Any]]]] = {}  # rel -> (state, entries)
        self._states: dict[str, list[Any] | None] = {}
        self._unread: list[tuple[tuple[float, str], str]] = []  # by newest entry, the newest last
        self._pending: list[tuple[float, int, int, dict[str, Any]]] = []  # a heap, newest first
        self._tick = 0

    def refresh(self) -> list[str]:
        """Verify what changed and start again from the newest entry; returns every break in the sealed history."""
        seal = self.store._seal
        key, why = seal.try_key()
        raw = _manifest_bytes(self.store.root)  # (read first: a commit after it is in the next quick start's tail)
        rels, listed, problems = seal.rels_to_verify(key, raw)
        if key is None:
            problems.insert(0, seal.unchecked(why))
        found, logs = VerifiedCache(seal).refresh(key, rels, listed)
        self.problems = problems + found
        self._states = {rel: state for rel, (state, _, _) in logs.items()}
        self._logs = {rel: kept for rel, kept in self._logs.items() if rel in logs and kept[0] == logs[rel][0] and kept[0] is not None}
        self._unread = sorted((_sort_key(newest), rel) for rel, (_, newest, count) in logs.items() if count)
        self._pending = []
        self._floor = None
        if raw is not None:
            self._index.save(raw, self._unread, self.NEWEST)
        return self.problems

    def quick(self) -> bool:
        """Start from the newest entry before anything is verified (for a first page at once, with
        :meth:`refresh` to follow): from the index the last refresh kept of the :data:`NEWEST` logs
        holding the newest entries (:class:`NewestLogs`), and first the logs that the manifest's
        lines appended since say commits changed. :meth:`more` then hands out only the entries newer
        than every log the index does not name. False, and nothing changed, where there is no index
        to trust (none yet, another store's, not sealed with the store's key, or the manifest
        written whole since): then :meth:`refresh` is the way in.

        Nothing is verified here, and a log changed outside coordtui is not looked for: that is
        :meth:`refresh`'s, which is to follow (the History screen shows the page, then verifies and
        shows it again with what verifying found)."""
        raw = _manifest_bytes(self.store.root)
        found = self._index.load(raw) if raw is not None else None
        if found is None:
            return False
        logs, floor, changed = found
        unread = sorted((key, rel) for key, rel in logs if rel not in changed)
        unread.extend(((float("inf"), ""), rel) for rel in sorted(changed, reverse=True))  # read first: they may hold anything
        self._unread, self._floor, self._pending, self._states, self.problems = unread, floor, [], {}, []
        return True

    def more(self, n: int) -> list[dict[str, Any]]:
        """The next ``n`` entries, newest first (by instant, then seq); fewer at the end, [] after it."""
        page: list[dict[str, Any]] = []
        while len(page) < n and (self._pending or self._unread):
            if self._unread:
                _, rel = self._unread.pop()
                for e in self._entries(rel):
                    self._tick += 1
                    heapq.heappush(self._pending, (-instant(e["at"]).timestamp(), -e["seq"], self._tick, e))
            bound = self._unread[-1][0][0] if self._unread else None
            if self._floor is not None and (bound is None or bound < self._floor[0]):
                bound = self._floor[0]  # (after quick: the logs not named may hold anything up to it)
            while self._pending and len(page) < n and (bound is None or -self._pending[0][0] > bound):
                page.append(heapq.heappop(self._pending)[3])
            if not self._unread and self._floor is not None:
                break  # as far as the index reaches, until refresh
        return page

    def _entries(self, rel: str) -> list[dict[str, Any]]:
        kept = self._logs.get(rel)
        state = self._states.get(rel)
        if kept is not None and kept[0] == state:
            return kept[1]
        entries = [e for e in self.store._log(self.store.root / rel) if well_formed(e)]
        if state is not None:
            self._logs[rel] = (state, entries)
        return entries


def _manifest_bytes(root: Path) -> bytes | None:
    try:
        return read_nofollow(root / MANIFEST)
    except OSError:
        return None


class NewestLogs(SealedCache):
    """The logs holding the newest entries, as a refresh of :class:`HistoryPager` found them
    (``cache/history/newest.json``, sealed like every cache file): per log its data file and the
    sort key of its newest entry, the newest :data:`HistoryPager.NEWEST` of them; the sort key of
    the newest entry of all the others (the floor); and the manifest as it was then (a digest of
    its first line, which is written anew whenever the manifest is written whole, and its length).

    A commit appends a line to the manifest naming the files it changed, so the lines after that
    length name every log a commit changed since: :meth:`load` gives them with the index, which
    then says where the newest entries are without a look at every file (at 1,000,000 records
    that look, two lstat calls for each of 84,000 files, takes most of a second)."""

    FOLDER = "history"
    PURPOSE = "history-newest"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._known: dict[str, Any] | None = None  # what the file holds, as this instance last read or wrote it

    def _path(self) -> Path:
        return self.folder / "newest.json"

    def save(self, manifest: bytes, unread: list[tuple[tuple[float, str], str]], count: int) -> None:
        """Keep the ``count`` newest of ``unread`` (sorted, the newest last) for ``manifest``."""
        if self.key is None:
            return
        head = manifest.partition(b"\n")[0]
        newest = unread[-count:]
        header = {"manifest": [hashlib.sha256(head).hexdigest(), len(manifest)],
                  "logs": [[rel, list(key)] for key, rel in newest],
                  "floor": list(unread[-count - 1][0]) if len(unread) > count else None}
        if header != self._known and self._write_sealed(self._path(), ("newest",), header):
            self._known = header  # (a refresh that found nothing new does not write it again)

    def load(self, manifest: bytes) -> tuple[list[tuple[tuple[float, str], str]], tuple[float, str] | None, set[str]] | None:
        """(the logs, newest last, and their sort keys; the floor; the files the manifest's lines
        appended since name) for ``manifest`` as it is now; None where the index is not for it."""
        found = self._read_sealed(self._path(), ("newest",))
        if found is None:
            return None
        header = self._known = found[0]
        try:
            digest, size = header["manifest"]
            logs = [((float(key[0]), str(key[1])), rel) for rel, key in header["logs"] if isinstance(rel, str)]
            floor = header["floor"]
            floor = None if floor is None else (float(floor[0]), str(floor[1]))
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        head = manifest.partition(b"\n")[0]
        if not isinstance(size, int) or len(manifest) < size or digest != hashlib.sha256(head).hexdigest():
            return None
        changed: set[str] = set()
        for line in manifest[size:].split(b"\n"):
            if not line.strip():
                continue
            try:
                change = orjson.loads(line)
            except orjson.JSONDecodeError:
                return None  # (a line being written, or the manifest not as coordtui writes it: refresh)
            named = change.get("set") if isinstance(change, dict) else None
            if not isinstance(named, dict):
                return None
            changed.update(rel for rel in named if isinstance(rel, str))
        return logs, floor, changed


def _sort_key(at: str | None) -> tuple[float, str]:
    return (instant(at).timestamp() if at is not None else float("-inf"), at or "")


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
