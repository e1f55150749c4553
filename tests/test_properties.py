"""Property tests (hypothesis): the store behaves like a dict; hostile imports never crash and never write partially.

`make test` runs a few hundred cases; `make test-all` (marked slow) runs many more.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coordtui.cli import main
from coordtui.errors import ConflictError, StoreError
from coordtui.store import Store

KINDS = st.sampled_from(["unit", "activity"])
IDS = st.sampled_from([f"r{n}" for n in range(6)])
PARTS = st.sampled_from(["structure", "2025", "2026"])
VALUES = st.dictionaries(st.sampled_from(["name", "n", "tags"]), st.one_of(st.text(max_size=8), st.integers(), st.lists(st.text(max_size=3), max_size=3)), max_size=3)
OPS = st.lists(st.one_of(
    st.tuples(st.just("put"), KINDS, IDS, VALUES, PARTS),
    st.tuples(st.just("delete"), KINDS, IDS),
    st.tuples(st.just("reopen")),
), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
@example([("put", "unit", "r0", {"name": -(2**63) - 1}, "structure"), ("reopen",), ("put", "unit", "r0", {"n": 2**64}, "2026")])
def test_store_matches_a_dict_through_puts_deletes_and_reopens(ops):
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s", create=True)
        store.put_org({"id": "o", "name": "O", "model": "m"})
        model: dict[tuple[str, str], dict] = {}
        for op in ops:
            if op[0] == "put":
                _, kind, rid, data, part = op
                if any(isinstance(v, int) and not -2**63 <= v < 2**64 for v in data.values()):
                    with pytest.raises(StoreError, match="64 bits"):
                        store.put("o", kind, rid, data, part=part)
                    continue  # refused, and nothing changed
                store.put("o", kind, rid, data, part=part)
                model[(kind, rid)] = data | {"id": rid}
            elif op[0] == "delete":
                _, kind, rid = op
                if (kind, rid) in model:
                    store.delete("o", kind, rid)
                    del model[(kind, rid)]
            else:
                store = Store(store.root)
            for kind in ("unit", "activity"):
                got = {d["id"]: {k: v for k, v in d.items() if not k.startswith("_")} for d in store.query("o", kind)}
                assert got == {rid: data for (k, rid), data in model.items() if k == kind}
        assert Store(store.root).verify_history() == []


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=5))
def test_a_stale_revision_never_overwrites(extra_edits, stale_by):
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s", create=True)
        store.put_org({"id": "o", "name": "O", "model": "m"})
        store.put("o", "unit", "u", {"name": "v0"})
        for n in range(extra_edits):
            store.put("o", "unit", "u", {"name": f"v{n + 1}"})
        current = extra_edits + 1
        based_on = max(1, current - stale_by)
        if based_on == current:
            assert store.put("o", "unit", "u", {"name": "mine"}, rev=based_on)["_rev"] == current + 1
        else:
            with pytest.raises(ConflictError):
                store.put("o", "unit", "u", {"name": "mine"}, rev=based_on)
            assert store.get("o", "unit", "u")["name"] == f"v{extra_edits}"


# hostile imports ---------------------------------------------------------------------------

JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=40), st.sampled_from(["2026-02-30", "9999-99-99", "0000-01-01", "\x00\x07", "g1", "u01", "unit", "activity", "x" * 3000])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=5)),
    max_leaves=20,
)
FIELDS = st.sampled_from(["id", "kind", "name", "group", "unit_type", "title", "form", "start", "end", "units", "grid_members", "news_submitted", "order"])
ITEM = st.dictionaries(FIELDS, JSONISH, max_size=8) | st.fixed_dictionaries({"kind": st.sampled_from(["unit", "group", "activity", "nope"]), "id": JSONISH})
DOCUMENT = st.fixed_dictionaries({
    "format": st.sampled_from(["coordtui/1", "coordtui/2", ""]),
    "model": st.sampled_from(["university_grid", "nosuch"]),
    "org": st.one_of(st.fixed_dictionaries({"id": st.sampled_from(["tjpu", "new-org", "bad id!"]), "name": st.text(max_size=10)}), JSONISH),
    "items": st.one_of(st.lists(ITEM, max_size=6), JSONISH),
})


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "db"
    main(["init", "--db", str(path), "--examples"])
    return path


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*.json"))}


def _fuzz(base_store, doc, raw):
    before = _snapshot(base_store)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "in.json"
        f.write_bytes(raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        code = main(["import", str(f), "--db", str(base_store)])
    after = _snapshot(base_store)
    if code == 2:
        assert after == before  # refused: nothing written
    else:
        assert code == 0
        # Accepted: undo it so every case starts from the same store.
        for name, data in before.items():
            (base_store / name).write_bytes(data)
        for name in set(after) - set(before):
            (base_store / name).unlink()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(DOCUMENT)
def test_fuzzed_documents_never_crash_or_write_partially(base_store, doc):
    _fuzz(base_store, doc, None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_fuzzed_bytes_never_crash(base_store, raw):
    _fuzz(base_store, None, raw)


@pytest.mark.slow
@settings(max_examples=10000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(DOCUMENT)
def test_fuzzed_documents_many(base_store, doc):
    _fuzz(base_store, doc, None)
