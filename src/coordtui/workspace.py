"""The workspace: one store, the loaded plugins and the calendar, and what the interface asks of them.

The interface and the command line talk to this; it talks to the store, the plugin host
and the rules engine. It converts between the store's documents and the models' records.
"""

from __future__ import annotations

import gc
import os
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pydantic import ValidationError

from coordtui.domain.calendar import WorkCalendar
from coordtui.domain.clock import OfficeClock
from coordtui.domain.model import Context, ModelSpec, Organization
from coordtui.domain.records import Finding, Record, Severity
from coordtui.errors import InputError, StoreError
from coordtui.plugins import PluginHost
from coordtui.rules.engine import CheckResult, evaluate
from coordtui.store import STRUCTURE, Delete, Put, PutOrg, Store, strip_meta

HOLIDAYS_FILE = "holidays.txt"


def default_store_path() -> Path:
    """``--db``, else ``COORDTUI_DB``, else a folder under the user's data directory."""
    env = os.environ.get("COORDTUI_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("coordtui", appauthor=False)) / "store"


def part_of(record: Record) -> str:
    return record.partition() or STRUCTURE


def first_error(exc: ValidationError) -> tuple[str, str]:
    """(field, problem) of a pydantic error, phrased for a user."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "(item)"
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        msg = "unknown field"
    elif err.get("type") == "missing":
        msg = "required field is missing"
    msg = msg.removeprefix("Value error, ")
    return loc, msg


@dataclass
class RecordRef:
    org: str
    kind: str
    id: str


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """A check allocates hundreds of thousands of objects that live on (records, duties,
    findings) and form no cycles; Python's cycle collector would walk them all again and
    again meanwhile (a fifth of a check of 100,000 records). Reference counting still frees
    everything as usual; the collector resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Workspace:
    """A store opened with a set of plugins. Cheap; one per application or command."""

    def __init__(self, store: Store, host: PluginHost, calendar: WorkCalendar | None = None) -> None:
        self.store = store
        self.host = host.load()
        self.calendar = calendar or self._calendar()
        #: The office's clock: "today" and every time shown (the store's ``timezone`` setting).
        self.clock = OfficeClock(store.meta().get("timezone"))
        # org id -> (model, partition) -> (file signature, kind -> parsed records), least recently used first
        self._parsed: OrderedDict[str, dict[tuple[str, str], tuple[Any, dict[str, list[Record]]]]] = OrderedDict()
        # org id -> (what the result depends on, the result): a check re-evaluates only what changed
        self._results: dict[str, tuple[tuple, CheckResult]] = {}
        # org id -> the day it was first written (from orgs.json's history), for those without the setting
        self._created: dict[str, date] | None = None

    #: How many organizations' parsed records are kept. A check of everything walks every
    #: organization once; keeping them all would hold the whole store in memory (100,000
    #: records: about 100 MB), while a screen or a re-check after a save needs a few.
    PARSED_ORGS = 48

    @classmethod
    def open(cls, db: Path | str | None = None, *, create: bool = False, host: PluginHost | None = None, plugin_dirs: Iterable[Path] = ()) -> "Workspace":
        store = Store(Path(db) if db else default_store_path(), create=create)
        return cls(store, host or PluginHost(plugin_dirs=plugin_dirs))

    def _calendar(self) -> WorkCalendar:
        path = os.environ.get("COORDTUI_HOLIDAYS")
        return WorkCalendar.from_file(Path(path) if path else self.store.root / HOLIDAYS_FILE)

    def set_timezone(self, name: str) -> None:
        """Make ``name`` (an IANA zone) the office's time zone for everyone using this store."""
        clock = OfficeClock(name)  # an unknown zone is an InputError before anything is written
        self.store.set_meta(timezone=clock.name)
        self.clock = clock

    def today(self) -> date:
        """Today in the office's time zone, whatever ``TZ`` this process has."""
        return self.clock.today()

    # organizations ------------------------------------------------------------------
    def orgs(self) -> list[Organization]:
        return [Organization(**strip_meta(d)) for d in sorted(self.store.orgs(), key=lambda d: d["id"])]

    def org(self, org_id: str) -> Organization:
        doc = self.store.get_org(org_id)
        if doc is None:
            known = ", ".join(o["id"] for o in self.store.orgs()) or "none"
            raise InputError(f"no organization '{org_id}' in {self.store.root} (known: {known}): check --org")
        return Organization(**strip_meta(doc))

    def model_of(self, org: Organization) -> ModelSpec:
        if org.model not in self.host.models:
            raise InputError(
                f"organization {org.id} uses model '{org.model}', which is not loaded: install or enable its plugin (see 'coordtui plugins')"
            )
        return self.host.models[org.model]

    # records ------------------------------------------------------------------------
    def records(self, org: Organization | str, kind: str, *, parts: Iterable[str] | None = None) -> list[Record]:
        """Every record of ``kind``, validated. Parsed records are kept per partition while its file is
        unchanged, so a check or a screen pays for validation only where something was written.
        The records are shared: change them with ``model_copy``, never in place."""
        org = self.org(org) if isinstance(org, str) else org
        self.model_of(org).kind(kind)  # an unknown kind is a clear error, not an empty list
        names = self.store.parts(org.id) if parts is None else parts
        return self._gather(org, kind, [(part, self.store.part_signature(org.id, part)) for part in names])

    def _gather(self, org: Organization, kind: str, parts: list[tuple[str, Any]]) -> list[Record]:
        result: list[Record] = []
        for part, signature in parts:
            result.extend(self._partition(org, part, signature).get(kind, ()))
        result.sort(key=lambda r: r.id)
        return result

    def _partition(self, org: Organization, part: str, signature: Any) -> dict[str, list[Record]]:
        """Kind -> parsed records of one partition, parsed once per version of its file."""
        kept = self._parsed.get(org.id)
        if kept is None:
            kept = self._parsed[org.id] = {}
            while len(self._parsed) > self.PARSED_ORGS:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(org.id)
        cached = kept.get((org.model, part))
        if cached is not None and cached[0] == signature and signature is not None:
            return cached[1]
        signature, tables = self.store.read_part(org.id, part)
        model = self.model_of(org)
        parsed = {kind: self._parse(org, model.kind_map[kind], table.values()) for kind, table in tables.items() if kind in model.kind_map}
        kept[(org.model, part)] = (signature, parsed)
        return parsed

    def _parse(self, org: Organization, cls: type[Record], docs: list[dict[str, Any]]) -> list[Record]:
        parsed = []
        for doc in docs:
            try:
                parsed.append(cls.model_validate(strip_meta(doc)))
            except ValidationError as exc:
                field, problem = first_error(exc)
                raise StoreError(
                    f"{self.store.root}: {org.id}: {cls.kind} {doc.get('id')}: field {field}: {problem} (stored data no longer fits the model): fix it with 'coordtui export' and 'import'"
                ) from None
        return parsed

    def rows(self, org: Organization | str, kind: str) -> list[dict[str, Any]]:
        """Every record of ``kind`` as stored (read-only dicts, without validation): for tables that
        show thousands of rows and convert only what they display."""
        org_id = org if isinstance(org, str) else org.id
        return self.store.query(org_id, kind)

    def get(self, org_id: str, kind: str, record_id: str) -> tuple[Record, int] | None:
        doc = self.store.get(org_id, kind, record_id)
        if doc is None:
            return None
        cls = self.model_of(self.org(org_id)).kind(kind)
        return cls.model_validate(strip_meta(doc)), int(doc["_rev"])

    def save(self, org_id: str, record: Record, *, rev: int | None) -> int:
        """Save one record; ``rev`` is the revision it was based on (0 for a new one). Returns the new revision."""
        doc = self.store.put(org_id, record.kind, record.id, record.model_dump(mode="json"), part=part_of(record), rev=rev)
        return int(doc["_rev"])

    def save_many(self, org_id: str, items: list[tuple[Record, int | None]]) -> list[int]:
        """Save several records in one transaction (all or none); each with the revision it was based on."""
        docs = self.store.apply([Put(org_id, r.kind, r.id, r.model_dump(mode="json"), part_of(r), rev) for r, rev in items])
        return [int(d["_rev"]) for d in docs]

    def delete(self, org_id: str, kind: str, record_id: str, *, rev: int | None) -> None:
        self.store.delete(org_id, kind, record_id, rev=rev)

    def ops_for(self, org: Organization, records: list[Record], *, replace: bool) -> tuple[list[Any], dict[str, int]]:
        """The store operations that write ``org`` with ``records``, and counts of what changes.

        Unchanged records are left alone (no new revision, no history entry); with
        ``replace`` the records the organization has but ``records`` lacks are deleted.
        An organization written without ``settings.tracking_start`` gets one: the day it
        already had (or was created in the store), else the office's today, so that tracking
        starts once and a later import does not move it.
        """
        if not org.settings.get("tracking_start"):
            org = org.model_copy(update={"settings": {**org.settings, "tracking_start": self.tracking_start_of(org).isoformat()}})
        ops: list[Any] = [PutOrg(org.model_dump(mode="json"))]
        counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
        existing: dict[tuple[str, str], dict] = {}
        if self.store.get_org(org.id) is not None:
            for kind in self.store.kinds(org.id):
                for doc in self.store.query(org.id, kind):
                    existing[(kind, doc["id"])] = doc
        for record in records:
            data = record.model_dump(mode="json")
            before = existing.get((record.kind, record.id))
            if before is not None and strip_meta(before) == data:
                counts["unchanged"] += 1
                continue
            counts["updated" if before is not None else "created"] += 1
            ops.append(Put(org.id, record.kind, record.id, data, part_of(record)))
        if replace:
            incoming = {(r.kind, r.id) for r in records}
            for kind, rid in existing:
                if (kind, rid) not in incoming:
                    ops.append(Delete(org.id, kind, rid))
                    counts["deleted"] += 1
        return ops, counts

    def replace_org(self, org: Organization, records: list[Record], *, replace: bool) -> dict[str, int]:
        """Write an organization and its records in one transaction."""
        ops, counts = self.ops_for(org, records, replace=replace)
        self.store.apply(ops)
        return counts

    # checking -----------------------------------------------------------------------
    def tracking_start_of(self, org: Organization) -> date:
        """The day ``org`` began to be tracked (跟踪起始日), whatever the as-of date: its
        ``tracking_start`` setting (also the one it has in the store), else the day of its first
        entry in the organizations' history, else the day the store was created, else (an
        organization not yet in the store) the office's today."""
        own = org.settings.get("tracking_start")
        if own:
            return date.fromisoformat(str(own))
        stored = self.store.get_org(org.id)
        if stored is not None and (stored.get("settings") or {}).get("tracking_start"):
            return date.fromisoformat(str(stored["settings"]["tracking_start"]))
        if stored is None:
            return self.today()
        if self._created is None or org.id not in self._created:
            self._created = {}
            for entry in self.store.org_history():  # oldest first: the first entry wins
                if entry.get("org") and entry.get("at"):
                    self._created.setdefault(entry["org"], self.clock.local(entry["at"]).date())
        found = self._created.get(org.id)
        if found is not None:
            return found
        created = self.store.meta().get("created")
        return self.clock.local(created).date() if created else self.today()

    def context(self, org: Organization, as_of: date) -> Context:
        """What the rules see of ``org``: its records as they are now, each partition looked at once."""
        return self._context(org, as_of, self._signatures(org))

    def _signatures(self, org: Organization) -> list[tuple[str, Any]]:
        return [(part, self.store.part_signature(org.id, part)) for part in self.store.parts(org.id)]

    def _context(self, org: Organization, as_of: date, parts: list[tuple[str, Any]]) -> Context:
        start = None if org.settings.get("tracking_start") else self.tracking_start_of(org)
        return Context(org, self.model_of(org), lambda kind: self._gather(org, kind, parts), self.calendar, as_of, start)

    def check(self, as_of: date, org_ids: Iterable[str] | None = None, *,
              progress: Callable[[int, int], None] | None = None) -> CheckResult:
        """Every finding and duty as of ``as_of``, of some organizations or all.

        An organization whose files, settings and calendar are as they were at its last
        check on the same day is not evaluated again: its previous result is reused (rules
        see nothing but the organization's own records, so the result cannot differ).
        ``progress(done, total)`` is called before each organization with how many are done.
        """
        orgs = [self.org(o) for o in org_ids] if org_ids else self.orgs()
        total = CheckResult(as_of)
        with _without_cyclic_gc():
            self._check_into(total, orgs, as_of, progress)
        total.sort()
        return total

    def _check_into(self, total: CheckResult, orgs: list[Organization], as_of: date,
                    progress: Callable[[int, int], None] | None) -> None:
        for done, org in enumerate(orgs):
            if progress is not None:
                progress(done, len(orgs))
            if org.model not in self.host.models:
                # Never an all-clear for what was not checked: say so, as an error (不得误报无问题).
                total.findings.append(self._model_unavailable(org))
                continue
            parts = self._signatures(org)
            key = (as_of, org.model_dump_json(), tuple(parts), id(self.calendar))
            kept = self._results.get(org.id)
            if kept is not None and kept[0] == key:
                result = kept[1]
            else:
                ctx = self._context(org, as_of, parts)
                result = evaluate(ctx, self.host.rules(org.model), self.host.obligations(org.model))
                # Kept even after a timeout: the rule that hung is switched off until the next start.
                self._results[org.id] = (key, result)
            total.extend(result)

    def _model_unavailable(self, org: Organization) -> Finding:
        info = self.host.plugins.get(org.model) or next((p for p in self.host.plugins.values() if org.model in p.models), None)
        if info is None or info.status == "ok":
            why_zh, why_en = f"没有插件提供模型 {org.model}", f"no loaded plugin provides model {org.model}"
        else:
            cause = info.cause or info.status
            why_zh, why_en = f"插件 {info.name} 未加载：{cause}", f"plugin {info.name} is {info.status}: {cause}"
        return Finding(
            rule="core.model_unavailable", severity=Severity.ERROR, org=org.id, subject=org.name,
            message=f"组织 {org.id}（{org.name}）未检查：{why_zh}；请修复或启用该插件（见 coordtui plugins）后重新检查",
            message_en=f"organization {org.id} ({org.name}) was not checked: {why_en}; fix or enable the plugin (see 'coordtui plugins') and check again",
        )

    def load_examples(self) -> list[str]:
        """Import every loaded model's bundled example organizations. Returns their ids."""
        from coordtui.interchange import validate_document

        loaded = []
        for model_id in sorted(self.host.models):
            for number, doc in enumerate(self.host.fixtures(model_id), start=1):
                plan = validate_document(doc, self, f"<{model_id} example {number}>")
                self.replace_org(plan.org, plan.records, replace=True)
                loaded.append(plan.org.id)
        return loaded
