"""The dashboard's first results from the last run (总览快照; issue 22), before any plugin is imported.

The application's first frame needs the organizations the person sees and the one being viewed
checked: its duties and findings. Checking it means importing the models (their kinds are 66
pydantic classes) and judging its records, about 0.25 s of a 0.55 s start. When the last run of the application
checked the same organization as of the same day, by the same person, with the same code and
the store's files as they are now, that first part of the check is what it found then. So the
application keeps it, sealed, under the key of ``coordtui check``'s output cache
(:func:`coordtui.check_output.slot_and_key`: every file of the store, the code found without
importing the plugins, the person, the days, the boot) together with this part's own arguments
(the as-of date, the organization asked for, the plugin host's configuration); a start whose
key is the one kept shows it at once, and the real check runs after the first frame and replaces it.

What is kept: the organizations the person sees (``Workspace.orgs``), the one viewed, and that
one's findings and duties. A start served from it needs no pydantic, no model and no plugin:
its organizations and findings are read into the plain :class:`ShownOrganization` and
:class:`ShownFinding` (the fields and methods a screen reads of an ``Organization`` and a
``Finding``), its duties into the plain classes of :mod:`coordtui.domain.outcomes`; once the
plugins are loaded (in a thread, after the first frame) the application puts the real objects
in their place (:func:`load_full`), the same values, and runs the real check.

A cache of that result under a complete key, never trusted over the store's files: another
process's write changes the store's state, so the key; a snapshot is kept only when the key
taken before the check is still the key after it (nothing changed while it ran), when nothing
in it depends on the moment (no ``core.`` finding: a rule that failed or timed out), and when
its JSON reads back as exactly the objects the check gave (a plugin's ``prefill`` holding a date
or a tuple would not: then nothing is kept). The file is a slot of the output cache
(store/outcache.py): sealed with the store's key, read as JSON only.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

from coordtui.domain.outcomes import CheckResult, Duty, DutyRow, DutyStatus, Severity
from coordtui.domain.periods import Period, PeriodKind

#: Bumped whenever the layout changes.
LAYOUT = 2
#: A store whose manifest is larger than this (~60,000 files, ~350,000 records) starts without a
#: snapshot: the key, a look at every file of the store (4-5 us each), then costs more than the
#: 0.3-0.4 s of a start it saves (at 1,000,000 records, 171,000 files: 0.75 s before the first frame).
MAX_MANIFEST_BYTES = 1 << 20


def worth_it(ws: Any) -> bool:
    """Whether a start of ``ws``'s store is to be shown from (and kept as) a snapshot: see
    :data:`MAX_MANIFEST_BYTES` (told by the manifest's size alone)."""
    try:
        return os.stat(os.path.join(ws.store.root, "manifest.json")).st_size <= MAX_MANIFEST_BYTES
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class ShownOrganization:
    """An organization as a start from the snapshot shows it, before pydantic is imported: the
    fields of :class:`~coordtui.domain.model.Organization`, read from what it dumped."""

    id: str
    name: str
    model: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShownFinding:
    """A finding as a start from the snapshot shows it, before pydantic is imported: the fields
    of :class:`~coordtui.domain.records.Finding` and what a screen reads of one."""

    rule: str
    severity: Severity
    org: str
    subject: str
    period: str | None = None
    message: str = ""
    message_en: str = ""
    subject_kind: str | None = None
    subject_id: str | None = None
    since: date | None = None
    provisional: bool = False

    def text(self, lang: str = "zh") -> str:
        return self.message if lang == "zh" else self.message_en


#: What a start served from the snapshot shows: the organizations (``orgs``), the one viewed
#: (``org``) and its part of the check (``result``).
Kept = SimpleNamespace


def _args(ws: Any, **what: Any) -> SimpleNamespace | None:
    """What besides the store, the code and the days a kept answer depends on: ``what``, the
    person (their login name, whether they act as the owner, their entry with its grants as the
    store holds it) and the plugin host's configuration (:meth:`PluginHost.config_identity`);
    None when the workspace holds what the key does not cover: a calendar given by the program,
    a plugin host of another kind or with modules registered in the program; or when the person
    cannot be named this way (then the ordinary way says what is wrong). Imports no pydantic."""
    from coordtui.plugins import PluginHost

    host = ws.unloaded_host
    plugins = host.config_identity() if type(host) is PluginHost else None
    if ws.calendar_given or plugins is None:
        return None
    who = ws.actor_key()  # as a check begun now sees them: their grants as the store has them
    if who is None:
        return None
    identity, owner, person = who
    return SimpleNamespace(layout=LAYOUT, identity=identity, owner=owner, person=person, **plugins, **what)


def _key(ws: Any, args: SimpleNamespace | None, changed_after_ns: int | None = None,
         path: list[str] | None = None) -> tuple[str, str] | None:
    from coordtui.check_output import slot_and_key

    if args is None:
        return None
    return slot_and_key(args, Path(ws.store.root), path, changed_after_ns, out=sys.__stdout__)


def key(ws: Any, as_of: date, org_id: str | None, *, changed_after_ns: int | None = None,
        path: list[str] | None = None, deferred: bool = False) -> tuple[Any, ...] | None:
    """(the slot, the key) of a start as of ``as_of`` viewing ``org_id`` (None: the first
    organization the person sees); None when there is none to trust. ``deferred``: where the
    slot holds nothing (the first start as of a day), (the slot, None, the names in the store's
    folder) without walking the store before the first frame (0.06 s at 100,000 records, 0.6 s
    at 1,000,000): :func:`keep` then takes the key, of a store none of whose files changed since."""
    args = _args(ws, command="app-snapshot", as_of=as_of.isoformat(), org=org_id)
    if deferred and args is not None:
        from coordtui.check_output import _command, _slot, deferred
        from coordtui.store.outcache import OutputCache

        root = Path(ws.store.root)
        slot = _slot(_command(args, root, sys.__stdout__))
        if not OutputCache(root).holds(slot):
            return deferred(root, slot)
    return _key(ws, args, changed_after_ns, path)


def _read(ws: Any, found: tuple[str, str] | None) -> bytes | None:
    from coordtui.store.outcache import OutputCache

    if found is None or found[1] is None:  # (deferred: the slot holds nothing)
        return None
    kept = OutputCache(Path(ws.store.root)).open(found[0], found[1])
    if kept is None:
        return None
    fd, status = kept
    try:
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read()
    finally:
        os.close(fd)
    return raw if status == 0 else None


def _write(ws: Any, found: tuple[Any, ...], raw: bytes, again: Any) -> bool:
    """Keep ``raw`` under ``found`` when ``again()`` (the key taken after it was written) is still
    ``found`` (or, ``found`` deferred, holds: see check_output.key_to_keep)."""
    from coordtui.check_output import key_to_keep
    from coordtui.store.outcache import OutputCache

    cache = OutputCache(Path(ws.store.root))
    writer = cache.writer(found[0])
    if writer is None:
        return False
    try:
        writer.write(raw)
        writer.flush()
    except OSError:
        writer.discard()
        return False
    key = key_to_keep(found, again(), Path(ws.store.root))
    if key is None:
        writer.discard()
        return False
    return cache.commit(writer, key, 0)


def kept_value(ws: Any, command: str, compute: Any, valid: Any) -> Any:
    """``compute()`` (which may load the plugins), kept as JSON under the key of the code, the
    store, the person and the day, for ``command`` (what it answers): a start that finds it kept
    loads no plugin for it. ``valid(value)``: whether a value read back is one ``compute`` gives."""
    from coordtui.check_output import SETTLE_NS

    began, path = time.time_ns(), list(sys.path)
    args = _args(ws, command=command)
    found = _key(ws, args, path=path)
    raw = _read(ws, found)
    if raw is not None:
        try:
            value = orjson.loads(raw)
            if valid(value):
                return value
        except orjson.JSONDecodeError:
            pass
    value = compute()
    if found is not None:
        _write(ws, found, orjson.dumps(value), lambda: _key(ws, args, began - SETTLE_NS, path))
    return value


def _duty(d: Any) -> dict[str, Any]:
    data = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}
    data["due"] = d.due.isoformat()
    data["done"] = [x.isoformat() for x in d.done]
    data["period"] = [d.period.year, d.period.kind.value, d.period.index] if d.period is not None else None
    return data


