"""The bundled 天津工业大学 example: the annex exactly, and exactly the deliberate shortfalls."""

from collections import Counter

from coordtui.cli import main
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

from university_grid.example import example_document


def test_annex_counts_and_names():
    items = example_document()["items"]
    kinds = Counter(i["kind"] for i in items)
    assert kinds["group"] == 5 and kinds["unit"] == 25 and kinds["grid_member"] == 10 and kinds["grid_link"] == 11
    units = [i for i in items if i["kind"] == "unit"]
    assert Counter(u["group"] for u in units) == {"g1": 6, "g2": 5, "g3": 5, "g4": 4, "g5": 5}
    assert Counter(u["unit_type"] for u in units) == {"纪委": 18, "党总支": 6, "直属党支部": 1}
    links = [i for i in items if i["kind"] == "grid_link"]
    sun = [i["id"] for i in items if i["kind"] == "grid_member" and i["name"] == "孙  刚"]
    assert sorted(link["group"] for link in links if link["grid_member"] in sun) == ["g3", "g4"]


def test_names_are_normalized_on_load(tmp_path):
    ws = Workspace(Store(tmp_path / "s", create=True), PluginHost())
    ws.load_examples()
    names = {m.name for m in ws.records("tjpu", "grid_member")}
    assert {"赵娓", "孙刚", "赵诚", "苏岩"} <= names and not any(" " in n for n in names)
    assert len(ws.records("tjpu", "unit")) == 25


def test_check_reports_the_deliberate_shortfalls_and_nothing_else(tmp_path, capsys):
    import json

    db = tmp_path / "db"
    assert main(["init", "--db", str(db), "--examples"]) == 0
    capsys.readouterr()
    code = main(["check", "--db", str(db), "--org", "tjpu", "--as-of", "2026-10-15", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    got = sorted((f["rule"].split(".")[1], f["severity"], f["subject"], f["period"]) for f in data["findings"])
    assert code == 1
    assert got == sorted([
        ("grid_member_attendance", "error", "苏岩", "2026Q3"),
        ("news_deadline", "error", "第二协作组“基层监督难点问题联合调研”", "2026Q3"),
        ("quarterly_activity", "error", "第四协作组", "2026Q3"),
        ("quarterly_plan_and_summary", "warning", "第五协作组", "2026Q3"),
    ])
