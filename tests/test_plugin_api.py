"""A sixth model written from the documents alone, through ``coordtui.api`` and ``coordtui.ui``:
巡察整改 (rectification after an inspection tour). Each part of it is one of the traps a
first-time author met (issue 21), and each test asserts what a user sees."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Optional

import pytest
from pydantic import BaseModel, Field, computed_field, model_validator

from coordtui.api import (
    Duty,
    DutyStatus,
    DutyStatuses,
    InputError,
    ModelPlugin,
    ModelSpec,
    Obligation,
    PersonName,
    Record,
    Ref,
    Rule,
    ScreenSpec,
    Text,
    invalid,
)
from coordtui.testing import check_records, context_for, drive, example_workspace, run_check

# The model -----------------------------------------------------------------------------------


class Inspector(Record):
    """A cadre of the inspection tour (巡察干部)."""

    kind: ClassVar[str] = "inspector"
    title_zh: ClassVar[str] = "巡察干部"
    title_en: ClassVar[str] = "Inspector"
    name: PersonName = Field(title="姓名 Name")


class Unit(Record):
    """An inspected unit (被巡察单位)."""

    kind: ClassVar[str] = "unit"
    title_zh: ClassVar[str] = "被巡察单位"
    title_en: ClassVar[str] = "Inspected unit"
    name: Text = Field(min_length=1, title="名称 Name")


class Team(Record):
    """An inspection team (巡察组): every natural spelling of a reference."""

    kind: ClassVar[str] = "team"
    title_zh: ClassVar[str] = "巡察组"
    title_en: ClassVar[str] = "Inspection team"
    name: Text = Field(min_length=1, title="名称 Name")
    leader: Annotated[str, Ref("inspector")] | None = Field(None, title="组长 Leader")
    deputy: Optional[Annotated[str, Ref("inspector")]] = Field(None, title="副组长 Deputy")
    liaison: Annotated[str | None, Ref("inspector")] = Field(None, title="联络员 Liaison")
    members: list[Annotated[str, Ref("inspector")]] = Field(default_factory=list, title="组员 Members")
    units: Annotated[list[str], Ref("unit")] = Field(default_factory=list, title="巡察对象 Units")


class Feedback(Record):
    """The tour's feedback to a unit (巡察反馈); its rectification report is due two months later."""

    kind: ClassVar[str] = "feedback"
    title_zh: ClassVar[str] = "巡察反馈"
    title_en: ClassVar[str] = "Feedback"
    partition_field: ClassVar[str | None] = "given_on"
    label_field: ClassVar[str] = "id"
    unit: Annotated[str, Ref("unit")] = Field(title="单位 Unit")
    given_on: date = Field(title="反馈日期 Given on")
    report_on: date | None = Field(None, title="整改报告报送日期 Report filed on")

    @model_validator(mode="after")
    def _report_after_feedback(self) -> "Feedback":
        if self.report_on is not None and self.report_on < self.given_on:
            raise invalid("整改报告早于巡察反馈", "the rectification report predates the feedback")
        return self


class Problem(Record):
    """A problem the tour found (问题), with its rectification deadline; labelled by number and text."""

    kind: ClassVar[str] = "problem"
    title_zh: ClassVar[str] = "问题"
    title_en: ClassVar[str] = "Problem"
    label_field: ClassVar[str] = "title"
    number: int = Field(ge=1, title="序号 Number")
    text: Text = Field(min_length=1, title="问题 Problem")
    unit: Annotated[str, Ref("unit")] = Field(title="单位 Unit")
    deadline: date = Field(title="整改期限 Deadline")
    rectified_on: date | None = Field(None, title="整改完成日期 Rectified on")

    @computed_field
    @property
    def title(self) -> str:
        return f"问题{self.number}：{self.text}"


class TourSettings(BaseModel):
    """巡察整改 settings."""

    report_months: int = Field(2, ge=1, le=12, description="months from feedback to the rectification report")


def rectification_reports(ctx):
    # ctx.settings is the model's own settings object, the organization's override applied.
    assert isinstance(ctx.settings, TourSettings)
    for fb in ctx.records("feedback"):
        due = ctx.calendar.roll_to_working_day(ctx.calendar.add_months(fb.given_on, ctx.settings.report_months))
        yield Duty(subject=ctx.label("unit", fb.unit), subject_kind="unit", subject_id=fb.unit, due=due.date,
                   provisional=due.provisional, done=[fb.report_on] if fb.report_on else [],
                   what_zh="整改报告", what_en="rectification report", record_kind="feedback", record_id=fb.id)


