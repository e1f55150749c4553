from datetime import date

from university_grid.kinds import LeaderTerm, Unit
from university_grid.rotation import rotation_schedule


def units(n):
    return [Unit(id=f"u{i}", name=f"单位{i}", unit_type="纪委", group="g1", order=i) for i in range(1, n + 1)]


def test_a_year_of_three_month_terms_in_turn():
    terms = rotation_schedule("g1", units(5), date(2026, 1, 1), 4)
    assert [(t.unit, t.start.isoformat(), t.end.isoformat()) for t in terms] == [
        ("u1", "2026-01-01", "2026-03-31"), ("u2", "2026-04-01", "2026-06-30"),
        ("u3", "2026-07-01", "2026-09-30"), ("u4", "2026-10-01", "2026-12-31"),
    ]


def test_continues_from_recorded_history_and_starts_a_new_round_only_when_all_led():
    history = rotation_schedule("g1", units(5), date(2026, 1, 1), 4)
    nxt = rotation_schedule("g1", units(5), date(2027, 1, 1), 3, history=history)
    assert [t.unit for t in nxt] == ["u5", "u1", "u2"]


def test_skipped_unit_gets_its_turn_first():
    history = [LeaderTerm(id="x", group="g1", unit="u2", start=date(2026, 1, 1), end=date(2026, 3, 31))]
    assert [t.unit for t in rotation_schedule("g1", units(3), date(2026, 4, 1), 2, history=history)] == ["u3", "u1"]
