"""Column widths for a terminal of any width (列宽): one rule for every table of the interface.

A table declares its columns with :class:`Col`: the subject and the duty are ``keep`` columns,
never cut and never hidden (when the line is too narrow they wrap onto more lines); every other
column has a ``rank`` and gives way in that order, least important (highest rank) first: first
it is shortened to its ``min`` cells (cut with …), then it is hidden. Widths are measured in
terminal cells (Chinese characters take two), never in characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text

#: Cells a DataTable adds on each side of a column (its ``cell_padding``).
PADDING = 1
#: The narrowest a wrapped keep column becomes.
MIN_KEEP = 8


@dataclass(frozen=True)
class Col:
    """A column: its key, its heading, and how it gives way on a narrow terminal."""

    key: str
    label: str
    #: The subject or the duty: never cut, never hidden; wraps when there is no room.
    keep: bool = False
    #: Among the other columns, the higher the rank the sooner it gives way.
    rank: int = 1
    #: The narrowest it may be cut to before it is hidden (None: it is hidden, never cut).
    min: int | None = None
    #: False: shortened to ``min`` at most, never hidden (a grid's cells, a status).
    hide: bool = True
    #: The heading is a record's name (a grid of units), not interface text: it stays as written in either language.
    data: bool = False


def cell_width(value: object) -> int:
    """The widest line of a cell, in terminal cells."""
    if isinstance(value, Text):
        return max((cell_len(line.plain) for line in value.split("\n")), default=0)
    return max((cell_len(line) for line in str(value).split("\n")), default=0)


def natural_widths(cols: Sequence[Col], rows: Iterable[Sequence[object]]) -> dict[str, int]:
    """Each column's width with nothing cut: its heading or its widest cell."""
    widths = {c.key: cell_len(c.label) for c in cols}
    for cells in rows:
        for c, value in zip(cols, cells):
            widths[c.key] = max(widths[c.key], cell_width(value))
    return widths


def fit_widths(cols: Sequence[Col], natural: dict[str, int], room: int, *, padding: int = PADDING) -> dict[str, int]:
    """The width of each shown column for ``room`` cells (a hidden column is left out).

    Keep columns stay at their natural width while anything else can give way; the others are
    shortened, then hidden, least important first; when the keep columns alone are still too
    wide they share what is left in proportion to their natural widths (and wrap)."""
    widths = {c.key: natural[c.key] for c in cols}

    def total() -> int:
        return sum(w + 2 * padding for w in widths.values())

    yielding = sorted((c for c in cols if not c.keep), key=lambda c: -c.rank)
    for c in yielding:  # shorten, least important first
        if total() <= room:
            return widths
        if c.min is not None and widths[c.key] > c.min:
            widths[c.key] = max(c.min, widths[c.key] - (total() - room))
    for c in yielding:  # then hide, least important first
        if total() <= room:
            return widths
        if c.hide:
            del widths[c.key]
    if total() <= room:
        return widths
    keep = [c for c in cols if c.keep]
    if not keep:
        return widths
    others = sum(w + 2 * padding for k, w in widths.items() if k not in {c.key for c in keep})
    # A grid whose cells may not give way scrolls sideways (its first column stays put):
    # its keep columns still get up to half the line rather than what the cells leave over.
    wanted = sum(natural[c.key] for c in keep)
    space = max(len(keep) * MIN_KEEP, room - others - 2 * padding * len(keep), min(wanted, room // 2 - 2 * padding * len(keep)))
    # Share the space fairly: a column narrower than its share stays whole (a group's short
    # name is never wrapped to make room for a long unit name), the rest split what is left.
    left, pending = space, sorted(keep, key=lambda c: natural[c.key])
    while pending:
        share = left // len(pending)
        c = pending.pop(0)
        widths[c.key] = max(MIN_KEEP, min(natural[c.key], share))
        left -= widths[c.key]
    return widths


def named(labels: str, *cols: Col) -> list[Col]:
    """``cols`` with their headings taken in order from a catalogue's ``"甲|乙|丙"`` text."""
    from dataclasses import replace

    return [replace(c, label=label) for c, label in zip(cols, labels.split("|"))]
