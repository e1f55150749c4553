"""The kinds of the dispatched_linkage model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from coordtui.api import PersonName, Record, Ref, Scope, Text, invalid

SIX_HAVES = {"organization": "有组织", "space": "有阵地", "staff": "有人员", "rules": "有制度", "training": "有培训", "assessment": "有考核"}
SIX_HAVES_EN = {"organization": "a body", "space": "a space", "staff": "staff", "rules": "rules", "training": "training", "assessment": "assessment"}


class Office(Record):
    """A supervision and inspection office of the commission (监督检查室), paired with collaboration groups."""

    kind: ClassVar[str] = "office"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "监督检查室"
    title_en: ClassVar[str] = "Supervision office"

    name: Text = Field(min_length=1, title="名称 Name")


class CollabGroup(Record):
    """A collaboration group (协作组) of dispatched groups, served by its paired office (对口联系室)."""

    kind: ClassVar[str] = "collab_group"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "协作组"
    title_en: ClassVar[str] = "Collaboration group"

    name: Text = Field(min_length=1, title="名称 Name")
    number: int = Field(ge=1, le=99, title="序号 Number")
    office: Annotated[str | None, Ref("office")] = Field(None, title="对口联系室 Paired office")


class DispatchedGroup(Record):
    """A dispatched discipline inspection group (派驻纪检监察组) and its host unit (驻在单位)."""

    kind: ClassVar[str] = "dispatched_group"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "派驻纪检监察组"
    title_en: ClassVar[str] = "Dispatched group"
    aliases_field: ClassVar[str | None] = "aliases"

    name: Text = Field(min_length=1, title="名称 Name")
    host: Text = Field(min_length=1, title="驻在单位 Host")
    collab_group: Annotated[str | None, Ref("collab_group")] = Field(None, title="协作组 Collaboration group")
    contact: PersonName | None = Field(None, title="对口联系人 Contact")
    aliases: list[Text] = Field(default_factory=list, title="别称 Aliases")


class District(Record):
    """A district commission (区纪委监委), the third party of 室组地 linkage."""

    kind: ClassVar[str] = "district"
    natural_key: ClassVar[tuple[str, ...]] = ("name",)
    title_zh: ClassVar[str] = "区纪委监委"
    title_en: ClassVar[str] = "District commission"

    name: Text = Field(min_length=1, title="名称 Name")


class JointCase(Record):
    """A case run jointly (联合办案): office and group (室组), with a district commission (室组地)."""

    kind: ClassVar[str] = "case"
    natural_key: ClassVar[tuple[str, ...]] = ("title", "opened_on")
    title_zh: ClassVar[str] = "联动案件"
    title_en: ClassVar[str] = "Joint case"
    partition_field: ClassVar[str | None] = "opened_on"
    label_field: ClassVar[str] = "title"

    title: Text = Field(min_length=1, title="案件 Case")
    linkage: Literal["室组", "室组地"] = Field(title="联动方式 Linkage")
    opened_on: date = Field(title="启动日期 Opened on")
    subject_level: Literal["中层正职", "中层副职", "处级", "其他"] = Field(title="被审查人层级 Level")
    office: Annotated[str | None, Ref("office")] = Field(None, title="监督检查室 Office")
    office_role: Text | None = Field(None, title="室的职责 Office's role")
    group: Annotated[str | None, Ref("dispatched_group")] = Field(None, title="派驻组 Group")
    group_role: Text | None = Field(None, title="组的职责 Group's role")
    district: Annotated[str | None, Ref("district")] = Field(None, title="区纪委监委 District")
    district_role: Text | None = Field(None, title="地的职责 District's role")
    prereviewed_on: date | None = Field(None, title="前置审核 Pre-reviewed on")
    filed_on: date | None = Field(None, title="立案 Filed on")
    second_review_on: date | None = Field(None, title="二次审理 Second review on")
    supplementary_evidence: bool = Field(False, title="审理补证 Supplementary evidence")

    @model_validator(mode="after")
    def _dates(self) -> "JointCase":
        if self.supplementary_evidence and self.second_review_on is None:
            raise invalid("审理补证在二次审理时提出：请填写二次审理日期", "supplementary evidence is asked for in a second review: record its date")
        return self


class SixHavesCheck(Record):
    """A check of a hospital's discipline body against the six haves (六有标准)."""

    kind: ClassVar[str] = "six_haves"
    natural_key: ClassVar[tuple[str, ...]] = ("body", "checked_on")
    title_zh: ClassVar[str] = "六有检查"
    title_en: ClassVar[str] = "Six-haves check"
    partition_field: ClassVar[str | None] = "checked_on"
    label_field: ClassVar[str] = "body"

    body: Text = Field(min_length=1, title="被检查单位 Body")
    checked_on: date = Field(title="检查日期 Checked on")
    organization: bool = Field(False, title="有组织 Body")
    space: bool = Field(False, title="有阵地 Space")
    staff: bool = Field(False, title="有人员 Staff")
    rules: bool = Field(False, title="有制度 Rules")
    training: bool = Field(False, title="有培训 Training")
    assessment: bool = Field(False, title="有考核 Assessment")


KINDS: list[type[Record]] = [Office, CollabGroup, DispatchedGroup, District, JointCase, SixHavesCheck]


#: Who sees what (see docs/plugins.md, "Who may see what"): an office reaches the collaboration
#: groups it serves, a collaboration group its dispatched groups; a joint case belongs to its
#: dispatched group. Cases (with their pre-reviews) are sensitive; six-haves checks are the
#: commission's own.
SCOPES: dict[str, Scope] = {
    "office": Scope(subject=True),
    "collab_group": Scope(subject=True, within=("office",)),
    "dispatched_group": Scope(subject=True, within=("collab_group",)),
    "district": Scope(subject=True),
    "case": Scope(of=("group",), sensitive=True),
    "six_haves": Scope(),
}
