from county_zones.kinds import MemberBody, Task
from university_grid.kinds import Activity

from coordtui.forms import field_specs, label_for, split_list


def test_field_widgets_follow_the_pydantic_types():
    specs = {s.name: s for s in field_specs(Activity)}
    assert specs["group"].widget == "ref" and specs["group"].ref_kind == "group" and not specs["group"].optional
    assert specs["units"].widget == "refs" and specs["units"].ref_kind == "unit"
    assert specs["form"].widget == "choice" and "联合监督检查" in specs["form"].choices
    assert specs["start"].widget == "date" and specs["news_submitted"].widget == "date" and specs["news_submitted"].optional
    assert specs["cross_inspection"].widget == "bool"
    task = {s.name: s for s in field_specs(Task)}
    assert task["holidays"].widget == "choices" and task["holidays"].choices == ("春节", "中秋", "国庆")
    assert {s.name: s for s in field_specs(MemberBody)}["aliases"].widget == "list"


def test_labels_and_lists():
    assert label_for("协作组 Group", "zh") == "协作组" and label_for("协作组 Group", "en") == "Group"
    assert label_for("id", "zh") == "编号"
    assert split_list("甲、乙, 丙；丁") == ["甲", "乙", "丙", "丁"] and split_list(" ") == []


def _errors(cls, data, lang):
    from pydantic import ValidationError

    from coordtui.forms import field_errors

    try:
        cls.model_validate(data)
    except ValidationError as exc:
        return field_errors(exc, lang)
    raise AssertionError("expected a validation error")


def test_a_models_own_complaints_speak_the_interface_language():
    bad = {"id": "a1", "group": "g1", "title": "调研", "form": "联合监督检查", "start": "2026-03-05", "end": "2026-03-01"}
    assert _errors(Activity, bad, "zh") == {"": "活动结束早于开始"}
    assert _errors(Activity, bad, "en") == {"": "the activity ends before it starts"}
    bad_id = bad | {"id": "a 1", "end": "2026-03-05"}
    assert _errors(Activity, bad_id, "zh")["id"].startswith("编号为")


def test_a_period_that_does_not_parse_is_a_field_error_not_an_escape():
    from university_grid.kinds import QuarterPlan

    base = {"id": "p1", "group": "g1", "unit": "u01", "filed_on": "2026-01-05"}
    assert _errors(QuarterPlan, base | {"quarter": "明年"}, "zh") == {"quarter": "“明年”不是期间：应写月份 2026-03、季度 2026Q1、半年 2026H1 或年度 2026"}
    assert _errors(QuarterPlan, base | {"quarter": "2026-13"}, "zh") == {"quarter": "期间序号 13 超出范围（月份最多 12）"}
    assert _errors(QuarterPlan, base | {"quarter": "2026-03"}, "en") == {"quarter": "write a quarter such as 2026Q3"}
