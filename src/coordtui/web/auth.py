"""Who may come in through the browser (浏览器登录): passwords, one-time links, sessions.

The credentials themselves (argon2id password hashes, one-time link digests) are
:mod:`coordtui.access.credentials`, re-exported here.

Sessions live in the server's memory only: a restart signs everyone out. A session's
token is sent to the browser once, in a cookie; the server keeps the token's SHA-256.
Nothing here knows aiohttp; the clock is a parameter so the tests need not wait.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from coordtui.access.credentials import (  # noqa: F401 (re-exported: the web side's one import)
    MAX_LINK, MAX_PASSWORD, MIN_PASSWORD, check_password, hash_password, matching_link, new_token, now_utc,
    parse_duration, password_stamp, token_digest, verify_password,
)
from coordtui.errors import InputError

#: Store-wide settings (``coordtui config``), with their defaults.
SETTINGS = {
    "serve.idle_minutes": 30,         # a session unused this long ends
    "serve.sessions_per_person": 3,   # signed-in sessions one person may have at once
    "serve.sessions_total": 30,       # signed-in sessions of everyone together
    "serve.tabs_per_session": 3,      # applications (browser tabs, one process each) per session
}
SETTING_BOUNDS = {"serve.idle_minutes": (1, 24 * 60), "serve.sessions_per_person": (1, 100),
                  "serve.sessions_total": (1, 1000), "serve.tabs_per_session": (1, 20)}


def setting_value(name: str, text: str) -> int:
    """A setting's new value from the command line, or one line saying what is allowed."""
    low, high = SETTING_BOUNDS[name]
    if not re.fullmatch(r"[0-9]{1,5}", text) or not low <= int(text) <= high:
        raise InputError(f"{name} {text[:20]!r}: give a whole number from {low} to {high}, for example {SETTINGS[name]}")
    return int(text)


def settings(meta: dict[str, Any]) -> dict[str, int]:
    """The serve settings from the store's meta.json, a value out of bounds taken as the default."""
    out = {}
    for name, default in SETTINGS.items():
        value = meta.get(name, default)
        low, high = SETTING_BOUNDS[name]
        out[name] = value if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high else default
    return out


# slowing repeated failures ------------------------------------------------------------------
class Throttle:
    """Failed sign-ins per key (a person's name, an address). After ``free`` failures within
    ``window`` seconds, each further attempt must wait ``base * 2**(extra failures)`` seconds
    (at most ``cap``) after the last failure; an attempt made sooner is refused unchecked,
    and does not count as a failure (so waiting the time out always lets the right one in)."""

    def __init__(self, *, free: int, base: float = 1.0, cap: float = 300.0, window: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap, self.window, self.clock = free, base, cap, window, clock
        self._failures: dict[str, tuple[int, float]] = {}

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        count, last = self._failures.get(key, (0, 0.0))
        now = self.clock()
        if count and now - last > self.window:
            del self._failures[key]
            return 0.0
        if count < self.free:
            return 0.0
        return max(0.0, last + min(self.cap, self.base * 2 ** (count - self.free)) - now)

    def fail(self, key: str) -> None:
        count, last = self._failures.get(key, (0, 0.0))
        if count and self.clock() - last > self.window:
            count = 0
        self._failures[key] = (count + 1, self.clock())
        if len(self._failures) > 10000:  # a flood of made-up names: forget the stalest
            for stale in sorted(self._failures, key=lambda k: self._failures[k][1])[:5000]:
                del self._failures[stale]

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


# sessions -----------------------------------------------------------------------------------
class Refused(Exception):
    """A sign-in or a tab refused: what the person is told (zh, en) and the server's log line."""

    def __init__(self, zh: str, en: str, log: str) -> None:
        super().__init__(en)
        self.zh, self.en, self.log = zh, en, log

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Session:
    name: str
    address: str
    lang: str
    created: float
    seen: float
    digest: str
    #: The person's password stamp when the session began (see :class:`Sessions`).
    stamp: str | None = None
    #: The session's open tabs (their websockets), closed when the session ends.
    tabs: set = field(default_factory=set)
    #: The token the session's own forms carry (the attachment upload), beside the cookie.
    csrf: str = field(default_factory=new_token)


class Sessions:
    """The signed-in sessions of one server. ``limits()`` gives the current settings (read
    from the store each time, so ``coordtui config`` takes effect without a restart);
    ``stamp(name)`` is the person's password as the store has it now (a digest of its hash;
    None: the person was removed): a session ends when it is no longer the one it began
    with, so 'coordtui users passwd' (or --clear) signs the person out everywhere."""

    def __init__(self, *, limits: Callable[[], dict[str, int]], stamp: Callable[[str], str | None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.stamp, self.clock = limits, stamp, clock
        self._by_digest: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._by_digest)

    def of(self, name: str) -> list[Session]:
        return [s for s in self._by_digest.values() if s.name == name]

    def start(self, name: str, address: str, lang: str) -> tuple[str, Session]:
        """A new session for ``name``: (the cookie's token, the session), or Refused."""
        self.sweep()
        limits = self.limits()
        per_person, total = limits["serve.sessions_per_person"], limits["serve.sessions_total"]
        if len(self.of(name)) >= per_person:
            raise Refused(f"您已在 {per_person} 处登录：请先在其他地方退出登录，或等其空闲超时后再试",
                          f"you are signed in {per_person} times already: sign out elsewhere first, or wait for one to time out",
                          f"sign-in refused: {name} from {address}: already {per_person} sessions (serve.sessions_per_person)")
        if len(self._by_digest) >= total:
            raise Refused("登录人数已满：请稍后再试，或请管理员调整 serve.sessions_total",
                          "the server has as many sessions as it allows: try again later, or ask the administrator "
                          "to raise serve.sessions_total",
                          f"sign-in refused: {name} from {address}: {total} sessions in all (serve.sessions_total)")
        token = new_token()
        now = self.clock()
        session = Session(name=name, address=address, lang=lang, created=now, seen=now, digest=token_digest(token),
                          stamp=self.stamp(name))
        self._by_digest[session.digest] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session of a cookie's token (None: no such session, it timed out, or its
        person was removed; an ended one is forgotten)."""
        if not token or len(token) > 100:
            return None
        session = self._by_digest.get(token_digest(token))
        if session is None:
            return None
        if self._expired(session):
            self.end(session)
            return None
        return session

    def touch(self, session: Session) -> None:
        session.seen = self.clock()

    def _expired(self, session: Session) -> bool:
        idle = self.limits()["serve.idle_minutes"] * 60
        return self.clock() - session.seen > idle or self.ended_by_store(session) is not None

    def ended_by_store(self, session: Session) -> str | None:
        """Why the store ends the session (the person removed, their password changed), or None."""
        now = self.stamp(session.name)
        if now is None:
            return "the person was removed"
        if now != session.stamp:
            return "the password was changed"
        return None

    def end(self, session: Session) -> list:
        """Forget the session; returns its open tabs, for the caller to close."""
        self._by_digest.pop(session.digest, None)
        tabs = list(session.tabs)
        session.tabs.clear()
        return tabs

    def sweep(self) -> list[tuple[Session, list]]:
        """End every session that timed out or whose person is gone: [(session, its tabs)]."""
        ended = []
        for session in list(self._by_digest.values()):
            if self._expired(session):
                ended.append((session, self.end(session)))
        return ended
