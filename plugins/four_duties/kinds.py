"""The kinds of the four_duties model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from coordtui.api import Evidence, PersonName, Record, Ref, Scope, Text, invalid

Duty4 = Literal["主体责任", "监督责任", "第一责任", "一岗双责"]
UnitType = Literal["职能部门", "二级党组织"]
RiskArea = Literal["资产管理", "后勤保障", "基本建设", "科研经费管理", "财务管理", "招生录取", "校办企业", "专项资金使用管理"]
SPECIAL_MEETINGS = ("专题会议（部署）", "专题会议（推进）", "专题会议（总结）")
FOUR_MEETINGS = ("全面从严治党分析研究会", "责任计划审议会", "责任落实推进会", "责任总结评议会")
MeetingType = Literal[SPECIAL_MEETINGS + ("专题会议（其他）",) + FOUR_MEETINGS]  # type: ignore[valid-type]
FOUR_DOCUMENTS = ("廉政承诺书", "责任计划书", "责任项目书", "总结评议书")
DocumentType = Literal[FOUR_DOCUMENTS]  # type: ignore[valid-type]
ReportType = Literal["民主生活会汇报", "党委书面报告", "党委书记工作报告", "纪委报告", "二级党组织报告"]
ListType = Literal["责任清单", "任务清单", "问题清单"]
AREAS: tuple[str, ...] = RiskArea.__args__  # type: ignore[attr-defined]


class Bearer(Record):
    """One of the four responsibility bearers (责任主体): the party committee, the discipline
    committee, the party secretary, the leadership team members."""

    kind: ClassVar[str] = "bearer"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "责任主体"
    title_en: ClassVar[str] = "Responsibility bearer"

    name: Text = Field(min_length=1, title="名称 Name")
    duty: Duty4 = Field(title="责任 Responsibility")


class TeamMember(Record):
    """A member of the leadership team (领导班子成员) and the portfolio they oversee (分管)."""

    kind: ClassVar[str] = "team_member"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "班子成员"
    title_en: ClassVar[str] = "Team member"

    name: PersonName = Field(title="姓名 Name")
    post: Text = Field(min_length=1, title="职务 Post")
    portfolio: Annotated[list[str], Ref("unit")] = Field(default_factory=list, title="分管 Portfolio")


class Unit(Record):
    """A responsible unit (责任单位): a functional department (职能部门) or a second-level party organization (二级党组织)."""

    kind: ClassVar[str] = "unit"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "责任单位"
    title_en: ClassVar[str] = "Unit"

    name: Text = Field(min_length=1, title="名称 Name")
    unit_type: UnitType = Field(title="类型 Type")


class Meeting(Record):
    """A special meeting of the party committee (专题会议, "3+N") or one of the four meetings (四会)."""

    kind: ClassVar[str] = "meeting"
    natural_key: ClassVar[tuple[str, ...]] = ("meeting_type", "held_on")
    title_zh: ClassVar[str] = "会议"
    title_en: ClassVar[str] = "Meeting"
    partition_field: ClassVar[str | None] = "held_on"
    label_field: ClassVar[str] = "meeting_type"

    meeting_type: MeetingType = Field(title="会议 Meeting")
    held_on: date = Field(title="召开日期 Held on")
    topic: Text | None = Field(None, title="议题 Topic")


class FourDocument(Record):
    """One of a team member's four documents for a year (四书)."""

    kind: ClassVar[str] = "document"
    natural_key: ClassVar[tuple[str, ...]] = ("member", "year", "doc_type")
    title_zh: ClassVar[str] = "四书"
    title_en: ClassVar[str] = "Four documents"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "doc_type"

    member: Annotated[str, Ref("team_member")] = Field(title="班子成员 Member")
    year: int = Field(ge=2000, le=2100, title="年度 Year")
    doc_type: DocumentType = Field(title="文书 Document")
    filed_on: date = Field(title="签订/填写日期 Filed on")


