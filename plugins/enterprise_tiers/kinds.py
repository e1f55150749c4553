"""The kinds of the enterprise_tiers model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from coordtui.api import Evidence, Period, PeriodKind, PersonName, Record, Ref, Scope, Text, invalid

Handling = Literal["即知即改", "苗头性问题处置", "启动审查程序"]
Topic = Literal["工资奖金分配", "严重“三违”处置", "重大安全隐患", "工伤上报", "“微腐败”问题"]
LedgerReason = Literal["无实施方案", "无季度报告", "应付凑付、效果差"]

HANDLING_EN = {"即知即改": "fixed at once", "苗头性问题处置": "early-sign measures", "启动审查程序": "review procedure"}


def _period_of(kind: PeriodKind):
    def check(value: str) -> str:
        period = Period.parse(value)
        if period.kind is not kind:
            raise invalid(f"应填写{'季度，如 2026Q3' if kind is PeriodKind.QUARTER else '月份，如 2026-08'}",
                          f"write a {kind.value} such as {'2026Q3' if kind is PeriodKind.QUARTER else '2026-08'}")
        return str(period)

    return check


Quarter = Annotated[str, AfterValidator(_period_of(PeriodKind.QUARTER))]
Month = Annotated[str, AfterValidator(_period_of(PeriodKind.MONTH))]


class GroupCommittee(Record):
    """The group company's discipline committee (集团公司纪委), the top tier."""

    kind: ClassVar[str] = "tier1"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "集团公司纪委"
    title_en: ClassVar[str] = "Group committee"

    name: Text = Field(min_length=1, title="名称 Name")
    doc_code: Text | None = Field(None, title="发文代字 Document code")


class Subsidiary(Record):
    """A subsidiary's discipline committee (权属单位纪委), the middle tier."""

    kind: ClassVar[str] = "subsidiary"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "权属单位纪委"
    title_en: ClassVar[str] = "Subsidiary committee"

    name: Text = Field(min_length=1, title="名称 Name")
    company: Text | None = Field(None, title="单位 Company")
    doc_code: Text | None = Field(None, title="发文代字 Document code")


class Branch(Record):
    """A grassroots party branch (基层党支部) or general branch (党总支) of a subsidiary."""

    kind: ClassVar[str] = "branch"
    natural_key: ClassVar[tuple[str, ...]] = ("subsidiary", "name")
    title_zh: ClassVar[str] = "基层党支部"
    title_en: ClassVar[str] = "Party branch"

    name: Text = Field(min_length=1, title="名称 Name")
    subsidiary: Annotated[str | None, Ref("subsidiary")] = Field(None, title="权属单位 Subsidiary")


class Inspector(Record):
    """A branch's discipline inspector (基层党支部纪律检查委员), the front-line tier."""

    kind: ClassVar[str] = "inspector"
    natural_key: ClassVar[tuple[str, ...]] = ("branch", "name")
    title_zh: ClassVar[str] = "纪律检查委员"
    title_en: ClassVar[str] = "Branch inspector"

    name: PersonName = Field(title="姓名 Name")
    branch: Annotated[str | None, Ref("branch")] = Field(None, title="党支部 Branch")


class Directive(Record):
    """The group committee's tasks for a quarter (季度联动任务), due in the quarter's first ten days."""

    kind: ClassVar[str] = "directive"
    natural_key: ClassVar[tuple[str, ...]] = ("quarter",)
    title_zh: ClassVar[str] = "季度联动任务"
    title_en: ClassVar[str] = "Quarterly directive"
    partition_field: ClassVar[str | None] = "issued_on"
    label_field: ClassVar[str] = "title"

    title: Text = Field(min_length=1, title="标题 Title")
    quarter: Quarter = Field(title="季度 Quarter")
    issued_on: date = Field(title="下达日期 Issued on")
    items: list[Text] = Field(default_factory=list, title="任务事项 Items")
    document: Annotated[str | None, Ref("document")] = Field(None, title="文件 Document")


