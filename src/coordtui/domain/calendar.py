"""China's official working-day calendar (工作日历).

Working days, public holidays and adjusted workdays (调休) come from the
``chinese-calendar`` package, whose data ends at the last year the State Council
has published. For a later year the statutory holidays are computed from the
State Council's holiday regulations (《全国年节及纪念日放假办法》, as revised in 2024):
元旦 1 day, 春节 除夕 to 初三 (4 days, by the lunar calendar), 清明 the day of the solar
term, 劳动节 May 1-2, 端午 lunar 5/5, 中秋 lunar 8/15, 国庆 October 1-3. Only the year's
notice (放假通知) says how a holiday is extended and which weekends become adjusted
workdays, so until the user writes a holiday's official days into a plain file (see
:func:`parse_holiday_file`) the days a notice could change are *provisional*: the
holiday's own days and every day within :data:`NOTICE_REACH` days of them (where, since
2010, every notice put its bridging days off and its adjusted workdays; the farthest was
9 days after, 2024-05-11 for 劳动节). Coverage is judged per holiday: a holiday the file
names is official as the file says; the others stay computed and provisional.
"""

from __future__ import annotations

import calendar as calendar_module
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

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
_ZH_TO_EN.update({"春节": "Spring Festival", "中秋": "Mid-autumn Festival", "国庆": "National Day", "中秋节": "Mid-autumn Festival",
                  "清明": "Tomb-sweeping Day", "端午": "Dragon Boat Festival", "劳动": "Labour Day", "五一": "Labour Day"})

#: Days either side of a statutory holiday that its notice may still change (bridging days
#: off, weekends made adjusted workdays): until the notice is known they are provisional.
NOTICE_REACH = 10


def _lunar(year: int, month: int, day: int) -> date:
    from lunardate import LunarDate

    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> date:
    """The day of the 清明 solar term (chinese-calendar computes solar terms for 1900-2100)."""
    import chinese_calendar

    ((day, _name),) = [t for t in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)) if t[1] == "清明"]
    return day


@lru_cache(maxsize=None)
def statutory_holidays(year: int) -> dict[str, tuple[date, ...]]:
    """The statutory holidays (法定节假日) of ``year`` by the regulations as revised in 2024,
    English name -> its days; empty for a year outside the lunar tables (1900-2099)."""
    try:
        new_year = _lunar(year, 1, 1)
        days = {
            "New Year's Day": (date(year, 1, 1),),
            "Spring Festival": tuple(new_year + timedelta(days=k) for k in range(-1, 3)),  # 除夕 to 初三
            "Tomb-sweeping Day": (_qingming(year),),
            "Labour Day": (date(year, 5, 1), date(year, 5, 2)),
            "Dragon Boat Festival": (_lunar(year, 5, 5),),
            "Mid-autumn Festival": (_lunar(year, 8, 15),),
            "National Day": (date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)),
        }
    except (ValueError, NotImplementedError):  # (lunardate's and chinese-calendar's, for a year outside their tables)
        return {}
    return days


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
    #: every holiday a line names (``国庆节、中秋节`` names two), English; the day shows the first
    names: dict[date, tuple[str, ...]] = field(default_factory=dict)

    @property
    def years(self) -> set[int]:
        return {d.year for d in self.holidays} | {d.year for d in self.workdays}


