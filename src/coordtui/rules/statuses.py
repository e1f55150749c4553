"""Duty statuses per subject and period (应办事项状态一览): the public view a model's screens read.

A check's duties are :class:`~coordtui.rules.engine.DutyRow` objects (a :class:`Duty` with its
status on the as-of date). :class:`DutyStatuses` holds those of one organization and answers
what a compliance matrix or a board asks: which subjects, which periods, the status of a
subject in a period, the per-record deadlines still open::

    from coordtui.ui import duty_statuses

    statuses = duty_statuses(self.app, rule="my_model.monthly_report")
    for subject_id, subject in statuses.subjects():
        cells = [statuses.status(subject_id, p) for p in statuses.periods()]
"""

from __future__ import annotations

from typing import Iterable, Iterator

from coordtui.domain.model import DutyStatus
from coordtui.domain.periods import Period
from coordtui.rules.engine import CheckResult, DutyRow

#: Worst first: the status a cell shows when a subject owes several duties in one period.
SEVERITY_ORDER = (DutyStatus.OVERDUE, DutyStatus.AT_RISK, DutyStatus.DUE, DutyStatus.LATE, DutyStatus.MET)
_RANK = {status: n for n, status in enumerate(SEVERITY_ORDER)}

#: Statuses of a duty that is not met yet.
OPEN = frozenset({DutyStatus.OVERDUE, DutyStatus.AT_RISK, DutyStatus.DUE})


class DutyStatuses:
    """The duties of one organization (or a selection of them) with their statuses.

    Build it with :meth:`of` from a check (``app.result``), or in a screen with
    ``coordtui.ui.duty_statuses(app, rule=...)``. Subjects are named by ``subject_id``
    (the id of the record standing for the subject; the shown name when a duty has none).
    """

    def __init__(self, rows: Iterable[DutyRow]) -> None:
        self.rows: list[DutyRow] = list(rows)

    @classmethod
    def of(cls, result: CheckResult | None, org_id: str, *, rule: str | None = None) -> "DutyStatuses":
        """The duties of ``org_id`` in a check (none while the check is still running), only ``rule``'s if given."""
        if result is None:
            return cls([])
        return cls(r for r in result.duties if r.org == org_id and (rule is None or r.rule == rule))

    def __iter__(self) -> Iterator[DutyRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @staticmethod
    def key(row: DutyRow) -> str:
        """How a row names its subject: its ``subject_id``, else its shown ``subject``."""
        return row.duty.subject_id or row.duty.subject

    def rule(self, rule_id: str) -> "DutyStatuses":
        """Only the duties of one obligation (by its rule id)."""
        return DutyStatuses(r for r in self.rows if r.rule == rule_id)

    def where(self, *, subject_kind: str | None = None, status: DutyStatus | Iterable[DutyStatus] | None = None) -> "DutyStatuses":
        """Only the duties of subjects of ``subject_kind`` and/or with the given status(es)."""
        wanted = {status} if isinstance(status, DutyStatus) else (set(status) if status is not None else None)
        return DutyStatuses(r for r in self.rows
                            if (subject_kind is None or r.duty.subject_kind == subject_kind) and (wanted is None or r.status in wanted))

    def subjects(self) -> list[tuple[str, str]]:
        """``(subject_id, subject as shown)`` of every subject, in the order the obligations yielded them."""
        seen: dict[str, str] = {}
        for r in self.rows:
            seen.setdefault(self.key(r), r.duty.subject)
        return list(seen.items())

    def periods(self) -> list[Period]:
        """Every period the duties belong to, earliest first (per-record duties have none)."""
        return sorted({r.duty.period for r in self.rows if r.duty.period is not None}, key=lambda p: (p.start, p.end))

    def at(self, subject_id: str, period: Period | str | None) -> list[DutyRow]:
        """The duties of one subject in one period (``None``: its per-record duties)."""
        wanted = Period.parse(period) if isinstance(period, str) else period
        return [r for r in self.rows if self.key(r) == subject_id and r.duty.period == wanted]

    def status(self, subject_id: str, period: Period | str | None) -> DutyStatus | None:
        """The worst status of a subject's duties in a period (overdue before at risk before due
        before met late before met); None when it owes nothing then."""
        found = self.at(subject_id, period)
        return worst(r.status for r in found) if found else None

    def matrix(self) -> dict[tuple[str, Period], DutyStatus]:
        """``(subject_id, period)`` → worst status, for every periodic duty."""
        cells: dict[tuple[str, Period], DutyStatus] = {}
        for r in self.rows:
            if r.duty.period is None:
                continue
            key = (self.key(r), r.duty.period)
            cells[key] = worst((cells[key], r.status)) if key in cells else r.status
        return cells

    def per_record(self) -> "DutyStatuses":
        """The per-record duties (限期事项: a problem's rectification date, an agreement's time limit)."""
        return DutyStatuses(r for r in self.rows if r.duty.period is None)

    def open(self) -> "DutyStatuses":
        """The duties not met yet, overdue first (most days first), then by due date."""
        rows = [r for r in self.rows if r.status in OPEN]
        rows.sort(key=lambda r: (_RANK[r.status], -r.overdue_days, r.duty.due))
        return DutyStatuses(rows)

    def counts(self) -> dict[DutyStatus, int]:
        """How many duties have each status."""
        counts = {s: 0 for s in SEVERITY_ORDER}
        for r in self.rows:
            counts[r.status] += 1
        return counts

    def in_period(self, period: Period) -> "DutyStatuses":
        """The duties that are ``period``'s (a per-record duty: when its due date falls in it)."""
        return DutyStatuses(r for r in self.rows if r.duty.belongs_to(period))


def worst(statuses: Iterable[DutyStatus]) -> DutyStatus:
    """The most urgent of some statuses (see :data:`SEVERITY_ORDER`)."""
    return min(statuses, key=_RANK.__getitem__)
