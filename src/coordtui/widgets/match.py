"""Filtering as cadres type: Chinese text, ids, or pinyin initials (``dsxzz`` finds 第四协作组)."""

from __future__ import annotations

from functools import lru_cache

# pypinyin is imported on the first filter that needs it, never at start-up: loading its
# dictionaries takes about 0.25 s, most of a bare Textual app's whole start.


@lru_cache(maxsize=20000)
def initials(text: str) -> str:
    """``第四协作组`` → ``dsxzz``; other characters are kept as they are, lower-cased."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


@lru_cache(maxsize=20000)
def full_pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower()


def warm() -> None:
    """Load pypinyin's dictionaries now (in a thread, once the application is idle), so that the
    first letter typed into a filter or the command palette does not wait for them."""
    initials("第")


def matches(needle: str, *texts: str) -> bool:
    """True when ``needle`` is in any text, in its pinyin initials, or in its full pinyin."""
    needle = needle.strip().lower()
    if not needle:
        return True
    for text in texts:
        if not text:
            continue
        lower = text.lower()
        if needle in lower:
            return True
        if needle.isascii() and (needle in initials(text) or needle in full_pinyin(text)):
            return True
    return False


def initials_span(needle: str, text: str) -> tuple[int, int] | None:
    """Where ``needle`` (Latin letters) matches ``text``'s pinyin initials, as a character range
    of ``text`` (``rl`` in ``日历`` → ``(0, 2)``), or None. Each character stands for one letter, so
    the range can be highlighted."""
    needle = needle.strip().lower()
    if not needle or not needle.isascii():
        return None
    letters = "".join((initials(ch) or ch)[:1].lower() for ch in text)
    at = letters.find(needle)
    return None if at < 0 else (at, at + len(needle))
