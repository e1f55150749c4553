"""What ``coordtui check``'s own process does around the rules' workers: the history verified
while they run, the findings put in order without sorting them again, the store's files read
with the descriptor alone."""

from __future__ import annotations

import json
import os
import pickle
import random
from datetime import date

import pytest

from conftest import run
from coordtui import workspace as workspace_module
from coordtui.domain.records import Finding, Severity
from coordtui.rules import engine
from coordtui.rules.engine import _finding_key, in_order
from coordtui.workspace import Workspace

AS_OF = "2026-10-15"


def _finding(org: str, severity: Severity, rule: str, subject: str, period: str | None = None) -> Finding:
    return Finding(rule=rule, severity=severity, org=org, subject=subject, message=f"{org} {rule} {subject}",
                   message_en=f"{org} {rule} {subject}", period=period, subject_id=subject)


def _runs(seed: int, orgs: int = 12) -> list[list[Finding]]:
    """Each organization's findings, sorted as a check sorts them, organizations in no order."""
    rng = random.Random(seed)
    names = [f"org-{rng.randrange(1000):03d}-{n}" for n in range(orgs)]
    runs = []
    for org in names:
        found = [_finding(org, rng.choice(list(Severity)), f"m.r{rng.randrange(4)}", f"s{rng.randrange(5)}",
                          rng.choice([None, "2026Q1", "2026Q2"])) for _ in range(rng.randrange(0, 30))]
        runs.append(sorted(found, key=_finding_key))
    return runs


@pytest.mark.parametrize("seed", range(6))
def test_findings_in_runs_per_organization_come_out_as_the_sort_puts_them(seed):
    runs = _runs(seed)
    findings = [f for run in runs for f in run]
    # (by identity: ties, equal findings, must come in the order of the sort, a stable one)
    assert [id(f) for f in in_order(findings)] == [id(f) for f in sorted(findings, key=_finding_key)]


def test_an_organization_in_two_runs_or_a_run_out_of_order_is_sorted_after_all():
    runs = _runs(7, orgs=4)
    twice = [f for run in runs for f in run] + [f for f in runs[0]]  # the same organization again, later
    assert [id(f) for f in in_order(twice)] == [id(f) for f in sorted(twice, key=_finding_key)]
    late = [_finding("a", Severity.WARNING, "m.x", "s"), _finding("a", Severity.ERROR, "m.y", "s"),
            _finding("b", Severity.ERROR, "m.z", "s")]
    assert [f.rule for f in in_order(late)] == ["m.y", "m.z", "m.x"]
    assert in_order([]) == []