def _encode(orgs: list[Any], org_id: str, result: Any) -> bytes:
    return orjson.dumps({
        "layout": LAYOUT,
        "as_of": result.as_of.isoformat(),
        "orgs": [o.model_dump(mode="json") for o in orgs],
        "org": org_id,
        "findings": [f.model_dump(mode="json") for f in result.findings],
        "duties": [[r.org, r.rule, r.obligation_zh, r.obligation_en, r.status.value, r.as_of.isoformat(), _duty(r.duty)]
                   for r in result.duties],
    })


def _shown_finding(data: dict[str, Any]) -> ShownFinding:
    data = dict(data)
    data["severity"] = Severity(data["severity"])
    if data.get("since") is not None:
        data["since"] = date.fromisoformat(data["since"])
    return ShownFinding(**data)


def _decode(raw: bytes, *, full: bool = False) -> Kept | None:
    """What :func:`_encode` kept, or None for anything else. Its organizations and findings as
    :class:`ShownOrganization` and :class:`ShownFinding` (no pydantic), or, ``full``, its
    findings as :class:`~coordtui.domain.records.Finding` (then ``orgs`` is None: the
    workspace's own are read instead)."""
    try:
        data = orjson.loads(raw)
        if not isinstance(data, dict) or data.get("layout") != LAYOUT:
            return None
        duties = []
        for org, rule, zh, en, status, as_of, duty in data["duties"]:
            duty = dict(duty)
            duty["due"] = date.fromisoformat(duty["due"])
            duty["done"] = [date.fromisoformat(x) for x in duty["done"]]
            if duty["period"] is not None:
                year, kind, index = duty["period"]
                duty["period"] = Period(year, PeriodKind(kind), index)
            duties.append(DutyRow(org, rule, zh, en, Duty(**duty), DutyStatus(status), date.fromisoformat(as_of)))
        if full:
            from coordtui.domain.records import Finding

            findings: list[Any] = [Finding.model_validate(f) for f in data["findings"]]
            orgs = None
        else:
            findings = [_shown_finding(f) for f in data["findings"]]
            orgs = [ShownOrganization(**o) for o in data["orgs"]]
        org_id = data["org"]
        if not isinstance(org_id, str) or (orgs is not None and org_id not in [o.id for o in orgs]):
            return None
        return Kept(orgs=orgs, org=org_id, result=CheckResult(date.fromisoformat(data["as_of"]), findings, duties))
    except Exception:  # a layout of another version, or not ours: the ordinary way
        return None


