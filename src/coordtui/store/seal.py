"""Sealed history (封存的变更历史): a history nobody can quietly rewrite.

A hash chain shows an entry edited, removed or reordered, but anyone who can write the
log can also recompute every hash. So each entry also carries a seal, an HMAC-SHA256
under a key the store's files do not hold: it lives in the owning account's
configuration folder (``~/.config/coordtui/keys/<store id>.key``, 0600). Without the key
nobody can write an entry that verifies.

What a log alone cannot show (its last lines cut off, the log deleted, the data file
edited or deleted) is caught by two more sealed records, both rewritten by the commits
that happen anyway:

- each data file ends with a sealed head (``_head``): the seq and hash of its log's last
  entry and a digest of the file's records, so a cut tail, a deleted log or a record
  changed by hand no longer matches;
- ``manifest.json`` lists every data file with the seq of its head, sealed, and is
  rewritten in every commit, so a data file deleted together with its log is missed, and
  so is a file put back, with its log cut to match, to an earlier sealed version (the
  store's own backups hold such versions).

Both grow by appending (schema 6): a save appends to its data file one line of the records it
changed with the file's new head, whose digest chains from the head before over that line alone
(files.chain_digest), and to the manifest one line of the entries it moves on, sealed chained from
the seal before (:meth:`Seal._line_seal`); past a bound either is written whole again. A line
changed, removed, reordered or repeated breaks its chain; a last line removed leaves an earlier
sealed version, which the manifest (or the history log) no longer matches.

A store of the version before sealing is upgraded by its owner: its existing chain is
sealed by the heads written then (``unsealed`` records up to which entry the log carries
no seals of its own).
"""

from __future__ import annotations

import grp
import hashlib
import hmac
import os
import pwd
import secrets
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from coordtui.errors import StoreError
from coordtui.i18n import Bilingual as Problem
from coordtui.i18n import os_reason
from coordtui.store.files import _signature as _file_signature
from coordtui.store.files import (
    HEAD,
    chain_digest,
    commit_files,
    data_file_bytes,
    dump,
    line_bytes,
    modes_at,
    parse_data,
    parse_store_file,
    read_nofollow,
    split_lines,
    write_cache_file,
)

MANIFEST = "manifest.json"
#: The store's disposable cache folder (``cache/``): what a fresh process need not compute again.
CACHE = "cache"
#: In it: what verifying each data file and its log found, keyed by their file states, sealed.
VERIFIED = "verified.json"
HISTORY_SUFFIX = ".history.jsonl"
KEY_BYTES = 32
#: Shown once per log by ``coordtui verify`` for a store sealed by an upgrade.
UNSEALED_NOTE = "entries 1–{n} predate sealed history: they are hash-chained (and pinned by the sealed head) but carry no seal of their own"
UNSEALED_NOTE_ZH = "第 1–{n} 项变更早于封存机制：它们有哈希链（并由封存头固定），但各自没有封印"


def history_path(path: Path) -> Path:
    """The append-only history log beside a data file: ``2026-03.json`` -> ``2026-03.history.jsonl``."""
    return path.with_name(path.name[: -len(".json")] + HISTORY_SUFFIX)


_HASHED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def entry_hash(entry: dict[str, Any]) -> str:
    """The SHA-256 of an entry without its ``hash`` and ``seal``, over its JSON with sorted keys."""
    if "hash" in entry or "seal" in entry:  # an entry read back: hashed without them
        body = dict(entry)
        body.pop("hash", None)
        body.pop("seal", None)
        entry = body
    # (An entry being written has neither yet: hashed as it is, without a copy: 10,000 of them per
    # 10,000-row import, on every save.)
    return hashlib.sha256(orjson.dumps(entry, option=_HASHED)).hexdigest()


_MIN = datetime.min.replace(tzinfo=timezone.utc)


def instant(at: Any) -> datetime:
    """The moment an entry's ``at`` names: new entries are UTC (``…Z``), older ones carry an offset
    (``+08:00``); a time that does not parse sorts first."""
    if not isinstance(at, str):
        return _MIN
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return _MIN
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def well_formed(e: Any) -> bool:
    """An entry coordtui could have written: the fields verification and the screens rely on, of the right types."""
    return (isinstance(e, dict) and type(e.get("seq")) is int and e["seq"] >= 1 and isinstance(e.get("hash"), str)
            and isinstance(e.get("prev"), str) and isinstance(e.get("at"), str) and isinstance(e.get("kind"), str)
            and isinstance(e.get("id"), str) and isinstance(e.get("op"), str)
            and isinstance(e.get("before"), (dict, type(None))) and isinstance(e.get("after"), (dict, type(None))))


def read_log(log: Path) -> list[Any] | None:
    """The lines of a history log, parsed (None for a line that is not JSON); None when there is no log."""
    try:
        raw = read_nofollow(log)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{log}: cannot read the history log ({exc.strerror}): check its permissions",
                         message_zh=f"{log}：无法读取变更历史日志（{os_reason(exc)}）：请检查其权限") from None
    entries: list[Any] = []
    for line in raw.splitlines():
        if line.strip():
            try:
                entries.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                entries.append(None)
    return entries


# keys ----------------------------------------------------------------------------

def key_path(store_id: str) -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("coordtui")) / "keys" / f"{store_id}.key"


def create_key(store_id: str, gid: int | None = None) -> Path:
    """Make the store's key on first use: folder 0700 and file 0600 (a group store's: 0750 and 0640, group-owned)."""
    path = key_path(store_id)
    folder_mode, file_mode = (0o750, 0o640) if gid is not None else (0o700, 0o600)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, folder_mode)
        if gid is not None:
            os.chown(path.parent, -1, gid)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), file_mode)
        try:
            os.fchmod(fd, file_mode)
            if gid is not None:
                os.fchown(fd, -1, gid)
            os.write(fd, secrets.token_hex(KEY_BYTES).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"{path}: cannot make the store's seal key ({exc.strerror}): check the permissions of {path.parent}",
                         message_zh=f"{path}：无法生成本数据存储的封存密钥（{os_reason(exc)}）：请检查 {path.parent} 的权限") from None
    return path


def load_key(store_id: str) -> bytes:
    path = key_path(store_id)
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            st = os.fstat(fd)
            raw = os.read(fd, 4096)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot read this store's seal key ({exc.strerror}): only the account that owns the store, or a member "
            "of a group store given the key, can save; nothing was saved",
            message_zh=f"{path}：无法读取本数据存储的封存密钥（{exc.strerror}）：只有其所有者（或持有密钥的小组成员）可以保存；未保存任何内容",
        ) from None
    if st.st_mode & stat.S_IRWXO:
        raise StoreError(f"{path}: the store's seal key is readable by every account: make it private (chmod 600 {path}) "
                         "and run 'coordtui verify', since anyone could have resealed a rewritten history",
                         message_zh=f"{path}：本数据存储的封存密钥所有账户都能读取：请将其设为私有（chmod 600 {path}）并运行 "
                                    "coordtui verify，因为任何人都可能已重新封存被改写的历史")
    key = raw.strip()
    if len(key) < KEY_BYTES:
        raise StoreError(f"{path}: this is not a coordtui seal key (too short): put the store's key back from your backup",
                         message_zh=f"{path}：这不是 coordtui 的封存密钥（太短）：请从备份中恢复本数据存储的密钥")
    return key


