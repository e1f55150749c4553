"""The kinds of the county_zones model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from coordtui.api import Evidence, Period, PeriodKind, PersonName, Record, Ref, Scope, Text, invalid

from county_zones.workflow import LABEL_ZH as STATE_LABELS_ZH
from county_zones.workflow import ORDER

BodyType = Literal["乡镇纪委", "派驻纪检监察组"]
TaskType = Literal["政治监督", "节日节点监督检查", "集中监督检查", "问题线索核查", "专项调研", "其他专项监督检查"]
Holiday = Literal["春节", "中秋", "国庆"]
ReportType = Literal["月报", "季度报告", "半年总结", "年度总结"]
TaskState = Literal[tuple(ORDER)]  # type: ignore[valid-type]

TASK_TYPE_EN = {
    "政治监督": "political supervision of decisions",
    "节日节点监督检查": "holiday-node check of the eight-point rules",
    "集中监督检查": "centralized special governance",
    "问题线索核查": "verification of difficult problem leads",
    "专项调研": "joint research",
    "其他专项监督检查": "other special inspection",
}
REPORT_PERIOD = {"月报": PeriodKind.MONTH, "季度报告": PeriodKind.QUARTER, "半年总结": PeriodKind.HALF, "年度总结": PeriodKind.YEAR}
PERIOD_ZH = {PeriodKind.MONTH: "月份，如 2026-08", PeriodKind.QUARTER: "季度，如 2026Q3", PeriodKind.HALF: "半年，如 2026H1", PeriodKind.YEAR: "年度，如 2026"}


class Office(Record):
    """A discipline inspection office (纪检监察室), the liaison office of one zone."""

    kind: ClassVar[str] = "office"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "纪检监察室"
    title_en: ClassVar[str] = "Inspection office"

    name: Text = Field(min_length=1, title="名称 Name")


class Zone(Record):
    """A supervision and inspection zone (监督检查协作区).

    Its director (主任) is a standing member of the county committee; its deputy (副主任)
    is the director of the paired office. Unnamed where the source names nobody.
    """

    kind: ClassVar[str] = "zone"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "协作区"
    title_en: ClassVar[str] = "Zone"

    name: Text = Field(min_length=1, title="名称 Name")
    number: int = Field(ge=1, le=99, title="序号 Number")
    office: Annotated[str | None, Ref("office")] = Field(None, title="对口联系室 Liaison office")
    director: PersonName | None = Field(None, title="主任 Director")
    deputy: PersonName | None = Field(None, title="副主任 Deputy")


class MemberBody(Record):
    """A member body of a zone: a township committee (乡镇纪委) or a dispatched group (派驻纪检监察组)."""

    kind: ClassVar[str] = "member_body"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "成员单位"
    title_en: ClassVar[str] = "Member body"
    aliases_field: ClassVar[str | None] = "aliases"

    name: Text = Field(min_length=1, title="名称 Name")
    body_type: BodyType = Field(title="类型 Type")
    zone: Annotated[str | None, Ref("zone")] = Field(None, title="协作区 Zone")
    own_department: Annotated[str | None, Ref("department")] = Field(None, title="本单位对应部门 Own department")
    aliases: list[Text] = Field(default_factory=list, title="别称 Aliases")


class Supervisor(Record):
    """A special supervisor (特约监察员) serving one zone."""

    kind: ClassVar[str] = "supervisor"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "特约监察员"
    title_en: ClassVar[str] = "Special supervisor"

    name: PersonName = Field(title="姓名 Name")
    zone: Annotated[str | None, Ref("zone")] = Field(None, title="协作区 Zone")


class Department(Record):
    """A supervised department (监督检查部门), in one zone."""

    kind: ClassVar[str] = "department"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "监督检查部门"
    title_en: ClassVar[str] = "Supervised department"

    name: Text = Field(min_length=1, title="名称 Name")
    zone: Annotated[str | None, Ref("zone")] = Field(None, title="协作区 Zone")


class Liaison(Record):
    """The liaison (联络员) an office names for its zone's monthly reports."""

    kind: ClassVar[str] = "liaison"
    natural_key: ClassVar[tuple[str, ...]] = ("office", "name")
    title_zh: ClassVar[str] = "联络员"
    title_en: ClassVar[str] = "Liaison"
    label_field: ClassVar[str] = "id"

    office: Annotated[str, Ref("office")] = Field(title="纪检监察室 Office")
    name: PersonName | None = Field(None, title="姓名 Name")


