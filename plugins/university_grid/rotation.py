"""Leader-unit rotation (组长单位轮值): generate a schedule, check a recorded one."""

from __future__ import annotations

from datetime import date, timedelta

from university_grid.kinds import LeaderTerm, Unit


def months_later(day: date, months: int) -> date:
    """The same date ``months`` later (2026-01-15 → 2026-04-15). A date the month lacks rolls to
    the first of the next month (2025-11-30 + 3 → 2026-03-01): the term before it then ends on
    the month's last day, so no day is lost or doubled between two terms."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    try:
        return date(year, month, day.day)
    except ValueError:  # 29-31 in a shorter month
        return date(year + month // 12, month % 12 + 1, 1)


def term_end(start: date, months: int) -> date:
    """The last day of a term of ``months`` that starts on ``start`` (任期), whatever the day:
    2026-01-15 → 2026-04-14, 2026-01-01 → 2026-03-31, 2025-12-01 → 2026-02-28."""
    return months_later(start, months) - timedelta(days=1)


def next_in_turn(members: list[Unit], history: list[LeaderTerm]) -> int:
    """Index in ``members`` of the unit whose turn comes next, given the recorded terms.

    Units that have not led since the last full round come first, in group order.
    """
    order = [u.id for u in members]
    led: set[str] = set()
    for term in sorted(history, key=lambda t: t.start):
        if term.unit not in order:
            continue
        if led >= set(order):
            led = set()
        led.add(term.unit)
    if led >= set(order):
        led = set()
    last = max(history, key=lambda t: t.start).unit if history else None
    start = (order.index(last) + 1) if last in order else 0
    for step in range(len(order)):
        candidate = (start + step) % len(order)
        if order[candidate] not in led:
            return candidate
    return start % len(order)


def rotation_schedule(
    group_id: str, members: list[Unit], start: date, count: int, *, months: int = 3, history: list[LeaderTerm] = ()
) -> list[LeaderTerm]:
    """``count`` consecutive terms of ``months`` from ``start`` (any day), each member in turn.

    Continues the rotation from ``history`` (the recorded terms) so that a unit leads
    again only after every member has led.
    """
    if not members:
        return []
    members = sorted(members, key=lambda u: (u.order, u.id))
    terms: list[LeaderTerm] = list(history)
    result: list[LeaderTerm] = []
    day = start
    for _ in range(count):
        unit = members[next_in_turn(members, terms)]
        term = LeaderTerm(
            id=f"{group_id}-{day:%Y%m}" if day.day == 1 else f"{group_id}-{day:%Y%m%d}", group=group_id, unit=unit.id, start=day, end=term_end(day, months)
        )
        terms.append(term)
        result.append(term)
        day = term.end + timedelta(days=1)
    return result


def fill_year(group_id: str, members: list[Unit], history: list[LeaderTerm], year: int, *, months: int = 3) -> list[LeaderTerm]:
    """Terms proposed for the days of ``year`` that no recorded term covers, each going on from
    where the term before it ends (terms may start on any day) and continuing the turn.

    A proposal that would run into a later recorded term is not made: the gap stays, for the
    rotation check to show, rather than a term cut short or an overlap."""
    history = list(history)
    proposal: list[LeaderTerm] = []
    day = date(year, 1, 1)
    while day.year == year:
        current = next((t for t in history if t.start <= day <= t.end), None)
        if current is not None:
            day = current.end + timedelta(days=1)
            continue
        earlier = [t for t in history if t.start < day]
        (term,) = rotation_schedule(group_id, members, day, 1, months=months, history=earlier)
        later = [t.start for t in history if t.start > day]
        if later and min(later) <= term.end:
            day = min(later)
            continue
        proposal.append(term)
        history.append(term)
        day = term.end + timedelta(days=1)
    return proposal