def _mac(key: bytes, *parts: Any) -> str:
    return hmac.digest(key, "\x1f".join(map(str, parts)).encode("utf-8"), "sha256").hex()  # one-shot: a fifth of hmac.new's time


class _EntrySeal:
    """``_mac(key, "entry", store_id, rel_log, hash)`` for the entries of one log: the key and the
    parts before the hash are taken into an HMAC once, and each entry's seal continues a copy of it
    (half the time of the one-shot, which prepares the key again for every entry)."""

    __slots__ = ("_base",)

    def __init__(self, key: bytes, store_id: str, rel_log: str) -> None:
        self._base = hmac.new(key, "\x1f".join(("entry", store_id, rel_log, "")).encode("utf-8"), "sha256")

    def __call__(self, hash_: Any) -> str:
        mac = self._base.copy()
        mac.update(str(hash_).encode("utf-8"))
        return mac.hexdigest()


class _ManifestText:
    """The text the manifest's seal is computed over (``Seal._manifest_seal``), kept entry by entry:
    a commit that moves a few files' seqs on changes those entries and joins the text again,
    instead of formatting all of them (a store of 100,000 records lists ~9,000 files)."""

    __slots__ = ("pos", "pieces", "moved")

    def __init__(self, files: dict[str, int]) -> None:
        """``files`` in name order."""
        self.pos = {rel: n for n, rel in enumerate(files)}
        self.pieces = list(map("{}={}".format, files, files.values()))
        #: entries whose seqs moved on since ``pieces`` was made (rel -> seq): applied when sealed
        self.moved: dict[str, int] = {}

    def changed(self, seqs: dict[str, int]) -> "_ManifestText":
        """A copy with the entries of ``seqs`` (all already listed) at their new seqs. The pieces
        are shared, not copied (~9,000 at 100,000 records, a copy and a free of them each save):
        the entries moved are kept beside them until the text is sealed."""
        new = object.__new__(_ManifestText)
        new.pos, new.pieces, new.moved = self.pos, self.pieces, self.moved | seqs
        return new

    def settled(self) -> "_ManifestText":
        """The same text with the entries moved in its pieces (made when the manifest is written
        whole, so that what is kept beside the pieces stays the few entries of the lines since)."""
        if not self.moved:
            return self
        new = object.__new__(_ManifestText)
        new.pos, new.pieces, new.moved = self.pos, list(self.pieces), {}
        for rel, seq in self.moved.items():
            new.pieces[self.pos[rel]] = f"{rel}={seq}"
        return new

    def seal(self, key: bytes, store_id: str) -> str:
        return hmac.digest(key, "\x1f".join(["manifest", store_id, *self.settled().pieces]).encode("utf-8"), "sha256").hex()


def _manifest_line_ok(change: Any) -> bool:
    """A line appended to the manifest as coordtui writes it: its changed entries (in name order) and its seal."""
    return (isinstance(change, dict) and list(change) == ["set", "seal"] and isinstance(change["seal"], str)
            and isinstance(change["set"], dict) and list(change["set"]) == sorted(change["set"])
            and all(isinstance(k, str) and type(v) is int for k, v in change["set"].items()))


#: The manifest is written whole again past this many appended lines, or past a quarter of its first line.
MANIFEST_LINES = 256


def _same(a: Any, b: str) -> bool:
    return isinstance(a, str) and hmac.compare_digest(a, b)


# the store's sealed records ---------------------------------------------------------

def data_files(root: Path) -> list[Path]:
    """Every data file on disk (orgs.json, people.json, data/<org>/<part>.json), symbolic links included."""
    return [root / rel for rel in data_rels(root)]


def data_rels(root: Path) -> list[str]:
    """:func:`data_files` as names relative to ``root`` (``orgs.json``, ``data/<org>/<part>.json``),
    in the same order: what a verification keys its files by, made without a Path per file
    (thousands of them at 100,000 records, each built and hashed again)."""
    text = os.fspath(root).rstrip("/") or "/"
    rels = [name for name in ("orgs.json", "people.json") if os.path.lexists(os.path.join(text, name))]
    try:
        orgs = sorted(os.listdir(os.path.join(text, "data")))
    except (FileNotFoundError, NotADirectoryError):
        orgs = []
    for org in orgs:
        try:
            names = sorted(os.listdir(os.path.join(text, "data", org)))
        except (NotADirectoryError, FileNotFoundError):
            continue
        prefix = f"data/{org}/"
        rels.extend(prefix + n for n in names if n.endswith(".json") and not n.startswith("."))
    return rels


def split_head(raw: bytes, data: dict[str, Any]) -> tuple[bytes, Any] | None:
    """(the file's bytes before its head, the head) when the head is the file's last key as coordtui writes it."""
    head = data.get(HEAD)
    idx = raw.rfind(b'"' + HEAD.encode() + b'":')
    if head is None or idx < 0:
        return None
    try:
        if raw[idx:].rstrip() != b'"' + HEAD.encode() + b'":' + dump(head) + b"}":
            return None
    except orjson.JSONEncodeError:
        return None
    prefix = raw[:idx]
    return (prefix[:-1] if prefix.endswith(b",") else prefix), head


_HEAD_KEY = b'"' + HEAD.encode() + b'":'


def _split_line(line: bytes) -> tuple[bytes, Any] | None:
    """(a data file line's bytes before its head, the head) when the head is its last key as coordtui writes it."""
    idx = line.rfind(_HEAD_KEY)
    if idx < 0 or not line.endswith(b"}"):
        return None
    text = line[idx + len(_HEAD_KEY):-1]
    try:
        head = orjson.loads(text)
        if dump(head) != text:
            return None
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    prefix = line[:idx]
    return (prefix[:-1] if prefix.endswith(b",") else prefix), head


def _head_shaped(head: Any) -> bool:
    return (isinstance(head, dict) and type(head.get("seq")) is int and isinstance(head.get("hash"), str)
            and type(head.get("unsealed")) is int and isinstance(head.get("digest"), str))


def _digest(prefix: bytes) -> str:
    return hashlib.sha256(prefix).hexdigest()


