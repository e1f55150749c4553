"""The four_duties model's screens: the yearly checklist and the risk map."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static

from coordtui.api import DutyStatus
from coordtui.ui import Col, FitTable, ModelScreen, named, status_text

from four_duties.kinds import AREAS
from four_duties.rules import day

CYCLE_RULES = ("special_meetings", "four_meetings", "four_documents", "three_reports", "dual_report", "year_end_inspection")


class DutyScreen(ModelScreen):
    def settings(self):
        return self.app.ws.model_of(self.org()).parse_settings(self.org().settings)



class ChecklistScreen(DutyScreen):
    """年度责任清单: what each bearer and team member owes early, mid-year and at year end; Enter fills a gap."""

    AUTO_FOCUS = "#checklist"
    BINDINGS = [
        Binding("enter", "fix", "处理/Fix", id="key.open"),
        Binding("left_square_bracket", "year(-1)", "上一年", id="key.prev_page", show=False),
        Binding("right_square_bracket", "year(1)", "下一年", id="key.next_page", show=False),
    ]
    year: int | None = None

    def build(self):
        yield Static(id="fd-title")
        yield Static(id="fd-summary")
        yield FitTable(id="checklist", cursor_type="row", zebra_stripes=True)

    def stage(self, due: date) -> str:
        s = self.settings()
        if due.year > self.year:
            return "next"
        if due <= day(self.year, s.early_until):
            return "early"
        if due <= day(self.year, s.mid_until):
            return "mid"
        return "end"

    def populate(self) -> None:
        zh = self.app.lang == "zh"
        self.year = self.year or self.app.as_of.year
        self.query_one("#fd-title", Static).update(self.heading("checklist.title", year=self.year))
        duties = [] if self.app.result is None else [
            r for r in self.app.result.duties if r.org == self.app.org_id and r.rule.split(".")[1] in CYCLE_RULES
            and r.duty.period is not None and r.duty.period.year == self.year]
        order = {"early": 0, "mid": 1, "end": 2, "next": 3}
        subjects = {b.id: n for n, b in enumerate(self.recs("bearer"))} | {m.id: 10 + n for n, m in enumerate(self.recs("team_member"))}
        duties.sort(key=lambda r: (subjects.get(r.duty.subject_id, 99), r.duty.subject, order[self.stage(r.duty.due)], r.duty.due))
        table = self.query_one("#checklist", FitTable)
        data = []
        self.rows = duties
        counts = defaultdict(int)
        for r in duties:
            counts[r.status] += 1
            data.append(([r.duty.subject, self.t(f"stage.{self.stage(r.duty.due)}"), r.duty.what_zh if zh else r.duty.what_en,
                          self.day(r.duty.due), status_text(r.status, self.app.lang, mark=True)], None))
        table.show(named(self.t("checklist.columns"), Col("subject", "", keep=True), Col("stage", "", rank=3, min=4), Col("what", "", keep=True),
                         Col("due", "", rank=2, hide=False), Col("status", "", rank=1, hide=False)), data)
        summary = Text()
        for status in (DutyStatus.OVERDUE, DutyStatus.AT_RISK, DutyStatus.DUE, DutyStatus.LATE, DutyStatus.MET):
            summary.append_text(status_text(status, self.app.lang, mark=True))
            summary.append(f" {counts[status]}   ")
        self.summary = summary
        self.show_summary()

    def show_summary(self) -> None:
        """The counts, and the hint where the line has room for it (on a narrow terminal the footer
        says it): decided again on every resize."""
        summary = self.summary.copy()
        hint = self.t("checklist.hint")
        if cell_len(summary.plain + hint) <= self.app.size.width - 2:
            summary.append(hint)
        self.query_one("#fd-summary", Static).update(summary)

    def on_resize(self, event) -> None:  # noqa: ANN001
        if getattr(self, "summary", None) is not None:
            self.show_summary()

    def action_fix(self) -> None:
        table = self.query_one("#checklist", FitTable)
        if not self.rows or table.cursor_row is None:
            return
        row = self.rows[table.cursor_row]
        if row.status in (DutyStatus.MET, DutyStatus.LATE) or not row.duty.record_kind:
            self.app.notify(row.duty.what_zh if self.app.lang == "zh" else row.duty.what_en, title=status_text(row.status, self.app.lang).plain)
            return
        self.app.new_record(self.app.org_id, row.duty.record_kind, {**row.duty.prefill, **self._date_field(row.duty.record_kind)})

    def _date_field(self, kind: str) -> dict:
        field = {"meeting": "held_on", "document": "filed_on", "report": "filed_on", "inspection": "held_on"}.get(kind)
        return {field: self.app.as_of.isoformat()} if field else {}

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_fix()

    def action_year(self, step: int) -> None:
        self.year = (self.year or self.app.as_of.year) + step
        self.populate()


class RiskMapScreen(DutyScreen):
    """廉政风险地图: key areas × responsible units; each cell its risk points and owners, empty cells flagged."""

    AUTO_FOCUS = "#riskmap"
    BINDINGS = [Binding("enter", "fix", "处理/Fix", id="key.open")]

    def build(self):
        yield Static(id="fd-title")
        yield FitTable(id="riskmap", cursor_type="cell", fixed_columns=1)
        yield Static(id="fd-detail")

    def populate(self) -> None:
        self.query_one("#fd-title", Static).update(self.heading("riskmap.title"))
        units = {u.id: u for u in self.recs("unit")}
        assigned = defaultdict(set)
        for a in self.recs("risk_area"):
            for u in a.units:
                assigned[a.area].add(u)
        columns = sorted({u for us in assigned.values() for u in us}, key=lambda u: u)
        points = defaultdict(list)
        for p in self.recs("risk_point"):
            points[(p.area, p.unit)].append(p)
        table = self.query_one("#riskmap", FitTable)
        cols = [Col("area", self.t("riskmap.area"), keep=True)] + [Col(u, units[u].name if u in units else u, hide=False, data=True) for u in columns]
        data = []
        self.cells = {}
        for ri, area in enumerate(AREAS):
            cells = [area]
            for ci, u in enumerate(columns, start=1):
                found = points.get((area, u), [])
                required = u in assigned.get(area, set())
                self.cells[(ri, ci)] = (area, u, found, required)
                if not found:
                    cells.append(Text(self.t("riskmap.empty"), style="bold red") if required else Text(""))
                elif any(not p.owner or not p.measures for p in found):
                    cells.append(Text(f"! {len(found)}", style="bold yellow"))
                else:
                    cells.append(Text(f"✓ {len(found)}", style="green"))
            data.append((cells, None))
        table.show(cols, data)
        self.show_detail()

    def _cell(self):
        table = self.query_one("#riskmap", FitTable)
        return self.cells.get((table.cursor_coordinate.row, table.cursor_coordinate.column)) if hasattr(self, "cells") else None

    def show_detail(self) -> None:
        cell = self._cell()
        if cell is None:
            text = self.t("riskmap.legend")
        else:
            area, unit, found, required = cell
            lines = [f"{area} · {self.app.ws.get(self.app.org_id, 'unit', unit)[0].name}"]
            unset = self.t("riskmap.unset")
            lines += [self.t("riskmap.point", description=p.description, owner=p.owner or unset, measures=p.measures or unset) for p in found]
            if not found:
                lines.append(self.t("riskmap.no_point") + (self.t("riskmap.answers") if required else ""))
            text = "\n".join(lines)
        self.query_one("#fd-detail", Static).update(text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_detail()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_fix()

    def action_fix(self) -> None:
        cell = self._cell()
        if cell is None:
            return
        area, unit, found, _ = cell
        lacking = [p for p in found if not p.owner or not p.measures]
        if lacking or found:
            self.app.open_record(self.app.org_id, "risk_point", (lacking or found)[0].id)
        else:
            self.app.new_record(self.app.org_id, "risk_point", {"area": area, "unit": unit})