def load(ws: Any, found: tuple[str, str] | None) -> Kept | None:
    """What a start's first frame shows, kept under ``found`` (see :func:`key`), as plain
    objects (no pydantic), with the kept bytes as ``raw`` (for :func:`load_full`); or None."""
    raw = _read(ws, found)
    kept = _decode(raw) if raw is not None else None
    if kept is not None:
        kept.raw = raw
    return kept


def load_full(kept: Kept) -> CheckResult | None:
    """The check result of ``kept`` (from :func:`load`) with its findings as the check makes
    them (:class:`~coordtui.domain.records.Finding`: imports pydantic), or None."""
    again = _decode(kept.raw, full=True)
    return again.result if again is not None else None


def _same_orgs(shown: list[ShownOrganization], orgs: list[Any]) -> bool:
    return [(o.id, o.name, o.model, o.settings) for o in shown] == [(o.id, o.name, o.model, o.settings) for o in orgs]


def _same_findings(shown: list[ShownFinding], findings: list[Any]) -> bool:
    names = [f.name for f in dataclasses.fields(ShownFinding)]
    return len(shown) == len(findings) and all(
        type(a.severity) is Severity and [getattr(a, n) for n in names] == [getattr(b, n) for n in names]
        for a, b in zip(shown, findings))


def keep(ws: Any, as_of: date, org_id: str | None, found: tuple[Any, ...] | None, began_ns: int, path: list[str],
         orgs: list[Any], result: Any) -> bool:
    """Keep ``orgs`` (the organizations the start showed) and ``result`` (the first part of a
    check of the first of them, or of ``org_id``, as of ``as_of``, that began at ``began_ns``,
    under the key ``found`` taken then, with ``sys.path`` as ``path``) for the next start, if
    nothing changed since and it reads back exactly, as the check's objects and as the plain ones."""
    from coordtui.check_output import SETTLE_NS
    from coordtui.domain.records import Finding

    if found is None or not orgs:
        return False
    if any(type(f) is not Finding or f.rule.startswith("core.") for f in result.findings):
        return False
    viewed = org_id if org_id is not None else orgs[0].id
    try:
        raw = _encode(orgs, viewed, result)
    except (TypeError, ValueError, AttributeError):
        return False
    again, shown = _decode(raw, full=True), _decode(raw)
    if again is None or again.result != result or shown is None or not _same_orgs(shown.orgs, orgs) \
            or shown.result.duties != result.duties or not _same_findings(shown.result.findings, result.findings):
        return False
    return _write(ws, found, raw, lambda: key(ws, as_of, org_id, changed_after_ns=began_ns - SETTLE_NS, path=path))
