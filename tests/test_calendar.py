from datetime import date, timedelta

import pytest

from coordtui.domain.calendar import Deadline, WorkCalendar, parse_holiday_file, statutory_holidays
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


def test_year_the_package_lacks_counts_weekdays_near_a_holiday_as_provisional():
    cal = WorkCalendar()
    assert not cal.is_official(2031)
    d = cal.add_working_days(date(2031, 9, 25), 3)  # Thu -> Fri, Mon, Tue: 中秋 (Oct 1) and 国庆 are still ahead
    assert d.date == date(2031, 9, 30) and d.provisional
    far = cal.add_working_days(date(2031, 3, 3), 3)  # no holiday's notice reaches early March
    assert far.date == date(2031, 3, 6) and not far.provisional


def test_statutory_holidays_are_computed_for_any_year():
    # The regulations as revised in 2024, checked against the years the package knows.
    got = statutory_holidays(2026)
    assert got["Spring Festival"] == tuple(date(2026, 2, d) for d in (16, 17, 18, 19))  # 除夕 is 2026-02-16
    assert got["Tomb-sweeping Day"] == (date(2026, 4, 5),)
    assert got["Dragon Boat Festival"] == (date(2026, 6, 19),) and got["Mid-autumn Festival"] == (date(2026, 9, 25),)
    cal = WorkCalendar()
    for year in (2025, 2026):
        for name, days in statutory_holidays(year).items():
            for day in days:
                info = cal.info(day)
                assert not info.workday and info.holiday == name, (day, name)


def test_2027_spring_festival_is_computed_and_provisional():
    cal = WorkCalendar()
    span = cal.holiday_span(2027, "春节")
    assert (span.first, span.last, span.provisional) == (date(2027, 2, 5), date(2027, 2, 8), True)
    assert not cal.is_workday(date(2027, 2, 8)) and cal.info(date(2027, 2, 8)).provisional  # a Monday, 初三
    assert cal.holiday_span(2027, "国庆").first == date(2027, 10, 1)
    assert cal.holiday_span(2027, "中秋").first == date(2027, 9, 15)


def test_a_partial_file_confirms_only_the_holidays_it_names(tmp_path):
    f = tmp_path / "holidays.txt"
    f.write_text("2027-01-01 holiday 元旦\n", encoding="utf-8")
    cal = WorkCalendar.from_file(f)
    assert not cal.is_official(2027) and "Spring Festival" in cal.unconfirmed(2027) and "New Year's Day" not in cal.unconfirmed(2027)
    new_year = cal.add_working_days(date(2026, 12, 31), 1)  # Jan 1 off as the file says; Mon Jan 4
    assert new_year.date == date(2027, 1, 4) and not new_year.provisional
    spring = cal.add_working_days(date(2027, 2, 4), 2)  # Feb 5-8 still off (computed), Feb 9 and 10 count
    assert spring.date == date(2027, 2, 10) and spring.provisional
    assert not cal.is_workday(date(2027, 2, 8))


def test_a_file_naming_two_holidays_or_none_confirms_them(tmp_path):
    f = tmp_path / "holidays.txt"
    f.write_text("2031-10-01 holiday 国庆节、中秋节\n2031-10-02 holiday\n2031-10-03 holiday 国庆\n2031-10-11 workday 国庆\n", encoding="utf-8")
    cal = WorkCalendar.from_file(f)
    assert "National Day" not in cal.unconfirmed(2031) and "Mid-autumn Festival" not in cal.unconfirmed(2031)
    assert cal.info(date(2031, 10, 1)).holiday == "National Day"
    d = cal.add_working_days(date(2031, 9, 30), 3)  # Oct 1-3 off, weekend; Mon 6, Tue 7, Wed 8
    assert d.date == date(2031, 10, 8) and not d.provisional
    assert cal.holiday_start(2031, "National Day") == date(2031, 10, 1)


def test_user_file_supplies_a_missing_year(tmp_path):
    f = tmp_path / "holidays.txt"
    by_day: dict = {}
    for name, ds in statutory_holidays(2031).items():  # 中秋 2031 falls on 1 October: one line names both
        for d in ds:
            by_day.setdefault(d, []).append(name)
    days = "\n".join(f"{d} holiday {'、'.join(ns)}" for d, ns in sorted(by_day.items()))
    f.write_text(f"# 2031 official days\n{days}\n2031-10-04 workday 国庆节\n", encoding="utf-8")
    cal = WorkCalendar.from_file(f)
    assert cal.is_official(2031)
    d = cal.add_working_days(date(2031, 9, 30), 3)  # Oct 1-3 off; Oct 4 (Sat, adjusted), Oct 6 (Mon), Oct 7
    assert d.date == date(2031, 10, 7) and not d.provisional


