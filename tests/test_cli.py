import json

import pytest

from coordtui.store import Store

from conftest import DROPINS, run




@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "db"
    code, out, _ = run(capsys, "init", "--db", path, "--examples", "--plugin-dir", DROPINS)
    assert code == 0 and "m1" in out and "tjpu" in out
    return path


def test_init_creates_an_empty_store(tmp_path, capsys):
    code, out, _ = run(capsys, "init", "--db", tmp_path / "new")
    assert code == 0 and "数据存储已就绪" in out  # Chinese by default
    assert Store(tmp_path / "new").orgs() == []


def test_check_json_shape_and_exit_status(db, capsys):
    code, out, _ = run(capsys, "check", "--db", db, "--org", "m1", "--as-of", "2026-03-05", "--format", "json", "--plugin-dir", DROPINS)
    data = json.loads(out)
    assert code == 1
    assert data["as_of"] == "2026-03-05"
    assert set(data["summary"]) == {"error", "warning", "info"}
    rules = {(f["rule"], f["severity"], f["period"]) for f in data["findings"]}
    assert ("mini.lead", "error", None) in rules
    assert ("mini.monthly_report", "error", "2026-02") in rules
    for f in data["findings"]:
        assert {"rule", "severity", "org", "subject", "period", "message", "message_en"} <= set(f)


def test_check_without_errors_exits_zero(tmp_path, capsys):
    path = tmp_path / "empty"
    run(capsys, "init", "--db", path)
    code, out, _ = run(capsys, "check", "--db", path, "--as-of", "2026-03-05")
    assert code == 0 and "没有发现问题" in out


def test_check_text_in_english(db, capsys):
    code, out, _ = run(capsys, "check", "--db", db, "--org", "m1", "--as-of", "2026-03-05", "--lang", "en", "--plugin-dir", DROPINS)
    assert "has no lead" in out and "Summary:" in out


def test_export_import_roundtrip_is_exact(db, tmp_path, capsys):
    out_file = tmp_path / "tjpu.json"
    assert run(capsys, "export", "--format", "json", "--org", "tjpu", "--db", db, "--out", out_file)[0] == 0
    fresh = tmp_path / "fresh"
    run(capsys, "init", "--db", fresh)
    code, out, _ = run(capsys, "import", out_file, "--db", fresh, "--lang", "en")
    assert code == 0 and "created" in out
    again = tmp_path / "again.json"
    run(capsys, "export", "--org", "tjpu", "--db", fresh, "--out", again)
    assert json.loads(out_file.read_text()) == json.loads(again.read_text())


def test_import_dry_run_writes_nothing(db, tmp_path, capsys):
    out_file = tmp_path / "m1.json"
    run(capsys, "export", "--org", "m1", "--db", db, "--out", out_file, "--plugin-dir", DROPINS)
    fresh = tmp_path / "fresh"
    run(capsys, "init", "--db", fresh)
    code, out, _ = run(capsys, "import", out_file, "--db", fresh, "--dry-run", "--plugin-dir", DROPINS, "--lang", "en")
    assert code == 0 and "would create 3" in out
    assert Store(fresh).orgs() == []


def _doc(items, **over):
    doc = {"format": "coordtui/1", "model": "mini", "org": {"id": "m2", "name": "新"}, "items": items}
    doc.update(over)
    return doc


@pytest.mark.parametrize("content,expected", [
    (None, "no such file"),
    ("{not json", "not valid JSON (line 1"),
    (_doc([], format="other/9"), "format is 'other/9'"),
    (_doc([], model="nosuch"), "unknown model 'nosuch'"),
    (_doc([{"kind": "planet", "id": "x"}]), "item 1 (kind planet): unknown kind"),
    (_doc([{"kind": "team", "id": "t1"}]), "item 1 (kind team): field name: required field is missing"),
    (_doc([{"kind": "team", "id": "t1", "name": "a", "colour": "red"}]), "item 1 (kind team): field colour: unknown field"),
    (_doc([{"kind": "team", "id": "t1", "name": "a"}, {"kind": "report", "id": "r", "team": "t1", "filed_on": "2026-02-30"}]),
     "item 2 (kind report): field filed_on:"),
    (_doc([{"kind": "team", "id": "t1", "name": "a"}, {"kind": "team", "id": "t1", "name": "b"}]), "item 2 (kind team): field id: 't1' is used again"),
    (_doc([{"kind": "report", "id": "r", "team": "ghost", "filed_on": "2026-02-03"}]), "item 1 (kind report): field team: no team with id 'ghost'"),
    (_doc([{"kind": "team", "id": "bad id!", "name": "a"}]), "item 1 (kind team): field id:"),
])
def test_bad_import_is_one_line_exit_2_and_store_untouched(db, tmp_path, capsys, content, expected):
    before = json.dumps(Store(db).orgs(), sort_keys=True, default=str)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_doc([{"kind": "team", "id": "ok", "name": "好"}], org={"id": "m3", "name": "好"})))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False))
    code, out, err = run(capsys, "import", good, bad, "--db", db, "--lang", "en", "--plugin-dir", DROPINS)
    assert code == 2, err
    assert err.count("\n") == 1 and expected in err and str(bad) in err
    assert "Traceback" not in err
    assert json.dumps(Store(db).orgs(), sort_keys=True, default=str) == before  # the good file did not land either


