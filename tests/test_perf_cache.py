"""The disposable caches of issue 22: they save work, and never hide a change.

The verification cache (``cache/verified.json``) keeps what verifying each data file and its
history log found; a fresh process verifies only what changed since. These tests count the
files actually verified and prove that a change by another store object or process, a file
edited by hand, and a corrupt, forged or stale cache are all seen.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from coordtui.store import Store
from coordtui.store import seal as seal_module
from coordtui.store.seal import CACHE, VERIFIED


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    for month in ("2026-01", "2026-02", "2026-03"):
        s.put("o1", "act", f"a-{month}", {"d": 1}, part=month)
    return s


@pytest.fixture
def verified(monkeypatch):
    """The data files verified from now on (relative paths)."""
    seen: list[str] = []
    real = seal_module.Seal.verify_file

    def counting(self, path, *args, **kwargs):
        seen.append(self.rel(path))
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(seal_module.Seal, "verify_file", counting)
    return seen


def test_a_fresh_process_verifies_only_what_changed(store, verified):
    assert store.verify_history() == []
    everything = sorted(verified)
    assert "data/o1/2026-02.json" in everything and "orgs.json" in everything
    verified.clear()
    assert Store(store.root).verify_history() == [] and verified == []  # nothing changed: nothing verified
    Store(store.root, user="bob").put("o1", "act", "a-2026-02", {"d": 2}, part="2026-02")
    assert Store(store.root).verify_history() == []
    assert verified == ["data/o1/2026-02.json"]


def test_another_process_writing_is_seen(store, verified):
    assert store.verify_history() == []
    code = ("import sys; from coordtui.store import Store; "
            "Store(sys.argv[1], user='bob').put('o1', 'act', 'new', {'d': 1}, part='2026-04')")
    subprocess.run([sys.executable, "-c", code, str(store.root)], check=True, timeout=60)
    verified.clear()
    assert Store(store.root).verify_history() == []
    assert verified == ["data/o1/2026-04.json"]


def test_a_file_changed_by_hand_is_verified_again_and_reported(store, verified):
    assert store.verify_history() == []
    path = store.root / "data" / "o1" / "2026-01.json"
    raw = path.read_bytes()
    st = os.stat(path)
    path.write_bytes(raw.replace(b'"d":1', b'"d":7'))  # same size, and the old mtime put back
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    verified.clear()
    problems = Store(store.root).verify_history()
    assert verified == ["data/o1/2026-01.json"]
    assert any("2026-01.json" in p and "changed outside coordtui" in p for p in problems)
    # A failed verification is kept as it is: reported again, never turned into a pass.
    assert Store(store.root).verify_history() == problems


def test_a_log_cut_by_hand_is_seen(store):
    store.put("o1", "act", "a-2026-01", {"d": 2}, part="2026-01")
    assert store.verify_history() == []
    log = store.root / "data" / "o1" / "2026-01.history.jsonl"
    log.write_bytes(log.read_bytes().splitlines(keepends=True)[0])
    assert any("were cut off" in p for p in Store(store.root).verify_history())


@pytest.mark.parametrize("damage", ["garbage", "forged", "truncated", "empty"])
def test_a_corrupt_or_forged_cache_is_ignored_and_rebuilt(store, verified, damage):
    assert store.verify_history() == []
    cache = store.root / CACHE / VERIFIED
    good = cache.read_bytes()
    # Tamper with a data file first, so a trusted bad cache would hide it.
    path = store.root / "data" / "o1" / "2026-03.json"
    path.write_bytes(path.read_bytes().replace(b'"d":1', b'"d":5'))
    mac, _, payload = good.partition(b"\n")
    files = json.loads(payload)
    files["data/o1/2026-03.json"][0] = seal_module.file_state(path)  # claims the new state verified clean
    cache.write_bytes({"garbage": b"\x00not json", "forged": mac + b"\n" + json.dumps(files).encode(),
                       "truncated": good[: len(good) // 2], "empty": b""}[damage])
    verified.clear()
    problems = Store(store.root).verify_history()
    assert any("2026-03.json" in p and "changed outside coordtui" in p for p in problems)
    assert len(verified) == len(files)  # the cache was not used: everything was verified
    verified.clear()
    assert Store(store.root).verify_history() == problems and verified == []  # and it was rebuilt


def test_without_the_key_nothing_is_cached_or_trusted(store, verified, monkeypatch):
    assert store.verify_history() == []
    monkeypatch.setenv("XDG_CONFIG_HOME", str(store.root.parent / "elsewhere"))  # this account has no key now
    verified.clear()
    problems = Store(store.root).verify_history()
    assert problems and "seals were not checked" in problems[0]
    assert len(verified) > 3


def test_the_cache_has_the_store_s_modes(store):
    assert store.verify_history() == []
    folder = store.root / CACHE
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / VERIFIED).st_mode) == 0o600
    assert not list(folder.glob("*.coordtui-tmp"))


def test_a_cache_that_cannot_be_written_changes_nothing(store, verified):
    (store.root / CACHE).mkdir()
    (store.root / CACHE / VERIFIED).mkdir()  # a folder where the file goes: the rename fails
    assert store.verify_history() == []
    assert Store(store.root).verify_history() == [] and len(verified) > 3  # verified each time, never wrong


def test_check_result_sorts_as_severity_rank_says():
    from datetime import date

    from coordtui.domain.records import Finding, Severity
    from coordtui.rules.engine import CheckResult

    findings = [Finding(rule=f"m.r{i % 3}", severity=sev, org=f"o{i % 2}", subject=f"s{i % 5}", period=[None, "2026Q1"][i % 2],
                        message="中", message_en="en", subject_id=[None, f"id{i % 4}"][i % 3 == 0])
                for i, sev in enumerate([Severity.INFO, Severity.ERROR, Severity.WARNING] * 7)]
    result = CheckResult(date(2026, 10, 15), list(reversed(findings)))
    result.sort()
    assert result.findings == sorted(reversed(findings), key=lambda f: (f.severity.rank, f.org, f.rule, f.period or "", f.subject_id or f.subject))
    assert [f.severity for f in result.findings[:7]] == [Severity.ERROR] * 7


# the History screen's pages ---------------------------------------------------------------

@pytest.fixture
def ticking(monkeypatch):
    """Every change one second after the one before, so that the order of the history is total."""
    import coordtui.store.store as store_module

    seconds = iter(range(10_000))
    monkeypatch.setattr(store_module, "_now", lambda: f"2026-03-01T08:{next(seconds) // 60:02d}:{next(seconds) % 60:02d}Z")


def order(entries):
    """The history's order (by instant, then seq: entries of two logs may tie)."""
    return [(e["at"], e["seq"]) for e in entries]


