"""The university_grid model's screens: groups, rotation, compliance matrix, activity log.

Imported only when a screen is opened, so the model stays usable without a terminal.
"""

from __future__ import annotations

from collections import defaultdict

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static

from coordtui.api import DutyStatus, Period, PeriodKind
from coordtui.ui import STATUS_MARK, Col, CoordError, FitTable, ModelScreen, named, status_text, open_duty

from university_grid import MODEL_ID
from university_grid.rotation import fill_year


class GridScreen(ModelScreen):
    """Shared plumbing: the organization, its groups and the duties of the latest check."""

    def groups(self):
        return sorted(self.app.ws.records(self.app.org_id, "group"), key=lambda g: (g.number, g.id))

    def duties(self, rule: str):
        if self.app.result is None:
            return []
        return [r for r in self.app.result.duties if r.org == self.app.org_id and r.rule == f"{MODEL_ID}.{rule}"]


class GroupsScreen(GridScreen):
    """协作组一览: each group with its grid members, units and current leader unit."""

    AUTO_FOCUS = "#groups"
    BINDINGS = [Binding("enter", "open", "Open", id="key.open", show=False)]

    def build(self):
        yield Static(id="ug-title")
        yield FitTable(id="groups", cursor_type="row")
        yield Static(id="ug-detail")

    def populate(self) -> None:
        ws, org_id = self.app.ws, self.app.org_id
        self.query_one("#ug-title", Static).update(self.heading("groups.title"))
        units = ws.records(org_id, "unit")
        members = {m.id: m.name for m in ws.records(org_id, "grid_member")}
        links = defaultdict(list)
        for link in ws.records(org_id, "grid_link"):
            links[link.group].append(members.get(link.grid_member, link.grid_member))
        unit_names = {u.id: u.name for u in units}
        leaders = {t.group: t.unit for t in ws.records(org_id, "leader_term") if t.start <= self.app.as_of <= t.end}
        table = self.query_one("#groups", FitTable)
        self.rows = self.groups()
        table.show(named(self.t("groups.columns"), Col("group", "", keep=True), Col("members", "", rank=2, min=8), Col("units", "", rank=3),
                         Col("leader", "", rank=1, min=10, hide=False)),
                   [([g.name, "、".join(links.get(g.id, [])) or self.t("groups.none"), str(sum(1 for u in units if u.group == g.id)),
                      unit_names.get(leaders.get(g.id, ""), "—")], g.id) for g in self.rows])
        self.show_detail()

    def show_detail(self) -> None:
        table = self.query_one("#groups", FitTable)
        if not self.rows:
            return
        group = self.rows[min(table.cursor_row or 0, len(self.rows) - 1)]
        units = sorted((u for u in self.app.ws.records(self.app.org_id, "unit") if u.group == group.id), key=lambda u: (u.order, u.id))
        label = self.t("groups.members")
        self.query_one("#ug-detail", Static).update(Text(f"{group.name} {label}：" + "、".join(f"{u.name}" for u in units)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def action_open(self) -> None:
        table = self.query_one("#groups", FitTable)
        if self.rows:
            self.app.open_record(self.app.org_id, "group", self.rows[table.cursor_row or 0].id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()


class RotationScreen(GridScreen):
    """组长单位轮值: one year's leader units by quarter; generate the missing terms, edit any."""

    AUTO_FOCUS = "#rotation"
    BINDINGS = [
        Binding("g", "generate", "生成/Generate", id="ug.generate"),
        Binding("y", "accept", "采用/Accept", id="ug.accept"),
        Binding("left_square_bracket", "year(-1)", "上一年/Prev", id="key.prev_page", show=False),
        Binding("right_square_bracket", "year(1)", "下一年/Next", id="key.next_page", show=False),
        Binding("enter", "open", "Open", id="key.open", show=False),
    ]


    year: int | None = None
    proposal: list = []

    def build(self):
        yield Static(id="ug-title")
        yield FitTable(id="rotation", cursor_type="cell")
        yield Static(id="ug-hint")

    def populate(self) -> None:
        self.year = self.year or self.app.as_of.year
        self.query_one("#ug-title", Static).update(self.heading("rotation.title", year=self.year))
        ws, org_id = self.app.ws, self.app.org_id
        names = {u.id: u.name for u in ws.records(org_id, "unit")}
        terms = ws.records(org_id, "leader_term")
        proposed = {id(t) for t in self.proposal}
        table = self.query_one("#rotation", FitTable)
        quarters = Period.of_year(self.year).sub(PeriodKind.QUARTER)
        # The leader units are what the screen is for: every quarter stays on screen and wraps.
        cols = [Col("group", self.t("col.group"), keep=True)] + [
            Col(str(q), q.label(self.app.lang).replace(f"{self.year}年", ""), keep=True) for q in quarters]
        data = []
        self.cells: dict[tuple[int, int], object] = {}
        for r, g in enumerate(self.groups()):
            row = [g.name]
            for c, q in enumerate(quarters, start=1):
                # Terms may start on any day: a quarter shows every unit that leads in it, in turn.
                during = sorted((t for t in [*terms, *self.proposal] if t.group == g.id and t.start <= q.end and t.end >= q.start),
                                key=lambda t: t.start)
                recorded = [t for t in during if id(t) not in proposed]
                if recorded:
                    self.cells[(r, c)] = next((t for t in recorded if t.start <= q.start), recorded[0])
                if not during:
                    row.append(Text("—", style="dim"))
                    continue
                cell = Text()
                for n, t in enumerate(during):
                    if n:
                        cell.append("→")
                    name = names.get(t.unit, t.unit)
                    if id(t) in proposed:
                        cell.append(f"+ {name}", style="italic cyan")
                    else:
                        cell.append(name)
                row.append(cell)
            data.append((row, g.id))
        table.show(cols, data)
        if self.proposal:
            hint = self.t("rotation.proposed", count=len(self.proposal))
        else:
            hint = self.t("rotation.hint")
        self.query_one("#ug-hint", Static).update(hint)

    def action_year(self, step: int) -> None:
        self.year = (self.year or self.app.as_of.year) + step
        self.proposal = []
        self.populate()

    def action_generate(self) -> None:
        """Propose terms for the days of the year that no term covers, continuing each group's turn."""
        ws, org_id = self.app.ws, self.app.org_id
        months = ws.model_of(self.org()).parse_settings(self.org().settings).term_months
        terms = ws.records(org_id, "leader_term")
        proposal = []
        for g in self.groups():
            members = [u for u in ws.records(org_id, "unit") if u.group == g.id]
            history = [t for t in terms if t.group == g.id]
            proposal += fill_year(g.id, members, history, self.year, months=months)
        self.proposal = proposal
        if not proposal:
            self.app.notify(self.t("rotation.full"))
        self.populate()

    def action_accept(self) -> None:
        if not self.proposal:
            return
        try:  # one transaction, each term filed in its month like any saved record
            self.app.ws.save_many(self.app.org_id, [(term, 0) for term in self.proposal])
        except CoordError as exc:  # someone else recorded a term meanwhile, or the store refused: nothing written
            self.app.show_error(exc)
            return
        count = len(self.proposal)
        self.proposal = []
        self.app.notify(self.t("rotation.saved", count=count))
        self.app.record_saved()
        self.populate()

    def action_back(self) -> None:
        if self.proposal:
            self.proposal = []
            self.populate()
            return
        super().action_back()

    def action_open(self) -> None:
        table = self.query_one("#rotation", FitTable)
        coord = table.cursor_coordinate
        term = self.cells.get((coord.row, coord.column))
        if term is not None:
            self.app.open_record(self.app.org_id, "leader_term", term.id)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open()


class MatrixScreen(GridScreen):
    """季度合规矩阵: groups × quarters, met / at risk / missed, the reason one key away."""

    AUTO_FOCUS = "#matrix"
    BINDINGS = [Binding("enter", "fix", "处理/Fix", id="key.open")]

    def build(self):
        yield Static(id="ug-title")
        yield FitTable(id="matrix", cursor_type="cell", fixed_columns=1)
        yield Static(id="ug-reason")

    RULES = ("quarterly_activity", "quarterly_plan_and_summary", "news_deadline")

    def populate(self) -> None:
        lang = self.app.lang
        self.query_one("#ug-title", Static).update(self.heading("matrix.title"))
        table = self.query_one("#matrix", FitTable)
        rows = [r for rule in self.RULES for r in self.duties(rule)]
        quarters = sorted({r.duty.period for r in rows if r.duty.period is not None})
        cols = [Col("group", self.t("col.group"), keep=True)] + [Col(str(q), str(q), hide=False) for q in quarters]
        data = []
        self.cell_duties: dict[tuple[int, int], list] = {}
        by_key = defaultdict(list)
        for r in rows:
            group_id = r.duty.subject_id if r.duty.subject_kind == "group" else None
            if group_id is None and r.duty.subject_kind == "activity":
                activity = next((a for a in self.app.ws.records(self.app.org_id, "activity") if a.id == r.duty.subject_id), None)
                group_id = activity.group if activity else None
            by_key[(group_id, r.duty.period)].append(r)
        order = [DutyStatus.OVERDUE, DutyStatus.LATE, DutyStatus.AT_RISK, DutyStatus.DUE, DutyStatus.MET]
        for ri, g in enumerate(self.groups()):
            cells = [g.name]
            for ci, q in enumerate(quarters, start=1):
                duties = by_key.get((g.id, q), [])
                self.cell_duties[(ri, ci)] = duties
                if not duties:
                    cells.append("")
                    continue
                worst = min((d.status for d in duties), key=order.index)
                cells.append(status_text(worst, lang, mark=True))
            data.append((cells, g.id))
        table.show(cols, data)
        self.show_reason()

    def _cell(self):
        table = self.query_one("#matrix", FitTable)
        coord = table.cursor_coordinate
        return self.cell_duties.get((coord.row, coord.column), [])

    def show_reason(self) -> None:
        lines = Text()
        for r in sorted(self._cell(), key=lambda r: r.status != DutyStatus.MET):
            what = r.duty.what_zh if self.app.lang == "zh" else r.duty.what_en
            lines.append(f"{STATUS_MARK[r.status]} ", style="bold")
            lines.append(self.t("matrix.reason", what=what, count=r.duty.count, required=r.duty.required, due=self.day(r.duty.due)))
            lines.append(status_text(r.status, self.app.lang))
            lines.append("\n")
        if not lines:
            lines.append(self.t("matrix.pick"))
        self.query_one("#ug-reason", Static).update(lines)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_reason()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_fix()

    def action_fix(self) -> None:
        """Open the record that would fix the worst duty of the cell."""
        open_duties = [r for r in self._cell() if r.status not in (DutyStatus.MET,)]
        if not open_duties:
            return
        order = [DutyStatus.OVERDUE, DutyStatus.LATE, DutyStatus.AT_RISK, DutyStatus.DUE]
        row = min(open_duties, key=lambda r: order.index(r.status))
        open_duty(self.app, row)


class ActivityLogScreen(GridScreen):
    """协作活动台账: every activity, newest first, with its news status; n adds, Enter edits."""

    AUTO_FOCUS = "#activities"
    BINDINGS = [
        Binding("n", "new", "新建/New", id="key.new"),
        Binding("enter", "open", "Open", id="key.open", show=False),
    ]

    def build(self):
        yield Static(id="ug-title")
        yield FitTable(id="activities", cursor_type="row", zebra_stripes=True)

    def populate(self) -> None:
        ws, org_id = self.app.ws, self.app.org_id
        self.query_one("#ug-title", Static).update(self.heading("log.title"))
        groups = {g.id: g.name for g in self.groups()}
        news = {r.duty.subject_id: r for r in self.duties("news_deadline")}
        table = self.query_one("#activities", FitTable)
        self.rows = sorted(ws.records(org_id, "activity"), key=lambda a: (a.end, a.id), reverse=True)
        data = []
        for a in self.rows:
            duty = news.get(a.id)
            state = status_text(duty.status, self.app.lang, mark=True) if duty else Text("—", style="dim")
            data.append(([self.day(a.end), groups.get(a.group, a.group), a.form, a.title, str(len(a.grid_members)), state], a.id))
        table.show(named(self.t("log.columns"), Col("end", "", rank=2, hide=False), Col("group", "", rank=3, min=6), Col("form", "", rank=4, min=4),
                         Col("title", "", keep=True), Col("members", "", rank=5), Col("news", "", rank=1, hide=False)), data)

    def action_new(self) -> None:
        self.app.new_record(self.app.org_id, "activity", {})

    def action_open(self) -> None:
        table = self.query_one("#activities", FitTable)
        if self.rows:
            self.app.open_record(self.app.org_id, "activity", self.rows[table.cursor_row or 0].id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()