def problem_rectification(ctx):
    for p in ctx.records("problem"):
        yield Duty(subject=p.label(), subject_kind="problem", subject_id=p.id, due=p.deadline,
                   done=[p.rectified_on] if p.rectified_on else [], what_zh="整改", what_en="rectification",
                   record_kind="problem", record_id=p.id)


def team_leader(ctx):
    for team in ctx.records("team"):
        if not team.leader:
            yield ctx.finding("tour.team_leader", "warning", team.name, f"{team.name}未明确组长", f"{team.name} has no leader", record=team)


MESSAGES = {
    "board.title": ("整改看板", "Rectification board"),
    "board.columns": ("对象|事项|期限|状态", "Subject|Duty|Due|Status"),
    "board.none": ("没有待整改事项", "Nothing to rectify"),
}

MODEL = ModelSpec(id="tour", name_zh="巡察整改", name_en="Tour rectification", version="1.0",
                  kinds=[Inspector, Unit, Team, Feedback, Problem], settings=TourSettings,
                  structure_kinds=["unit", "team"], messages=MESSAGES)


def board_screen(app):
    from coordtui.ui import Col, FitTable, ModelScreen, duty_statuses, named, open_duty, status_text

    class BoardScreen(ModelScreen):
        """整改看板: every open deadline, the most overdue first; Enter opens its record."""

        AUTO_FOCUS = "#board"

        def build(self):
            from textual.widgets import Static

            yield Static(id="board-title")
            yield FitTable(id="board", cursor_type="row")

        def populate(self):
            from textual.widgets import Static

            self.query_one("#board-title", Static).update(self.heading("board.title"))
            self.rows = list(duty_statuses(self.app).per_record().open())
            cols = named(self.t("board.columns"), Col("subject", "", keep=True), Col("what", "", keep=True), Col("due", "", rank=2),
                         Col("status", "", rank=1))
            self.query_one("#board", FitTable).show(cols, [([r.subject, r.what(self.app.lang), r.due.isoformat(),
                                                              status_text(r.status, self.app.lang)], str(n)) for n, r in enumerate(self.rows)])

        def on_data_table_row_selected(self, event):
            table = self.query_one("#board", FitTable)
            if self.rows and table.cursor_row is not None:
                open_duty(self.app, self.rows[table.cursor_row])

    return BoardScreen()


def example():
    return [{
        "format": "coordtui/1", "model": "tour",
        "org": {"id": "tour-demo", "name": "示例区委巡察办", "settings": {"tracking_start": "2026-01-01", "report_months": 2}},
        "items": [
            {"kind": "inspector", "id": "i1", "name": "孙  刚"},
            {"kind": "inspector", "id": "i2", "name": "李明"},
            {"kind": "unit", "id": "u1", "name": "区教育局"},
            {"kind": "unit", "id": "u2", "name": "区卫健委"},
            {"kind": "team", "id": "t1", "name": "第一巡察组", "leader": "i1", "members": ["i2"], "units": ["u1", "u2"]},
            {"kind": "feedback", "id": "fb1", "unit": "u1", "given_on": "2026-08-01"},
            {"kind": "problem", "id": "p1", "number": 1, "text": "三重一大制度执行不严", "unit": "u1", "deadline": "2026-09-30"},
            {"kind": "problem", "id": "p2", "number": 2, "text": "公务接待超标准", "unit": "u1", "deadline": "2026-10-14"},
            {"kind": "problem", "id": "p3", "number": 3, "text": "固定资产账实不符", "unit": "u2", "deadline": "2026-09-15",
             "rectified_on": "2026-09-10"},
        ],
    }]


PLUGIN = ModelPlugin(
    MODEL,
    rules=[Rule("tour.team_leader", "每个巡察组明确组长", "every team has a leader", team_leader)],
    obligations=[Obligation("tour.rectification_report", "两个月内报送整改报告", "a rectification report within two months", rectification_reports),
                 Obligation("tour.problem_rectification", "问题按期整改", "problems rectified by their deadlines", problem_rectification)],
    screens=[ScreenSpec("board", "整改看板", "Board", board_screen, key="1")],
    fixtures=example,
)

AS_OF = date(2026, 10, 1)


@pytest.fixture
def ws(tmp_path):
    return example_workspace(tmp_path, modules=[("tour", PLUGIN)], autoload=False)