def same(a, b):
    return sorted(e["hash"] for e in a) == sorted(e["hash"] for e in b)


def test_pages_are_the_history_newest_first_reading_only_the_logs_needed(tmp_path, ticking):
    from coordtui.store.store import HistoryPager

    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    for i in range(24):  # each month's records saved twice: two entries per record in its log
        s.put("o1", "act", f"a{i % 12}", {"d": i}, part=f"2025-{i % 6 + 1:02d}")
    s.put("o1", "act", "a5", {"d": 1}, part="2025-03")  # moved: a move-out entry in 2025-06 too
    s.put("o1", "act", "late", {"d": 1}, part="2025-01")
    everything = s.history()
    pager = HistoryPager(Store(tmp_path / "s"))
    assert pager.refresh() == []
    reads = []
    real = pager.store._log
    pager.store._log = lambda path: reads.append(path.name) or real(path)
    first = pager.more(2)
    assert order(first) == order(everything[:2]) and reads == ["2025-01.json", "2025-06.json", "2025-03.json"]  # only the logs that hold them
    pages = first
    while page := pager.more(5):
        pages.extend(page)
    assert order(pages) == order(everything) and same(pages, everything) and pager.more(5) == []
    assert sorted(reads) == sorted({p.name for p in s._history_files(None)} - {"people.json"})  # each log read once
    # Another store saves: a refresh puts its change first and reads that one log again.
    Store(tmp_path / "s", user="bob").put("o1", "act", "a1", {"d": 99}, part="2025-02")
    reads.clear()
    assert pager.refresh() == []
    newest = pager.more(1)
    assert newest[0]["user"] == "bob" and newest[0]["after"]["d"] == 99
    pages = newest
    while page := pager.more(7):
        pages.extend(page)
    assert order(pages) == order(s.history()) and same(pages, s.history()) and reads == ["2025-02.json"]


