"""History (变更历史): every change to the store, newest first, filterable by record and user.

The screen shows the newest page first (:data:`LIMIT` changes this person may see) and loads
the next page on ``]``. Its :class:`~coordtui.store.store.HistoryPager` verifies, in a
worker, only the logs changed since the last verification by any process (the others' results
come from the store's sealed verification cache), reads only the logs a page needs, newest
first, and keeps them while they are unchanged, so a refresh after a save reads one log again.
Before verifying, the first page is shown from the index of the newest logs the last refresh
kept (:meth:`HistoryPager.quick`: no look at every file, which takes most of a second at
1,000,000 records), its title saying the history is being verified; the verified page, with any
break found, then takes its place. Typing in the filter searches what is already loaded.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, LoadingIndicator, Static

from coordtui.errors import CoordError, one_line
from coordtui.i18n import CATALOGUE, stamp, text_in
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.store.store import ATTACHMENTS, HistoryPager

LIMIT = 1000


class HistoryScreen(CoreScreen):
    AUTO_FOCUS = "#history"
    BINDINGS = [Binding("slash", "focus_filter", "筛选/Filter", id="key.filter"),
                Binding("right_square_bracket", "more", "更多/More", id="key.more")]

    def __init__(self) -> None:
        super().__init__()
        self.reader: HistoryPager | None = None
        self.entries: list[dict[str, Any]] | None = None
        self.shown = LIMIT  # how many of the entries loaded the table shows
        self.complete = False  # every entry is loaded
        self.haystacks: list[str] = []  # per entry, what the filter searches
        self.problems: list[str] = []
        self.verifying = False  # the entries shown are the quick first page: the history is being verified
        self._loading = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Static("", id="history-title")
        yield Input(placeholder=self.t("history.placeholder"), id="history-filter")
        yield LoadingIndicator(id="history-loading")
        yield FitTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def populate(self) -> None:
        """Show what is loaded and read again, in a worker, what changed since: the newest page first."""
        self.show_rows()
        wanted = max(self.shown, LIMIT)
        self.run_worker(lambda: self._load(wanted, fresh=True), thread=True, exclusive=True, group="history")

    def action_more(self) -> None:
        """Load the next page of older changes."""
        if self.entries is None or self.complete or any(w.group == "history" and w.is_running for w in self.app.workers):
            return
        wanted = len(self.entries) + LIMIT
        self.run_worker(lambda: self._load(wanted, fresh=False), thread=True, exclusive=True, group="history")

    def _load(self, wanted: int, *, fresh: bool) -> None:
        # A thread worker cannot be cancelled: a second load (a save while one runs) waits for the
        # first instead of reading the pager's logs beside it (it is not for two threads at once),
        # and then reads again only what changed since.
        with self._loading:
            self._load_locked(wanted, fresh=fresh)

    def _load_locked(self, wanted: int, *, fresh: bool) -> None:
        try:
            if self.reader is None:
                self.reader = HistoryPager(self.app.ws.store)
                if self.reader.quick():
                    # The first page from the index of the newest logs, shown while the history is verified.
                    try:
                        self._show_quick(wanted)
                    except CoordError:
                        pass  # (a log that cannot be read: the refresh below reads it again and says so)
            if fresh or self.entries is None:
                problems = self.reader.refresh()
                entries: list[dict[str, Any]] = []
            else:
                problems, entries = self.reader.problems, list(self.entries)
            complete = False
            while len(entries) < wanted:
                page = self.reader.more(LIMIT)
                if not page:
                    complete = True
                    break
                entries.extend(self.app.ws.visible_history(page))  # only what this person may see
        except CoordError as exc:
            self.app.call_from_thread(self.app.show_error, exc)
            return
        self.app.call_from_thread(self._loaded, entries, _haystacks(entries), problems, complete, wanted)

    def _show_quick(self, wanted: int) -> None:
        entries: list[dict[str, Any]] = []
        while len(entries) < wanted:
            page = self.reader.more(LIMIT)
            if not page:
                break
            entries.extend(self.app.ws.visible_history(page))
        if entries:
            self.app.call_from_thread(self._loaded, entries, _haystacks(entries), [], False, wanted, True)

    def _loaded(self, entries: list[dict[str, Any]], haystacks: list[str], problems: list[str], complete: bool, wanted: int,
                verifying: bool = False) -> None:
        self.entries, self.haystacks, self.problems, self.complete, self.shown = entries, haystacks, problems, complete, wanted
        self.verifying = verifying
        self.show_rows()

    def show_rows(self) -> None:
        title = Text(self.t("nav.history"), style="bold")
        if self.verifying:
            title.append(f"  {self.t('history.verifying')}", style="dim")
        elif self.problems:
            more = self.t("history.more_problems", count=len(self.problems) - 1) if len(self.problems) > 1 else ""
            title.append(f"  ⚠ {one_line(text_in(self.problems[0], self.app.lang))}{more}", style="bold red")
        self.query_one("#history-title", Static).update(title)
        self.query_one("#history-loading", LoadingIndicator).display = self.entries is None
        table = self.query_one("#history", FitTable)
        ranks = {"when": 1, "user": 1, "op": 3, "org": 5, "kind": 4}  # who changed it and when never give way
        cols = [Col(key, self.t(f"col.{key}"), rank=ranks[key], min=None if ranks[key] == 1 else 6, hide=ranks[key] > 1) for key in ranks]
        cols.append(Col("name", self.t("col.name"), keep=True))
        if self.entries is None:
            table.show(cols, [])
            return
        needle = self.query_one("#history-filter", Input).value.strip()
        orgs = {o.id: o.name for o in self.app.orgs}
        clock = self.app.ws.clock  # stored times are instants (UTC, or an older entry's offset): shown in the office's zone
        shown = 0
        data = []
        for e, haystack in zip(self.entries, self.haystacks):
            if needle and needle not in haystack:
                continue
            doc = e.get("after") or e.get("before") or {}
            kind, op = str(e.get("kind", "")), str(e.get("op", ""))
            if kind == ATTACHMENTS:  # a file attached to or removed from a record: said as such, of the record's kind
                kind, op = str(doc.get("kind", "")), "attach" if e.get("after") else "detach"
                label = " · ".join(dict.fromkeys(str(v) for v in (doc.get("title"), doc.get("name"), doc.get("record")) if v))
            else:
                cls = self.kind_class(e.get("org", ""), kind)
                label = (cls is not None and doc.get(cls.label_field)) or doc.get("name") or doc.get("title") or e.get("id")
            data.append(([stamp(e.get("at", ""), self.app.lang, clock), e.get("user", ""), self.t(f"op.{op}") if f"op.{op}" in CATALOGUE else op,
                          orgs.get(e.get("org", ""), e.get("org", "")), self.kind_name(e.get("org", ""), kind), str(label)], None))
            shown += 1
            if shown >= self.shown:
                break
        table.show(cols, data)

    def kind_class(self, org_id: str, kind: str):
        """The record class of ``kind`` in the organization's model, or None."""
        org = next((o for o in self.app.orgs if o.id == org_id), None)
        model = self.app.ws.host.models.get(org.model) if org is not None else None
        return next((k for k in model.kinds if k.kind == kind), None) if model is not None else None

    def kind_name(self, org_id: str, kind: str) -> str:
        """A kind's name in the interface language (成员单位, not member_body); the id where no model knows it."""
        cls = self.kind_class(org_id, kind)
        if cls is None:
            return kind
        return cls.title_zh if self.app.lang == "zh" else cls.title_en

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_rows()

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()


def _haystacks(entries: list[dict[str, Any]]) -> list[str]:
    """Per entry, what the filter searches."""
    return [f"\x00{e.get('id')}\x00{e.get('user')}\x00{e.get('after') or e.get('before') or ''}" for e in entries]
