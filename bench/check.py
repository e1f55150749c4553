"""Opening the store, checking one organization and everything, the application's first screen,
and peak memory, as the store grows; beside stock TinyDB and SQLite reading the same records.

For each size a realistic store is generated (bench/generate.py), then copied record for record
into one stock TinyDB file (JSONStorage) and one SQLite table (JSON text per record). Each engine
runs in a fresh interpreter so that its peak memory is its own:

- coordtui: open the store and list its organizations; ``check`` one organization; ``check``
  everything (cold: every record read and validated, every rule run); everything again with
  nothing changed; everything after one record of one organization was saved; then the
  application, headless at 120x40, to its dashboard's first frame and to the check's results.
- TinyDB and SQLite do only the reading the check needs (no rules exist for them): open, the
  records of one organization, every record. Their columns are what reading alone costs.

Peak memory is the process's own high-water mark (VmHWM: ru_maxrss would carry over the
parent's across fork and exec). Usage: python bench/check.py [N ...]   (default 1000 10000 100000)
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

COORDTUI = r"""
import sys, time
from datetime import date
t0 = time.perf_counter()
from coordtui.workspace import Workspace
ws = Workspace.open(sys.argv[1])
orgs = ws.orgs()
opened = time.perf_counter() - t0
as_of = date(2026, 10, 15)
t0 = time.perf_counter(); ws.check(as_of, [orgs[0].id]); one = time.perf_counter() - t0
t0 = time.perf_counter(); result = ws.check(as_of); everything = time.perf_counter() - t0
t0 = time.perf_counter(); ws.check(as_of); again = time.perf_counter() - t0
org = orgs[len(orgs) // 2]
model = ws.model_of(org)
kind = model.structure_kinds[-1]
record = ws.records(org, kind)[0]
ws.save(org.id, record, rev=None)
t0 = time.perf_counter(); ws.check(as_of); after_write = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # this process only
print(opened, one, everything, again, after_write, peak)
"""

APP = r"""
import sys, time
t0 = time.perf_counter()
from coordtui.app import CoordApp
from coordtui.workspace import Workspace
marks = {}
class Timed(CoordApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(lambda: marks.setdefault("frame", time.perf_counter() - t0))
    def _checked(self, result):
        super()._checked(result)
        marks["checked"] = time.perf_counter() - t0
        self.call_after_refresh(self.exit)
from datetime import date
Timed(Workspace.open(sys.argv[1]), as_of=date(2026, 10, 15)).run(headless=True, size=(120, 40))
print(marks["frame"], marks["checked"])
"""

TINYDB = r"""
import sys, time
t0 = time.perf_counter()
from tinydb import Query, TinyDB
db = TinyDB(sys.argv[1])
orgs = {d["org"] for d in db.all()}
opened = time.perf_counter() - t0
t0 = time.perf_counter(); db.search(Query().org == sys.argv[2]); one = time.perf_counter() - t0
t0 = time.perf_counter(); len(db.all()); everything = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # this process only
print(opened, one, everything, peak)
"""

SQLITE = r"""
import json, sqlite3, sys, time
t0 = time.perf_counter()
con = sqlite3.connect(sys.argv[1])
orgs = [r[0] for r in con.execute("select distinct org from rec")]
opened = time.perf_counter() - t0
t0 = time.perf_counter(); [json.loads(r[0]) for r in con.execute("select doc from rec where org = ?", (sys.argv[2],))]; one = time.perf_counter() - t0
t0 = time.perf_counter(); len([json.loads(r[0]) for r in con.execute("select doc from rec")]); everything = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # this process only
print(opened, one, everything, peak)
"""


def run(code: str, *args: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def copies(store_path: Path, folder: Path) -> tuple[Path, Path, str, int]:
    """The store's records as one stock TinyDB file and one SQLite table; the first organization."""
    from tinydb import TinyDB

    from coordtui.store import Store

    store = Store(store_path)
    docs = []
    orgs = sorted(o["id"] for o in store.orgs())
    for org in orgs:
        for kind in store.kinds(org):
            docs.extend({"org": org, "kind": kind, **d} for d in store.query(org, kind))
    tiny = folder / "tinydb.json"
    TinyDB(tiny).insert_multiple(docs)
    lite = folder / "sqlite.db"
    con = sqlite3.connect(lite)
    con.execute("create table rec (org text, kind text, id text, doc text, primary key (org, kind, id))")
    con.executemany("insert into rec values (?, ?, ?, ?)", ((d["org"], d["kind"], d["id"], json.dumps(d, ensure_ascii=False)) for d in docs))
    con.execute("create index rec_org on rec (org)")
    con.commit()
    con.close()
    return tiny, lite, orgs[0], len(docs)


def main(sizes: list[int]) -> None:
    head = f"{'records':>8} {'engine':<9} {'orgs':>5} {'open s':>7} {'1 org s':>8} {'all s':>7} {'again s':>8} {'1 saved s':>10} {'peak MB':>8}"
    print(head + f" {'app frame s':>12} {'app checked s':>14}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            store = tmp / "store"
            subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), str(store), str(size)], check=True, capture_output=True)
            tiny, lite, first_org, count = copies(store, tmp)
            c_open, c_one, c_all, c_again, c_saved, c_peak = run(COORDTUI, str(store))
            frame, checked = run(APP, str(store))
            t_open, t_one, t_all, t_peak = run(TINYDB, str(tiny), first_org)
            s_open, s_one, s_all, s_peak = run(SQLITE, str(lite), first_org)
            orgs = sum(1 for _ in (store / "data").iterdir())
        print(f"{count:>8} {'coordtui':<9} {orgs:>5} {c_open:>7.2f} {c_one:>8.2f} {c_all:>7.2f} {c_again:>8.2f} {c_saved:>10.2f} {c_peak:>8.0f}"
              f" {frame:>12.2f} {checked:>14.2f}")
        print(f"{count:>8} {'tinydb':<9} {'':>5} {t_open:>7.2f} {t_one:>8.2f} {t_all:>7.2f} {'':>8} {'':>10} {t_peak:>8.0f}")
        print(f"{count:>8} {'sqlite':<9} {'':>5} {s_open:>7.2f} {s_one:>8.2f} {s_all:>7.2f} {'':>8} {'':>10} {s_peak:>8.0f}")
        print(f"{count:>8} {'ratio':<9} coordtui (with every rule) / reading alone: all {c_all / t_all:.1f}x tinydb, {c_all / s_all:.1f}x sqlite;"
              f" 1 org {c_one / t_one:.1f}x tinydb, {c_one / s_one:.1f}x sqlite; peak {c_peak / t_peak:.1f}x tinydb, {c_peak / s_peak:.1f}x sqlite")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
