"""The check results kept on disk between processes (issue 22; ``cache/check``, store/results.py).

A second ``coordtui check`` of the same as-of date with nothing changed takes each
organization's findings from the sealed cache instead of judging it again. These tests prove
that its output is byte for byte a fresh check's, that a change made by another store object
is seen, that a forged, corrupt, replayed or stale cache file is passed over and rebuilt, and
that a scoped person sees only their part of a result an administrator's check kept.
"""

from __future__ import annotations

import json
from datetime import date
import os
import shutil
import stat

import pytest

from conftest import damage_sealed, run
from coordtui import workspace as workspace_module
from coordtui.access.people import Grant
from coordtui.access.actor import resolve_actor
from coordtui.access.people import Person
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = "2026-10-15"


@pytest.fixture(autouse=True)
def _without_the_output_cache(monkeypatch):
    """These are tests of the per-organization results beneath the whole output kept of an
    unchanged check (tests/test_check_output_cache.py): each check here runs the ordinary way."""
    from coordtui import check_output

    monkeypatch.setattr(check_output, "serve", lambda args, root: (None, None))


@pytest.fixture
def judged(monkeypatch):
    """The organizations judged (their rules run) from now on."""
    seen: list[str] = []
    real = workspace_module.evaluate

    def counting(ctx, *args, **kwargs):
        seen.append(ctx.org.id)
        return real(ctx, *args, **kwargs)

    monkeypatch.setattr(workspace_module, "evaluate", counting)
    return seen


def _check(capsys, store, as_of=AS_OF):
    code, out, err = run(capsys, "check", "--db", store, "--format", "json", "--as-of", as_of, "--lang", "en")
    assert code in (0, 1), err
    return out


def _cache(store):
    return store / "cache" / "check"


def test_a_second_check_takes_every_result_from_the_cache_and_prints_the_same(example_store, capsys, judged):
    first = _check(capsys, example_store)
    orgs = sorted(judged)
    assert len(orgs) == 5 and json.loads(first)["findings"]
    assert sorted(p.name for p in _cache(example_store).iterdir()) == orgs
    judged.clear()
    assert _check(capsys, example_store) == first and judged == []  # nothing judged again
    texts = [run(capsys, "check", "--db", example_store, "--as-of", AS_OF, "--lang", lang)[1] for lang in ("zh", "en")]
    assert judged == []  # the text too, from what the cache keeps of each finding
    judged.clear()
    other = _check(capsys, example_store, "2026-11-16")  # another day is judged anew, and kept beside
    assert sorted(judged) == orgs and other != first
    assert len(list((_cache(example_store) / "tjpu").iterdir())) == 2
    shutil.rmtree(_cache(example_store))
    judged.clear()
    assert _check(capsys, example_store) == first and sorted(judged) == orgs  # the cache was only a copy
    fresh = []
    for lang in ("zh", "en"):
        shutil.rmtree(_cache(example_store))
        fresh.append(run(capsys, "check", "--db", example_store, "--as-of", AS_OF, "--lang", lang)[1])
    assert texts == fresh
    assert "Summary: errors" in texts[1]


def test_a_change_by_another_store_is_seen_and_only_its_organization_judged_again(example_store, capsys, judged):
    before = _check(capsys, example_store)
    other = Workspace.open(example_store)
    kind = "activity"
    record = other.records("tjpu", kind)[0]
    other.delete("tjpu", kind, record.id, rev=None)
    judged.clear()
    after = _check(capsys, example_store)
    assert judged == ["tjpu"] and after != before
    shutil.rmtree(_cache(example_store))
    assert _check(capsys, example_store) == after  # what a check with no cache at all says


#: Each organization's file damaged in its own way (one check for all five).
DAMAGES = {"tjpu": "garbage", "usst": "truncated", "zikuang": "forged", "tianjin": "replayed", "pingluo": "a link"}


def _damage(path, how, store):
    def forge(payload):  # no findings, under the old seal: an all-clear planted by someone without the key
        header = json.loads(payload.partition(b"\n")[0])
        return json.dumps({"digest": header["digest"], "rows": []}).encode() + b"\n"

    damage_sealed(path, how, forge, _cache(store) / "tjpu" / path.name, "elsewhere.json")


