from datetime import date

import pytest

from coordtui.domain.periods import Period, PeriodKind, parse_date
from coordtui.errors import InputError


@pytest.mark.parametrize("text,start,end", [
    ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_parse_bounds_and_roundtrip(text, start, end):
    p = Period.parse(text)
    assert (p.start, p.end) == (start, end)
    assert str(p) == text


@pytest.mark.parametrize("bad", ["2026Q5", "2026-13", "26Q1", "2026H3", "", "Q1 2026", "2026-00"])
def test_parse_rejects(bad):
    with pytest.raises(InputError):
        Period.parse(bad)


def test_containing_next_previous_and_labels():
    q = Period.containing(date(2026, 5, 17), PeriodKind.QUARTER)
    assert str(q) == "2026Q2"
    assert str(q.next()) == "2026Q3" and str(Period.parse("2026Q4").next()) == "2027Q1"
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert [str(m) for m in q.months()] == ["2026-04", "2026-05", "2026-06"]
    assert [str(x) for x in Period.parse("2026").sub("quarter")] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert q.label("zh") == "2026年第二季度" and q.label("en") == "Q2 2026"
    assert date(2026, 6, 30) in q and date(2026, 7, 1) not in q


def test_parse_date_error_is_one_clear_line():
    with pytest.raises(InputError) as err:
        parse_date("2026-02-30", what="--as-of")
    assert "--as-of '2026-02-30' is not a valid date" in str(err.value) and "\n" not in str(err.value)
