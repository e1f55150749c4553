"""``coordtui plugin new NAME``: a working model package to start from (插件脚手架)."""

from __future__ import annotations

import keyword
from pathlib import Path

from coordtui.errors import InputError

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "A coordtui model: {name}"
requires-python = ">=3.11"
dependencies = ["coordtui"]

[project.entry-points.coordtui]
{name} = "{name}.plugin:PLUGIN"

[tool.setuptools]
packages = ["{name}"]
'''

INIT = '''"""{name}: a coordtui organizational model."""

__version__ = "0.1.0"
MODEL_ID = "{name}"
'''

PLUGIN = '''"""The {name} model: four kinds, one rule, two obligations, a setting, a screen, one example organization.

Rename and extend them; docs/plugins.md of coordtui explains every piece used here: labels
written "中文 English", optional and list references, the model's settings (``ctx.settings``),
a duty per period and a duty per record (``record_id``), and deadlines counted in months
and rolled off holidays.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from coordtui.api import Duty, ModelPlugin, ModelSpec, Obligation, PeriodKind, PersonName, Record, Ref, Rule, Text, lazy_screen

from {name} import MODEL_ID, __version__


class Member(Record):
    """A member (组员)."""

    kind: ClassVar[str] = "member"
    title_zh: ClassVar[str] = "组员"
    title_en: ClassVar[str] = "Member"

    name: PersonName = Field(title="姓名 Name")


class Team(Record):
    """A team (小组) that files a report every month."""

    kind: ClassVar[str] = "team"
    title_zh: ClassVar[str] = "小组"
    title_en: ClassVar[str] = "Team"

    name: Text = Field(min_length=1, title="名称 Name")
    leader: Annotated[str, Ref("member")] | None = Field(None, title="组长 Leader")
    members: list[Annotated[str, Ref("member")]] = Field(default_factory=list, title="组员 Members")


class MonthlyReport(Record):
    """A team's monthly report (月报)."""

    kind: ClassVar[str] = "monthly_report"
    title_zh: ClassVar[str] = "月报"
    title_en: ClassVar[str] = "Monthly report"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "id"

    team: Annotated[str, Ref("team")] = Field(title="小组 Team")
    filed_on: date = Field(title="报送日期 Filed on")


class Issue(Record):
    """A problem a team must fix (问题), within ``fix_months`` of being found."""

    kind: ClassVar[str] = "issue"
    title_zh: ClassVar[str] = "问题"
    title_en: ClassVar[str] = "Issue"
    partition_field: ClassVar[str | None] = "found_on"
    label_field: ClassVar[str] = "text"

    team: Annotated[str, Ref("team")] = Field(title="小组 Team")
    text: Text = Field(min_length=1, title="问题 Issue")
    found_on: date = Field(title="发现日期 Found on")
    fixed_on: date | None = Field(None, title="整改完成日期 Fixed on")


class Settings(BaseModel):
    """What an organization may change in its ``settings``; rules read it as ``ctx.settings``."""

    fix_months: int = Field(1, ge=1, le=12, description="months from finding an issue to fixing it")


def check_leader(ctx):
    for team in ctx.records("team"):
        if not team.leader:
            yield ctx.finding(f"{{MODEL_ID}}.team_leader", "warning", team.name, f"{{team.name}}未明确组长", f"{{team.name}} has no leader", record=team)


def monthly_reports(ctx):
    for month in ctx.periods(PeriodKind.MONTH):
        for team in ctx.records("team"):
            done = [r.filed_on for r in ctx.records("monthly_report") if r.team == team.id and r.filed_on in month]
            yield Duty(subject=team.name, subject_kind="team", subject_id=team.id, period=month, due=month.end, done=done,
                       what_zh="月报", what_en="monthly report", unit_zh="份", record_kind="monthly_report", prefill={{"team": team.id}})


def issue_deadlines(ctx):
    # A duty of one record (no period): fixed within fix_months of being found, the next working day if that is a holiday.
    for issue in ctx.records("issue"):
        due = ctx.calendar.roll_to_working_day(ctx.calendar.add_months(issue.found_on, ctx.settings.fix_months))
        yield Duty(subject=ctx.label("team", issue.team), subject_kind="team", subject_id=issue.team, due=due.date,
                   provisional=due.provisional, done=[issue.fixed_on] if issue.fixed_on else [],
                   what_zh=f"整改“{{issue.text}}”", what_en=f"fixing '{{issue.text}}'", record_kind="issue", record_id=issue.id)


#: Every text the model's screen shows, in both languages (``self.t(key)`` in the screen).
MESSAGES = {{
    "board.title": ("待办事项", "Open duties"),
    "board.columns": ("对象|事项|期间|截止|状态", "Subject|Duty|Period|Due|Status"),
}}

MODEL = ModelSpec(id=MODEL_ID, name_zh="{name}", name_en="{name}", version=__version__, kinds=[Member, Team, MonthlyReport, Issue],
                  settings=Settings, structure_kinds=["team"], messages=MESSAGES)


def example():
    return [{{
        "format": "coordtui/1", "model": MODEL_ID,
        "org": {{"id": "{name}-example", "name": "示例组织", "settings": {{"tracking_start": "2026-01-01", "fix_months": 1}}}},
        "items": [
            {{"kind": "member", "id": "m1", "name": "张  三"}},
            {{"kind": "member", "id": "m2", "name": "李四"}},
            {{"kind": "team", "id": "t1", "name": "第一小组", "leader": "m1", "members": ["m1", "m2"]}},
            {{"kind": "team", "id": "t2", "name": "第二小组"}},
            {{"kind": "monthly_report", "id": "r1", "team": "t1", "filed_on": "2026-01-25"}},
            {{"kind": "issue", "id": "i1", "team": "t2", "text": "台账不全", "found_on": "2026-01-10"}},
        ],
    }}]