class ImplementationPlan(Record):
    """A subsidiary's implementation plan for a directive (实施方案), broken down to its inspectors."""

    kind: ClassVar[str] = "plan"
    natural_key: ClassVar[tuple[str, ...]] = ("subsidiary", "directive")
    title_zh: ClassVar[str] = "实施方案"
    title_en: ClassVar[str] = "Implementation plan"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "id"

    subsidiary: Annotated[str, Ref("subsidiary")] = Field(title="权属单位 Subsidiary")
    directive: Annotated[str, Ref("directive")] = Field(title="联动任务 Directive")
    filed_on: date = Field(title="制定日期 Filed on")
    assigned_to: Annotated[list[str], Ref("inspector")] = Field(default_factory=list, title="分解到 Assigned to")


class InspectorReport(Record):
    """An inspector's written monthly report to the subsidiary (月度书面报告)."""

    kind: ClassVar[str] = "inspector_report"
    natural_key: ClassVar[tuple[str, ...]] = ("inspector", "month")
    title_zh: ClassVar[str] = "纪检委员月报"
    title_en: ClassVar[str] = "Inspector's monthly report"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "id"

    inspector: Annotated[str, Ref("inspector")] = Field(title="纪检委员 Inspector")
    month: Month = Field(title="月份 Month")
    filed_on: date = Field(title="报告日期 Filed on")


class UnitReport(Record):
    """A subsidiary's written quarterly report to the group committee (季度书面报告)."""

    kind: ClassVar[str] = "unit_report"
    natural_key: ClassVar[tuple[str, ...]] = ("subsidiary", "quarter")
    title_zh: ClassVar[str] = "权属单位季报"
    title_en: ClassVar[str] = "Subsidiary's quarterly report"
    partition_field: ClassVar[str | None] = "filed_on"
    label_field: ClassVar[str] = "id"

    subsidiary: Annotated[str, Ref("subsidiary")] = Field(title="权属单位 Subsidiary")
    quarter: Quarter = Field(title="季度 Quarter")
    filed_on: date = Field(title="报告日期 Filed on")


class Lead(Record):
    """A problem lead (问题线索) received by a subsidiary, its handling and escalation."""

    kind: ClassVar[str] = "lead"
    natural_key: ClassVar[tuple[str, ...]] = ("subsidiary", "summary", "received_on")
    title_zh: ClassVar[str] = "问题线索"
    title_en: ClassVar[str] = "Problem lead"
    partition_field: ClassVar[str | None] = "received_on"
    label_field: ClassVar[str] = "summary"

    subsidiary: Annotated[str, Ref("subsidiary")] = Field(title="受理单位 Subsidiary")
    found_by: Annotated[str | None, Ref("inspector")] = Field(None, title="发现人 Found by")
    summary: Text = Field(min_length=1, title="概要 Summary")
    received_on: date = Field(title="受理日期 Received on")
    major: bool = Field(False, title="重大线索 Major")
    handling: Handling | None = Field(None, title="处置方式 Handling")
    escalated_on: date | None = Field(None, title="上报集团公司纪委 Escalated on")

    @model_validator(mode="after")
    def _dates(self) -> "Lead":
        if self.escalated_on is not None and self.escalated_on < self.received_on:
            raise invalid("上报日期早于受理日期", "escalated before it was received")
        return self


class SpecialCheck(Record):
    """A combined special check (专项监督检查) on one topic."""

    kind: ClassVar[str] = "special_check"
    natural_key: ClassVar[tuple[str, ...]] = ("topic", "started_on")
    title_zh: ClassVar[str] = "专项监督检查"
    title_en: ClassVar[str] = "Special check"
    partition_field: ClassVar[str | None] = "started_on"
    label_field: ClassVar[str] = "topic"

    topic: Topic = Field(title="主题 Topic")
    started_on: date = Field(title="开始日期 Started on")
    subsidiaries: Annotated[list[str], Ref("subsidiary")] = Field(default_factory=list, title="检查单位 Subsidiaries")
    result: Text | None = Field(None, title="检查结果 Result")


class Document(Record):
    """An official document (文件) numbered 代字〔年〕号, possibly forwarding another (转发)."""

    kind: ClassVar[str] = "document"
    natural_key: ClassVar[tuple[str, ...]] = ("number",)
    title_zh: ClassVar[str] = "文件"
    title_en: ClassVar[str] = "Document"
    partition_field: ClassVar[str | None] = "issued_on"
    label_field: ClassVar[str] = "number"

    number: Text = Field(min_length=1, title="文号 Number")
    title: Text = Field(min_length=1, title="标题 Title")
    issuer: Text = Field(min_length=1, title="发文机关 Issuer")
    issued_on: date = Field(title="成文日期 Issued on")
    forwards: Annotated[str | None, Ref("document")] = Field(None, title="转发文件 Forwards")


