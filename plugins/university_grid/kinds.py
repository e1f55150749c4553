"""The kinds of the university_grid model, as pydantic records."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from coordtui.api import Evidence, Period, PeriodKind, PersonName, Record, Ref, Scope, Text, invalid

UnitType = Literal["纪委", "党总支", "直属党支部"]
ActivityForm = Literal["协同工作指导", "联合监督检查", "联合调查研究", "学习培训交流"]

ACTIVITY_FORMS: tuple[str, ...] = ActivityForm.__args__  # type: ignore[attr-defined]
FORM_EN = {
    "协同工作指导": "coordinated work guidance",
    "联合监督检查": "joint supervision and inspection",
    "联合调查研究": "joint research",
    "学习培训交流": "study, training and exchange",
}


def _quarter(value: str) -> str:
    period = Period.parse(value)
    if period.kind is not PeriodKind.QUARTER:
        raise invalid("应填写季度，如 2026Q3", "write a quarter such as 2026Q3")
    return str(period)


Quarter = Annotated[str, AfterValidator(_quarter)]


class CollaborationGroup(Record):
    """A collaboration group (协作组) of member units."""

    kind: ClassVar[str] = "group"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "协作组"
    title_en: ClassVar[str] = "Collaboration group"

    name: Text = Field(min_length=1, title="名称 Name")
    number: int = Field(ge=1, le=99, title="序号 Number")


class Unit(Record):
    """A second-level unit (二级单位): its discipline committee (纪委), or the party organization
    (党总支 / 直属党支部) that follows the rules by reference where no committee is set up."""

    kind: ClassVar[str] = "unit"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "成员单位"
    title_en: ClassVar[str] = "Member unit"

    name: Text = Field(min_length=1, title="名称 Name")
    unit_type: UnitType = Field(title="类型 Type")
    group: Annotated[str | None, Ref("group")] = Field(None, title="协作组 Group")
    order: int = Field(0, ge=0, title="组内顺序 Order in group")


class GridMember(Record):
    """A grid member (网格员): a cadre of the dispatched inspection group (驻校纪检监察组)."""

    kind: ClassVar[str] = "grid_member"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "网格员"
    title_en: ClassVar[str] = "Grid member"

    name: PersonName = Field(title="姓名 Name")


class GroupLink(Record):
    """A grid member's liaison with one group (对口联系)."""

    kind: ClassVar[str] = "grid_link"
    natural_key: ClassVar[tuple[str, ...]] = ("group", "grid_member")
    title_zh: ClassVar[str] = "网格联系"
    title_en: ClassVar[str] = "Grid liaison"
    label_field: ClassVar[str] = "id"

    group: Annotated[str, Ref("group")] = Field(title="协作组 Group")
    grid_member: Annotated[str, Ref("grid_member")] = Field(title="网格员 Grid member")


class LeaderTerm(Record):
    """A leader unit's term (组长单位任期), normally three months."""

    kind: ClassVar[str] = "leader_term"
    natural_key: ClassVar[tuple[str, ...]] = ("group", "start")
    title_zh: ClassVar[str] = "组长单位任期"
    title_en: ClassVar[str] = "Leader term"
    partition_field: ClassVar[str | None] = "start"
    label_field: ClassVar[str] = "id"

    group: Annotated[str, Ref("group")] = Field(title="协作组 Group")
    unit: Annotated[str, Ref("unit")] = Field(title="组长单位 Leader unit")
    start: date = Field(title="起 Start")
    end: date = Field(title="止 End")

    @model_validator(mode="after")
    def _order(self) -> "LeaderTerm":
        if self.end < self.start:
            raise invalid("任期结束早于开始", "the term ends before it starts")
        return self


class Activity(Record):
    """A collaboration activity (协作活动) of one group."""

    kind: ClassVar[str] = "activity"
    natural_key: ClassVar[tuple[str, ...]] = ("group", "title", "start")
    title_zh: ClassVar[str] = "协作活动"
    title_en: ClassVar[str] = "Activity"
    partition_field: ClassVar[str | None] = "end"
    label_field: ClassVar[str] = "title"

    group: Annotated[str, Ref("group")] = Field(title="协作组 Group")
    title: Text = Field(min_length=1, title="活动名称 Title")
    form: ActivityForm = Field(title="活动形式 Form")
    cross_inspection: bool = Field(False, title="交叉检查 Cross inspection")
    start: date = Field(title="开始 Start")
    end: date = Field(title="结束 End")
    units: Annotated[list[str], Ref("unit")] = Field(default_factory=list, title="参加单位 Units")
    grid_members: Annotated[list[str], Ref("grid_member")] = Field(default_factory=list, title="出席网格员 Grid members present")
    news_submitted: date | None = Field(None, title="新闻稿报送日期 News submitted on")

    @model_validator(mode="after")
    def _dates(self) -> "Activity":
        if self.end < self.start:
            raise invalid("活动结束早于开始", "the activity ends before it starts")
        if self.news_submitted is not None and self.news_submitted < self.end:
            raise invalid("新闻稿报送日期不能早于活动结束", "the news draft cannot be submitted before the activity ends")
        if self.cross_inspection and self.form != "联合监督检查":
            raise invalid("交叉检查须为联合监督检查形式", "a cross inspection (交叉检查) is a form of joint supervision (联合监督检查)")
        return self


