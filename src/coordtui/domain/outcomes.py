"""What a check yields, in plain classes that need no pydantic (nor any plugin): the severity of
a finding, a duty and its status, a duty's row on the as-of date and a check's result. The
application's first frame, drawn from a start-up snapshot (coordtui.snapshot), is made of
these before pydantic or any model is imported; :mod:`coordtui.domain.model`,
:mod:`coordtui.domain.records` and :mod:`coordtui.rules.engine` export them as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Iterable

from coordtui.domain.periods import Period

if TYPE_CHECKING:
    from coordtui.domain.records import Finding


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class DutyStatus(str, Enum):
    """Where a duty stands on the as-of date."""

    MET = "met"  # 已完成
    LATE = "late"  # 逾期完成
    DUE = "due"  # 待办
    AT_RISK = "at_risk"  # 临期
    OVERDUE = "overdue"  # 已逾期


@dataclass(slots=True)
class Duty:
    """One instance of an obligation (应办事项): a subject owes ``required`` records by ``due``.

    Two shapes, both first-class (counted on the dashboard, in the reports and the findings):

    - a *periodic* duty (``period`` given): a branch's report for 2026-03, a group's
      activities in 2026Q2;
    - a *per-record* duty (``period=None``): a deadline that one record sets for itself
      (限期事项), a problem's rectification date, an agreement's time limit, a task's
      deadline. It counts in the period its due date falls in, and stays on the list of
      open duties while it is not met. Point ``record_id`` at the record.

    :param subject: who owes it, as shown (``第一协作组``).
    :param due: the last day on which a record still meets it.
    :param what_zh / what_en: what is owed (``协作活动`` / ``collaboration activity``), used in messages.
    :param required: how many records are needed.
    :param done: the dates of the records that count toward it (for a per-record duty:
        the day it was met, e.g. ``[problem.rectified_on]`` once it is).
    :param period: the period the duty belongs to, or None for a per-record duty.
    :param subject_kind / subject_id: the record that stands for the subject, if any
        (``s`` on the dashboard opens it; access follows it).
    :param provisional: the due date was counted over days the official calendar does not cover yet
        (pass ``deadline.provisional`` from :class:`~coordtui.domain.calendar.WorkCalendar`).
    :param record_kind: the kind of record that would meet the duty (the form Enter opens).
    :param prefill: values for a new record of that kind (``{"branch": branch.id}``).
    :param unit_zh / unit_en: what ``required`` counts, for the messages (``次`` / ``activities``):
        "不足3次（实际1次）", "1 of 3 activities done".
    :param period_in_message: False when ``what_zh`` already names the period (``2026年度总结``),
        so that the message does not say it twice.
    :param record_id: the existing record that meets the duty (a task to close, a problem to
        rectify): Enter opens it instead of a new form. ``prefill={"id": ...}`` still works and
        means the same.
    """

    subject: str
    due: date
    what_zh: str
    what_en: str
    required: int = 1
    done: list[date] = field(default_factory=list)
    period: Period | None = None
    subject_kind: str | None = None
    subject_id: str | None = None
    provisional: bool = False
    record_kind: str | None = None
    prefill: dict[str, Any] = field(default_factory=dict)
    unit_zh: str = "项"
    unit_en: str = ""
    period_in_message: bool = True
    record_id: str | None = None

    def __post_init__(self) -> None:
        # The older spelling (prefill={"id": ...}) and the named one mean the same thing.
        if self.record_id is None and isinstance(self.prefill, dict) and isinstance(self.prefill.get("id"), str):
            self.record_id = self.prefill["id"]

    @property
    def per_record(self) -> bool:
        """A deadline of one record (限期事项) rather than a period's duty."""
        return self.period is None

    def belongs_to(self, period: Period) -> bool:
        """Whether the duty is one of ``period``'s: its own period lies within it, or, for a
        per-record duty, its due date does."""
        if self.period is None:
            return self.due in period
        return self.period.start >= period.start and self.period.end <= period.end

    @property
    def count(self) -> int:
        return len(self.done)

    @property
    def met_on(self) -> date | None:
        if len(self.done) < self.required:
            return None
        return sorted(self.done)[self.required - 1]

    def status(self, as_of: date, at_risk_days: int) -> DutyStatus:
        met_on = self.met_on
        if met_on is not None and met_on <= as_of:
            return DutyStatus.MET if met_on <= self.due else DutyStatus.LATE
        if as_of > self.due:
            return DutyStatus.OVERDUE
        if as_of >= self.due - timedelta(days=at_risk_days):
            return DutyStatus.AT_RISK
        return DutyStatus.DUE


