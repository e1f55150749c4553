"""What one actor may see and change in one organization (查看与修改权限).

The one place that decides (ARCHITECTURE.md, "Who is who"): :class:`Policy` reads the
actor's grants and the model's :class:`~coordtui.domain.model.Scope` declarations over the
organization's records as they are, and answers "may they see this record", "is this duty
theirs", "may they make this change (and if not, what are they told)".

A grant's scope is a set of structure subjects, each written as a record id (``g2``) or
``kind:id`` (``group:g2``); it reaches those subjects and every subject they contain
(a group its units, a zone its member bodies, a grid member the groups they liaise with).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping

from coordtui.access.actor import Actor
from coordtui.access.people import Grant, Role
from coordtui.domain.model import ModelSpec, Organization
from coordtui.domain.records import Record
from coordtui.store import strip_meta

Subject = tuple[str, str]  # (kind, id)

ROLE_EN = {Role.ADMIN: "administrator", Role.EDITOR: "editor", Role.READER: "reader"}
ROLE_ZH = {Role.ADMIN: "管理员", Role.EDITOR: "编辑", Role.READER: "只读人员"}

_DEPTH = 6  # how far "belongs to what its task belongs to" is followed


def _values(obj: Record | Mapping[str, Any], name: str) -> list[str]:
    value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _id(obj: Record | Mapping[str, Any]) -> str:
    return str(obj.get("id") if isinstance(obj, Mapping) else obj.id)


def _whole(grant: Grant) -> bool:
    """An administrator, or a grant without a scope, has the whole organization."""
    return grant.role is Role.ADMIN or not grant.scope


class Refusal:
    """Why a change is refused: the English and Chinese line the person is told."""

    def __init__(self, message: str, message_zh: str) -> None:
        self.message = message
        self.message_zh = message_zh


class Policy:
    """One actor's rights in one organization, over its records as ``load(kind)`` returns them.

    Cheap to make; the structure graph is built on first need. Make a new one when the
    organization's records or the actor's grants change.
    """

    def __init__(self, actor: Actor, org: Organization, model: ModelSpec, load: Callable[[str], list[Record]]) -> None:
        self.actor = actor
        self.org = org
        self.model = model
        self._load = load
        self.grants: list[Grant] = actor.grants(org.id)
        self._by_id: dict[str, dict[str, Record]] = {}
        self._children: dict[Subject, set[Subject]] | None = None
        self._subject_ids: dict[str, list[Subject]] | None = None
        self._reach: dict[int, frozenset[Subject] | None] = {}
        self._pending: dict[Subject, Record] = {}
        self._refs: dict[str, dict[str, str]] = {}
        #: kind -> the records of it the actor may see, kept by the workspace for this policy's life.
        self.shown: dict[str, list[Record]] = {}

    # who they are here ---------------------------------------------------------------------
    @property
    def member(self) -> bool:
        """Has any grant in the organization (else it is not shown to them at all)."""
        return bool(self.grants)

    @property
    def role(self) -> Role | None:
        return max((g.role for g in self.grants), key=lambda r: r.rank, default=None)

    @property
    def admin(self) -> bool:
        return any(g.role is Role.ADMIN for g in self.grants)

    @property
    def sees_everything(self) -> bool:
        """The whole organization with cases: nothing needs filtering."""
        return any(_whole(g) and g.cases for g in self.grants)

    @property
    def sees_whole(self) -> bool:
        """The whole organization (perhaps without cases)."""
        return any(_whole(g) for g in self.grants)

    def who(self) -> tuple[str, str]:
        role = self.role or Role.READER
        return f"{ROLE_EN[role]} {self.actor.shown()}", f"{ROLE_ZH[role]}{self.actor.shown()}"

    # the structure -----------------------------------------------------------------------
    @contextmanager
    def pending(self, records: Iterable[Record]) -> Iterator[None]:
        """Judge changes as if ``records`` were already stored: a transaction (an import, a
        task with its first step) may hold a record and those that belong through it."""
        self._pending = {(r.kind, r.id): r for r in records}
        try:
            yield
        finally:
            self._pending = {}

    def record(self, kind: str, record_id: str) -> Record | None:
        if self._pending:
            found = self._pending.get((kind, record_id))
            if found is not None:
                return found
        if kind not in self._by_id:
            self._by_id[kind] = {r.id: r for r in self._load(kind)} if kind in self.model.kind_map else {}
        return self._by_id[kind].get(record_id)

    def _graph(self) -> dict[Subject, set[Subject]]:
        """Subject -> the subjects it directly contains."""
        if self._children is None:
            children: dict[Subject, set[Subject]] = {}
            ids: dict[str, list[Subject]] = {}
            for kind, scope in self.model.scopes.items():
                if not scope.structure:
                    continue
                refs = self.model.kind_map[kind].references()
                for rec in self._load(kind):
                    node = (kind, rec.id)
                    if scope.subject:
                        ids.setdefault(rec.id, []).append(node)
                    for name in scope.within:
                        for value in _values(rec, name):
                            children.setdefault((refs[name], value), set()).add(node)
                    for name in scope.contains:
                        for value in _values(rec, name):
                            children.setdefault(node, set()).add((refs[name], value))
                    if scope.link is not None:
                        outer, inner = scope.link
                        for o in _values(rec, outer):
                            for i in _values(rec, inner):
                                children.setdefault((refs[outer], o), set()).add((refs[inner], i))
            self._children, self._subject_ids = children, ids
        return self._children

    def subjects_named(self, entry: str) -> list[Subject]:
        """The subjects a scope entry names (``g2`` or ``group:g2``); empty if none exists."""
        self._graph()
        assert self._subject_ids is not None
        if ":" in entry:
            kind, _, rid = entry.partition(":")
            return [s for s in self._subject_ids.get(rid, []) if s[0] == kind]
        return list(self._subject_ids.get(entry, []))

    def subject_choices(self) -> dict[str, str]:
        """Every subject a scope may name (``kind:id``) -> its label, for ``users add --scope``."""
        self._graph()
        assert self._subject_ids is not None
        return {f"{k}:{i}": self.label((k, i)) for subjects in self._subject_ids.values() for k, i in subjects}

    def _reach_of(self, index: int) -> frozenset[Subject] | None:
        """The subjects grant ``index`` reaches (None: the whole organization)."""
        if index not in self._reach:
            grant = self.grants[index]
            if _whole(grant):
                self._reach[index] = None
            else:
                children = self._graph()
                seen: set[Subject] = set()
                todo = [s for entry in grant.scope for s in self.subjects_named(entry)]
                while todo:
                    node = todo.pop()
                    if node not in seen:
                        seen.add(node)
                        todo.extend(children.get(node, ()))
                self._reach[index] = frozenset(seen)
        return self._reach[index]

    def _references(self, kind: str) -> dict[str, str]:
        if kind not in self._refs:
            self._refs[kind] = self.model.kind_map[kind].references()
        return self._refs[kind]

    def subjects(self, kind: str, obj: Record | Mapping[str, Any], depth: int = 0) -> set[Subject]:
        """The structure subjects a record (or a stored document) of ``kind`` belongs to."""
        scope = self.model.scope(kind)
        found: set[Subject] = {(kind, _id(obj))} if scope.subject else set()
        if scope.link is not None:
            refs = self._references(kind)
            found |= {(refs[name], v) for name in scope.link for v in _values(obj, name)}
        if scope.of and depth < _DEPTH:
            refs = self._references(kind)
            for name in scope.of:
                target = refs[name]
                for value in _values(obj, name):
                    if self.model.scope(target).subject:
                        found.add((target, value))
                    else:
                        other = self.record(target, value)
                        if other is not None:
                            found |= self.subjects(target, other, depth + 1)
        return found

    def label(self, subject: Subject) -> str:
        rec = self.record(*subject)
        return rec.label() if rec is not None else subject[1]

    def sensitive(self, kind: str, obj: Record | Mapping[str, Any]) -> bool:
        scope = self.model.scope(kind)
        if not callable(scope.sensitive):
            return bool(scope.sensitive)
        if isinstance(obj, Mapping):
            try:
                obj = self.model.kind_map[kind].model_validate(strip_meta(dict(obj)))
            except ValueError:
                return True  # what cannot be read cannot be shown to be harmless
        return scope.is_sensitive(obj)

    # seeing --------------------------------------------------------------------------------
    def sees(self, kind: str, obj: Record | Mapping[str, Any]) -> bool:
        """May they see this record? (Its scope, its sensitivity, their grants.)"""
        if self.sees_everything:
            return True
        return any(self._grant_sees(i, kind, obj, shared_counts=True) for i in range(len(self.grants)))

    def owns(self, kind: str, record_id: str | None) -> bool:
        """Is the subject of a duty or finding within their scope? A shared record's or the
        organization's own (no record) duties belong to the whole organization."""
        if self.sees_everything:
            return True
        obj = self.record(kind, record_id) if kind and record_id else None
        if obj is None:
            return self.sees_whole
        return any(self._grant_sees(i, kind, obj, shared_counts=False) for i in range(len(self.grants)))

    def _grant_sees(self, index: int, kind: str, obj: Record | Mapping[str, Any], *, shared_counts: bool) -> bool:
        grant = self.grants[index]
        if not grant.cases and self.sensitive(kind, obj):
            return False
        reach = self._reach_of(index)
        if reach is None:
            return True
        if shared_counts and self.model.scope(kind).shared:
            return True
        return not self.subjects(kind, obj).isdisjoint(reach)

    def visible(self, kind: str, records: Iterable[Record]) -> list[Record]:
        if self.sees_everything:
            return list(records)
        return [r for r in records if self.sees(kind, r)]

    # changing ------------------------------------------------------------------------------
    def refusal(self, kind: str, before: Record | Mapping[str, Any] | None, after: Record | Mapping[str, Any] | None) -> Refusal | None:
        """None if they may turn ``before`` into ``after`` (None: create / delete); else why not."""
        who_en, who_zh = self.who()
        org = self.org.name
        cls = self.model.kind_map.get(kind)
        title_en, title_zh = (cls.title_en, cls.title_zh) if cls else (kind, kind)
        scope = self.model.scope(kind)
        writers = [i for i, g in enumerate(self.grants) if g.role.rank >= Role.EDITOR.rank]
        if not writers:
            target = self._target(kind, after if after is not None else before, None)
            return Refusal(f"{who_en} may not change {target[0]}'s records: ask an administrator",
                           f"{who_zh}无权修改{target[1]}的记录：请联系管理员")
        if scope.structure and not self.admin:
            label = self._label_of(kind, before if before is not None else after)
            return Refusal(f"{who_en} may not change {org}'s structure ({title_en} {label}): ask an administrator",
                           f"{who_zh}无权修改{org}的组织结构（{title_zh}“{label}”）：请联系管理员")
        touched = [o for o in (before, after) if o is not None]
        if any(self.sensitive(kind, o) for o in touched):
            writers = [i for i in writers if self.grants[i].cases]
            if not writers:
                return Refusal(f"{who_en} may not change {title_en} records without access to cases: ask an administrator",
                               f"{who_zh}未获得案件权限，无权修改{title_zh}：请联系管理员")
        for i in writers:
            reach = self._reach_of(i)
            if reach is None:
                return None
            if scope.shared:
                continue
            old = self.subjects(kind, before) if before is not None else set()
            new = self.subjects(kind, after) if after is not None else set()
            if before is not None and old.isdisjoint(reach):
                continue
            if after is not None and (new.isdisjoint(reach) or not (new - old) <= reach):
                continue
            return None
        if scope.shared or not (self.subjects(kind, before) if before is not None else set()) | (
                self.subjects(kind, after) if after is not None else set()):
            return Refusal(f"{who_en} may not change {org}'s {title_en} records (they are the whole organization's): ask an administrator",
                           f"{who_zh}无权修改{org}的{title_zh}（属于整个组织）：请联系管理员")
        en, zh = self._target(kind, after if after is not None else before, before)
        return Refusal(f"{who_en} may not change {en}'s records (outside their scope): ask an administrator",
                       f"{who_zh}无权修改{zh}的记录（不在其范围内）：请联系管理员")

    def settings_refusal(self, *, creating: bool) -> Refusal | None:
        """None if they may create the organization or change its name and settings."""
        if self.admin:
            return None
        who_en, who_zh = self.who()
        if creating:
            return Refusal(f"{who_en} may not create organization {self.org.id}: ask an administrator",
                           f"{who_zh}无权新建组织 {self.org.id}：请联系管理员")
        return Refusal(f"{who_en} may not change {self.org.name}'s name or settings: ask an administrator",
                       f"{who_zh}无权修改{self.org.name}的名称或设置：请联系管理员")

    def _label_of(self, kind: str, obj: Record | Mapping[str, Any] | None) -> str:
        if obj is None:
            return ""
        if isinstance(obj, Record):
            return obj.label()
        stored = self.record(kind, _id(obj))
        return stored.label() if stored is not None else _id(obj)

    def _target(self, kind: str, obj: Record | Mapping[str, Any] | None, before: Record | Mapping[str, Any] | None) -> tuple[str, str]:
        """The subject named in a refusal: the first one outside every reach (else the first), or the organization."""
        if obj is None:
            return self.org.name, self.org.name
        subjects = sorted(self.subjects(kind, obj))
        if before is not None:
            added = sorted(self.subjects(kind, obj) - self.subjects(kind, before))
            subjects = added or sorted(self.subjects(kind, before))
        reaches = [self._reach_of(i) for i in range(len(self.grants))]
        outside = [s for s in subjects if not any(r is None or s in r for r in reaches)]
        chosen = (outside or subjects)[:1]
        if not chosen:
            return self.org.name, self.org.name
        name = self.label(chosen[0])
        return name, name
