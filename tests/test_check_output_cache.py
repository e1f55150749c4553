"""The whole output of an unchanged ``coordtui check`` kept and served (issue 22; ``cache/output``,
coordtui/check_output.py and store/outcache.py).

Each check runs in a process of its own, as a person or a script runs it. Whether a run was
served from the cache is told by what it imported: a served run answers before the models,
the plugins, the rules or the workspace are imported. These tests prove that a served output
is byte for byte the ordinary one with its exit status, that a change made by another process
(a record saved, a file edited by hand to the same size and mtime, a person added, a journal
grown, a commit pending, a plugin edited) is never hidden, that a planted or damaged cache file
is passed over, and that each command and person has its own.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DROPINS, copy_with_key

AS_OF = "2026-10-15"
#: What the ordinary check imports, and a served one does not (``--as`` imports pydantic to check the name).
CHECKING = ("coordtui.plugins", "coordtui.rules", "coordtui.workspace")
HEAVY = (*CHECKING, "pydantic", "coordtui.store.store")
#: A check in a process of its own, saying on its last line of standard error what it imported.
SCRIPT = """
import json, sys
from coordtui.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps([m for m in %r if m in sys.modules]), file=sys.stderr)
sys.exit(code)
""" % (HEAVY,)


def imported(store: Path, *args: str, env: dict | None = None, person: str | None = None,
             cwd: Path | None = None) -> tuple[int, bytes, list[str]]:
    """(exit status, standard output, which of :data:`HEAVY` it imported) of a check of ``store``."""
    argv = [*(["--as", person] if person else []), "check", "--db", str(store), "--format", "json", "--as-of", AS_OF,
            "--lang", "en", *args]
    done = subprocess.run([sys.executable, "-c", SCRIPT, *argv], capture_output=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)
    *said, modules = done.stderr.decode().strip().splitlines()
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.returncode, done.stdout, json.loads(modules)


def check(store: Path, *args: str, env: dict | None = None, person: str | None = None,
          cwd: Path | None = None) -> tuple[int, bytes, bool]:
    """(exit status, standard output, whether it was served from the cache) of a check of ``store``
    (``person``: as that person of the store, ``--as``)."""
    code, out, modules = imported(store, *args, env=env, person=person, cwd=cwd)
    return code, out, not set(modules) & set(CHECKING)


def in_another_process(code: str, store: Path) -> None:
    """Python ``code`` run in a process of its own with ``db`` the store's path."""
    subprocess.run([sys.executable, "-c", f"db = {str(store)!r}\n{code}"], check=True, timeout=120, env=dict(os.environ))


def slots(store: Path) -> list[str]:
    folder = store / "cache" / "output"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture(scope="module")
def enrolled(example_template, tmp_path_factory) -> tuple[Path, bytes, int]:
    """The examples' store after a first check, which gives the owner their person entry, so
    changes the store and keeps nothing (once per module: each test takes a copy, ``warm``):
    (the store, its output, its exit status). ``<folder>/config`` holds its seal key."""
    folder = tmp_path_factory.mktemp("enrolled")
    store = folder / "store"
    shutil.copytree(example_template, store)
    shutil.copytree(example_template.parent / "config", folder / "config")
    code, first, served = check(store, env={"XDG_CONFIG_HOME": str(folder / "config")})
    assert not served and slots(store) == []  # the first run changed the store: nothing kept
    return store, first, code


@pytest.fixture
def warm(enrolled, tmp_path) -> tuple[Path, bytes, int]:
    """A copy of the examples' store after a first check (``enrolled``) and a second, in this
    test (which keeps its output): (the store, the output, its exit status)."""
    template, first, code = enrolled
    store = copy_with_key(template, tmp_path / "store")
    code2, second, served = check(store)
    assert not served and second == first and code2 == code
    assert len(slots(store)) == 2
    return store, first, code


def test_an_unchanged_check_is_served_byte_for_byte_with_its_exit_status(warm):
    store, first, code = warm
    for _ in range(2):
        assert imported(store) == (code, first, [])  # not even pydantic, nor the store's TinyDB side
    assert code == 1 and json.loads(first)["summary"]["error"] > 0  # the examples hold errors: exit 1 kept
    tjpu = check(store, "--org", "tjpu")
    assert check(store, "--org", "tjpu") == (tjpu[0], tjpu[1], True)
    quiet = [org for org in ("usst", "zikuang", "tianjin", "pingluo", "tjpu")
             if json.loads(check(store, "--org", org)[1])["summary"]["error"] == 0]
    if quiet:  # an organization without errors: its exit status 0 is kept as well
        assert check(store, "--org", quiet[0])[::2] == (0, True)


