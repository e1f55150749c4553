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
