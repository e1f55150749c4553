"""What a plugin contributes: a model (模型), its rules (规则), obligations (义务), screens and exports.

These are plain data classes: the hook specifications in :mod:`coordtui.hookspecs`
return them, and the core validates them before anything uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coordtui.domain.calendar import WorkCalendar
from coordtui.domain.evidence import Evidence
from coordtui.domain.outcomes import Duty, DutyStatus  # noqa: F401 (plugins and the core import them from here)
from coordtui.domain.periods import Period, PeriodKind
from coordtui.domain.records import ID_PATTERN, Finding, Record, Severity, control_problem, invalid, make_finding
from coordtui.errors import InputError, shown


class NoSettings(BaseModel):
    """Settings of a model that has none."""

    model_config = ConfigDict(extra="forbid")


class CoreSettings(BaseModel):
    """Settings every organization has, whatever its model (核心设置); a rule reads them as ``ctx.core``.

    ``at_risk_days`` (14): a count-based duty still short this many days before it falls due
    is at risk (临期). ``tracking_start`` (跟踪起始日): duties falling due before it are not
    judged. ``report_issuer``, ``report_recipient``, ``report_copy_to``: the Word report's
    signature, recipient and copies.
    """

    model_config = ConfigDict(extra="forbid")

    at_risk_days: int = Field(14, ge=0, le=366, description="A count-based duty still short this many days before its period ends is 'at risk'")
    tracking_start: date | None = Field(
        None,
        description="Duties are judged from this day on (跟踪起始日). Set when the organization is first "
        "imported (the office's today), else the day it was created in the store; never moved by the as-of date. "
        "It covers the period it falls in and every later one: a duty of a period that ended before it is not judged",
    )
    report_issuer: str | None = Field(
        None, max_length=100,
        description="The issuing body that signs the Word report (发文机关署名); default 中共<organization>纪律检查委员会",
    )
    report_recipient: str | None = Field(None, max_length=100, description="The report's recipient (主送机关), if it has one")
    report_copy_to: list[str] = Field(default_factory=list, max_length=20, description="Bodies the report is copied to (抄送机关)")


@dataclass(frozen=True)
class Scope:
    """Who may see a kind's records: the structure subjects a record belongs to (权限范围).

    A person's grant may be limited to some subjects of the organization's structure (a
    group, a zone, a subsidiary ...); they see a record when it belongs to one of those
    subjects or to a subject those contain. Declared per kind in
    :attr:`ModelSpec.scopes`; see ``docs/plugins.md``, "Who may see what".

    :param subject: the record is itself a structure subject (a group, a unit, a zone).
        Only administrators change subjects.
    :param within: for a subject: its reference fields naming the subjects that contain it
        (a unit ``within=("group",)``: whoever has the group has its units).
    :param contains: for a subject: its reference fields naming the subjects it contains
        (a team member ``contains=("portfolio",)``: the units they oversee).
    :param link: for a record that joins two subjects (a grid member's liaison with a
        group): ``(outer field, inner field)``; the outer subject contains the inner one.
        Link records are structure: only administrators change them.
    :param of: reference fields naming what the record belongs to: a subject, or another
        record whose own scope then decides (a task step belongs to what its task belongs to).
        A record of several subjects is seen by each; a change may add only subjects within
        the changer's scope.
    :param shared: every person of the organization sees these records (the group
        committee's directives, the documents everybody files against); only people with
        the whole organization change them. Duties and findings about them are the
        organization's, shown only to the whole organization.
    :param sensitive: the kind holds cases, problem leads or named persons' problems
        (敏感): seen only with access to cases. True, or ``sensitive(record) -> bool`` for
        a kind of which only some records are (problem-list items).

    A kind with no declaration (``Scope()``) belongs to the organization as a whole: only
    people with the whole organization in their grant see it.
    """

    subject: bool = False
    within: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    link: tuple[str, str] | None = None
    of: tuple[str, ...] = ()
    shared: bool = False
    sensitive: bool | Callable[[Record], bool] = False

    def is_sensitive(self, record: Record) -> bool:
        return bool(self.sensitive(record)) if callable(self.sensitive) else self.sensitive

    @property
    def structure(self) -> bool:
        """Subjects and the links between them: administrators only change them."""
        return self.subject or self.link is not None

    def fields(self) -> tuple[str, ...]:
        return (*self.within, *self.contains, *(self.link or ()), *self.of)


@dataclass
class ModelSpec:
    """One organizational model (组织模型), as a plugin provides it.

    :param id: stable id, a Python identifier (``university_grid``); it prefixes every rule id.
    :param name_zh: the model's name in Chinese.
    :param name_en: the model's name in English.
    :param version: the model's version, shown by ``coordtui plugins``.
    :param kinds: the pydantic classes of its records, each a subclass of :class:`Record`.
    :param settings: a pydantic class whose defaults are the model's settings; an
        organization may override any of them (in its ``org.settings``). A rule or an
        obligation gets an instance of exactly this class, with the organization's values,
        as ``ctx.settings``; the core's settings (:class:`CoreSettings`) are ``ctx.core``.
    :param structure_kinds: kinds shown in the organization tree, outermost first.
    :param messages: the model's catalogue (文案): key -> (Chinese, English), for its screens
        (``self.t("key")`` in a :class:`coordtui.ui.ModelScreen`) and anything else it shows.
        Texts may hold ``{name}`` fields, filled from ``t``'s keyword arguments.
    :param scopes: kind -> :class:`Scope`: which structure subjects a record of each kind
        belongs to, and which kinds are sensitive. A kind left out belongs to the
        organization as a whole (only people granted all of it see it).
    :param evidence: the files (佐证材料) records must carry: :class:`~coordtui.domain.evidence.Evidence`.
    """

    id: str
    name_zh: str
    name_en: str
    version: str
    kinds: list[type[Record]]
    settings: type[BaseModel] = NoSettings
    description_zh: str = ""
    description_en: str = ""
    structure_kinds: list[str] = field(default_factory=list)
    messages: dict[str, tuple[str, str]] = field(default_factory=dict)
    scopes: dict[str, Scope] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.id.isidentifier():
            raise ValueError(f"model id {self.id!r} must be a Python identifier")
        seen: set[str] = set()
        for k in self.kinds:
            if not (isinstance(k, type) and issubclass(k, Record)):
                raise ValueError(f"model {self.id}: {k!r} is not a Record subclass")
            if k.kind in seen:
                raise ValueError(f"model {self.id}: kind {k.kind!r} is declared twice")
            seen.add(k.kind)
            problems = k.reference_problems()
            if problems:
                raise ValueError(f"model {self.id}: {problems[0]}")
        for key, pair in self.messages.items():
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) and x for x in pair)):
                raise ValueError(f"model {self.id}: message {key!r} must be a (Chinese, English) pair of texts")
        self._check_scopes({k.kind: k for k in self.kinds})
        for ask in self.evidence:
            if ask.kind not in seen:
                raise ValueError(f"model {self.id}: evidence asks for files on kind {ask.kind!r}, which it does not declare")

    def _check_scopes(self, kinds: dict[str, type[Record]]) -> None:
        """A scope naming a kind or a field the model lacks is refused at load, not met at a save."""
        for kind, scope in self.scopes.items():
            if kind not in kinds:
                raise ValueError(f"model {self.id}: scopes name kind {kind!r}, which the model does not have")
            if not isinstance(scope, Scope):
                raise ValueError(f"model {self.id}: the scope of kind {kind!r} must be a Scope, not {type(scope).__name__}")
            refs = kinds[kind].references()
            for name in scope.fields():
                if name not in refs:
                    raise ValueError(f"model {self.id}: the scope of kind {kind!r} names field {name!r}, which is not a reference (Ref) of that kind")
                if refs[name] not in kinds:
                    raise ValueError(f"model {self.id}: kind {kind!r} field {name!r} refers to kind {refs[name]!r}, which the model does not have")
            if (scope.within or scope.contains) and not scope.subject:
                raise ValueError(f"model {self.id}: kind {kind!r} declares within/contains but is not a subject (subject=True)")
            for name in (*scope.within, *scope.contains, *(scope.link or ())):
                target = self.scopes.get(refs[name])
                if target is None or not target.subject:
                    raise ValueError(f"model {self.id}: kind {kind!r} field {name!r} must refer to a subject kind, not {refs[name]!r}")

    def scope(self, kind: str) -> "Scope":
        """The scope declared for ``kind`` (the whole organization's if none is)."""
        return self.scopes.get(kind, _WHOLE)

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def text(self, key: str, lang: str = "zh", **values: object) -> str:
        """The model's catalogue text for ``key`` in ``lang``, formatted with ``values``."""
        try:
            zh, en = self.messages[key]
        except KeyError:
            raise KeyError(f"model {self.id} has no message {key!r}") from None
        text = zh if lang == "zh" else en
        return text.format(**values) if values else text

    @cached_property
    def kind_map(self) -> dict[str, type[Record]]:
        return {k.kind: k for k in self.kinds}

    def kind(self, name: str) -> type[Record]:
        try:
            return self.kind_map[name]
        except KeyError:
            known = ", ".join(sorted(self.kind_map))
            raise InputError(f"model {self.id} has no kind '{shown(name)}' (known kinds: {known})") from None

    def parse_settings(self, values: dict[str, Any] | None) -> "Settings":
        """The organization's settings over the model's defaults. An unknown key is refused,
        naming the known ones: a misspelt setting must not be silently ignored."""
        values = dict(values or {})
        core_keys = set(CoreSettings.model_fields)
        known = core_keys | set(self.settings.model_fields)
        unknown = [k for k in values if k not in known]
        if unknown:
            raise InputError(
                f"organization settings: unknown setting '{shown(unknown[0])}' for model {self.id} "
                f"(known: {', '.join(sorted(known))}): check its spelling",
                message_zh=f"组织设置：模型 {self.id} 没有设置项“{shown(unknown[0])}”（已知：{', '.join(sorted(known))}）：请检查拼写")
        core = {k: values.pop(k) for k in list(values) if k in core_keys}
        try:
            return Settings(CoreSettings(**core), self.settings(**values))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            raise InputError(f"organization settings: {where}: {err['msg']}") from None


_WHOLE = Scope()


@dataclass(frozen=True)
class Settings:
    """An organization's settings: the core's and its model's (``ModelSpec.parse_settings``).

    An attribute is looked up in the model's settings, then in the core's."""

    core: CoreSettings
    model: BaseModel

    def __getattr__(self, name: str) -> Any:
        for part in (object.__getattribute__(self, "model"), object.__getattribute__(self, "core")):
            if name in type(part).model_fields:
                return getattr(part, name)
        raise AttributeError(name)


class Organization(BaseModel):
    """One instance of a model: one university, one county, one group company (组织)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    model: str = Field(max_length=80)
    settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name", "model")
    @classmethod
    def _one_line(cls, value: str) -> str:
        found = control_problem(value, one_line=True)
        if found:
            raise invalid(f"含有控制字符 {found}", f"contains the control character {found}")
        return value

    @field_validator("settings")
    @classmethod
    def _plain_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Settings are a few values each: nesting deeper than this is no setting, and a very
        # deep one would crash the JSON writer ("Maximum serialization depth exceeded").
        def walk(item: Any, key: str, depth: int) -> None:
            if depth > SETTINGS_DEPTH:
                raise invalid(f"设置项 {key} 嵌套超过 {SETTINGS_DEPTH} 层", f"setting '{key}' is nested more than {SETTINGS_DEPTH} deep")
            if isinstance(item, dict):
                for k, v in item.items():
                    walk(v, key, depth + 1)
            elif isinstance(item, (list, tuple)):
                for v in item:
                    walk(v, key, depth + 1)
        for key, item in value.items():
            found = control_problem(key, one_line=True) or control_problem(item)
            if found:
                raise invalid(f"设置项含有控制字符 {found}", f"a setting contains the control character {found}")
            walk(item, str(key), 1)
        return value


#: How deep an organization's settings may nest (a list of lists of values is 3).
SETTINGS_DEPTH = 8


@lru_cache(maxsize=1024)
def _periods(start: date, as_of: date, kind: PeriodKind) -> tuple[Period, ...]:
    """The periods of :meth:`Context.periods`, made once per process for each span and kind: the
    same :class:`Period` objects (frozen) for every organization and obligation that asks, so
    the bounds and spellings each one works out on first use (``end``, its text) are worked out
    once, not for every duty of every organization tracked over the same span."""
    if start > as_of:
        return ()
    result, p = [], Period.containing(start, kind)
    last = Period.containing(as_of, kind)
    while p <= last:
        result.append(p)
        p = p.next()
    return tuple(result)


class Context:
    """What a rule or an obligation sees: one organization, its records, the calendar and the as-of date.

    ``ctx.settings`` is the model's own settings object (an instance of ``ModelSpec.settings``,
    the organization's overrides applied); ``ctx.core`` the settings every organization has
    (:class:`CoreSettings`: ``at_risk_days``, ``tracking_start`` ...). Records are loaded per
    kind on first use, so a rule costs what it reads.
    """

    def __init__(
        self,
        org: Organization,
        model: ModelSpec,
        load: Callable[[str], list[Record]],
        calendar: WorkCalendar,
        as_of: date,
        tracking_start: date | None = None,
    ) -> None:
        self.org = org
        self.model = model
        self.calendar = calendar
        self.as_of = as_of
        parsed = model.parse_settings(org.settings)
        #: the model's settings: an instance of ``ModelSpec.settings`` with the organization's values
        self.settings = parsed.model
        #: the core's settings (:class:`CoreSettings`): ``at_risk_days``, ``tracking_start`` ...
        self.core = parsed.core
        self._tracking_start = tracking_start
        self._load = load
        self._cache: dict[str, list[Record]] = {}
        self._by_id: dict[str, dict[str, Record]] = {}

    @property
    def tracking_start(self) -> date:
        """The day the organization began to be tracked (跟踪起始日): its ``tracking_start`` setting,
        else the day it was created or imported, as the workspace found it. It never depends on
        the as-of date, so duties of last year stay open at New Year. The engine drops every
        duty due before it."""
        start = self.core.tracking_start or self._tracking_start
        if start is None:
            raise InputError(f"organization {self.org.id} has no tracking start: set settings.tracking_start (YYYY-MM-DD)")
        return start

    def periods(self, kind: PeriodKind | str) -> list[Period]:
        """The periods of ``kind`` from the tracking start to the one containing the as-of date."""
        return list(_periods(self.tracking_start, self.as_of, PeriodKind(kind)))

    def records(self, kind: str) -> list[Record]:
        """Every record of ``kind`` in this organization."""
        if kind not in self._cache:
            self.model.kind(kind)
            self._cache[kind] = list(self._load(kind))
        return self._cache[kind]

    def get(self, kind: str, record_id: str) -> Record | None:
        if kind not in self._by_id:
            self._by_id[kind] = {r.id: r for r in self.records(kind)}
        return self._by_id[kind].get(record_id)

    def label(self, kind: str, record_id: str) -> str:
        record = self.get(kind, record_id)
        return record.label() if record else record_id

    def finding(
        self,
        rule: str,
        severity: Severity | str,
        subject: str,
        message: str,
        message_en: str,
        *,
        period: Period | str | None = None,
        record: Record | None = None,
        since: date | None = None,
        provisional: bool = False,
        subject_kind: str | None = None,
        subject_id: str | None = None,
    ) -> Finding:
        """Build a finding for this organization; ``record`` (or ``subject_kind`` and ``subject_id``)
        is where Enter leads in the interface."""
        return make_finding(
            rule,
            severity if isinstance(severity, Severity) else Severity(severity),
            self.org.id,
            subject,
            str(period) if period is not None else None,
            message,
            message_en,
            record.kind if record is not None else subject_kind,
            record.id if record is not None else subject_id,
            since,
            provisional,
        )


@dataclass
class Rule:
    """A validator (校验规则).

    :param id: ``<model>.<rule>``, stable: findings carry it and users filter on it.
    :param title_zh: what the rule demands, in Chinese.
    :param title_en: the same in English.
    :param check: ``check(ctx: Context) -> Iterable[Finding]``.
    """

    id: str
    title_zh: str
    title_en: str
    check: Callable[[Context], Iterable[Finding]]

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass
class Obligation:
    """A recurring duty (义务): per period and subject, the records that meet it and the deadline.

    Its statuses feed the dashboard and the calendar, and its shortfalls become findings
    under ``rule``: overdue is an error, at risk a warning, met late a warning (or
    ``late_severity``); a duty that is simply not yet due says nothing.

    :param rule: the rule id its findings carry.
    :param duties: ``duties(ctx: Context) -> Iterable[Duty]``: every duty up to the as-of
        date and the ones falling due soon after it.
    """

    rule: str
    title_zh: str
    title_en: str
    duties: Callable[[Context], Iterable[Duty]]
    late_severity: Severity = Severity.WARNING

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass
class ScreenSpec:
    """A screen a model adds to the interface.

    :param id: stable id, unique within the model.
    :param title_zh / title_en: the name shown in the navigation.
    :param factory: ``factory(app_context) -> textual.screen.Screen``; imported lazily so
        that plugins stay importable without a terminal.
    :param key: an optional key that opens it from the model's screens menu.
    """

    id: str
    title_zh: str
    title_en: str
    factory: Callable[[Any], Any]
    key: str | None = None

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass
class ExportSpec:
    """A report layout a model adds (报表).

    :param id: stable id.
    :param format: the file format it writes (``docx``, ``xlsx``, ``md`` ...).
    :param write: ``write(ctx: Context, period: Period | None, path: Path) -> None``.
    """

    id: str
    title_zh: str
    title_en: str
    format: str
    write: Callable[..., None]
