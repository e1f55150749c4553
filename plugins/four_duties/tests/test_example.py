import json
from collections import Counter

from coordtui.cli import main

from four_duties.example import DEPARTMENTS, example_document


def test_seed_departments_and_areas():
    items = example_document()["items"]
    units = [i["name"] for i in items if i["kind"] == "unit"]
    assert DEPARTMENTS == ["党（校）办", "纪委办（监察处）", "组织部", "宣传部", "学工部", "研工部", "保卫部", "团委", "工会", "研究生院",
                           "教务处", "人事处", "科技处", "审计处", "财务处"]
    assert set(DEPARTMENTS) <= set(units)
    kinds = Counter(i["kind"] for i in items)
    assert (kinds["bearer"], kinds["risk_area"], kinds["team_member"]) == (4, 8, 6)
    assert {i["duty"] for i in items if i["kind"] == "bearer"} == {"主体责任", "监督责任", "第一责任", "一岗双责"}


def test_check_reports_exactly_the_deliberate_gaps(tmp_path, capsys):
    db = tmp_path / "db"
    main(["init", "--db", str(db), "--examples"])
    capsys.readouterr()
    main(["check", "--db", str(db), "--org", "usst", "--as-of", "2026-10-15", "--format", "json"])
    got = Counter((f["rule"].split(".")[1], f["subject"]) for f in json.loads(capsys.readouterr().out)["findings"])
    assert got == Counter({
        ("agreement_deadline", "任务协同书“招标采购联合监督检查”"): 1,
        ("four_documents", "副校长（分管后勤、基建、资产）"): 1,
        ("four_meetings", "中共上海理工大学委员会"): 1,
        ("problem_rectification", "示例学院二党委"): 1,
        ("problem_rectification", "基建处“维修工程验收程序不全”"): 1,
        ("risk_point_owner", "资产经营公司"): 1,
        ("risk_point_owner", "研究生院"): 1,
    })