def test_a_forged_or_corrupt_cache_file_is_passed_over_and_rebuilt(example_store, capsys, judged):
    first = _check(capsys, example_store)
    for org in ("tianjin", "tjpu", "usst", "zikuang", "pingluo"):  # (tianjin's copy is of tjpu's good file)
        _damage(_cache(example_store) / org / f"{AS_OF}.json", DAMAGES[org], example_store)
    judged.clear()
    assert _check(capsys, example_store) == first
    assert sorted(judged) == sorted(DAMAGES)
    judged.clear()
    assert _check(capsys, example_store) == first and judged == []  # rebuilt: trusted again


def test_a_stale_entry_is_not_used_after_its_file_changed_back_and_forth(example_store, capsys, judged):
    """An edit by hand outside coordtui (the file's signature changes) is judged anew, whatever the cache holds."""
    first = _check(capsys, example_store)
    part = sorted((example_store / "data" / "tjpu").glob("*.json"))[0]
    part.write_bytes(part.read_bytes())  # the same bytes, a new file version
    judged.clear()
    assert _check(capsys, example_store) == first and judged == ["tjpu"]


def test_without_the_key_nothing_is_kept_or_trusted(example_store, capsys, monkeypatch, judged):
    first = _check(capsys, example_store)  # (the owner's first check also makes them its administrator)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(example_store.parent / "elsewhere"))  # this account has no key now
    judged.clear()
    assert _check(capsys, example_store) != first  # (it says the seals were not checked)
    assert len(judged) == 5
    shutil.rmtree(_cache(example_store))
    run(capsys, "check", "--db", example_store, "--org", "tjpu")
    assert not _cache(example_store).exists() and len(judged) == 6


def test_the_cache_has_the_store_s_modes_and_keeps_a_few_days(example_store, capsys, monkeypatch):
    from coordtui.store import results

    monkeypatch.setattr(results, "KEEP", 2)
    for day in ("2026-10-13", "2026-10-14", "2026-10-15"):
        run(capsys, "check", "--db", example_store, "--org", "tjpu", "--as-of", day)
    folder = _cache(example_store) / "tjpu"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["2026-10-14.json", "2026-10-15.json"]
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in folder.iterdir())


@pytest.mark.parametrize("oldest", ["a file of the cache's", "a hard link to another file", "a link to another file"])
def test_a_new_date_is_written_into_the_oldest_date_s_file_only_where_it_is_the_cache_s_own(example_store, capsys, monkeypatch, oldest):
    """Where the dates kept are KEEP already, the oldest one's file is written over as the new
    one (one file less removed, none made); a file with another name too (a hard link), or a
    link, is never written through: it is removed and a new file written. Whichever, the new
    date's result is the one read back, the other file untouched, KEEP dates kept."""
    from coordtui.store import results

    monkeypatch.setattr(results, "KEEP", 2)
    for day in ("2026-10-13", "2026-10-14"):
        run(capsys, "check", "--db", example_store, "--org", "tjpu", "--as-of", day)
    folder = _cache(example_store) / "tjpu"
    first = folder / "2026-10-13.json"
    elsewhere = example_store.parent / "elsewhere.json"
    elsewhere.write_text("not the cache's")
    if oldest == "a hard link to another file":
        first.unlink()
        os.link(elsewhere, first)
    elif oldest == "a link to another file":
        first.unlink()
        first.symlink_to(elsewhere)
    os.utime(first, ns=(1, 1), follow_symlinks=False)  # (the oldest, whatever it is)
    inode = os.lstat(first).st_ino
    code, out, _ = run(capsys, "check", "--db", example_store, "--org", "tjpu", "--as-of", "2026-10-15", "--format", "json")
    assert sorted(p.name for p in folder.iterdir()) == ["2026-10-14.json", "2026-10-15.json"]
    newest = folder / "2026-10-15.json"
    assert newest.is_file() and not newest.is_symlink() and os.stat(newest).st_nlink == 1
    assert (os.stat(newest).st_ino == inode) is (oldest == "a file of the cache's")
    assert elsewhere.read_text() == "not the cache's"
    assert stat.S_IMODE(os.stat(newest).st_mode) == 0o600
    # What was kept is what the check said: the next run is answered from it, the same findings.
    again = Workspace.open(example_store).findings(date(2026, 10, 15), ["tjpu"])
    assert type(again[0]).__name__ == "KeptFinding"
    assert [f.as_json() for f in again] == json.loads(out)["findings"]