def records():
    return [Unit(id="u1", name="区教育局"), Feedback(id="fb1", unit="u1", given_on=date(2026, 8, 1)),
            Problem(id="p1", number=1, text="三重一大制度执行不严", unit="u1", deadline=date(2026, 9, 30))]


# Settings --------------------------------------------------------------------------------------


def test_a_rule_gets_the_models_own_settings_with_the_organizations_override_and_the_core_beside_them():
    ctx = context_for(MODEL, [], AS_OF, settings={"report_months": 1, "at_risk_days": 5})
    assert isinstance(ctx.settings, TourSettings) and ctx.settings.report_months == 1
    assert ctx.core.at_risk_days == 5 and ctx.core.tracking_start == date(2026, 1, 1)
    assert context_for(MODEL, [], AS_OF).settings.report_months == 2  # the default
    # Passing settings keeps the test organization's tracking start unless they name another.
    assert context_for(MODEL, [], AS_OF, settings={"report_months": 3}).tracking_start == date(2026, 1, 1)
    assert context_for(MODEL, [], AS_OF, settings={"tracking_start": "2026-06-01"}).tracking_start == date(2026, 6, 1)


def test_the_override_moves_the_deadline_two_months_rolling_off_national_day_or_one_month():
    # Feedback on 2026-08-01: two months is Oct 1 (国庆, off until Oct 7), so the report is due Oct 8.
    two = run_check(MODEL, PLUGIN.rules, PLUGIN.obligations, records(), date(2026, 10, 9))
    (row,) = DutyStatuses(two.duties).rule("tour.rectification_report")
    assert row.due == date(2026, 10, 8) and row.status is DutyStatus.OVERDUE and not row.provisional
    (finding,) = [f for f in two.findings if f.rule == "tour.rectification_report"]
    assert finding.message_en == "区教育局: rectification report not done; due 2026-10-08, 1 day overdue"
    assert finding.message == "区教育局整改报告未完成（应于2026-10-08前完成），已逾期1天"
    one = run_check(MODEL, PLUGIN.rules, PLUGIN.obligations, records(), date(2026, 10, 9), settings={"report_months": 1})
    assert DutyStatuses(one.duties).rule("tour.rectification_report").rows[0].due == date(2026, 9, 1)
    later = check_records(MODEL, PLUGIN.rules, PLUGIN.obligations, records(), date(2026, 10, 12), rule="rectification_report")
    assert "4 days overdue" in later[0].message_en


def test_a_provisional_year_marks_the_rolled_deadline():
    late = [Unit(id="u1", name="区教育局"), Feedback(id="fb1", unit="u1", given_on=date(2031, 8, 1))]
    ctx_settings = {"tracking_start": "2031-01-01"}
    result = run_check(MODEL, PLUGIN.rules, PLUGIN.obligations, late, date(2031, 9, 1), settings=ctx_settings)
    (row,) = DutyStatuses(result.duties).rule("tour.rectification_report")
    assert row.due == date(2031, 10, 6) and row.provisional  # computed 国庆 Oct 1-3, then a weekend


def test_an_unknown_setting_is_refused_naming_the_known_ones():
    with pytest.raises(InputError, match="unknown setting 'report_month'.*report_months"):
        context_for(MODEL, [], AS_OF, settings={"report_month": 1})


# References ------------------------------------------------------------------------------------


def test_every_spelling_of_a_reference_is_a_reference_and_a_picker():
    from coordtui.forms import field_specs

    assert Team.references() == {"leader": "inspector", "deputy": "inspector", "liaison": "inspector",
                                 "members": "inspector", "units": "unit"}
    widgets = {s.name: (s.widget, s.ref_kind, s.optional) for s in field_specs(Team)}
    assert widgets["leader"] == widgets["deputy"] == widgets["liaison"] == ("ref", "inspector", True)
    assert widgets["members"] == ("refs", "inspector", True) and widgets["units"] == ("refs", "unit", True)


def test_an_import_refuses_dangling_optional_and_list_references_all_at_once(ws, tmp_path):
    from coordtui.interchange import validate_document

    doc = example()[0]
    doc["items"] = doc["items"][:4] + [
        {"kind": "team", "id": "t1", "name": "第一巡察组", "leader": "p_nobody", "members": ["i2", "ghost"], "units": ["u9"]},
        {"kind": "team", "id": "t2", "name": "第二巡察组", "deputy": "nobody2"},
    ]
    with pytest.raises(InputError) as caught:
        validate_document(doc, ws, "tour.json")
    message = caught.value.message
    assert message.startswith("4 problems: ")
    for part in ("item 5 (kind team): field leader: no inspector with id 'p_nobody'", "field members: no inspector with id 'ghost'",
                 "field units: no unit with id 'u9'", "item 6 (kind team): field deputy: no inspector with id 'nobody2'"):
        assert part in message