def _with_two_workers(monkeypatch):
    if not engine.can_isolate():
        pytest.skip("no fork here")
    monkeypatch.setattr(workspace_module, "SHARED_FROM", 0)
    monkeypatch.setattr(workspace_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


def test_meanwhile_runs_once_while_the_workers_judge_and_the_findings_are_the_same(example_store, monkeypatch):
    _with_two_workers(monkeypatch)
    day = date.fromisoformat(AS_OF)
    alive: list[list[int]] = []
    workers: list[engine.RuleWorker] = []
    real_start = engine.RuleWorker.start
    monkeypatch.setattr(engine.RuleWorker, "start", lambda self: (workers.append(self), real_start(self))[1])

    def meanwhile():
        alive.append([w.pid for w in workers if w.pid])

    found = Workspace.open(example_store).findings(day, meanwhile=meanwhile)
    assert len(alive) == 1 and len(alive[0]) == 2  # once, both workers running then
    assert all(w.pid == 0 for w in workers)  # and ended since
    expected = Workspace.open(example_store).check(day).findings
    assert [f.as_json() for f in found] == [f.as_json() for f in expected]


@pytest.mark.parametrize("how", ["kept", "in process"])
def test_meanwhile_runs_once_when_no_worker_judges(example_store, monkeypatch, how):
    day = date.fromisoformat(AS_OF)
    if how == "kept":
        Workspace.open(example_store).findings(day)  # every result is then kept on disk
    else:
        monkeypatch.setenv("COORDTUI_RULES_IN_PROCESS", "1")
    calls = []
    found = Workspace.open(example_store).findings(day, meanwhile=lambda: calls.append(1))
    assert calls == [1] and found


def test_a_failure_meanwhile_is_raised_once_the_workers_have_ended(example_store, monkeypatch):
    _with_two_workers(monkeypatch)
    workers: list[engine.RuleWorker] = []
    real_start = engine.RuleWorker.start
    monkeypatch.setattr(engine.RuleWorker, "start", lambda self: (workers.append(self), real_start(self))[1])

    def fails():
        raise RuntimeError("meanwhile failed")

    with pytest.raises(RuntimeError, match="meanwhile failed"):
        Workspace.open(example_store).findings(date.fromisoformat(AS_OF), meanwhile=fails)
    assert workers and all(w.pid == 0 for w in workers)


def test_the_check_still_reports_a_broken_history_after_the_findings(example_store, capsys, monkeypatch):
    """verify_history's breaks, found while the workers ran, are the last findings, as before."""
    from coordtui.store import Store

    _with_two_workers(monkeypatch)
    monkeypatch.setattr(Store, "verify_history", lambda self: ["data/x.history.jsonl: line 1 is malformed"])
    code, out, _ = run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", AS_OF)
    findings = json.loads(out)["findings"]
    assert findings[-1]["rule"] == "core.history_tampered" and "line 1 is malformed" in findings[-1]["message_en"]
    assert [f["rule"] for f in findings].count("core.history_tampered") == 1


def _ahead_in_a_child(monkeypatch):
    from coordtui import forked

    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    monkeypatch.setattr(forked, "may_fork", lambda: True)  # (pytest's own threads would say no)


def test_the_history_is_verified_in_a_child_and_its_breaks_still_come_last(example_store, capsys, monkeypatch):
    """With a child to verify the history (check_output.Ahead), this process verifies nothing
    itself, and the breaks the child found are the last findings, as when it verifies them."""
    from coordtui.i18n import Bilingual
    from coordtui.store import Store

    _ahead_in_a_child(monkeypatch)
    run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", AS_OF)  # (the owner enrolled)
    here = os.getpid()
    verified_in = []

    def verify(self):
        verified_in.append(os.getpid())  # (in the child's memory when the child calls it)
        broken = Bilingual("data/x.history.jsonl: line 1 is malformed", "data/x.history.jsonl：第 1 行格式错误")
        return [broken] if os.getpid() != here else []

    monkeypatch.setattr(Store, "verify_history", verify)
    code, out, _ = run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", "2026-11-16")
    findings = json.loads(out)["findings"]
    assert verified_in == []  # not here: in the child
    assert findings[-1]["rule"] == "core.history_tampered" and "line 1 is malformed" in findings[-1]["message_en"]
    assert findings[-1]["message"] == "变更历史被篡改：data/x.history.jsonl：第 1 行格式错误"  # (both languages came back)
    assert [f["rule"] for f in findings].count("core.history_tampered") == 1 and code == 1


@pytest.mark.parametrize("said", [b"", pickle.dumps({"problems": []})[:-3], pickle.dumps({"problems": [1], "key": None}),
                                  pickle.dumps({"problems": [], "key": ("a",)}), pickle.dumps(["not", "a", "dict"])])
def test_a_child_that_says_nothing_whole_leaves_the_verification_to_the_check_itself(example_store, capsys, monkeypatch, said):
    from coordtui import check_output
    from coordtui.store import Store

    _ahead_in_a_child(monkeypatch)
    run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", AS_OF)
    monkeypatch.setattr(check_output.Ahead, "_work", staticmethod(lambda store, recording: said))
    monkeypatch.setattr(Store, "verify_history", lambda self: ["data/x.history.jsonl: line 1 is malformed"])
    code, out, _ = run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", "2026-11-16")
    assert [f["rule"] for f in json.loads(out)["findings"]].count("core.history_tampered") == 1


def test_a_change_after_the_key_was_taken_ahead_is_never_hidden(example_store, capsys, monkeypatch):
    """The child takes the output's key early; a history log edited by hand after that (while
    this check judges) is seen by the next check, which is not answered from this one's output."""
    from coordtui import check_output, cli

    _ahead_in_a_child(monkeypatch)
    run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", AS_OF)
    log = next((example_store / "data").rglob("*.history.jsonl"))
    real_work = check_output.Ahead._work

    def work_then_edit(store, recording):
        said = real_work(store, recording)
        assert pickle.loads(said)["key"] is not None  # (a key taken: the edit comes after it)
        with open(log, "ab") as fh:
            fh.write(b'{"not": "an entry"}\n')
        return said

    monkeypatch.setattr(check_output.Ahead, "_work", staticmethod(work_then_edit))
    args = ("check", "--db", example_store, "--format", "json", "--as-of", "2026-11-16", "--lang", "en")
    first = run(capsys, *args)[1]
    monkeypatch.setattr(check_output.Ahead, "_work", staticmethod(real_work))
    real = cli._check
    called = []
    monkeypatch.setattr(cli, "_check", lambda *a: (called.append(1), real(*a))[1])
    second = run(capsys, *args)[1]
    assert called == [1] and "core.history_tampered" in second and second != first


@pytest.mark.parametrize("size, told", [(0, 0), (5, 5), (70_000, 70_000), (70_000, 10), (10, 70_000)])
def test_a_file_is_read_to_its_end_whatever_its_fstat_said(tmp_path, size, told):
    from coordtui.store.files import _read_to_end

    path = tmp_path / "f"
    data = os.urandom(size)
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _read_to_end(fd, told) == data
    finally:
        os.close(fd)


def test_a_dangling_link_in_place_of_a_data_file_is_refused_not_taken_as_empty(example_store):
    from coordtui.errors import StoreError
    from coordtui.store import Store

    store = Store(example_store)
    org = store.orgs()[0]["id"]
    part = store.parts(org)[0]
    path = example_store / "data" / org / f"{part}.json"
    path.unlink()
    path.symlink_to(example_store / "nowhere.json")
    with pytest.raises(StoreError, match="is a symbolic link"):
        Store(example_store).read_part(org, part)


def test_an_interrupt_meanwhile_ends_the_check_at_once(example_store, monkeypatch):
    """Ctrl-C while the history is verified: the check stops then (its workers killed), as it
    does while it waits for them, not once every organization is judged."""
    _with_two_workers(monkeypatch)
    workers: list[engine.RuleWorker] = []
    judged: list[str] = []
    real_start, real_evaluate = engine.RuleWorker.start, engine.RuleWorker.evaluate
    monkeypatch.setattr(engine.RuleWorker, "start", lambda self: (workers.append(self), real_start(self))[1])
    monkeypatch.setattr(engine.RuleWorker, "evaluate",
                        lambda self, ctx: (judged.append(ctx.org.id), real_evaluate(self, ctx))[1])

    def interrupted():
        raise KeyboardInterrupt

    import threading

    ws = Workspace.open(example_store)
    with pytest.raises(KeyboardInterrupt):  # (and nothing else: the workers are closed once)
        ws.findings(date.fromisoformat(AS_OF), meanwhile=interrupted)
    assert workers and len(judged) < len(ws.orgs())  # not waited for: about the one each worker had begun
    for thread in threading.enumerate():  # (their threads end too, taking no more organizations)
        if thread.name == "coordtui-check":
            thread.join(timeout=60)
            assert not thread.is_alive()
    for worker in workers:
        worker.close()


EXIT = r"""
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, file=sys.stderr))
from coordtui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_check_s_process_leaves_its_objects_to_the_system_at_exit_and_its_output_is_whole(example_store, capsys):
    """The exit's garbage collection is skipped (gc.freeze at exit), after the output is written:
    a check in its own process prints what one in this process does, with its exit status."""
    import subprocess
    import sys

    code, inside, _ = run(capsys, "check", "--db", example_store, "--format", "json", "--as-of", AS_OF)
    done = subprocess.run([sys.executable, "-c", EXIT, "check", "--db", str(example_store), "--format", "json", "--as-of", AS_OF,
                           "--lang", "en"], capture_output=True, text=True, timeout=300)
    assert done.returncode == code and done.stdout == inside and "frozen at exit: True" in done.stderr
    import gc

    assert gc.get_freeze_count() == 0  # (in this process, nothing was frozen: it collects as ever)
