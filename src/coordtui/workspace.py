"""The workspace: one store, the loaded plugins and the calendar, and what the interface asks of them.

The interface and the command line talk to this; it talks to the store, the plugin host
and the rules engine. It converts between the store's documents and the models' records.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator

import orjson

from coordtui.domain.calendar import WorkCalendar
from coordtui.domain.clock import OfficeClock
from coordtui.domain.outcomes import CheckResult, Severity, in_order
from coordtui.errors import AccessError, CoordError, InputError, StoreError, shown
from coordtui.plugins import PluginHost
from coordtui.store import STRUCTURE, Delete, Put, PutOrg, Refused, Store, strip_meta
from coordtui.store.files import commit_pending, default_store_path, newest_good_backup, unreadable

# The models (pydantic), the people and the policy, the rules engine and the store's TinyDB are
# imported where first used, not here: the application draws its first frame from a start-up
# snapshot (coordtui.snapshot) with none of them imported.
if TYPE_CHECKING:
    from pydantic import ValidationError

    from coordtui.access.actor import Actor
    from coordtui.access.people import Person
    from coordtui.access.policy import Policy, Refusal
    from coordtui.domain.model import Context, ModelSpec, Organization
    from coordtui.domain.records import Finding, Record
    from coordtui.attachments import Attachment
    from coordtui.domain.evidence import Evidence
    from coordtui.rules.cache import FindingBlock, KeptFinding
    from coordtui.rules.engine import RuleWorker
    from coordtui.store.parts import PartCache
    from coordtui.store.results import ResultCache

HOLIDAYS_FILE = "holidays.txt"
#: The history log beside a partition's file (store.files._LOG_SUFFIX): its size is part of the signature.
_LOG = ".history.jsonl"
_record_id = attrgetter("id")


def evaluate(ctx: Context, *args: Any, **kwargs: Any) -> CheckResult:
    """:func:`coordtui.rules.engine.evaluate`, the engine imported when first called (the
    application's first frame from a snapshot needs none of it)."""
    from coordtui.rules.engine import evaluate as engine_evaluate

    return engine_evaluate(ctx, *args, **kwargs)


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
    return shown(loc), shown(msg, 200)


def _org_problem(key: str, doc: Any) -> str | None:
    """What is wrong with one organization's document in ``orgs.json``, or None."""
    from coordtui.domain.model import Organization
    from pydantic import ValidationError

    if not isinstance(doc, dict):
        return f"organization '{shown(key)}' is not an object (edited by hand?)"
    try:
        Organization(**strip_meta(doc))
    except ValidationError as exc:
        field, problem = first_error(exc)
        return f"organization '{shown(key)}': field {field}: {problem} (edited by hand, or written by another program?)"
    return None


class _ModelCheck:
    """Tells the store whether a data file's records fit their models (store.ContentCheck)."""

    def __init__(self, ws: "Workspace") -> None:
        self.ws = ws
        #: Records validated ahead for the save under way (coordtui.validated_ahead), or None.
        self.ahead: Any = None

    def problem(self, path: Path, data: dict[str, Any]) -> str | None:
        from pydantic import ValidationError

        if path.parent.parent != self.ws.store.root / "data":
            return None  # not a data file of records
        try:
            doc = self.ws.store.get_org(path.parent.name)
        except StoreError:
            return None  # orgs.json is what is broken: the shapes alone decide

        model = self.ws.host.models.get(doc.get("model")) if isinstance(doc, dict) else None
        if model is None:
            return None  # a new organization (its import checked every record), or a model not loaded
        ahead, org = self.ahead, path.parent.name
        for kind, table in data.items():
            cls = model.kind_map.get(kind)
            if cls is None or not isinstance(table, dict):
                continue
            for rid, record in table.items():
                content = strip_meta(record)
                if ahead is not None and ahead.vouches(org, kind, cls, rid, content):
                    continue  # (the same class and content, found fitting)
                try:
                    cls.model_validate(content)
                except ValidationError as exc:
                    field, problem = first_error(exc)
                    return f"{kind} '{shown(rid)}': field {field}: {problem}"
        return None

    def basis(self, path: Path) -> object:
        """What :meth:`problem`'s verdict on ``path`` depends on besides its content: the model its
        organization names (another process may change it: a verdict under one says nothing of another)."""
        if path.parent.parent != self.ws.store.root / "data":
            return None
        try:
            doc = self.ws.store.get_org(path.parent.name)
        except StoreError:
            return None
        return doc.get("model") if isinstance(doc, dict) else None

    def advice(self, path: Path, lang: str = "en") -> str:
        root = self.ws.store.root
        rel = path.relative_to(root).as_posix()
        backup = newest_good_backup(root, path, lambda data: self.problem(path, data) is None)
        org = path.parent.name
        if lang == "zh":
            if backup is not None:
                return f"符合模型的最新备份是 {backup}：请用 coordtui restore --db {root} {rel} 恢复"
            return (f"没有符合模型的备份：请用 coordtui export --db {root} --org {org} --format json --out 文件 导出该组织，"
                    f"在文件中改正该记录，再用 coordtui import --db {root} --replace 文件 导入")
        if backup is not None:
            return f"the newest backup that fits the model is {backup}: restore it with 'coordtui restore --db {root} {rel}'"
        return (f"no backup of it fits the model: export the organization with 'coordtui export --db {root} --org {org} "
                f"--format json --out FILE', correct that record in FILE, and import it with 'coordtui import --db {root} --replace FILE'")


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


#: Below this many partitions to read, a check uses one worker process: a second one costs
#: more (a fork, a thread) than it saves.
SHARED_FROM = 400


def _workers_for(pending: list[tuple[Organization, tuple, Context]], partitions: dict[str, list]) -> int:
    """How many worker processes a check uses: one per core, at most two, and one when there
    is little to read."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    count = min(2, cores, len(pending))
    if count < 2 or sum(len(partitions[org.id]) for org, _, _ in pending) < SHARED_FROM:
        return 1
    return count


def _largest_first(pending: list[tuple[Organization, tuple, Context]], partitions: dict[str, list]) -> list:
    """The organizations by the bytes of their files, the largest first (ties in the order given):
    handed out in this order to whichever worker is free, the workers end about together."""
    def size(item: tuple[Organization, tuple, Context]) -> int:
        return sum(sig[2] for _, sig in partitions[item[0].id] if sig is not None)

    return sorted(pending, key=lambda item: -size(item))


class _Turns:
    """The organizations still to judge, taken one at a time by the threads of a check (each
    feeding its own worker process): an organization is judged once, by the first free worker."""

    def __init__(self, items: list) -> None:
        self._items, self._next = items, 0
        self._lock = threading.Lock()

    def __iter__(self) -> "_Turns":
        return self

    def __next__(self) -> Any:
        with self._lock:
            if self._next >= len(self._items):
                raise StopIteration
            self._next += 1
            return self._items[self._next - 1]

    def stop(self) -> None:
        """No organization is handed out any more."""
        with self._lock:
            self._next = len(self._items)


def _each_in_a_thread(calls: list[Callable[[], None]], meanwhile: Callable[[], None] | None = None) -> None:
    """Run ``calls`` at once, one thread each (each waits on its own worker process), and
    raise the first one's exception, if any, once all have ended. ``meanwhile()`` runs in this
    thread while they do (their exception, where one raises, wins over its)."""
    if len(calls) == 1 and meanwhile is None:
        calls[0]()
        return
    errors: list[BaseException] = []

    def guarded(call: Callable[[], None]) -> None:
        try:
            call()
        except BaseException as exc:  # carried to the caller
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(call,), name="coordtui-check", daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    failed: Exception | None = None
    try:
        if meanwhile is not None:
            meanwhile()
    except Exception as exc:  # raised once the threads have ended (an interrupt is at once, as in a join)
        failed = exc
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    if failed is not None:
        raise failed


class Workspace:
    """A store opened with a set of plugins, as one person sees it. Cheap; one per application or command.

    Every path (the app, the command line, import, export, ``serve``, ``check``) goes through
    here, so this is where roles and scopes are enforced (ARCHITECTURE.md, "Who is who"):
    reads return only what the actor may see, a change they may not make raises
    :class:`~coordtui.errors.AccessError` with nothing written and the refusal kept in the history.
    """

    def __init__(self, store: Store, host: PluginHost, calendar: WorkCalendar | None = None, actor: Actor | None = None) -> None:
        self.store = store
        #: Who is acting (:attr:`actor`): resolved from this process's OS account, when first
        #: needed, unless given (the application's first frame from a snapshot needs only
        #: :meth:`actor_key`, which validates no person).
        self._actor = actor
        self._actor_rev: int | None = None
        if actor is not None:
            # A person named by the owner (shell NAME): the history names them, not the account.
            store.user = actor.name
            self._actor_rev = self._person_rev()
        # True while a check runs: the actor's grants are read once, when it begins
        self._pinned = False
        # org id -> (what the policy depends on, the policy)
        self._policies: dict[str, tuple[tuple, Policy]] = {}
        #: The plugin host, loaded on first use (:attr:`host`): the application draws its first
        #: frame from a sealed snapshot (coordtui.snapshot) before any plugin is imported.
        self._host = host
        self._host_lock = threading.Lock()
        self.calendar = calendar or self._calendar()
        #: Whether the program gave the calendar (not the store's holiday file or COORDTUI_HOLIDAYS).
        self.calendar_given = calendar is not None
        #: The office's clock: "today" and every time shown (the store's ``timezone`` setting).
        self.clock = OfficeClock(store.meta().get("timezone"))
        self._keep_refusals = True
        # org id -> (model, partition) -> (file signature, kind -> parsed records), least recently used first
        self._parsed: OrderedDict[str, dict[tuple[str, str], tuple[Any, dict[str, list[Record]]]]] = OrderedDict()
        # org id -> (what the result depends on, the result): a check re-evaluates only what changed
        self._results: dict[str, tuple[tuple, CheckResult]] = {}
        # org id -> the day it was first written (from orgs.json's history), for those without the setting
        self._created: dict[str, date] | None = None
        # id of an obligation wrapped to count evidence -> the model's own (coordtui.attachments.with_evidence)
        self._wrapped: dict[int, Any] = {}
        # "calendar" and model id -> what the results kept on disk depend on (rules.cache), once per workspace
        self._code: dict[Any, Any] | None = None
        # The parsed partitions kept on disk (coordtui.store.parts) while a check reads them: set by the check
        self._parts_disk: "PartCache | None" = None
        # Saves refuse a data file whose records no longer fit their model, and its backups keep
        # the newest version that did: the store knows only shapes, this layer the models.
        store.content_check = _ModelCheck(self)

    #: How many organizations' parsed records are kept. A check of everything walks every
    #: organization once; keeping them all would hold the whole store in memory (100,000
    #: records: about 100 MB), while a screen or a re-check after a save needs a few.
    PARSED_ORGS = 48

    @property
    def host(self) -> PluginHost:
        """The plugin host, its plugins loaded (imported, checked) the first time it is asked for;
        a plugin that fails is switched off there and reported as before (``host.plugins``)."""
        host = self._host
        if not host.loaded:
            with self._host_lock:  # the check's thread and the interface's may ask at once
                host.load()
        return host

    @host.setter
    def host(self, value: PluginHost) -> None:
        self._host = value

    @property
    def unloaded_host(self) -> PluginHost:
        """The plugin host as it is, without loading it (what a snapshot's key names)."""
        return self._host

    @classmethod
    def open(cls, db: Path | str | None = None, *, create: bool = False, host: PluginHost | None = None, plugin_dirs: Iterable[Path] = (),
             person: str | None = None) -> "Workspace":
        """Open a store as this process's OS account, or (``person``, for the store's owner:
        ``--as NAME``, ``coordtui shell NAME``) as that person of the store."""
        store = Store(Path(db) if db else default_store_path(), create=create)
        actor = None
        if person is not None:
            from coordtui.access.actor import resolve_actor

            actor = resolve_actor(store, person)
        return cls(store, host or PluginHost(plugin_dirs=plugin_dirs), actor=actor)

    def _calendar(self) -> WorkCalendar:
        path = os.environ.get("COORDTUI_HOLIDAYS")
        return WorkCalendar.from_file(Path(path) if path else self.store.root / HOLIDAYS_FILE)

    def forget_results(self, org_ids: Iterable[str]) -> None:
        """Let go of the kept results of these organizations' last check (memory: an application
        over thousands of organizations holds only those it shows). Their next check evaluates
        them again."""
        for org_id in org_ids:
            self._results.pop(org_id, None)

    def set_timezone(self, name: str) -> None:
        """Make ``name`` (an IANA zone) the office's time zone for everyone using this store."""
        clock = OfficeClock(name)  # an unknown zone is an InputError before anything is written
        self.store.set_meta(timezone=clock.name)
        self.clock = clock

    def today(self) -> date:
        """Today in the office's time zone, whatever ``TZ`` this process has."""
        return self.clock.today()

    # who is acting -------------------------------------------------------------------
    @property
    def actor(self) -> Actor:
        """Who is acting: their login name, their person entry (validated) and whether they own
        the store. Resolved from this process's OS account the first time it is asked for
        (AccessError when that account may not open the store)."""
        if self._actor is None:
            from coordtui.access.actor import local_actor

            actor = local_actor(self.store)
            self._actor, self._actor_rev = actor, self._person_rev(actor.name)
        return self._actor

    @actor.setter
    def actor(self, value: Actor) -> None:
        self._actor = value

    def actor_key(self) -> tuple[str, bool, dict[str, Any] | None] | None:
        """Who is acting as a cache's key names them, without validating anyone (no pydantic):
        the login name, whether they act as the store's owner, and their person entry as
        people.json holds it now (their grants). None when :attr:`actor` would refuse them or
        could not be worked out this way (then the ordinary way says what is wrong)."""
        from coordtui.access.identity import owns_store
        from coordtui.store import current_user

        try:
            if self._actor is not None:
                name, owner = self._actor.name, self._actor.owner
            else:  # as local_actor would resolve them: the OS account
                name = current_user()
                owner = owns_store(self.store.root)
            doc = self.store.get_person(name)
        except (CoordError, OSError):
            return None
        if doc is None and not owner:
            return None  # not a person of the store (or removed while the session was open)
        return name, owner, ({k: v for k, v in doc.items() if not k.startswith("_")} if doc is not None else None)

    def _person_rev(self, name: str | None = None) -> int | None:
        doc = self.store.get_person(self.actor.name if name is None else name)
        return int(doc["_rev"]) if doc is not None else None

    def _current_actor(self) -> Actor:
        """The actor with their grants as the store has them now (an administrator may have
        changed them while this session was open; a removed person keeps nothing). Within one
        check, as they were when it began (people.json is read once, not per organization)."""
        from coordtui.access.actor import Actor, person_of
        from coordtui.access.people import Person

        if self._pinned:
            return self.actor
        rev = self._person_rev()
        if rev != self._actor_rev:
            person = person_of(self.store, self.actor.name)
            if person is None and not self.actor.owner:
                # Removed while the session was open: they keep no grant at all.
                person = Person.model_construct(name=self.actor.name, display=self.actor.shown(), grants=[])
            self.actor = Actor(self.actor.name, person, owner=self.actor.owner)
            self._actor_rev = rev
        return self.actor

    def policy(self, org: Organization | str) -> Policy:
        """What the actor may see and change in ``org``, over its records as they are now."""
        from coordtui.access.people import Role
        from coordtui.access.policy import Policy

        org = self.org(org) if isinstance(org, str) else org
        actor = self._current_actor()
        if any(g.cases and (g.role is Role.ADMIN or not g.scope) for g in actor.grants(org.id)):
            parts: tuple = ()  # sees everything: the policy never needs to look at records
        else:
            parts = tuple(self._signatures(org)) if self.store.get_org(org.id) is not None else ()
        key = (org.model, parts, self._actor_rev, id(actor))
        kept = self._policies.get(org.id)
        if kept is not None and kept[0] == key:
            return kept[1]
        model = self.host.models.get(org.model)
        if model is None:
            model = self.model_of(org)
        policy = Policy(actor, org, model, lambda kind: self._gather(org, kind, list(parts)))
        self._policies[org.id] = (key, policy)
        return policy

    def _refuse(self, org_id: str, kind: str, record_id: str, refusal: Refusal) -> None:
        """Keep the refusal in the history (not during a dry run), then tell the person: nothing else is written."""
        if self._keep_refusals:
            try:
                self.store.apply([Refused(org_id, kind, record_id, refusal.message)])
            except StoreError:
                pass  # the refusal itself is what the person must hear
        raise AccessError(refusal.message, message_zh=refusal.message_zh)

    @contextmanager
    def dry_run(self) -> Iterator[None]:
        """What is asked inside is only tried (``import --dry-run``): a refusal is said, not kept."""
        kept, self._keep_refusals = self._keep_refusals, False
        try:
            yield
        finally:
            self._keep_refusals = kept

    def may_administer(self, org_id: str | None = None) -> bool:
        """Whether the actor administers ``org_id`` (None: the store itself: people, new organizations)."""
        from coordtui.access.people import Role

        actor = self._current_actor()
        if org_id is None:
            return actor.store_admin
        return any(g.role is Role.ADMIN for g in actor.grants(org_id))

    def require_admin(self, org_id: str | None = None, *, action: str = "change the people of this store",
                      action_zh: str = "修改该数据存储的人员") -> None:
        """Refuse (AccessError, kept in the history) unless the actor administers ``org_id``
        (None: the store itself). ``action`` says what was attempted, in the message:
        ``张三 may not change the people of this store: ask an administrator``."""
        from coordtui.access.policy import Refusal

        if self.may_administer(org_id):
            return
        who = self.actor.shown()
        self._refuse(org_id or "-", "-", "-", Refusal(f"{who} may not {action}: ask an administrator",
                                                     f"{who}无权{action_zh}：请联系管理员"))

    # people ---------------------------------------------------------------------------
    def people(self) -> list[Person]:
        """Every person of the store, for an administrator of the store."""
        from coordtui.access.people import Person

        self.require_admin(None, action="see the people of this store", action_zh="查看该数据存储的人员")
        return sorted((Person.model_validate(strip_meta(d)) for d in self.store.people()), key=lambda p: p.name)

    def save_person(self, person: Person, *, rev: int | None = None) -> int:
        """Add or change a person (store administrators only). Returns the new revision."""
        self.require_admin(None)
        for grant in person.grants:
            if grant.org is not None and grant.scope:
                self.check_scope(grant.org, grant.scope)
        return int(self.store.put_person(person.model_dump(mode="json"), rev=rev)["_rev"])

    def remove_person(self, name: str, *, rev: int | None = None) -> None:
        """Remove a person (store administrators only)."""
        self.require_admin(None)
        self.store.delete_person(name, rev=rev)

    def scope_choices(self, org_id: str) -> dict[str, str]:
        """Every structure subject a grant's scope may name in ``org_id`` (``kind:id`` -> label)."""
        from coordtui.access.actor import Actor
        from coordtui.access.policy import Policy

        org = self._stored_org(org_id)
        return Policy(Actor("-", None), org, self.model_of(org), lambda kind: self.records_all(org, kind)).subject_choices()

    def check_scope(self, org_id: str, scope: Iterable[str]) -> None:
        """Raise InputError naming the first scope entry that is no subject of ``org_id``'s structure."""
        from coordtui.access.actor import Actor
        from coordtui.access.policy import Policy

        org = self._stored_org(org_id)
        policy = Policy(Actor("-", None), org, self.model_of(org), lambda kind: self.records_all(org, kind))
        for entry in scope:
            if not policy.subjects_named(entry):
                known = ", ".join(sorted(policy.subject_choices())[:12]) or "none"
                raise InputError(f"scope '{entry}' is no subject of {org_id}'s structure (for example: {known}): "
                                 "name a group, zone, unit ... by its id or kind:id",
                                 message_zh=f"范围“{entry}”不是 {org_id} 组织结构中的对象（例如：{known}）：请用编号或 类别:编号 指明")

    # organizations ------------------------------------------------------------------
    def _stored_org(self, org_id: str) -> Organization:
        doc = self.store.get_org(org_id)
        if doc is None:
            raise InputError(f"no organization '{shown(org_id)}' in {self.store.root}: check --org",
                             message_zh=f"{self.store.root} 中没有组织“{shown(org_id)}”：请检查 --org")
        return self._organization(org_id, doc)

    def _organization(self, key: str, doc: dict[str, Any]) -> Organization:
        """An organization as ``orgs.json`` holds it; a document that is none (another program's,
        or an earlier version's) is one StoreError naming the file and its newest good backup."""
        from coordtui.domain.model import Organization

        problem = _org_problem(key, doc)
        if problem is not None:
            raise unreadable(self.store.root / "orgs.json", problem,
                             good=lambda data: all(_org_problem(k, d) is None for k, d in data.get("org", {}).items()))
        return Organization(**strip_meta(doc))

    def _all_orgs(self) -> list[Organization]:
        docs = {str(d.get("id")): d for d in self.store.orgs()}
        return [self._organization(key, docs[key]) for key in sorted(docs)]

    def orgs(self) -> list[Organization]:
        """The organizations the actor has a grant in."""
        actor = self._current_actor()
        return [o for o in self._all_orgs() if actor.grants(o.id)]

    def org(self, org_id: str) -> Organization:
        doc = self.store.get_org(org_id)
        actor = self._current_actor()
        if doc is None or not actor.grants(org_id):
            known = ", ".join(o.id for o in self._all_orgs() if actor.grants(o.id)) or "none"
            raise InputError(f"no organization '{shown(org_id)}' in {self.store.root} (known: {known}): check --org",
                             message_zh=f"{self.store.root} 中没有组织“{shown(org_id)}”（已有：{known}）：请检查 --org")
        return self._organization(org_id, doc)

    def model_of(self, org: Organization) -> ModelSpec:
        if org.model not in self.host.models:
            raise InputError(
                f"organization {org.id} uses model '{org.model}', which is not loaded: install or enable its plugin (see 'coordtui plugins')"
            ,
                             message_zh=f"组织 {org.id} 使用模型“{org.model}”，该模型未加载：请安装或启用其插件（见 coordtui plugins）")
        return self.host.models[org.model]

    # records ------------------------------------------------------------------------
    def records(self, org: Organization | str, kind: str, *, parts: Iterable[str] | None = None) -> list[Record]:
        """Every record of ``kind``, validated. Parsed records are kept per partition while its file is
        unchanged, so a check or a screen pays for validation only where something was written.
        The records are shared: change them with ``model_copy``, never in place."""
        org = self.org(org) if isinstance(org, str) else org
        policy = self.policy(org)
        if policy.sees_everything or parts is not None:
            return policy.visible(kind, self.records_all(org, kind, parts=parts))
        # The policy lives while the organization's files are unchanged: so may what it let through.
        kept = policy.shown.get(kind)
        if kept is None:
            kept = policy.shown[kind] = policy.visible(kind, self.records_all(org, kind))
        return list(kept)

    def records_all(self, org: Organization, kind: str, *, parts: Iterable[str] | None = None) -> list[Record]:
        """Every record of ``kind``, whoever is acting: for the rules and the policy, never shown as such."""
        self.model_of(org).kind(kind)  # an unknown kind is a clear error, not an empty list
        names = self.store.parts(org.id) if parts is None else parts
        return self._gather(org, kind, [(part, self.store.part_signature(org.id, part)) for part in names])

    def _gather(self, org: Organization, kind: str, parts: list[tuple[str, Any]]) -> list[Record]:
        result: list[Record] = []
        kept = self._parsed_of(org)  # (once, not per partition: a rule's kind spans dozens)
        for part, signature in parts:
            result.extend(self._partition(org, part, signature, kept).get(kind, ()))
        result.sort(key=_record_id)
        return result

    def _parsed_of(self, org: Organization) -> dict[tuple[str, str], tuple[Any, dict[str, list[Record]]]]:
        """The partitions of ``org`` parsed in this process, the organization made the most recently used."""
        kept = self._parsed.get(org.id)
        if kept is None:
            kept = self._parsed[org.id] = {}
            while len(self._parsed) > self.PARSED_ORGS:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(org.id)
        return kept

    def _partition(self, org: Organization, part: str, signature: Any,
                   kept: dict[tuple[str, str], tuple[Any, dict[str, list[Record]]]] | None = None) -> dict[str, list[Record]]:
        """Kind -> parsed records of one partition, parsed once per version of its file
        (``kept``: :meth:`_parsed_of` the organization, when the caller has it)."""
        if kept is None:
            kept = self._parsed_of(org)
        cached = kept.get((org.model, part))
        if cached is not None and cached[0] == signature and signature is not None:
            return cached[1]
        from coordtui.store.store import ATTACHMENTS

        signature, tables = self.store.read_part(org.id, part, attachments=True)
        model = self.model_of(org)
        parsed = {kind: self._parse(org, part, model.kind_map[kind], table.values()) for kind, table in tables.items() if kind in model.kind_map}
        if tables.get(ATTACHMENTS):  # the attachments' entries as stored (for a check's evidence rules; no kind is named so)
            parsed[ATTACHMENTS] = list(tables[ATTACHMENTS].values())
        kept[(org.model, part)] = (signature, parsed)
        return parsed

    def _parse(self, org: Organization, part: str, cls: type[Record], docs: list[dict[str, Any]]) -> list[Record]:
        from pydantic import ValidationError

        parsed = []
        for doc in docs:
            try:
                parsed.append(cls.model_validate(strip_meta(doc)))
            except ValidationError as exc:
                field, problem = first_error(exc)
                path = self.store.root / "data" / org.id / f"{part}.json"
                raise StoreError(
                    f"{path}: {cls.kind} '{shown(doc.get('id'))}': field {field}: {problem} (stored by an earlier version "
                    f"of model {org.model} or of coordtui, it no longer fits the model): {_ModelCheck(self).advice(path)}"
                ,
                                 message_zh=f"{path}：{cls.kind} 记录“{shown(doc.get('id'))}”的字段 {field} 不再符合模型（由模型 {org.model} 或 coordtui 的早期版本保存）：{_ModelCheck(self).advice(path, 'zh')}") from None
        return parsed

    def fits(self, path: Path, data: dict[str, Any]) -> bool:
        """Whether every record of a data file's content (a backup's, say) fits its model."""
        return _ModelCheck(self).problem(path, data) is None

    def rows(self, org: Organization | str, kind: str) -> list[dict[str, Any]]:
        """Every record of ``kind`` as stored (read-only dicts, without validation): for tables that
        show thousands of rows and convert only what they display."""
        org = self.org(org) if isinstance(org, str) else org
        policy = self.policy(org)
        docs = self.store.query(org.id, kind)
        if policy.sees_everything:
            return docs
        return [d for d in docs if policy.sees(kind, d)]

    def get(self, org_id: str, kind: str, record_id: str) -> tuple[Record, int] | None:
        """One record and its revision; None if there is none the actor may see."""
        org = self.org(org_id)
        doc = self.store.get(org_id, kind, record_id)
        if doc is None:
            return None
        record = self.model_of(org).kind(kind).model_validate(strip_meta(doc))
        if not self.policy(org).sees(kind, record):
            return None
        return record, int(doc["_rev"])

    def _allow(self, org: Organization, kind: str, record_id: str, after: Record | None) -> None:
        """Refuse (AccessError) unless the actor may turn the stored record into ``after`` (None: delete)."""
        policy = self.policy(org)
        doc = self.store.get(org.id, kind, record_id)
        before = strip_meta(doc) if doc is not None else None
        refusal = policy.refusal(kind, before, after)
        if refusal is not None:
            self._refuse(org.id, kind, record_id, refusal)

    def save(self, org_id: str, record: Record, *, rev: int | None) -> int:
        """Save one record; ``rev`` is the revision it was based on (0 for a new one). Returns the new revision."""
        self._allow(self.org(org_id), record.kind, record.id, record)
        doc = self.store.put(org_id, record.kind, record.id, record.model_dump(mode="json"), part=part_of(record), rev=rev)
        return int(doc["_rev"])

    def save_many(self, org_id: str, items: list[tuple[Record, int | None]]) -> list[int]:
        """Save several records in one transaction (all or none); each with the revision it was based on."""
        org = self.org(org_id)
        with self.policy(org).pending(r for r, _ in items):
            for record, _ in items:
                self._allow(org, record.kind, record.id, record)
        docs = self.store.apply([Put(org_id, r.kind, r.id, r.model_dump(mode="json"), part_of(r), rev) for r, rev in items])
        return [int(d["_rev"]) for d in docs]

    def delete(self, org_id: str, kind: str, record_id: str, *, rev: int | None) -> None:
        org = self.org(org_id)
        if self.store.get(org_id, kind, record_id) is not None:
            self._allow(org, kind, record_id, None)
        from coordtui.attachments import delete_ops, forget_unused

        with self.store.locked():  # its attachments go with it, in the same transaction
            extra, digests = delete_ops(self, org_id, kind, record_id)
            self.store.apply([Delete(org_id, kind, record_id, rev), *extra])
            forget_unused(self, digests)

    # attachments (佐证材料) -----------------------------------------------------------
    # Roles and scopes as for the record itself: who may see the record sees its attachments,
    # who may change it attaches and detaches. See coordtui.attachments.
    def attach(self, org_id: str, kind: str, record_id: str, data: "bytes | BinaryIO", *, name: str,
               title: str | None = None) -> "Attachment":
        """Keep a file with a record (附件) and return what was kept.

        ``data``: the bytes, or a binary stream read with the per-file limit applied while
        reading (standard input over SSH). ``name``: the file's name as the person gave it
        (made safe: its last part, no control characters, length-limited). ``title``: shown
        instead of the name (default: the name without its extension). The type is judged
        by content (docx, xlsx, pdf, doc/wps, ofd, jpg, png); executables, scripts and
        self-extracting archives are refused. InputError for a refused, empty, too large or
        already attached file; AccessError for a person who may not change the record.
        Adding is a sealed history entry (who, when, hash and name)."""
        from coordtui.attachments import attach

        return attach(self, org_id, kind, record_id, data, name=name, title=title)

    def attach_path(self, org_id: str, kind: str, record_id: str, path: Path | str, *, title: str | None = None) -> "Attachment":
        """:meth:`attach` a file on disk under its own name; a path that is no readable regular
        file (missing, a folder, a FIFO, a device) or is too large is an InputError, read no further."""
        from coordtui.attachments import MAX_FILE_SETTING, MB, limits
        from coordtui.userfiles import read_user_file

        path = Path(path)
        limit = limits(self.store.meta())[0]
        data = read_user_file(path, limit=limit, give="name a document or image",
                              too_big=f"larger than {limit // MB} MB, the limit per attachment: make it smaller "
                                      f"or ask an administrator to raise it ('coordtui config {MAX_FILE_SETTING}')",
                              give_zh="请指明一个文档或图片",
                              too_big_zh=f"超过每个附件 {limit // MB} MB 的上限：请缩小文件，或请管理员调高上限（coordtui config {MAX_FILE_SETTING}）")
        return self.attach(org_id, kind, record_id, data, name=path.name, title=title)

    def attachments(self, org_id: str, kind: str, record_id: str) -> "list[Attachment]":
        """The attachments of a record the actor may see, oldest first (InputError for a record they cannot)."""
        from coordtui.attachments import attachments

        return attachments(self, org_id, kind, record_id)

    def attachment_bytes(self, org_id: str, kind: str, record_id: str, key: str) -> bytes:
        """The bytes of one attachment, named by its SHA-256 (or a prefix of 8+), file name or title.
        A file missing or altered on disk is a StoreError naming the record and the file."""
        from coordtui.attachments import attachment_bytes

        return attachment_bytes(self, org_id, kind, record_id, key)[1]

    def attachment(self, org_id: str, kind: str, record_id: str, key: str) -> "tuple[Attachment, bytes]":
        """One attachment and its bytes (see :meth:`attachment_bytes`)."""
        from coordtui.attachments import attachment_bytes

        return attachment_bytes(self, org_id, kind, record_id, key)

    def detach(self, org_id: str, kind: str, record_id: str, key: str) -> "Attachment":
        """Take an attachment off a record (a sealed history entry); the file goes when no record holds it."""
        from coordtui.attachments import detach

        return detach(self, org_id, kind, record_id, key)

    def evidence_of(self, org_id: str, kind: str, record_id: str) -> "list[tuple[Evidence, bool]]":
        """What the record's model asks to be kept with it (佐证材料要求), each with whether one of
        its attachments is it: for a form or a detail screen to say "会议记录：未上传"."""
        from coordtui.attachments import attachments

        org = self.org(org_id)
        found = self.get(org_id, kind, record_id)
        if found is None:
            return []
        asks = [ask for ask in self.model_of(org).evidence if ask.kind == kind and ask.applies(found[0])]
        files = attachments(self, org_id, kind, record_id) if asks else []
        return [(ask, ask.met_by(files)) for ask in asks]

    def attachment_limits(self) -> tuple[int, int]:
        """(bytes per file, bytes per store): the settings attachments.max_file_mb and attachments.max_store_mb."""
        from coordtui.attachments import limits

        return limits(self.store.meta())

    def ops_for(self, org: Organization, records: list[Record], *, replace: bool) -> tuple[list[Any], dict[str, int]]:
        """The store operations that write ``org`` with ``records``, and counts of what changes.

        Unchanged records are left alone (no new revision, no history entry); with
        ``replace`` the records the organization has but ``records`` lacks are deleted.
        An organization written without ``settings.tracking_start`` gets one: the day it
        already had (or was created in the store), else the office's today, so that tracking
        starts once and a later import does not move it.

        With roles: only an administrator creates the organization or changes its name and
        settings (or the structure); an editor's records must lie within their scope, and
        ``replace`` deletes only records the actor may change (what they cannot see stays).
        A change they may not make is refused (AccessError) before anything is written.
        """
        from coordtui.access.policy import Policy

        stored = self.store.get_org(org.id)
        if stored is not None and not self._current_actor().grants(org.id):
            self.org(org.id)  # not theirs: the same "no organization" they get everywhere
        policy = Policy(self._current_actor(), org, self.model_of(org),
                        (lambda kind: self.records_all(org, kind)) if stored is not None else (lambda kind: []))
        if not org.settings.get("tracking_start") and (stored is None or policy.admin):
            # (an editor's import of an earlier version's organization leaves its settings as they are)
            org = org.model_copy(update={"settings": {**org.settings, "tracking_start": self.tracking_start_of(org).isoformat()}})
        org_data = org.model_dump(mode="json")
        ops: list[Any] = []
        if stored is None or strip_meta(stored) != org_data:
            refusal = policy.settings_refusal(creating=stored is None)
            if refusal is not None:
                self._refuse(org.id, "-", "-", refusal)
        if policy.admin or stored is None or strip_meta(stored) != org_data:
            ops.append(PutOrg(org_data))
        counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
        existing: dict[tuple[str, str], dict] = {}
        if stored is not None:
            for kind in self.store.kinds(org.id):
                for doc in self.store.query(org.id, kind):
                    existing[(kind, doc["id"])] = doc
        everything = policy.sees_everything  # (the actor's grants: the same for every record)
        with policy.pending(records):  # a new task's steps belong through the task the same file brings
            for record in records:
                data = record.model_dump(mode="json")
                before = existing.get((record.kind, record.id))
                # "Unchanged" only for a record the actor may see: a copy of a hidden record must
                # not come back as a confirmation of its content.
                if before is not None and strip_meta(before) == data and (
                        everything or policy.sees(record.kind, strip_meta(before))):
                    counts["unchanged"] += 1
                    continue
                if not everything:
                    refusal = policy.refusal(record.kind, strip_meta(before) if before is not None else None, record)
                    if refusal is not None:
                        self._refuse(org.id, record.kind, record.id, refusal)
                counts["updated" if before is not None else "created"] += 1
                ops.append(Put(org.id, record.kind, record.id, data, part_of(record)))
        if replace:
            incoming = {(r.kind, r.id) for r in records}
            for (kind, rid), doc in existing.items():
                if (kind, rid) in incoming:
                    continue
                if not everything:
                    before = strip_meta(doc)
                    if not policy.sees(kind, before):
                        continue  # not theirs to keep or to drop
                    refusal = policy.refusal(kind, before, None)
                    if refusal is not None:
                        self._refuse(org.id, kind, rid, refusal)
                ops.append(Delete(org.id, kind, rid))
                counts["deleted"] += 1
            if stored is not None and counts["deleted"]:  # a record deleted takes its attachments' entries with it
                from coordtui.attachments import TABLE, stored as held

                gone = {(op.kind, op.id) for op in ops if isinstance(op, Delete)}
                ops.extend(Delete(org.id, TABLE, a.key) for a in held(self, org.id) if (a.kind, a.record) in gone)
        return ops, counts

    def replace_org(self, org: Organization, records: list[Record], *, replace: bool) -> dict[str, int]:
        """Write an organization and its records in one transaction."""
        ops, counts = self.ops_for(org, records, replace=replace)
        self.apply(ops)
        return counts

    def apply(self, ops: list[Any]) -> None:
        """Apply :meth:`ops_for`'s operations in one transaction; the files of attachments deleted
        with their records go too, where no record holds them any more."""
        from coordtui.attachments import TABLE, forget_unused

        with self.store.locked():
            self.store.apply(ops)
            forget_unused(self, [op.id.rsplit("/", 1)[-1] for op in ops if isinstance(op, Delete) and op.kind == TABLE])

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
        """What the actor sees of ``org`` for a screen or a report: its records as they are now,
        only those the actor may see. (The rules themselves see every record: see :meth:`check`.)"""
        from coordtui.domain.model import Context

        start = None if org.settings.get("tracking_start") else self.tracking_start_of(org)
        return Context(org, self.model_of(org), lambda kind: self.records(org, kind), self.calendar, as_of, start)

    def _signatures(self, org: Organization) -> list[tuple[str, Any]]:
        """(partition, its file's signature) of every partition of ``org``: the store's
        ``part_signature`` of each, from one listing of the folder (a check of 100,000 records
        asks for 8,441 of them: 0.35 s one by one, pathlib and four system calls each)."""
        entries = self.store.part_entries(org.id)  # (settled, and the folder refused if it is a link)
        names = sorted(name[:-5] for name in entries if name.endswith(".json"))  # (as Store.parts lists them)
        if not names:
            return []
        found = []
        for part in names:
            entry, log = entries.get(part + ".json"), entries.get(part + _LOG)
            try:
                st = entry.stat() if entry is not None else None
            except FileNotFoundError:
                st = None
            if st is None:
                found.append((part, None))
                continue
            try:
                size = log.stat().st_size if log is not None else -1
            except OSError:
                size = -1
            found.append((part, (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns, size)))
        return found

    def _context(self, org: Organization, as_of: date, parts: list[tuple[str, Any]]) -> Context:
        from coordtui.domain.model import Context

        start = None if org.settings.get("tracking_start") else self.tracking_start_of(org)
        return Context(org, self.model_of(org), lambda kind: self._gather(org, kind, parts), self.calendar, as_of, start)

    def check(self, as_of: date, org_ids: Iterable[str] | None = None, *,
              progress: Callable[[int, int], None] | None = None) -> CheckResult:
        """Every finding and duty as of ``as_of``, of some organizations or all.

        An organization whose files, settings and calendar are as they were at its last
        check on the same day is not evaluated again: its previous result is reused (rules
        see nothing but the organization's own records, so the result cannot differ).
        ``progress(done, total)`` is called before each organization with how many are done.

        Rules see every record of an organization; the result holds only the findings and
        duties the actor may see (see :meth:`_visible`).
        """
        orgs = [self.org(o) for o in org_ids] if org_ids else self.orgs()
        total = CheckResult(as_of)
        with _without_cyclic_gc(), self._actor_pinned():
            self._check_into(total, orgs, as_of, progress)
            total = self._visible(total, orgs)
        total.sort()
        return total

    @contextmanager
    def _actor_pinned(self) -> Iterator[None]:
        self._current_actor()
        pinned, self._pinned = self._pinned, True
        try:
            yield
        finally:
            self._pinned = pinned

    def findings(self, as_of: date, org_ids: Iterable[str] | None = None, *,
                 meanwhile: Callable[[], None] | None = None, blocks: bool = False) -> "list[Finding | KeptFinding | FindingBlock]":
        """The findings of :meth:`check` (the same, in the same order), for a caller that needs no
        duties (``coordtui check``): an organization whose result for ``as_of`` is kept on disk
        from an earlier process (``cache/check``, sealed; see :mod:`coordtui.store.results`)
        under exactly its files, settings, calendar and code as they are now is not read or
        judged again, and a result judged now is kept there for the next process. Those read back
        are :class:`~coordtui.rules.cache.KeptFinding`: what the command reads of a finding, and
        its JSON as it was written (:func:`~coordtui.rules.cache.render`).

        ``meanwhile()``, when given, is run exactly once in this thread: while worker processes
        judge the organizations (this process only waits for them then), else after the results
        are in. (``coordtui check`` verified the history so.)

        ``blocks``: for a caller that only counts the findings and writes their JSON out
        (``coordtui check --format json``): where the person sees every finding of every
        organization, those judged in worker processes come as
        :class:`~coordtui.rules.cache.FindingBlock`, one per organization and severity."""
        from coordtui.store.results import ResultCache

        orgs = [self.org(o) for o in org_ids] if org_ids else self.orgs()
        total = CheckResult(as_of)
        disk = ResultCache(self.store.root)
        waiting = [meanwhile] if meanwhile is not None else []
        with _without_cyclic_gc(), self._actor_pinned():
            # (the blocks hold no finding's subject: only for a person no scope hides one from)
            whole = blocks and all(self.policy(org).sees_everything for org in orgs if org.model in self.host.models)
            self._check_into(total, orgs, as_of, None, disk if disk.usable else None, duties=False, meanwhile=waiting,
                             blocks=whole)
            total = self._visible(total, orgs)
        if waiting:  # (nothing was judged in a worker)
            waiting.pop()()
        return in_order(total.findings)  # (each organization's findings are in order already)

    def _disk_digest(self, org: Organization, as_of: date, parts: list[tuple[str, Any]]) -> str:
        """What an organization's result as of ``as_of`` depends on, as one digest (see rules.cache)."""
        from coordtui.rules import cache

        code = self._code_of(org)
        start = None if org.settings.get("tracking_start") else self.tracking_start_of(org)
        return cache.digest(as_of.isoformat(), org.model_dump_json(), parts, start, self._code["calendar"], code)

    def _code_of(self, org: Organization) -> list[Any]:
        """The code a result of ``org`` comes from (rules.cache.code_identity), once per model."""
        from coordtui.rules import cache

        if self._code is None:
            self._code = {"calendar": cache.calendar_identity(self.calendar)}
        code = self._code.get(org.model)
        if code is None:
            model = self.host.models[org.model]
            owner = self.host.owner(org.model)
            info = self.host.plugins.get(owner) if owner else None
            code = self._code[org.model] = cache.code_identity(
                model, info.version if info else "-", [*self.host.rules(org.model), *self.host.obligations(org.model)])
        return code

    def _check_into(self, total: CheckResult, orgs: list[Organization], as_of: date,
                    progress: Callable[[int, int], None] | None, disk: "ResultCache | None" = None,
                    duties: bool = True, meanwhile: list[Callable[[], None]] | None = None, blocks: bool = False) -> None:
        """Each organization's result into ``total``: kept from the last check (in this process,
        or with ``disk`` on disk: findings only), else evaluated (and then kept). ``duties=False``:
        only the findings are wanted (the duties may be left out, and nothing is kept in this
        process, where a later check would want them). ``meanwhile``: a call, taken out of the
        list and run in this thread while worker processes judge (left there when none do).
        ``blocks``: see :meth:`findings`."""
        from coordtui.domain.records import Finding
        from coordtui.rules.engine import RuleWorker, can_isolate, store_problem

        from coordtui.rules.cache import from_rows, to_rows

        pending: list[tuple[Organization, tuple, Context]] = []
        digests: dict[str, str] = {}
        partitions: dict[str, list[tuple[str, Any]]] = {}
        isolate = can_isolate()
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
                total.extend(kept[1])
                continue
            if disk is not None:
                digests[org.id] = self._disk_digest(org, as_of, parts)
                kept_rows = disk.load(org.id, as_of.isoformat(), digests[org.id])
                found = from_rows(*kept_rows) if kept_rows is not None else None
                if found is not None:
                    total.findings.extend(found)
                    continue
            try:
                ctx = self._context(org, as_of, parts)
            except InputError as exc:  # settings an earlier version let in: this organization's problem only
                total.findings.append(Finding(
                    rule="core.settings_invalid", severity=Severity.ERROR, org=org.id, subject=org.name,
                    message=f"组织 {org.id} 未检查：{exc.text('zh')}", message_en=f"organization {org.id} was not checked: {exc.message}"))
                continue
            # Every file is read (and parsed) before the organization's first rule: one that cannot
            # be is one finding, whichever rules run. Right before its rules (see _judge), so that
            # an organization is parsed once, whatever PARSED_ORGS keeps; in a worker process where
            # there is one (RuleWorker's prepare): this process then holds none of the records,
            # and the workers read in parallel.
            pending.append((org, key, ctx))
            partitions[org.id] = parts
        if not pending:
            return
        # The evidence a model asks for (佐证材料) adds its rules, and duties that count a record
        # only once it carries what they require (coordtui.attachments.with_evidence).
        from coordtui.attachments import with_evidence

        jobs: dict[str, tuple[list, list]] = {}
        self._wrapped = {}  # (only this check's: the wrapped obligations live as long as it)
        for org, key, ctx in list(pending):
            try:
                rules, obligations, originals = with_evidence(
                    self, org.id, ctx.model, self.host.rules(org.model), self.host.obligations(org.model),
                    # the entries from the files the check reads (in its worker), not every file again
                    lambda org=org: self._attachment_docs(org, partitions[org.id]))
            except StoreError as exc:  # an attachment entry edited by hand: this organization's one finding
                self._results[org.id] = (key, CheckResult(as_of, [store_problem(ctx, exc)]))
                total.extend(self._results[org.id][1])
                pending.remove((org, key, ctx))
                continue
            self._wrapped.update(originals)
            jobs[org.id] = (rules, obligations)
        if not pending:
            return
        # Where fork exists the rules run in worker processes (a rule stuck even in C code is
        # killed with its worker), each reading the files of its organizations itself; with
        # enough to do, two of them, one per core, each with half the organizations.
        results: dict[str, CheckResult] = {}
        # coordtui check (no duties): the workers render the findings and keep them on disk.
        rendered = isolate and not duties

        def kept(org: Organization, result: CheckResult) -> CheckResult:
            """On disk only what the next process would find again: not a rule that failed or
            hung (a timeout depends on the machine's load), nor an unreadable file. What was kept
            is what this check gives too: each finding's JSON is written once, and the findings
            as objects are let go organization by organization, not all held to the end."""
            if disk is None or rendered or any(f.rule.startswith("core.") for f in result.findings):
                return result  # (a worker that renders the findings keeps them itself: keep_in_worker)
            rows, blob = to_rows(result.findings)
            disk.save(org.id, as_of.isoformat(), digests[org.id], rows, blob)
            found = from_rows(rows, blob)
            return result if found is None else CheckResult(as_of, found, result.duties)

        def keep_in_worker(ctx: Context, rows: list, blob: bytes) -> None:
            """(In a worker that renders the findings: what kept does, there.)"""
            if disk is not None:
                disk.save(ctx.org.id, as_of.isoformat(), digests[ctx.org.id], rows, blob)

        from coordtui.store.parts import PartCache

        parts_disk = PartCache(self.store.root)
        self._parts_disk = parts_disk if parts_disk.usable else None  # (read in the workers: made before they fork)
        if self._parts_disk is not None:
            for org, _, _ in pending:
                self._parts_code(org)  # (worked out once, here, not in each worker)
        try:
            self._judge_all(pending, jobs, partitions, results, kept, keep_in_worker, isolate, duties, rendered, meanwhile,
                            blocks and rendered)
        finally:
            self._parts_disk = None
        for org, key, ctx in pending:
            result = results[org.id]
            if duties:  # kept even after a timeout: the rule that hung is switched off until the next start
                self._results[org.id] = (key, result)
            total.extend(result)

    def _judge_all(self, pending: list[tuple[Organization, tuple, Context]], jobs: dict[str, tuple[list, list]],
                   partitions: dict[str, list[tuple[str, Any]]], results: dict[str, CheckResult],
                   kept: Callable[[Organization, CheckResult], CheckResult], keep_in_worker: Callable[[Context, list, bytes], None],
                   isolate: bool, duties: bool, rendered: bool, meanwhile: list[Callable[[], None]] | None,
                   blocks: bool = False) -> None:
        """Every organization of ``pending`` judged into ``results`` (see :meth:`_check_into`)."""
        if isolate:
            from coordtui.rules.engine import RuleWorker

            # Each worker is made for every organization (forked, they share the contexts) and
            # judges those its thread takes, largest first, as soon as it is free: however
            # unequal the organizations' costs, neither waits long for the other at the end.
            count = _workers_for(pending, partitions)
            turns = _Turns(_largest_first(pending, partitions) if count > 1 else pending)
            workers = [RuleWorker([(ctx, *jobs[org.id]) for org, _, ctx in pending], self._plugin_of, duties=duties,
                                  rendered=rendered, keep=keep_in_worker, blocks=blocks,
                                  prepare=lambda ctx: self._read_all(ctx.org, partitions[ctx.org.id])) for _ in range(count)]
            try:
                for worker in workers:
                    worker.start()  # forked here, from this thread, before the threads below exist
                _each_in_a_thread([(lambda w=worker: self._judge(turns, jobs, w, results, partitions, kept))
                                   for worker in workers], meanwhile.pop() if meanwhile else None)
            finally:
                turns.stop()  # (an interrupt: the threads, still running, take no more organizations)
                for worker in workers:
                    worker.close()
        else:
            self._judge(pending, jobs, False, results, partitions, kept)

    def _attachment_docs(self, org: Organization, parts: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        """The attachments' entries of ``parts`` (as ``store.query(org, ATTACHMENTS)`` lists them)."""
        from coordtui.store.store import ATTACHMENTS

        return [doc for part, signature in parts for doc in self._partition(org, part, signature).get(ATTACHMENTS, ())]

    def _read_all(self, org: Organization, parts: list[tuple[str, Any]]) -> None:
        """Every partition of ``parts`` parsed (an unreadable file is a StoreError). With the
        parsed partitions kept on disk (:attr:`_parts_disk`, :mod:`coordtui.store.parts`), a
        partition whose file has exactly the signature the check has for it is built from what
        was kept, not read or validated again; the others are read, and the organization's
        partitions are kept again for the next process."""
        disk = self._parts_disk
        if disk is None or not parts or commit_pending(self.store.root):
            # (a commit being put in place: every file is read as ever, each once it is done)
            for part, signature in parts:
                self._partition(org, part, signature)
            return
        from coordtui.domain import rebuild
        from coordtui.store.store import ATTACHMENTS

        model = self.model_of(org)
        kinds = model.kind_map
        code = self._parts_code(org)
        fields = rebuild.fields_of(kinds)
        kept = disk.load(org.id, code)
        entries: dict[str, list[Any]] = kept["parts"] if kept is not None and kept["fields"] == fields else {}
        parsed = self._parsed_of(org)
        reused: dict[str, list[Any]] = {}
        for part, signature in parts:
            entry = entries.get(part)
            if (signature is None or type(entry) is not list or len(entry) != 3 or type(entry[0]) is not list
                    or tuple(entry[0]) != signature or not (entry[2] is None or type(entry[2]) is list)):
                continue
            cached = parsed.get((org.model, part))
            if cached is None or cached[0] != signature:
                records = rebuild.records_of(kinds, entry[1])
                if records is None:
                    continue
                if entry[2] is not None:
                    records[ATTACHMENTS] = entry[2]
                parsed[(org.model, part)] = (signature, records)
            reused[part] = entry
        for part, signature in parts:
            self._partition(org, part, signature)
        if len(reused) == len(parts) and len(entries) == len(parts):
            return
        # What changed (or was never kept) is kept now, each partition only if its rows, through
        # JSON and back, build exactly the records validation made.
        for part, signature in parts:
            if part in reused:
                continue
            cached = parsed.get((org.model, part))
            if cached is None or cached[0] is None:
                continue
            records = {kind: found for kind, found in cached[1].items() if kind != ATTACHMENTS}
            rows = rebuild.rows_of(kinds, records)
            if rows is None:
                continue
            try:
                entry = orjson.loads(orjson.dumps([list(cached[0]), rows, cached[1].get(ATTACHMENTS)]))
            except (TypeError, ValueError):  # a value JSON cannot carry (orjson.JSONEncodeError): read from its file as ever
                continue
            again = rebuild.records_of(kinds, entry[1])
            if again is None or not rebuild.same_partition(again, records) or entry[2] != cached[1].get(ATTACHMENTS):
                continue
            reused[part] = entry
        disk.save(org.id, code, fields, reused)

    def _parts_code(self, org: Organization) -> str:
        """What the parsed partitions kept on disk depend on besides their files: the code that
        validated them (the core's and the model's, as for the results: rules.cache) and pydantic's."""
        self._code_of(org)
        assert self._code is not None
        code = self._code.get(("parts", org.model))
        if code is None:
            import pydantic

            from coordtui.rules import cache

            code = self._code[("parts", org.model)] = cache.digest("parts", 1, pydantic.VERSION, org.model, self._code_of(org))
        return code

    def _judge(self, pending: Iterable[tuple[Organization, tuple, Context]], jobs: dict[str, tuple[list, list]],
               worker: "RuleWorker | bool", results: dict[str, CheckResult], partitions: dict[str, list[tuple[str, Any]]],
               kept: Callable[[Organization, CheckResult], CheckResult]) -> None:
        """Each organization's result, as ``kept`` keeps it, into ``results``: judged in ``worker``
        (which reads its files), or here, its files read first (one that cannot be is the
        organization's one finding)."""
        from coordtui.rules.engine import store_problem

        for org, _, ctx in pending:
            if worker is False:
                try:
                    self._read_all(org, partitions[org.id])
                except StoreError as exc:
                    results[org.id] = CheckResult(ctx.as_of, [store_problem(ctx, exc)])
                    continue
            results[org.id] = kept(org, evaluate(ctx, *jobs[org.id], plugin_of=self._plugin_of, isolate=worker))

    def _plugin_of(self, item: Any) -> str | None:
        item = self._wrapped.get(id(item), item)  # an obligation counting evidence: its model's own
        return self.host.contributor("coordtui_rules", item) or self.host.contributor("coordtui_obligations", item)

    def _model_unavailable(self, org: Organization) -> Finding:
        from coordtui.domain.records import Finding

        info = self.host.plugins.get(org.model) or next((p for p in self.host.plugins.values() if org.model in p.models), None)
        if info is None or info.status == "ok":
            why_zh, why_en = f"没有插件提供模型 {org.model}", f"no loaded plugin provides model {org.model}"
        else:
            from coordtui.i18n import text_in

            cause = info.cause or info.status
            why_zh, why_en = f"插件 {info.name} 未加载：{text_in(cause, 'zh')}", f"plugin {info.name} is {info.status}: {text_in(cause, 'en')}"
        return Finding(
            rule="core.model_unavailable", severity=Severity.ERROR, org=org.id, subject=org.name,
            message=f"组织 {org.id}（{org.name}）未检查：{why_zh}；请修复或启用该插件（见 coordtui plugins）后重新检查",
            message_en=f"organization {org.id} ({org.name}) was not checked: {why_en}; fix or enable the plugin (see 'coordtui plugins') and check again",
        )

    def _visible(self, total: CheckResult, orgs: list[Organization]) -> CheckResult:
        """The findings and duties whose subject lies within the actor's scope (and, for a
        sensitive record, only with cases). The core's own findings (``core.*``: a rule that
        hung, a broken history) are shown to every person of the organization."""
        policies = {org.id: self.policy(org) for org in orgs if org.model in self.host.models}
        if all(p.sees_everything for p in policies.values()):
            return total
        shown = CheckResult(total.as_of)
        for f in total.findings:
            policy = policies.get(f.org)
            if policy is None or f.rule.startswith("core.") or policy.owns(f.subject_kind or "", f.subject_id):
                shown.findings.append(f)
        for row in total.duties:
            policy = policies.get(row.org)
            if policy is None or policy.owns(row.duty.subject_kind or "", row.duty.subject_id):
                shown.duties.append(row)
        return shown

    # history ------------------------------------------------------------------------
    def history(self, *, org: str | None = None, kind: str | None = None, record_id: str | None = None,
                user: str | None = None) -> list[dict[str, Any]]:
        """Every recorded change the actor may see, newest first, optionally filtered."""
        if org is not None:
            self.org(org)
        return self.visible_history(self.store.history(org=org, kind=kind, record_id=record_id, user=user))

    def visible_history(self, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The history entries the actor may see (for a screen that reads the logs itself, as
        :class:`~coordtui.store.HistoryReader` does): changes to records they may see, in their
        organizations; changes to people for store administrators; a refusal for the
        organization's administrators and the person refused."""
        from coordtui.access.people import Role

        actor = self._current_actor()
        policies: dict[str, Policy | None] = {}
        orgs = {o["id"] for o in self.store.orgs()}

        def policy_for(org_id: str) -> Policy | None:
            if org_id not in policies:
                try:
                    policies[org_id] = self.policy(org_id)
                except InputError:
                    policies[org_id] = None
            return policies[org_id]

        def shown(entry: dict[str, Any]) -> bool:
            org_id = entry.get("org")
            if entry.get("op") == "refused":
                return entry.get("user") == actor.name or actor.store_admin or (
                    isinstance(org_id, str) and any(g.role is Role.ADMIN for g in actor.grants(org_id)))
            if not isinstance(org_id, str) or org_id == "-":
                return actor.store_admin
            if org_id not in orgs:  # an organization since removed: its administrators' business
                return actor.store_admin
            if not actor.grants(org_id):
                return False
            kind = entry.get("kind")
            if kind == "org":
                return True
            policy = policy_for(org_id)
            if policy is None:
                return False
            if policy.sees_everything:
                return True
            if kind == "_attachments":  # an attachment (佐证材料): seen with the record it is kept with, as it is now
                held = next((d for d in (entry.get("after"), entry.get("before")) if isinstance(d, dict)), {})
                record = policy.record(str(held.get("kind")), str(held.get("record")))
                return record is not None and policy.sees(record.kind, record)
            if not isinstance(kind, str) or kind not in policy.model.kind_map:
                return policy.sees_whole
            docs = [d for d in (entry.get("before"), entry.get("after")) if isinstance(d, dict)]
            return any(policy.sees(kind, strip_meta(d)) for d in docs)

        def blanked(entry: dict[str, Any]) -> dict[str, Any]:
            """The entry with any side the actor may not see left out: a record that came into
            view (reclassified, moved into the scope) must not show what it was before."""
            org_id, kind = entry.get("org"), entry.get("kind")
            if not isinstance(org_id, str) or org_id not in orgs or not isinstance(kind, str):
                return entry
            policy = policy_for(org_id)
            if policy is None or policy.sees_everything or kind not in policy.model.kind_map:
                return entry
            hidden = [side for side in ("before", "after")
                      if isinstance(entry.get(side), dict) and not policy.sees(kind, strip_meta(entry[side]))]
            return entry if not hidden else {**entry, **{side: None for side in hidden}, "hidden": hidden}

        return [blanked(e) for e in entries if shown(e)]

    def load_examples(self) -> list[str]:
        """Import every loaded model's bundled example organizations. Returns their ids."""
        from coordtui.interchange import validate_document

        self.require_admin(None, action="load the bundled example organizations", action_zh="载入内置示例组织")
        loaded = []
        for model_id in sorted(self.host.models):
            for number, doc in enumerate(self.host.fixtures(model_id), start=1):
                plan = validate_document(doc, self, f"<{model_id} example {number}>")
                self.replace_org(plan.org, plan.records, replace=True)
                if callable(doc.get("attachments")):  # the example's files (佐证材料), made by its code
                    from coordtui.attachments import attach_examples

                    attach_examples(self, plan.org.id, doc["attachments"]())
                loaded.append(plan.org.id)
        return loaded
