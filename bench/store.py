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
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tinydb import Query, TinyDB

from coordtui.store import Put, PutOrg, Store

ORGS = 5
YEARS = (2024, 2025, 2026)
SAMPLES = 30
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


def bench_coordtui(root: Path, size: int) -> dict:
    store = Store(root, create=True, user="bench")
    store.apply([PutOrg({"id": f"o{o}", "name": f"org {o}", "model": "university_grid"}) for o in range(ORGS)])
    # Filed as the application files them: by organization and month.
    ops = [Put(f"o{i % ORGS}", "activity", f"a{i}", doc(i), part(i)) for i in range(size)]
    for start in range(0, len(ops), 5000):
        store.apply(ops[start:start + 5000])
    fresh = Store(root)
    t0 = time.perf_counter()
    fresh.query("o0", "activity", parts=QUARTER)
    cold = (time.perf_counter() - t0) * 1000
    write = timed(lambda k: store.put("o1", "activity", f"new{k}", doc(k), part="2026-03", rev=0))
    edit = timed(lambda k: store.put("o1", "activity", f"a{1 + ORGS * k}", doc(k + 1), part=part(1 + ORGS * k)))
    query = timed(lambda k: store.query("o0", "activity", parts=QUARTER))
    get = timed(lambda k: store.get("o2", "activity", f"a{2 + ORGS * k}"))
    return {"write": write, "edit": edit, "query": query, "get": get, "cold_query": cold}


def bench_tinydb(path: Path, size: int) -> dict:
    db = TinyDB(path).table("_default", cache_size=0)  # no query cache: each query reads the file, as a query after a write does
    db.insert_multiple({"org": f"o{i % ORGS}", "part": part(i), "id": f"a{i}", **doc(i)} for i in range(size))
    q = Query()
    n = 10 if size <= 20000 else 5  # each one rewrites or re-reads the whole file: seconds at 100,000
    write = timed(lambda k: db.insert({"org": "o1", "part": "2026-03", "id": f"new{k}", **doc(k)}), n=n)
    query = timed(lambda k: db.search((q.org == "o0") & q.part.one_of(QUARTER)), n=n)
    get = timed(lambda k: db.get(q.id == f"a{2 + ORGS * k}"), n=n)
    return {"write": write, "edit": write, "query": query, "get": get}


def bench_sqlite(path: Path, size: int, synchronous: str = "FULL") -> dict:
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
        con.execute("update rec set doc = ? where org = ? and id = ?", (json.dumps(doc(k + 1)), "o1", f"a{1 + ORGS * k}"))
        con.commit()

    query = timed(lambda k: [json.loads(r[0]) for r in con.execute("select doc from rec where org = ? and part in (?, ?, ?)", ("o0", *QUARTER))])
    get = timed(lambda k: con.execute("select doc from rec where org = ? and id = ?", ("o2", f"a{2 + ORGS * k}")).fetchone())
    result = {"write": timed(write), "edit": timed(edit), "query": query, "get": get}
    con.close()
    return result


def bench_copy(source: Path) -> None:
    """New and edited records saved into a copy of the store ``source`` (one organization half
    way through its list, its newest month), beside SQLite holding as many rows."""
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
        new = timed(lambda k: store.put(org, kind, f"bench-{k}", body | {"id": f"bench-{k}"}, part=month, rev=0))
        edit = timed(lambda k: store.put(org, kind, rid, body | {"bench": k}, part=month))
        full = bench_sqlite(Path(tmp) / "full.db", size, "FULL")
    print(f"{size:>8} {'coordtui copy':<14} {new[0]:>8.2f} {new[1]:>8.2f} {edit[0]:>9.2f}  ({len(orgs)} organizations; {org}/{month}: {len(table)} {kind} records)")
    print(f"{size:>8} {'sqlite FULL':<14} {full['write'][0]:>8.2f} {full['write'][1]:>8.2f} {full['edit'][0]:>9.2f}")
    print(f"{size:>8} {'ratio':<14} one save into {source.name} vs an SQLite insert (WAL, synchronous FULL): new {new[0] / full['write'][0]:.1f}x,"
          f" edit {edit[0] / full['edit'][0]:.1f}x (goal <=5x)")


def main(sizes: list[int]) -> None:
    print(f"{'records':>8} {'engine':<14} {'new med':>8} {'new p95':>8} {'edit med':>9} {'query med':>10} {'get med':>9}  (ms)")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            # Paired: every engine in the same run, the coordtui store after the baselines have
            # settled, so each sees the same load on a shared machine.
            rows = {"sqlite FULL": bench_sqlite(tmp / "full.db", size, "FULL"), "sqlite NORMAL": bench_sqlite(tmp / "normal.db", size, "NORMAL"),
                    "coordtui": bench_coordtui(tmp / "store", size)}
            if size <= 100_000:
                rows["tinydb"] = bench_tinydb(tmp / "t.json", size)
        for engine, r in rows.items():
            print(f"{size:>8} {engine:<14} {r['write'][0]:>8.2f} {r['write'][1]:>8.2f} {r['edit'][0]:>9.2f} {r['query'][0]:>10.2f} {r['get'][0]:>9.3f}")
        c, full, normal = rows["coordtui"], rows["sqlite FULL"], rows["sqlite NORMAL"]
        print(f"{size:>8} {'ratio':<14} one save vs an SQLite insert (WAL, synchronous FULL): new {c['write'][0] / full['write'][0]:.1f}x,"
              f" edit {c['edit'][0] / full['edit'][0]:.1f}x (goal <=5x); vs NORMAL: new {c['write'][0] / normal['write'][0]:.1f}x,"
              f" edit {c['edit'][0] / normal['edit'][0]:.1f}x; quarter query {c['query'][0]:.2f} ms (goal <20 ms),"
              f" {c['query'][0] / full['query'][0]:.1f}x sqlite; first query after open {c['cold_query']:.1f} ms")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--store"]:
        bench_copy(Path(sys.argv[2]).expanduser().resolve())
    else:
        main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
