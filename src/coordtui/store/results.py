"""A disposable, sealed cache of check results on disk (检查结果缓存): ``cache/check/<org>/<as-of>.json``.

A fresh ``coordtui check`` process would otherwise read, validate and judge every record
again although nothing changed since the last check of the same day. Each file holds one
organization's result for one as-of date together with a digest of everything that result
depends on (worked out by the caller: the as-of date, the organization's settings, every
partition's file signature, the calendar, the code of the core and of the plugins). The
store knows nothing of what the rows mean: they are plain JSON.

Never trusted over the store's files: an entry is used only when its digest is the one the
caller computes now, from the files as they are now (another process's write changes a
signature, so the entry is passed over and replaced). Each file is sealed with the store's
key like ``cache/verified.json`` (seal.VerifiedCache): a file written by anyone without the
key (a colleague in the store's group), or copied from another organization or day, or
corrupt, or torn by a crash, is ignored and rebuilt; without the key nothing is cached. It
is read as JSON only, never unpickled or run. Files take the store's modes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import orjson

from coordtui.errors import StoreError
from coordtui.store.files import _open_nofollow, rewrite_cache_file, write_cache_file
from coordtui.store.seal import CACHE, Seal

FOLDER = "check"
#: As-of dates kept per organization; older ones are removed when a new one is written. (A
#: daily check needs today's; the cache is about a third of the data files' size per date.)
KEEP = 3
#: The length of an entry's seal (its first line): an HMAC-SHA256 in hex.
_MAC_LENGTH = 64


class SealedCache:
    """The files of one folder of the store's disposable ``cache/`` (:attr:`FOLDER`), each a MAC
    line followed by its payload: the MAC, with the store's key, of the cache's :attr:`PURPOSE`,
    the store's id, the names that place the file (an organization and a date, a slot) and the
    payload's digest. A file written without the key, for another store, cache or place, corrupt
    or torn is not read; without the key nothing is read or written (see :class:`ResultCache`,
    store.outcache.OutputCache)."""

    FOLDER = ""
    PURPOSE = ""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.folder = self.root / CACHE / self.FOLDER
        seal = Seal(self.root)
        try:  # no store here, or not this account's to read: nothing is cached
            self.key, _ = seal.try_key()
            self.store_id = seal.store_id if self.key is not None else ""
        except (StoreError, OSError, ValueError):
            self.key, self.store_id = None, ""

    @property
    def usable(self) -> bool:
        """Whether this account holds the store's key (without it nothing is read or written)."""
        return self.key is not None

    def _mac(self, names: tuple[str, ...], payload: bytes, digest: str | None = None) -> str:
        """The MAC of a file of ``payload`` (or of the payload whose sha256 is ``digest``) at ``names``."""
        assert self.key is not None
        text = "\x1f".join((self.PURPOSE, self.store_id, *names, digest or hashlib.sha256(payload).hexdigest()))
        return hmac.digest(self.key, text.encode("utf-8"), "sha256").hex()

    def _read_sealed(self, path: Path, names: tuple[str, ...], head: bytes = b"") -> tuple[dict[str, Any], bytes] | None:
        """(the JSON object heading the file ``path``, the bytes after its line), sealed for
        ``names``; None where there is none to trust. ``head``: what its payload must begin with,
        checked before the rest is read: a file that does not is passed over without being read
        whole, hashed and parsed (a head that matches proves nothing yet: the seal is then checked)."""
        if self.key is None:
            return None
        try:
            with open(path, "rb", opener=_open_nofollow) as fh:
                start = fh.read(_MAC_LENGTH + 1 + len(head))
                if head and start[_MAC_LENGTH:] != b"\n" + head:
                    return None
                raw = start + fh.read()
        except (OSError, ValueError):
            return None
        mac, _, payload = raw.partition(b"\n")
        try:
            if not hmac.compare_digest(mac.decode("ascii"), self._mac(names, payload)):
                return None
            header, _, rest = payload.partition(b"\n")
            kept = orjson.loads(header)
        except (UnicodeDecodeError, orjson.JSONDecodeError):
            return None
        return (kept, rest) if isinstance(kept, dict) else None

    def _write_sealed(self, path: Path, names: tuple[str, ...], header: dict[str, Any], rest: bytes | None = None,
                      over: Path | None = None) -> bool:
        """Put ``header`` (and its line and ``rest``, where given) in place as ``path``, sealed for
        ``names`` (see files.write_cache_file); ``over``: a file of the folder about to be removed,
        written into instead of a new one (files.rewrite_cache_file)."""
        # (written and hashed piece by piece: the rest of a result at 100,000 records is 25 MB a
        # worker, each copy of it into one payload a page fault every 4 KB)
        line = orjson.dumps(header)
        digest = hashlib.sha256(line)
        if rest is not None:
            digest.update(b"\n")
            digest.update(rest)
        mac = self._mac(names, b"", digest.hexdigest()).encode("ascii")
        pieces = [mac + b"\n" + line] + ([b"\n", rest] if rest is not None else [])
        if over is not None:
            return rewrite_cache_file(self.root, over, path, pieces)
        return write_cache_file(self.root, path, pieces)


class ResultCache(SealedCache):
    """Sealed results per organization and as-of date (see the module's docstring)."""

    FOLDER = FOLDER
    PURPOSE = "check-cache"

    def _path(self, org: str, as_of: str) -> Path:
        return self.folder / org / f"{as_of}.json"

    def load(self, org: str, as_of: str, digest: str) -> tuple[list[Any], bytes] | None:
        """The rows and bytes kept for ``org`` on ``as_of`` under ``digest``; None when there are none to trust."""
        # An entry kept under another digest (the files or the code changed since) is passed over
        # by its head alone (a quarter of a megabyte per organization at 100,000 records): save
        # writes the digest first.
        found = self._read_sealed(self._path(org, as_of), (org, as_of), b'{"digest":' + orjson.dumps(digest) + b",")
        if found is None or found[0].get("digest") != digest or not isinstance(found[0].get("rows"), list):
            return None
        return found[0]["rows"], found[1]

    def save(self, org: str, as_of: str, digest: str, rows: list[Any], blob: bytes = b"") -> None:
        """Keep ``rows`` (plain JSON) and ``blob`` (any bytes) atomically: a temporary file renamed
        into place. A cache that cannot be written is left out silently: nothing depends on it."""
        if self.key is None:
            return
        path = self._path(org, as_of)
        # The folder is listed once: the dates past the KEEP written last (this one the newest)
        # are removed once it is written, the oldest of them, a file of its own, written over as
        # this one instead (see files.rewrite_cache_file).
        try:
            with os.scandir(path.parent) as entries:
                others = sorted(((e.stat(follow_symlinks=False).st_mtime_ns, e.path, e.is_file(follow_symlinks=False))
                                 for e in entries if e.name.endswith(".json") and e.name != path.name), reverse=True)
        except OSError:  # (no folder yet: write_cache_file makes it)
            others = []
        past = others[KEEP - 1:]
        over = Path(past[-1][1]) if past and past[-1][2] else None
        if self._write_sealed(path, (org, as_of), {"digest": digest, "rows": rows}, blob, over=over):
            for _, old, _ in past:
                if over is None or old != os.fspath(over):
                    try:
                        os.unlink(old)
                    except OSError:
                        pass