def test_an_import_reports_every_bad_item_capped_with_a_count(ws):
    from coordtui.interchange import validate_document

    doc = example()[0]
    doc["items"] = [{"kind": "unit", "id": f"u{n}"} for n in range(25)]  # each lacks its name
    with pytest.raises(InputError) as caught:
        validate_document(doc, ws, "tour.json")
    message = caught.value.message
    assert message.startswith("25 problems: ") and message.endswith("; and 5 more")
    assert message.count("field name: required field is missing") == 20
    assert caught.value.text("zh").startswith("共25处问题：") and caught.value.text("zh").endswith("另有5处")


def test_a_whole_record_problem_reads_without_a_field_prefix(ws):
    from coordtui.interchange import validate_document

    doc = example()[0]
    doc["items"] = [{"kind": "unit", "id": "u1", "name": "区教育局"},
                    {"kind": "feedback", "id": "f", "unit": "u1", "given_on": "2026-08-01", "report_on": "2026-07-01"}]
    with pytest.raises(InputError) as caught:
        validate_document(doc, ws, "tour.json")
    assert caught.value.message == "tour.json: item 2 (kind feedback): the rectification report predates the feedback"


@pytest.mark.parametrize("annotation, named", [
    ("dict[str, Annotated[str, Ref('unit')]]", "dict[str, Annotated[str, Ref('unit')]]"),
    ("list[list[Annotated[str, Ref('unit')]]]", "list[list[Annotated[str, Ref('unit')]]]"),
    ("Annotated[int, Ref('unit')]", "Annotated[int, Ref('unit')]"),
    ("Annotated[str, Ref('unit')] | int", "Annotated[str, Ref('unit')], int"),
])
def test_a_reference_spelt_so_it_cannot_work_is_refused_at_load_naming_the_spelling_that_does(annotation, named):
    namespace = {"Annotated": Annotated, "Ref": Ref, "Record": Record, "ClassVar": ClassVar, "Unit": Unit}
    source = f"class Bad(Record):\n    kind: ClassVar[str] = 'bad'\n    target: {annotation} = None\n"
    exec(compile(source, "<kind>", "exec", dont_inherit=True), namespace)  # annotations evaluated, as in a plugin without the future import
    with pytest.raises(ValueError) as caught:
        ModelSpec(id="broken", name_zh="坏", name_en="Broken", version="1", kinds=[Unit, namespace["Bad"]])
    message = str(caught.value)
    assert message.startswith("model broken: kind 'bad' field 'target': Ref('unit') cannot work in ") and named in message
    assert "list[Annotated[str, Ref(kind)]]" in message and "Annotated[str, Ref(kind)] | None" in message


def test_the_host_switches_off_a_model_with_an_unworkable_reference_and_says_why():
    from coordtui.api import ModelPlugin
    from coordtui.plugins import PluginHost

    class Bad(Record):
        kind: ClassVar[str] = "bad"
        target: dict[str, Annotated[str, Ref("unit")]] = {}

    class Broken:
        from coordtui import hookimpl

        @hookimpl
        def coordtui_models(self):
            return [ModelSpec(id="broken", name_zh="坏", name_en="Broken", version="1", kinds=[Unit, Bad])]

    host = PluginHost(modules=[("broken", Broken()), ("tour", PLUGIN)], autoload=False).load()
    assert "tour" in host.models and "broken" not in host.models
    info = host.plugins["broken"]
    assert info.status != "ok" and "field 'target'" in info.cause and "list[Annotated[str, Ref(kind)]]" in info.cause


# A computed label ------------------------------------------------------------------------------


def test_a_computed_label_is_shown_and_survives_the_store(ws):
    problem, rev = ws.get("tour-demo", "problem", "p1")
    assert problem.label() == "问题1：三重一大制度执行不严"
    ws.save("tour-demo", problem.model_copy(update={"rectified_on": date(2026, 9, 20)}), rev=rev)
    again, _ = ws.get("tour-demo", "problem", "p1")
    assert again.rectified_on == date(2026, 9, 20) and again.label() == "问题1：三重一大制度执行不严"


# Per-record duties, the dashboard, the reports and a screen ------------------------------------


