"""Issue 18: every fault and every bad input ends in one clear message (never a traceback,
a half state or a lost save). Each test here failed before its fix."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from pathlib import Path

import orjson
import pytest

from coordtui.cli import main
from coordtui.domain.model import Duty, Obligation
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

from conftest import DROPINS

AS_OF = "2026-03-05"


def run(capsys, *args):
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "db"
    code, _, _ = run(capsys, "init", "--db", path, "--examples", "--plugin-dir", DROPINS)
    assert code == 0
    return path


def one_clear_line(code: int, err: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("coordtui: "), err
    assert "Traceback" not in err
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7F <= ord(ch) <= 0x9F for ch in err), repr(err)


def mini_doc(org: dict | None = None, items: list | None = None) -> dict:
    return {
        "format": "coordtui/1", "model": "mini",
        "org": org or {"id": "m2", "name": "二号", "settings": {"tracking_start": "2026-01-01"}},
        "items": items if items is not None else [{"kind": "team", "id": "t1", "name": "一组", "lead": "张三"}],
    }


def import_doc(capsys, db: Path, tmp_path: Path, doc: dict, *extra) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_bytes(orjson.dumps(doc))
    return run(capsys, "import", "--db", db, "--plugin-dir", DROPINS, *extra, path, "--lang", "en")


def store_files(db: Path) -> dict[str, bytes]:
    return {p.relative_to(db).as_posix(): p.read_bytes() for p in sorted(db.rglob("*")) if p.is_file() and "lock" not in p.name}


# 1. orgs.json of another shape ----------------------------------------------------------
@pytest.mark.parametrize("command", [["check", "--as-of", AS_OF], ["export", "--org", "m1", "--out", "-"]])
def test_an_organization_document_of_another_shape_is_one_line_naming_the_file_and_its_backup(db, capsys, command):
    orgs = db / "orgs.json"
    data = json.loads(orgs.read_text())
    data["org"] = {"m1": {"id": "m1"}}
    orgs.write_text(json.dumps(data))
    code, _, err = run(capsys, *command, "--db", db, "--plugin-dir", DROPINS)
    one_clear_line(code, err)
    assert str(orgs) in err and "organization 'm1': field name: required field is missing" in err
    assert f"coordtui restore --db {db} orgs.json" in err
    assert run(capsys, "restore", "--db", db, "orgs.json")[0] == 0
    assert run(capsys, *command, "--db", db, "--plugin-dir", DROPINS)[0] in (0, 1)


# 3. an unreadable month file is one store problem ---------------------------------------
def test_an_unreadable_month_file_is_one_finding_naming_it_and_restore(db, capsys):
    month = db / "data" / "m1" / "2026-01.json"
    ws = Workspace.open(db, plugin_dirs=[DROPINS])
    report, rev = ws.get("m1", "report", "r1")
    ws.save("m1", report.model_copy(update={"filed_on": date(2026, 1, 21)}), rev=rev)  # a backup is kept
    month.write_bytes(b"garbage")
    code, out, _ = run(capsys, "check", "--db", db, "--plugin-dir", DROPINS, "--as-of", AS_OF, "--format", "json", "--org", "m1")
    findings = [f for f in json.loads(out)["findings"] if f["org"] == "m1"]  # (the seal's check says its own)
    assert code == 1
    assert [f["rule"] for f in findings] == ["core.store_unreadable"]
    assert str(month) in findings[0]["message_en"] and "coordtui restore" in findings[0]["message_en"]


# 4. control characters ------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["\x00", "\x1b[2J", "\x07", "\x9b2J", "\x7f"])
@pytest.mark.parametrize("where", ["team name", "lead (a plain str field)", "org name"])
def test_control_characters_are_refused_in_every_text_field(db, tmp_path, capsys, bad, where):
    before = store_files(db)
    if where == "org name":
        doc = mini_doc(org={"id": "m2", "name": f"二{bad}号"})
    elif where == "team name":
        doc = mini_doc(items=[{"kind": "team", "id": "t1", "name": f"一{bad}组"}])
    else:
        doc = mini_doc(items=[{"kind": "team", "id": "t1", "name": "一组", "lead": f"张{bad}三"}])
    code, _, err = import_doc(capsys, db, tmp_path, doc)
    one_clear_line(code, err)
    assert "control character" in err and ascii(bad[0])[1:-1] in err
    assert store_files(db) == before


def test_tab_and_newline_stay_allowed_in_long_text_but_not_in_a_label(db, tmp_path, capsys):
    ok = mini_doc(items=[{"kind": "team", "id": "t1", "name": "一组", "lead": "张三\t(代)\n李四"}])
    assert import_doc(capsys, db, tmp_path, ok)[0] == 0
    label = mini_doc(items=[{"kind": "team", "id": "t1", "name": "一组\n二组"}])
    code, _, err = import_doc(capsys, db, tmp_path, label)
    one_clear_line(code, err)
    assert "field name" in err and "\\n" in err


def test_every_item_of_a_list_field_is_checked_for_control_characters():
    # (A list of texts all printable is passed at once; any other list is searched item by item.)
    from pydantic import ValidationError

    from coordtui.domain.records import Record

    class Crew(Record):
        kind = "crew"
        aliases_field = "aliases"
        aliases: list[str] = []
        notes: list[str] = []
        sizes: list[int] = []

    assert Crew(id="c", aliases=["一组", "二组"], notes=["甲"], sizes=[1, 2]).notes == ["甲"]
    assert Crew(id="c", notes=["张三\t(代)", "李四\n王五"]).notes[1] == "李四\n王五"  # long text keeps tab and newline
    for field, value, shown in [("notes", ["一组", "二\x1b[2J组"], "\\x1b"), ("aliases", ["一组", "二\t组"], "\\t"),
                                ("notes", ["甲", "\x9b"], "\\x9b")]:
        with pytest.raises(ValidationError, match=re.escape(shown)):
            Crew(id="c", **{field: value})


# 5. messages never echo input raw -------------------------------------------------------
def test_a_message_shows_user_supplied_text_escaped_on_one_line(db, tmp_path, capsys):
    doc = mini_doc(items=[{"kind": "x\n\x1b]0;PWNED\x07\nsecond line", "id": "a"}])
    code, _, err = import_doc(capsys, db, tmp_path, doc)
    one_clear_line(code, err)
    assert "\\x1b]0;PWNED\\x07" in err and "unknown kind" in err


def test_the_command_line_prints_any_message_on_one_line(capsys, monkeypatch):
    from coordtui import cli
    from coordtui.errors import InputError

    def boom(args):
        raise InputError("no such thing: 'a\nb\x1b[31m'")

    monkeypatch.setitem(cli.COMMANDS, "check", boom)
    code, _, err = run(capsys, "check")
    one_clear_line(code, err)
    assert "'a\\nb\\x1b[31m'" in err


# 6. settings: depth and unknown keys ----------------------------------------------------
def test_settings_nested_deep_are_refused_naming_the_setting(db, tmp_path, capsys):
    doc = orjson.dumps(mini_doc(org={"id": "m2", "name": "二号", "settings": {"tracking_start": "2026-01-01", "deep": "DEEP"}}))
    path = tmp_path / "in.json"
    path.write_bytes(doc.replace(b'"DEEP"', b'{"x":' * 900 + b"1" + b"}" * 900))
    before = store_files(db)
    code, _, err = run(capsys, "import", "--db", db, "--plugin-dir", DROPINS, path, "--lang", "en")
    one_clear_line(code, err)
    assert "'deep'" in err and "nested" in err
    assert store_files(db) == before


def test_an_unknown_setting_is_refused_naming_it_and_the_known_ones(tmp_path, capsys):
    db = tmp_path / "db"
    assert run(capsys, "init", "--db", db, "--examples")[0] == 0
    doc = json.loads(run(capsys, "export", "--db", db, "--org", "tjpu", "--out", "-")[1])
    doc["org"]["settings"]["recusal_yeers"] = 5
    before = store_files(db)
    code, _, err = import_doc_plain(capsys, db, tmp_path, doc)
    one_clear_line(code, err)
    assert "unknown setting 'recusal_yeers'" in err and "term_months" in err and "tracking_start" in err
    assert store_files(db) == before


def import_doc_plain(capsys, db: Path, tmp_path: Path, doc: dict) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_bytes(orjson.dumps(doc))
    return run(capsys, "import", "--db", db, path, "--lang", "en")


# 7. ids are single path-safe names ------------------------------------------------------
@pytest.mark.parametrize("bad", [".", "..", ".hidden"])
def test_an_organization_id_that_is_no_plain_name_is_refused(db, tmp_path, capsys, bad):
    before = store_files(db)
    code, _, err = import_doc(capsys, db, tmp_path, mini_doc(org={"id": bad, "name": "坏"}))
    one_clear_line(code, err)
    assert "org: field id" in err
    code, _, err = import_doc(capsys, db, tmp_path, mini_doc(org={"id": bad, "name": "坏"}), "--replace")
    one_clear_line(code, err)
    assert store_files(db) == before
    assert not (db / "data" / ".." / "2026-01.json").exists()


@pytest.mark.parametrize("bad", [".", "..", ".t1"])
def test_a_record_id_that_is_no_plain_name_is_refused(db, tmp_path, capsys, bad):
    code, _, err = import_doc(capsys, db, tmp_path, mini_doc(items=[{"kind": "team", "id": bad, "name": "一组"}]))
    one_clear_line(code, err)
    assert "field id" in err and "not starting with '.'" in err


# 8. plugins -----------------------------------------------------------------------------
def _host_with(tmp_path: Path, name: str, source: str) -> PluginHost:
    folder = tmp_path / f"plugins-{name}"
    folder.mkdir()
    (folder / f"{name}.py").write_text(textwrap.dedent(source))
    return PluginHost(plugin_dirs=[DROPINS, folder], autoload=False).load()


def test_an_obligation_returning_a_bad_duty_is_one_finding_naming_plugin_and_rule(tmp_path):
    host = _host_with(tmp_path, "badduty", """
        from coordtui import hookimpl
        from coordtui.api import Duty, Obligation

        def duties(ctx):
            for team in ctx.records("team"):
                yield Duty(subject=team.name, due="not a date", what_zh="报告", what_en="report")

        @hookimpl
        def coordtui_obligations(model):
            if model.id == "mini":
                return [Obligation("mini.bad_duty", "坏", "bad", duties)]
    """)
    ws = Workspace(Store(tmp_path / "store", create=True), host)
    ws.load_examples()
    result = ws.check(date(2026, 3, 5))
    bad = [f for f in result.findings if f.rule == "core.rule_failed"]
    assert len(bad) == 1 and "mini.bad_duty" in bad[0].message_en and "plugin badduty" in bad[0].message_en
    assert "due" in bad[0].message_en and "not a date" in bad[0].message_en
    # Everything else goes on: the model's own rule and obligation still report.
    rules = {f.rule for f in result.findings}
    assert {"mini.lead", "mini.monthly_report"} <= rules


@pytest.mark.parametrize("source, cause", [
    ("raise KeyboardInterrupt\n", "failed to import: KeyboardInterrupt"),
    ("from coordtui import hookimpl\n\n@hookimpl\ndef coordtui_models():\n    raise SystemExit(3)\n",
     "raised in coordtui_models: SystemExit: 3"),
])
def test_a_plugin_raising_keyboard_interrupt_or_system_exit_is_switched_off_and_named(tmp_path, capsys, source, cause):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"stopper_{len(source)}.py").write_text(source)
    code, out, _ = run(capsys, "plugins", "--plugin-dir", folder, "--plugin-dir", DROPINS, "--lang", "en")
    assert code == 0
    assert cause in out and "mini  9.9  models: mini  [ok]" in out


@pytest.mark.parametrize("name", ["icalendar", "openpyxl", "json"])
def test_a_folder_plugin_may_not_shadow_another_module(tmp_path, capsys, name):
    import importlib

    real = importlib.import_module(name)
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"{name}.py").write_text("from coordtui import hookimpl\n\n@hookimpl\ndef coordtui_models():\n    return []\n")
    host = PluginHost(plugin_dirs=[folder], autoload=False).load()
    info = host.plugins[name]
    assert info.status == "failed" and "shadow" in info.cause
    import sys

    assert sys.modules[name] is real and importlib.import_module(name).__file__ == real.__file__


# 2. backups keep the newest version that fits the model; no save on top of one that does not
MINI_V2 = '''
"""The mini model, version 10: a team's lead became required."""
from datetime import date
from typing import Annotated, ClassVar

