"""An import's records validated ahead, in a child process, while the store stages them
(coordtui/validated_ahead.py): the store's check passes over a record only where the child
validated that very content with that very class and found it fitting; every other record is
validated as before, and a save refused is refused in the same words."""

from __future__ import annotations

import shutil

import pytest

from coordtui import validated_ahead
from coordtui.errors import StoreError
from coordtui.store import Put, Store
from coordtui.validated_ahead import ValidatedAhead
from coordtui.workspace import Workspace

from conftest import run
from test_ledgers import office_ledger


@pytest.fixture
def forks(monkeypatch):
    """Validates ahead wherever this runs (one core, a test runner's threads, or a busy machine would not)."""
    monkeypatch.setattr(validated_ahead, "may_fork", lambda: True)
    monkeypatch.setattr(validated_ahead, "core_free", lambda: True)


def _activity(ws, rid, **changes):
    """A stored activity of tjpu as a Put of its content (changed by ``changes``), and its class."""
    org = ws.org("tjpu")
    cls = ws.model_of(org).kind("activity")
    record = ws.records(org, "activity")[0]
    data = record.model_dump(mode="json") | {"id": rid} | changes
    return cls, Put("tjpu", "activity", rid, data, record.partition())


def test_a_record_is_vouched_for_only_as_it_was_validated_with_its_class_and_found_fitting(forks, example_store):
    ws = Workspace.open(example_store)
    cls, good = _activity(ws, "ahead-1")
    _, bad = _activity(ws, "ahead-2", start="not a day")
    ahead = ValidatedAhead([("tjpu", cls, good), ("tjpu", cls, bad)])
    content = dict(good.data)
    assert ahead.vouches("tjpu", "activity", cls, "ahead-1", content)
    assert not ahead.vouches("tjpu", "activity", cls, "ahead-2", dict(bad.data))  # the child found it unfit
    assert not ahead.vouches("tjpu", "activity", cls, "ahead-1", content | {"title": "另一个"})  # other content
    assert not ahead.vouches("tjpu", "activity", ws.model_of(ws.org("tjpu")).kind("group"), "ahead-1", content)  # another class
    assert not ahead.vouches("other", "activity", cls, "ahead-1", content)  # another organization
    assert not ahead.vouches("tjpu", "activity", cls, "ahead-3", content)  # not validated ahead
    good.data["title"] = "改过"  # changed after it was validated: its content as staged is not what was validated
    assert not ahead.vouches("tjpu", "activity", cls, "ahead-1", dict(good.data))
    ahead.close()


def test_without_a_verdict_nothing_is_vouched_for(monkeypatch, example_store):
    ws = Workspace.open(example_store)
    cls, good = _activity(ws, "ahead-1")
    monkeypatch.setattr(validated_ahead, "may_fork", lambda: False)  # no child
    assert not ValidatedAhead([("tjpu", cls, good)]).vouches("tjpu", "activity", cls, "ahead-1", dict(good.data))
    monkeypatch.setattr(validated_ahead, "may_fork", lambda: True)
    monkeypatch.setattr(validated_ahead, "core_free", lambda: False)  # a busy machine: no child
    assert not ValidatedAhead([("tjpu", cls, good)]).vouches("tjpu", "activity", cls, "ahead-1", dict(good.data))
    monkeypatch.setattr(validated_ahead, "core_free", lambda: True)
    monkeypatch.setattr(ValidatedAhead, "_verdict", lambda self: b"")  # a child that gives nothing
    assert not ValidatedAhead([("tjpu", cls, good)]).vouches("tjpu", "activity", cls, "ahead-1", dict(good.data))


@pytest.mark.parametrize("changed_after", [False, True], ids=["unfit as validated", "made unfit after it was validated"])
def test_a_save_of_a_record_that_does_not_fit_is_refused_in_the_same_words(forks, example_store, tmp_path, changed_after):
    other = shutil.copytree(example_store, tmp_path / "other")
    refusals = []
    for db, ahead_of in ((example_store, True), (other, False)):
        ws = Workspace.open(db)
        cls, op = _activity(ws, "ahead-9", **({} if changed_after else {"start": "not a day"}))
        check = ws.store.content_check
        check.ahead = ValidatedAhead([("tjpu", cls, op)]) if ahead_of else None
        if changed_after:
            op.data["start"] = "not a day"
        before = Store(db).query("tjpu", "activity")
        with pytest.raises(StoreError) as refused:
            ws.apply([op])
        assert Store(db).query("tjpu", "activity") == before
        refusals.append(str(refused.value).replace(str(db), "DB"))
    assert refusals[0] == refusals[1] and "nothing was saved: activity 'ahead-9': field start" in refusals[0]


def test_an_import_validated_ahead_says_and_stores_what_one_validated_by_the_check_does(example_store, tmp_path, capsys, monkeypatch):
    path = tmp_path / "台账.xlsx"
    office_ledger(path, [["第四协作组", f"第三季度专题培训{n}", "学习培训交流", "2026-09-18", "2026/9/18", "机关纪委", "孙刚", "", ""]
                         for n in range(30)])
    other = shutil.copytree(example_store, tmp_path / "other")
    validated = []
    real = ValidatedAhead.vouches
    monkeypatch.setattr(ValidatedAhead, "vouches", lambda self, *a: validated.append(real(self, *a)) or validated[-1])
    said = []
    monkeypatch.setattr(validated_ahead, "core_free", lambda: True)
    for db, forks in ((example_store, True), (other, False)):
        monkeypatch.setattr(validated_ahead, "may_fork", lambda forks=forks: forks)
        validated.clear()
        code, out, err = run(capsys, "import", path, "--db", db, "--org", "tjpu", "--kind", "activity", "--lang", "en")
        assert any(validated) == forks  # (vouched for, or every record validated by the check)
        said.append((code, out, err.replace(str(db), "DB")))
    assert said[0] == said[1] and said[0][0] == 0, said

    def stored(db):
        return sorted(({k: v for k, v in d.items() if k not in ("_at", "_part")} for d in Store(db).query("tjpu", "activity")),
                      key=lambda d: d["id"])

    assert stored(example_store) == stored(other)