@dataclass(slots=True)
class DutyRow:
    """One duty with its status on the as-of date (应办事项状态), as the dashboard lists it and
    as a model's screen reads it (``coordtui.api.DutyRow``; see :class:`coordtui.rules.statuses.DutyStatuses`).

    ``org``, ``rule`` (the obligation's rule id), ``obligation_zh``/``obligation_en`` (its
    title), ``duty`` (the :class:`Duty` the obligation yielded), ``status`` and ``as_of``; the
    duty's own fields are readable here too (``row.subject_id``, ``row.period``, ``row.due`` ...).
    """

    org: str
    rule: str
    obligation_zh: str
    obligation_en: str
    duty: Duty
    status: DutyStatus
    as_of: date

    @property
    def overdue_days(self) -> int:
        """Days past the due date, when overdue (else 0)."""
        return (self.as_of - self.duty.due).days if self.status is DutyStatus.OVERDUE else 0

    def __getattr__(self, name: str) -> Any:
        # row.subject_id, row.period, row.due ...: a screen need not know the row wraps a Duty.
        if name in _DUTY_NAMES:
            return getattr(self.duty, name)
        raise AttributeError(f"'DutyRow' object has no attribute {name!r} (a row's own: org, rule, obligation_zh, "
                             f"obligation_en, duty, status, as_of, overdue_days; and the Duty's)")

    def what(self, lang: str = "zh") -> str:
        """What is owed, in ``lang``."""
        return self.duty.what_zh if lang == "zh" else self.duty.what_en

    def obligation(self, lang: str = "zh") -> str:
        """The obligation's title, in ``lang``."""
        return self.obligation_zh if lang == "zh" else self.obligation_en


_DUTY_NAMES = frozenset({f.name for f in dataclass_fields(Duty)} | {"count", "met_on", "per_record"})


@dataclass
class CheckResult:
    as_of: date
    findings: list[Finding] = field(default_factory=list)
    duties: list[DutyRow] = field(default_factory=list)

    def extend(self, other: "CheckResult") -> None:
        self.findings.extend(other.findings)
        self.duties.extend(other.duties)

    def sort(self) -> None:
        """Findings by severity (errors first), organization, rule, period and subject.

        Each key is built once per finding from plain attributes (the severity's rank looked up
        by its value, not through ``Severity.rank``, which builds a dict on every call): at
        100,000 records a check sorts over a hundred thousand findings."""
        self.findings.sort(key=_finding_key)


_RANK = {"error": 0, "warning": 1, "info": 2}


def _finding_key(f: Finding) -> tuple[int, str, str, str, str]:
    return (_RANK[f.severity._value_], f.org, f.rule, f.period or "", f.subject_id or f.subject)


def in_order(findings: list) -> list:
    """``findings`` as :meth:`CheckResult.sort` orders them (a stable sort by severity,
    organization, rule, period and subject), for findings that come as one run per organization,
    each run already in that order (as a check gathers them: each organization's result sorted,
    once): the runs' pieces of each severity are put in order by organization, without a key
    per finding or comparing across organizations. Where an organization comes in more than one
    run, or a run is not ordered by severity, the findings are sorted after all."""
    buckets: dict[tuple[int, str], list] = {}
    last: tuple[int, str] | None = None
    current: list = []
    for f in findings:
        key = (_RANK[f.severity._value_], f.org)
        if key != last:
            if key in buckets or (last is not None and key[1] == last[1] and key[0] < last[0]):
                return sorted(findings, key=_finding_key)
            current = buckets[key] = []
            last = key
        current.append(f)
    return [f for key in sorted(buckets) for f in buckets[key]]


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    summary = {s.value: 0 for s in Severity}
    for f in findings:
        summary[f.severity._value_] += 1  # (not the enum's value property: 84,000 at 100,000 records)
    return summary
