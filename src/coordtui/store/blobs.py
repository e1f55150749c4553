"""The files kept with records (佐证材料), content-addressed: ``attachments/abcdef….bin``.

A file is named by the SHA-256 of its bytes, so the same scan attached to ten records is
kept once, and a file changed on disk no longer matches its name (``coordtui verify``).
Files are written like every other file of the store: a temporary file with the store's
mode (0600, or 0660 in a group store), fsynced, renamed into place, the folder fsynced;
never through a symbolic link. Which record holds which file is not kept here but in the
record's partition (the ``_attachments`` table, with its sealed history): this layer only
keeps bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from coordtui.errors import StoreError
from coordtui.i18n import Bilingual, os_reason
from coordtui.store.files import _fsync_dir, _write_new, check_inside, make_folder, modes_at, read_nofollow

FOLDER = "attachments"
_SHA = re.compile(r"[0-9a-f]{64}")


def is_digest(value: object) -> bool:
    """Whether ``value`` is a SHA-256 as the store names files (64 lower-case hex digits)."""
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Blobs:
    """The attachment files of one store folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.folder = self.root / FOLDER

    def path(self, digest: str) -> Path:
        if not _SHA.fullmatch(digest):
            raise StoreError(f"{digest[:80]!r} is no SHA-256 digest of an attachment")
        # One folder (ext4 and xfs index large folders): a batch of files then costs one folder fsync.
        return self.folder / f"{digest}.bin"

    def has(self, digest: str) -> bool:
        return os.path.lexists(self.path(digest))

    def put(self, data: bytes) -> str:
        """Keep ``data`` (once, whoever else keeps the same bytes) and return its digest."""
        return self.put_many([data])[0]

    def put_many(self, payloads: list[bytes]) -> list[str]:
        """Keep every payload (each fsynced, renamed into place, the folder fsynced once); their digests."""
        digests = []
        make_folder(self.folder)
        check_inside(self.root, self.folder)
        modes = modes_at(self.folder)
        written = False
        tmp = self.folder / "-"
        try:
            for data in payloads:
                digest = sha256(data)
                digests.append(digest)
                final = self.path(digest)
                if os.path.isfile(final) and not os.path.islink(final) and final.stat().st_size == len(data) \
                        and _digest_of(final) == digest:
                    continue  # already kept, intact (a file altered on disk is written again: attaching it again repairs it)
                tmp = final.with_name(f"{final.name}.{os.getpid()}.coordtui-tmp")
                _write_new(tmp, data, modes)
                os.replace(tmp, final)
                written = True
            if written:
                _fsync_dir(self.folder)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{self.root}: cannot keep the attachment ({exc.strerror or exc}); nothing was changed: "
                             "free disk space or check permissions",
                             message_zh=f"{self.root}：无法保存附件，未作任何修改：请释放磁盘空间或检查权限") from None
        return digests

    def read(self, digest: str) -> bytes:
        """The bytes kept under ``digest``; FileNotFoundError when there are none."""
        try:
            return read_nofollow(self.path(digest))
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreError(f"{self.path(digest)}: cannot read the attachment ({exc.strerror}): check its permissions, "
                             "or run 'coordtui verify'",
                             message_zh=f"{self.path(digest)}：无法读取附件：请检查其权限，或运行 coordtui verify") from None

    def problem(self, digest: str, size: int | None = None) -> Bilingual | None:
        """What is wrong with the file kept under ``digest`` (missing, altered, or no file of ours
        at all: an entry edited by hand to name ``../../people``), or None; in both languages."""
        if not _SHA.fullmatch(str(digest)):
            return Bilingual(f"its entry names {str(digest)[:80]!r}, which is no SHA-256 digest (the entry was edited outside coordtui)",
                             f"其条目记的 {str(digest)[:80]!r} 不是 SHA-256 摘要（该条目在 coordtui 之外被修改）")
        path = self.path(digest)
        rel = path.relative_to(self.root)
        if os.path.islink(path):
            return Bilingual(f"{rel} is a symbolic link (replaced outside coordtui)", f"{rel} 是符号链接（在 coordtui 之外被替换）")
        try:
            data = read_nofollow(path)
        except FileNotFoundError:
            return Bilingual(f"{rel} is missing (removed outside coordtui)", f"{rel} 不见了（在 coordtui 之外被删除）")
        except OSError as exc:
            return Bilingual(f"{rel} cannot be read ({exc.strerror})", f"{rel} 无法读取（{os_reason(exc)}）")
        if sha256(data) != digest or (size is not None and len(data) != size):
            return Bilingual(f"{rel} was altered (its content no longer matches its SHA-256)",
                             f"{rel} 被改动过（其内容与 SHA-256 摘要不再相符）")
        return None

    def remove(self, digest: str) -> None:
        """Forget the file (the caller knows no record holds it any more); a name that is no
        digest (an entry edited by hand) names no file of ours: nothing is removed."""
        if not _SHA.fullmatch(str(digest)):
            return
        path = self.path(digest)
        check_inside(self.root, path)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(path.parent)

    def total(self) -> int:
        """The bytes kept in all (what the per-store limit counts)."""
        total = 0
        try:
            entries = os.scandir(self.folder)
        except FileNotFoundError:
            return 0
        with entries:
            for f in entries:
                if f.name.endswith(".bin") and f.is_file(follow_symlinks=False):
                    total += f.stat(follow_symlinks=False).st_size
        return total

    def size(self, digest: str) -> int:
        """The bytes of the file kept under ``digest`` (0 when it is gone)."""
        try:
            return os.lstat(self.path(digest)).st_size
        except FileNotFoundError:
            return 0

    def digests(self) -> list[str]:
        """Every digest kept on disk, sorted (files left by a crash between write and record included)."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[:-4] for n in names if n.endswith(".bin") and _SHA.fullmatch(n[:-4]))


def _digest_of(path: Path) -> str | None:
    """The SHA-256 of the file at ``path``, read in pieces; None where it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()
