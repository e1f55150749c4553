"""An unchanged ``coordtui check`` answered from its last output (检查输出缓存; issue 22).

Before the models, the plugins or the rules are imported, :func:`key` sums up everything a
check's output depends on; when the store's sealed output cache (store/outcache.py) holds the
output of a run under that key, :func:`serve` copies its bytes to standard output and the
command ends with the exit status that run had. Otherwise the check runs as always and
:class:`Recording` keeps what it printed, for the next run, if nothing changed while it ran
(the key computed before and after it the same: so a run that changed the store, such as the
first one giving the owner their person entry, keeps nothing) and nothing in it depends on the
moment (no ``core.`` finding: a rule that failed or timed out, a file that could not be read;
nothing written to standard error).

The key (:func:`key`):

- the store: every file's state (``outcache.store_state``; None while it needs recovering or
  a commit is under way: then nothing is served);
- the code: the interpreter, ``sys.path`` and what each folder on it offers to import (its
  modules' and .pth files' states, its packages and distributions by name, each
  distribution's entry points: a package installed, upgraded or removed changes them), every
  file of coordtui's package and of each package of the ``coordtui`` entry points (found
  without importing them), of each plugin folder (``--plugin-dir``, ``COORDTUI_PLUGIN_PATH``)
  and the holiday file ``COORDTUI_HOLIDAYS`` names. A library's files edited in place inside
  site-packages (not reinstalled) are not looked at;
- the command: its every argument (the store's path resolved), the person (the name the
  forced command or ``--as`` authenticated, the OS account and groups from the kernel),
  standard output's encoding, the environment variables that reach coordtui (``COORDTUI_*``,
  ``TZ``, ``HOME``, ``XDG_*``, ``PYTHON*``);
- the days: the office's today (from the store's time zone, as the check computes it) and
  the process's local date (what an ``--as-of`` is bounded by), so a check without
  ``--as-of`` is a new one each day;
- the boot (the kernel's ``boot_id``): see store/outcache.py.

The slot a run's output is kept in is named by the command and the person alone: the next
run of the same command by the same person replaces it.
"""

from __future__ import annotations

import hashlib
import io
import os
import pwd
import stat
import sys
from pathlib import Path
from typing import Any

from coordtui import PROJECT, __version__

#: Bumped whenever what a key covers changes.
LAYOUT = 2
_ENV_PREFIXES = ("COORDTUI_", "PYTHON", "XDG_")
_ENV_NAMES = ("TZ", "HOME", "LANG", "LC_ALL", "LC_CTYPE")
#: How long before a check's start its store's files must have last changed for its output to be kept.
SETTLE_NS = 20_000_000
#: What a module found on the path may end in (with .pth files, which change the path).
_MODULE_ENDINGS = (".py", ".pyc", ".so", ".pth", ".egg-link", ".zip", ".egg")
#: coordtui.plugins.ENTRY_POINT_GROUP (not imported: that module imports the models' API)
ENTRY_POINT_GROUP = PROJECT