@dataclass
class FileReport:
    """What verification found for one data file and its log."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


class Seal:
    """The sealing of one store folder: its key, the heads of its data files, its manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._prefix = os.fspath(root).rstrip("/") + "/"
        self._store_id: str | None = None
        self._key: bytes | None = None
        self._heads: dict[Path, tuple[tuple[int, ...], tuple[int, str, int]]] = {}
        #: (its bytes: the first and each line appended since, what it lists, its last seal, the
        #: length of its first line, how many lines were appended to it)
        self._manifest: tuple[list[bytes], dict[str, int], str, int, int] | None = None
        self._manifest_text: _ManifestText | None = None  # the text its seal is over, when _manifest is ours
        self._manifest_signature: tuple[int, ...] | None = None  # its signature as this process's last commit left it
        self._pending_manifest: dict[str, int] = {}
        self._pending_text: _ManifestText | None = None
        self.pending_change: tuple[dict[str, int], str] | None = None
        self._entry_seals: dict[Path, _EntrySeal] = {}  # data file -> the sealing of its log's entries (under self.key())
        self._pending_raw: list[bytes] = []
        self._pending_seal: str = ""
        self._pending_extent: tuple[int, int] = (0, 0)

    # identity and key --------------------------------------------------------
    def rel(self, path: Path) -> str:
        text, prefix = os.fspath(path), self._prefix
        if text.startswith(prefix) and "/./" not in text and "//" not in text[len(prefix):]:
            return text[len(prefix):]  # the common case, without pathlib (thousands of files per verification)
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @property
    def store_id(self) -> str:
        if self._store_id is None:
            meta = parse_store_file(self.root / "meta.json", read_nofollow(self.root / "meta.json"))
            sid = meta.get("store_id")
            if not isinstance(sid, str) or not sid.isalnum():
                raise StoreError(f"{self.root / 'meta.json'}: the store has no valid store id (edited by hand?): "
                                 f"put meta.json back from a backup ('coordtui restore --db {self.root} meta.json')",
                                 message_zh=f"{self.root / 'meta.json'}：数据存储没有有效的标识（被手工修改过？）：请用备份恢复 "
                                            f"meta.json（coordtui restore --db {self.root} meta.json）")
            self._store_id = sid
        return self._store_id

    def key(self) -> bytes:
        """The store's key; StoreError (one line) when this account cannot read it."""
        if self._key is None:
            self._key = load_key(self.store_id)
        return self._key

    def try_key(self) -> tuple[bytes | None, Problem]:
        """(the key, "") or (None, why it cannot be read, in both languages)."""
        try:
            return self.key(), Problem("")
        except StoreError as exc:
            return None, Problem(exc.message, exc.message_zh)

    @staticmethod
    def unchecked(why: Problem) -> Problem:
        """The problem that heads a verification without the key."""
        return Problem(f"the history's seals were not checked: {why}", f"变更历史的封印未能核对：{why.zh}")

    def seal_entry(self, path: Path, entry: dict[str, Any]) -> None:
        sealer = self._entry_seals.get(path)
        if sealer is None:
            sealer = self._entry_seals[path] = _EntrySeal(self.key(), self.store_id, self.rel(history_path(path)))
        entry["seal"] = sealer(entry["hash"])

    def _head_seal(self, key: bytes, path: Path, seq: int, hash_: str, unsealed: int, digest: str) -> str:
        return _mac(key, "head", self.store_id, self.rel(path), seq, hash_, unsealed, digest)

    def _manifest_seal(self, key: bytes, files: dict[str, int], *, in_order: bool = False) -> str:
        """The manifest's MAC over its entries in name order (``in_order``: ``files`` already is).
        The same value as ``_mac(key, "manifest", store_id, "rel=seq", ...)``, built without a
        Python loop per entry: a store of 100,000 records lists ~9,000 files, sealed on every save."""
        rels = list(files) if in_order else sorted(files)
        message = "\x1f".join(["manifest", self.store_id, *map("{}={}".format, rels, map(files.__getitem__, rels))])
        return hmac.digest(key, message.encode("utf-8"), "sha256").hex()

    # writing ------------------------------------------------------------------
    def encode(self, path: Path, data: dict[str, Any], seq: int, hash_: str, unsealed: int,
               body: bytes | None = None) -> tuple[bytes, dict[str, Any]]:
        """The bytes of a data file: its records, then its sealed head. ``body``: the records
        already serialized (``dump`` of ``data`` without its head), where the caller has them."""
        if body is None:
            body = dump({k: v for k, v in data.items() if k != HEAD})
        prefix = body[:-1]
        digest = _digest(prefix)
        head = {"seq": seq, "hash": hash_, "unsealed": unsealed, "digest": digest,
                "seal": self._head_seal(self.key(), path, seq, hash_, unsealed, digest)}
        return data_file_bytes(prefix, head), head

    def encode_line(self, path: Path, prefix: bytes, previous: str, seq: int, hash_: str, unsealed: int) -> tuple[bytes, dict[str, Any]]:
        """One save's line appended to a data file (see files.line_bytes) whose head's digest is
        ``previous``: its head's digest chained from it over ``prefix`` (files.chain_digest)."""
        digest = chain_digest(previous, prefix)
        head = {"seq": seq, "hash": hash_, "unsealed": unsealed, "digest": digest,
                "seal": self._head_seal(self.key(), path, seq, hash_, unsealed, digest)}
        return line_bytes(prefix, head), head

    def check_head(self, path: Path, raw: bytes, data: dict[str, Any], key: bytes | None) -> tuple[dict[str, Any] | None, list[Problem]]:
        """(the head when it can be trusted, the problems with it).

        A file with appended saves: each line's head where coordtui writes it and, with the key,
        sealed; the first line's digest its records', each later one chained from the one before
        over its line (files.chain_digest). A line changed, removed, reordered, repeated or cut
        breaks the chain."""
        rel = self.rel(path)
        nl = raw.find(b"\n")
        if nl >= 0 and raw[nl:].strip():
            return self._check_lines(path, rel, raw, data, key)
        split = split_head(raw, data)
        if split is None:
            if HEAD in data:
                return None, [Problem(f"{rel}: was rewritten outside coordtui (its sealed head is not where coordtui writes it)",
                                      f"{rel}：在 coordtui 之外被改写（其封存头不在 coordtui 写入的位置）")]
            return None, [Problem(f"{rel}: has no sealed head (written outside coordtui)", f"{rel}：没有封存头（在 coordtui 之外写入）")]
        prefix, head = split
        if not (isinstance(head, dict) and type(head.get("seq")) is int and isinstance(head.get("hash"), str)
                and type(head.get("unsealed")) is int and isinstance(head.get("digest"), str)):
            return None, [Problem(f"{rel}: its sealed head is malformed (written outside coordtui)", f"{rel}：其封存头格式不对（在 coordtui 之外写入）")]
        problems = []
        if key is not None and not _same(head.get("seal"), self._head_seal(key, path, head["seq"], head["hash"], head["unsealed"], head["digest"])):
            return None, [Problem(f"{rel}: its sealed head does not match its seal (written outside coordtui)",
                                  f"{rel}：其封存头与封印不符（在 coordtui 之外写入）")]
        if _digest(prefix) != head["digest"]:
            problems.append(Problem(f"{rel}: its records were changed outside coordtui (they are not the ones its sealed head records)",
                                    f"{rel}：其中的记录在 coordtui 之外被修改（与封存头记载的不符）"))
        return head, problems

    def _check_lines(self, path: Path, rel: str, raw: bytes, data: dict[str, Any], key: bytes | None
                     ) -> tuple[dict[str, Any] | None, list[Problem]]:
        digest: str | None = None
        head: Any = None
        blank = next((n for n, line in enumerate(raw.split(b"\n")[1:], 2) if not line.strip()), None)
        if blank is not None:  # (coordtui writes none: each save's line is one JSON object, the file ends with it)
            return None, [Problem(f"{rel}: its line {blank} is blank (put in outside coordtui: every line coordtui appends is a save)",
                                  f"{rel}：其第 {blank} 行是空行（在 coordtui 之外加入：coordtui 追加的每一行都是一次保存）")]
        for line in split_lines(raw):
            split = _split_line(line)
            if split is None:
                return None, [Problem(f"{rel}: was rewritten outside coordtui (its sealed head is not where coordtui writes it)",
                                      f"{rel}：在 coordtui 之外被改写（其封存头不在 coordtui 写入的位置）")]
            prefix, head = split
            if not _head_shaped(head):
                return None, [Problem(f"{rel}: its sealed head is malformed (written outside coordtui)", f"{rel}：其封存头格式不对（在 coordtui 之外写入）")]
            if key is not None and not _same(head.get("seal"), self._head_seal(key, path, head["seq"], head["hash"], head["unsealed"], head["digest"])):
                return None, [Problem(f"{rel}: its sealed head does not match its seal (written outside coordtui)",
                                      f"{rel}：其封存头与封印不符（在 coordtui 之外写入）")]
            try:
                digest = _digest(prefix) if digest is None else chain_digest(digest, prefix)
            except ValueError:
                digest = ""
            if digest != head["digest"]:
                return head if head == data.get(HEAD) else None, [Problem(
                    f"{rel}: its records were changed outside coordtui (they are not the ones its sealed head records)",
                    f"{rel}：其中的记录在 coordtui 之外被修改（与封存头记载的不符）")]
        if head != data.get(HEAD):
            return None, [Problem(f"{rel}: was rewritten outside coordtui (its sealed head is not where coordtui writes it)",
                                  f"{rel}：在 coordtui 之外被改写（其封存头不在 coordtui 写入的位置）")]
        return head, []

    def tail(self, path: Path) -> tuple[int, str, int]:
        """(seq, hash, unsealed) a new entry of ``path`` chains to, from its verified head.

        Refuses (StoreError) a data file whose head does not verify: saving would seal what
        someone changed by hand and erase the evidence.
        """
        rel = self.rel(path)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            log = history_path(path)
            if os.path.lexists(log) and os.lstat(log).st_size > 0:
                raise StoreError(f"{rel}: is missing but its history log is there (deleted outside coordtui?): nothing was saved; "
                                 f"see 'coordtui verify --db {self.root}'",
                                 message_zh=f"{rel}：文件不见了，但其变更历史日志还在（在 coordtui 之外被删除？）：未保存任何内容；"
                                            f"请运行 coordtui verify --db {self.root}") from None
            return 0, "", 0
        signature = _file_signature(st, path)
        kept = self._heads.get(path)
        if kept is not None and kept[0] == signature:
            return kept[1]
        try:
            raw = read_nofollow(path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the store file ({exc.strerror}): check that it is a file, not a link",
                             message_zh=f"{path}：无法读取数据存储文件（{os_reason(exc)}）：请确认它是文件而不是链接") from None
        head, problems = self.check_head(path, raw, parse_store_file(path, raw), self.key())
        if head is None or problems:
            why = problems[0] if problems else Problem(f"{rel}: has no sealed head", f"{rel}：没有封存头")
            raise StoreError(f"{why}: nothing was saved; see 'coordtui verify --db {self.root}', then put the file back from "
                             f"a backup ('coordtui restore --db {self.root} {rel}')",
                             message_zh=f"{why.zh}：未保存任何内容：请运行 coordtui verify --db {self.root}，再用备份恢复该文件"
                                        f"（coordtui restore --db {self.root} {rel}）")
        value = (head["seq"], head["hash"], head["unsealed"])
        self._heads[path] = (signature, value)
        return value

    def manifest_files(self, key: bytes | None, raw: bytes | None = None) -> tuple[dict[str, int] | None, Problem]:
        """(data file -> the seq of its head, as the sealed manifest lists them; a problem); None when it cannot be trusted.
        ``raw``: the manifest's bytes when the caller has read them."""
        path = self.root / MANIFEST
        try:
            raw = read_nofollow(path) if raw is None else raw
        except FileNotFoundError:
            return None, Problem(f"{MANIFEST}: is missing (deleted outside coordtui): the list of the store's data files cannot be checked",
                                 f"{MANIFEST}：不见了（在 coordtui 之外被删除）：无法核对数据存储的数据文件清单")
        except OSError as exc:
            return None, Problem(f"{MANIFEST}: cannot be read ({exc.strerror})", f"{MANIFEST}：无法读取（{os_reason(exc)}）")
        lines = raw.split(b"\n")
        try:
            body = orjson.loads(lines[0])
            changes = [orjson.loads(line) for line in lines[1:] if line.strip()]
        except orjson.JSONDecodeError:
            return None, Problem(f"{MANIFEST}: is unreadable (written outside coordtui)", f"{MANIFEST}：无法解读（在 coordtui 之外写入）")
        files = body.get("files") if isinstance(body, dict) else None
        if (not isinstance(files, dict) or not all(isinstance(k, str) and type(v) is int for k, v in files.items())
                or not all(_manifest_line_ok(c) for c in changes)):
            return None, Problem(f"{MANIFEST}: is malformed (written outside coordtui)", f"{MANIFEST}：格式不对（在 coordtui 之外写入）")
        seal = body.get("seal")
        if key is not None and not _same(seal, self._manifest_seal(key, files)):
            return None, Problem(f"{MANIFEST}: does not match its seal (written outside coordtui)", f"{MANIFEST}：与其封印不符（在 coordtui 之外写入）")
        files = self._apply_manifest_lines(key, files, seal, changes)
        if files is None:
            return None, Problem(f"{MANIFEST}: does not match its seal (written outside coordtui)", f"{MANIFEST}：与其封印不符（在 coordtui 之外写入）")
        return files, Problem("")

    def _line_seal(self, key: bytes, previous: Any, changes: dict[str, int]) -> str:
        """The seal of a line appended to the manifest: chained from the seal before it, over its
        entries in name order (the manifest's first line is sealed over all of them, as before)."""
        return _mac(key, "manifest-line", self.store_id, previous, *map("{}={}".format, changes, changes.values()))

    def _apply_manifest_lines(self, key: bytes | None, files: dict[str, int], seal: Any, changes: list[dict[str, Any]]) -> dict[str, int] | None:
        """``files`` (the manifest's first line) with each appended line's entries, each line's seal
        chained from the one before checked (with ``key``); None when one does not match."""
        for change in changes:
            if key is not None and not _same(change["seal"], self._line_seal(key, seal, change["set"])):
                return None
            files.update(change["set"])
            seal = change["seal"]
        return files

    def manifest_bytes(self, files: dict[str, int], *, in_order: bool = False) -> bytes:
        """The sealed manifest listing ``files`` in name order (``in_order``: ``files`` already is)."""
        if not in_order:
            files = dict(sorted(files.items()))
        return dump({"files": files, "seal": self._manifest_seal(self.key(), files, in_order=True)})

    def _listed(self, quiet: bool = False) -> dict[str, int]:
        """The verified manifest, for a commit (StoreError when it does not verify). Under the lock,
        so the file itself is read every time (no signature can be trusted on a file system with
        coarse timestamps), unless ``quiet`` (the commit journal is as this process's last commit
        left it, and the manifest's signature is the one that commit left: see
        files.FileCache.read_fresh); it is verified again only when its bytes differ from the last
        ones, and only its lines appended since when they begin with them.

        The dict returned is the one this Seal keeps (not a copy: ~9,000 entries at 100,000
        records, copied and freed each save): the commit changes it in place, so a commit that
        fails after :meth:`commit_bytes` must call :meth:`abandon`."""
        path = self.root / MANIFEST
        known = self._manifest
        if quiet and known is not None and self._manifest_signature is not None:
            try:
                if _file_signature(os.lstat(path)) == self._manifest_signature:
                    return known[1]
            except OSError:
                pass
        try:
            raw = read_nofollow(path)
        except FileNotFoundError:
            raw = None
        except OSError as exc:
            raise StoreError(f"{MANIFEST}: cannot be read ({exc.strerror}): nothing was saved",
                             message_zh=f"{MANIFEST}：无法读取（{os_reason(exc)}）：未保存任何内容") from None
        if known is not None and raw is not None:
            if len(known[0]) > 1:
                known[0][:] = [b"".join(known[0])]
            before = known[0][0]
            if before == raw:
                return known[1]
            if len(raw) > len(before) and raw[len(before)] == 10 and raw.startswith(before):
                # Lines another process appended since: only they are checked
                try:
                    changes = [orjson.loads(line) for line in raw[len(before) + 1:].split(b"\n") if line.strip()]
                except orjson.JSONDecodeError:
                    changes = [None]
                if all(_manifest_line_ok(c) for c in changes):
                    listed = self._apply_manifest_lines(self.key(), dict(known[1]), known[2], changes)
                    if listed is not None:
                        self._manifest = ([raw], listed, changes[-1]["seal"] if changes else known[2], known[3], known[4] + len(changes))
                        self._manifest_text = None
                        return listed
        listed, problem = self.manifest_files(self.key(), raw)
        if listed is None:
            raise StoreError(f"{problem}: nothing was saved; see 'coordtui verify --db {self.root}'",
                             message_zh=f"{problem.zh}：未保存任何内容；请运行 coordtui verify --db {self.root}")
        if raw is not None:
            lines = [line for line in raw.split(b"\n") if line.strip()]
            self._manifest = ([raw], listed, orjson.loads(lines[-1])["seal"], len(raw.split(b"\n", 1)[0]), len(lines) - 1)
            self._manifest_text = None
        return listed

    def commit_bytes(self, stage: dict[Path, dict], history: dict[Path, list[dict]],
                     tails: dict[Path, tuple[int, str, int]] | None = None,
                     bodies: dict[Path, bytes] | None = None,
                     lines: dict[Path, tuple[bytes, str]] | None = None, quiet: bool = False) -> tuple[dict[Path, bytes], dict[Path, bytes]]:
        """The bytes one commit writes: each staged data file with its new sealed head, each log's new
        lines, and the manifest with the new heads' seqs. The staged dicts get their new heads.
        ``tails`` gives (seq, hash, unsealed) for files whose own head is not to be read (a restore);
        ``bodies`` the records of some staged files already serialized (see :meth:`encode`);
        ``quiet``: see :meth:`_listed`. The manifest too is appended to (a line of the entries the
        commit changes, its seal chained from the one before: :meth:`_line_seal`) until its lines
        pass their bound, then written whole.
        ``lines`` (the line's bytes before its head, the digest of the file's head now) for the
        files saved by appending one line (:meth:`encode_line`) instead of writing them whole:
        their lines are among the appends returned (the second dict), not among the files.

        Refuses (StoreError) a file whose head is not the one the manifest lists: it was put back to
        an earlier version, and saving would seal over that."""
        files: dict[Path, bytes] = {}
        appended: dict[Path, bytes] = {}
        listed = self._listed(quiet)
        changes: dict[str, int] = {}
        for path, data in stage.items():
            entries = history.get(path)
            seq, hash_, unsealed = tails[path] if tails and path in tails else self.tail(path)
            rel = self.rel(path)
            if listed.get(rel, 0) != seq:
                raise StoreError(f"{rel}: its sealed head says entry {seq} but the store's manifest says {listed.get(rel, 0)}: it was put "
                                 f"back to another version outside coordtui; nothing was saved; see 'coordtui verify --db {self.root}'",
                                 message_zh=f"{rel}：其封存头记为第 {seq} 项，而数据存储的清单记为第 {listed.get(rel, 0)} 项：它在 coordtui "
                                            f"之外被换回了另一个版本；未保存任何内容；请运行 coordtui verify --db {self.root}")
            if entries:
                seq, hash_ = entries[-1]["seq"], entries[-1]["hash"]
            if lines and path in lines:
                appended[path], data[HEAD] = self.encode_line(path, lines[path][0], lines[path][1], seq, hash_, unsealed)
            else:
                files[path], data[HEAD] = self.encode(path, data, seq, hash_, unsealed, bodies.get(path) if bodies else None)
            listed[rel] = changes[rel] = seq
        text = self._manifest_text
        known = self._manifest
        changes = dict(sorted(changes.items()))
        if known is not None and known[4] < MANIFEST_LINES and (sum(map(len, known[0])) - known[3]) * 4 <= max(known[3], 4096):
            # The common case: one line appended, its entries sealed chained from the seal before
            seal = self._line_seal(self.key(), known[2], changes)
            line = b"\n" + dump({"set": changes, "seal": seal})
            appended[self.root / MANIFEST] = line
            self._pending_raw = [*known[0], line]
            self._pending_extent = (known[3], known[4] + 1)
            self._pending_text = text.changed(changes) if text is not None and all(rel in text.pos for rel in changes) else None
            self.pending_change = None
        else:
            if text is not None and all(rel in text.pos for rel in changes):
                text = text.changed(changes).settled()  # a few seqs move on, in place
            else:
                listed = dict(sorted(listed.items()))
                text = _ManifestText(listed)
            seal = text.seal(self.key(), self.store_id)
            whole = dump({"files": dict(sorted(listed.items())) if known is not None and known[4] else listed, "seal": seal})
            files[self.root / MANIFEST] = whole
            self._pending_raw = [whole]
            self._pending_extent = (len(whole), 0)
            self._pending_text = text
            #: what the commit journal keeps of the manifest instead of its bytes (see files.commit_files)
            self.pending_change = (changes, seal)
        self._pending_manifest, self._pending_seal = listed, seal
        logs = {history_path(path): b"".join(dump(e) + b"\n" for e in entries) for path, entries in history.items()}
        return files, appended | logs

    def abandon(self) -> None:
        """Forget the manifest kept (:meth:`commit_bytes` changed it in place for a commit that did
        not happen): the next commit reads and verifies it from the file again."""
        self._manifest = None
        self._manifest_text = None
        self._manifest_signature = None
        self.pending_change = None

    def committed(self, stage: dict[Path, dict], signatures: dict[Path, tuple[int, ...] | None] | None = None) -> None:
        """Remember the heads and manifest just written, so that the next save need not re-read and re-hash them.
        ``signatures``: the files' signatures the caller took right after the commit (None for one it has not)."""
        self._manifest = (self._pending_raw, self._pending_manifest, self._pending_seal, *self._pending_extent)
        self._manifest_text = self._pending_text
        try:
            self._manifest_signature = _file_signature(os.lstat(self.root / MANIFEST))
        except OSError:
            self._manifest_signature = None
        for path, data in stage.items():
            head = data.get(HEAD)
            signature = signatures.get(path) if signatures else None
            if signature is None:
                try:
                    signature = _file_signature(os.lstat(path), path)
                except OSError:
                    self._heads.pop(path, None)
                    continue
            self._heads[path] = (signature, (head["seq"], head["hash"], head["unsealed"]))

    # verifying -------------------------------------------------------------------
    def verify_file(self, path: Path, key: bytes | None, lines: list[Any] | None = None, listed: int | None = None) -> FileReport:
        """Every break in one data file and its log: entries edited, removed, reordered, unsealed or
        resealed; a cut tail; a missing log or file; records that differ from the state the log ends in.
        ``lines``: the log's lines when the caller has read them (None: read them here; no log: None too);
        ``listed``: the seq the sealed manifest lists for the file (None: not listed, or no trusted manifest)."""
        report = FileReport()
        problems = report.problems
        rel, log = self.rel(path), history_path(path)
        rel_log = self.rel(log)
        if lines is None:
            lines = read_log(log)
        data: dict[str, Any] | None = None
        head = None
        try:
            raw = read_nofollow(path)
        except FileNotFoundError:
            raw = None
            problems.append(Problem(f"{rel}: the data file and its history log are missing (deleted outside coordtui)",
                                    f"{rel}：数据文件及其变更历史日志都不见了（在 coordtui 之外被删除）") if lines is None
                            else Problem(f"{rel}: the data file is missing but its history log is there (deleted outside coordtui)",
                                         f"{rel}：数据文件不见了，但其变更历史日志还在（在 coordtui 之外被删除）"))
        except OSError as exc:
            raw = None
            problems.append(Problem(f"{rel}: cannot be read ({exc.strerror}): a store file must be a file, never a link",
                                    f"{rel}：无法读取（{os_reason(exc)}）：数据存储文件必须是文件，不能是链接"))
        if raw is not None:
            data = parse_data(raw)
            if not isinstance(data, dict):
                data = None
                problems.append(Problem(f"{rel}: is unreadable (not a store file)", f"{rel}：无法解读（不是数据存储文件）"))
            else:
                head, head_problems = self.check_head(path, raw, data, key)
                problems.extend(head_problems)
        unsealed = head["unsealed"] if head else None
        prev: str | None = ""
        expected: int | None = 1
        chain_broken = False
        last: dict[str, Any] | None = None
        entry_seal: _EntrySeal | None = None
        for line, e in enumerate(lines or [], start=1):
            if not well_formed(e):
                problems.append(Problem(f"{rel_log}: history entry at line {line} is malformed (not a change coordtui wrote)",
                                        f"{rel_log}：第 {line} 行的变更记录格式不对（不是 coordtui 写入的变更）"))
                prev, expected, chain_broken = None, None, True
                continue
            seq = e["seq"]
            where, where_zh = f"{rel_log}: history entry {seq}", f"{rel_log}：第 {seq} 项变更"
            if expected is not None and seq != expected:
                problems.append(Problem(f"{where} is out of sequence (expected {expected}): entries were removed or reordered",
                                        f"{where_zh}顺序不对（应为第 {expected} 项）：有变更被删除或调换了次序"))
                chain_broken = True
            if prev is not None and e["prev"] != prev:
                problems.append(Problem(f"{where} does not follow the previous entry: the chain was broken",
                                        f"{where_zh}接不上前一项：哈希链已断开"))
                chain_broken = True
            if entry_hash(e) != e["hash"]:
                problems.append(Problem(f"{where} was altered after it was written (hash mismatch)",
                                        f"{where_zh}在写入后被改动（哈希值不符）"))
                chain_broken = True
            if key is not None and (unsealed is None or seq > unsealed):
                if entry_seal is None:
                    entry_seal = _EntrySeal(key, self.store_id, rel_log)
                want = entry_seal(e["hash"])
                if "seal" not in e:
                    if unsealed is not None:
                        problems.append(Problem(f"{where} carries no seal (written outside coordtui)",
                                                f"{where_zh}没有封印（在 coordtui 之外写入）"))
                        chain_broken = True
                elif not _same(e["seal"], want):
                    problems.append(Problem(f"{where} does not match its seal: the log was rewritten outside coordtui",
                                            f"{where_zh}与其封印不符：日志在 coordtui 之外被改写"))
                    chain_broken = True
            prev, expected, last = e["hash"], seq + 1, e
            report.entries.append(e)
        if head is not None:
            end = last["seq"] if last else 0
            if lines is None and head["seq"] > 0:
                problems.append(Problem(f"{rel_log}: the history log is missing (deleted outside coordtui); the sealed head of {rel} says it held {head['seq']} entries",
                                        f"{rel_log}：变更历史日志不见了（在 coordtui 之外被删除）；{rel} 的封存头记载其中有 {head['seq']} 项变更"))
            elif head["seq"] > end:
                problems.append(Problem(f"{rel_log}: ends at entry {end} but the sealed head of {rel} says {head['seq']}: "
                                        f"entries {end + 1}–{head['seq']} were cut off",
                                        f"{rel_log}：止于第 {end} 项，而 {rel} 的封存头记为第 {head['seq']} 项："
                                        f"第 {end + 1}–{head['seq']} 项被截掉了"))
            elif head["seq"] < end:
                problems.append(Problem(f"{rel_log}: history entries {head['seq'] + 1}–{end} come after the sealed head of {rel} (added outside coordtui)",
                                        f"{rel_log}：第 {head['seq'] + 1}–{end} 项变更在 {rel} 的封存头之后（在 coordtui 之外添加）"))
            elif last is not None and last["hash"] != head["hash"]:
                problems.append(Problem(f"{rel_log}: history entry {end} is not the one sealed in the head of {rel}: the log was rewritten",
                                        f"{rel_log}：第 {end} 项变更不是 {rel} 的封存头所封存的那一项：日志被改写过"))
            if listed is not None and listed != head["seq"]:
                problems.append(Problem(f"{rel}: its sealed head says entry {head['seq']} but the store's sealed manifest says {listed}: "
                                        "the file and its log were put back to another version outside coordtui",
                                        f"{rel}：其封存头记为第 {head['seq']} 项，而数据存储封存的清单记为第 {listed} 项："
                                        "该文件及其日志在 coordtui 之外被换回了另一个版本"))
            if head["unsealed"]:
                report.notes.append(Problem(f"{rel_log}: " + UNSEALED_NOTE.format(n=head["unsealed"]),
                                            f"{rel_log}：" + UNSEALED_NOTE_ZH.format(n=head["unsealed"])))
        if data is not None and not chain_broken:
            problems.extend(self._replay(rel, rel_log, report.entries, data))
        return report

    def _replay(self, rel: str, rel_log: str, entries: list[dict[str, Any]], data: dict[str, Any]) -> list[Problem]:
        """Differences between the file's records and the state its log's entries end in."""
        state: dict[str, dict[str, Any]] = {}
        problems: list[Problem] = []
        for e in entries:
            table = state.setdefault(e["kind"], {})
            # (a record moved here from another partition arrives with that partition's version as "before")
            if e["id"] in table and table[e["id"]] != e["before"] and not problems:
                problems.append(Problem(f"{rel_log}: history entry {e['seq']} changes {e['kind']} {e['id']} from a version the history "
                                        "never recorded: the file was changed outside coordtui before it",
                                        f"{rel_log}：第 {e['seq']} 项变更所改的 {e['kind']} {e['id']} 的原版本从未记入历史："
                                        "该文件在此之前已在 coordtui 之外被修改"))
            if e["after"] is None:
                table.pop(e["id"], None)
            else:
                table[e["id"]] = e["after"]
        differing: list[Problem] = []
        kinds = {k for k, t in state.items() if t} | {k for k, t in data.items() if k[:1] != "_" and isinstance(t, dict) and t}
        for kind in sorted(kinds):
            want, have = state.get(kind, {}), data.get(kind) if isinstance(data.get(kind), dict) else {}
            for record_id in sorted(set(want) | set(have)):
                if record_id not in have:
                    differing.append(Problem(f"{kind} {record_id} is missing (removed outside coordtui)",
                                             f"{kind} {record_id} 不见了（在 coordtui 之外被删除）"))
                elif record_id not in want:
                    differing.append(Problem(f"{kind} {record_id} is not in its history (added outside coordtui)",
                                             f"{kind} {record_id} 不在其变更历史中（在 coordtui 之外添加）"))
                elif want[record_id] != have[record_id]:
                    differing.append(Problem(f"{kind} {record_id} differs from the state its history ends in (changed outside coordtui)",
                                             f"{kind} {record_id} 与其变更历史最终的状态不符（在 coordtui 之外被修改）"))
        for d in differing[:5]:
            problems.append(Problem(f"{rel}: {d}", f"{rel}：{d.zh}"))
        if len(differing) > 5:
            problems.append(Problem(f"{rel}: and {len(differing) - 5} more records differ from the state its history ends in",
                                    f"{rel}：另有 {len(differing) - 5} 条记录与其变更历史最终的状态不符"))
        return problems

    def files_to_verify(self, key: bytes | None) -> tuple[list[Path], dict[str, int], list[Problem]]:
        """Every data file on disk or in the manifest, the manifest's seqs (empty when it cannot be trusted), its problems."""
        rels, listed, problems = self.rels_to_verify(key)
        return [self.root / rel for rel in rels], listed, problems

    def rels_to_verify(self, key: bytes | None, raw: bytes | None = None) -> tuple[list[str], dict[str, int], list[Problem]]:
        """:meth:`files_to_verify` with each file named relative to the store (as the manifest and
        the verification cache name it). ``raw``: the manifest's bytes when the caller has read them."""
        on_disk = data_rels(self.root)
        listed, problem = self.manifest_files(key, raw)
        problems = [problem] if problem else []
        if listed is not None:
            present = set(on_disk)
            problems.extend(Problem(f"{rel}: is not in the store's sealed manifest (added outside coordtui)",
                                    f"{rel}：不在数据存储封存的清单中（在 coordtui 之外添加）") for rel in sorted(present - set(listed)))
            on_disk.extend(sorted(set(listed) - present))
        return on_disk, listed or {}, problems


