import json
import subprocess
import sys

from coordtui.cli import main


def test_a_scaffolded_model_loads_checks_and_passes_its_own_tests(tmp_path, capsys):
    assert main(["plugin", "new", "branch_reports", "--dir", str(tmp_path)]) == 0
    project = tmp_path / "branch_reports"
    assert (project / "pyproject.toml").read_text().count('branch_reports = "branch_reports.plugin:PLUGIN"') == 1
    capsys.readouterr()
    # Dropped in as a folder (an installed copy is found through its entry point the same way).
    assert main(["plugins", "--format", "json", "--plugin-dir", str(project)]) == 0
    info = {p["name"]: p for p in json.loads(capsys.readouterr().out)}["branch_reports"]
    assert info["status"] == "ok" and info["models"] == ["branch_reports"]
    db = tmp_path / "db"
    assert main(["init", "--db", str(db), "--examples", "--plugin-dir", str(project)]) == 0
    capsys.readouterr()
    code = main(["check", "--db", str(db), "--org", "branch_reports-example", "--as-of", "2026-03-05", "--format", "json", "--plugin-dir", str(project)])
    rules = {(f["rule"], f["period"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert code == 1 and ("branch_reports.team_leader", None) in rules and ("branch_reports.monthly_report", "2026-02") in rules
    assert ("branch_reports.issue_fixed", None) in rules  # the example's issue, found 2026-01-10, was due 2026-02-10
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project / "tests")], cwd=project,
                           capture_output=True, text=True, env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert "3 passed" in tests.stdout, tests.stdout + tests.stderr


def test_bad_names_and_existing_folders_are_refused(tmp_path, capsys):
    assert main(["plugin", "new", "Bad-Name", "--dir", str(tmp_path)]) == 2
    assert "cannot name a model" in capsys.readouterr().err
    main(["plugin", "new", "twice", "--dir", str(tmp_path)])
    assert main(["plugin", "new", "twice", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_scaffolded_screen_lists_the_open_duties_and_enter_opens_the_record_that_meets_one(tmp_path):
    from datetime import date

    from coordtui.domain.model import DutyStatus
    from coordtui.testing import drive, example_workspace

    assert main(["plugin", "new", "board_model", "--dir", str(tmp_path)]) == 0
    ws = example_workspace(tmp_path / "ws", plugin_dirs=[tmp_path / "board_model"], autoload=False)

    async def scenario(app, pilot):
        await pilot.press("m", "1")
        await pilot.pause()
        screen = app.screen
        shown = [(r.subject, r.what_en, r.status) for r in screen.rows]
        assert shown[0][2] is DutyStatus.OVERDUE and ("第二小组", "fixing '台账不全'", DutyStatus.OVERDUE) in shown
        assert "待办事项" in str(screen.query_one("#board-title").render())
        issue = next(n for n, r in enumerate(screen.rows) if r.record_kind == "issue")
        screen.query_one("#board").move_cursor(row=issue)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.kind == "issue" and app.screen.record.id == "i1"

    drive(ws, scenario, org_id="board_model-example", as_of=date(2026, 3, 5))
