"""Moving a task along the procedure (推进任务), and transferring what it found (移送)."""

from __future__ import annotations

from datetime import date

from coordtui.api import InputError, Record

from county_zones.kinds import Task, TaskStep
from county_zones.workflow import LABEL_EN, LABEL_ZH, check_transition, next_state


def closure_blockers(task: Task, clues: list[Record], problems: list[Record], on: date | None = None) -> list[Record]:
    """What the task found and had not transferred by ``on`` (the closing day; None: at all):
    it cannot close while any remain."""
    return [x for x in [*clues, *problems]
            if x.task == task.id and (x.transferred_on is None or (on is not None and x.transferred_on > on))]


def advance(task: Task, target: str, *, by: str | None, on: date, steps: list[TaskStep], team: list[Record],
            clues: list[Record] = (), problems: list[Record] = ()) -> tuple[Task, TaskStep]:
    """The task moved to ``target`` and the step that records it; InputError if not allowed.

    Only the next step of the procedure is allowed; a team needs its leader, plan, deadline
    and methods; a task closes only when every lead and problem it found is transferred.
    """
    problem = check_transition(task.state, target)
    if problem:
        raise InputError(problem)
    if not by:
        raise InputError("请填写经办人 / record who took this step")
    mine = [s for s in steps if s.task == task.id]
    if mine and on < max(s.on for s in mine):
        raise InputError(f"日期早于上一环节（{max(s.on for s in mine)}） / the date is before the previous step ({max(s.on for s in mine)})")
    if target == "team_formed":
        lacking = [zh for field, zh in (("deadline", "办理时限"), ("plan", "工作方案"), ("methods", "方式方法")) if not getattr(task, field)]
        if not any(m.task == task.id and m.role == "组长" for m in team):
            lacking.append("检查组组长")
        if lacking:
            raise InputError(f"组建检查组前须明确：{'、'.join(lacking)} / before forming the team, record: {', '.join(lacking)}")
    if target == "closed":
        pending = closure_blockers(task, list(clues), list(problems), on)
        if pending:
            names = "、".join(f"{x.title_zh}“{x.summary}”" for x in pending)
            raise InputError(f"尚未移送：{names}，不能办结 / transfer what the task found before closing it")
    step = TaskStep(id=f"{task.id}-{target}", task=task.id, state=target, by=by, on=on)
    return task.model_copy(update={"state": target}), step


def next_label(task: Task, lang: str) -> str | None:
    target = next_state(task.state)
    if target is None:
        return None
    return LABEL_ZH[target] if lang == "zh" else LABEL_EN[target]
