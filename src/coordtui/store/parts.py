"""A disposable, sealed cache of parsed partitions on disk (已校验分区缓存): ``cache/parts/<org>.json``.

A check in a fresh process reads every data file of every organization and validates each
record again, although most files have not changed since the last check: at 100,000 records
8,441 files and about a second of work split over the workers. This file keeps, per
organization, each partition's records as validated (plain JSON rows, see
:mod:`coordtui.domain.rebuild`) under the signature of the file they came from, and a key of
the code that validated them. The store knows nothing of what the rows mean.

Never trusted over the store's files: a partition's rows are used only for the file version
whose signature (inode, mtime, size, ctime, the size of its log: ``files._signature``) is the
one the caller has for the file now; any write by any process changes it, so the entry is
passed over, the file read and validated, and the entry replaced. Each file is sealed with the
store's key (as ``cache/check``: :mod:`coordtui.store.results`): a file written by anyone
without the key, copied from another organization or store, corrupt or torn by a crash is
ignored and rebuilt; without the key nothing is kept. It is read as JSON only, never unpickled
or run. Files take the store's modes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coordtui.store.results import SealedCache

FOLDER = "parts"


class PartCache(SealedCache):
    """Sealed parsed partitions per organization (see the module's docstring)."""

    FOLDER = FOLDER
    PURPOSE = "parts-cache"

    def _path(self, org: str) -> Path:
        return self.folder / f"{org}.json"

    def load(self, org: str, code: str) -> dict[str, Any] | None:
        """What was kept for ``org`` by the code ``code`` names (``{"fields": ..., "parts": {part:
        [signature, rows, extra]}}``, plain JSON); None when nothing is kept that may be trusted."""
        found = self._read_sealed(self._path(org), (org,))
        if found is None or found[1]:
            return None
        kept = found[0]
        if (not isinstance(kept, dict) or kept.get("code") != code or not isinstance(kept.get("parts"), dict)
                or not isinstance(kept.get("fields"), dict)):
            return None
        return kept

    def save(self, org: str, code: str, fields: dict[str, list[str]], parts: dict[str, list[Any]]) -> None:
        """Keep ``parts`` (plain JSON) for ``org``, atomically: a temporary file renamed into place.
        A cache that cannot be written is left out silently: nothing depends on it."""
        if self.key is None:
            return
        self._write_sealed(self._path(org), (org,), {"code": code, "fields": fields, "parts": parts})