class Report(Record):
    """A report of the three reports (三报告) or the dual reports (双报告) for a year."""

    kind: ClassVar[str] = "report"
    natural_key: ClassVar[tuple[str, ...]] = ("report_type", "year", "member", "unit")
    title_zh: ClassVar[str] = "报告"
    title_en: ClassVar[str] = "Report"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "report_type"

    report_type: ReportType = Field(title="报告 Report")
    year: int = Field(ge=2000, le=2100, title="所报年度 Year reported")
    filed_on: date = Field(title="报告日期 Filed on")
    member: Annotated[str | None, Ref("team_member")] = Field(None, title="班子成员 Member")
    unit: Annotated[str | None, Ref("unit")] = Field(None, title="二级党组织 Unit")

    @model_validator(mode="after")
    def _who(self) -> "Report":
        if self.report_type == "民主生活会汇报" and not self.member:
            raise invalid("民主生活会汇报须填写班子成员", "a democratic life meeting report names the team member (member)")
        if self.report_type == "二级党组织报告" and not self.unit:
            raise invalid("二级党组织报告须填写二级党组织", "a second-level organization's report names the unit (unit)")
        return self


class RiskPoint(Record):
    """A clean-governance risk point (廉政风险点) in a key area of a unit, with its owner and measures."""

    kind: ClassVar[str] = "risk_point"
    natural_key: ClassVar[tuple[str, ...]] = ("area", "unit")
    title_zh: ClassVar[str] = "廉政风险点"
    title_en: ClassVar[str] = "Risk point"
    label_field: ClassVar[str] = "description"

    area: RiskArea = Field(title="重点领域 Area")
    unit: Annotated[str, Ref("unit")] = Field(title="责任单位 Unit")
    description: Text = Field(min_length=1, title="风险点 Risk")
    owner: PersonName | None = Field(None, title="风险责任人 Owner")
    measures: Text | None = Field(None, title="防控措施 Measures")


class AreaAssignment(Record):
    """Which units answer for a key risk area (重点领域责任单位)."""

    kind: ClassVar[str] = "risk_area"
    natural_key: ClassVar[tuple[str, ...]] = ("area",)
    title_zh: ClassVar[str] = "重点领域"
    title_en: ClassVar[str] = "Key risk area"
    label_field: ClassVar[str] = "area"

    area: RiskArea = Field(title="重点领域 Area")
    units: Annotated[list[str], Ref("unit")] = Field(default_factory=list, title="责任单位 Units")


class Agreement(Record):
    """A task agreement between departments (任务协同书): a lead, partners and a time limit."""

    kind: ClassVar[str] = "agreement"
    natural_key: ClassVar[tuple[str, ...]] = ("title", "signed_on")
    title_zh: ClassVar[str] = "任务协同书"
    title_en: ClassVar[str] = "Task agreement"
    partition_field: ClassVar[str | None] = "signed_on"
    label_field: ClassVar[str] = "title"

    title: Text = Field(min_length=1, title="事项 Task")
    lead: Annotated[str | None, Ref("unit")] = Field(None, title="牵头单位 Lead")
    partners: Annotated[list[str], Ref("unit")] = Field(default_factory=list, title="协同单位 Partners")
    signed_on: date = Field(title="签订日期 Signed on")
    time_limit: date | None = Field(None, title="办理时限 Time limit")
    completed_on: date | None = Field(None, title="完成日期 Completed on")


class ListItem(Record):
    """An item of a unit's responsibility, task or problem list (责任清单 / 任务清单 / 问题清单)."""

    kind: ClassVar[str] = "list_item"
    natural_key: ClassVar[tuple[str, ...]] = ("list_type", "unit", "content")
    title_zh: ClassVar[str] = "清单事项"
    title_en: ClassVar[str] = "List item"
    label_field: ClassVar[str] = "content"

    list_type: ListType = Field(title="清单 List")
    unit: Annotated[str, Ref("unit")] = Field(title="责任单位 Unit")
    content: Text = Field(min_length=1, title="内容 Content")
    owner: PersonName | None = Field(None, title="责任人 Owner")
    deadline: date | None = Field(None, title="整改时限 Deadline")
    completed_on: date | None = Field(None, title="完成日期 Completed on")


