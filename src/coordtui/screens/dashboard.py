"""The dashboard (总览): who is overdue, for what and since when; what is at risk; what falls due next."""

from __future__ import annotations

import os
from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, LoadingIndicator, Static

from coordtui.i18n import days_in
from coordtui.domain.outcomes import DutyRow, DutyStatus
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.widgets.footer import KeyFooter

#: A sign before each status, so it reads without colour too (NO_COLOR, a monochrome terminal).
STATUS_SIGN = {
    DutyStatus.OVERDUE: "✗",
    DutyStatus.AT_RISK: "!",
    DutyStatus.DUE: "·",
    DutyStatus.LATE: "◐",
    DutyStatus.MET: "✓",
}

STATUS_STYLE = {
    DutyStatus.OVERDUE: "bold red",
    DutyStatus.AT_RISK: "yellow",
    DutyStatus.DUE: "cyan",
    DutyStatus.LATE: "magenta",
    DutyStatus.MET: "green",
}
if os.environ.get("NO_COLOR"):
    # Without colour, Textual turns red into a dark grey on black (nearly invisible): what needs
    # action stands out by weight and reverse video instead, besides its sign.
    STATUS_STYLE = {DutyStatus.OVERDUE: "bold reverse", DutyStatus.AT_RISK: "bold", DutyStatus.DUE: "", DutyStatus.LATE: "italic",
                    DutyStatus.MET: ""}


def status_cell(status: DutyStatus, label: str) -> Text:
    """A status as a sign and a word: coloured, and bold for what needs action, so it also reads without colour."""
    return Text(f"{STATUS_SIGN[status]} {label}", style=STATUS_STYLE[status])


def summary_counts(duties: list[DutyRow], as_of) -> tuple[int, int, int, int, int, int, int]:  # noqa: ANN001 (a date)
    """An organization's line on the dashboard: overdue, at risk, due within 14 days, met this
    period of how many, deadlines met of how many."""
    horizon = as_of + timedelta(days=14)
    overdue = sum(1 for r in duties if r.status is DutyStatus.OVERDUE)
    at_risk = sum(1 for r in duties if r.status is DutyStatus.AT_RISK)
    soon = sum(1 for r in duties if r.status is DutyStatus.DUE and r.duty.due <= horizon)
    current = [r for r in duties if r.duty.period is not None and as_of in r.duty.period]
    met_now = sum(1 for r in current if r.status in (DutyStatus.MET, DutyStatus.LATE))
    # Per-record duties (限期事项: a problem's rectification date) have no period: counted on their own.
    deadlines = [r for r in duties if r.duty.period is None]
    met_deadlines = sum(1 for r in deadlines if r.status in (DutyStatus.MET, DutyStatus.LATE))
    return overdue, at_risk, soon, met_now, len(current), met_deadlines, len(deadlines)