def test_per_record_duties_are_counted_on_the_dashboard_and_open_their_record(ws):
    async def scenario(app, pilot):
        screen = app.screen
        summary = str(screen.summary_text())
        assert "限期 1/4" in summary and "本期 0/0" not in summary  # p3 met; fb1, p1, p2 open
        await pilot.press("l")  # English: the same count, no Chinese word of it left
        await pilot.pause()
        english = str(app.screen.summary_text())
        assert "Deadlines 1/4" in english and "限期" not in english and "Period 0/0" not in english
        await pilot.press("l")
        await pilot.pause()
        shown = [(r.duty.subject, r.status) for r in screen.rows]
        assert ("问题1：三重一大制度执行不严", DutyStatus.OVERDUE) in shown
        assert ("区教育局", DutyStatus.AT_RISK) in shown and ("问题2：公务接待超标准", DutyStatus.AT_RISK) in shown
        row = next(i for i, r in enumerate(screen.rows) if r.duty.subject_id == "p1")
        screen.query_one("#duties").move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert form.kind == "problem" and form.record is not None and form.record.id == "p1"

    drive(ws, scenario, org_id="tour-demo", as_of=AS_OF)


def test_the_model_screen_reads_statuses_and_enter_opens_the_existing_record_and_forms_offer_pickers(ws):
    from textual.widgets import Select, SelectionList

    async def scenario(app, pilot):
        await pilot.press("m", "1")
        await pilot.pause()
        screen = app.screen
        assert [(r.subject, r.status) for r in screen.rows] == [
            ("问题1：三重一大制度执行不严", DutyStatus.OVERDUE),
            ("区教育局", DutyStatus.AT_RISK),  # the report is due 2026-10-08, within 14 days
            ("问题2：公务接待超标准", DutyStatus.AT_RISK),
        ]
        table = screen.query_one("#board")
        assert "已逾期" in str(table.get_row_at(0)[-1])
        from coordtui.ui import model_settings

        assert isinstance(model_settings(app), TourSettings) and model_settings(app).report_months == 2
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.kind == "feedback" and app.screen.record.id == "fb1"
        # The team's optional and list references are pickers, whatever their spelling.
        app.open_record("tour-demo", "team", "t1")
        await pilot.pause()
        form = app.screen
        leader, deputy = form.query_one("#f-leader", Select), form.query_one("#f-deputy", Select)
        assert leader.value == "i1" and deputy.value is Select.NULL
        assert [label for label, _ in form._options(next(s for s in form.specs if s.name == "deputy"))] == ["孙刚", "李明"]
        assert isinstance(form.query_one("#f-liaison"), Select)
        members, units = form.query_one("#f-members", SelectionList), form.query_one("#f-units", SelectionList)
        assert members.selected == ["i2"] and sorted(units.selected) == ["u1", "u2"]

    drive(ws, scenario, org_id="tour-demo", as_of=AS_OF)


def test_the_reports_count_per_record_duties_in_the_period_of_their_due_date(ws):
    from coordtui.api import Period
    from coordtui.exports import export

    md = export(ws, "tour-demo", "md", as_of=AS_OF, period=Period.parse("2026Q3")).decode()
    assert "应办事项 2 项：已完成 1，逾期完成 0，已逾期 1" in md  # p3 met, p1 overdue (fb1 and p2 fall due in Q4)
    assert "问题1：三重一大制度执行不严整改未完成" in md
    q4 = export(ws, "tour-demo", "md", as_of=AS_OF, period=Period.parse("2026Q4")).decode()
    assert "应办事项 2 项" in q4
    import io

    import docx

    report = docx.Document(io.BytesIO(export(ws, "tour-demo", "docx", as_of=AS_OF, period=Period.parse("2026Q3"))))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "本期应办事项2项，已完成1项（其中逾期完成0项），已逾期未完成1项" in text
    assert "问题按期整改：共2项，完成1项，逾期未完成1项" in text and "督促补办已逾期事项1项：问题1：三重一大制度执行不严整改" in text
    import openpyxl

    ledger = openpyxl.load_workbook(io.BytesIO(export(ws, "tour-demo", "xlsx", as_of=AS_OF, period=Period.parse("2026Q3"))))
    rows = list(ledger["矩阵-问题按期整改"].iter_rows(values_only=True))
    assert rows[1] == ("对象", "限期事项") and rows[2] == ("问题1：三重一大制度执行不严", "已逾期：整改 0/1，2026年9月30日截止")


