"""Who can read and write a store's files: modes set explicitly, a private store, a group store.

The tests with two real OS accounts run where the suite can make them (root with useradd
and runuser, as CI runs); elsewhere they skip with the reason, and fail instead under
COORDTUI_REQUIRE_ACCOUNTS=1 (which CI sets).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from coordtui.cli import main
from coordtui.errors import StoreError
from coordtui.store import Put, Store
from coordtui.store.files import JOURNAL, WAL
from coordtui.store.seal import key_path

from conftest import DROPINS

import accounts as accounts_mod

SITE = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir() and str(Path(sys.prefix)) in p)
#: coordtui as another account: this environment's packages on an interpreter that account can run
#: (the one running the tests may sit under root's home, which other accounts cannot enter).
BOOT = "import site, sys; site.addsitedir(sys.argv.pop(1)); from coordtui.cli import main; sys.exit(main(sys.argv[1:]))"
ACCOUNTS = (accounts_mod.unique("cts1"), accounts_mod.unique("cts2"))
GROUP = accounts_mod.unique("ctsg")


def modes(root: Path) -> dict[str, str]:
    """Every file and folder of the store (the store folder itself as '.') -> its mode, octal."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for p in root.rglob("*"):
        found[p.relative_to(root).as_posix()] = oct(stat.S_IMODE(p.lstat().st_mode))
    return found


