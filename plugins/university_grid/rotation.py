"""Leader-unit rotation (组长单位轮值): generate a schedule, check a recorded one."""

from __future__ import annotations

from datetime import date, timedelta

from university_grid.kinds import LeaderTerm, Unit


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def term_end(start: date, months: int) -> date:
    return add_months(date(start.year, start.month, 1), months) - timedelta(days=1)


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
    """``count`` consecutive terms of ``months`` from ``start``, each member in turn.

    Continues the rotation from ``history`` (the recorded terms) so that a unit leads
    again only after every member has led.
    """
    if not members:
        return []
    members = sorted(members, key=lambda u: (u.order, u.id))
    terms: list[LeaderTerm] = list(history)
    result: list[LeaderTerm] = []
    day = date(start.year, start.month, 1)
    for _ in range(count):
        unit = members[next_in_turn(members, terms)]
        term = LeaderTerm(
            id=f"{group_id}-{day:%Y%m}", group=group_id, unit=unit.id, start=day, end=term_end(day, months)
        )
        terms.append(term)
        result.append(term)
        day = add_months(day, months)
    return result