def test_the_files_are_the_store_s_private_cache(warm):
    store = warm[0]
    folder = store / "cache" / "output"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in folder.iterdir())


def test_a_text_check_is_kept_too(warm):
    store = warm[0]
    text = [subprocess.run([sys.executable, "-c", SCRIPT, "check", "--db", str(store), "--as-of", AS_OF, "--lang", lang],
                           capture_output=True, timeout=120) for lang in ("zh", "zh", "en", "en")]
    assert [t.stderr.decode().splitlines()[-1] == "[]" for t in text] == [False, True, False, True]
    assert text[0].stdout == text[1].stdout != text[2].stdout == text[3].stdout
    assert "Summary: errors" in text[3].stdout.decode()


def test_a_record_saved_by_another_process_is_seen(warm):
    store, first, _ = warm
    in_another_process("from coordtui.workspace import Workspace\nws = Workspace.open(db)\n"
                       "r = ws.records('tjpu', 'activity')[0]\nws.delete('tjpu', 'activity', r.id, rev=None)", store)
    code, after, served = check(store)
    assert not served and after != first
    shutil.rmtree(store / "cache")
    assert check(store)[:2] == (code, after)  # what a check with no cache at all says
    assert check(store) == (code, after, True)


def test_a_file_edited_by_hand_to_the_same_size_and_mtime_is_seen(warm):
    store, first, _ = warm
    part = sorted((store / "data" / "tjpu").glob("*.json"))[0]
    st = part.stat()
    raw = part.read_bytes()
    at = raw.index(b'"title":"') + len(b'"title":"') if b'"title":"' in raw else raw.index(b'":"') + 3
    part.write_bytes(raw[:at] + (b"X" if raw[at:at + 1] != b"X" else b"Y") + raw[at + 1:])
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert part.stat().st_size == st.st_size and part.stat().st_mtime_ns == st.st_mtime_ns
    _, after, served = check(store)
    assert not served and after != first and b"history tampered" in after
    assert check(store)[2] is False  # a finding of the core (the seals broken): never kept


def test_a_new_person_added_by_another_process_is_seen(warm):
    store, first, code = warm
    in_another_process("from coordtui.workspace import Workspace\nfrom coordtui.access.people import Person, Grant\n"
                       "Workspace.open(db).save_person(Person(name='tester', grants=[Grant(org='tjpu', role='editor', scope=['g2'])]))",
                       store)
    assert check(store) == (code, first, False)  # the owner's findings are the same: read afresh
    assert check(store) == (code, first, True)
    theirs = check(store, person="tester")
    assert not theirs[2] and theirs[1] != first and {f["org"] for f in json.loads(theirs[1])["findings"]} == {"tjpu"}
    assert check(store, person="tester") == (theirs[0], theirs[1], True)  # each person their own output
    assert check(store) == (code, first, True)


def test_a_journal_grown_or_a_commit_pending_is_never_skipped(warm):
    store, first, code = warm
    with open(store / "journal.wal", "ab") as fh:  # grown, no file added or removed
        fh.write(b"\n")
    assert check(store) == (code, first, False)
    assert check(store) == (code, first, True)
    (store / "journal.pending").touch()  # a commit half in place: the ordinary way finishes it
    assert check(store) == (code, first, False)
    assert not (store / "journal.pending").exists()
    tmp = store / "data" / "tjpu" / "2026-01.json.123.coordtui-tmp"  # a commit's leftover: removed the ordinary way
    tmp.write_bytes(b"{}")
    assert check(store)[2] is False and not tmp.exists()


def test_a_journal_of_another_boot_is_replayed_first(warm, monkeypatch):
    from coordtui.store import files

    store = warm[0]
    assert files.recovery_needed(store) is False
    monkeypatch.setattr(files, "_BOOT", ["another-boot"])
    assert files.recovery_needed(store) is True  # so store_state says: open it the ordinary way
    from coordtui.store.outcache import store_state

    assert store_state(store) is None


def _slot(store: Path) -> tuple[Path, Path]:
    head = next(p for p in (store / "cache" / "output").iterdir() if p.suffix == ".json")
    return head, head.with_suffix(".out")