class Task(Record):
    """A special inspection task (工作任务) and where it stands in the procedure."""

    kind: ClassVar[str] = "task"
    natural_key: ClassVar[tuple[str, ...]] = ("title", "proposed_on")
    choice_labels: ClassVar[dict[str, dict[str, str]]] = {"state": STATE_LABELS_ZH}
    title_zh: ClassVar[str] = "工作任务"
    title_en: ClassVar[str] = "Task"
    partition_field: ClassVar[str | None] = "proposed_on"
    label_field: ClassVar[str] = "title"

    title: Text = Field(min_length=1, title="任务名称 Title")
    task_type: TaskType = Field(title="任务类型 Type")
    holidays: list[Holiday] = Field(default_factory=list, title="节日节点 Holidays")
    proposed_on: date = Field(title="提出日期 Proposed on")
    zones: Annotated[list[str], Ref("zone")] = Field(default_factory=list, title="承办协作区 Zones")
    departments: Annotated[list[str], Ref("department")] = Field(default_factory=list, title="检查对象 Departments inspected")
    deadline: date | None = Field(None, title="办理时限 Deadline")
    plan: Text | None = Field(None, title="工作方案 Plan")
    methods: Text | None = Field(None, title="方式方法 Methods")
    state: TaskState = Field("proposed", title="环节 State")

    @model_validator(mode="after")
    def _holidays(self) -> "Task":
        if self.holidays and self.task_type != "节日节点监督检查":
            raise invalid("只有节日节点监督检查才填写节日", "holidays belong to a holiday-node check (节日节点监督检查)")
        if self.deadline is not None and self.deadline < self.proposed_on:
            raise invalid("完成时限早于提出日期", "the deadline is before the task was proposed")
        return self


class TaskStep(Record):
    """One step of a task's procedure: who did it and when (流程记录)."""

    kind: ClassVar[str] = "task_step"
    natural_key: ClassVar[tuple[str, ...]] = ("task", "state")
    choice_labels: ClassVar[dict[str, dict[str, str]]] = {"state": STATE_LABELS_ZH}
    title_zh: ClassVar[str] = "流程记录"
    title_en: ClassVar[str] = "Task step"
    partition_field: ClassVar[str | None] = "on"
    label_field: ClassVar[str] = "id"

    task: Annotated[str, Ref("task")] = Field(title="任务 Task")
    state: TaskState = Field(title="环节 Step")
    by: PersonName | None = Field(None, title="经办人 By")
    on: date = Field(title="日期 On")
    note: Text | None = Field(None, title="说明 Note")


class TeamMember(Record):
    """A member of a task's inspection team (检查组成员), with the body they come from."""

    kind: ClassVar[str] = "team_member"
    natural_key: ClassVar[tuple[str, ...]] = ("task", "name")
    title_zh: ClassVar[str] = "检查组成员"
    title_en: ClassVar[str] = "Team member"

    task: Annotated[str, Ref("task")] = Field(title="任务 Task")
    name: PersonName = Field(title="姓名 Name")
    role: Literal["组长", "成员"] = Field("成员", title="职责 Role")
    body: Annotated[str | None, Ref("member_body")] = Field(None, title="所在单位 Body")
    supervisor: Annotated[str | None, Ref("supervisor")] = Field(None, title="特约监察员 Supervisor")


class _Finding(Record):
    partition_field: ClassVar[str | None] = "found_on"
    label_field: ClassVar[str] = "summary"

    task: Annotated[str, Ref("task")] = Field(title="任务 Task")
    summary: Text = Field(min_length=1, title="概要 Summary")
    found_on: date = Field(title="发现日期 Found on")
    transferred_on: date | None = Field(None, title="移送日期 Transferred on")

    @model_validator(mode="after")
    def _dates(self):
        if self.transferred_on is not None and self.transferred_on < self.found_on:
            raise invalid("移送日期早于发现日期", "transferred before it was found")
        return self


class Clue(_Finding):
    """A problem lead (问题线索) found by a task; transferred to the case supervision office (案件监督管理室)."""

    kind: ClassVar[str] = "clue"
    natural_key: ClassVar[tuple[str, ...]] = ("task", "summary")
    title_zh: ClassVar[str] = "问题线索"
    title_en: ClassVar[str] = "Problem lead"