# the verification cache -------------------------------------------------------------

def file_state(path: Path) -> list[Any] | None:
    """What changes whenever a data file or its log does: (device, inode, type, mtime, ctime,
    size) of each, by lstat (a link is a state of its own); None when it cannot be told.

    ctime is set by the kernel on every change and no account can set it back, so a file
    changed by hand, even to the same size and mtime, has another state."""
    state: list[Any] = []
    text = os.fspath(path)
    for p in (text, text[:-len(".json")] + HISTORY_SUFFIX if text.endswith(".json") else os.fspath(history_path(Path(text)))):
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            state.append(None)
            continue
        except OSError:
            return None
        state.append([st.st_dev, st.st_ino, stat.S_IFMT(st.st_mode), st.st_mtime_ns, st.st_ctime_ns, st.st_size])
    return state


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str)


class VerifiedCache:
    """What verifying each data file and its log found (its problems, none when it verified),
    kept on disk in ``cache/verified.json`` so that a fresh process verifies only the files
    that changed since (核验缓存, verification cache).

    Disposable and never trusted over the files: an entry counts only while the file's and
    its log's :func:`file_state` and the seq the sealed manifest lists are exactly what they
    were when it was verified; the whole cache is sealed with the store's key (a cache
    written by anyone without the key, or corrupt, or torn by a crash, is ignored and
    rebuilt), and without the key nothing is cached. A problem found is kept like a success,
    so a failed verification is reported again until the file changes, in both languages
    (``[en, zh]``: a cache of the earlier format, plain strings, is not trusted and is rebuilt).
    The folder and file take the store's modes (0700/0600, a group store's 2770/0660), like
    every store file.
    """

    def __init__(self, seal: "Seal") -> None:
        self.seal = seal
        self.path = seal.root / CACHE / VERIFIED

    def _mac(self, key: bytes, payload: bytes) -> str:
        return _mac(key, "verified-cache", self.seal.store_id, hashlib.sha256(payload).hexdigest())

    def load(self, key: bytes | None) -> dict[str, Any]:
        """rel -> [state, listed seq, problems as [en, zh] pairs, newest entry's time, entries], or {}
        when there is no cache to trust (an entry is of that shape only where :meth:`_entry` says so)."""
        if key is None:
            return {}
        try:
            raw = read_nofollow(self.path)
        except OSError:
            return {}
        mac, _, payload = raw.partition(b"\n")
        try:
            if not _same(mac.decode("ascii"), self._mac(key, payload)):
                return {}
            files = orjson.loads(payload)
        except (UnicodeDecodeError, orjson.JSONDecodeError, StoreError):
            return {}
        return files if isinstance(files, dict) else {}

    @staticmethod
    def _entry(kept: dict[str, Any], rel: str) -> list[Any] | None:
        """The entry kept for ``rel`` when it has the shape :meth:`refresh` writes (of this format:
        a cache of the earlier one, plain strings for problems, is not trusted), else None.
        Looked at where it is used, not for every entry on loading."""
        v = kept.get(rel)
        if (isinstance(v, list) and len(v) == 5 and isinstance(v[2], list) and all(_is_pair(p) for p in v[2])
                and isinstance(v[3], (str, type(None))) and type(v[4]) is int):
            return v
        return None

    def save(self, key: bytes, files: dict[str, list[Any]]) -> None:
        """Write the cache (atomically: a temporary file renamed into place); a cache that cannot
        be written is left out silently, since nothing depends on it."""
        payload = orjson.dumps(files)
        body = self._mac(key, payload).encode("ascii") + b"\n" + payload
        write_cache_file(self.seal.root, self.path, body)

    def problems(self, key: bytes | None, rels: list[str], listed: dict[str, int]) -> list[Problem]:
        """Every problem of the files ``rels`` (see :meth:`Seal.verify_file`), verifying only the
        files whose state differs from the cached one."""
        return self.refresh(key, rels, listed)[0]

    def refresh(self, key: bytes | None, rels: list[str], listed: dict[str, int]
                ) -> tuple[list[Problem], dict[str, tuple[list[Any] | None, str | None, int]]]:
        """(every problem of the files ``rels`` (named relative to the store, as
        :meth:`Seal.rels_to_verify` names them), and per file (its state, the time of its log's
        newest entry, how many entries it has)), verifying only the files whose state differs
        from the cached one."""
        seal = self.seal
        kept = self.load(key)
        now: dict[str, list[Any]] = {}
        problems: list[Problem] = []
        logs: dict[str, tuple[list[Any] | None, str | None, int]] = {}
        prefix = os.fspath(seal.root).rstrip("/") + "/"
        entry = self._entry
        for rel in rels:
            seq = listed.get(rel)
            state = file_state(prefix + rel)  # before reading: a change while verifying leaves the entry stale, never wrong
            cached = entry(kept, rel)
            if state is not None and cached is not None and cached[0] == state and cached[1] == seq:
                pairs, newest, count = cached[2], cached[3], cached[4]
                if pairs:
                    problems.extend(Problem(en, zh) for en, zh in pairs)
            else:
                report = seal.verify_file(seal.root / rel, key, None, seq)
                pairs, count = [p.pair() for p in report.problems], len(report.entries)
                newest = max(report.entries, key=lambda e: (instant(e["at"]), e["seq"]))["at"] if report.entries else None
                problems.extend(report.problems)
            if state is not None:
                now[rel] = [state, seq, pairs, newest, count]
            logs[rel] = (state, newest, count)
        if key is not None and now != kept:
            self.save(key, now)
        return problems, logs


