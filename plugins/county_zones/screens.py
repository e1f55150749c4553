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
from coordtui.ui import STATUS_MARK, CoordError, ModelScreen, status_text

from county_zones import MODEL_ID
from county_zones.kinds import TASK_TYPE_EN
from county_zones.procedure import advance, closure_blockers
from county_zones.workflow import LABEL_EN, LABEL_ZH, ORDER, next_state


def _zh(screen) -> bool:
    return screen.app.lang == "zh"


class ZoneScreen(ModelScreen):
    def org(self):
        return self.app.ws.org(self.app.org_id)

    def recs(self, kind: str):
        return self.app.ws.records(self.app.org_id, kind)

    def zones(self):
        return sorted(self.recs("zone"), key=lambda z: (z.number, z.id))

    def title_line(self, zh: str, en: str) -> Text:
        return Text(f"{zh if _zh(self) else en} · {self.org().name} · {'截至' if _zh(self) else 'as of'} {self.app.as_of.isoformat()}", style="bold")


class StepModal(ModalScreen["tuple[str, date] | None"]):
    """Ask who takes the next step and when."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, task_title: str, step_label: str, today: date) -> None:
        super().__init__(classes="modal")
        self.task_title, self.step_label, self.today = task_title, step_label, today

    def compose(self) -> ComposeResult:
        zh = self.app.lang == "zh"
        with Vertical(classes="dialog"):
            yield Label(f"{'推进到' if zh else 'Move to'}：{self.step_label}", classes="dialog-title")
            yield Static(self.task_title)
            yield Label("经办人" if zh else "Who")
            yield Input(id="step-by", placeholder="经办人" if zh else "name or office")
            yield Label("日期" if zh else "Date")
            yield Input(self.today.isoformat(), id="step-on", placeholder="YYYY-MM-DD")
            yield Label("", id="step-error", classes="field-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        by = self.query_one("#step-by", Input).value.strip()
        try:
            on = date.fromisoformat(self.query_one("#step-on", Input).value.strip())
        except ValueError:
            self.query_one("#step-error", Label).update("日期格式应为 YYYY-MM-DD" if self.app.lang == "zh" else "write the date as YYYY-MM-DD")
            return
        if not by:
            self.query_one("#step-error", Label).update("请填写经办人" if self.app.lang == "zh" else "record who takes the step")
            self.query_one("#step-by", Input).focus()
            return
        self.dismiss((by, on))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TaskActions:
    """Advancing a task by one step, shared by the board and the detail screen."""

    def advance_task(self, task) -> None:
        target = next_state(task.state)
        if target is None:
            self.app.notify("任务已办结" if _zh(self) else "The task is closed")
            return
        label = LABEL_ZH[target] if _zh(self) else LABEL_EN[target]
        today = min(self.app.as_of, date.today()) if self.app.as_of <= date.today() else date.today()

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
        self.app.notify(f"{new_task.title}：{LABEL_ZH[target] if _zh(self) else LABEL_EN[target]}")
        self.app.record_saved()
        self.populate()


class TaskBoardScreen(TaskActions, ZoneScreen):
    """任务看板: every task by its step in the procedure; n takes the next step."""

    AUTO_FOCUS = "#tasks"
    KEY_LABELS = {"cz.next": ("下一步", "Next step")}
    BINDINGS = [
        Binding("n", "next", "下一步", id="cz.next"),
        Binding("enter", "open", "Open", id="key.open", show=False),
        Binding("a", "add", "新建/New", id="key.new"),
    ]

    def build(self):
        yield Static(id="cz-title")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="cz-hint")

    def populate(self) -> None:
        zh = _zh(self)
        self.query_one("#cz-title", Static).update(self.title_line("任务看板", "Task board"))
        zone_names = {z.id: z.name.replace("协作区", "") for z in self.zones()}
        table = self.query_one("#tasks", DataTable)
        table.clear(columns=True)
        narrow = self.app.size.width < 110
        for n, name in enumerate(["环节", "任务", "承办", "时限", "下一步"] if zh else ["Step", "Task", "Zones", "Deadline", "Next"]):
            table.add_column(name, width=(12 if n in (0, 4) else 20 if n == 1 else None) if narrow else None)
        self.rows = sorted(self.recs("task"), key=lambda t: (ORDER.index(t.state) == len(ORDER) - 1, ORDER.index(t.state), t.deadline or date.max))
        for t in self.rows:
            nxt = next_state(t.state)
            overdue = t.deadline is not None and t.state != "closed" and t.deadline < self.app.as_of
            deadline = Text(t.deadline.isoformat() if t.deadline else "—", style="bold red" if overdue else "")
            table.add_row(LABEL_ZH[t.state] if zh else LABEL_EN[t.state], t.title, "、".join(zone_names.get(z, z) for z in t.zones),
                          deadline, (LABEL_ZH[nxt] if zh else LABEL_EN[nxt]) if nxt else "—", key=t.id)
        self.query_one("#cz-hint", Static).update("n 推进到下一步 · Enter 任务详情 · a 新建任务" if zh else "n next step · Enter details · a new task")

    def selected_task(self):
        table = self.query_one("#tasks", DataTable)
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
    """任务详情: the task, its team, its steps and what it found; n next step, t transfer, e edit."""

    AUTO_FOCUS = "#found"
    KEY_LABELS = {"cz.next": ("下一步", "Next step"), "cz.transfer": ("移送", "Transfer"), "cz.edit": ("编辑", "Edit"),
                  "cz.clue": ("记线索", "Add lead"), "cz.problem": ("记问题", "Add problem"), "cz.member": ("加成员", "Add member")}
    BINDINGS = [
        Binding("n", "next", "下一步", id="cz.next"),
        Binding("t", "transfer", "移送", id="cz.transfer"),
        Binding("e", "edit", "编辑", id="cz.edit"),
        Binding("c", "add('clue')", "线索", id="cz.clue", show=False),
        Binding("p", "add('problem')", "问题", id="cz.problem", show=False),
        Binding("b", "add('team_member')", "成员", id="cz.member", show=False),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def build(self):
        yield Static(id="cz-title")
        yield Static(id="cz-task")
        yield DataTable(id="steps", cursor_type="row")
        yield DataTable(id="found", cursor_type="row")
        yield Static(id="cz-hint")

    def current_task(self):
        found = self.app.ws.get(self.app.org_id, "task", self.task_id)
        return found[0] if found else None

    def populate(self) -> None:
        zh = _zh(self)
        task = self.current_task()
        if task is None:
            return
        self.query_one("#cz-title", Static).update(self.title_line(f"任务详情：{task.title}", f"Task: {task.title}"))
        zone_names = {z.id: z.name for z in self.zones()}
        depts = {d.id: d.name for d in self.recs("department")}
        team = [m for m in self.recs("team_member") if m.task == task.id]
        kind = task.task_type if zh else TASK_TYPE_EN[task.task_type]
        lines = [
            f"{'类型' if zh else 'Type'}：{kind}    {'环节' if zh else 'Step'}：{LABEL_ZH[task.state] if zh else LABEL_EN[task.state]}    "
            f"{'时限' if zh else 'Deadline'}：{task.deadline or '—'}",
            f"{'承办' if zh else 'Zones'}：{'、'.join(zone_names.get(z, z) for z in task.zones) or '—'}    "
            f"{'检查对象' if zh else 'Inspected'}：{'、'.join(depts.get(d, d) for d in task.departments) or '—'}",
            f"{'检查组' if zh else 'Team'}：{'、'.join(f'{m.name}（{m.role}）' for m in team) or '—'}",
        ]
        self.query_one("#cz-task", Static).update("\n".join(lines))
        steps = sorted((s for s in self.recs("task_step") if s.task == task.id), key=lambda s: ORDER.index(s.state))
        table = self.query_one("#steps", DataTable)
        table.clear(columns=True)
        table.add_columns(*(["环节", "经办人", "日期"] if zh else ["Step", "By", "On"]))
        for s in steps:
            table.add_row(LABEL_ZH[s.state] if zh else LABEL_EN[s.state], s.by or "—", s.on.isoformat())
        self.found_rows = [x for x in [*self.recs("clue"), *self.recs("problem")] if x.task == task.id]
        found = self.query_one("#found", DataTable)
        found.clear(columns=True)
        found.add_columns(*(["类别", "概要", "发现", "移送"] if zh else ["Kind", "Summary", "Found", "Transferred"]))
        for x in self.found_rows:
            moved = Text(x.transferred_on.isoformat(), style="green") if x.transferred_on else Text("未移送" if zh else "not yet", style="bold red")
            found.add_row(x.title_zh if zh else x.title_en, x.summary, x.found_on.isoformat(), moved)
        self.query_one("#cz-hint", Static).update(
            "n 下一步 · t 移送所选线索/问题 · e 编辑任务 · b 加成员 · c 记线索 · p 记问题" if zh else
            "n next step · t transfer the selected item · e edit · b add member · c add lead · p add problem")

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
        table = self.query_one("#found", DataTable)
        if not self.found_rows or table.cursor_row is None:
            return
        item = self.found_rows[table.cursor_row]
        if item.transferred_on is not None:
            self.app.notify("已移送" if _zh(self) else "Already transferred")
            return
        ws = self.app.ws
        try:
            current, rev = ws.get(self.app.org_id, item.kind, item.id)
            ws.save(self.app.org_id, current.model_copy(update={"transferred_on": max(self.app.as_of, current.found_on)}), rev=rev)
        except CoordError as exc:
            self.app.show_error(exc)
            return
        office = ("案件监督管理室" if item.kind == "clue" else "党风政风监督室") if _zh(self) else ("case supervision office" if item.kind == "clue" else "conduct supervision office")
        self.app.notify(f"{item.summary} → {office}")
        self.app.record_saved()
        self.populate()


class ZoneMapScreen(ZoneScreen):
    """协作区一览: each zone with its office, member bodies, supervisors and departments."""

    AUTO_FOCUS = "#zones"

    def build(self):
        yield Static(id="cz-title")
        yield DataTable(id="zones", cursor_type="row")
        yield Static(id="cz-detail")

    def populate(self) -> None:
        zh = _zh(self)
        self.query_one("#cz-title", Static).update(self.title_line("协作区一览", "Zones"))
        offices = {o.id: o.name for o in self.recs("office")}
        count = defaultdict(lambda: defaultdict(int))
        for kind in ("member_body", "supervisor", "department"):
            for r in self.recs(kind):
                count[r.zone][kind] += 1
        table = self.query_one("#zones", DataTable)
        table.clear(columns=True)
        table.add_columns(*(["协作区", "对口联系室", "成员单位", "特约监察员", "部门"] if zh else ["Zone", "Office", "Bodies", "Supervisors", "Depts"]))
        self.rows = self.zones()
        for z in self.rows:
            c = count[z.id]
            table.add_row(z.name, offices.get(z.office, "—"), str(c["member_body"]), str(c["supervisor"]), str(c["department"]), key=z.id)
        self.show_detail()

    def show_detail(self) -> None:
        if not self.rows:
            return
        zh = _zh(self)
        table = self.query_one("#zones", DataTable)
        zone = self.rows[min(table.cursor_row or 0, len(self.rows) - 1)]
        def names(kind):
            return "、".join(r.label() for r in self.recs(kind) if r.zone == zone.id)
        text = (f"{zone.name}\n{'成员单位' if zh else 'Bodies'}：{names('member_body')}\n"
                f"{'特约监察员' if zh else 'Supervisors'}：{names('supervisor')}\n{'监督检查部门' if zh else 'Departments'}：{names('department')}")
        self.query_one("#cz-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()


class ReportCalendarScreen(ZoneScreen):
    """报告日历: each zone's monthly reports by month, with quarterly, half-year and annual ones."""

    AUTO_FOCUS = "#reports"
    BINDINGS = [Binding("enter", "fix", "处理/Fix", id="key.open")]

    def build(self):
        yield Static(id="cz-title")
        yield DataTable(id="reports", cursor_type="cell")
        yield Static(id="cz-reason")

    def populate(self) -> None:
        zh = _zh(self)
        self.query_one("#cz-title", Static).update(self.title_line(f"{self.app.as_of.year}年报告日历", f"Reports {self.app.as_of.year}"))
        rows = [] if self.app.result is None else [r for r in self.app.result.duties if r.org == self.app.org_id and r.rule.split(".")[1] in
                                                  ("monthly_report", "quarterly_report", "half_year_summary", "annual_summary")]
        year = self.app.as_of.year
        columns = [*Period.of_year(year).sub(PeriodKind.MONTH), *Period.of_year(year).sub(PeriodKind.QUARTER), *Period.of_year(year).sub(PeriodKind.HALF)]
        table = self.query_one("#reports", DataTable)
        table.clear(columns=True)
        table.add_column("协作区" if zh else "Zone")
        for p in columns:
            label = f"{p.index}月" if p.kind is PeriodKind.MONTH and zh else (f"{p.index:02d}" if p.kind is PeriodKind.MONTH else str(p)[4:])
            table.add_column(label, key=str(p))
        index = {(r.duty.subject_id, str(r.duty.period)): r for r in rows}
        self.cells = {}
        for ri, z in enumerate(self.zones()):
            cells = [z.name.replace("协作区", "") if zh else z.name]
            for ci, p in enumerate(columns, start=1):
                row = index.get((z.id, str(p)))
                self.cells[(ri, ci)] = row
                cells.append(Text(STATUS_MARK[row.status], style=status_text(row.status, self.app.lang).style) if row else "")
            table.add_row(*cells, key=z.id)
        self.show_reason()

    def show_reason(self) -> None:
        table = self.query_one("#reports", DataTable)
        row = self.cells.get((table.cursor_coordinate.row, table.cursor_coordinate.column)) if hasattr(self, "cells") else None
        zh = _zh(self)
        if row is None:
            text = Text("✓ 已报 · ◐ 逾期报送 · ! 临期 · ✗ 逾期未报 · · 未到期；Enter 补报" if zh else "✓ filed · ◐ late · ! at risk · ✗ overdue · · not due; Enter files it")
        else:
            text = Text(f"{row.duty.subject} {row.duty.period.label(self.app.lang)} {row.duty.what_zh if zh else row.duty.what_en}："
                        f"{'截止' if zh else 'due'} {row.duty.due.isoformat()}  ")
            text.append(status_text(row.status, self.app.lang))
        self.query_one("#cz-reason", Static).update(text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_reason()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_fix()

    def action_fix(self) -> None:
        table = self.query_one("#reports", DataTable)
        row = self.cells.get((table.cursor_coordinate.row, table.cursor_coordinate.column))
        if row is not None and row.status in (DutyStatus.OVERDUE, DutyStatus.AT_RISK, DutyStatus.DUE):
            self.app.new_record(self.app.org_id, "report", {**row.duty.prefill, "filed_on": self.app.as_of.isoformat()})
