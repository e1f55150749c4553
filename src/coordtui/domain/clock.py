"""The office's clock (办公时区): what "today" and "now" are, whoever runs the process.

An office in Beijing whose server runs on UTC, or whose colleagues' SSH sessions carry
other ``TZ`` values, must see the same day and the same times. The office's time zone is
a store setting (``timezone`` in ``meta.json``; default Asia/Shanghai), and every "today",
deadline and time shown comes from it; stored times are UTC.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coordtui.errors import InputError

DEFAULT_TIMEZONE = "Asia/Shanghai"

#: For tests only: an instant (ISO 8601 with an offset, ``2026-12-31T17:30:00Z``) that the office
#: clock takes as "now", so a test can pick a moment at which UTC and Beijing disagree on the date.
#: Read by :class:`OfficeClock` and by nothing else.
NOW_VARIABLE = "COORDTUI_NOW"


def _fixed_now() -> datetime | None:
    raw = os.environ.get(NOW_VARIABLE)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{NOW_VARIABLE}={raw!r} is not an ISO 8601 instant (2026-12-31T17:30:00Z): fix or unset it") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def zone(name: str | None) -> ZoneInfo:
    """The named IANA time zone; a clear error for an unknown one."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"'{name}' is not a time zone (write an IANA name such as Asia/Shanghai)") from None


class OfficeClock:
    """Today and now in the office's time zone."""

    def __init__(self, tz: str | None = None) -> None:
        self.tz = zone(tz)

    @property
    def name(self) -> str:
        return self.tz.key

    def now(self) -> datetime:
        fixed = _fixed_now()
        return fixed.astimezone(self.tz) if fixed is not None else datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()

    def local(self, stamp: str) -> datetime:
        """A stored time (ISO 8601 with an offset, UTC for new entries) in the office's zone."""
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(self.tz)

    def shown(self, stamp: str) -> str:
        """A stored time as the office reads it: ``2026-03-07 03:07:08``."""
        try:
            return self.local(stamp).strftime("%Y-%m-%d %H:%M:%S")
        except (TypeError, ValueError):
            return str(stamp)


_SHOWN: list = [None, ""]  # the last second utc_now wrote, and how it wrote it


def utc_now() -> str:
    """Now in UTC, as the store records it: ``2026-03-06T19:07:08Z``. (Written once a second: a
    10,000-row import asks for it once a change, and strftime was most of each.)"""
    now = datetime.now(timezone.utc)
    second = now.replace(microsecond=0)
    if second != _SHOWN[0]:
        _SHOWN[:] = [second, second.strftime("%Y-%m-%dT%H:%M:%SZ")]
    return _SHOWN[1]