# whole-store steps ----------------------------------------------------------------

def _group_gid(group: str | None) -> int | None:
    if group is None:
        return None
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise StoreError(f"there is no group '{group}' on this machine: create it (groupadd {group}) or name another with --group",
                         message_zh=f"本机没有用户组“{group}”：请先创建（groupadd {group}），或用 --group 指定另一个组") from None


def new_store_files(root: Path, created: str, schema: int, fmt: str, group: str | None) -> dict[Path, bytes]:
    """meta.json and manifest.json of a new store, its key made in the owner's configuration folder."""
    store_id = secrets.token_hex(16)
    create_key(store_id, _group_gid(group))
    seal = Seal(root)
    seal._store_id = store_id
    meta = {"format": fmt, "schema": schema, "created": created, "store_id": store_id}
    if group is not None:
        meta["group"] = group
    return {root / "meta.json": dump(meta), root / MANIFEST: seal.manifest_bytes({})}


def prepare_folder(root: Path, group: str | None) -> None:
    """The store folder, 0700 (a group store's: setgid 2770, owned by the group), whatever the umask."""
    gid = _group_gid(group)
    if gid is not None and os.geteuid() != 0 and gid != os.getegid() and gid not in os.getgroups():
        raise StoreError(f"you are not a member of the group '{group}': ask an administrator to add you (adduser "
                         f"{_account()} {group}), log in again, then run init",
                         message_zh=f"您不是用户组“{group}”的成员：请管理员把您加入该组（adduser {_account()} {group}），"
                                    "重新登录后再运行 init")
    try:
        root.mkdir(parents=True, exist_ok=True)
        if gid is not None:
            os.chown(root, -1, gid)
            os.chmod(root, 0o2770)
        else:
            os.chmod(root, 0o700)
    except OSError as exc:
        raise StoreError(f"{root}: cannot create the store folder ({exc.strerror}): check the path and permissions",
                         message_zh=f"{root}：无法创建数据存储文件夹（{os_reason(exc)}）：请检查路径和权限") from None


