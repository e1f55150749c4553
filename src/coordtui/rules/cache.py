"""What a check's result depends on, and findings as plain rows: for the results kept on disk
between processes (检查结果缓存; the files themselves: ``coordtui.store.results``).

An organization's findings as of a day follow from its records and settings, the calendar, the
as-of date and the code that judges them (the core's rules engine, the model's rules and
obligations). :func:`code_identity` sums up the code by the files it lives in (a plugin
edited in place, or upgraded, changes them); :func:`digest` sums up the rest.
"""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import date
from typing import Any, Iterable

import orjson

from coordtui.domain.calendar import WorkCalendar
from coordtui.domain.records import Finding, Severity
from coordtui.rules.engine import finding_of

#: Bumped whenever the rows' layout or the meaning of a digest changes.
LAYOUT = 1

_FIELDS = tuple(Finding.model_fields)
_SEVERITY = {s.value: s for s in Severity}


def _files_of(folder: str) -> list[list[Any]]:
    """(path, size, mtime) of the Python and data files under a package's folder."""
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "tests") and not d.startswith("."))
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")):
                continue
            try:
                st = os.stat(os.path.join(top, name))
            except OSError:
                continue
            found.append([os.path.join(top, name), st.st_size, st.st_mtime_ns])
    return found


def _package_folder(module: str | None) -> str | None:
    top = sys.modules.get((module or "").split(".")[0])
    path = getattr(top, "__file__", None)
    return os.path.dirname(path) if path else None


def code_identity(model: Any, version: str, items: Iterable[Any]) -> list[Any]:
    """The code a model's result comes from: the core's version and files, the model's id and
    version, and the files of every package its kinds, rules and obligations live in."""
    import coordtui

    folders = {os.path.dirname(coordtui.__file__)}
    for item in [*model.kinds, *items]:
        func = getattr(item, "check", None) or getattr(item, "duties", None) or item
        folder = _package_folder(getattr(func, "__module__", None) or type(item).__module__)
        if folder is not None:
            folders.add(folder)
    return [LAYOUT, coordtui.__version__, model.id, model.version, version,
            [[folder, _files_of(folder)] for folder in sorted(folders)]]


def calendar_identity(calendar: WorkCalendar) -> list[Any]:
    """What the calendar knows beyond its package: the user file's days (and the package's version)."""
    try:
        from importlib.metadata import version

        package = version("chinesecalendar")
    except Exception:  # not installed as a distribution: its files say the rest
        package = "-"
    days = calendar.user_days
    return [package, sorted((d.isoformat(), n) for d, n in days.holidays.items()),
            sorted((d.isoformat(), n) for d, n in days.workdays.items()),
            sorted((d.isoformat(), list(n)) for d, n in days.names.items())]


def digest(*parts: Any) -> str:
    """One hex digest of JSON-able parts."""
    return hashlib.sha256(orjson.dumps(parts, default=str)).hexdigest()


def to_rows(findings: Iterable[Finding]) -> list[list[Any]]:
    """Findings as plain JSON rows (their fields in order)."""
    rows = []
    for f in findings:
        data = f.__dict__
        values = [data[name] for name in _FIELDS]
        values[1] = values[1].value
        since = values[9]
        values[9] = since.isoformat() if since is not None else None
        rows.append(values)
    return rows


def from_rows(rows: list[Any]) -> list[Finding] | None:
    """The findings of :func:`to_rows` again (without validating: they were valid when kept,
    and their seal says they are what was kept); None for rows of another shape."""
    found = []
    size = len(_FIELDS)
    try:
        for values in rows:
            if len(values) != size:
                return None
            values[1] = _SEVERITY[values[1]]
            if values[9] is not None:
                values[9] = date.fromisoformat(values[9])
            found.append(finding_of(values))
    except (KeyError, TypeError, ValueError):
        return None
    return found
