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
from coordtui.domain.records import Finding, Severity, finding_json

#: Bumped whenever the rows' layout or the meaning of a digest changes.
LAYOUT = 2

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


def render(f: Any) -> bytes:
    """One finding as ``coordtui check --format json`` writes it inside its list (indented, as
    ``orjson.dumps(..., OPT_INDENT_2)`` indents the whole document). A newline inside a value is
    written escaped, so every newline here is the layout's."""
    if isinstance(f, KeptFinding):
        return f.rendered
    return _indented(f.as_json())


def _indented(data: dict[str, Any]) -> bytes:
    return b"    " + orjson.dumps(data, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    ")


def render_fields(rule: str, severity: str, org: str, subject: str, period: str | None, message: str, message_en: str,
                  subject_kind: str | None, subject_id: str | None, since: date | None, provisional: bool) -> bytes:
    """What :func:`render` writes for the finding of these field values (``severity``: its
    value), without the finding (a rules worker renders the findings of duties so)."""
    return _indented(finding_json(rule, severity, org, subject, period, message, message_en, subject_kind, subject_id,
                                  since, provisional))


class KeptFinding:
    """A finding read back from the cache without rebuilding it: the fields a check sorts,
    filters (by scope) and counts by, and its JSON as :func:`render` wrote it. Reads like a
    :class:`Finding` where ``coordtui check`` reads one (``text``, ``as_json``).

    The JSON is kept as where it lies in the bytes it was read from (``blob[at:end]``), not cut
    out: a check of 1,000,000 records answered from the cache holds 840,000 of these, and a copy
    of each one's JSON (about 600 bytes) was a third of its peak memory."""

    __slots__ = ("severity", "org", "rule", "subject", "period", "subject_kind", "subject_id", "_blob", "_at", "_end")

    def __init__(self, severity: Severity, org: str, rule: str, subject: str, period: str | None,
                 subject_kind: str | None, subject_id: str | None, blob: bytes, at: int = 0, end: int | None = None) -> None:
        self.severity, self.org, self.rule, self.subject, self.period = severity, org, rule, subject, period
        self.subject_kind, self.subject_id = subject_kind, subject_id
        self._blob, self._at, self._end = blob, at, len(blob) if end is None else end

    @property
    def rendered(self) -> bytes:
        """Its JSON, as :func:`render` wrote it."""
        return self._blob[self._at:self._end]

    def as_json(self) -> dict[str, Any]:
        return orjson.loads(self.rendered)

    def text(self, lang: str = "zh") -> str:
        data = self.as_json()
        return data["message"] if lang == "zh" else data["message_en"]


class FindingBlock:
    """All the findings of one organization of one severity, in the order a check sorts them, as
    ``coordtui check --format json`` writes them (each as :func:`render` writes it, joined by
    the list's ",\n"): what a rules worker sends back for a caller that only counts and writes
    findings out (``RuleWorker(blocks=True)``). ``failed``: a rule or obligation of the
    organization failed (a ``core.`` finding is among them). It sorts as the first of its
    findings would among those of other organizations (by severity and organization)."""

    __slots__ = ("severity", "org", "count", "rendered", "failed")
    rule = ""
    period = None
    subject = ""
    subject_kind = None
    subject_id = None

    def __init__(self, severity: Severity, org: str, count: int, rendered: bytes, failed: bool) -> None:
        self.severity, self.org, self.count, self.rendered, self.failed = severity, org, count, rendered, failed


def counted(findings: Iterable[Any]) -> dict[str, int]:
    """The findings by severity (:func:`coordtui.rules.summarize`), a block counting for its findings."""
    summary = {s.value: 0 for s in Severity}
    for f in findings:
        summary[f.severity._value_] += f.count if f.__class__ is FindingBlock else 1
    return summary


def failed(findings: Iterable[Any]) -> bool:
    """Whether a rule or obligation failed, a file could not be read, the history is broken: a
    ``core.`` finding among ``findings`` (blocks say it of theirs)."""
    return any(f.failed if f.__class__ is FindingBlock else f.rule.startswith("core.") for f in findings)


def to_rows(findings: Iterable[Finding]) -> tuple[list[list[Any]], bytes]:
    """Findings as plain JSON rows (what :class:`KeptFinding` holds, and the length of each
    one's JSON) and those JSONs, one after another."""
    rows, chunks = to_chunks(findings)
    return rows, b"".join(chunks)


def to_chunks(findings: Iterable[Finding]) -> tuple[list[list[Any]], list[bytes]]:
    """:func:`to_rows`, each finding's JSON apart (for a caller that puts them in another order)."""
    rows, chunks = [], []
    for f in findings:
        chunk = render(f)
        chunks.append(chunk)
        rows.append([f.severity.value, f.org, f.rule, f.subject, f.period, f.subject_kind, f.subject_id, len(chunk)])
    return rows, chunks


def from_rows(rows: list[Any], blob: bytes, *, shared: bool = True) -> list[KeptFinding] | None:
    """The findings of :func:`to_rows` again (not validated: they were when kept, and the seal
    says they are what was kept); None for rows of another shape. ``shared``: one string for
    each organization, rule, period and kind named (JSON gives a new one each time it is
    written: 840,000 findings of a check answered from the cache held each afresh); False for
    rows that share theirs already (unpickled: a pickle writes a string once)."""
    found = []
    at = 0
    same: dict[Any, Any] = {}
    one = same.setdefault
    try:
        if shared:
            for severity, org, rule, subject, period, subject_kind, subject_id, size in rows:
                found.append(KeptFinding(_SEVERITY[severity], one(org, org), one(rule, rule), subject, one(period, period),
                                         one(subject_kind, subject_kind), subject_id, blob, at, at + size))
                at += size
        else:
            for severity, org, rule, subject, period, subject_kind, subject_id, size in rows:
                found.append(KeptFinding(_SEVERITY[severity], org, rule, subject, period, subject_kind, subject_id, blob, at, at + size))
                at += size
    except (KeyError, TypeError, ValueError):
        return None
    return found if at == len(blob) else None
