"""Errors a user can cause. Each has a title and a message written for the user.

The command line prints ``message`` on one line and exits 2; the application shows
``title`` and ``message`` in a modal. Anything else that escapes is a bug.
"""

from __future__ import annotations


class CoordError(Exception):
    """Base of every error a user can cause (用户可纠正的错误)."""

    title = "Error"

    def __init__(self, message: str, *, title: str | None = None, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        if title is not None:
            self.title = title

    def text(self, lang: str) -> str:
        """The message in the interface language (the command line always prints ``message``)."""
        return self.message_zh if lang == "zh" and self.message_zh else self.message

    def __str__(self) -> str:
        return self.message


class InputError(CoordError):
    """A file, argument or value the user gave is not acceptable."""

    title = "Invalid input"


class ValueInputError(InputError, ValueError):
    """A value that does not parse (a period, a date). Also a ``ValueError``, so that inside a
    pydantic validator it becomes a field error (with its Chinese message) rather than escaping."""


class StoreError(CoordError):
    """The store cannot be opened, read or written."""

    title = "Store problem"


class ConflictError(StoreError):
    """A write was based on a revision that is no longer current (修订冲突)."""

    title = "Edit conflict"

    def __init__(self, message: str, *, current: dict | None = None, attempted: dict | None = None, message_zh: str | None = None) -> None:
        super().__init__(message, message_zh=message_zh)
        self.current = current
        self.attempted = attempted


class PluginError(CoordError):
    """A plugin failed to load, failed its checks or raised inside a hook."""

    title = "Plugin problem"


class AccessError(CoordError):
    """The acting person may not do this (无权操作): their role or scope does not allow it.

    The message names who, what and why, and how to get further ("ask an administrator").
    Nothing was changed; the refusal is kept in the store's history.
    """

    title = "Not allowed"


def shown(text: object, limit: int = 80) -> str:
    """User-supplied text inside a message: control characters and line breaks escaped
    (``\\x1b``, ``\\n``), so a message stays one line and a terminal obeys nothing in it;
    bounded to ``limit`` characters."""
    escaped = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))
    return escaped if len(escaped) <= limit else escaped[: limit - 3] + "..."


def one_line(message: str) -> str:
    """A whole message as the command line prints it: every control character escaped, on one
    line. The last line of defence, should a message have taken in raw text somewhere."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