class Commendation(Record):
    """A year-end commendation (通报表彰) of an inspector, proposed by the subsidiary."""

    kind: ClassVar[str] = "commendation"
    natural_key: ClassVar[tuple[str, ...]] = ("year", "inspector")
    title_zh: ClassVar[str] = "年度表彰"
    title_en: ClassVar[str] = "Commendation"
    label_field: ClassVar[str] = "id"

    year: int = Field(ge=2000, le=2100, title="年度 Year")
    inspector: Annotated[str, Ref("inspector")] = Field(title="纪检委员 Inspector")


class LedgerEntry(Record):
    """An entry in the group's management ledger (管理台账) for a subsidiary that fell short."""

    kind: ClassVar[str] = "ledger_entry"
    natural_key: ClassVar[tuple[str, ...]] = ("subsidiary", "quarter")
    title_zh: ClassVar[str] = "管理台账"
    title_en: ClassVar[str] = "Ledger entry"
    partition_field: ClassVar[str | None] = "recorded_on"
    label_field: ClassVar[str] = "id"

    subsidiary: Annotated[str, Ref("subsidiary")] = Field(title="权属单位 Subsidiary")
    quarter: Quarter = Field(title="季度 Quarter")
    reason: LedgerReason = Field(title="事由 Reason")
    recorded_on: date = Field(title="记入日期 Recorded on")


class TierSettings(BaseModel):
    """Numbers of the mechanism; those the source leaves open are marked (config)."""

    directive_last_day: int = Field(10, ge=1, le=31, description="the quarter's tasks are issued by this day of its first month (上旬)")
    plan_working_days: int = Field(10, ge=0, description="(config) a subsidiary files its plan within this many working days of the directive")
    inspector_report_days: int = Field(0, ge=0, description="(config) days after the month by which the inspector's report is due")
    unit_report_working_days: int = Field(5, ge=0, description="(config) working days after the quarter by which the subsidiary reports")
    escalation_working_days: int = Field(1, ge=0, description="(config) a major lead reaches the group committee within this many working days")
    commendation_percent: int = Field(20, ge=0, le=100, description="year-end commendations per subsidiary: at most this share of its inspectors")


KINDS: list[type[Record]] = [GroupCommittee, Subsidiary, Branch, Inspector, Directive, ImplementationPlan, InspectorReport, UnitReport,
                             Lead, SpecialCheck, Document, Commendation, LedgerEntry]


#: Who sees what (see docs/plugins.md, "Who may see what"): a subsidiary reaches its branches
#: and their inspectors; the group committee's directives and documents are everyone's to read.
#: Problem leads and their handling are sensitive.
SCOPES: dict[str, Scope] = {
    "tier1": Scope(subject=True),
    "subsidiary": Scope(subject=True),
    "branch": Scope(subject=True, within=("subsidiary",)),
    "inspector": Scope(subject=True, within=("branch",)),
    "directive": Scope(shared=True),
    "plan": Scope(of=("subsidiary",)),
    "inspector_report": Scope(of=("inspector",)),
    "unit_report": Scope(of=("subsidiary",)),
    "lead": Scope(of=("subsidiary", "found_by"), sensitive=True),
    "special_check": Scope(of=("subsidiaries",)),
    "document": Scope(shared=True),
    "commendation": Scope(of=("inspector",)),
    "ledger_entry": Scope(of=("subsidiary",)),
}


#: What is kept with the records (seed 003: 实施方案, 季度书面报告): a subsidiary's implementation plan and its
#: written quarterly report, as the files the group committee receives.
EVIDENCE: list[Evidence] = [
    Evidence("plan", "实施方案文本", "plan document", types=("docx", "pdf", "doc", "wps", "ofd")),
    Evidence("unit_report", "书面报告", "written report", types=("docx", "pdf", "doc", "wps", "ofd")),
]