from coordtui import hookimpl
from coordtui.api import ModelSpec, Record, Ref, Text

__version__ = "10.0"


class Team(Record):
    kind: ClassVar[str] = "team"
    name: Text
    lead: str


class Report(Record):
    kind: ClassVar[str] = "report"
    partition_field: ClassVar[str | None] = "filed_on"
    team: Annotated[str, Ref("team")]
    filed_on: date


@hookimpl
def coordtui_models():
    return [ModelSpec(id="mini", name_zh="小模型", name_en="Mini", version=__version__, kinds=[Team, Report])]
'''


@pytest.fixture
def upgraded(tmp_path, capsys):
    """A store written under mini 9.9, where team t2 has no lead (allowed then), its structure
    file saved three more times; and a folder with mini 10.0, where a lead is required."""
    db = tmp_path / "db"
    assert run(capsys, "init", "--db", db, "--examples", "--plugin-dir", DROPINS)[0] == 0
    ws = Workspace.open(db, plugin_dirs=[DROPINS])
    for lead in ("王五", None):  # t2 gets a lead, then loses it again
        team, rev = ws.get("m1", "team", "t2")
        ws.save("m1", team.model_copy(update={"lead": lead}), rev=rev)
    team, rev = ws.get("m1", "team", "t1")
    ws.save("m1", team.model_copy(update={"name": "一组（改）"}), rev=rev)
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "mini_ten.py").write_text(MINI_V2)
    return db, v2


@pytest.mark.usefixtures("whole_writes")
def test_a_save_on_top_of_a_file_that_no_longer_fits_the_model_is_refused_and_backups_are_kept(upgraded, capsys):
    db, v2 = upgraded
    structure = db / "data" / "m1" / "structure.json"
    ws = Workspace.open(db, plugin_dirs=[v2])
    ws.host.load()
    assert ws.host.models["mini"].version == "10.0"
    before = store_files(db)
    Team = ws.host.models["mini"].kind("team")
    from coordtui.errors import StoreError

    for n in range(3):  # three saves: none lands, so no backup is rotated out
        with pytest.raises(StoreError) as err:
            ws.save("m1", Team(id=f"t{n + 3}", name=f"{n + 3}组", lead="赵六"), rev=0)
        message = err.value.message
        assert str(structure) in message and "nothing was saved" in message
        assert "team 't2': field lead: Input should be a valid string" in message and "\n" not in message
        assert f"coordtui restore --db {db} data/m1/structure.json" in message
    assert store_files(db) == before
    # check says it once, offering the backup that fits (not the newest, which does not)
    code, out, _ = run(capsys, "check", "--db", db, "--plugin-dir", v2, "--as-of", AS_OF, "--format", "json", "--org", "m1")
    (finding,) = [f for f in json.loads(out)["findings"] if f["org"] == "m1"]
    assert finding["rule"] == "core.store_unreadable" and "structure.json.2" in finding["message_en"]
    # restore picks that backup, and the organization checks again
    code, out, err = run(capsys, "restore", "--db", db, "--plugin-dir", v2, "data/m1/structure.json")
    assert code == 0 and "structure.json.2" in out, err
    code, out, _ = run(capsys, "check", "--db", db, "--plugin-dir", v2, "--as-of", AS_OF, "--format", "json", "--org", "m1")
    assert "core.store_unreadable" not in out and ws.get("m1", "team", "t2")[0].lead == "王五"


@pytest.mark.usefixtures("whole_writes")
def test_without_a_backup_that_fits_the_advised_export_and_import_repair_it(upgraded, tmp_path, capsys):
    db, v2 = upgraded
    for n in (1, 2, 3):  # every backup lacks t2's lead too
        backup = db / "backups" / "data" / "m1" / f"structure.json.{n}"
        data = json.loads(backup.read_text())
        data["team"]["t2"].pop("lead", None)
        backup.unlink()
        backup.write_text(json.dumps(data))
    out_file = tmp_path / "m1.json"
    code, _, err = run(capsys, "export", "--db", db, "--plugin-dir", v2, "--org", "m1", "--format", "xlsx", "--out", tmp_path / "m1.xlsx")
    one_clear_line(code, err)
    assert "没有符合模型的备份" in err and "--format json" in err and "import --db" in err  # in the default language
    code, _, err = run(capsys, "export", "--db", db, "--plugin-dir", v2, "--org", "m1", "--format", "xlsx", "--out", tmp_path / "m1.xlsx",
                       "--lang", "en")
    one_clear_line(code, err)
    assert "no backup of it fits the model" in err and "--format json" in err and "import --db" in err
    code, _, err = run(capsys, "export", "--db", db, "--plugin-dir", v2, "--org", "m1", "--format", "json", "--out", out_file)
    assert code == 0, err
    doc = json.loads(out_file.read_text())
    (t2,) = [i for i in doc["items"] if i["id"] == "t2"]
    assert "lead" not in t2 or t2["lead"] is None
    code, _, err = run(capsys, "import", "--db", db, "--plugin-dir", v2, "--replace", out_file, "--lang", "en")
    one_clear_line(code, err)
    assert "(kind team): field lead: " in err
    t2["lead"] = "王五"
    out_file.write_text(json.dumps(doc))
    kept = (db / "backups" / "data" / "m1" / "structure.json.1").read_bytes()
    assert run(capsys, "import", "--db", db, "--plugin-dir", v2, "--replace", out_file)[0] == 0
    # the version that did not fit is not rotated into the backups
    assert (db / "backups" / "data" / "m1" / "structure.json.1").read_bytes() == kept
    code, out, _ = run(capsys, "check", "--db", db, "--plugin-dir", v2, "--as-of", AS_OF, "--format", "json", "--org", "m1")
    assert "core.store_unreadable" not in out


STUCK_IN_C = '''
import re
from typing import ClassVar
from coordtui import hookimpl
from coordtui.api import ModelSpec, Record, Rule