def test_pages_report_a_tampered_log(tmp_path, ticking):
    from coordtui.store.store import HistoryPager

    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    s.put("o1", "act", "a1", {"d": 1}, part="2025-01")
    s.put("o1", "act", "a1", {"d": 2}, part="2025-01")
    pager = HistoryPager(s)
    assert pager.refresh() == []
    log = s.root / "data" / "o1" / "2025-01.history.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0].replace(b'"d":1', b'"d":5') + lines[1])
    assert any("2025-01.history.jsonl" in p for p in pager.refresh())


def test_the_history_screen_shows_the_newest_page_and_loads_more_on_a_key(mini_ws, monkeypatch):
    import asyncio
    from datetime import date

    from coordtui.app import CoordApp
    from coordtui.screens import history

    monkeypatch.setattr(history, "LIMIT", 5)
    ws = mini_ws
    for n in range(8):  # twelve changes in all
        ws.store.put("m1", "team", "t1", ws.store.get("m1", "team", "t1") | {"name": f"第{n}组"})
    total = len(ws.history())
    assert total > 10

    async def main():
        app = CoordApp(ws, lang="en", as_of=date(2026, 10, 15))
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("h")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            table = screen.query_one("#history")
            assert isinstance(screen, history.HistoryScreen) and table.row_count == 5 and not screen.complete
            await pilot.press("right_square_bracket")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert table.row_count == 10 and len(screen.entries) == 10
            assert order(screen.entries) == order(ws.history()[:10])

    asyncio.run(main())


def test_a_quick_start_pages_the_newest_entries_from_the_index_before_anything_is_verified(tmp_path, ticking, monkeypatch):
    """The History screen's first page at once (issue 22): a refresh keeps an index of the logs
    holding the newest entries; a quick start reads only those and the logs commits changed since
    (named by the manifest's lines appended since), and hands out entries only as far as the index
    reaches. What it hands out is the history's newest entries, in order, as a refresh would."""
    from coordtui.store.store import HistoryPager, NewestLogs

    monkeypatch.setattr(HistoryPager, "NEWEST", 3)
    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    for i in range(12):  # twelve month logs, the newest change in 2025-12's
        s.put("o1", "act", f"a{i}", {"d": i}, part=f"2025-{i + 1:02d}")
    assert not HistoryPager(Store(s.root)).quick()  # no index yet: refresh is the way in
    HistoryPager(Store(s.root)).refresh()
    Store(s.root, user="bob").put("o1", "act", "a0", {"d": 99}, part="2025-01")  # an old month, after the index
    pager = HistoryPager(Store(s.root))
    reads = []
    real = pager.store._log
    pager.store._log = lambda path: reads.append(path.name) or real(path)
    assert pager.quick()
    quick = []
    while page := pager.more(2):
        quick.extend(page)
    everything = s.history()
    assert quick[0]["user"] == "bob" and order(quick) == order(everything[:len(quick)])
    assert len(quick) == 4  # bob's change and the newest three logs' entries: the others may hold nothing newer
    assert sorted(reads) == ["2025-01.json", "2025-10.json", "2025-11.json", "2025-12.json"]
    assert pager.refresh() == []  # then verified, and paged from the start over every log
    pages = []
    while page := pager.more(5):
        pages.extend(page)
    assert order(pages) == order(everything) and same(pages, everything)


