"""Calendar (日历): a month of deadlines; working days, holidays and adjusted workdays labelled."""

from __future__ import annotations

import calendar as pycal
from collections import defaultdict
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from coordtui.domain.calendar import HOLIDAY_NAMES_ZH
from coordtui.domain.model import DutyStatus
from coordtui.screens.base import CoreScreen
from coordtui.screens.dashboard import STATUS_STYLE
from coordtui.widgets.footer import KeyFooter

OPEN = (DutyStatus.OVERDUE, DutyStatus.AT_RISK, DutyStatus.DUE)


class CalendarScreen(CoreScreen):
    AUTO_FOCUS = "#month"
    BINDINGS = [
        Binding("left_square_bracket", "month(-1)", "上月/Prev", id="key.prev_page"),
        Binding("right_square_bracket", "month(1)", "下月/Next", id="key.next_page"),
        Binding("enter", "open", "打开/Open", id="key.open", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.first: date | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="cal-title")
        yield DataTable(id="month", cursor_type="cell", show_row_labels=False)
        yield Static(id="cal-day")
        yield KeyFooter()

    def populate(self) -> None:
        app = self.app
        if self.first is None:
            self.first = app.as_of.replace(day=1)
        cal = app.ws.calendar
        year, month = self.first.year, self.first.month
        title = Text(self.t("cal.title", calendar=self.t("nav.calendar"), year=year, month=month), style="bold")
        if not cal.is_official(year):
            title.append("  " + self.t("cal.provisional_year"), style="yellow")
        self.query_one("#cal-title", Static).update(title)
        self.due: dict[date, list] = defaultdict(list)
        if app.result is not None:
            for row in app.result.duties:
                if row.org == app.org_id and row.status in OPEN:
                    self.due[row.duty.due].append(row)
        table = self.query_one("#month", DataTable)
        table.clear(columns=True)
        for name in self.t("cal.weekdays").split("|"):
            table.add_column(name, width=9)
        self.days: dict[tuple[int, int], date] = {}
        for r, week in enumerate(pycal.Calendar().monthdatescalendar(year, month)):
            cells = []
            for c, day in enumerate(week):
                self.days[(r, c)] = day
                cells.append(self._cell(day, month))
            table.add_row(*cells)
        target = app.as_of if app.as_of.month == month and app.as_of.year == year else self.first
        for (r, c), day in self.days.items():
            if day == target:
                table.move_cursor(row=r, column=c)
        self.show_day()

    def _cell(self, day: date, month: int) -> Text:
        info = self.app.ws.calendar.info(day)
        text = Text(f"{day.day:>2}", style="dim" if day.month != month else ("bold" if day == self.app.as_of else ""))
        if info.adjusted:
            text.append(self.t("cal.adjusted_mark"), style="cyan")
        elif info.holiday and not info.workday:
            text.append(self.t("cal.holiday_mark"), style="green")
        elif not info.workday:
            text.append(" ·", style="dim")
        if info.provisional:
            text.append("?", style="yellow")
        rows = self.due.get(day, [])
        if rows:
            worst = min(rows, key=lambda r: OPEN.index(r.status)).status
            text.append(f" ●{len(rows)}", style=STATUS_STYLE[worst])
        return text

    def selected(self) -> date | None:
        table = self.query_one("#month", DataTable)
        return self.days.get((table.cursor_coordinate.row, table.cursor_coordinate.column))

    def show_day(self) -> None:
        zh = self.app.lang == "zh"
        day = self.selected()
        if day is None:
            return
        info = self.app.ws.calendar.info(day)
        kind = self.t("cal.adjusted" if info.adjusted else "cal.workday" if info.workday else "cal.day_off")
        holiday = HOLIDAY_NAMES_ZH.get(info.holiday, info.holiday) if zh and info.holiday else (info.holiday or "")
        head = f"{self.day(day)} {kind}{' · ' + holiday if holiday else ''}{self.t('cal.provisional') if info.provisional else ''}"
        lines = Text(head + "\n", style="bold")
        for row in self.due.get(day, [])[:6]:
            lines.append(f"{self.t('status.' + row.status.value)} ", style=STATUS_STYLE[row.status])
            lines.append(f"{row.duty.subject} {row.duty.what_zh if zh else row.duty.what_en}\n")
        if len(self.due.get(day, [])) > 6:
            lines.append(f"… +{len(self.due[day]) - 6}\n")
        self.query_one("#cal-day", Static).update(lines)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_day()

    def action_month(self, step: int) -> None:
        month = self.first.month - 1 + step
        self.first = date(self.first.year + month // 12, month % 12 + 1, 1)
        self.populate()

    def action_open(self) -> None:
        """Enter on a day opens the form for its first open deadline."""
        day = self.selected()
        rows = self.due.get(day, []) if day else []
        if not rows:
            return
        duty = rows[0].duty
        if duty.record_kind:
            if duty.record_id:
                self.app.open_record(self.app.org_id, duty.record_kind, duty.record_id)
            else:
                self.app.new_record(self.app.org_id, duty.record_kind, dict(duty.prefill))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open()
