"""The county_zones model's screens: zone map, task board, task detail, report calendar."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from coordtui.api import DutyStatus, Period, PeriodKind
from coordtui.ui import STATUS_MARK, Col, CoordError, FitTable, ModelScreen, model_text, named, status_text

from county_zones import MODEL_ID
from county_zones.kinds import TASK_TYPE_EN
from county_zones.procedure import advance
from county_zones.workflow import LABEL_EN, LABEL_ZH, ORDER, next_state


class ZoneScreen(ModelScreen):
    def zones(self):
        return sorted(self.recs("zone"), key=lambda z: (z.number, z.id))

    def state_label(self, state: str) -> str:
        """A step of the procedure (workflow.LABEL_ZH / LABEL_EN) in the interface language."""
        return LABEL_ZH[state] if self.app.lang == "zh" else LABEL_EN[state]


class StepModal(ModalScreen["tuple[str, date] | None"]):
    """Ask who takes the next step and when."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, task_title: str, step_label: str, today: date) -> None:
        super().__init__(classes="modal")
        self.task_title, self.step_label, self.today = task_title, step_label, today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.t("step.move_to", step=self.step_label), classes="dialog-title")
            yield Static(self.task_title, markup=False)
            yield Label(self.t("step.who"))
            yield Input(id="step-by", placeholder=self.t("step.who_hint"))
            yield Label(self.t("step.date"))
            yield Input(self.today.isoformat(), id="step-on", placeholder="YYYY-MM-DD")
            yield Label("", id="step-error", classes="field-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        by = self.query_one("#step-by", Input).value.strip()
        try:
            on = date.fromisoformat(self.query_one("#step-on", Input).value.strip())
        except ValueError:
            self.query_one("#step-error", Label).update(self.t("step.bad_date"))
            return
        if not by:
            self.query_one("#step-error", Label).update(self.t("step.no_who"))
            self.query_one("#step-by", Input).focus()
            return
        self.dismiss((by, on))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def t(self, key: str, **values: object) -> str:
        return model_text(self.app, MODEL_ID, key, **values)


class TaskActions:
    """Advancing a task by one step, shared by the board and the detail screen."""

    def advance_task(self, task) -> None:
        target = next_state(task.state)
        if target is None:
            self.app.notify(self.t("task.closed"))
            return
        label = self.state_label(target)
        today = min(self.app.as_of, self.app.ws.today())  # the office's today, never after the day being viewed

        def chosen(answer) -> None:
            if answer:
                self._save_step(task.id, target, *answer)

        self.app.push_screen(StepModal(task.title, label, today), chosen)

    def _save_step(self, task_id: str, target: str, by: str, on: date) -> None:
        ws, org_id = self.app.ws, self.app.org_id
        try:
            task, rev = ws.get(org_id, "task", task_id)
            new_task, step = advance(task, target, by=by, on=on, steps=ws.records(org_id, "task_step"),
                                     team=ws.records(org_id, "team_member"), clues=ws.records(org_id, "clue"),
                                     problems=ws.records(org_id, "problem"))
            ws.save_many(org_id, [(new_task, rev), (step, 0)])
        except CoordError as exc:
            self.app.show_error(exc)
            return
        self.app.notify(self.t("task.moved", title=new_task.title, step=self.state_label(target)))
        self.app.record_saved()
        self.populate()


class TaskBoardScreen(TaskActions, ZoneScreen):
    """任务看板: every task by its step in the procedure; n takes the next step."""

    AUTO_FOCUS = "#tasks"
    BINDINGS = [
        Binding("n", "next", "下一步", id="cz.next"),
        Binding("enter", "open", "Open", id="key.open", show=False),
        Binding("plus", "add", "新建/New", id="key.new"),  # a is the as-of date everywhere
    ]

    def build(self):
        yield Static(id="cz-title")
        yield FitTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="cz-hint")

    def populate(self) -> None:
        self.query_one("#cz-title", Static).update(self.heading("board.title"))
        zone_names = {z.id: z.name.replace("协作区", "") for z in self.zones()}
        table = self.query_one("#tasks", FitTable)
        cols = named(self.t("board.columns"), Col("state", "", rank=1, hide=False), Col("title", "", keep=True),
                     Col("zones", "", rank=3, min=6), Col("deadline", "", rank=2, hide=False), Col("next", "", rank=4, min=6))
        data = []
        self.rows = sorted(self.recs("task"), key=lambda t: (ORDER.index(t.state) == len(ORDER) - 1, ORDER.index(t.state), t.deadline or date.max))
        for t in self.rows:
            nxt = next_state(t.state)
            overdue = t.deadline is not None and t.state != "closed" and t.deadline < self.app.as_of
            deadline = Text(self.day(t.deadline) if t.deadline else "—", style="bold red" if overdue else "")
            data.append(([self.state_label(t.state), t.title, "、".join(zone_names.get(z, z) for z in t.zones),
                          deadline, self.state_label(nxt) if nxt else "—"], t.id))
        table.show(cols, data)
        self.query_one("#cz-hint", Static).update(self.t("board.hint"))

    def selected_task(self):
        table = self.query_one("#tasks", FitTable)
        return self.rows[table.cursor_row] if self.rows and table.cursor_row is not None and table.cursor_row < len(self.rows) else None

    def action_next(self) -> None:
        task = self.selected_task()
        if task is not None:
            self.advance_task(task)

    def action_open(self) -> None:
        task = self.selected_task()
        if task is not None:
            self.app.push_screen(TaskDetailScreen(task.id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_add(self) -> None:
        self.app.new_record(self.app.org_id, "task", {"proposed_on": self.app.as_of.isoformat(), "state": "proposed"})


class TaskDetailScreen(TaskActions, ZoneScreen):
    """任务详情: the task, its team, its steps and what it found; n next step, y transfer, e edit."""

    AUTO_FOCUS = "#found"
    BINDINGS = [
        Binding("n", "next", "下一步", id="cz.next"),
        Binding("y", "transfer", "移送", id="cz.transfer"),  # t, c and p are global keys
        Binding("e", "edit", "编辑", id="cz.edit"),
        Binding("k", "add('clue')", "线索", id="cz.clue", show=False),
        Binding("w", "add('problem')", "问题", id="cz.problem", show=False),
        Binding("b", "add('team_member')", "成员", id="cz.member", show=False),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def build(self):
        yield Static(id="cz-title")
        yield Static(id="cz-task")
        yield FitTable(id="steps", cursor_type="row")
        yield FitTable(id="found", cursor_type="row")
        yield Static(id="cz-hint")

    def current_task(self):
        found = self.app.ws.get(self.app.org_id, "task", self.task_id)
        return found[0] if found else None

    def populate(self) -> None:
        zh = self.app.lang == "zh"
        task = self.current_task()
        if task is None:
            return
        self.query_one("#cz-title", Static).update(self.heading("detail.title", title=task.title))
        zone_names = {z.id: z.name for z in self.zones()}
        depts = {d.id: d.name for d in self.recs("department")}
        team = [m for m in self.recs("team_member") if m.task == task.id]
        kind = task.task_type if zh else TASK_TYPE_EN[task.task_type]
        self.query_one("#cz-task", Static).update(self.t(
            "detail.summary", kind=kind, step=self.state_label(task.state), deadline=task.deadline or "—",
            zones="、".join(zone_names.get(z, z) for z in task.zones) or "—",
            inspected="、".join(depts.get(d, d) for d in task.departments) or "—",
            team="、".join(f"{m.name}（{m.role}）" for m in team) or "—"))
        steps = sorted((s for s in self.recs("task_step") if s.task == task.id), key=lambda s: ORDER.index(s.state))
        self.query_one("#steps", FitTable).show(
            named(self.t("detail.steps"), Col("step", "", keep=True), Col("by", "", keep=True), Col("on", "", rank=1, hide=False)),
            [([self.state_label(s.state), s.by or "—", self.day(s.on)], None) for s in steps])
        self.found_rows = [x for x in [*self.recs("clue"), *self.recs("problem")] if x.task == task.id]
        data = []
        for x in self.found_rows:
            moved = Text(self.day(x.transferred_on), style="green") if x.transferred_on else Text(self.t("detail.not_moved"), style="bold red")
            data.append(([x.title_zh if zh else x.title_en, x.summary, self.day(x.found_on), moved], None))
        self.query_one("#found", FitTable).show(
            named(self.t("detail.found"), Col("kind", "", rank=3, min=4), Col("summary", "", keep=True), Col("found_on", "", rank=2, hide=False),
                  Col("moved", "", rank=1, hide=False)), data)
        self.query_one("#cz-hint", Static).update(self.t("detail.hint"))

    def action_next(self) -> None:
        task = self.current_task()
        if task is not None:
            self.advance_task(task)

    def action_edit(self) -> None:
        self.app.open_record(self.app.org_id, "task", self.task_id)

    def action_add(self, kind: str) -> None:
        prefill = {"task": self.task_id}
        if kind != "team_member":
            prefill["found_on"] = self.app.as_of.isoformat()
        self.app.new_record(self.app.org_id, kind, prefill)

    def action_transfer(self) -> None:
        """Record that the selected lead or problem went to its office today (as-of date)."""
        table = self.query_one("#found", FitTable)
        if not self.found_rows or table.cursor_row is None:
            return
        item = self.found_rows[table.cursor_row]
        if item.transferred_on is not None:
            self.app.notify(self.t("detail.already"))
            return
        ws = self.app.ws
        try:
            current, rev = ws.get(self.app.org_id, item.kind, item.id)
            ws.save(self.app.org_id, current.model_copy(update={"transferred_on": max(self.app.as_of, current.found_on)}), rev=rev)
        except CoordError as exc:
            self.app.show_error(exc)
            return
        office = self.t("office.clue" if item.kind == "clue" else "office.problem")
        self.app.notify(f"{item.summary} → {office}", markup=False)
        self.app.record_saved()
        self.populate()


class ZoneMapScreen(ZoneScreen):
    """协作区一览: each zone with its office, member bodies, supervisors and departments."""

    AUTO_FOCUS = "#zones"

    def build(self):
        yield Static(id="cz-title")
        yield FitTable(id="zones", cursor_type="row")
        yield Static(id="cz-detail")

    def populate(self) -> None:
        self.query_one("#cz-title", Static).update(self.heading("zones.title"))
        offices = {o.id: o.name for o in self.recs("office")}
        count = defaultdict(lambda: defaultdict(int))
        for kind in ("member_body", "supervisor", "department"):
            for r in self.recs(kind):
                count[r.zone][kind] += 1
        self.rows = self.zones()
        self.query_one("#zones", FitTable).show(
            named(self.t("zones.columns"), Col("zone", "", keep=True), Col("office", "", rank=1, min=8),
                  *[Col(k, "", rank=2, hide=False) for k in ("member_body", "supervisor", "department")]),
            [([z.name, offices.get(z.office, "—"), str(count[z.id]["member_body"]), str(count[z.id]["supervisor"]), str(count[z.id]["department"])], z.id)
             for z in self.rows])
        self.show_detail()

    def show_detail(self) -> None:
        if not self.rows:
            return
        table = self.query_one("#zones", FitTable)
        zone = self.rows[min(table.cursor_row or 0, len(self.rows) - 1)]
        def names(kind):
            return "、".join(r.label() for r in self.recs(kind) if r.zone == zone.id)
        text = self.t("zones.detail", zone=zone.name, bodies=names("member_body"), supervisors=names("supervisor"), departments=names("department"))
        self.query_one("#cz-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()


class ReportCalendarScreen(ZoneScreen):
    """报告日历: each zone's monthly reports by month, with quarterly, half-year and annual ones."""

    AUTO_FOCUS = "#reports"
    BINDINGS = [Binding("enter", "fix", "处理/Fix", id="key.open")]

    def build(self):
        yield Static(id="cz-title")
        yield FitTable(id="reports", cursor_type="cell", fixed_columns=1)
        yield Static(id="cz-reason")

    def populate(self) -> None:
        zh = self.app.lang == "zh"
        self.query_one("#cz-title", Static).update(self.heading("reports.title", year=self.app.as_of.year))
        rows = [] if self.app.result is None else [r for r in self.app.result.duties if r.org == self.app.org_id and r.rule.split(".")[1] in
                                                  ("monthly_report", "quarterly_report", "half_year_summary", "annual_summary")]
        year = self.app.as_of.year
        columns = [*Period.of_year(year).sub(PeriodKind.MONTH), *Period.of_year(year).sub(PeriodKind.QUARTER), *Period.of_year(year).sub(PeriodKind.HALF)]
        cols = [Col("zone", self.t("reports.zone"), keep=True)] + [
            Col(str(p), self.t("reports.month", month=p.index) if p.kind is PeriodKind.MONTH else str(p)[4:], hide=False) for p in columns]
        data = []
        index = {(r.duty.subject_id, str(r.duty.period)): r for r in rows}
        self.cells = {}
        for ri, z in enumerate(self.zones()):
            cells = [z.name.replace("协作区", "") if zh else z.name]
            for ci, p in enumerate(columns, start=1):
                row = index.get((z.id, str(p)))
                self.cells[(ri, ci)] = row
                cells.append(Text(STATUS_MARK[row.status], style=status_text(row.status, self.app.lang).style) if row else "")
            data.append((cells, z.id))
        self.query_one("#reports", FitTable).show(cols, data)
        self.show_reason()

    def show_reason(self) -> None:
        table = self.query_one("#reports", FitTable)
        row = self.cells.get((table.cursor_coordinate.row, table.cursor_coordinate.column)) if hasattr(self, "cells") else None
        if row is None:
            text = Text(self.t("reports.legend"))
        else:
            what = row.duty.what_zh if self.app.lang == "zh" else row.duty.what_en
            text = Text(self.t("reports.reason", subject=row.duty.subject, period=row.duty.period.label(self.app.lang), what=what,
                               due=self.day(row.duty.due)))
            text.append(status_text(row.status, self.app.lang))
        self.query_one("#cz-reason", Static).update(text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_reason()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_fix()

    def action_fix(self) -> None:
        table = self.query_one("#reports", FitTable)
        row = self.cells.get((table.cursor_coordinate.row, table.cursor_coordinate.column))
        if row is not None and row.status in (DutyStatus.OVERDUE, DutyStatus.AT_RISK, DutyStatus.DUE):
            self.app.new_record(self.app.org_id, "report", {**row.duty.prefill, "filed_on": self.app.as_of.isoformat()})
