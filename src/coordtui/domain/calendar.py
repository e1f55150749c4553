"""China's official working-day calendar (工作日历).

Working days, public holidays and adjusted workdays (调休) come from the
``chinese-calendar`` package, whose data ends at the last year the State Council
has published. For a later year the calendar falls back to Monday-Friday and marks
every result computed that way as *provisional*, unless the user supplies the
year's official days in a plain file (see :func:`parse_holiday_file`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from coordtui.errors import InputError

#: chinese-calendar's English holiday names, mapped to the names cadres use.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
_ZH_TO_EN = {v: k for k, v in HOLIDAY_NAMES_ZH.items()}
_ZH_TO_EN.update({"春节": "Spring Festival", "中秋": "Mid-autumn Festival", "国庆": "National Day", "中秋节": "Mid-autumn Festival"})


@dataclass(frozen=True)
class Deadline:
    """A computed due date; ``provisional`` when a day it counted over is not officially known."""

    date: date
    provisional: bool = False


@dataclass(frozen=True)
class DayInfo:
    day: date
    workday: bool
    holiday: str | None  # English holiday name, when the day is a holiday or an adjusted workday for one
    adjusted: bool  # a weekend day that is an official workday (调休上班)
    provisional: bool


@dataclass
class UserDays:
    """Official days a user supplied for years the package does not cover."""

    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)

    @property
    def years(self) -> set[int]:
        return {d.year for d in self.holidays} | {d.year for d in self.workdays}


def parse_holiday_file(path: Path) -> UserDays:
    """Read a holidays file: one day per line, ``YYYY-MM-DD holiday|workday [name]``.

    ``#`` starts a comment. Example::

        2027-01-01 holiday 元旦
        2027-02-07 workday 春节
    """
    days = UserDays()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the holidays file ({exc.strerror}): check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the holidays file is not UTF-8 text: save it as UTF-8") from None
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 2 or parts[1] not in ("holiday", "workday"):
            raise InputError(f"{path}: line {number}: write 'YYYY-MM-DD holiday|workday [name]', not '{raw.strip()}'")
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise InputError(f"{path}: line {number}: '{parts[0]}' is not a date (YYYY-MM-DD)") from None
        name = parts[2].strip() if len(parts) > 2 else ""
        name = _ZH_TO_EN.get(name, name)
        (days.holidays if parts[1] == "holiday" else days.workdays)[day] = name
    return days


@lru_cache(maxsize=None)
def _package_covers(year: int) -> bool:
    """True for the years whose official days the installed chinese-calendar knows."""
    from chinese_calendar import constants

    known = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return min(known) <= year <= max(known)


class WorkCalendar:
    """Working days by China's official calendar, with a user file for uncovered years."""

    def __init__(self, user_days: UserDays | None = None) -> None:
        self.user_days = user_days or UserDays()
        self._user_years = self.user_days.years
        # chinese-calendar scans all its holidays on every call; a day's answer never changes.
        self._days: dict[date, DayInfo] = {}
        self._starts: dict[tuple[int, str], date | None] = {}

    @classmethod
    def from_file(cls, path: Path | None) -> "WorkCalendar":
        if path is None or not Path(path).exists():
            return cls()
        return cls(parse_holiday_file(path))

    def is_official(self, year: int) -> bool:
        """True when ``year``'s days are known from the package or the user file."""
        return _package_covers(year) or year in self._user_years

    def info(self, day: date) -> DayInfo:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._info(day)
        return found

    def _info(self, day: date) -> DayInfo:
        if _package_covers(day.year):
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            workday = chinese_calendar.is_workday(day)
            return DayInfo(day, workday, name, workday and day.weekday() >= 5, False)
        if day in self.user_days.holidays:
            return DayInfo(day, False, self.user_days.holidays[day] or None, False, False)
        if day in self.user_days.workdays:
            return DayInfo(day, True, self.user_days.workdays[day] or None, day.weekday() >= 5, False)
        provisional = day.year not in self._user_years
        return DayInfo(day, day.weekday() < 5, None, False, provisional)

    def is_workday(self, day: date) -> bool:
        return self.info(day).workday

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The ``n``-th working day strictly after ``start`` ("within n working days after")."""
        if n < 0:
            raise ValueError("n must not be negative")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            info = self.info(day)
            provisional = provisional or info.provisional
            if info.workday:
                counted += 1
        return Deadline(day, provisional)

    def add_days(self, start: date, n: int) -> Deadline:
        """``n`` calendar days after ``start``."""
        return Deadline(start + timedelta(days=n), False)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open range (start, end]."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.info(day).workday
        return count

    def holiday_start(self, year: int, name: str) -> date | None:
        """The first day of the named holiday (English or Chinese name) in ``year``, or None if unknown.

        Spring Festival, Mid-autumn Festival and National Day come from the official calendar,
        so holiday-node checks follow the real dates rather than a guess.
        """
        wanted = _ZH_TO_EN.get(name, name)
        if (year, wanted) not in self._starts:
            self._starts[(year, wanted)] = None
            day, end = date(year, 1, 1), date(year, 12, 31)
            while day <= end:
                info = self.info(day)
                if not info.workday and info.holiday == wanted:
                    self._starts[(year, wanted)] = day
                    break
                day += timedelta(days=1)
        return self._starts[(year, wanted)]
