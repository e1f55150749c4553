"""The parsed partitions kept on disk between checks (``cache/parts``, store/parts.py, domain/rebuild.py).

A check of a new as-of date in a fresh process builds each partition whose file has not
changed from its records as validated before, instead of reading, parsing and validating the
file again. These tests prove that its output is byte for byte a check's without the cache,
that a change made by another process is seen (its file read again), that a forged, corrupt,
replayed or linked cache file, or one without the key, is passed over, and that the records
built from the cache are the validated ones, type for type.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import pytest

from conftest import damage_sealed, run
from coordtui.domain import rebuild
from coordtui.domain.records import Record
from coordtui.store.parts import PartCache
from coordtui.store.store import Store
from coordtui.workspace import Workspace

AS_OF, NEW_AS_OF = "2026-10-15", "2026-11-16"


@pytest.fixture(autouse=True)
def _without_the_output_cache(monkeypatch):
    """Each check here runs the ordinary way (not answered from a kept output: test_check_output_cache.py)."""
    from coordtui import check_output

    monkeypatch.setattr(check_output, "serve", lambda args, root: (None, None))


@pytest.fixture
def reads(monkeypatch):
    """The partitions read from their files from now on, the rules run in this process (so that
    the reads of a worker are seen here)."""
    monkeypatch.setenv("COORDTUI_RULES_IN_PROCESS", "1")
    seen: list[tuple[str, str]] = []
    real = Store.read_part

    def counting(self, org, part, **kwargs):
        seen.append((org, part))
        return real(self, org, part, **kwargs)

    monkeypatch.setattr(Store, "read_part", counting)
    return seen


def _check(capsys, store, as_of=AS_OF, *more):
    code, out, err = run(capsys, "check", "--db", store, "--format", "json", "--as-of", as_of, "--lang", "en", *more)
    assert code in (0, 1), err
    return out


def _parts(store):
    return store / "cache" / "parts"


def _uncached(capsys, store, as_of):
    """What a check says with nothing kept on disk (neither parsed partitions nor results)."""
    shutil.rmtree(store / "cache" / "parts", ignore_errors=True)
    shutil.rmtree(store / "cache" / "check", ignore_errors=True)
    out = _check(capsys, store, as_of)
    return out


def _all_parts(store):
    return sorted((p.parent.name, p.name[:-5]) for p in (store / "data").glob("*/*.json"))


def test_a_new_as_of_date_reads_no_unchanged_file_and_prints_the_same(example_store, capsys, reads):
    first = _check(capsys, example_store)
    assert sorted(reads) == _all_parts(example_store)  # the first check reads every file, and keeps them
    assert sorted(p.name for p in _parts(example_store).iterdir()) == sorted(f"{o}.json" for o in {o for o, _ in reads})
    reads.clear()
    new = _check(capsys, example_store, NEW_AS_OF)
    assert reads == [] and new != first  # judged anew, from the kept partitions
    texts = [run(capsys, "check", "--db", example_store, "--as-of", "2026-12-20", "--lang", lang)[1] for lang in ("zh", "en")]
    assert reads == []
    assert new == _uncached(capsys, example_store, NEW_AS_OF)
    for lang, text in zip(("zh", "en"), texts):
        shutil.rmtree(_parts(example_store))
        shutil.rmtree(example_store / "cache" / "check")
        assert run(capsys, "check", "--db", example_store, "--as-of", "2026-12-20", "--lang", lang)[1] == text


def test_the_workers_build_the_same_from_the_kept_partitions(example_store, capsys, monkeypatch):
    """The default way, in worker processes: each worker reads the kept file of its organizations."""
    monkeypatch.delenv("COORDTUI_RULES_IN_PROCESS", raising=False)
    _check(capsys, example_store)
    assert len(list(_parts(example_store).iterdir())) == 5
    for day in (NEW_AS_OF, "2027-01-04", "2026-07-01"):
        kept = _check(capsys, example_store, day)
        assert kept == _uncached(capsys, example_store, day)


CHANGE = r"""
import sys
from coordtui.workspace import Workspace
ws = Workspace.open(sys.argv[1])
record = ws.records("tjpu", "activity")[0]
ws.save("tjpu", record.model_copy(update={"title": record.title + " (changed)"}), rev=None)
print(record.id)
"""


def test_a_change_made_by_another_process_is_read_and_nothing_else(example_store, capsys, reads):
    _check(capsys, example_store)
    changed = subprocess.run([sys.executable, "-c", CHANGE, str(example_store)], capture_output=True, text=True, check=True)
    reads.clear()
    after = _check(capsys, example_store, NEW_AS_OF)
    assert len(reads) == 1 and reads[0][0] == "tjpu"  # only the file that changed
    assert after == _uncached(capsys, example_store, NEW_AS_OF)
    # The record as a screen reads it and as the check's rules saw it are the changed one.
    ws = Workspace.open(example_store)
    ws._parts_disk = PartCache(example_store)
    org = ws.org("tjpu")
    ws._read_all(org, ws._signatures(org))
    seen = {r.id: r for r in ws.records_all(org, "activity")}
    assert seen[changed.stdout.strip()].title.endswith(" (changed)")


def test_a_file_rewritten_with_the_same_bytes_is_read_again(example_store, capsys, reads):
    """An edit outside coordtui (a new file version, whatever its bytes) is read anew."""
    _check(capsys, example_store)
    part = sorted((example_store / "data" / "tjpu").glob("*.json"))[0]
    part.write_bytes(part.read_bytes())
    reads.clear()
    _check(capsys, example_store, NEW_AS_OF)
    assert reads == [("tjpu", part.name[:-5])]


def _damage(path, how, store):
    # forged: a record's value changed, under the old seal: by someone without the key
    damage_sealed(path, how, lambda payload: payload.replace(b'"2026-', b'"2025-', 1), _parts(store) / "tjpu.json", "elsewhere.keep")


DAMAGES = {"tjpu": "garbage", "usst": "truncated", "zikuang": "forged", "tianjin": "replayed", "pingluo": "a link"}


def test_a_forged_or_corrupt_kept_file_is_passed_over_and_rebuilt(example_store, capsys, reads):
    _check(capsys, example_store)
    expected = _uncached(capsys, example_store, NEW_AS_OF)
    for org in ("tianjin", "tjpu", "usst", "zikuang", "pingluo"):  # (tianjin's copy is of tjpu's good file)
        _damage(_parts(example_store) / f"{org}.json", DAMAGES[org], example_store)
    shutil.rmtree(example_store / "cache" / "check")
    reads.clear()
    assert _check(capsys, example_store, NEW_AS_OF) == expected
    assert sorted(reads) == _all_parts(example_store)  # every file read again
    assert not (_parts(example_store) / "pingluo.json").is_symlink()
    shutil.rmtree(example_store / "cache" / "check")
    reads.clear()
    assert _check(capsys, example_store, NEW_AS_OF) == expected and reads == []  # rebuilt: trusted again


def test_without_the_key_nothing_is_kept_or_trusted(example_store, capsys, monkeypatch, reads):
    _check(capsys, example_store)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(example_store.parent / "elsewhere"))  # this account has no key now
    reads.clear()
    _check(capsys, example_store, NEW_AS_OF)
    assert sorted(reads) == _all_parts(example_store)
    shutil.rmtree(_parts(example_store))
    _check(capsys, example_store, NEW_AS_OF)
    assert not _parts(example_store).exists()


def test_the_kept_file_has_the_store_s_modes(example_store, capsys):
    _check(capsys, example_store)
    for path in _parts(example_store).iterdir():
        assert path.stat().st_mode & 0o777 == 0o600
    assert _parts(example_store).stat().st_mode & 0o777 == 0o700


def test_a_commit_being_put_in_place_reads_every_file(example_store, capsys, reads, monkeypatch):
    from coordtui import workspace as workspace_module

    _check(capsys, example_store)
    monkeypatch.setattr(workspace_module, "commit_pending", lambda root: True)
    reads.clear()
    _check(capsys, example_store, NEW_AS_OF)
    assert sorted(reads) == _all_parts(example_store)


def test_the_records_built_from_the_cache_are_the_validated_ones(example_store):
    """Every record of every example organization, through the rows and JSON and back: the same
    values of the same types, the same fields given, and the same JSON."""
    import orjson

    ws = Workspace.open(example_store)
    count = 0
    for org in ws.orgs():
        kinds = ws.model_of(org).kind_map
        for part, signature in ws._signatures(org):
            parsed = {k: v for k, v in ws._partition(org, part, signature).items() if k in kinds}
            rows = rebuild.rows_of(kinds, parsed)
            assert rows is not None, (org.id, part)
            again = rebuild.records_of(kinds, orjson.loads(orjson.dumps(rows)))
            assert rebuild.same(again, parsed) and rebuild.same_partition(again, parsed)
            for kind, records in parsed.items():
                for a, b in zip(records, again[kind]):
                    assert a.model_dump_json() == b.model_dump_json() and a == b and a.model_fields_set == b.model_fields_set
                    count += 1
    assert count > 500


class _Plain(Record):
    kind = "plain"
    title: str
    on: date
    until: date | None = None
    tags: list[str] = []
    days: list[date] = []
    count: int = 0
    share: float = 0.0


class _Mapping(Record):
    kind = "mapping"
    extra: dict[str, str] = {}


class _Either(Record):
    kind = "either"
    when: date | str


def test_a_kind_is_kept_only_where_every_field_comes_back_the_same():
    import orjson

    assert rebuild.plan_of(_Mapping) is None and rebuild.plan_of(_Either) is None
    kinds = {"plain": _Plain, "mapping": _Mapping}
    given = _Plain.model_validate({"id": "a", "title": " x ", "on": "2026-01-02", "days": ["2026-03-04"], "share": 1})
    rows = rebuild.rows_of({"plain": _Plain}, {"plain": [given]})
    again = rebuild.records_of({"plain": _Plain}, orjson.loads(orjson.dumps(rows)))["plain"][0]
    assert rebuild.same(again, given) and again.model_fields_set == {"id", "title", "on", "days", "share"}
    assert type(again.on) is date and type(again.days[0]) is date and type(again.share) is float and again.title == "x"
    assert rebuild.rows_of(kinds, {"mapping": [_Mapping(id="m")]}) is None  # not kept: read from its file as ever
    # A value JSON does not carry exactly is not taken for the same.
    nan = _Plain.model_validate({"id": "n", "title": "x", "on": "2026-01-02", "share": "nan"})
    back = rebuild.records_of({"plain": _Plain}, orjson.loads(orjson.dumps(rebuild.rows_of({"plain": _Plain}, {"plain": [nan]}))))
    assert not rebuild.same(back, {"plain": [nan]}) and not rebuild.same_partition(back, {"plain": [nan]})
    other = _Plain.model_validate({"id": "a", "title": "x", "on": "2026-01-02", "days": ["2026-03-04"], "share": 1, "count": 0})
    assert not rebuild.same_partition({"plain": [again]}, {"plain": [other]})  # (the fields given differ)
    assert rebuild.same_partition({"plain": [given]}, {"plain": [again]})
    assert not rebuild.same_partition({"plain": [given]}, {"plain": [again.model_copy(update={"share": 1})]})  # 1 == 1.0
    assert not rebuild.same(1, True) and not rebuild.same(1, 1.0) and not rebuild.same([date(2026, 1, 2)], ["2026-01-02"])


def test_a_kept_partition_whose_records_would_not_come_back_the_same_is_not_kept(example_store, capsys, reads, monkeypatch):
    monkeypatch.setattr(rebuild, "same_partition", lambda a, b: False)
    _check(capsys, example_store)
    reads.clear()
    _check(capsys, example_store, NEW_AS_OF)
    assert sorted(reads) == _all_parts(example_store)


def test_a_partition_with_a_value_json_cannot_carry_is_read_from_its_file(example_store, capsys, reads, monkeypatch):
    """(orjson refuses an integer beyond 64 bits: that partition is not kept, the check goes on.)"""
    real = rebuild.rows_of
    spoilt: list[object] = []

    def rows_of(kinds, parsed):
        rows = real(kinds, parsed)
        if rows and not spoilt and any(rows.values()):
            spoilt.append(next(kind for kind, found in rows.items() if found))
            rows[spoilt[0]][0] = [*rows[spoilt[0]][0], 2 ** 70]
        return rows

    monkeypatch.setattr(rebuild, "rows_of", rows_of)
    _check(capsys, example_store)
    assert spoilt
    monkeypatch.setattr(rebuild, "rows_of", real)
    reads.clear()
    again = _check(capsys, example_store, NEW_AS_OF)
    assert len(reads) == 1 and again == _uncached(capsys, example_store, NEW_AS_OF)
