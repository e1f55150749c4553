"""The year at a glance (年度考核): each subject's duties per quarter, worst first, and a chart
of the on-time rate per quarter for the organization and the selected subject."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from coordtui.assessment import Assessment, Line, assess, percent, structure_subjects
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.widgets.footer import KeyFooter


class AssessmentScreen(CoreScreen):
    AUTO_FOCUS = "#assess-table"
    DEFAULT_CSS = """
    AssessmentScreen #assess-title { height: 1; }
    AssessmentScreen #assess-table { height: 1fr; min-height: 6; }
    AssessmentScreen #assess-chart { height: 10; }
    """
    BINDINGS = [
        Binding("left_square_bracket", "year(-1)", "上年/Prev", id="key.prev_year"),
        Binding("right_square_bracket", "year(1)", "下年/Next", id="key.next_year"),
    ]

    def __init__(self, org_id: str) -> None:
        super().__init__()
        self.org_id = org_id
        self.year: int | None = None
        self.result: Assessment | None = None
        self.lines: list[Line] = []

    def compose(self) -> ComposeResult:
        yield Static(id="assess-title")
        yield FitTable(id="assess-table", cursor_type="row", zebra_stripes=True)
        yield PlotextPlot(id="assess-chart")
        yield KeyFooter()

    def populate(self) -> None:
        app = self.app
        if self.year is None:
            self.year = app.as_of.year
        if app.result is None:
            return
        org = app.ws.org(self.org_id)
        self.result = a = assess(app.result.duties, app.ws.model_of(org), org.id, org.name, self.year, app.as_of,
                                 structure_subjects(app.ws, org))
        self.query_one("#assess-title", Static).update(
            Text(self.t("assess.heading", org=org.name, year=self.year, as_of=self.day(app.as_of)), style="bold"))
        table = self.query_one("#assess-table", FitTable)
        zh = app.lang == "zh"
        # The subject never cut; the on-time rate and the quarters never hidden; the counts give way
        # (on time and late first: the rate says them) on a narrow terminal.
        cols = [Col("subject", self.t("assess.col.subject"), keep=True),
                *(Col(f"q{n}", f"Q{n}", rank=2, hide=False) for n in range(1, 5)),
                Col("due", self.t("assess.col.due"), rank=3), Col("on_time", self.t("assess.col.on_time"), rank=4),
                Col("late", self.t("assess.col.late"), rank=4), Col("open", self.t("assess.col.open"), rank=3),
                Col("rate", self.t("assess.col.rate"), rank=1, hide=False)]
        self.lines = [a.total, *a.levels, *a.subjects]
        rows = []
        for i, line in enumerate(self.lines):
            year = line.year
            if line.kind == "org":
                label = Text(self.t("assess.whole"), style="bold")
            elif line.id == "*":
                label = Text(self.t("assess.total", level=line.level_zh if zh else line.level_en), style="bold")
            else:
                label = Text(line.label)
            rate = Text(percent(year.rate), style="bold red" if year.rate is not None and year.rate < 0.8 else "")
            rows.append(([label, *(percent(r) for r in line.rates()), str(year.due), str(year.on_time), str(year.late),
                          str(year.open), rate], str(i)))
        table.show(cols, rows)
        if not a.total.year.due:
            self.query_one("#assess-title", Static).update(
                Text(self.t("assess.none", year=self.year, as_of=self.day(app.as_of)), style="bold"))
        self.draw(table.cursor_row if 0 <= table.cursor_row < len(self.lines) else 0)

    def draw(self, index: int) -> None:
        """The on-time rate per quarter: the organization, and the selected subject beside it."""
        if self.result is None:
            return
        plot = self.query_one("#assess-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        quarters = [1, 2, 3, 4]
        series = [(self.t("assess.whole"), self.result.total)]
        if 0 < index < len(self.lines):
            line = self.lines[index]
            series.append((line.label if line.id != "*" else (line.level_zh if self.app.lang == "zh" else line.level_en), line))
        for label, line in series:
            xs = [q for q, r in zip(quarters, line.rates()) if r is not None]
            ys = [r * 100 for r in line.rates() if r is not None]
            if xs:
                plt.plot(xs, ys, marker="dot", label=label)
        plt.xticks(quarters, [f"Q{q}" for q in quarters])
        plt.ylim(0, 100)
        plt.xlim(0.5, 4.5)
        plt.title(self.t("assess.chart"))
        plot.refresh()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.draw(event.cursor_row)

    def action_year(self, step: int) -> None:
        self.year = (self.year or self.app.as_of.year) + step
        self.populate()