def test_bad_user_file_names_the_line(tmp_path):
    f = tmp_path / "holidays.txt"
    f.write_text("2031-10-01 holiday\n2031-13-01 holiday\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: '2031-13-01' is not a date"):
        parse_holiday_file(f)


def test_next_years_new_year_reaches_back_into_december():
    cal = WorkCalendar()
    assert cal.info(date(2027, 12, 27)).provisional  # 2028's 元旦 notice may make late December 2027 days off or workdays
    assert not cal.info(date(2027, 11, 24)).provisional


def test_add_months_keeps_the_day_and_clamps_to_the_end_of_a_shorter_month():
    cal = WorkCalendar()
    assert cal.add_months(date(2026, 1, 31), 1).date == date(2026, 2, 28)
    assert cal.add_months(date(2028, 1, 31), 1).date == date(2028, 2, 29)  # a leap year
    assert cal.add_months(date(2026, 8, 15), 2).date == date(2026, 10, 15)
    assert cal.add_months(date(2026, 11, 30), 3).date == date(2027, 2, 28)  # over the year's end
    assert cal.add_months(date(2026, 3, 31), -1).date == date(2026, 2, 28)
    assert not cal.add_months(date(2031, 9, 1), 1).provisional  # calendar months need no notice


def test_roll_to_working_day_moves_a_holiday_to_the_next_working_day_and_keeps_a_working_day():
    cal = WorkCalendar()
    assert cal.roll_to_working_day(date(2026, 10, 1)).date == date(2026, 10, 8)  # 国庆: Oct 1-7 off
    assert cal.roll_to_working_day(date(2026, 10, 10)).date == date(2026, 10, 10)  # an adjusted workday (Saturday)
    assert cal.roll_to_working_day(date(2026, 10, 9)).date == date(2026, 10, 9)
    assert cal.roll_to_working_day(date(2026, 3, 7)).date == date(2026, 3, 9)  # a plain weekend


def test_months_then_rolling_propagates_the_provisional_mark():
    cal = WorkCalendar()
    # "within two months of feedback, the next working day if that is a holiday": 2031 is not official yet.
    rolled = cal.roll_to_working_day(cal.add_months(date(2031, 8, 1), 2))
    assert rolled.date == date(2031, 10, 6) and rolled.provisional  # 国庆 computed Oct 1-3, then a weekend
    official = cal.roll_to_working_day(cal.add_months(date(2026, 8, 1), 2))
    assert official.date == date(2026, 10, 8) and not official.provisional
    # A deadline already provisional stays so, through months and through a day that needs no rolling.
    assert cal.roll_to_working_day(Deadline(date(2026, 3, 9), True)) == Deadline(date(2026, 3, 9), True)
    assert cal.add_months(Deadline(date(2026, 3, 9), True), 1) == Deadline(date(2026, 4, 9), True)


def test_a_deadline_asked_again_is_the_one_counted_the_first_time():
    """add_working_days keeps its answers per calendar: asked again, in any order, each is what a
    fresh calendar counts (over holidays, adjusted workdays and a provisional year alike)."""
    from datetime import timedelta

    asked = [(date(2026, 9, 25) + timedelta(days=k), n) for k in range(0, 400, 7) for n in (0, 1, 3, 10, 20)]
    kept = WorkCalendar()
    first = [kept.add_working_days(start, n) for start, n in asked]
    again = [kept.add_working_days(start, n) for start, n in reversed(asked)][::-1]
    fresh = [WorkCalendar().add_working_days(start, n) for start, n in asked]
    assert first == again == fresh
    assert any(d.provisional for d in fresh) and not all(d.provisional for d in fresh)


def test_every_day_the_package_knows_reads_as_its_own_functions_say():
    """The calendar reads the package's tables itself (not through its functions, which check
    the year against the whole table on every call): every day of every year it covers is the
    workday or day off, and bears the holiday's name, that its functions give."""
    import chinese_calendar

    from coordtui.domain.calendar import _package_covers

    years = [y for y in range(2000, 2040) if _package_covers(y)]
    assert len(years) >= 20
    cal = WorkCalendar()
    day = date(years[0], 1, 1)
    while day.year <= years[-1]:
        info = cal.info(day)
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
        assert (info.workday, info.holiday, info.adjusted, info.provisional) == (
            workday, name, workday and day.weekday() >= 5, False), day
        day += timedelta(days=1)