class UnitMeeting(Record):
    """A meeting of a member unit that grid members attend (成员单位会议)."""

    kind: ClassVar[str] = "meeting"
    natural_key: ClassVar[tuple[str, ...]] = ("unit", "title", "date")
    title_zh: ClassVar[str] = "成员单位会议"
    title_en: ClassVar[str] = "Unit meeting"
    partition_field: ClassVar[str | None] = "date"
    label_field: ClassVar[str] = "title"

    unit: Annotated[str, Ref("unit")] = Field(title="召开单位 Unit")
    title: Text = Field(min_length=1, title="会议名称 Title")
    date: dt.date = Field(title="日期 Date")
    grid_members: Annotated[list[str], Ref("grid_member")] = Field(default_factory=list, title="出席网格员 Grid members present")


class _QuarterFiling(Record):
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "id"

    group: Annotated[str, Ref("group")] = Field(title="协作组 Group")
    quarter: Quarter = Field(title="季度 Quarter")
    unit: Annotated[str, Ref("unit")] = Field(title="报送单位 Filed by")
    filed_on: date = Field(title="报送日期 Filed on")


class QuarterPlan(_QuarterFiling):
    """A group's quarterly activity plan (季度活动安排), filed by the leader unit."""

    kind: ClassVar[str] = "quarter_plan"
    natural_key: ClassVar[tuple[str, ...]] = ("group", "quarter")
    title_zh: ClassVar[str] = "季度活动安排"
    title_en: ClassVar[str] = "Quarterly plan"


class QuarterSummary(_QuarterFiling):
    """A group's quarterly work summary (季度工作总结), filed by the leader unit."""

    kind: ClassVar[str] = "quarter_summary"
    natural_key: ClassVar[tuple[str, ...]] = ("group", "quarter")
    title_zh: ClassVar[str] = "季度工作总结"
    title_en: ClassVar[str] = "Quarterly summary"


class GridSettings(BaseModel):
    """Numbers of the mechanism; those the source leaves open are marked (config)."""

    activities_per_quarter: int = Field(1, ge=0, description="each group holds at least this many activities a quarter")
    attendances_per_quarter: int = Field(3, ge=0, description="each grid member attends at least this many activities or meetings a quarter")
    news_working_days: int = Field(3, ge=0, description="the news draft reaches the dispatched group within this many working days")
    term_months: int = Field(3, ge=1, le=12, description="a leader unit's term")
    plan_due_days: int = Field(15, ge=0, description="(config) the quarter's plan is filed within this many days of the quarter's start")
    summary_working_days: int = Field(10, ge=0, description="(config) the quarter's summary is filed within this many working days after it ends")


KINDS: list[type[Record]] = [CollaborationGroup, Unit, GridMember, GroupLink, LeaderTerm, Activity, UnitMeeting, QuarterPlan, QuarterSummary]


#: Who sees what (see docs/plugins.md, "Who may see what"): a group reaches its units, a grid
#: member the groups they liaise with; a unit's own meetings are the unit's.
SCOPES: dict[str, Scope] = {
    "group": Scope(subject=True),
    "unit": Scope(subject=True, within=("group",)),
    # Everyone picks grid members in activity forms; their attendance is theirs (and the whole university's).
    "grid_member": Scope(subject=True, shared=True),
    "grid_link": Scope(link=("grid_member", "group")),
    "leader_term": Scope(of=("group",)),
    "activity": Scope(of=("group",)),
    "meeting": Scope(of=("unit",)),
    "quarter_plan": Scope(of=("group", "unit")),
    "quarter_summary": Scope(of=("group", "unit")),
}


#: What is kept with the records (佐证材料, seed 000): the news draft of an activity (活动内容形成的新闻稿件),
#: owed from the day the record says it went to the dispatched group.
EVIDENCE: list[Evidence] = [
    Evidence("activity", "新闻稿", "news draft", types=("docx", "pdf", "doc", "wps", "ofd"), keywords=("新闻稿", "news"),
             date_field="news_submitted"),
]