def _stat_line(path: str) -> str:
    """The state of ``path``, and of what it points at when it is a symbolic link (what is read
    through it: a plugin or a holiday file linked from where it is edited)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"{path}\0-{exc.errno}"
    line = f"{path}\0{st.st_mode} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError as exc:
            return f"{line} -> {os.readlink(path)!r} -{exc.errno}"
        line += f" -> {st.st_mode} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"
    return line


def _tree(folder: str, lines: list[str]) -> None:
    """The state of every file under ``folder`` but compiled bytecode and tests (a model's own),
    through symbolic links to folders too (each real folder once)."""
    lines.append(_stat_line(folder))
    stack = [folder]
    seen: set[str] = set()
    while stack:
        top = stack.pop()
        real = os.path.realpath(top)
        if real in seen:
            continue
        seen.add(real)
        try:
            with os.scandir(top) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in ("__pycache__", "tests") or name.endswith((".pyc", ".pyo")):
                continue
            lines.append(_stat_line(entry.path))
            if entry.is_dir():
                stack.append(entry.path)


def _group_entry_points(dist: str) -> list[tuple[str, str]]:
    """The ``coordtui`` entry points (name, value) that the distribution folder ``dist``
    (``.dist-info`` or ``.egg-info``) declares in its ``entry_points.txt``, read as the packaging
    format writes it (an INI file: ``[group]``, then ``name = value`` lines); without
    importlib.metadata, which imports the email package, zipfile and csv (0.02 s of a start)."""
    try:
        with open(os.path.join(dist, "entry_points.txt"), encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
    except OSError:
        return []
    found, group = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
        elif group == ENTRY_POINT_GROUP and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


def _entry_point_folders(dists: list[str]) -> list[str]:
    """Where each ``coordtui`` entry point of the distribution folders ``dists`` (those on the
    path, in its order) has its top-level package (or module), unimported. Every distribution's,
    not only the first of each name that importlib.metadata would keep: a key that covers more
    is only changed more often."""
    import importlib.util

    found: list[str] = []
    tops: dict[str, None] = {}
    for dist in dists:
        for name, value in sorted(_group_entry_points(dist)):
            found.append(f"ep\0{name}\0{value}\0{dist}")
            tops[value.split(":", 1)[0].split(".", 1)[0].strip()] = None
    for top in tops:
        try:
            spec = importlib.util.find_spec(top) if top.isidentifier() else None
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            found.append(f"ep\0{top}\0not found")
        elif spec.submodule_search_locations:
            found.extend(f"tree\0{p}" for p in spec.submodule_search_locations)
        elif spec.origin:
            found.append(f"file\0{spec.origin}")
    return found


def _code(args: Any, path: list[str]) -> list[str]:
    """What the code that prints a check is (see the module's docstring), ``path`` being
    ``sys.path`` as the check begins (loading a plugin folder adds it at the end; the folder
    is covered on its own)."""
    import coordtui

    lines = [f"layout {LAYOUT} coordtui {__version__}", sys.version, sys.executable, repr(sys.flags), repr(path)]
    installed = tuple({os.path.join(os.path.realpath(p), "") for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    own = os.path.realpath(os.path.dirname(coordtui.__file__))
    dists: list[str] = []
    for entry in path:
        # What each folder on the path offers to import: its modules and .pth files as they are,
        # its packages and distributions by name (one installed, upgraded or removed changes
        # them) with each distribution's entry points. Not the folder's own state, nor its other
        # files: the current folder (``python -m``) or a home folder changes all the time.
        folder = entry or os.getcwd()
        lines.append(f"path {folder}")
        try:
            with os.scandir(folder) as it:
                names = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            lines.append(f"-{exc.errno}")
            continue
        outside = not os.path.join(os.path.realpath(folder), "").startswith(installed)
        for e in names:
            name = e.name
            if name.endswith(_MODULE_ENDINGS):
                lines.append(_stat_line(e.path))
            elif name.endswith((".dist-info", ".egg-info")):
                lines.append(name)
                dists.append(e.path)
                lines.append(_stat_line(os.path.join(e.path, "entry_points.txt")))
            elif name.isidentifier() and e.is_dir() and os.path.lexists(os.path.join(e.path, "__init__.py")):
                lines.append(name)  # (a folder without one is at most a namespace package: never first)
                # A package not installed (PYTHONPATH, the current folder; or linked from there) is
                # edited in place: its files too.
                if outside or e.is_symlink():
                    real = os.path.realpath(e.path)
                    if not os.path.join(real, "").startswith(installed) and real != own:
                        _tree(e.path, lines)
    _tree(os.path.dirname(coordtui.__file__), lines)
    if not os.environ.get("COORDTUI_DISABLE_PLUGIN_AUTOLOAD"):
        for item in _entry_point_folders(dists):
            kind, _, where = item.partition("\0")
            if kind == "tree":
                _tree(where, lines)
            elif kind == "file":
                lines.append(_stat_line(where))
            else:
                lines.append(item)
    dirs = [*(args.plugin_dir or []), *[d for d in os.environ.get("COORDTUI_PLUGIN_PATH", "").split(os.pathsep) if d]]
    for folder in dirs:
        _tree(os.path.abspath(folder), lines)
    holidays = os.environ.get("COORDTUI_HOLIDAYS")
    if holidays:
        lines.append(_stat_line(os.path.abspath(os.path.expanduser(holidays))))
    return lines


def _person(args: Any) -> list[str]:
    """Who is asking, as the check resolves it: the authenticated name, else the OS account."""
    try:
        account = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        account = f"uid{os.geteuid()}"
    return [f"identity {getattr(args, 'identity', None)!r}", f"euid {os.geteuid()} {account}",
            f"egid {os.getegid()} {sorted(os.getgroups())}"]


def _command(args: Any, root: Path, out: Any = None) -> list[str]:
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES)
    out = sys.stdout if out is None else out
    return [f"root {os.path.realpath(root)}", repr(sorted((k, repr(v)) for k, v in vars(args).items())), repr(env),
            f"stdout {getattr(out, 'encoding', None)} {getattr(out, 'errors', None)}", *_person(args)]


def _days(root: Path) -> list[str] | None:
    """The office's today (the store's time zone, as ``Workspace.today``) and the local date."""
    from datetime import date

    import orjson

    from coordtui.domain.clock import OfficeClock
    from coordtui.store.files import read_nofollow

    try:
        meta = orjson.loads(read_nofollow(root / "meta.json"))
        tz = meta.get("timezone") if isinstance(meta, dict) else None
        return [f"today {OfficeClock(tz).today().isoformat()} {date.today().isoformat()}"]
    except Exception:  # an unreadable meta file or time zone: the ordinary way says what is wrong
        return None


def _slot(command: list[str]) -> str:
    return hashlib.sha256("\n".join(command).encode("utf-8", "surrogateescape")).hexdigest()[:40]


def deferred(root: Path, slot: str) -> tuple[str, None, list[str]] | None:
    """What a run whose ``slot`` holds nothing keeps its output under until it ends: (the slot, no
    key, the names in the store's folder now; see :func:`key_to_keep`), or None where the folder
    cannot be listed (then nothing is kept)."""
    from coordtui.store.outcache import top_names

    names = top_names(root)
    return (slot, None, names) if names is not None else None


def key_to_keep(found: tuple[Any, ...], now: tuple[str, str] | None, root: Path) -> str | None:
    """The key a run's output is kept under: ``now``'s (taken when it ended, of a store none of
    whose files changed since it began), where ``found`` (the slot and key taken before it) has
    the same key, or, where no key was taken before it (a slot that held nothing: (the slot,
    None, the names in the store's folder then)), where the folder still has those names (a
    file removed there changes no ctime that the walk looks at); None: nothing is to be kept."""
    from coordtui.store.outcache import top_names

    if now is None or now[0] != found[0]:
        return None
    if found[1] is None:
        return now[1] if len(found) > 2 and found[2] is not None and top_names(root) == found[2] else None
    return now[1] if now[1] == found[1] else None


def slot_and_key(args: Any, root: Path, path: list[str] | None = None,
                 changed_after_ns: int | None = None, out: Any = None) -> tuple[str, str] | None:
    """(the slot, the key) of this check (see the module's docstring), ``path`` being the
    ``sys.path`` it began with (default: now); None when there is none to trust (the store
    needs opening the ordinary way, or, with ``changed_after_ns``, a file of it changed after
    that moment). ``out``: the stream the output goes to (default: ``sys.stdout``; the
    application's snapshot, which prints nothing, names the process's own, which Textual does
    not replace)."""
    from coordtui.store.files import boot_id
    from coordtui.store.outcache import store_state

    state = store_state(root, changed_after_ns)
    if state is None:
        return None
    days = _days(root)
    if days is None:
        return None
    command = _command(args, root, out)
    slot = _slot(command)
    try:
        code = _code(args, list(sys.path) if path is None else path)
    except (OSError, ValueError, ImportError):  # metadata that cannot be read: the ordinary way, which reports it
        return None
    parts = [f"store {state}", f"boot {boot_id()}", *days, *command, *code]
    return slot, hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _copy(fd: int) -> None:
    """The bytes of ``fd`` to standard output: by ``sendfile`` to its descriptor when it has
    one, else through ``sys.stdout`` (captured, as tests do)."""
    sys.stdout.flush()
    try:
        out = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        out = -1
    if out >= 0 and hasattr(os, "sendfile"):
        size, offset = os.fstat(fd).st_size, 0
        try:
            while offset < size:
                sent = os.sendfile(out, fd, offset, size - offset)
                if sent == 0:
                    break
                offset += sent
            return
        except OSError as exc:
            if offset or exc.errno not in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: copy instead
                raise
    with os.fdopen(os.dup(fd), "rb") as fh:
        while chunk := fh.read(1 << 20):
            sys.stdout.buffer.write(chunk)
    sys.stdout.flush()


def serve(args: Any, root: Path) -> tuple[int | None, tuple[Any, ...] | None]:
    """(the exit status, None) when the output was served from the cache; else (None, the
    slot and key the run should keep its output under, or None). The key is None where the
    slot holds nothing (a command not run before, a check as of a new date): the store is not
    walked for it then (0.06 s at 100,000 records), and :meth:`Recording.keep` takes the key
    when the run has ended (see :func:`key_to_keep`: the third item, the names in the store's folder)."""
    from coordtui.store.outcache import OutputCache

    cache = OutputCache(root)
    if not cache.usable:
        return None, None
    slot = _slot(_command(args, root))
    if not cache.holds(slot):
        return None, deferred(root, slot)
    found = slot_and_key(args, root)
    if found is None:
        return None, None
    kept = cache.open(*found)
    if kept is None:
        return None, found
    fd, status = kept
    try:
        _copy(fd)
    finally:
        os.close(fd)
    return status, None


class _Tee(io.BufferedIOBase):
    """Writes to standard output's bytes and to the slot's new body alike."""

    def __init__(self, out: Any, body: Any) -> None:
        super().__init__()
        self.out, self.body = out, body

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.out.isatty()

    def write(self, data: Any) -> int:  # type: ignore[override]
        data = bytes(data)
        self.out.write(data)
        self.body.write(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()
        self.body.flush()


class _Watched(io.TextIOBase):
    """Standard error as it was, noting whether anything was written to it."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream, self.written = stream, False

    def write(self, text: str) -> int:  # type: ignore[override]
        if text:
            self.written = True
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> Any:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> Any:  # type: ignore[override]
        return self.stream.errors

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class Recording:
    """``with Recording(args, root, found) as rec:`` around a check that prints: what it prints
    goes to standard output as always and into a new body of the slot; :meth:`keep` then puts
    it in place, when nothing changed while it ran (see the module's docstring)."""

    def __init__(self, args: Any, root: Path, found: tuple[Any, ...] | None, began_ns: int) -> None:
        """``found``: what :func:`serve` gave; ``began_ns``: ``time.time_ns()`` from before it was computed."""
        from coordtui.store.outcache import OutputCache

        self.args, self.root, self.found, self.began_ns = args, root, found, began_ns
        self.path = list(sys.path)
        self.cache = OutputCache(root)
        self.writer = self.cache.writer(found[0]) if found is not None else None
        self.moment_bound = False
        #: The key taken ahead (:class:`Ahead`): ``(slot, key)``, or None where none is to be
        #: trusted; :data:`_UNTAKEN` where :meth:`keep` is to take it itself.
        self.taken: Any = _UNTAKEN

    @property
    def keeping(self) -> bool:
        """Whether the run's output may be kept (a slot to keep it in, a cache to write)."""
        return self.writer is not None and self.found is not None

    def key_now(self) -> tuple[str, str] | None:
        """The key of the store and code as they are now, for a run that began at ``began_ns``:
        None where a file changed since (within :data:`SETTLE_NS` before it) or there is none to
        trust. Taken once the run has ended, or at any moment after it began (:class:`Ahead`):
        a file changed after the key was taken has a ctime no key taken before holds, so that
        key is never met again and what was kept under it never served."""
        return slot_and_key(self.args, self.root, self.path, self.began_ns - SETTLE_NS, getattr(self, "_stdout", None))

    def __enter__(self) -> "Recording":
        if self.writer is None:
            return self
        self._stdout, self._stderr = sys.stdout, sys.stderr
        sys.stdout.flush()
        binary = getattr(self._stdout, "buffer", None)
        if binary is None:
            self.writer.discard()
            self.writer = None
            return self
        self._watched = _Watched(self._stderr)
        sys.stdout = io.TextIOWrapper(_Tee(binary, self.writer), encoding=self._stdout.encoding,  # type: ignore[assignment]
                                      errors=self._stdout.errors, write_through=True)
        sys.stderr = self._watched  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.writer is None:
            return
        try:
            sys.stdout.flush()
        finally:
            sys.stdout, sys.stderr = self._stdout, self._stderr
        if exc[0] is not None:
            self.writer.discard()
            self.writer = None

    def keep(self, status: int) -> bool:
        """Keep what was printed under the key, when the key is still the one it ran under."""
        writer, self.writer = self.writer, None
        if writer is None or self.found is None:
            return False
        # Nothing may have changed since the key was taken, not even within one tick of a coarse
        # clock (~4 ms; a file edited in place to the same size and mtime then keeps its ctime):
        # a file whose ctime is that recent is taken as changed, and nothing is kept.
        if self.moment_bound or self._watched.written:
            now = None
        else:
            now = self.key_now() if self.taken is _UNTAKEN else self.taken
        key = key_to_keep(self.found, now, self.root)
        if key is None:
            writer.discard()
            return False
        return self.cache.commit(writer, key, status)


_UNTAKEN = object()


class Ahead:
    """The history verified (``Store.verify_history``) and the output's key taken
    (:meth:`Recording.key_now`) in a child process (coordtui.forked), started once the store is
    open and before the models load: on a server of two cores the command's own start (its
    imports, its plugins, its organizations' files listed) leaves one idle for a third of a
    second, and both were done while the workers judged (with them for the two cores: 0.15 s
    at 100,000 records) or after the findings were written (0.1 s). A command that cannot fork,
    or gets nothing from its child, does both itself, as without one."""

    def __init__(self, store: Any, recording: Recording) -> None:
        from coordtui.forked import may_fork, started

        self.child = started(lambda: self._work(store, recording)) if may_fork() else None

    @staticmethod
    def _work(store: Any, recording: Recording) -> bytes:
        import pickle

        try:
            problems = store.verify_history()
            key = recording.key_now() if recording.keeping else None
            # (pickled, as a rules worker's results are: a problem is a Bilingual, both languages)
            return pickle.dumps({"problems": problems, "key": key}, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # (what it was: the parent, verifying itself, says so)
            return b""

    def close(self) -> None:
        """End the child, if it is still there, and reap it."""
        if self.child is not None:
            from coordtui.forked import ended

            child, self.child = self.child, None
            ended(*child)

    def taken(self) -> tuple[list[str], tuple[str, str] | None] | None:
        """(the history's breaks, the key) from the child; None where it said nothing whole
        (the caller does both itself then)."""
        if self.child is None:
            return None
        import pickle

        from coordtui.forked import said

        raw, self.child = said(*self.child), None
        try:
            data = pickle.loads(raw)  # (from this process's own child, through a pipe of its own)
            problems, key = data["problems"], data["key"]
        except Exception:  # (cut short: the child was killed; nothing at all: it failed)
            return None
        if (not isinstance(problems, list) or not all(isinstance(p, str) for p in problems)
                or not (key is None or (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)))):
            return None
        return problems, key
