"""The dashboard's first results from the last run (总览快照; issue 22), before any plugin is imported.

The application's first frame needs the organization being viewed checked: its duties and
findings. Checking it means importing the models (their kinds are 66 pydantic classes) and
judging its records, about 0.25 s of a 0.55 s start. When the last run of the application
checked the same organization as of the same day, by the same person, with the same code and
the store's files as they are now, that first part of the check is what it found then. So the
application keeps it, sealed, under the key of ``coordtui check``'s output cache
(:func:`coordtui.check_output.slot_and_key`: every file of the store, the code found without
importing the plugins, the person, the days, the boot) together with this part's own arguments
(the as-of date, the organization, the plugin host's folders); a start whose key is the one
kept shows it at once, and the real check runs after the first frame and replaces it.

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
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

#: Bumped whenever the layout changes.
LAYOUT = 1


def _args(ws: Any, **what: Any) -> SimpleNamespace | None:
    """What besides the store, the code and the days a kept answer depends on: ``what``, the
    person (with their grants) and the plugin host's folders; None when the workspace holds
    what the key does not cover: a calendar given by the program, or a plugin host with modules
    registered in the program, plugins switched off by argument or automatic loading changed."""
    from coordtui.plugins import PluginHost, _env_list

    host = ws.unloaded_host
    if (ws.calendar_given or type(host) is not PluginHost or host._extra or host.disabled != set(_env_list("COORDTUI_DISABLE_PLUGINS"))
            or host.autoload != (not os.environ.get("COORDTUI_DISABLE_PLUGIN_AUTOLOAD"))):
        return None
    env_dirs = [d for d in os.environ.get("COORDTUI_PLUGIN_PATH", "").split(os.pathsep) if d]
    own = [str(p) for p in host.plugin_dirs][: len(host.plugin_dirs) - len(env_dirs)]
    try:
        actor = ws._current_actor()  # as a check begun now sees them: their grants as the store has them
        person = actor.person.model_dump(mode="json") if actor.person is not None else None
    except Exception:  # people.json unreadable, the person removed: the ordinary way says what is wrong
        return None
    return SimpleNamespace(layout=LAYOUT, identity=actor.name, owner=actor.owner, person=person, plugin_dir=own, **what)


def _key(ws: Any, args: SimpleNamespace | None, changed_after_ns: int | None = None,
         path: list[str] | None = None) -> tuple[str, str] | None:
    from coordtui.check_output import slot_and_key

    if args is None:
        return None
    return slot_and_key(args, Path(ws.store.root), path, changed_after_ns, out=sys.__stdout__)


def key(ws: Any, as_of: date, org_id: str, *, changed_after_ns: int | None = None,
        path: list[str] | None = None) -> tuple[str, str] | None:
    """(the slot, the key) of the first part of a check of ``org_id`` as of ``as_of``; None when
    there is none to trust."""
    return _key(ws, _args(ws, command="app-snapshot", as_of=as_of.isoformat(), org=org_id), changed_after_ns, path)


def _read(ws: Any, found: tuple[str, str] | None) -> bytes | None:
    from coordtui.store.outcache import OutputCache

    if found is None:
        return None
    kept = OutputCache(Path(ws.store.root)).open(*found)
    if kept is None:
        return None
    fd, status = kept
    try:
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read()
    finally:
        os.close(fd)
    return raw if status == 0 else None


def _write(ws: Any, found: tuple[str, str], raw: bytes, again: Any) -> bool:
    """Keep ``raw`` under ``found`` when ``again()`` (the key taken after it was written) is still ``found``."""
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
    if again() != found:
        writer.discard()
        return False
    return cache.commit(writer, found[1], 0)


def example_org_ids(ws: Any, compute: Any) -> set[str]:
    """The ids of the bundled example organizations (``compute()``, which loads the plugins),
    kept under the key of the code, the store and the day: a start that needs only them to
    choose its opening date loads no plugin."""
    from coordtui.check_output import SETTLE_NS

    began, path = time.time_ns(), list(sys.path)
    args = _args(ws, command="app-examples")
    found = _key(ws, args, path=path)
    raw = _read(ws, found)
    if raw is not None:
        try:
            ids = orjson.loads(raw)
            if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
                return set(ids)
        except orjson.JSONDecodeError:
            pass
    ids = compute()
    if found is not None:
        _write(ws, found, orjson.dumps(sorted(ids)), lambda: _key(ws, args, began - SETTLE_NS, path))
    return ids


def _duty(d: Any) -> dict[str, Any]:
    data = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}
    data["due"] = d.due.isoformat()
    data["done"] = [x.isoformat() for x in d.done]
    data["period"] = [d.period.year, d.period.kind.value, d.period.index] if d.period is not None else None
    return data


def _encode(result: Any) -> bytes:
    return orjson.dumps({
        "layout": LAYOUT,
        "as_of": result.as_of.isoformat(),
        "findings": [f.model_dump(mode="json") for f in result.findings],
        "duties": [[r.org, r.rule, r.obligation_zh, r.obligation_en, r.status.value, r.as_of.isoformat(), _duty(r.duty)]
                   for r in result.duties],
    })


def _decode(raw: bytes) -> Any:
    """The check result of :func:`_encode` again; None for anything else."""
    from coordtui.domain.model import Duty, DutyStatus
    from coordtui.domain.periods import Period, PeriodKind
    from coordtui.domain.records import Finding
    from coordtui.rules.engine import CheckResult, DutyRow

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
        findings = [Finding.model_validate(f) for f in data["findings"]]
        return CheckResult(date.fromisoformat(data["as_of"]), findings, duties)
    except Exception:  # a layout of another version, or not ours: the ordinary way
        return None


def load(ws: Any, found: tuple[str, str] | None) -> Any:
    """The check result kept under ``found`` (see :func:`key`), or None."""
    raw = _read(ws, found)
    return _decode(raw) if raw is not None else None


def keep(ws: Any, as_of: date, org_id: str, found: tuple[str, str] | None, began_ns: int, path: list[str],
         result: Any) -> bool:
    """Keep ``result`` (the first part of a check of ``org_id`` as of ``as_of`` that began at
    ``began_ns``, under the key ``found`` taken then, with ``sys.path`` as ``path``) for the
    next start, if nothing changed since and it reads back exactly."""
    from coordtui.check_output import SETTLE_NS
    from coordtui.domain.records import Finding

    if found is None:
        return False
    if any(type(f) is not Finding or f.rule.startswith("core.") for f in result.findings):
        return False
    try:
        raw = _encode(result)
    except (TypeError, ValueError, AttributeError):
        return False
    again = _decode(raw)
    if again is None or again != result:
        return False
    return _write(ws, found, raw, lambda: key(ws, as_of, org_id, changed_after_ns=began_ns - SETTLE_NS, path=path))