class Thing(Record):
    kind: ClassVar[str] = "thing"


def backtrack(ctx):
    re.match(r"(a+)+$", "a" * 34 + "b")  # hours inside the regular expression engine, holding the GIL
    return []


@hookimpl
def coordtui_models():
    return [ModelSpec(id="stuckm", name_zh="卡住", name_en="stuck", version="1", kinds=[Thing])]


@hookimpl
def coordtui_rules(model):
    return [Rule("stuckm.backtrack", "x", "x", backtrack)] if model.id == "stuckm" else []
'''


def test_a_rule_stuck_in_c_code_is_stopped_at_its_time_limit_and_the_rest_is_checked(db, tmp_path, capsys):
    import os
    import subprocess
    import sys

    folder = tmp_path / "stuck"
    folder.mkdir()
    (folder / "stuck_in_c.py").write_text(STUCK_IN_C)
    from coordtui.store import PutOrg

    Store(db).apply([PutOrg({"id": "s1", "name": "卡", "model": "stuckm", "settings": {"tracking_start": "2026-01-01"}})])
    env = {**os.environ, "COORDTUI_RULE_SECONDS": "2"}
    try:  # bounded: before the fix the check never came back
        done = subprocess.run([sys.executable, "-m", "coordtui", "check", "--db", str(db), "--plugin-dir", str(folder),
                               "--plugin-dir", str(DROPINS), "--as-of", AS_OF, "--format", "json"],
                              capture_output=True, text=True, timeout=90, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("check did not come back: the time limit did not hold for a rule stuck in C")
    findings = json.loads(done.stdout)["findings"]
    (stuck,) = [f for f in findings if f["org"] == "s1"]
    assert stuck["rule"] == "core.rule_timeout" and "stuckm.backtrack (plugin stuck_in_c)" in stuck["message_en"]
    assert {"mini.lead", "mini.monthly_report"} <= {f["rule"] for f in findings if f["org"] == "m1"}


PROCESS_GOES_ON = """
import sys, threading
from datetime import date
from coordtui.plugins import PluginHost
from coordtui.store import PutOrg, Store
from coordtui.workspace import Workspace

store = Store(sys.argv[1], create=True)
store.apply([PutOrg({"id": "s1", "name": "卡", "model": "stuckm", "settings": {"tracking_start": "2026-01-01"}})])
ws = Workspace(store, PluginHost(plugin_dirs=[sys.argv[2]], autoload=False))
results = []
checking = threading.Thread(target=lambda: results.append(ws.check(date(2026, 3, 5))), daemon=True)
checking.start()
turns = 0
while checking.is_alive() and turns < 6000:  # bounded: 60 s at most
    checking.join(0.01)
    turns += 1
print(turns, checking.is_alive(), [(f.rule, f.subject) for f in results[0].findings] if results else None)
"""


def test_while_a_rule_is_stuck_in_c_the_rest_of_the_process_goes_on(tmp_path):
    """The application checks in a worker thread: the rule stuck in C must not hold the
    interpreter (before, the regular expression held the GIL and nothing else in the process ran)."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "stuck"
    folder.mkdir()
    (folder / "stuck_in_c.py").write_text(STUCK_IN_C)
    try:
        done = subprocess.run([sys.executable, "-c", PROCESS_GOES_ON, str(tmp_path / "store"), str(folder)],
                              capture_output=True, text=True, timeout=90, env={**os.environ, "COORDTUI_RULE_SECONDS": "3"})
    except subprocess.TimeoutExpired:
        pytest.fail("the process stopped: the rule stuck in C held it")
    turns, alive, findings = done.stdout.split(" ", 2)
    assert alive == "False" and int(turns) >= 2, done.stdout + done.stderr  # this thread ran meanwhile
    assert findings.strip() == "[('core.rule_timeout', 'stuckm.backtrack')]"