@pytest.fixture(params=[0o022, 0o002], ids=["umask022", "umask002"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


@pytest.mark.usefixtures("whole_writes")
def test_every_file_and_folder_of_a_store_is_private_whatever_the_umask(umask, tmp_path, monkeypatch, capsys):
    import coordtui.store.files as files

    assert main(["init"]) == 0  # the default store folder, ~/.local/share/coordtui/store
    default = tmp_path / "xdg" / "coordtui" / "store"
    assert oct(stat.S_IMODE(default.stat().st_mode)) == "0o700"
    s = Store(tmp_path / "s", create=True)
    s.put_org({"id": "o1", "name": "O", "model": "m"})
    for n in range(4):  # backups of the data file are kept from the second save on
        s.apply([Put("o1", "unit", "u1", {"name": f"v{n}"}), Put("o1", "act", "a1", {"n": n}, "2026-03")])
    real_append = files._append
    seen = {}

    def crash(path, offset, payload):  # a crash after the renames: the commit journal holds it for the next writer
        seen["journal"] = oct(stat.S_IMODE((s.root / WAL).stat().st_mode))
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files, "_append", crash)
    with pytest.raises(StoreError):
        s.put("o1", "unit", "u1", {"name": "late"})
    monkeypatch.setattr(files, "_append", real_append)
    assert seen["journal"] == "0o600"
    Store(s.root).put("o1", "unit", "u2", {"name": "x"})
    found = modes(s.root)
    for name in (".lock", "meta.json", "manifest.json", "orgs.json", "orgs.history.jsonl", "data/o1/structure.json",
                 "data/o1/structure.history.jsonl", "backups/data/o1/structure.json.1", "backups/data/o1/2026-03.json.3"):
        assert name in found
    wrong = {name: mode for name, mode in found.items() if mode != ("0o700" if (s.root / name).is_dir() else "0o600")}
    assert wrong == {}
    key = key_path(s._seal.store_id)
    assert oct(stat.S_IMODE(key.stat().st_mode)) == "0o600" and oct(stat.S_IMODE(key.parent.stat().st_mode)) == "0o700"


def test_init_group_names_a_group_that_exists(tmp_path, capsys):
    code = main(["init", "--db", str(tmp_path / "g"), "--group", "no-such-group-here", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "there is no group 'no-such-group-here'" in err and err.count("\n") == 1
    assert not (tmp_path / "g" / "meta.json").exists()


# two real OS accounts ------------------------------------------------------------------------

def _open_to_all(path: Path) -> bool:
    """Whether any account can run ``path`` (every folder on the way searchable by others)."""
    path = Path(os.path.realpath(path))
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _interpreter() -> str | None:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin")):
        if candidate and _open_to_all(Path(candidate)):
            return os.path.realpath(candidate)
    return None


PYTHON = _interpreter()


def _need_accounts() -> None:
    missing = [tool for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser") if shutil.which(tool) is None]
    reason = ""
    if os.geteuid() != 0 or missing:
        reason = "two test accounts need root with useradd and runuser" + (f" (missing: {', '.join(missing)})" if missing else " (not root)")
    elif PYTHON is None or not _open_to_all(Path(SITE)):
        reason = f"no Python {sys.version_info.major}.{sys.version_info.minor} and packages that other accounts can run"
    if reason:
        if os.environ.get("COORDTUI_REQUIRE_ACCOUNTS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def accounts():
    _need_accounts()
    made_group = subprocess.run(["getent", "group", GROUP], capture_output=True).returncode != 0
    if made_group:
        subprocess.run(["groupadd", GROUP], check=True)
    made = []
    for name in ACCOUNTS:
        if subprocess.run(["id", name], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "-m", "-s", "/bin/sh", "-G", GROUP, name], check=True)
            made.append(name)
    base = Path(tempfile.mkdtemp(prefix="coordtui-accounts-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)
    for name in made:
        subprocess.run(["userdel", "-r", name], capture_output=True)
    if made_group:
        subprocess.run(["groupdel", GROUP], capture_output=True)


def home(name: str) -> Path:
    return Path(pwd.getpwnam(name).pw_dir)


def as_user(name: str, *argv: str, umask: str = "022", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` as the OS account ``name`` in a clean environment of its own (``coordtui`` is this checkout's)."""
    if argv[0] == "coordtui":
        argv = (PYTHON, "-c", BOOT, SITE, *argv[1:])
    h = home(name)
    clean = {"HOME": str(h), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "XDG_CONFIG_HOME": f"{h}/.config",
             "XDG_DATA_HOME": f"{h}/.local/share", **(env or {})}
    cmd = ["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in clean.items()),
           "sh", "-c", f'umask {umask}; exec "$0" "$@"', *argv]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def folder_for(base: Path, name: str, owner: str) -> Path:
    path = base / name
    path.mkdir()
    os.chown(path, pwd.getpwnam(owner).pw_uid, pwd.getpwnam(owner).pw_gid)
    return path


def _org_file(base: Path, org: str, team_name: str) -> Path:
    doc = {"format": "coordtui/1", "model": "mini", "org": {"id": org, "name": org},
           "items": [{"kind": "team", "id": "t1", "name": team_name}]}
    path = base / f"{org}-{team_name}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    path.chmod(0o644)
    return path


def test_a_second_account_cannot_read_a_private_store_not_even_check(accounts):
    one, two = ACCOUNTS
    db = folder_for(accounts, "private", one)
    made = as_user(one, "coordtui", "--lang", "en", "init", "--db", str(db), "--examples")
    assert made.returncode == 0, made.stderr
    found = modes(db)
    assert {m for n, m in found.items() if (db / n).is_dir()} == {"0o700"}
    assert {m for n, m in found.items() if not (db / n).is_dir()} == {"0o600"}
    check = as_user(two, "coordtui", "--lang", "en", "check", "--db", str(db))
    assert check.returncode == 2 and check.stderr.count("\n") == 1 and "Traceback" not in check.stderr
    assert "cannot read the store folder (Permission denied)" in check.stderr
    assert as_user(two, "cat", str(db / "data" / "tjpu" / "structure.json")).returncode != 0
    plant = as_user(two, "sh", "-c", f"echo '{{}}' > {db / JOURNAL}")
    assert plant.returncode != 0 and not (db / JOURNAL).exists()


def test_a_group_store_is_used_by_two_members_in_turn(accounts):
    one, two = ACCOUNTS
    db = folder_for(accounts, "group", one)
    made = as_user(one, "coordtui", "--lang", "en", "init", "--db", str(db), "--group", GROUP, umask="002")
    assert made.returncode == 0, made.stderr
    meta = json.loads((db / "meta.json").read_text())
    assert meta["group"] == GROUP
    key = home(one) / ".config" / "coordtui" / "keys" / f"{meta['store_id']}.key"
    assert oct(stat.S_IMODE(key.stat().st_mode)) == "0o640" and grp.getgrgid(key.stat().st_gid).gr_name == GROUP

    # both members are people of the store (the first, who made it, is its administrator)
    added = as_user(one, "coordtui", "--lang", "en", "users", "add", two, "--role", "admin", "--db", str(db), umask="002")
    assert added.returncode == 0, added.stderr
    first = as_user(one, "coordtui", "--lang", "en", "import", str(_org_file(accounts, "m2", "一组")), "--db", str(db), "--plugin-dir", str(DROPINS), umask="002")
    assert first.returncode == 0, first.stderr
    # without the key the second member cannot save: one line, nothing written
    refused = as_user(two, "coordtui", "--lang", "en", "import", str(_org_file(accounts, "m3", "三组")), "--db", str(db), "--plugin-dir", str(DROPINS))
    assert refused.returncode == 2 and "cannot read this store's seal key" in refused.stderr and refused.stderr.count("\n") == 1
    assert not (db / "data" / "m3").exists()
    # the administrator gives the member the key, as the README says
    theirs = home(two) / ".config" / "coordtui" / "keys" / key.name
    theirs.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(key, theirs)
    for p in (home(two) / ".config", home(two) / ".config" / "coordtui", theirs.parent, theirs):
        os.chown(p, pwd.getpwnam(two).pw_uid, grp.getgrnam(GROUP).gr_gid)
    theirs.chmod(0o640)
    theirs.parent.chmod(0o750)

    # the second member (umask 022, and pretending to be the first) saves, then the first again
    second = as_user(two, "coordtui", "--lang", "en", "import", str(_org_file(accounts, "m2", "一组（改）")), "--db", str(db), "--plugin-dir", str(DROPINS),
                     env={"LOGNAME": one, "USER": one})
    assert second.returncode == 0, second.stderr
    third = as_user(one, "coordtui", "--lang", "en", "import", str(_org_file(accounts, "m2", "一组（再改）")), "--db", str(db), "--plugin-dir", str(DROPINS), umask="002")
    assert third.returncode == 0, third.stderr
    verified = as_user(two, "coordtui", "--lang", "en", "verify", "--db", str(db))
    assert verified.returncode == 0 and "the history is intact" in verified.stdout, verified.stdout + verified.stderr
    authors = [e["user"] for e in reversed(Store(db).history(org="m2", record_id="t1"))]
    assert authors == [one, two, one]  # the kernel's account, never $LOGNAME

    gid = grp.getgrnam(GROUP).gr_gid
    found = modes(db)
    assert {m for n, m in found.items() if (db / n).is_dir()} == {"0o2770"}
    assert {m for n, m in found.items() if not (db / n).is_dir()} == {"0o660"}
    assert {(db / n).lstat().st_gid for n in found} == {gid}
    # meta.json records it: a folder that lost its setgid bit gets it back on the owner's next open
    db.chmod(0o700)
    assert as_user(one, "coordtui", "--lang", "en", "import", str(_org_file(accounts, "m4", "四组")), "--db", str(db), "--plugin-dir", str(DROPINS)).returncode == 0
    assert oct(stat.S_IMODE(db.stat().st_mode)) == "0o2770" and oct(stat.S_IMODE((db / "data" / "m4" / "structure.json").stat().st_mode)) == "0o660"


def test_a_journal_planted_by_a_group_member_does_not_reach_the_next_members_home(accounts):
    one, two = ACCOUNTS
    db = folder_for(accounts, "planted", one)
    assert as_user(one, "coordtui", "--lang", "en", "init", "--db", str(db), "--group", GROUP).returncode == 0
    bashrc = home(one) / ".bashrc"
    before = bashrc.read_bytes() if bashrc.exists() else b""
    journal = {"files": [], "appends": [[str(bashrc), len(before), "echo planted\n"]]}
    planted = as_user(two, "sh", "-c", f"printf '%s' '{json.dumps(journal)}' > {db / JOURNAL}")
    assert planted.returncode == 0, planted.stderr
    check = as_user(one, "coordtui", "--lang", "en", "check", "--db", str(db))
    assert check.returncode == 2 and "the journal names" in check.stderr and "nothing was replayed" in check.stderr
    assert (bashrc.read_bytes() if bashrc.exists() else b"") == before