@pytest.mark.parametrize("how", ["another store's index", "garbage", "manifest written whole", "manifest shorter"])
def test_a_quick_start_trusts_no_index_that_is_not_this_manifest_s(tmp_path, ticking, how):
    from coordtui.store import seal as seal_module
    from coordtui.store.store import HistoryPager

    s = Store(tmp_path / "s", create=True, user="alice")
    s.put_org({"id": "o1", "name": "Org", "model": "m"})
    for i in range(3):
        s.put("o1", "act", f"a{i}", {"d": i}, part=f"2025-{i + 1:02d}")
    HistoryPager(Store(s.root)).refresh()
    index = s.root / "cache" / "history" / "newest.json"
    assert HistoryPager(Store(s.root)).quick()
    if how == "another store's index":
        other = Store(tmp_path / "t", create=True, user="alice")
        other.put_org({"id": "o1", "name": "Org", "model": "m"})
        HistoryPager(other).refresh()
        index.write_bytes((other.root / "cache" / "history" / "newest.json").read_bytes())
    elif how == "garbage":
        index.write_bytes(index.read_bytes()[:-3] + b"xyz")
    elif how == "manifest written whole":
        manifest = s.root / seal_module.MANIFEST  # (its first line is another: what writing it whole does)
        first, _, rest = manifest.read_bytes().partition(b"\n")
        manifest.write_bytes(first.replace(b'"files":', b'"files": ', 1) + b"\n" + rest)
    else:
        manifest = s.root / seal_module.MANIFEST
        first, _, rest = manifest.read_bytes().partition(b"\n")
        assert rest.strip()  # (the saves appended lines: the index was kept for them)
        manifest.write_bytes(first + b"\n")
    assert not HistoryPager(Store(s.root)).quick()


def test_the_history_screen_shows_the_first_page_while_it_verifies_then_what_verifying_found(mini_ws, monkeypatch):
    """A quick first page (from the index a refresh kept), said to be under verification; then the
    verified page, with the break verifying found in a log edited by hand."""
    import asyncio
    import threading
    from datetime import date

    from textual.widgets import Static

    from coordtui.app import CoordApp
    from coordtui.screens import history
    from coordtui.store.seal import VerifiedCache
    from coordtui.store.store import HistoryPager

    ws = mini_ws
    for n in range(3):
        ws.store.put("m1", "team", "t1", ws.store.get("m1", "team", "t1") | {"name": f"第{n}组"})
    HistoryPager(ws.store).refresh()  # (the index of the newest logs, as an earlier History screen left it)
    log = next(p for p in ws.store._history_files(None) if p.name != "people.json")
    path = log.with_name(log.name[:-len(".json")] + ".history.jsonl")
    path.write_bytes(path.read_bytes().replace(b'"_rev":1', b'"_rev":7', 1))  # edited by hand: a break
    release = threading.Event()
    real = VerifiedCache.refresh

    def held(self, *args, **kwargs):
        assert release.wait(30), "the test did not release the verification"
        return real(self, *args, **kwargs)

    monkeypatch.setattr(VerifiedCache, "refresh", held)

    async def main():
        app = CoordApp(ws, lang="en", as_of=date(2026, 10, 15))
        async with app.run_test(size=(100, 24)) as pilot:
            await app.workers.wait_for_complete()
            release.clear()  # (the check's own verification ran before: hold the screen's)
            await pilot.press("h")
            screen = app.screen
            assert isinstance(screen, history.HistoryScreen)
            table = screen.query_one("#history")
            for _ in range(200):
                await pilot.pause(0.05)
                if table.row_count:
                    break
            title = str(screen.query_one("#history-title", Static).content)
            assert table.row_count and screen.verifying and "verifying" in title and "⚠" not in title
            quick = list(screen.entries)
            release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            title = str(screen.query_one("#history-title", Static).content)
            assert not screen.verifying and "⚠" in title and "verifying" not in title
            assert order(screen.entries[:len(quick)]) == order(quick)

    release.set()  # (the application's first check verifies nothing here; set in case it does)
    asyncio.run(main())
