"""A DataTable laid out to its real width (按终端宽度排版的表格), again on every resize.

Screens hand it their columns (:class:`~coordtui.widgets.columns.Col`) and rows with
:meth:`FitTable.show`; it works out the widths with :func:`~coordtui.widgets.columns.fit_widths`
for the width it has now, and lays itself out again whenever that width changes (a resized
terminal, a filter box or scrollbar that appears) — no screen does its own arithmetic.
"""

from __future__ import annotations

from typing import Any, Sequence

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from coordtui.widgets.columns import Col, cell_width, fit_widths, natural_widths


def _as_text(value: object) -> Text:
    if isinstance(value, Text):
        return value.copy()
    return Text("" if value is None else str(value))


class FitTable(DataTable):
    """A :class:`DataTable` whose columns always fit: keep columns whole, the others give way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cols: list[Col] = []
        self.data: list[tuple[list[object], str | None]] = []
        #: Keys of the columns shown, in order (hidden ones left out).
        self.shown_keys: list[str] = []
        self.widths: dict[str, int] = {}
        self.natural: dict[str, int] = {}
        self.wrapped = False
        self._laid_for: int | None = None

    def show(self, cols: Sequence[Col], rows: Sequence[tuple[Sequence[object], str | None]]) -> None:
        """Show ``rows`` (cells in the order of ``cols``, and a row key) laid out to the width there is."""
        self.cols = list(cols)
        self.data = [(list(cells), key) for cells, key in rows]
        self.natural = natural_widths(self.cols, (cells for cells, _ in self.data))
        self.relayout()

    def room(self, *, scrollbar: bool) -> int:
        width = self.size.width or (self.app.size.width - 2)
        return max(10, width - (self.styles.scrollbar_size_vertical if scrollbar else 0))

    def relayout(self) -> None:
        """Lay the rows out again for the current width, keeping the cursor where it was."""
        self._laid_for = self.size.width
        tall = len(self.data) + 1 > (self.size.height or self.app.size.height)
        widths = fit_widths(self.cols, self.natural, self.room(scrollbar=tall))
        wrapped = any(widths.get(c.key, 0) < self.natural[c.key] for c in self.cols if c.keep)
        if wrapped and not tall:  # taller rows may need the scrollbar after all
            widths = fit_widths(self.cols, self.natural, self.room(scrollbar=True))
        self.widths, self.wrapped = widths, wrapped
        row, column = self.cursor_coordinate
        column_key = self.shown_keys[column] if column < len(self.shown_keys) else None
        scroll_y = self.scroll_y
        self.clear(columns=True)
        self.shown_keys = [c.key for c in self.cols if c.key in widths]
        for c in self.cols:
            if c.key in widths:
                self.add_column(Text(c.label, no_wrap=True, overflow="ellipsis"), width=widths[c.key], key=c.key)
        for cells, key in self.data:
            shown = []
            for c, value in zip(self.cols, cells):
                if c.key not in widths:
                    continue
                text = _as_text(value)
                if widths[c.key] < self.natural[c.key]:
                    if c.keep:
                        text.overflow = "fold"
                    else:
                        text.no_wrap, text.overflow = True, "ellipsis"
                shown.append(text)
            self.add_row(*shown, key=key, height=None if wrapped else 1)
        if self.data:
            new_column = self.shown_keys.index(column_key) if column_key in self.shown_keys else min(column, len(self.shown_keys) - 1)
            self.move_cursor(row=min(row, len(self.data) - 1), column=max(0, new_column), animate=False, scroll=False)
            self.scroll_to(y=scroll_y, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        if self.cols and self.size.width != self._laid_for:
            self.relayout()

    def cursor_key(self) -> str | None:
        """The key of the column the cursor is in (columns may be hidden, so indices shift)."""
        column = self.cursor_coordinate.column
        return self.shown_keys[column] if column < len(self.shown_keys) else None

    def row_detail(self, row: int | None = None) -> Text:
        """What the table cannot show of a row (hidden or shortened columns): heading and value."""
        row = self.cursor_coordinate.row if row is None else row
        text = Text()
        if not self.data or row >= len(self.data):
            return text
        cells = self.data[row][0]
        for c, value in zip(self.cols, cells):
            if c.keep or cell_width(value) <= self.widths.get(c.key, 0):
                continue
            shown = _as_text(value)
            if not shown.plain:
                continue
            if text.plain:
                text.append(" · ")
            text.append(f"{c.label} ", style="bold")
            text.append_text(shown)
        return text
