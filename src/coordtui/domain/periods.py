"""Reporting periods (期间): month ``2026-03``, quarter ``2026Q1``, half ``2026H1``, year ``2026``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from enum import Enum

from coordtui.errors import InputError, ValueInputError


class PeriodKind(str, Enum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    #: How many months a period of this kind spans (set on each member below: a plain attribute,
    #: read without a call, where rules read it some 100,000 times a check).
    months: int


class _once:
    """A value computed on first read and kept in the instance's ``__dict__`` (later reads find
    it there, without calling anything): ``functools.cached_property`` without the lock that
    Python 3.11 takes on every first read (a check reads a new period's bounds some 100,000
    times). Unlocked is safe here: the value depends only on the frozen fields, so two threads
    computing it at once store the same."""

    def __init__(self, func):  # noqa: ANN001
        self.func, self.name, self.__doc__ = func, func.__name__, func.__doc__

    def __set_name__(self, owner, name: str) -> None:  # noqa: ANN001
        self.name = name

    def __get__(self, obj, owner=None):  # noqa: ANN001, ANN204
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
for _kind in PeriodKind:
    _kind.months = _MONTHS[_kind.value]
del _kind
_KIND_ZH = {"month": "月份", "quarter": "季度", "half": "半年", "year": "年度"}


_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})[Hh]([12])$"), PeriodKind.HALF),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
]


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period. Quarters are calendar-based: Q1 is January to March.

    ``index`` is the month (1-12), quarter (1-4), half (1-2), or 1 for a year.
    """

    year: int
    kind: PeriodKind
    index: int = 1

    def __post_init__(self) -> None:
        limit = 12 // self.kind.months
        if not 1 <= self.index <= limit:
            raise ValueInputError(f"period index {self.index} is out of range for a {self.kind.value}",
                                  message_zh=f"期间序号 {self.index} 超出范围（{_KIND_ZH[self.kind.value]}最多 {limit}）")
        if not 1 <= self.year <= 9999:
            raise ValueInputError(f"year {self.year} is out of range", message_zh=f"年份 {self.year} 超出范围")

    # construction -----------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse ``2026-03``, ``2026Q1``, ``2026H1`` or ``2026``; raise InputError otherwise.

        Periods are immutable, so one instance per text is shared (rules parse the same few
        periods tens of thousands of times)."""
        if cls is Period:
            return _parse_period(text if isinstance(text, str) else str(text))
        return cls._parse(text)

    @classmethod
    def _parse(cls, text: str) -> "Period":
        value = str(text).strip()
        for pattern, kind in _PATTERNS:
            m = pattern.match(value)
            if m:
                year = int(m.group(1))
                index = int(m.group(2)) if kind is not PeriodKind.YEAR else 1
                return cls(year, kind, index)
        raise ValueInputError(
            f"'{text}' is not a period: write a month 2026-03, a quarter 2026Q1, a half 2026H1 or a year 2026",
            message_zh=f"“{text}”不是期间：应写月份 2026-03、季度 2026Q1、半年 2026H1 或年度 2026",
        )

    @classmethod
    def containing(cls, day: date, kind: PeriodKind | str) -> "Period":
        kind = PeriodKind(kind)
        return cls(day.year, kind, (day.month - 1) // kind.months + 1)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(year, PeriodKind.MONTH, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        return cls(year, PeriodKind.QUARTER, quarter)

    @classmethod
    def half(cls, year: int, half: int) -> "Period":
        return cls(year, PeriodKind.HALF, half)

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(year, PeriodKind.YEAR, 1)

    # properties ---------------------------------------------------------------
    # Rules ask a period its bounds tens of thousands of times: compute them once (cached_property
    # writes to the instance's __dict__, which a frozen dataclass allows).
    @_once
    def first_month(self) -> int:
        return (self.index - 1) * self.kind.months + 1

    @_once
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @_once
    def end(self) -> date:
        last_month = self.first_month + self.kind.months - 1
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self._text

    @_once
    def _text(self) -> str:
        return self._spelt(0)

    def _spelt(self, form: int) -> str:
        """The period in one of :data:`_SPELLINGS`' forms (0: text, 1: Chinese label, 2: English label)."""
        spelling = _SPELLINGS[self.kind][form]
        if spelling is None:  # (a month in English: its name)
            return self.start.strftime("%b %Y")
        return spelling.format(y=self.year, i=self.index, q="一二三四"[(self.index - 1) % 4], h="上下"[(self.index - 1) % 2])

    def next(self) -> "Period":
        limit = 12 // self.kind.months
        if self.index < limit:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def previous(self) -> "Period":
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, 12 // self.kind.months)

    def months(self) -> list["Period"]:
        return [Period(self.year, PeriodKind.MONTH, m) for m in range(self.first_month, self.first_month + self.kind.months)]

    def sub(self, kind: PeriodKind | str) -> list["Period"]:
        """The periods of ``kind`` that make up this one (the quarters of a year, ...)."""
        kind = PeriodKind(kind)
        if kind.months > self.kind.months:
            raise ValueError(f"a {self.kind.value} has no {kind.value}s")
        result, p = [], Period.containing(self.start, kind)
        while p.start <= self.end:
            result.append(p)
            p = p.next()
        return result

    # text -------------------------------------------------------------------

    def label(self, lang: str = "zh") -> str:
        """A human label: ``2026年第一季度`` / ``Q1 2026``."""
        return self._label_zh if lang == "zh" else self._label_en

    @_once
    def _label_zh(self) -> str:
        return self._spelt(1)

    @_once
    def _label_en(self) -> str:
        return self._spelt(2)


#: Per kind, a period's text (``2026Q1``), its Chinese label and its English label ({y}: the year,
#: {i}: the index, {q} and {h}: a quarter's and a half's in Chinese); None: the month's name.
_SPELLINGS = {
    PeriodKind.MONTH: ("{y}-{i:02d}", "{y}年{i}月", None),
    PeriodKind.QUARTER: ("{y}Q{i}", "{y}年第{q}季度", "Q{i} {y}"),
    PeriodKind.HALF: ("{y}H{i}", "{y}年{h}半年", "H{i} {y}"),
    PeriodKind.YEAR: ("{y}", "{y}年度", "{y}"),
}


def parse_date(text: str, *, what: str = "date") -> date:
    """Parse an ISO date ``YYYY-MM-DD`` given by a user; raise InputError with one clear line otherwise."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(f"{what} '{text}' is not a valid date: write YYYY-MM-DD, for example 2026-10-15",
                         message_zh=f"{what} “{text}”不是有效的日期：请按 YYYY-MM-DD 书写，例如 2026-10-15") from None


@lru_cache(maxsize=8192)
def _parse_period(text: str) -> Period:
    return Period._parse(text)