def test_statuses_per_subject_and_period():
    result = run_check(MODEL, PLUGIN.rules, PLUGIN.obligations, records(), date(2026, 10, 9))
    statuses = DutyStatuses(result.duties)
    assert statuses.subjects() == [("u1", "区教育局"), ("p1", "问题1：三重一大制度执行不严")]
    assert statuses.status("p1", None) is DutyStatus.OVERDUE and statuses.status("u1", "2026Q3") is None
    assert statuses.counts()[DutyStatus.OVERDUE] == 2 and len(statuses.per_record()) == 2
    assert statuses.periods() == [] and statuses.matrix() == {}


def test_a_duty_row_reads_its_duty_and_names_what_it_has_when_asked_for_what_it_lacks():
    from coordtui.api import DutyRow, Period

    duty = Duty(subject="第一组", due=date(2026, 3, 31), what_zh="月报", what_en="monthly report", period=Period.parse("2026-03"),
                subject_kind="team", subject_id="t1", prefill={"id": "r1"}, record_kind="report")
    row = DutyRow("o", "m.r", "每月月报", "monthly report", duty, DutyStatus.DUE, date(2026, 3, 1))
    assert (row.subject_id, row.period, row.due, row.record_id) == ("t1", Period.parse("2026-03"), date(2026, 3, 31), "r1")
    assert row.what("en") == "monthly report" and row.obligation("zh") == "每月月报" and row.overdue_days == 0
    with pytest.raises(AttributeError, match="no attribute 'subject_name'.*obligation_zh"):
        row.subject_name


def test_statuses_of_periodic_duties_make_a_matrix_with_the_worst_status_per_cell():
    from coordtui.api import DutyRow, Period

    march, april = Period.parse("2026-03"), Period.parse("2026-04")

    def row(subject_id, period, status, rule="m.a"):
        duty = Duty(subject=f"组{subject_id}", subject_id=subject_id, due=period.end, what_zh="月报", what_en="report", period=period)
        return DutyRow("o", rule, "月报", "report", duty, status, date(2026, 4, 20))

    statuses = DutyStatuses([row("1", march, DutyStatus.MET), row("1", march, DutyStatus.OVERDUE, "m.b"), row("2", march, DutyStatus.LATE),
                             row("1", april, DutyStatus.DUE)])
    assert statuses.periods() == [march, april] and statuses.subjects() == [("1", "组1"), ("2", "组2")]
    assert statuses.matrix() == {("1", march): DutyStatus.OVERDUE, ("2", march): DutyStatus.LATE, ("1", april): DutyStatus.DUE}
    assert statuses.status("1", "2026-03") is DutyStatus.OVERDUE and statuses.status("2", april) is None
    assert statuses.rule("m.a").status("1", march) is DutyStatus.MET
    assert [r.duty.subject_id for r in statuses.open()] == ["1", "1"] and len(statuses.in_period(april)) == 1


def test_the_core_says_one_day_overdue_in_the_singular_in_findings_and_reminders():
    from coordtui.remind import line

    result = run_check(MODEL, PLUGIN.rules, PLUGIN.obligations, records(), date(2026, 10, 1))
    (row,) = DutyStatuses(result.duties).rule("tour.problem_rectification")
    assert row.overdue_days == 1
    assert "1 day overdue" in line(row, date(2026, 10, 1), "en") and "已逾期1天" in line(row, date(2026, 10, 1), "zh")
    (finding,) = [f for f in result.findings if f.rule == "tour.problem_rectification"]
    assert finding.message_en.endswith("due 2026-09-30, 1 day overdue")


def test_a_spreadsheet_names_references_by_name_in_every_spelling(ws, tmp_path):
    from coordtui.tabular import plan_table_import

    sheet = tmp_path / "teams.csv"
    sheet.write_text("名称,组长,副组长,组员,巡察对象\n第二巡察组,孙 刚,,李明、孙刚,区卫健委\n第三巡察组,李明,无名氏,,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        plan_table_import(ws, sheet, "tour-demo", "team")
    assert "row 3: column 副组长: no inspector named '无名氏'" in caught.value.message
    sheet.write_text("名称,组长,副组长,组员,巡察对象\n第二巡察组,孙 刚,,李明、孙刚,区卫健委\n", encoding="utf-8")
    _org, (team,) = plan_table_import(ws, sheet, "tour-demo", "team")
    assert (team.leader, team.deputy, team.members, team.units) == ("i1", None, ["i2", "i1"], ["u2"])