@pytest.mark.parametrize("args,expected", [
    (["check", "--as-of", "2026-13-01"], "--as-of '2026-13-01' is not a valid date"),
    (["check", "--org", "nosuch"], "no organization 'nosuch'"),
    (["export", "--org", "nosuch"], "no organization 'nosuch'"),
    (["schema", "nosuch"], "unknown model 'nosuch'"),
    (["check", "--format", "xml"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_usage_is_one_line_exit_2(db, capsys, args, expected):  # in English (tests/test_cli_lang.py: in Chinese)
    code, out, err = run(capsys, *args, "--db", db, "--lang", "en") if args[0] != "frobnicate" else run(capsys, "--lang", "en", *args)
    assert code == 2 and expected in err and err.count("\n") == 1


def test_unreadable_store_is_exit_2(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "meta.json").write_text("garbage")
    code, _, err = run(capsys, "check", "--db", tmp_path / "x")
    assert code == 2 and "meta.json" in err and "unreadable" in err


def test_plugins_lists_builtins_and_failures(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("raise ImportError('nope')\n")
    code, out, _ = run(capsys, "plugins", "--format", "json", "--plugin-dir", tmp_path)
    data = {p["name"]: p for p in json.loads(out)}
    assert code == 0
    assert data["university_grid"]["status"] == "ok" and data["university_grid"]["models"] == ["university_grid"]
    assert data["broken"]["status"] == "failed" and "nope" in data["broken"]["cause"]
    code, out, _ = run(capsys, "plugins", "--lang", "en")
    assert "university_grid" in out and "[ok]" in out
    code, out, _ = run(capsys, "plugins", "--plugin-dir", tmp_path)
    assert "[已加载]" in out and "[加载失败：" in out and "models:" not in out


def test_schema_prints_every_kind(capsys):
    code, out, _ = run(capsys, "schema", "university_grid")
    data = json.loads(out)
    assert code == 0 and {"unit", "group", "activity", "leader_term"} <= set(data["kinds"])
    assert "news_submitted" in data["kinds"]["activity"]["properties"]


def test_history_tampering_is_reported_by_check(db, capsys):
    log = db / "data" / "m1" / "structure.history.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    entries[0]["user"] = "mallory"
    log.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))
    code, out, _ = run(capsys, "check", "--db", db, "--as-of", "2026-01-05", "--format", "json", "--plugin-dir", DROPINS)
    assert any(f["rule"] == "core.history_tampered" for f in json.loads(out)["findings"])


def test_a_terminal_that_cannot_host_the_app_gets_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TERM", "dumb")
    code, _, err = run(capsys, "--db", tmp_path / "s")
    assert code == 2 and "TERM=dumb" in err and "coordtui check" in err and err.count("\n") == 1
    assert not (tmp_path / "s").exists()  # nothing written


def test_app_outside_a_terminal_is_refused(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TERM", "xterm-256color")
    code, _, err = run(capsys, "--db", tmp_path / "s")  # pytest's stdout is not a terminal
    assert code == 2 and "界面需要在终端中运行" in err
    code, _, err = run(capsys, "--db", tmp_path / "s", "--lang", "en")
    assert code == 2 and "needs a terminal" in err


def test_as_of_and_period_are_bounded_to_years_that_mean_something(db, capsys):
    for args in (["check", "--as-of", "9999-12-31"], ["export", "--org", "tjpu", "--format", "md", "--as-of", "1900-01-01"],
                 ["export", "--org", "tjpu", "--format", "md", "--period", "9999"]):
        code, _, err = run(capsys, "--lang", "en", *args, "--db", db)
        assert code == 2 and "give a" in err and err.count("\n") == 1, (args, err)


def test_a_store_named_before_the_command_is_the_one_verify_and_restore_work_on(example_store, capsys):
    code, out, err = run(capsys, "--lang", "en", "--db", example_store, "verify")
    assert code == 0 and str(example_store) in out and "history is intact" in out, (out, err)
    code, out, err = run(capsys, "--lang", "en", "--db", example_store, "restore", "manifest.json")
    assert code == 2 and f"{example_store}/manifest.json: is intact" in err, err



EXIT = r"""
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, file=sys.stderr))
from coordtui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_import_s_process_leaves_its_objects_to_the_system_at_exit_and_its_rows_are_saved(db, tmp_path, capsys):
    """Every command, not only a check, skips the exit's garbage collection (gc.freeze at exit,
    after the output and the files are written): an import in its own process says what it
    saved, with its exit status, and the store holds every row."""
    import subprocess
    import sys

    code, out, _ = run(capsys, "export", "--db", db, "--format", "csv", "--org", "tjpu", "--kind", "activity", "--out", tmp_path / "a.csv")
    assert code == 0
    rows = (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()
    body = [rows[0]] + [f"bulk-{n}," + rows[1 + n % (len(rows) - 1)].split(",", 1)[1] for n in range(200)]
    (tmp_path / "b.csv").write_text("\n".join(body) + "\n", encoding="utf-8-sig")
    before = len(Store(db).query("tjpu", "activity"))
    done = subprocess.run([sys.executable, "-c", EXIT, "import", "--db", str(db), "--org", "tjpu", "--kind", "activity", str(tmp_path / "b.csv"),
                           "--lang", "en", "--plugin-dir", str(DROPINS)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "200 rows valid; created 200" in done.stdout and "frozen at exit: True" in done.stderr
    assert len(Store(db).query("tjpu", "activity")) == before + 200
    bad = subprocess.run([sys.executable, "-c", EXIT, "import", "--db", str(db), "--org", "tjpu", "--kind", "activity", str(tmp_path / "none.csv"),
                          "--lang", "en"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.startswith("coordtui: ")