def test_a_scoped_person_sees_only_their_part_of_a_kept_result(example_store, capsys, judged):
    everything = json.loads(_check(capsys, example_store))["findings"]
    admin = Workspace.open(example_store)
    admin.save_person(Person(name="tester", display="测试员", grants=[Grant(org="tjpu", role="editor", scope=["g2"])]))
    store = Store(example_store)
    editor = Workspace(store, admin.host, actor=resolve_actor(store, "tester"))
    judged.clear()
    theirs = editor.findings(editor.today().fromisoformat(AS_OF))
    assert judged == []  # from the cache
    expected = editor.check(editor.today().fromisoformat(AS_OF)).findings
    assert [f.as_json() for f in theirs] == [f.as_json() for f in expected]
    assert theirs and {f.org for f in theirs} == {"tjpu"}
    assert len(theirs) < len([f for f in everything if f["org"] == "tjpu"])


def test_two_worker_processes_find_what_one_process_does(example_store, capsys, monkeypatch):
    """With enough to read, the organizations are shared between two worker processes, each
    reading its own, taken by whichever is free; each organization is judged once; the result
    is the one the rules give in this process."""
    from coordtui.rules import engine

    if not engine.can_isolate():
        pytest.skip("no fork here")
    monkeypatch.setattr(workspace_module, "SHARED_FROM", 0)
    monkeypatch.setattr(workspace_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    started, judged = [], []
    real, real_evaluate = engine.RuleWorker.start, engine.RuleWorker.evaluate
    monkeypatch.setattr(engine.RuleWorker, "start", lambda self: (started.append(len(self.contexts)), real(self)))
    monkeypatch.setattr(engine.RuleWorker, "evaluate",
                        lambda self, ctx: (judged.append((id(self), ctx.org.id)), real_evaluate(self, ctx))[1])
    ws = Workspace.open(example_store)
    day = ws.today().fromisoformat(AS_OF)
    shared = ws.check(day)
    assert started == [5, 5]  # two workers, each able to judge any of the five organizations
    assert sorted(org for _, org in judged) == sorted(o.id for o in ws.orgs())  # each once
    assert len({worker for worker, _ in judged}) == 2  # both took some
    monkeypatch.setenv("COORDTUI_RULES_IN_PROCESS", "1")
    alone = Workspace.open(example_store).check(day)
    assert [f.as_json() for f in shared.findings] == [f.as_json() for f in alone.findings]
    assert [(r.org, r.rule, r.subject_id, r.period, r.due, r.status) for r in shared.duties] == \
           [(r.org, r.rule, r.subject_id, r.period, r.due, r.status) for r in alone.duties]


@pytest.mark.parametrize("count", [0, 1, 2500])
def test_the_json_is_written_as_orjson_writes_the_whole_document(capsys, count):
    import orjson

    from coordtui.cli import _write_check_json
    from coordtui.domain.records import Finding, Severity

    findings = [Finding(rule="m.r", severity=Severity.ERROR if n % 3 else Severity.INFO, org="o", subject=f"张三 {n}",
                        message="第一行\n第二行\t“引号” \\ \"", message_en="line\nnext", period="2026Q1" if n % 2 else None,
                        subject_kind="unit" if n % 5 else None, subject_id=f"u{n}")
                for n in range(count)]
    summary = {"error": count, "warning": 0, "info": 1}
    day = __import__("datetime").date(2026, 10, 15)
    _write_check_json(day, findings, summary)
    out = capsys.readouterr().out
    expected = orjson.dumps({"as_of": "2026-10-15", "findings": [f.as_json() for f in findings], "summary": summary},
                            option=orjson.OPT_INDENT_2) + b"\n"
    assert out.encode() == expected


@pytest.mark.parametrize("runs", [[300], [1, 300, 2], [250, 250], [3, 400, 1, 1, 260, 2, 2000, 5], [2000, 1, 300]])
def test_the_json_is_the_same_whatever_the_pieces_it_is_written_in(capsys, runs):
    """Blocks of 64 KB and more are written as they are, smaller pieces joined: the document is
    orjson's byte for byte however they follow each other (and the separators between them)."""
    import orjson

    from coordtui.cli import _WRITTEN_AS_IS, _write_check_json
    from coordtui.domain.records import Finding, Severity
    from coordtui.rules.cache import FindingBlock, render

    findings = [Finding(rule="m.r", severity=Severity.ERROR, org="o", subject=f"单位 {n}", message="未完成\n（应于2026-03-31前完成）",
                        message_en="not done", period="2026Q1", subject_kind="unit", subject_id=f"u{n}")
                for n in range(sum(runs))]
    pieces, at = [], 0
    for run in runs:  # a run of 200 or more findings is one block (each is 200 bytes or more), a shorter one each alone
        chunk, at = findings[at:at + run], at + run
        if run >= 200:
            pieces.append(FindingBlock(Severity.ERROR, "o", run, b",\n".join(render(f) for f in chunk), False))
            assert len(pieces[-1].rendered) >= _WRITTEN_AS_IS
        else:
            pieces.extend(chunk)
    summary = {"error": len(findings), "warning": 0, "info": 0}
    _write_check_json(date(2026, 10, 15), pieces, summary)
    expected = orjson.dumps({"as_of": "2026-10-15", "findings": [f.as_json() for f in findings], "summary": summary},
                            option=orjson.OPT_INDENT_2) + b"\n"
    assert capsys.readouterr().out.encode() == expected


@pytest.mark.parametrize("change, problem", [
    ({}, None),
    ({"required": True}, "a Duty's required is True"),
    ({"required": -1}, "a Duty's required is -1"),
    ({"done": [date(2026, 1, 1), "2026-01-02"]}, "a Duty's done is"),
    ({"subject": 7}, "a Duty's subject is 7"),
    ({"record_id": 3}, "a Duty's record_id is 3"),
    ({"period": "2026Q1"}, "a Duty's period is '2026Q1'"),
])
def test_a_duty_with_a_field_of_the_wrong_type_is_named(change, problem):
    """(The engine's quick test of a well-formed duty must let through exactly what its detailed one does.)"""
    import dataclasses

    from coordtui.domain.model import Duty
    from coordtui.rules.engine import _duty_problem

    duty = dataclasses.replace(Duty(subject="一组", due=date(2026, 3, 31), what_zh="活动", what_en="activity"), **change)
    found = _duty_problem(duty)
    assert found == problem if problem is None else found.startswith(problem)


def _kept_payloads(store):
    """org -> (rows, findings' JSON) of each result kept for AS_OF (the seal's line left out)."""
    found = {}
    for path in _cache(store).glob(f"*/{AS_OF}.json"):
        _, _, payload = path.read_bytes().partition(b"\n")
        header, _, blob = payload.partition(b"\n")
        found[path.parent.name] = (json.loads(header)["rows"], blob)
    return found


def test_the_workers_keep_each_result_as_this_process_would_and_not_one_where_a_rule_failed(example_store, monkeypatch):
    """``coordtui check``'s workers render the findings and write each organization's result to
    the cache themselves: the same rows and JSON as when the rules run in this process; and an
    organization one of whose rules failed is not kept (its next check judges it again)."""
    from coordtui.domain.model import Rule
    from coordtui.rules import engine

    if not engine.can_isolate():
        pytest.skip("no fork here")
    monkeypatch.setattr(workspace_module, "SHARED_FROM", 0)
    monkeypatch.setattr(workspace_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    day = date.fromisoformat(AS_OF)
    shared = [f.as_json() for f in Workspace.open(example_store).findings(day)]
    in_workers = _kept_payloads(example_store)
    assert len(in_workers) == 5
    shutil.rmtree(_cache(example_store))
    monkeypatch.setenv("COORDTUI_RULES_IN_PROCESS", "1")
    assert [f.as_json() for f in Workspace.open(example_store).findings(day)] == shared
    assert _kept_payloads(example_store) == in_workers
    monkeypatch.delenv("COORDTUI_RULES_IN_PROCESS")

    shutil.rmtree(_cache(example_store))
    ws = Workspace.open(example_store)
    victim = ws.orgs()[0]
    real = ws.host.rules

    def breaks(ctx):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(ws.host, "rules", lambda model: [*real(model), *([Rule("x.breaks", "x", "x", breaks)]
                                                                         if model == victim.model else [])])
    found = ws.findings(day)
    assert any(f.rule == "core.rule_failed" and f.org == victim.id for f in found)
    kept = _kept_payloads(example_store)
    others = {o.id for o in ws.orgs() if o.model != victim.model}
    assert others and set(kept) == others
    assert {org: kept[org] for org in others} == {org: in_workers[org] for org in others}


def test_an_entry_kept_under_another_digest_is_passed_over_by_its_head(example_store, capsys, monkeypatch):
    """A kept entry whose digest is not the one asked for is refused before its seal is worked out
    (its head says so); one whose head matches is still refused unless its seal holds."""
    from coordtui.store.results import ResultCache

    _check(capsys, example_store)
    cache = ResultCache(example_store)
    path = _cache(example_store) / "tjpu" / f"{AS_OF}.json"
    digest = json.loads(path.read_bytes().split(b"\n")[1])["digest"]
    found = cache.load("tjpu", AS_OF, digest)
    assert found is not None and found[0]

    def unsealed(*args):
        raise AssertionError("the seal of an entry under another digest was worked out")

    monkeypatch.setattr(ResultCache, "_mac", unsealed)
    assert cache.load("tjpu", AS_OF, "0" * len(digest)) is None
    monkeypatch.undo()
    mac, header, blob = path.read_bytes().split(b"\n", 2)
    path.write_bytes(mac + b"\n" + header + b"\n" + blob[:-1] + bytes([blob[-1] ^ 1]))  # the head intact, the body not
    assert ResultCache(example_store).load("tjpu", AS_OF, digest) is None


def test_blocks_say_what_the_findings_say_and_only_to_a_person_who_sees_everything(example_store, capsys, monkeypatch):
    """``findings(blocks=True)`` (coordtui check --format json): each organization's findings of
    one severity as one block of their JSON, written and counted as the findings are; for a
    person whose scope hides some, the findings themselves, filtered."""
    from coordtui.rules import engine
    from coordtui.rules.cache import FindingBlock, counted, render
    from coordtui.rules.engine import summarize

    if not engine.can_isolate():
        pytest.skip("no fork here")
    run(capsys, "check", "--db", example_store, "--as-of", AS_OF)  # (the owner enrolled, an administrator)
    as_of = date.fromisoformat("2026-11-16")
    plain = Workspace.open(example_store).findings(as_of)
    shutil.rmtree(_cache(example_store))  # (else the next is answered from what the first kept)
    blocks = Workspace.open(example_store).findings(as_of, blocks=True)
    assert blocks and all(type(b) is FindingBlock for b in blocks)
    assert b",\n".join(b.rendered for b in blocks) == b",\n".join(render(f) for f in plain)
    assert counted(blocks) == summarize(plain) and sum(b.count for b in blocks) == len(plain)
    admin = Workspace.open(example_store)
    admin.save_person(Person(name="tester", display="测试员", grants=[Grant(org="tjpu", role="editor", scope=["g2"])]))
    shutil.rmtree(_cache(example_store))
    store = Store(example_store)
    editor = Workspace(store, admin.host, actor=resolve_actor(store, "tester"))
    theirs = editor.findings(as_of, blocks=True)
    assert theirs and not any(type(f) is FindingBlock for f in theirs) and {f.org for f in theirs} == {"tjpu"}
    assert [render(f) for f in theirs] == [render(f) for f in editor.check(as_of).findings]