def keep_group(root: Path, meta: dict[str, Any]) -> None:
    """A group store's folder stays setgid 2770 as meta.json records (file modes follow the folder's)."""
    group = meta.get("group")
    if not isinstance(group, str):
        return
    st = os.stat(root)
    if stat.S_IMODE(st.st_mode) == 0o2770 or st.st_uid != os.geteuid():
        return
    try:
        os.chown(root, -1, _group_gid(group))
        os.chmod(root, 0o2770)
    except (OSError, StoreError):
        pass  # the owner left the group: saves stay private until an administrator mends it


def _account() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _tighten(root: Path) -> None:
    """Give every file and folder of the store its mode (an earlier version left them to the umask)."""
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        modes = modes_at(here)
        for name in names + dirs:
            p = here / name
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid():
                continue
            os.chmod(p, modes.folder if stat.S_ISDIR(st.st_mode) else modes.file)


def upgrade(root: Path) -> None:
    """Schema 2 -> 3: seal the store's history. Only its owner can: the key is made in their configuration folder.

    Each data file gets a sealed head at its log's current end, which pins the existing
    chain (those entries stay unsealed: ``unsealed`` says up to which one); a manifest of
    the data files is written; every file and folder gets its mode.
    """
    st = os.stat(root)
    if st.st_uid != os.geteuid():
        try:
            owner = pwd.getpwuid(st.st_uid).pw_name
        except KeyError:
            owner = f"uid {st.st_uid}"
        raise StoreError(f"{root}: this store was made before sealed history and must be upgraded by its owner: "
                         f"ask {owner} to run 'coordtui check --db {root}' once",
                         message_zh=f"{root}：该数据存储需由其所有者 {owner} 升级：请其运行一次 coordtui check")
    meta_path = root / "meta.json"
    meta = parse_store_file(meta_path, read_nofollow(meta_path))
    if "store_id" in meta or os.path.lexists(root / MANIFEST):
        # Sealed before: only meta.json says otherwise, so someone lowered its schema by hand (to
        # have the history resealed over their own entries). Nothing is upgraded or resealed.
        raise StoreError(f"{meta_path}: says schema {meta.get('schema')}, but this store is already sealed (it has a store id and "
                         f"a manifest): meta.json was changed outside coordtui; nothing was done: set its schema back to 3 and run "
                         f"'coordtui verify --db {root}'",
                         message_zh=f"{meta_path}：其版本号被改低，但该数据存储早已封存：meta.json 在 coordtui 之外被修改，未做任何处理：请将 schema 改回 3 并运行 coordtui verify")
    _tighten(root)
    os.chmod(root, modes_at(root).folder)
    store_id = meta.get("store_id") if isinstance(meta.get("store_id"), str) and meta["store_id"].isalnum() else secrets.token_hex(16)
    if not key_path(store_id).exists():
        create_key(store_id, _group_gid(meta.get("group")) if isinstance(meta.get("group"), str) else None)
    seal = Seal(root)
    seal._store_id = store_id
    key = seal.key()
    files: dict[Path, bytes] = {}
    listed: dict[str, int] = {}
    for path in data_files(root):
        raw = read_nofollow(path)
        data = parse_store_file(path, raw)
        entries = [e for e in read_log(history_path(path)) or [] if well_formed(e)]
        seq, hash_ = (entries[-1]["seq"], entries[-1]["hash"]) if entries else (0, "")
        if HEAD in data:  # a sealed head in a store being sealed for the first time: planted
            raise StoreError(f"{seal.rel(path)}: has a sealed head although the store was never sealed: it was written outside "
                             f"coordtui; nothing was upgraded: see 'coordtui verify --db {root}'",
                             message_zh=f"{seal.rel(path)}：该数据存储从未封存，这个文件却有封存头：它是在 coordtui 之外写入的；"
                                        f"未做任何升级：请运行 coordtui verify --db {root}")
        unsealed = seq
        files[path] = seal.encode(path, data, seq, hash_, unsealed)[0]
        listed[seal.rel(path)] = seq
    files[root / MANIFEST] = seal.manifest_bytes(listed)
    files[meta_path] = dump(meta | {"store_id": store_id})
    commit_files(root, files)


def restore_file(root: Path, target: Path, raw: bytes) -> None:
    """Put ``raw`` (a backup) in place as ``target``, for the files that have no history of their
    own (meta.json, manifest.json). Data files come back through ``Store._restore``, as a recorded
    change with a new sealed head."""
    commit_files(root, {target: raw})