class DashboardScreen(CoreScreen):
    AUTO_FOCUS = "#duties"
    """The first screen: one table of what needs attention, most overdue first."""

    BINDINGS = [
        Binding("enter", "open_duty", "处理/Open", show=False, id="key.open"),
        Binding("s", "open_subject", "对象/Subject", id="key.subject"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dash"):
            yield Static("", id="dash-title")
            yield Static("", id="dash-summary")
            yield Static("", id="dash-findings")
            yield LoadingIndicator(id="dash-loading")
            yield FitTable(id="duties", cursor_type="row", zebra_stripes=True)
            yield Static("", id="dash-row")
            yield Label("", id="dash-empty")
        yield KeyFooter()

    def populate(self) -> None:
        app = self.app
        lang = app.lang
        title = f"{self.t('app.title')} · {self.t('nav.dashboard')} · {self.t('as_of')} {self.day(app.as_of)}"
        self.query_one("#dash-title", Static).update(Text(title, style="bold"))
        loading = self.query_one("#dash-loading", LoadingIndicator)
        table = self.query_one("#duties", FitTable)
        loading.display = app.result is None
        if app.result is None:
            self._shown_for = None
            if app.pending != {o.id for o in app.orgs}:
                # Switched to an organization not checked yet (it is checked next): nothing of
                # the one before stays on screen, and the others' lines stay up to date.
                self.rows = []
                table.clear()
                self.query_one("#dash-row", Static).update("")
                self.query_one("#dash-empty", Label).update("")
                self.query_one("#dash-findings", Static).update("")
                self.query_one("#dash-summary", Static).update(self.summary_text())
            return
        # The organization's own lines are those of its one check in this generation: as the other
        # organizations' results arrive (dozens of batches), only the summary changes.
        duties = app.duties_of(app.org_id)
        shown_for = (app.org_id, app.generation, app.as_of, lang, id(table), id(duties), len(duties or ()))
        if getattr(self, "_shown_for", None) == shown_for:
            self.query_one("#dash-summary", Static).update(self.summary_text())
            return
        self._shown_for = shown_for
        cols = [
            Col("status", self.t("col.status"), rank=1, hide=False),
            Col("since", self.t("col.since"), rank=3, min=6),
            Col("subject", self.t("col.subject"), keep=True),
            Col("what", self.t("col.what"), keep=True),
            Col("period", self.t("col.period"), rank=4, min=8),
            Col("due", self.t("col.due"), rank=2),
        ]
        rows = self.attention_rows()
        self.rows = rows
        data = []
        for i, row in enumerate(rows):
            duty = row.duty
            status = status_cell(row.status, self.t(f"status.{row.status.value}"))
            since = self.t("dash.days_overdue", days=row.overdue_days) if row.status is DutyStatus.OVERDUE else ""
            data.append(([
                status,
                since,
                duty.subject,
                duty.what_zh if lang == "zh" else duty.what_en,
                duty.period.label(lang) if duty.period else "",
                self.day(duty.due) + ("*" if duty.provisional else ""),
            ], str(i)))
        table.show(cols, data)
        self.show_row_detail()
        self.query_one("#dash-empty", Label).update(self.t("dash.nothing") if not rows else "")
        self.query_one("#dash-summary", Static).update(self.summary_text())
        self.query_one("#dash-findings", Static).update(self.findings_text())

    def summary_line(self, org) -> tuple | None:  # noqa: ANN001 (an Organization)
        """``org``'s counts (overdue, at risk, due soon, met this period of how many, deadlines
        met of how many), or None while it is still being checked. Kept per organization while
        its duties stay the same list: as the other organizations' results arrive, only theirs
        are counted (hundreds of organizations, a hundred thousand duties)."""
        app = self.app
        counts = app.counts_of(org.id)  # as the check worked them out (also of those whose duties were let go)
        if counts is not None:
            return counts
        duties = app.duties_of(org.id)
        if duties is None:
            return None
        cache = self.__dict__.setdefault("_lines", {})
        kept = cache.get(org.id)
        if kept is not None and kept[0] is duties and kept[1] == app.as_of:
            return kept[2]
        line = summary_counts(duties, app.as_of)
        cache[org.id] = (duties, app.as_of, line)
        return line

    def show_progress(self, done: int, total: int) -> None:
        """How far the first check has come (it takes seconds with hundreds of organizations)."""
        if self.app.result is None:
            self.query_one("#dash-findings", Static).update(Text(self.t("dash.checking", done=done, total=total), style="dim"))

    def attention_rows(self) -> list[DutyRow]:
        """The current organization's duties: overdue (most days first), then at risk, then due
        within 14 days (soonest first)."""
        app = self.app
        horizon = app.as_of + timedelta(days=14)
        rows = [r for r in (app.duties_of(app.org_id) or []) if r.status in (DutyStatus.OVERDUE, DutyStatus.AT_RISK)
                or (r.status is DutyStatus.DUE and r.duty.due <= horizon)]
        order = {DutyStatus.OVERDUE: 0, DutyStatus.AT_RISK: 1, DutyStatus.DUE: 2}
        rows.sort(key=lambda r: (order[r.status], -r.overdue_days, r.duty.due, r.duty.subject))
        return rows

    #: Organizations listed in the summary; beyond it, the current one and the most overdue.
    SUMMARY_LINES = 5

    def summary_text(self) -> Text:
        """One line per organization: overdue, at risk, due soon, met this period. With more
        organizations than lines, the current one and those with the most overdue, and how
        many more there are (``c`` goes through them)."""
        app = self.app
        lines = [(org, self.summary_line(org)) for org in app.orgs]
        shown = lines
        if len(lines) > self.SUMMARY_LINES:
            mine = [line for line in lines if line[0].id == app.org_id]
            # The most overdue of those checked; those still being checked after them.
            worst = sorted((line for line in lines if line[0].id != app.org_id),
                           key=lambda line: (line[1] is None, -line[1][0] if line[1] else 0))
            shown = mine + worst[: self.SUMMARY_LINES - 1 - len(mine)]
        text = Text()
        for n, (org, counts) in enumerate(shown):
            if n:
                text.append("\n")
            marker = "▶ " if org.id == app.org_id and len(app.orgs) > 1 else ""
            text.append(f"{marker}{org.name}  ", style="bold")
            if counts is None:  # not checked yet: no count shown as if it were one
                text.append(self.t("dash.org_checking"), style="dim")
                continue
            overdue, at_risk, soon, met_now, current, met_deadlines, deadlines = counts
            text.append(f"{self.t('dash.overdue')} {overdue}", style=STATUS_STYLE[DutyStatus.OVERDUE] if overdue else "bold")
            text.append("  ")
            text.append(f"{self.t('dash.at_risk')} {at_risk}", style=STATUS_STYLE[DutyStatus.AT_RISK])
            text.append(f"  {self.t('dash.due_soon')} {soon}")
            if current or not deadlines:
                text.append(f"  {self.t('dash.period')} {met_now}/{current}")
            if deadlines:
                text.append(f"  {self.t('dash.deadlines')} {met_deadlines}/{deadlines}")
        if len(shown) < len(lines):
            text.append("\n" + self.t("dash.more_orgs", count=len(lines) - len(shown)), style="dim")
        if app.pending:
            done = len(app.orgs) - len(app.pending)
            text.append("\n" + self.t("dash.checking_rest", done=done, total=len(app.orgs)), style="dim")
        return text

    def findings_text(self) -> Text:
        """The current organization's findings in one line: how many, and the most serious (f lists them)."""
        app = self.app
        found = [f for f in app.result.findings if f.org == app.org_id]
        errors = sum(1 for f in found if f.severity.value == "error")
        warnings = sum(1 for f in found if f.severity.value == "warning")
        text = Text()
        text.append(f"{self.t('nav.findings')} ", style="bold")
        text.append("(f) ", style="dim")  # before the message, which is cut at the line's end
        text.append(f"{self.t('sev.error')} {errors}", style=STATUS_STYLE[DutyStatus.OVERDUE] if errors else "")
        text.append(f"  {self.t('sev.warning')} {warnings}", style=STATUS_STYLE[DutyStatus.AT_RISK] if warnings else "")
        if found:
            text.append(f"  ▸ {days_in(found[0].text(app.lang), app.lang)}")
        # Cut to the line's width when drawn, at whatever width the terminal has then (a width
        # worked out here went stale on a resize and left only "▸" on the line).
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

    def show_row_detail(self) -> None:
        """Under the table: what its columns cannot show of the selected row (period, due date ...)."""
        table = self.query_one("#duties", FitTable)
        self.query_one("#dash-row", Static).update(table.row_detail() if getattr(self, "rows", None) else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_row_detail()

    def _row(self) -> DutyRow | None:
        table = self.query_one("#duties", DataTable)
        rows = getattr(self, "rows", [])
        if not rows or table.cursor_row is None or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_duty()

    def action_open_duty(self) -> None:
        """Open the record that would meet the duty: the existing one, or a new one prefilled."""
        row = self._row()
        if row is None or not row.duty.record_kind:
            return
        if row.duty.record_id:
            self.app.open_record(row.org, row.duty.record_kind, row.duty.record_id)
        else:
            self.app.new_record(row.org, row.duty.record_kind, dict(row.duty.prefill))

    def action_open_subject(self) -> None:
        row = self._row()
        if row is not None and row.duty.subject_kind and row.duty.subject_id:
            self.app.open_record(row.org, row.duty.subject_kind, row.duty.subject_id)
