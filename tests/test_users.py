"""``coordtui users``, the forced command ``coordtui shell``, ``--as`` and the upgrade's
first administrator: what a hostile colleague would try, and what they get.

The tests that need a second OS account create one with ``useradd`` (see accounts.py)
and skip with the reason when not root, unless ``COORDTUI_REQUIRE_ACCOUNTS`` is set.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from coordtui.access.users import program
from coordtui.store import Store, current_user

import accounts

from conftest import run


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_key(seed: int, key_type: str = "ssh-ed25519") -> str:
    """A well-formed OpenSSH public key line (the format is all the validation looks at)."""
    blob = ssh_string(key_type.encode()) + ssh_string(bytes([seed]) * 32)
    return f"{key_type} {base64.b64encode(blob).decode()} someone@laptop"




@pytest.fixture
def keys_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "svc-home" / ".ssh" / "authorized_keys"
    monkeypatch.setenv("COORDTUI_AUTHORIZED_KEYS", str(path))
    return path


@pytest.fixture
def db(tmp_path, capsys, keys_file) -> Path:
    path = tmp_path / "store"
    code, _, err = run(capsys, "init", "--db", path, "--examples", "--lang", "en")
    assert code == 0 and f"{current_user()}, who owns it, is now its administrator" in err
    return path


def key_file(tmp_path: Path, text: str, name: str = "k.pub") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def line_for(name: str, db: Path, key: str) -> str:
    import shlex

    command = shlex.join([*program(), "shell", name, "--db", str(db.resolve())])
    return f'restrict,pty,command="{command}" {" ".join(key.split()[:2])} coordtui:{name}'


def test_add_records_the_person_and_writes_their_forced_command_line(db, tmp_path, capsys, keys_file):
    key = ed25519_key(1)
    code, out, err = run(capsys, "users", "add", "zhangsan", "--key", key_file(tmp_path, key + "\n"), "--role", "editor",
                         "--org", "tjpu", "--display", "张三", "--db", db, "--lang", "en")
    assert code == 0, err
    assert "zhangsan  张三  editor in tjpu  1 key" in out
    assert keys_file.read_text() == line_for("zhangsan", db, key) + "\n"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600 and stat.S_IMODE(keys_file.parent.stat().st_mode) == 0o700
    person = Store(db).get_person("zhangsan")
    assert person["keys"] == [" ".join(key.split()[:2])] and person["display"] == "张三"
    assert person["grants"] == [{"org": "tjpu", "role": "editor", "scope": [], "cases": False}]
    listed = json.loads(run(capsys, "users", "list", "--format", "json", "--db", db)[1])
    assert [p["name"] for p in listed] == [current_user(), "zhangsan"]
    assert listed[1]["keys"][0]["fingerprint"].startswith("SHA256:") and "password_hash" not in listed[1]


def test_other_lines_are_kept_and_remove_takes_only_the_persons_line(db, tmp_path, capsys, keys_file):
    keys_file.parent.mkdir(parents=True)
    own = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAdminsOwnKeyAdminsOwnKeyAdminsOwnKey admin@desk',
           "# a comment the administrator wrote", "",
           'command="backup" ssh-rsa AAAAB3Nza coordtui:lookalike-of-another-tool']
    keys_file.write_text("\n".join(own) + "\n")
    a, b = ed25519_key(1), ed25519_key(2)
    assert run(capsys, "users", "add", "zhangsan", "--key", key_file(tmp_path, a, "a.pub"), "--role", "editor", "--db", db)[0] == 0
    assert run(capsys, "users", "add", "lisi", "--key", key_file(tmp_path, b, "b.pub"), "--role", "reader", "--db", db)[0] == 0
    assert keys_file.read_text().splitlines() == [*own, line_for("lisi", db, b), line_for("zhangsan", db, a)]
    code, out, _ = run(capsys, "users", "remove", "zhangsan", "--db", db, "--lang", "en")
    assert code == 0 and "removed zhangsan" in out
    assert keys_file.read_text().splitlines() == [*own, line_for("lisi", db, b)]
    assert Store(db).get_person("zhangsan") is None


@pytest.mark.parametrize("text, says", [
    ('command="/bin/sh" ' + ed25519_key(3), "carries authorized_keys options"),
    ('no-pty,permitopen="*:*" ' + ed25519_key(3), "carries authorized_keys options"),
    (ed25519_key(3) + "\n" + 'command="/bin/sh" ' + ed25519_key(4), "more than one line"),
    (ed25519_key(3) + "\rcommand=x", "more than one line"),
    (ed25519_key(3).split()[0] + " " + ed25519_key(3).split()[1][:-4] + "!!!! x", "not valid base64"),
    ("ssh-rsa " + ed25519_key(3).split()[1], "not a ssh-rsa key"),
    ("ssh-dss AAAAB3NzaC1kc3M=", "not an SSH public key type"),
    ("ssh-ed25519", "has no key data"),
    ("", "is empty"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", "more than one line"),
])
def test_a_hostile_or_broken_key_file_is_refused_and_nothing_changes(db, tmp_path, capsys, keys_file, text, says):
    keys_file.parent.mkdir(parents=True)
    keys_file.write_text("kept line\n")
    code, out, err = run(capsys, "users", "add", "mallory", "--key", key_file(tmp_path, text), "--role", "editor", "--db", db, "--lang", "en")
    assert code == 2 and says in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert Store(db).get_person("mallory") is None
    assert keys_file.read_text() == "kept line\n"


@pytest.mark.parametrize("path, says", [("/dev/zero", "not a regular file"), ("/", "is a folder"), ("/no/such.pub", "no such file")])
def test_a_key_path_that_is_no_key_file_is_one_line(db, capsys, path, says):
    code, _, err = run(capsys, "users", "add", "mallory", "--key", path, "--role", "reader", "--db", db, "--lang", "en")
    assert code == 2 and says in err and err.count("\n") == 1


def test_one_key_cannot_belong_to_two_people(db, tmp_path, capsys):
    key = key_file(tmp_path, ed25519_key(5))
    assert run(capsys, "users", "add", "zhangsan", "--key", key, "--role", "reader", "--db", db)[0] == 0
    code, _, err = run(capsys, "users", "add", "mallory", "--key", key, "--role", "admin", "--db", db, "--lang", "en")
    assert code == 2 and "already zhangsan's" in err


def test_names_orgs_and_scopes_are_checked(db, tmp_path, capsys):
    group = Store(db).query("tjpu", "group")[0]["id"]
    cases = [
        (["users", "add", "Zhang San", "--role", "reader"], "not a login name"),
        (["users", "add", "x" * 40, "--role", "reader"], "not a login name"),
        (["users", "add", "zhangsan", "--role", "reader", "--org", "nowhere"], "no organization 'nowhere'"),
        (["users", "add", "zhangsan", "--role", "reader", "--org", "tjpu", "--scope", group, "no-such-unit"], "--scope 'no-such-unit'"),
        (["users", "add", "zhangsan", "--role", "reader", "--scope", group], "add --org ID"),
        (["users", "add", "zhangsan", "--role", "owner"], "invalid choice"),
        (["users", "add", "zhangsan", "--role", "reader", "--display", "a\x1b[2Jb"], "--display"),
        (["users", "remove", "nobody"], "no person 'nobody'"),
    ]
    for args, says in cases:
        code, _, err = run(capsys, "--lang", "en", *args, "--db", db)
        assert code == 2 and says in err and err.count("\n") == 1, (args, err)
    assert [p["name"] for p in Store(db).people()] == [current_user()]
    code, out, err = run(capsys, "--lang", "en", "users", "add", "zhangsan", "--role", "editor", "--org", "tjpu", "--scope", group, "--cases", "--db", db)
    assert code == 0, err
    assert Store(db).get_person("zhangsan")["grants"] == [{"org": "tjpu", "role": "editor", "scope": [group], "cases": True}]


def test_grant_revoke_and_set(db, capsys):
    assert run(capsys, "users", "add", "zhangsan", "--role", "reader", "--org", "tjpu", "--db", db)[0] == 0
    assert run(capsys, "users", "grant", "zhangsan", "--role", "editor", "--org", "tjpu", "--db", db)[0] == 0
    assert run(capsys, "users", "grant", "zhangsan", "--role", "reader", "--org", "pingluo", "--db", db)[0] == 0
    grants = Store(db).get_person("zhangsan")["grants"]
    assert grants == [{"org": "tjpu", "role": "editor", "scope": [], "cases": False}, {"org": "pingluo", "role": "reader", "scope": [], "cases": False}]
    assert run(capsys, "users", "revoke", "zhangsan", "--org", "tjpu", "--db", db)[0] == 0
    code, _, err = run(capsys, "users", "revoke", "zhangsan", "--org", "tjpu", "--db", db, "--lang", "en")
    assert code == 2 and "has no grant in tjpu" in err
    assert [g["org"] for g in Store(db).get_person("zhangsan")["grants"]] == ["pingluo"]
    code, out, err = run(capsys, "users", "set", "zhangsan", "--email", "zs@example.org", "--webhook", "https://hooks.example.org/zs",
                         "--display", "张三", "--db", db, "--lang", "en")
    assert code == 0 and "email zs@example.org" in out, err
    person = Store(db).get_person("zhangsan")
    assert (person["email"], person["webhook"], person["display"]) == ("zs@example.org", "https://hooks.example.org/zs", "张三")
    for option, value in (("--email", "zs@example.org\nBcc: all@example.org"), ("--webhook", "file:///etc/passwd")):
        code, _, err = run(capsys, "users", "set", "zhangsan", option, value, "--db", db)
        assert code == 2 and option in err and err.count("\n") == 1
    assert run(capsys, "users", "set", "zhangsan", "--email", "", "--db", db)[0] == 0
    assert Store(db).get_person("zhangsan")["email"] is None


def test_an_old_store_without_people_makes_its_owner_administrator_once(tmp_path, capsys):
    path = tmp_path / "old"
    Store(path, create=True)  # what the earlier version made: no people.json
    code, _, err = run(capsys, "check", "--db", path, "--lang", "en")
    assert code == 0 and err == f"coordtui: {path} had no people: {current_user()}, who owns it, is now its administrator (add others with 'coordtui users add')\n"
    assert Store(path).get_person(current_user())["grants"] == [{"org": None, "role": "admin", "scope": [], "cases": True}]
    assert run(capsys, "check", "--db", path)[2] == ""


# the forced command --------------------------------------------------------------------

@pytest.fixture
def people(db, tmp_path, capsys) -> Path:
    assert run(capsys, "users", "add", "zhangsan", "--key", key_file(tmp_path, ed25519_key(7), "z.pub"), "--role", "editor", "--db", db)[0] == 0
    assert run(capsys, "users", "add", "lisi", "--key", key_file(tmp_path, ed25519_key(8), "l.pub"), "--role", "reader", "--db", db)[0] == 0
    return db


@pytest.mark.parametrize("command, says", [
    ("bash", "'bash': not allowed over SSH"),
    ("users add mallory --role admin", "'users': not allowed over SSH"),
    ("shell root", "'shell': not allowed over SSH"),
    ("restore orgs.json", "'restore': not allowed over SSH"),
    ("serve --host 0.0.0.0", "'serve': not allowed over SSH"),
    ("check --db /root/other-store", "--db: not allowed over SSH"),
    ("check --d=/tmp/other", "--db: not allowed over SSH"),
    ("check --plugin-dir /tmp/evil", "--plugin-dir: not allowed over SSH"),
    ("check --as root", "--as-of 'root' is not a valid date"),  # after the subcommand it is --as-of, never an identity
    ("--as root check", "'--as': not allowed over SSH"),
    ("export --org tjpu --out /home/coordtui/.bashrc", "--out '/home/coordtui/.bashrc': not allowed over SSH"),
    ("export --org tjpu --format docx --out ../../.ssh/authorized_keys", "not allowed over SSH"),
    ("import /etc/shadow", "only 'import -' is allowed"),
    ("import - /etc/shadow", "only 'import -' is allowed"),
    ("--db /tmp/x", "'--db': not allowed over SSH"),
    ("check; bash", "'check;': not allowed over SSH"),
    ("'unclosed", "cannot be read as a command"),
])
def test_the_shell_refuses_what_would_reach_beyond_the_store(people, capsys, monkeypatch, command, says):
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
    code, out, err = run(capsys, "--lang", "en", "shell", "zhangsan", "--db", people)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert says in err and out == ""


def test_the_shell_needs_an_existing_person_and_a_login_name(people, capsys, monkeypatch):
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "check")
    code, _, err = run(capsys, "--lang", "en", "shell", "wangwu", "--db", people)
    assert code == 2 and "no person 'wangwu'" in err
    code, _, err = run(capsys, "--lang", "en", "shell", "../../etc", "--db", people)
    assert code == 2 and "not a login name" in err
    code, _, err = run(capsys, "--lang", "en", "--as", "lisi", "shell", "zhangsan", "--db", people)
    assert code == 2 and "leave --as out" in err


def test_import_from_standard_input_is_authored_by_the_shells_person_not_logname(people, tmp_path, capsys, monkeypatch):
    doc = json.loads(run(capsys, "--lang", "en", "export", "--org", "tjpu", "--db", people)[1])
    activity = next(item for item in doc["items"] if item["kind"] == "activity")
    activity["title"] = activity["title"] + "（改）"
    monkeypatch.setenv("LOGNAME", "root")
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "import -")
    code, out, err = run(capsys, "--lang", "en", "shell", "zhangsan", "--db", people, stdin=json.dumps(doc).encode(), monkeypatch=monkeypatch)
    assert code == 0 and "updated 1" in out, err
    changed = Store(people).history(kind="activity", record_id=activity["id"])[0]
    assert changed["user"] == "zhangsan" and changed["after"]["title"].endswith("（改）")
    # the reader may not import, whatever the document
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "import -")
    code, _, err = run(capsys, "--lang", "en", "shell", "lisi", "--db", people, stdin=json.dumps(doc).encode(), monkeypatch=monkeypatch)
    assert code == 2 and "lisi is a reader and may not change records" in err


def test_export_over_the_shell_comes_on_standard_output(people, tmp_path):
    env = os.environ | {"SSH_ORIGINAL_COMMAND": "export --org tjpu --format xlsx --period 2026Q3"}
    done = subprocess.run([sys.executable, "-m", "coordtui", "shell", "lisi", "--db", str(people)], env=env, cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout[:2] == b"PK" and len(done.stdout) > 1000  # the xlsx itself
    assert not [p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx"]  # nothing left in the service account's folder


def test_logname_does_not_change_the_history_author(db, capsys, monkeypatch, tmp_path):
    out_file = tmp_path / "tjpu.json"
    assert run(capsys, "export", "--org", "tjpu", "--db", db, "--out", out_file)[0] == 0
    doc = json.loads(out_file.read_text())
    doc["org"]["name"] = "天津工业大学（改）"
    out_file.write_text(json.dumps(doc))
    monkeypatch.setenv("LOGNAME", "zhangsan")
    monkeypatch.setenv("USER", "zhangsan")
    assert run(capsys, "import", out_file, "--db", db)[0] == 0
    assert Store(db).history(kind="org", record_id="tjpu")[0]["user"] == current_user()


def test_the_owner_may_act_as_a_person_with_as(people, capsys, tmp_path):
    out_file = tmp_path / "tjpu.json"
    assert run(capsys, "--lang", "en", "export", "--org", "tjpu", "--db", people, "--out", out_file)[0] == 0
    doc = json.loads(out_file.read_text())
    activity = next(item for item in doc["items"] if item["kind"] == "activity")
    activity["title"] += "（代）"
    out_file.write_text(json.dumps(doc))
    assert run(capsys, "--lang", "en", "--as", "zhangsan", "import", out_file, "--db", people)[0] == 0
    assert Store(people).history(kind="activity", record_id=activity["id"])[0]["user"] == "zhangsan"
    doc["org"]["name"] = "天津工业大学（代）"  # an editor, as whom the owner acts, may not rename the organization
    out_file.write_text(json.dumps(doc))
    code, _, err = run(capsys, "--lang", "en", "--as", "zhangsan", "import", out_file, "--db", people)
    assert code == 2 and "zhangsan may not" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--lang", "en", "--as", "nobody", "check", "--db", people)
    assert code == 2 and "no person 'nobody'" in err
    # a person (not the owner acting as themself) who is no administrator may not manage people
    code, _, err = run(capsys, "--lang", "en", "--as", "zhangsan", "users", "add", "mallory", "--role", "admin", "--db", people)
    assert code == 2 and "zhangsan may not manage the people" in err


# a second, real OS account ---------------------------------------------------------------

OTHER = accounts.unique("ctt2")


@pytest.fixture
def other_account():
    accounts.need(accounts.accounts_unavailable())
    where = accounts.world_readable_dir(Path(tempfile.mkdtemp(prefix="coordtui-acct-")))
    python, reason = accounts.shared_python(where)
    accounts.need(reason)
    accounts.create_account(OTHER)
    try:
        yield python, where
    finally:
        accounts.delete_account(OTHER)
        shutil.rmtree(where, ignore_errors=True)


def test_another_account_may_not_manage_people_act_as_someone_or_use_the_forced_command(other_account, capsys, monkeypatch):
    python, where = other_account
    db = where / "store"
    monkeypatch.setenv("COORDTUI_AUTHORIZED_KEYS", str(where / "ak"))
    assert run(capsys, "--lang", "en", "init", "--db", db, "--examples")[0] == 0
    assert run(capsys, "--lang", "en", "users", "add", "zhangsan", "--role", "editor", "--db", db)[0] == 0
    # Readable and writable by everyone, so that only coordtui's own checks stand in the way.
    subprocess.run(["chmod", "-R", "a+rwX", str(db)], check=True, timeout=30)
    (where / "k.pub").write_text(ed25519_key(9))
    os.chmod(where / "k.pub", 0o644)
    cli = [python, "-m", "coordtui", "--lang", "en"]
    env = {"COORDTUI_AUTHORIZED_KEYS": str(where / "t2-ak"), "LOGNAME": current_user(), "USER": current_user()}
    attempts = [
        ([*cli, "users", "add", "mallory", "--key", str(where / "k.pub"), "--role", "admin", "--db", str(db)], f"{OTHER} is not a person of this store"),
        ([*cli, "users", "grant", "zhangsan", "--role", "admin", "--db", str(db)], f"{OTHER} is not a person of this store"),
        ([*cli, "users", "list", "--db", str(db)], f"{OTHER} is not a person of this store"),
        ([*cli, "--as", "zhangsan", "check", "--db", str(db)], "only the account that owns the store"),
        ([*cli, "--as", current_user(), "users", "add", "mallory", "--role", "admin", "--db", str(db)], "only the account that owns the store"),
        ([*cli, "shell", "zhangsan", "--db", str(db)], "only the account that owns the store"),
    ]
    for argv, says in attempts:
        done = accounts.run_as(OTHER, argv, env=env)
        err = done.stderr.decode()
        assert done.returncode == 2 and says in err and err.count("\n") == 1, (argv, err)
    assert [p["name"] for p in Store(db).people()] == sorted([current_user(), "zhangsan"])
    assert not (where / "t2-ak").exists() and "mallory" not in (where / "ak").read_text()
    # Not a person of the store, they may not even read it (and an old store is not theirs to take over).
    done = accounts.run_as(OTHER, [*cli, "check", "--db", str(db)], env=env)
    assert done.returncode == 2 and b"is not a person of this store" in done.stderr, done.stderr
    # Made a person, they still cannot write a private store behind its owner's back: the history
    # is sealed with a key only the owner holds (a group store shares it; see test_permissions).
    assert run(capsys, "--lang", "en", "users", "add", OTHER, "--role", "editor", "--org", "tjpu", "--db", db)[0] == 0
    subprocess.run(["chmod", "-R", "a+rwX", str(db)], check=True, timeout=30)
    doc = json.loads(run(capsys, "--lang", "en", "export", "--org", "tjpu", "--db", db)[1])
    activity = next(item for item in doc["items"] if item["kind"] == "activity")
    activity["title"] += "（他人修改）"
    done = accounts.run_as(OTHER, [*cli, "import", "-", "--db", str(db)], env=env | {"LOGNAME": "zhangsan", "USER": "zhangsan"},
                           input=json.dumps(doc).encode())
    assert done.returncode == 2 and b"seal key" in done.stderr and done.stderr.count(b"\n") == 1, done.stderr
    assert not Store(db).get("tjpu", "activity", activity["id"])["title"].endswith("（他人修改）")


def test_the_ci_variable_turns_a_missing_part_into_a_failure(monkeypatch):
    monkeypatch.delenv(accounts.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no useradd"):
        accounts.need("no useradd here")
    monkeypatch.setenv(accounts.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="COORDTUI_REQUIRE_ACCOUNTS is set but no useradd here"):
        accounts.need("no useradd here")
    accounts.need(None)  # nothing missing: neither


def test_a_store_path_with_spaces_is_quoted_and_one_with_a_quote_refused(tmp_path, capsys, keys_file):
    spaced = tmp_path / "our office" / "store"
    assert run(capsys, "init", "--db", spaced)[0] == 0
    key = ed25519_key(11)
    assert run(capsys, "users", "add", "zhangsan", "--key", key_file(tmp_path, key), "--role", "reader", "--db", spaced)[0] == 0
    line = keys_file.read_text()
    assert line == line_for("zhangsan", spaced, key) + "\n" and f"--db '{spaced.resolve()}'" in line
    assert run(capsys, "users", "remove", "zhangsan", "--db", spaced)[0] == 0
    assert keys_file.read_text() == ""
    quoted = tmp_path / 'a"b' / "store"
    assert run(capsys, "init", "--db", quoted)[0] == 0
    code, _, err = run(capsys, "users", "add", "lisi", "--key", key_file(tmp_path, ed25519_key(12), "l.pub"), "--role", "reader", "--db", quoted, "--lang", "en")
    assert code == 2 and "cannot carry" in err and err.count("\n") == 1
    assert Store(quoted).get_person("lisi") is None


def test_people_json_edited_by_hand_cannot_inject_a_key_line_or_crash(db, tmp_path, capsys, keys_file):
    assert run(capsys, "--lang", "en", "users", "add", "zhangsan", "--key", key_file(tmp_path, ed25519_key(13)), "--role", "reader", "--db", db)[0] == 0
    before = keys_file.read_text()
    people = db / "people.json"
    data = json.loads(people.read_text())
    data["person"]["zhangsan"]["keys"] = [ed25519_key(13) + '\ncommand="/bin/sh" ' + ed25519_key(14)]
    people.write_text(json.dumps(data))
    # people.json is where access is read from: a hand edit is refused as a whole, before any of it is used.
    for command in (["users", "sync"], ["users", "list"], ["users", "remove", "zhangsan"], ["check"]):
        code, _, err = run(capsys, "--lang", "en", *command, "--db", db)
        assert code == 2 and "outside coordtui" in err and err.count("\n") == 1, (command, err)
    assert keys_file.read_text() == before
    data["person"]["zhangsan"]["name"] = "Zhang San"
    people.write_text(json.dumps(data))
    code, _, err = run(capsys, "--lang", "en", "users", "list", "--db", db)
    assert code == 2 and "outside coordtui" in err and err.count("\n") == 1
    assert keys_file.read_text() == before


def test_a_weak_rsa_key_is_refused(db, tmp_path, capsys):
    blob = ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(b"\x00" + b"\xff" * 128)  # 1024 bits
    code, _, err = run(capsys, "users", "add", "mallory", "--key", key_file(tmp_path, f"ssh-rsa {base64.b64encode(blob).decode()}"),
                       "--role", "reader", "--db", db, "--lang", "en")
    assert code == 2 and "1024 bits, fewer than 2048" in err
