import json
from collections import Counter

from coordtui.cli import main

from enterprise_tiers.example import example_document


def test_seed_documents_and_structure():
    items = example_document()["items"]
    docs = {i["number"]: i for i in items if i["kind"] == "document"}
    assert docs["淄矿纪发〔2019〕18号"]["issued_on"] == "2019-10-12"
    assert docs["新升纪发〔2019〕10号"]["issued_on"] == "2019-10-25" and docs["新升纪发〔2019〕10号"]["forwards"] == "zkjf-2019-18"
    kinds = Counter(i["kind"] for i in items)
    assert (kinds["tier1"], kinds["subsidiary"], kinds["branch"], kinds["inspector"]) == (1, 3, 10, 19)
    assert "老干家委党总支" in {i["name"] for i in items if i["kind"] == "branch"}


def test_check_reports_exactly_the_deliberate_problems(tmp_path, capsys):
    db = tmp_path / "db"
    main(["init", "--db", str(db), "--examples"])
    capsys.readouterr()
    main(["check", "--db", str(db), "--org", "zikuang", "--as-of", "2026-10-15", "--format", "json"])
    got = sorted((f["rule"].split(".")[1], f["severity"], f["period"]) for f in json.loads(capsys.readouterr().out)["findings"])
    assert got == sorted([
        ("commendation_quota", "error", "2025"),
        ("document_number", "error", None),
        ("implementation_plan", "error", "2026Q2"),
        ("major_lead_escalation", "error", "2026Q3"),
        ("monthly_inspector_report", "error", "2026-08"),
        ("quarterly_unit_report", "error", "2026Q3"),
        ("ledger_entry", "warning", "2026Q3"),
        ("quarterly_directive", "warning", "2026Q3"),
    ])