def parse_holiday_file(path: Path) -> UserDays:
    """Read a holidays file: one day per line, ``YYYY-MM-DD holiday|workday [name]``.

    ``#`` starts a comment. The name says which holiday's notice the line copies; a holiday
    named anywhere in a year counts as officially known for that year, as the file says (a
    line may name two, ``国庆节、中秋节``; a nameless line belongs to the nearest holiday).
    Example::

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
        raw_names = parts[2].strip() if len(parts) > 2 else ""
        names = tuple(_ZH_TO_EN.get(n.strip(), n.strip()) for n in re.split(r"[、,，/]", raw_names) if n.strip())
        (days.holidays if parts[1] == "holiday" else days.workdays)[day] = names[0] if names else ""
        days.names[day] = names
    return days


@lru_cache(maxsize=None)
def _package_covers(year: int) -> bool:
    """True for the years whose official days the installed chinese-calendar knows."""
    from chinese_calendar import constants

    known = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return min(known) <= year <= max(known)


@dataclass(frozen=True)
class HolidaySpan:
    """The days of one holiday in one year; ``provisional`` while its notice is not known."""

    name: str  # English
    first: date
    last: date
    provisional: bool


def _unpack(day: date | Deadline) -> tuple[date, bool]:
    if isinstance(day, Deadline):
        return day.date, day.provisional
    return day, False


class WorkCalendar:
    """Working days by China's official calendar; computed holidays and a user file for later years."""

    def __init__(self, user_days: UserDays | None = None) -> None:
        self.user_days = user_days or UserDays()
        self._user_years = self.user_days.years
        # chinese-calendar scans all its holidays on every call; a day's answer never changes.
        self._days: dict[date, DayInfo] = {}
        #: (start, n) -> add_working_days' answer: fixed, as the days it counts over are (a check
        #: asks for the same few deadlines of every organization, thousands of times).
        self._after: dict[tuple[date, int], Deadline] = {}
        self._starts: dict[tuple[int, str], date | None] = {}
        self._years: dict[int, tuple[dict[date, str], dict[date, set[str]], set[str]]] = {}

    @classmethod
    def from_file(cls, path: Path | None) -> "WorkCalendar":
        if path is None or not Path(path).exists():
            return cls()
        return cls(parse_holiday_file(path))

    def is_official(self, year: int) -> bool:
        """True when every holiday of ``year`` is known, from the package or the user file."""
        return _package_covers(year) or (year in self._user_years and not self.unconfirmed(year))

    def unconfirmed(self, year: int) -> list[str]:
        """The holidays of ``year`` (English names) whose official days are not known yet."""
        if _package_covers(year):
            return []
        _computed, _reach, confirmed = self._year(year)
        return sorted(set(statutory_holidays(year)) - confirmed)

    def _year(self, year: int) -> tuple[dict[date, str], dict[date, set[str]], set[str]]:
        """For a year the package lacks: the computed days of its unconfirmed holidays (day -> name),
        the days each unconfirmed holiday's notice could change (day -> names), and the holidays
        the user file confirms."""
        known = self._years.get(year)
        if known is not None:
            return known
        statutory = statutory_holidays(year)
        confirmed: set[str] = set()
        for day in [*self.user_days.holidays, *self.user_days.workdays]:
            if day.year != year:
                continue
            names = self.user_days.names.get(day) or ()
            if not names:  # a nameless line belongs to the holiday it lies nearest to, within reach
                near = [(min(abs((day - d).days) for d in ds), n) for n, ds in statutory.items()]
                near = [x for x in near if x[0] <= NOTICE_REACH]
                names = (min(near)[1],) if near else ()
            confirmed.update(n for n in names if n in statutory)
        computed: dict[date, str] = {}
        reach: dict[date, set[str]] = {}
        for name, days in statutory.items():
            if name in confirmed:
                continue
            for day in days:
                computed[day] = name
            step = days[0] - timedelta(days=NOTICE_REACH)
            while step <= days[-1] + timedelta(days=NOTICE_REACH):
                reach.setdefault(step, set()).add(name)
                step += timedelta(days=1)
        known = self._years[year] = (computed, reach, confirmed)
        return known

    def info(self, day: date) -> DayInfo:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._info(day)
        return found

    def _info(self, day: date) -> DayInfo:
        if _package_covers(day.year):
            # The package's own tables (its public holidays and workdays), read as its
            # get_holiday_detail and is_workday read them: each of those first checks the year by
            # the first and last day of its whole table (a check asks for 1,600 days per process).
            # (Imported when first asked: the application's first frame needs none.)
            from chinese_calendar import holidays, workdays

            if day in workdays:
                return DayInfo(day, True, workdays[day], day.weekday() >= 5, False)
            if day in holidays:
                return DayInfo(day, False, holidays[day], False, False)
            return DayInfo(day, day.weekday() < 5, None, False, False)
        # What the user file says is official, day by day.
        if day in self.user_days.holidays:
            return DayInfo(day, False, self.user_days.holidays[day] or None, False, False)
        if day in self.user_days.workdays:
            return DayInfo(day, True, self.user_days.workdays[day] or None, day.weekday() >= 5, False)
        if not statutory_holidays(day.year):  # beyond the lunar tables: Monday to Friday, unless the file covers the year
            return DayInfo(day, day.weekday() < 5, None, False, day.year not in self._user_years)
        computed, reach, _confirmed = self._year(day.year)
        if day in computed:
            return DayInfo(day, False, computed[day], False, True)
        # An ordinary day, unless an unconfirmed holiday's notice reaches it (next year's 元旦 reaches into December).
        following = day.month == 12 and not _package_covers(day.year + 1) and day in self._year(day.year + 1)[1]
        return DayInfo(day, day.weekday() < 5, None, False, day in reach or following)

    def holiday_span(self, year: int, name: str) -> HolidaySpan | None:
        """The named holiday (English or Chinese name) in ``year``: its first and last day off,
        and whether they are provisional (computed, its notice not yet known); None if unknown."""
        first = self.holiday_start(year, name)
        if first is None:
            return None
        wanted = _ZH_TO_EN.get(name, name)
        last = first
        while not self.is_workday(last + timedelta(days=1)) and self.info(last + timedelta(days=1)).holiday == wanted:
            last += timedelta(days=1)
        provisional = self.info(first).provisional or self.info(last).provisional
        return HolidaySpan(wanted, first, last, provisional)

    def is_workday(self, day: date) -> bool:
        return self.info(day).workday

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The ``n``-th working day strictly after ``start`` ("within n working days after")."""
        if n < 0:
            raise ValueError("n must not be negative")
        key = (start, n)
        found = self._after.get(key)
        if found is not None:
            return found
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            info = self.info(day)
            provisional = provisional or info.provisional
            if info.workday:
                counted += 1
        found = self._after[key] = Deadline(day, provisional)
        return found

    def add_days(self, start: date, n: int) -> Deadline:
        """``n`` calendar days after ``start``."""
        return Deadline(start + timedelta(days=n), False)

    def add_months(self, start: date | Deadline, n: int) -> Deadline:
        """The same day ``n`` calendar months after ``start`` ("within two months of feedback");
        a day the month lacks is its last (Jan 31 + 1 month is Feb 28, Feb 29 in a leap year).
        ``n`` may be negative. A :class:`Deadline` passed in keeps its provisional mark."""
        day, provisional = _unpack(start)
        months = day.year * 12 + day.month - 1 + n
        year, month = divmod(months, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise ValueError(f"{n} months from {day.isoformat()} is outside the calendar")
        last = calendar_module.monthrange(year, month)[1]
        return Deadline(date(year, month, min(day.day, last)), provisional)

    def roll_to_working_day(self, day: date | Deadline) -> Deadline:
        """``day`` itself if it is a working day, else the next working day ("if the day is a
        holiday, the next working day": 遇节假日顺延). Provisional when a day it looked at is not
        officially known yet (or a :class:`Deadline` passed in already was)."""
        day, provisional = _unpack(day)
        info = self.info(day)
        provisional = provisional or info.provisional
        while not info.workday:
            day += timedelta(days=1)
            info = self.info(day)
            provisional = provisional or info.provisional
        return Deadline(day, provisional)

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
        so holiday-node checks follow the real dates; for a year whose notice is not known yet
        they are computed from the regulations (see :meth:`holiday_span` for the provisional mark).
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
