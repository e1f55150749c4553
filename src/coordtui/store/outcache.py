"""A command's whole output kept on disk (输出缓存): ``cache/output/<slot>.out``, sealed.

An unchanged ``coordtui check`` (the same as-of, nothing changed since) would otherwise import
the models, load the plugins, verify the history and read every organization's kept result
only to print the same bytes again: 0.8 s at 100,000 records, against the goal of 0.3 s. Its
caller (``coordtui.check_output``) computes a key from everything the output depends on, of
which :func:`store_state` is the store's part; a slot (one per command's arguments and person)
holds the output of the last run under its key, and a run whose key is the slot's gets the
bytes without anything else being imported or read.

Never trusted over the store's files:

- :func:`store_state` covers every file of the store but this disposable ``cache/`` folder and
  the lock's turnstile: its path, type and mode, inode, size, mtime and ctime (no account can
  set a ctime back, so a file edited by hand to the same size and mtime is another state). It
  is None, and the store is opened the ordinary way, while a commit is pending or the journal
  is of another boot (``files.recovery_needed``), while a commit's temporary file exists, or
  when a commit lands during the walk (the journal and manifest, which every commit changes,
  read before and after it).
- A slot is two files: the body, and a header sealed with the store's key (like
  ``cache/check``, store/results.py) naming the key, the exit status and the body file's
  identity (device, inode, size, mtime, ctime as it was once written). The body is used only
  through the descriptor whose ``fstat`` is exactly that identity: a body rewritten, cut short
  or put in place by anyone since is another file state, and the slot is passed over; so is a
  header written without the key, for another store (its id is sealed in) or another slot, or
  corrupt. The body itself is not hashed: at 1,000,000 records it is ~500 MB (0.45 s of
  SHA-256 here), while its identity is checked by one ``fstat``. Without the key nothing is
  read or written.
- The boot is part of every key (the caller's): a body written without fsync that a power
  cut left short or zeroed belongs to an earlier boot, and is never served.

At most :data:`KEEP` slots and :data:`MAX_TOTAL` bytes are kept (the oldest go first); a
larger output than :data:`MAX_ONE` is not kept.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from coordtui.errors import StoreError
from coordtui.filestate import file_state
from coordtui.store.files import (
    JOURNAL,
    MANIFEST,
    PENDING,
    WAL,
    _TMP_SUFFIX,
    check_inside,
    make_folder,
    modes_at,
    recovery_needed,
)
from coordtui.store.results import SealedCache
from coordtui.store.seal import CACHE

FOLDER = "output"
#: The store lock's turnstile (``store.lock.StoreLock.TURNSTILE``, not imported: that module
#: imports filelock): every writer touches it; it holds nothing.
TURNSTILE = ".lock"
#: Slots kept (each command line and person has one; the oldest written goes first).
KEEP = 8
#: Bytes of output kept in all, and the largest output kept.
MAX_TOTAL = 2 << 30
MAX_ONE = 1 << 30
#: The ending of a body being written; one older than :data:`PARTIAL_SECONDS` was left by a run that died.
PARTIAL = ".partial"
PARTIAL_SECONDS = 6 * 3600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: A body's mode (see SlotWriter).
BODY_MODE = 0o600


def _edges(root: str) -> list[Any]:
    """What every commit changes (the journal, the manifest, the pending marker), by lstat."""
    out: list[Any] = []
    for name in (WAL, MANIFEST, PENDING, JOURNAL):
        try:
            st = os.lstat(os.path.join(root, name))
        except FileNotFoundError:
            out.append(None)
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return out


#: How long a whole-second ctime may stand for: a file system that keeps seconds only (ext3,
#: 128-byte inodes; 2 s on some) gives an edit made later in that second the same ctime.
COARSE_NS = 2_000_000_000


def _changed_after(ctime_ns: int, moment_ns: int) -> bool:
    """Whether a file whose ctime is ``ctime_ns`` may have changed after ``moment_ns``: a ctime of
    whole seconds is taken as any moment up to :data:`COARSE_NS` later (on a file system with
    nanoseconds, one such ctime in a billion only keeps a run's output from being kept)."""
    return ctime_ns > moment_ns or (ctime_ns % 1_000_000_000 == 0 and ctime_ns + COARSE_NS > moment_ns)


def top_names(root: Path | str) -> list[str] | None:
    """The names in the store's folder itself that :func:`store_state` looks at, sorted (None
    where it cannot be listed): a file removed there since changes them (one removed deeper
    down changes its folder's ctime, which store_state looks at)."""
    try:
        return sorted(name for name in os.listdir(root) if name not in (CACHE, TURNSTILE))
    except OSError:
        return None


def store_state(root: Path | str, changed_after_ns: int | None = None) -> str | None:
    """A digest of the state of every file of the store (see the module's docstring); None when
    the store must be opened the ordinary way (or cannot be walked), and, with
    ``changed_after_ns``, when a file changed (its ctime) after that moment."""
    top = os.fspath(root)
    try:
        if recovery_needed(Path(top)):
            return None
        before = _edges(top)
        st = os.lstat(top)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    lines = [f"{st.st_dev} {st.st_ino} {st.st_mode} {st.st_uid} {st.st_gid}"]
    stack = [("", top)]
    while stack:
        rel, folder = stack.pop()
        try:
            # In the order the folder lists them, unsorted (a tenth of the walk): a folder whose
            # files are unchanged lists them in the same order; one that does not is a miss.
            with os.scandir(folder) as it:
                entries = list(it)
            for entry in entries:
                name = entry.name
                if not rel and (name == CACHE or name == TURNSTILE):
                    continue
                if name.endswith(_TMP_SUFFIX):
                    return None  # a commit's leftover: the ordinary way removes it
                st = entry.stat(follow_symlinks=False)
                if changed_after_ns is not None and _changed_after(st.st_ctime_ns, changed_after_ns):
                    return None
                lines.append(f"{rel}{name}\0{st.st_mode} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}")
                if stat.S_ISLNK(st.st_mode):  # (a holidays.txt linked from elsewhere is read through the link)
                    st = entry.stat()
                    if stat.S_ISDIR(st.st_mode):  # a folder of the store elsewhere: read the ordinary way
                        return None
                    if changed_after_ns is not None and _changed_after(st.st_ctime_ns, changed_after_ns):
                        return None
                    lines.append(f"-> {st.st_dev} {st.st_mode} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    stack.append((f"{rel}{name}/", entry.path))
        except OSError:  # a file gone or a folder unreadable while walked: the ordinary way says
            return None
    try:
        if _edges(top) != before or recovery_needed(Path(top)):
            return None
    except OSError:
        return None
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


class OutputCache(SealedCache):
    """The sealed slots of one store (see the module's docstring)."""

    FOLDER = FOLDER
    PURPOSE = "check-output"

    def _paths(self, slot: str) -> tuple[Path, Path]:
        return self.folder / f"{slot}.json", self.folder / f"{slot}.out"

    def holds(self, slot: str) -> bool:
        """Whether anything is kept in ``slot`` (under whatever key)."""
        if self.key is None or not slot.isalnum():
            return False
        return os.path.lexists(self._paths(slot)[0])

    def open(self, slot: str, key: str) -> tuple[int, int] | None:
        """(a descriptor of the body, the exit status) kept in ``slot`` under ``key``; None when
        there is none to trust. The caller closes the descriptor."""
        if self.key is None or not slot.isalnum():
            return None
        head, body = self._paths(slot)
        found = self._read_sealed(head, (slot,))
        kept = found[0] if found is not None and not found[1] else {}
        if kept.get("key") != key or type(kept.get("exit")) is not int or not isinstance(kept.get("body"), list):
            return None
        try:
            fd = os.open(body, os.O_RDONLY | _NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            # (one another account could write, as an earlier version kept in a group store, never)
            if (stat.S_ISREG(st.st_mode) and file_state(st) == kept["body"] and st.st_uid == os.geteuid()
                    and not st.st_mode & 0o077):
                fd, ours = -1, fd
                return ours, kept["exit"]
        except OSError:
            pass
        finally:
            if fd >= 0:
                os.close(fd)
        return None

    def writer(self, slot: str) -> "SlotWriter | None":
        """A temporary body for ``slot`` to write the output into; None when nothing can be kept."""
        if self.key is None or not slot.isalnum():
            return None
        try:
            return SlotWriter(self, slot)
        except (OSError, StoreError):
            return None

    def commit(self, writer: "SlotWriter", key: str, exit_status: int) -> bool:
        """Put ``writer``'s body in place as its slot's, under ``key`` and ``exit_status``."""
        head, body = self._paths(writer.slot)
        try:
            if writer.size > MAX_ONE or writer.failed:
                return False
            os.replace(writer.tmp, body)
            st = os.fstat(writer.fh.fileno())  # this very file, after its rename (which sets its ctime)
        except OSError:
            return False
        finally:
            writer.discard()
        if not self._write_sealed(head, (writer.slot,), {"key": key, "exit": exit_status, "body": file_state(st)}):
            return False
        try:
            self._prune(writer.slot)
        except OSError:
            pass
        return True

    def _prune(self, newest: str) -> None:
        """Keep the :data:`KEEP` slots written last, within :data:`MAX_TOTAL` bytes (``newest`` always)."""
        slots: list[tuple[int, str, int]] = []
        old = time.time_ns() - PARTIAL_SECONDS * 10**9
        with os.scandir(self.folder) as entries:
            for e in entries:
                if e.name.endswith(PARTIAL):
                    if _writer_gone(e.name) or e.stat(follow_symlinks=False).st_mtime_ns < old:
                        os.unlink(e.path)
                elif e.name.endswith(".json") and not e.name.startswith("."):
                    slot = e.name[: -len(".json")]
                    try:
                        size = os.lstat(self.folder / f"{slot}.out").st_size
                    except FileNotFoundError:
                        size = 0
                    slots.append((e.stat(follow_symlinks=False).st_mtime_ns, slot, size))
        slots.sort(reverse=True)
        total = 0
        for n, (_, slot, size) in enumerate(slots):
            total += size
            if slot != newest and (n >= KEEP or total > MAX_TOTAL):
                for path in self._paths(slot):
                    path.unlink(missing_ok=True)


def _sweep(folder: Path, slot: str) -> None:
    """Remove the partial bodies of ``slot`` whose writers have ended (before writing a new one:
    runs killed one after another never reach a commit, which prunes the others)."""
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                if e.name.startswith(f"{slot}.out.") and e.name.endswith(PARTIAL) and _writer_gone(e.name):
                    os.unlink(e.path)
    except OSError:
        pass


def _writer_gone(name: str) -> bool:
    """Whether the process that wrote the partial body ``name`` (``<slot>.out.<pid>-<thread>.partial``)
    has ended: a run killed (SIGKILL, SIGTERM) while it printed leaves one, as large as its output."""
    try:
        pid = int(name.rsplit(".", 2)[-2].split("-", 1)[0])
    except (IndexError, ValueError):
        return False
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another account's process: alive
        return False
    return False


class SlotWriter:
    """A new body file for a slot: written to while the command runs, put in place by
    :meth:`OutputCache.commit`, else removed (:meth:`discard`)."""

    def __init__(self, cache: OutputCache, slot: str) -> None:
        self.slot = slot
        # Not a commit's temporary (``*.coordtui-tmp``): opening the store, as the check does
        # while this is written, removes those. A partial body left by a killed run is pruned.
        self.tmp = cache.folder / f"{slot}.out.{os.getpid()}-{threading.get_ident()}{PARTIAL}"
        make_folder(cache.folder)
        check_inside(cache.root, self.tmp)
        modes = modes_at(cache.folder)
        self.tmp.unlink(missing_ok=True)
        _sweep(cache.folder, slot)
        # Its owner's alone (0600), even in a group store: the body is not hashed, only its
        # identity checked, so a member able to write it could change what a served run sends
        # after that check; and a slot is one person's (another's scope may be narrower).
        fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | os.O_CLOEXEC, BODY_MODE)
        os.fchmod(fd, BODY_MODE)
        if modes.gid is not None:
            os.fchown(fd, -1, modes.gid)
        self.fh: BinaryIO = os.fdopen(fd, "w+b")
        self.size = 0
        #: A write or flush failed (a full disk, a quota): nothing is kept, and the command's
        #: own output, written before this copy of it, goes on as if there were no cache.
        self.failed = False
        self._closed = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size <= MAX_ONE and not self.failed:  # past it nothing is kept: stop filling the disk
            try:
                self.fh.write(data)
            except OSError:
                self._fail()
        return len(data)

    def flush(self) -> None:
        if not self.failed:
            try:
                self.fh.flush()
            except OSError:
                self._fail()

    def _fail(self) -> None:
        """Give the disk back at once: what was written is of no use."""
        self.failed = True
        self.discard()

    def discard(self) -> None:
        """Close the file and remove what is left of the temporary (nothing after a commit)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.fh.close()
        except OSError:  # (the buffer's last bytes not written: the file is removed anyway)
            pass
        finally:
            try:
                self.tmp.unlink(missing_ok=True)
            except OSError:
                pass
