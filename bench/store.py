"""Store benchmark: the cost of one write and one query as the store grows.

Prints, for each size, the median and 95th percentile of
- a write (one record saved through coordtui's store: lock, revision, history, atomic commit),
- a query (every activity of one organization's quarter),
- a get (one record by id),
beside stock TinyDB (JSONStorage, one file) and SQLite (one table, JSON text) doing the
same work in the same run. SQLite runs in WAL mode, with synchronous FULL (every commit fsynced,
the durability the store promises: the ratio the goal is set against) and NORMAL. Usage:
python bench/store.py [SIZE ...]  (default 1000 10000 100000)

The stores above put SIZE records in 5 organizations (1,700 records a month file at 100,000). A
store of bench/generate.py's scheme (241 organizations at 100,000, ~10 records a month file, a
manifest listing ~9,000 files) costs a save otherwise; to measure saves into a copy of one, beside
SQLite with as many rows, in the same run (the copy is removed afterwards; its seal key must be
this account's):
python bench/store.py --store DIR
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from tinydb import Query, TinyDB

from coordtui.store import Put, PutOrg, Store

ORGS = 5
YEARS = (2024, 2025, 2026)
SAMPLES = 30
#: saves timed per engine, in turn (see paired)
PAIRED_SAMPLES = 200
QUARTER = ["2026-01", "2026-02", "2026-03"]  # "the records of one organization's quarter"


def doc(i: int) -> dict:
    return {"group": f"g{i % 5 + 1}", "title": f"第{i}次协作活动：纪检业务专题培训", "form": "学习培训交流",
            "start": f"{YEARS[i % 3]}-03-05", "end": f"{YEARS[i % 3]}-03-05", "units": [f"u{i % 25:02d}", f"u{(i + 1) % 25:02d}"],
            "grid_members": ["gm01", "gm02"], "news_submitted": f"{YEARS[i % 3]}-03-09"}


def part(i: int) -> str:
    """The month record i is filed in (by all three engines alike)."""
    return f"{YEARS[i % 3]}-{i % 12 + 1:02d}"


def timed(fn, n=SAMPLES) -> tuple[float, float]:
    times = []
    for k in range(n):
        t0 = time.perf_counter()
        fn(k)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def paired(fns: dict[str, Callable[[int], Any]], n: int = PAIRED_SAMPLES, block: int = 20) -> dict[str, tuple[float, float]]:
    """The median and 95th percentile (ms) of each of ``fns``, called in turn ``block`` samples at
    a time: each engine's saves meet the disk and the machine as the other's do within the same
    tens of milliseconds (on a shared machine an fsync's cost drifts 2x within a minute: timed one
    engine after the other, a ratio measured the drift). In blocks, not in turn, 20 saves at a time: an
    engine's unsynced writes would otherwise be flushed by the other's next fsync (ext4 commits
    every file's pending blocks together), and only a block's first sample meets them."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for start in range(0, n, block):
        for name, fn in fns.items():
            for k in range(start, min(start + block, n)):
                t0 = time.perf_counter()
                fn(k)
                times[name].append((time.perf_counter() - t0) * 1000)
    result = {}
    for name, row in times.items():
        row.sort()
        result[name] = (statistics.median(row), row[int(len(row) * 0.95) - 1])
    return result


def coordtui_store(root: Path, size: int) -> tuple[Store, dict[str, Callable[[int], Any]]]:
    store = Store(root, create=True, user="bench")
    store.apply([PutOrg({"id": f"o{o}", "name": f"org {o}", "model": "university_grid"}) for o in range(ORGS)])
    # Filed as the application files them: by organization and month.
    ops = [Put(f"o{i % ORGS}", "activity", f"a{i}", doc(i), part(i)) for i in range(size)]
    for start in range(0, len(ops), 5000):
        store.apply(ops[start:start + 5000])
    return store, {
        "write": lambda k: store.put("o1", "activity", f"new{k}", doc(k), part="2026-03", rev=0),
        "edit": lambda k: store.put("o1", "activity", f"a{1 + ORGS * (k % 200)}", doc(k + 1), part=part(1 + ORGS * (k % 200))),
        "query": lambda k: store.query("o0", "activity", parts=QUARTER),
        "get": lambda k: store.get("o2", "activity", f"a{2 + ORGS * k}"),
    }


def cold_query(root: Path) -> float:
    fresh = Store(root)
    t0 = time.perf_counter()
    fresh.query("o0", "activity", parts=QUARTER)
    return (time.perf_counter() - t0) * 1000


def bench_tinydb(path: Path, size: int) -> dict:
    db = TinyDB(path).table("_default", cache_size=0)  # no query cache: each query reads the file, as a query after a write does
    db.insert_multiple({"org": f"o{i % ORGS}", "part": part(i), "id": f"a{i}", **doc(i)} for i in range(size))
    q = Query()
    n = 10 if size <= 20000 else 5  # each one rewrites or re-reads the whole file: seconds at 100,000
    write = timed(lambda k: db.insert({"org": "o1", "part": "2026-03", "id": f"new{k}", **doc(k)}), n=n)
    query = timed(lambda k: db.search((q.org == "o0") & q.part.one_of(QUARTER)), n=n)
    get = timed(lambda k: db.get(q.id == f"a{2 + ORGS * k}"), n=n)
    return {"write": write, "edit": write, "query": query, "get": get}


def sqlite_store(path: Path, size: int, synchronous: str = "FULL") -> dict[str, Callable[[int], Any]]:
    """SQLite in WAL mode with ``synchronous`` FULL (each commit fsynced: the durability the store
    promises) or NORMAL (a commit may be lost on power failure, never corrupted)."""
    con = sqlite3.connect(path)
    con.execute("pragma journal_mode = wal")
    con.execute(f"pragma synchronous = {synchronous}")
    con.execute("create table rec (org text, part text, id text, doc text, primary key (org, id))")
    con.execute("create index rec_part on rec (org, part)")
    con.executemany("insert into rec values (?, ?, ?, ?)", ((f"o{i % ORGS}", part(i), f"a{i}", json.dumps(doc(i))) for i in range(size)))
    con.commit()

    def write(k):
        con.execute("insert into rec values (?, ?, ?, ?)", ("o1", "2026-03", f"new{k}", json.dumps(doc(k))))
        con.commit()

    def edit(k):
        con.execute("update rec set doc = ? where org = ? and id = ?", (json.dumps(doc(k + 1)), "o1", f"a{1 + ORGS * (k % 200)}"))
        con.commit()

    return {
        "write": write, "edit": edit,
        "query": lambda k: [json.loads(r[0]) for r in con.execute("select doc from rec where org = ? and part in (?, ?, ?)", ("o0", *QUARTER))],
        "get": lambda k: con.execute("select doc from rec where org = ? and id = ?", ("o2", f"a{2 + ORGS * k}")).fetchone(),
    }


def copy_saves(source: Path) -> dict[str, Any]:
    """New and edited records saved into a copy of the store ``source`` (one organization half
    way through its list, its newest month), beside SQLite holding as many rows, in turn (see
    paired): the medians and 95th percentiles (ms) of each, and what was saved into."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        shutil.copytree(source, root, symlinks=True)
        store = Store(root, user="bench")
        size = store.count()
        orgs = [o["id"] for o in store.orgs()]
        org = orgs[len(orgs) // 2]
        month = [p for p in store.parts(org) if p != "structure"][-1]
        kind, table = next((k, t) for k, t in store.read_part(org, month)[1].items() if t)
        rid, record = next(iter(table.items()))
        body = {k: v for k, v in record.items() if not k.startswith("_")}
        sqlite = sqlite_store(Path(tmp) / "full.db", size, "FULL")
        new = paired({"coordtui": lambda k: store.put(org, kind, f"bench-{k}", body | {"id": f"bench-{k}"}, part=month, rev=0),
                      "sqlite": sqlite["write"]})
        edit = paired({"coordtui": lambda k: store.put(org, kind, rid, body | {"bench": k}, part=month), "sqlite": sqlite["edit"]})
    return {"size": size, "orgs": len(orgs), "org": org, "month": month, "kind": kind, "records": len(table), "new": new, "edit": edit}


def bench_copy(source: Path) -> None:
    """:func:`copy_saves`, printed."""
    c = copy_saves(source)
    size, new, edit = c["size"], c["new"], c["edit"]
    print(f"{size:>8} {'coordtui copy':<14} {new['coordtui'][0]:>8.2f} {new['coordtui'][1]:>8.2f} {edit['coordtui'][0]:>9.2f}"
          f"  ({c['orgs']} organizations; {c['org']}/{c['month']}: {c['records']} {c['kind']} records)")
    print(f"{size:>8} {'sqlite FULL':<14} {new['sqlite'][0]:>8.2f} {new['sqlite'][1]:>8.2f} {edit['sqlite'][0]:>9.2f}")
    print(f"{size:>8} {'ratio':<14} one save into {source.name} vs an SQLite insert (WAL, synchronous FULL), in turn, 20 saves at a time:"
          f" new {new['coordtui'][0] / new['sqlite'][0]:.1f}x, edit {edit['coordtui'][0] / edit['sqlite'][0]:.1f}x (goal <=5x)")


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'engine':<14} {'new med':>8} {'new p95':>8} {'edit med':>9} {'query med':>10} {'get med':>9}  (ms)")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            engines = {"sqlite FULL": sqlite_store(tmp / "full.db", size, "FULL"), "sqlite NORMAL": sqlite_store(tmp / "normal.db", size, "NORMAL")}
            store, engines["coordtui"] = coordtui_store(tmp / "store", size)
            os.sync()  # what the three wrote in bulk reaches the disk before any save is timed
            # Paired: the engines' saves in turn, a block at a time, so each meets the same load and the same disk.
            rows = {engine: {} for engine in engines}
            for what in ("write", "edit"):
                for engine, figures in paired({engine: fns[what] for engine, fns in engines.items()}).items():
                    rows[engine][what] = figures
            for what in ("query", "get"):
                for engine, fns in engines.items():
                    rows[engine][what] = timed(fns[what])
            cold = cold_query(tmp / "store")
            del store
            if size <= 100_000:
                rows["tinydb"] = bench_tinydb(tmp / "t.json", size)
        for engine, r in rows.items():
            print(f"{size:>8} {engine:<14} {r['write'][0]:>8.2f} {r['write'][1]:>8.2f} {r['edit'][0]:>9.2f} {r['query'][0]:>10.2f} {r['get'][0]:>9.3f}")
        c, full, normal = rows["coordtui"], rows["sqlite FULL"], rows["sqlite NORMAL"]
        print(f"{size:>8} {'ratio':<14} one save vs an SQLite insert (WAL, synchronous FULL), in turn, 20 saves at a time: new {c['write'][0] / full['write'][0]:.1f}x,"
              f" edit {c['edit'][0] / full['edit'][0]:.1f}x (the goal, <=5x, is read in bench/goals.py's store of bench/generate.py's"
              f" scheme, ~10 records a month file; here {size // (ORGS * len({part(i) for i in range(60)})):,}); vs NORMAL: new {c['write'][0] / normal['write'][0]:.1f}x,"
              f" edit {c['edit'][0] / normal['edit'][0]:.1f}x; quarter query {c['query'][0]:.2f} ms (goal <20 ms),"
              f" {c['query'][0] / full['query'][0]:.1f}x sqlite; first query after open {cold:.1f} ms")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--store"]:
        bench_copy(Path(sys.argv[2]).expanduser().resolve())
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