def _forge(how: str, store: Path, other: Path) -> None:
    head, body = _slot(store)
    mac, _, payload = head.read_bytes().partition(b"\n")
    if how == "bad seal":  # an all-clear written by someone without the key
        kept = json.loads(payload)
        body.write_bytes(b'{\n  "findings": [],\n  "summary": {}\n}\n')
        kept["exit"], kept["body"] = 0, [os.stat(body).st_dev, os.stat(body).st_ino, os.stat(body).st_size,
                                         os.stat(body).st_mtime_ns, os.stat(body).st_ctime_ns]
        head.write_bytes(mac + b"\n" + json.dumps(kept).encode())
    elif how == "other store's":  # a well-sealed slot of a copy of this store (the same key), put in place
        other_head, other_body = _slot(other)
        shutil.copyfile(other_body, body)
        shutil.copyfile(other_head, head)
    elif how == "truncated":
        with open(body, "r+b") as fh:
            fh.truncate(len(body.read_bytes()) // 2)
    elif how == "rewritten":  # the same bytes, the same size and mtime, but written again
        st = body.stat()
        body.write_bytes(body.read_bytes())
        os.utime(body, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif how == "a link":
        elsewhere = body.with_name("elsewhere")
        body.rename(elsewhere)
        body.symlink_to(elsewhere)
    elif how == "garbage":
        head.write_bytes(b"\x00not a header")


@pytest.mark.parametrize("how", ["bad seal", "other store's", "truncated", "rewritten", "a link", "garbage"])
def test_a_planted_or_damaged_cache_file_is_passed_over(warm, how, tmp_path):
    store, first, code = warm
    other = tmp_path / "copy"
    shutil.copytree(store, other, symlinks=True)
    shutil.rmtree(other / "cache")
    check(other)
    assert check(other)[2] is True
    _forge(how, store, other)
    assert check(store) == (code, first, False)
    assert check(store) == (code, first, True)  # rebuilt: trusted again


def test_each_command_has_its_own_output(warm):
    store, first, _ = warm
    variants = [("--org", "tjpu"), ("--org", "usst"), ("--as-of", "2026-11-16"), ("--lang", "zh")]
    outputs = {}
    for extra in variants:
        code, out, served = check(store, *extra)
        assert not served
        outputs[extra] = out
        assert check(store, *extra) == (code, out, True)
    assert len({first, *outputs.values()}) == len(variants)  # (the JSON carries both languages:)
    assert outputs[("--lang", "zh")] == first  # the same bytes, kept in a slot of their own
    assert check(store)[1:] == (first, True)


def test_a_plugin_edited_in_place_is_a_new_check(example_store, tmp_path):
    dropins = tmp_path / "dropins"
    shutil.copytree(DROPINS, dropins)
    check(example_store, "--plugin-dir", str(dropins))
    code, out, _ = check(example_store, "--plugin-dir", str(dropins))
    assert check(example_store, "--plugin-dir", str(dropins)) == (code, out, True)
    source = dropins / "mini" / "__init__.py"
    source.write_text(source.read_text() + "\n# edited\n")
    assert check(example_store, "--plugin-dir", str(dropins)) == (code, out, False)


def test_the_key_covers_the_installed_plugins_files(example_store):
    """The models installed through entry points: each one's files are part of the key, found unimported."""
    import argparse

    from coordtui import check_output
    from coordtui.plugins import ENTRY_POINT_GROUP

    assert check_output.ENTRY_POINT_GROUP == ENTRY_POINT_GROUP
    lines = "\n".join(check_output._code(argparse.Namespace(plugin_dir=None), sys.path))
    import four_duties

    assert os.path.join(os.path.dirname(four_duties.__file__), "plugin.py") in lines
    from coordtui.store import outcache
    from coordtui.store.lock import StoreLock

    assert outcache.TURNSTILE == StoreLock.TURNSTILE


def test_without_the_key_nothing_is_kept_or_served(warm, tmp_path):
    store, first, code = warm
    elsewhere = {"XDG_CONFIG_HOME": str(tmp_path / "elsewhere")}  # this account has no key now
    before = slots(store)
    assert check(store, env=elsewhere)[2] is False
    assert check(store, env=elsewhere)[2] is False
    assert slots(store) == before


def test_only_a_few_outputs_are_kept(warm, monkeypatch, capsys):
    from conftest import run
    from coordtui.store import outcache

    store = warm[0]
    monkeypatch.setattr(outcache, "KEEP", 2)
    for org in ("tjpu", "usst", "zikuang"):
        run(capsys, "check", "--db", store, "--org", org, "--as-of", AS_OF, "--format", "json")
    assert len(slots(store)) == 4  # two slots, each a header and a body


def test_a_served_check_in_this_process_does_not_run_the_check(warm, monkeypatch, capsys):
    """The same through ``main`` (as the tests' ``run`` calls it): the ordinary check is not called."""
    from conftest import run
    from coordtui import cli

    store = warm[0]
    args = ("check", "--db", store, "--format", "json", "--as-of", AS_OF, "--lang", "en")
    code, out, _ = run(capsys, *args)
    assert run(capsys, *args)[:2] == (code, out)  # (this process's key: its own slot, now kept)
    called = []
    real = cli._check
    monkeypatch.setattr(cli, "_check", lambda *a: (called.append(1), real(*a))[1])
    assert run(capsys, *args)[:2] == (code, out) and called == []


def test_a_module_put_in_the_current_folder_is_a_new_check_and_other_files_are_not(warm, tmp_path):
    """``python -c``/``-m`` import from the current folder first: a module there could stand in for
    one the check imports; a file of any other kind (a folder where people work) changes nothing."""
    store, first, code = warm
    here = tmp_path / "work"
    here.mkdir()
    check(store, cwd=here)
    assert check(store, cwd=here) == (code, first, True)
    (here / "notes.txt").write_text("x")
    (here / "drafts").mkdir()
    assert check(store, cwd=here) == (code, first, True)
    (here / "helper.py").write_text("")
    assert check(store, cwd=here) == (code, first, False)


def test_a_file_changed_while_the_key_was_taken_keeps_nothing(warm):
    """A file whose ctime is later than a moment counts as changed after it, so that an edit in
    place within one tick of a coarse clock (the same ctime as before) is never taken for no change."""
    import time

    from coordtui.store.outcache import store_state

    from coordtui.check_output import SETTLE_NS

    store = warm[0]
    assert store_state(store, time.time_ns()) == store_state(store) is not None
    # The margin the check takes before its start (a file's ctime is read from the kernel's
    # coarse clock, up to one tick, 4-10 ms, behind time.time_ns(): a 5 ms margin failed under load)
    moment = time.time_ns() - SETTLE_NS
    (store / "orgs.json").chmod(0o600)  # (a ctime now: nothing else changes)
    assert store_state(store, moment) is None and store_state(store) is not None


@pytest.mark.parametrize("meanwhile", ["nothing", "a file of the store's folder removed", "a record file changed"])
def test_a_check_of_a_new_date_keeps_its_output_only_when_nothing_changed_while_it_ran(warm, monkeypatch, capsys, meanwhile):
    """A slot that holds nothing (a check as of a date not asked before) takes its key when the
    run ends, without walking the store first: from a store none of whose files changed since the
    run began, and whose folder lost none (a file removed there is seen by its name alone)."""
    from conftest import run
    from coordtui import cli

    store = warm[0]
    import time

    from coordtui.check_output import SETTLE_NS

    (store / "notes.txt").write_text("the office's own file, beside the store's")
    time.sleep(3 * SETTLE_NS / 1e9)  # (a file changed within the margin before a run keeps its output from being kept)
    run(capsys, "check", "--db", store, "--format", "json", "--as-of", AS_OF, "--lang", "en")  # (this process's first: see above)
    args = ("check", "--db", store, "--format", "json", "--as-of", "2026-11-16", "--lang", "en")
    real = cli._check

    def during(*a):
        if meanwhile == "a file of the store's folder removed":
            (store / "notes.txt").unlink()
        elif meanwhile == "a record file changed":
            os.chmod(next((store / "data").rglob("*.json")), 0o600)  # (its ctime now)
        return real(*a)

    with monkeypatch.context() as patched:
        patched.setattr(cli, "_check", during)
        code, out, _ = run(capsys, *args)
    called = []
    monkeypatch.setattr(cli, "_check", lambda *a: (called.append(1), real(*a))[1])
    assert run(capsys, *args)[:2] == (code, out)
    assert called == ([] if meanwhile == "nothing" else [1])  # served only where nothing changed


def test_a_check_in_which_a_rule_failed_keeps_nothing(warm, monkeypatch, capsys):
    """A rule that failed (a ``core.`` finding: among an organization's blocks of findings, as a
    worker sends them for the JSON) depends on the moment: the next run is judged again."""
    from conftest import run
    from coordtui import cli
    from university_grid.rules import RULES

    def fails(ctx):
        raise RuntimeError("a plugin's bug")

    monkeypatch.setattr(RULES[0], "check", fails)
    args = ("check", "--db", warm[0], "--format", "json", "--as-of", "2026-11-16", "--lang", "en")
    code, out, _ = run(capsys, *args)
    assert '"rule": "core.rule_failed"' in out and "a plugin's bug" in out
    real = cli._check
    called = []
    monkeypatch.setattr(cli, "_check", lambda *a: (called.append(1), real(*a))[1])
    assert run(capsys, *args)[:2] == (code, out) and called == [1]


# Attacks by a colleague on the same server (another process, a link, a full disk) ----------------

def test_a_plugin_reached_through_a_link_edited_is_a_new_check(example_store, tmp_path):
    """A plugin folder whose package is a symbolic link to where it is developed: an edit there
    is an edit of the plugin the check imports."""
    real = tmp_path / "src" / "mini"
    shutil.copytree(DROPINS / "mini", real)
    dropins = tmp_path / "dropins"
    dropins.mkdir()
    (dropins / "mini").symlink_to(real, target_is_directory=True)
    args = ("--plugin-dir", str(dropins))
    check(example_store, *args)
    code, out, _ = check(example_store, *args)
    assert check(example_store, *args) == (code, out, True)
    source = real / "__init__.py"
    source.write_text(source.read_text() + "\n# edited\n")
    assert check(example_store, *args) == (code, out, False)


def test_a_holiday_file_reached_through_a_link_changed_is_a_new_key(warm, tmp_path, monkeypatch):
    """The store's holidays.txt, or the one COORDTUI_HOLIDAYS names, a symbolic link: the check
    reads the file it points at, so a change there changes the key."""
    import argparse

    from coordtui import check_output

    store = warm[0]
    args = argparse.Namespace(plugin_dir=None, identity=None, db=str(store))
    for where in (store / "holidays.txt", tmp_path / "named.txt"):
        target = tmp_path / f"{where.name}.real"
        target.write_text("2026-10-09 holiday\n")
        where.symlink_to(target)
        if where.parent != store:
            monkeypatch.setenv("COORDTUI_HOLIDAYS", str(where))
        before = check_output.slot_and_key(args, store)
        target.write_text("2026-10-09 holiday\n2026-10-12 holiday\n")
        assert before is not None and check_output.slot_and_key(args, store) not in (None, before), where


class _Full:
    """A file on a full disk: every write and flush fails (ENOSPC), closing too."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def write(self, data):
        raise OSError(28, "No space left on device")

    def flush(self):
        raise OSError(28, "No space left on device")

    def fileno(self):
        return self.fh.fileno()

    def close(self):
        self.fh.close()
        raise OSError(28, "No space left on device")


def test_a_full_disk_leaves_the_check_s_output_whole(warm, monkeypatch, capsys):
    """The cache's disk full while a check prints: the check prints all of its output and ends
    as always, with nothing on standard error, no slot kept and nothing half written left."""
    from conftest import run
    from coordtui.store import outcache

    store, first, code = warm
    shutil.rmtree(store / "cache" / "output")
    real = outcache.SlotWriter.__init__

    def full(self, *a, **kw):
        real(self, *a, **kw)
        self.fh = _Full(self.fh)

    monkeypatch.setattr(outcache.SlotWriter, "__init__", full)
    args = ("check", "--db", store, "--format", "json", "--as-of", AS_OF, "--lang", "en")
    assert run(capsys, *args) == (code, first.decode(), "")
    assert slots(store) == []


def test_a_run_killed_while_it_printed_leaves_nothing_for_long(warm):
    """A check killed (SIGKILL, SIGTERM) while it printed leaves its partial body (as large as its
    output): never served, and removed by the next run once its writer is gone; a living writer's
    partial body is left alone."""
    store, first, code = warm
    head, body = _slot(store)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    gone = body.with_name(f"{body.name}.{dead.pid}-1.partial")
    alive = body.with_name(f"{body.name}.{os.getpid()}-1.partial")
    for partial in (gone, alive):
        partial.write_bytes(b'{\n  "as_of": "2026-')
    head.unlink()
    assert check(store) == (code, first, False)
    assert not gone.exists() and alive.exists()
    assert check(store) == (code, first, True)


def test_in_a_group_store_a_kept_body_is_its_owner_s_alone(tmp_path, capsys):
    """A group store's members may write its files (0660); a kept body must not be one of them:
    it is served after one fstat of its identity, so a member writing into it in place while a
    served run sends it (a reader of a full pipe holds that run in sendfile) would change what
    the key holder reads, and a slot is one person's output."""
    import grp

    from conftest import run

    store = tmp_path / "g"
    group = grp.getgrgid(os.getgid()).gr_name
    assert run(capsys, "init", "--db", store, "--group", group, "--examples", "--lang", "en")[0] == 0
    args = ("check", "--db", store, "--as-of", AS_OF, "--lang", "en")
    code, out, _ = run(capsys, *args)
    assert run(capsys, *args)[:2] == (code, out)
    bodies = [p for p in (store / "cache" / "output").iterdir() if p.suffix == ".out"]
    assert bodies and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in bodies)
    assert check(store, "--format", "text")[2] is False and check(store, "--format", "text")[2] is True

    from coordtui import cli
    from coordtui.store import outcache

    # One an earlier version kept, group-writable from its creation: never served, kept again as its owner's.
    shutil.rmtree(store / "cache" / "output")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outcache, "BODY_MODE", 0o660)
        assert run(capsys, *args)[:2] == (code, out)
    called = []
    real = cli._check
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "_check", lambda *a: (called.append(1), real(*a))[1])
        assert run(capsys, *args)[:2] == (code, out) and called == [1]
        assert run(capsys, *args)[:2] == (code, out) and called == [1]


