from datetime import date

import pytest

from coordtui.domain.calendar import WorkCalendar, parse_holiday_file
from coordtui.errors import InputError


def test_news_deadline_example_from_domain():
    # An activity ending Wed 2026-09-30: Oct 1-7 are holidays, Oct 8 and 9 count, Oct 10 is an adjusted workday.
    d = WorkCalendar().add_working_days(date(2026, 9, 30), 3)
    assert d.date == date(2026, 10, 10) and not d.provisional


def test_weekday_counting_would_be_wrong_here():
    # Counting Monday-Friday would give 2026-10-05, a holiday: the calendar must not.
    assert WorkCalendar().add_working_days(date(2026, 9, 30), 3).date != date(2026, 10, 5)


def test_adjusted_workday_and_holiday_info():
    cal = WorkCalendar()
    sat = cal.info(date(2026, 10, 10))
    assert sat.workday and sat.adjusted and sat.holiday == "National Day"
    assert not cal.is_workday(date(2026, 10, 5))
    assert cal.holiday_start(2026, "国庆") == date(2026, 10, 1)
    assert cal.holiday_start(2026, "Spring Festival") == date(2026, 2, 15)


def test_year_the_package_lacks_falls_back_to_weekdays_and_is_provisional():
    cal = WorkCalendar()
    assert not cal.is_official(2031)
    d = cal.add_working_days(date(2031, 9, 30), 3)  # Tue -> Wed, Thu, Fri
    assert d.date == date(2031, 10, 3) and d.provisional


def test_user_file_supplies_a_missing_year(tmp_path):
    f = tmp_path / "holidays.txt"
    f.write_text("# 2031 official days\n2031-10-01 holiday 国庆节\n2031-10-02 holiday 国庆节\n2031-10-04 workday 国庆节\n", encoding="utf-8")
    cal = WorkCalendar.from_file(f)
    assert cal.is_official(2031)
    d = cal.add_working_days(date(2031, 9, 30), 3)  # Oct 1, 2 off; Oct 3 (Fri), Oct 4 (Sat, adjusted), Oct 6 (Mon)
    assert d.date == date(2031, 10, 6) and not d.provisional
    assert cal.holiday_start(2031, "National Day") == date(2031, 10, 1)


def test_bad_user_file_names_the_line(tmp_path):
    f = tmp_path / "holidays.txt"
    f.write_text("2031-10-01 holiday\n2031-13-01 holiday\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: '2031-13-01' is not a date"):
        parse_holiday_file(f)