class Problem(_Finding):
    """Another problem (其他问题) found by a task; sent to the conduct supervision office (党风政风监督室),
    which forwards it to the body where it arose."""

    kind: ClassVar[str] = "problem"
    natural_key: ClassVar[tuple[str, ...]] = ("task", "summary")
    title_zh: ClassVar[str] = "其他问题"
    title_en: ClassVar[str] = "Other problem"

    forwarded_to: Text | None = Field(None, title="转交单位 Forwarded to")


def _period(value: str) -> str:
    return str(Period.parse(value))


class ZoneReport(Record):
    """A zone's report (报告): monthly by the liaison, quarterly to the county committee,
    a half-year summary by the liaison office (reviewed by the zone director), an annual summary."""

    kind: ClassVar[str] = "report"
    natural_key: ClassVar[tuple[str, ...]] = ("zone", "report_type", "period")
    title_zh: ClassVar[str] = "协作区报告"
    title_en: ClassVar[str] = "Zone report"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "id"

    zone: Annotated[str, Ref("zone")] = Field(title="协作区 Zone")
    report_type: ReportType = Field(title="报告类型 Type")
    period: Annotated[str, AfterValidator(_period)] = Field(title="期间 Period")
    filed_on: date = Field(title="报送日期 Filed on")
    filed_by: PersonName | None = Field(None, title="报送人 Filed by")
    reviewed_on: date | None = Field(None, title="主任审核日期 Reviewed on")

    @model_validator(mode="after")
    def _period_fits(self) -> "ZoneReport":
        if Period.parse(self.period).kind is not REPORT_PERIOD[self.report_type]:
            raise invalid(f"{self.report_type}的期间应为{PERIOD_ZH[REPORT_PERIOD[self.report_type]]}，不是 {self.period}",
                          f"a {self.report_type} covers a {REPORT_PERIOD[self.report_type].value}, not {self.period}")
        return self


class ZoneSettings(BaseModel):
    """Numbers the source leaves open (config)."""

    holiday_window_days: int = Field(7, ge=0, le=60, description="a holiday-node check counts from this many days before the holiday")
    monthly_report_working_days: int = Field(5, ge=0, description="(config) the monthly report is due this many working days after the month")
    quarterly_report_working_days: int = Field(10, ge=0, description="(config) the quarterly report is due this many working days after the quarter")
    half_year_working_days: int = Field(15, ge=0, description="(config) the half-year summary is due this many working days after the half")
    annual_working_days: int = Field(20, ge=0, description="(config) the annual summary is due this many working days after the year")


KINDS: list[type[Record]] = [Zone, Office, MemberBody, Supervisor, Department, Liaison, Task, TaskStep, TeamMember, Clue, Problem, ZoneReport]


#: Who sees what (see docs/plugins.md, "Who may see what"): a liaison office reaches its zone,
#: a zone its member bodies, supervisors and departments; a task and all it finds belong to
#: the zones it is assigned to. Clues and other problems found (and their referral) are sensitive.
SCOPES: dict[str, Scope] = {
    "office": Scope(subject=True),
    "zone": Scope(subject=True, within=("office",)),
    "member_body": Scope(subject=True, within=("zone",)),
    "supervisor": Scope(subject=True, within=("zone",)),
    "department": Scope(subject=True, within=("zone",)),
    "liaison": Scope(of=("office",)),
    "task": Scope(of=("zones",)),
    "task_step": Scope(of=("task",)),
    "team_member": Scope(of=("task",)),
    "clue": Scope(of=("task",), sensitive=True),
    "problem": Scope(of=("task",), sensitive=True),
    "report": Scope(of=("zone",)),
}


#: What is kept with the records (seed 001): a task, once its report is drafted, its 督查（调研）报告;
#: a half-year or annual summary its written text (书面材料).
EVIDENCE: list[Evidence] = [
    Evidence("task", "督查（调研）报告", "inspection report", types=("docx", "pdf", "doc", "wps", "ofd"), keywords=("报告", "report"),
             when=lambda r: ORDER.index(r.state) >= ORDER.index("report_drafted")),
    Evidence("report", "书面材料", "written summary", types=("docx", "pdf", "doc", "wps", "ofd"),
             when=lambda r: r.report_type in ("半年总结", "年度总结")),
]