def test_a_change_on_a_file_system_of_whole_seconds_within_the_second_keeps_nothing(warm, monkeypatch):
    """On a file system that keeps whole seconds (ext3 with 128-byte inodes), a file edited in
    place to the same size and mtime later in the same second keeps its ctime: a file whose
    whole-second ctime is that of the moment a run began counts as changed after it."""
    import time
    import types

    from coordtui.store import outcache

    class Coarse:
        def __init__(self, entry) -> None:
            self.entry, self.name, self.path = entry, entry.name, entry.path

        def stat(self, follow_symlinks=True):
            st = self.entry.stat(follow_symlinks=follow_symlinks)
            return types.SimpleNamespace(st_mode=st.st_mode, st_ino=st.st_ino, st_dev=st.st_dev, st_size=st.st_size,
                                         st_mtime_ns=st.st_mtime_ns // 10**9 * 10**9,
                                         st_ctime_ns=st.st_ctime_ns // 10**9 * 10**9)

    class Listing:
        def __init__(self, folder) -> None:
            self.it = os.scandir(folder)

        def __enter__(self):
            return (Coarse(e) for e in self.it.__enter__())

        def __exit__(self, *exc):
            return self.it.__exit__(*exc)

    store = warm[0]
    monkeypatch.setattr(outcache, "os", types.SimpleNamespace(**{**vars(os), "scandir": Listing}))
    (store / "orgs.json").chmod(0o600)  # a change now: on such a file system its ctime is this second's
    changed = os.stat(store / "orgs.json").st_ctime_ns
    began = changed + 25_000_000  # a run that began 25 ms later, still within that second or not
    assert outcache.store_state(store, began - 20_000_000) is None
    assert outcache.store_state(store, time.time_ns() + 3 * 10**9) is not None  # (long after: settled)


def test_a_package_on_the_path_outside_the_installation_edited_in_place_is_a_new_check(tmp_path):
    """A package a plugin's rules import from a folder on PYTHONPATH (or the current folder), not
    installed: an edit of its files in place is a new check (the installation's own packages
    change only by being installed again, which their distributions show)."""
    import argparse

    from coordtui import check_output

    lib = tmp_path / "lib"
    (lib / "helperlib" / "deep").mkdir(parents=True)
    inner = lib / "helperlib" / "deep" / "limits.py"
    (lib / "helperlib" / "__init__.py").write_text("")
    (lib / "helperlib" / "deep" / "__init__.py").write_text("")
    inner.write_text("LIMIT = 3\n")
    args = argparse.Namespace(plugin_dir=None)
    path = [*sys.path, str(lib)]
    before = check_output._code(args, path)
    inner.write_text("LIMIT = 4\n")
    assert check_output._code(args, path) != before

