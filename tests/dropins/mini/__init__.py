"""A minimal model dropped in as a folder: teams that file one report a month."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field

from coordtui import hookimpl
from coordtui.api import Duty, ModelSpec, Obligation, PeriodKind, Record, Ref, Rule, Text

__version__ = "9.9"


class Team(Record):
    kind: ClassVar[str] = "team"
    title_zh: ClassVar[str] = "小组"
    title_en: ClassVar[str] = "Team"
    name: Text = Field(min_length=1)
    lead: str | None = None


class Report(Record):
    kind: ClassVar[str] = "report"
    partition_field: ClassVar[str | None] = "filed_on"
    team: Annotated[str, Ref("team")]
    filed_on: date


def check_lead(ctx):
    for team in ctx.records("team"):
        if not team.lead:
            yield ctx.finding("mini.lead", "error", team.name, f"{team.name}没有组长", f"{team.name} has no lead", record=team)


def monthly(ctx):
    for month in ctx.periods(PeriodKind.MONTH):
        for team in ctx.records("team"):
            done = [r.filed_on for r in ctx.records("report") if r.team == team.id and r.filed_on in month]
            yield Duty(subject=team.name, subject_kind="team", subject_id=team.id, period=month, due=month.end,
                       done=done, what_zh="月报", what_en="monthly report", record_kind="report")


MODEL = ModelSpec(id="mini", name_zh="小模型", name_en="Mini", version=__version__, kinds=[Team, Report])


@hookimpl
def coordtui_models():
    return [MODEL]


@hookimpl
def coordtui_rules(model):
    if model.id == "mini":
        return [Rule("mini.lead", "每组有组长", "every team has a lead", check_lead)]


@hookimpl
def coordtui_obligations(model):
    if model.id == "mini":
        return [Obligation("mini.monthly_report", "每月报告", "a report every month", monthly)]


@hookimpl
def coordtui_fixtures(model):
    if model.id == "mini":
        return [{
            "format": "coordtui/1", "model": "mini",
            "org": {"id": "m1", "name": "示例小组", "settings": {"tracking_start": "2026-01-01"}},
            "items": [
                {"kind": "team", "id": "t1", "name": "一组", "lead": "张三"},
                {"kind": "team", "id": "t2", "name": "二组"},
                {"kind": "report", "id": "r1", "team": "t1", "filed_on": "2026-01-20"},
            ],
        }]
