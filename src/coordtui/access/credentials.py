"""Browser sign-in credentials (登录凭据): passwords and one-time links, kept in the store's people.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommended profile: 3 passes over 64 MiB, 4 lanes), which OWASP's password storage
cheat sheet names first: memory-hard, so a stolen people.json costs an attacker a lot of
memory per guess, not only time. A one-time link is 32 random bytes; the store keeps its
SHA-256 (a random token needs no slow hash) and the link's end.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from coordtui.errors import InputError

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # the hash's work does not depend on it, but a form field should have an end
_HASHER = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """Verified against when the name is unknown, so a wrong name costs what a wrong password does."""
    return _HASHER.hash(secrets.token_urlsafe(16))


# passwords ----------------------------------------------------------------------------------
def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password has {len(password)} characters, fewer than {MIN_PASSWORD}: choose a longer one "
                         "(a few unrelated words are easy to remember)",
                         message_zh=f"密码只有 {len(password)} 个字符，少于 {MIN_PASSWORD} 个：请设一个更长的密码（几个互不相关的词就很好记）")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password is longer than {MAX_PASSWORD} characters: choose a shorter one",
                         message_zh=f"密码超过 {MAX_PASSWORD} 个字符：请设一个短一些的密码")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise InputError("the password holds a control character (a pasted newline or tab?): type it again",
                         message_zh="密码中含有控制字符（粘贴时带入了换行或制表符？）：请重新输入")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash; as slow for no hash as for a wrong one."""
    if not stored or len(password) > MAX_PASSWORD:
        try:
            _HASHER.verify(_dummy(), password[:MAX_PASSWORD] + "\x00")
        except VerificationError:
            pass
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# one-time links -----------------------------------------------------------------------------
_DURATION = re.compile(r"^([0-9]{1,4})([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_LINK = timedelta(days=7)


def parse_duration(text: str, what: str = "--valid") -> timedelta:
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InputError(f"{what} {text[:20]!r}: not a duration: give a number and s, m, h or d, for example {what} 15m",
                         message_zh=f"{what} {text[:20]!r}：不是时长：请写数字加 s、m、h 或 d，例如 {what} 15m")
    span = timedelta(seconds=int(match.group(1)) * _UNIT[match.group(2)])
    if span > MAX_LINK:
        raise InputError(f"{what} {text[:20]!r}: longer than 7 days, too long for a sign-in link: give at most 7d",
                         message_zh=f"{what} {text[:20]!r}：超过 7 天，登录链接不能这么久：最多 7d")
    return span


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def password_stamp(password_hash: str | None) -> str:
    """What a session remembers of the person's password: a digest of its hash ("" for none)."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def matching_link(links: list[Any], token: str, at: datetime) -> Any | None:
    """The unexpired link of ``links`` whose digest is the token's (compared in constant time)."""
    digest = token_digest(token)
    found = None
    for link in links:
        if hmac.compare_digest(link.sha256, digest) and link.expires > at:
            found = link
    return found
