"""The bundled 平罗县 example: the annex exactly, the alias resolved, exactly the deliberate problems."""

import json
from collections import Counter

from coordtui.cli import main
from coordtui.interchange import validate_document
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

from county_zones.example import example_document


def test_annex_counts():
    items = example_document()["items"]
    kinds = Counter(i["kind"] for i in items)
    assert (kinds["zone"], kinds["office"], kinds["supervisor"], kinds["department"]) == (4, 4, 10, 61)
    bodies = [i for i in items if i["kind"] == "member_body"]
    assert Counter(b["body_type"] for b in bodies) == {"乡镇纪委": 13, "派驻纪检监察组": 8}
    depts = [i for i in items if i["kind"] == "department"]
    assert Counter(d["zone"] for d in depts) == {"z1": 14, "z2": 23, "z3": 13, "z4": 11}
    sups = [i for i in items if i["kind"] == "supervisor"]
    assert Counter(s["zone"] for s in sups) == {"z1": 3, "z2": 3, "z3": 2, "z4": 2}
    assert "统战部（民宗局、工商联、伊协）" in {d["name"] for d in depts}


def test_alias_names_one_body(tmp_path):
    ws = Workspace(Store(tmp_path / "s", create=True), PluginHost())
    ws.load_examples()
    doc = {"format": "coordtui/1", "model": "county_zones", "org": {"id": "pingluo", "name": "平罗县纪委监委"},
           "items": [{"kind": "team_member", "id": "x1", "task": "t-2026-leads", "name": "某干部", "body": "驻公安纪检监察组"}]}
    plan = validate_document(doc, ws, "alias.json", merge_with_store=True)
    body = next(b for b in ws.records("pingluo", "member_body") if b.name == "驻公安局纪检监察组")
    assert plan.records[0].body == body.id
    names = [b.name for b in ws.records("pingluo", "member_body")]
    assert "驻公安纪检监察组" not in names and len(names) == 21


def test_check_reports_exactly_the_deliberate_problems(tmp_path, capsys):
    db = tmp_path / "db"
    main(["init", "--db", str(db), "--examples"])
    capsys.readouterr()
    main(["check", "--db", str(db), "--org", "pingluo", "--as-of", "2026-10-15", "--format", "json"])
    got = Counter((f["rule"].split(".")[1], f["severity"], f["subject"]) for f in json.loads(capsys.readouterr().out)["findings"])
    assert got == Counter({
        ("cross_inspection_conflict", "error", "财政审计领域交叉监督检查"): 1,
        ("holiday_node_check", "error", "第四协作区"): 2,
        ("monthly_report", "error", "第三协作区"): 1,
        ("task_closure", "error", "乡村振兴政策落实情况政治监督"): 1,
        ("task_overdue", "error", "“群众反映强烈问题线索集中核查”"): 1,
        ("half_year_summary", "warning", "第二协作区"): 1,
        ("zone_leadership", "warning", "第一协作区"): 1,
        ("zone_leadership", "warning", "第二协作区"): 1,
        ("zone_leadership", "warning", "第三协作区"): 1,
        ("zone_leadership", "warning", "第四协作区"): 1,
    })