class Inspection(Record):
    """The party secretary's year-end check of a second-level unit (年终督导检查)."""

    kind: ClassVar[str] = "inspection"
    natural_key: ClassVar[tuple[str, ...]] = ("year", "unit")
    title_zh: ClassVar[str] = "年终督导检查"
    title_en: ClassVar[str] = "Year-end check"
    partition_field: ClassVar[str | None] = "held_on"
    label_field: ClassVar[str] = "id"

    year: int = Field(ge=2000, le=2100, title="年度 Year")
    unit: Annotated[str, Ref("unit")] = Field(title="被检查单位 Unit")
    led_by: Annotated[str, Ref("team_member")] = Field(title="带队 Led by")
    held_on: date = Field(title="检查日期 Held on")


class DutySettings(BaseModel):
    """When "early", "mid-year" and "year end" fall, and when annual reports are due: the source says
    only 年初, 年中, 年末, 次年年初 (config)."""

    early_until: str = Field("03-31", pattern=r"^\d{2}-\d{2}$", description="(config) 年初 ends on this day")
    mid_from: str = Field("06-01", pattern=r"^\d{2}-\d{2}$", description="(config) 年中 starts on this day")
    mid_until: str = Field("07-31", pattern=r"^\d{2}-\d{2}$", description="(config) 年中 ends on this day")
    end_from: str = Field("11-01", pattern=r"^\d{2}-\d{2}$", description="(config) 年末 starts on this day")
    annual_report_due: str = Field("01-31", pattern=r"^\d{2}-\d{2}$", description="(config) a year's reports are due on this day of the next year")
    opening_report_due: str = Field("03-31", pattern=r"^\d{2}-\d{2}$", description="(config) the secretary's report at next year's opening meeting")
    inspection_due: str = Field("01-15", pattern=r"^\d{2}-\d{2}$", description="(config) the year-end check is done by this day of the next year")


KINDS: list[type[Record]] = [Bearer, TeamMember, Unit, Meeting, FourDocument, Report, AreaAssignment, RiskPoint, Agreement, ListItem, Inspection]


#: Who sees what (see docs/plugins.md, "Who may see what"): a department or second-level unit
#: has its own risk points, list items, reports and checks; a team member reaches the units of
#: their portfolio. The committee's meetings are the whole university's. Problem-list items
#: (问题清单), which name persons, are sensitive.
SCOPES: dict[str, Scope] = {
    "bearer": Scope(subject=True),
    "team_member": Scope(subject=True, contains=("portfolio",)),
    "unit": Scope(subject=True),
    "meeting": Scope(),
    "document": Scope(of=("member",)),
    "report": Scope(of=("member", "unit")),
    "risk_area": Scope(of=("units",)),
    "risk_point": Scope(of=("unit",)),
    "agreement": Scope(of=("lead", "partners")),
    "list_item": Scope(of=("unit",), sensitive=lambda item: item.list_type == "问题清单"),
    "inspection": Scope(of=("unit",)),
}


#: What is kept with the records (seed 004: 各次会议记录、纪要 …各环节运行的文书、签字、数据等材料要妥善保管):
#: a meeting counts as held only with its minutes, a pledge (廉政承诺书) as signed only with its signed scan;
#: a rectified problem (问题清单, completed) keeps its evidence of rectification (整改佐证材料).
EVIDENCE: list[Evidence] = [
    Evidence("meeting", "会议记录", "minutes", types=("docx", "pdf", "doc", "wps", "ofd"), keywords=("记录", "纪要", "minutes"),
             grace_days=7, required_for_duty=True),
    Evidence("document", "签字扫描件", "signed scan", types=("pdf", "jpg", "png", "ofd"), when=lambda r: r.doc_type == "廉政承诺书",
             grace_days=7, required_for_duty=True, rule="evidence_pledge"),
    Evidence("list_item", "整改佐证材料", "evidence of rectification", types=("docx", "pdf", "doc", "wps", "ofd", "jpg", "png"),
             when=lambda r: r.list_type == "问题清单" and r.completed_on is not None, date_field="completed_on",
             rule="evidence_rectified"),
]