PLUGIN = ModelPlugin(
    MODEL,
    rules=[Rule(f"{{MODEL_ID}}.team_leader", "每个小组明确组长", "every team has a leader", check_leader)],
    obligations=[Obligation(f"{{MODEL_ID}}.monthly_report", "每月报送月报", "a report every month", monthly_reports),
                 Obligation(f"{{MODEL_ID}}.issue_fixed", "问题按期整改", "issues fixed in time", issue_deadlines)],
    screens=[lazy_screen(f"{{MODEL_ID}}.screens", "BoardScreen", "board", "待办事项", "Open duties", key="1")],
    fixtures=example,
)
'''

SCREENS = '''"""The {name} model's screen: every open duty, the most overdue first; Enter opens the record that meets it.

Imported only when the screen is opened (``lazy_screen`` in plugin.py), so the model loads without a terminal.
"""

from __future__ import annotations

from textual.widgets import Static

from coordtui.ui import Col, FitTable, ModelScreen, duty_statuses, named, open_duty, status_text


class BoardScreen(ModelScreen):
    """待办事项: the statuses of the organization's duties (``duty_statuses``), open ones only."""

    AUTO_FOCUS = "#board"

    def build(self):
        yield Static(id="board-title")
        yield FitTable(id="board", cursor_type="row", zebra_stripes=True)

    def populate(self) -> None:
        lang = self.app.lang
        self.query_one("#board-title", Static).update(self.heading("board.title"))
        self.rows = list(duty_statuses(self.app).open())
        cols = named(self.t("board.columns"), Col("subject", "", keep=True), Col("what", "", keep=True), Col("period", "", rank=3),
                     Col("due", "", rank=2), Col("status", "", rank=1))
        cells = [([r.subject, r.what(lang), r.period.label(lang) if r.period else "", r.due.isoformat(), status_text(r.status, lang)], str(n))
                 for n, r in enumerate(self.rows)]
        self.query_one("#board", FitTable).show(cols, cells)

    def on_data_table_row_selected(self, event) -> None:
        # A focused table takes Enter itself: this is where Enter on a row arrives.
        row = self.query_one("#board", FitTable).cursor_row
        if self.rows and row is not None and row < len(self.rows):
            open_duty(self.app, self.rows[row])
'''


TEST = '''from datetime import date

from coordtui.testing import check_records

from {name}.plugin import PLUGIN, Issue, MonthlyReport, Team


def findings(records, as_of, **settings):
    return check_records(PLUGIN.model, PLUGIN.rules, PLUGIN.obligations, records, as_of, settings=settings)


def test_a_team_without_leader_and_a_missing_report():
    got = findings([Team(id="t", name="一组"), MonthlyReport(id="r", team="t", filed_on=date(2026, 1, 20))], date(2026, 3, 5))
    assert {{(f.rule, f.period) for f in got}} == {{("{name}.team_leader", None), ("{name}.monthly_report", "2026-02")}}


def test_nothing_to_report():
    records = [Team(id="t", name="一组", leader="m")] + [MonthlyReport(id=f"r{{m}}", team="t", filed_on=date(2026, m, 20)) for m in (1, 2)]
    assert findings(records, date(2026, 3, 5)) == []


def test_an_issue_is_due_a_month_after_it_is_found_or_as_the_organization_sets():
    # Found 2026-09-01: one month is 10-01 (National Day), so it is due on the next working day, 10-08.
    records = [Team(id="t", name="一组", leader="m"), Issue(id="i", team="t", text="台账不全", found_on=date(2026, 9, 1))]
    (late,) = [f for f in findings(records, date(2026, 10, 9)) if f.rule == "{name}.issue_fixed"]
    assert late.severity.value == "error" and "2026-10-08" in late.message_en and "1 day overdue" in late.message_en
    assert [f for f in findings(records, date(2026, 10, 9), fix_months=2) if f.rule == "{name}.issue_fixed"] == []
'''


def scaffold(name: str, folder: Path) -> Path:
    """Write a model package ``name`` under ``folder``; return its project folder."""
    if not name.isidentifier() or keyword.iskeyword(name) or not name.islower():
        raise InputError(f"'{name}' cannot name a model: use lower-case letters, digits and _ (for example branch_reports)")
    project = folder / name
    if project.exists():
        raise InputError(f"{project} already exists: choose another name or --dir")
    package = project / name
    try:
        (project / "tests").mkdir(parents=True)
        package.mkdir()
        (project / "pyproject.toml").write_text(PYPROJECT.format(name=name, dist=f"coordtui-{name.replace('_', '-')}"), encoding="utf-8")
        (package / "__init__.py").write_text(INIT.format(name=name), encoding="utf-8")
        (package / "plugin.py").write_text(PLUGIN.format(name=name), encoding="utf-8")
        (package / "screens.py").write_text(SCREENS.format(name=name), encoding="utf-8")
        (project / "tests" / f"test_{name}.py").write_text(TEST.format(name=name), encoding="utf-8")
        (project / "README.md").write_text(
            f"# {name}\n\nA coordtui model.\n\n```sh\npip install -e .\ncoordtui plugins\ncoordtui init --db /tmp/{name} --examples\n"
            f"coordtui check --db /tmp/{name}\npython -m pytest tests\n```\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{project}: cannot write ({exc.strerror}): check --dir") from None
    return project
