"""The dashboard's first frame from the last run's sealed snapshot (coordtui.snapshot; issue 22):
used only under a matching key, never over another process's change or a forged file, drawn
before any plugin is imported, and replaced by the real check, broken plugins still reported."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from coordtui import snapshot
from coordtui.access.actor import resolve_actor
from coordtui.app import CoordApp
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = date(2026, 10, 15)
PLUGINS = ["four_duties", "county_zones", "university_grid", "enterprise_tiers", "dispatched_linkage"]


#: What a finding shows (a start from the snapshot shows them as plain objects: snapshot.ShownFinding).
FINDING_FIELDS = [f.name for f in dataclasses.fields(snapshot.ShownFinding)]


async def until_checked(app, pilot, done) -> None:
    """Wait (10 s at most) until ``done()`` holds and no check is running, then for the app's workers."""
    for _ in range(500):
        if done() and not app._checking:
            break
        await pilot.pause(0.02)
    await app.workers.wait_for_complete()
    await pilot.pause()


def _lines(result, org_id):
    duties = sorted((r.rule, r.duty.subject, r.duty.due, r.status, r.duty.what_zh) for r in result.duties if r.org == org_id)
    return duties, [tuple(getattr(f, n) for n in FINDING_FIELDS) for f in result.findings if f.org == org_id]


class Recorded(CoordApp):
    """Keeps what its first ``_checked`` showed, and whether it came from the snapshot."""

    first = None
    #: The organizations (ids, and their classes) the first frame listed.
    first_orgs = None

    def _checked(self, result):
        super()._checked(result)
        if self.first is None:
            self.first = (self._snapshot_tag is not None, _lines(result, self.org_id), set(self.pending))
            self.first_orgs = ([o.id for o in self.orgs], {type(o).__name__ for o in self.orgs})


def start(store: Path, *, as_of=AS_OF, org_id="tjpu", plugin_dirs=(), lang="zh", person=None):
    """One start of the application on ``store`` up to its complete check: (whether the first
    results came from the snapshot, those results, the complete check's, the notices)."""
    actor = resolve_actor(Store(store), person) if person else None  # None: the account's own (its owner)
    ws = Workspace(Store(store, user="alice"), PluginHost(plugin_dirs=plugin_dirs), actor=actor)

    async def main():
        app = Recorded(ws, lang=lang, as_of=as_of, org_id=org_id)
        async with app.run_test(size=(100, 30)) as pilot:
            await until_checked(app, pilot, lambda: app.check_complete)
            assert app.check_complete
            start.orgs = (app.first_orgs, [o.id for o in app.orgs], {type(o).__name__ for o in app.orgs})
            return app.first, _lines(app.result, org_id), [n.message for n in app._notifications], app._snapshot_tag

    return asyncio.run(main())


def kept_start(store: Path, **kw):
    """Start until a start is served from the snapshot (the first start may change the store:
    it enrols its owner; then nothing is kept)."""
    for _ in range(3):
        got = start(store, **kw)
        if got[0][0]:
            return got
    raise AssertionError("no start was served from the snapshot")


def test_a_start_under_the_key_kept_shows_what_the_check_finds_and_the_real_check_replaces_it(example_store):
    first = start(example_store)
    assert not first[0][0]  # nothing kept yet: the ordinary way
    (used, shown, pending), complete, _, tag = kept_start(example_store)
    assert used and tag is None  # the real check's parts replaced it
    ws = Workspace(Store(example_store, user="alice"), PluginHost())
    real = ws.check(AS_OF, org_ids=["tjpu"])
    assert shown == _lines(real, "tjpu") == complete
    assert pending == {o.id for o in ws.orgs()} - {"tjpu"}  # the others still to check, as the real first part leaves them
    # Another date, another organization: another key, the ordinary way.
    assert not start(example_store, as_of=date(2026, 10, 16))[0][0]
    assert not start(example_store, org_id="usst")[0][0]


def test_another_persons_snapshot_is_not_theirs_to_see(example_store):
    start(example_store)  # enrols the owner
    Store(example_store, user="alice").put_person({"name": "bob", "grants": [{"org": "tjpu", "role": "reader"}]})
    kept_start(example_store)  # the owner's first results of tjpu are kept
    (used, shown, _), complete, _, _ = start(example_store, person="bob")
    assert not used  # bob sees tjpu too, but not through the owner's slot
    assert shown == complete
    (used, _, _), _, _, _ = kept_start(example_store, person="bob")
    assert used  # his own, kept under his name and grants
    (used, _, _), _, _, _ = start(example_store)
    assert used  # and the owner's is still theirs


def test_a_change_by_another_process_makes_the_application_start_the_ordinary_way(example_store):
    kept_start(example_store)
    program = """
import sys
from coordtui.workspace import Workspace
ws = Workspace.open(sys.argv[1])
row = ws.rows("tjpu", "activity")[0]
ws.delete("tjpu", "activity", row["id"], rev=row["_rev"])
"""
    proc = subprocess.run([sys.executable, "-c", program, str(example_store)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    (used, shown, _), complete, _, _ = start(example_store)
    assert not used
    real = Workspace(Store(example_store, user="alice"), PluginHost()).check(AS_OF, org_ids=["tjpu"])
    assert shown == _lines(real, "tjpu") == complete


def test_a_first_start_keeps_its_snapshot_only_when_nothing_changed_while_it_checked(example_store, monkeypatch):
    """The first start of a day (its slot holds nothing) takes no key before its first frame: the
    snapshot is kept under the key taken after the check, of a store none of whose files changed
    since the start began, and whose folder lost none of its names."""
    import os
    import time

    from coordtui.check_output import SETTLE_NS

    start(example_store)  # enrols the owner (the store changes: nothing kept)
    for meanwhile, kept in (("a file of the store's folder removed", False), ("a record file changed", False), ("nothing", True)):
        day = date(2026, 10, {"nothing": 20, "a record file changed": 19}.get(meanwhile, 18))
        (example_store / "notes.txt").write_text("the office's own file")
        time.sleep(3 * SETTLE_NS / 1e9)  # (a file changed within the margin before a start keeps nothing)
        real = snapshot.keep

        def during(*args, **kwargs):
            if meanwhile == "a file of the store's folder removed":
                (example_store / "notes.txt").unlink()
            elif meanwhile == "a record file changed":
                os.chmod(next((example_store / "data").rglob("*.json")), 0o600)  # (its ctime now)
            return real(*args, **kwargs)

        with monkeypatch.context() as patched:
            patched.setattr(snapshot, "keep", during)
            assert not start(example_store, as_of=day)[0][0]
        assert start(example_store, as_of=day)[0][0] is kept, meanwhile


def test_a_store_too_large_for_its_snapshot_to_pay_starts_without_one(example_store, monkeypatch):
    """Past the manifest's size where the key (a look at every file) costs more than the start
    it saves, no snapshot is read or kept: each start is the ordinary one, its results the same."""
    with monkeypatch.context() as patched:
        patched.setattr(snapshot, "MAX_MANIFEST_BYTES", 0)
        first = start(example_store)
        (used, shown, _), complete, _, tag = start(example_store)
    assert not first[0][0] and not used and tag is None and shown == complete == first[1]
    folder = example_store / "cache" / "output"
    assert not folder.exists() or not list(folder.iterdir())  # (no slot: nothing was kept)
    assert kept_start(example_store)[0][0]  # (below it, as ever)


def _slot_body(store: Path) -> Path:
    ws = Workspace(Store(store, user="alice"), PluginHost())
    found = snapshot.key(ws, AS_OF, "tjpu")
    assert found is not None and snapshot.load(ws, found) is not None
    return store / "cache" / "output" / f"{found[0]}.out"


def test_a_forged_snapshot_is_ignored(example_store):
    for forge in ("body", "header"):
        kept_start(example_store)
        body = _slot_body(example_store)
        if forge == "body":  # a colleague's version of what is due, in the kept file
            data = json.loads(body.read_bytes())
            data["duties"] = data["duties"][:1]
            body.write_bytes(json.dumps(data).encode())
        else:  # a header not sealed with the store's key
            head = body.with_suffix(".json")
            mac, _, payload = head.read_bytes().partition(b"\n")
            head.write_bytes(b"0" * len(mac) + b"\n" + payload)
        (used, shown, _), complete, _, _ = start(example_store)
        assert not used and shown == complete and len(shown[0]) > 1


def test_without_the_store_key_nothing_is_kept_or_read(example_store, monkeypatch):
    from coordtui.store.outcache import OutputCache

    monkeypatch.setattr(OutputCache, "usable", property(lambda self: False))
    monkeypatch.setattr(OutputCache, "writer", lambda self, slot: None)
    for _ in range(2):
        assert not start(example_store)[0][0]


BROKEN = "raise ImportError('this plugin is broken on purpose')\n"


def test_a_broken_plugin_is_still_reported_when_the_first_frame_comes_from_the_snapshot(example_store, tmp_path):
    folder = tmp_path / "dropins"
    (folder / "broken_model").mkdir(parents=True)
    (folder / "broken_model" / "__init__.py").write_text(BROKEN)
    start(example_store, plugin_dirs=[folder], lang="en")
    (used, _, _), _, notices, _ = kept_start(example_store, plugin_dirs=[folder], lang="en")
    assert used
    assert any("broken_model" in n and "broken on purpose" in n for n in notices), notices
    # Without the folder it is another key (the plugins differ): the ordinary way.
    assert not start(example_store)[0][0]


def test_when_the_real_check_fails_after_the_snapshot_its_results_are_not_left_on_screen(example_store, monkeypatch):
    from coordtui.errors import StoreError

    kept_start(example_store)

    def failing(self, as_of, org_ids=None, *, progress=None):
        raise StoreError("orgs.json: unreadable (a test's)")

    monkeypatch.setattr(Workspace, "check", failing)
    ws = Workspace(Store(example_store, user="alice"), PluginHost())

    async def main():
        app = Recorded(ws, lang="en", as_of=AS_OF, org_id="tjpu")
        async with app.run_test(size=(100, 30)) as pilot:
            await until_checked(app, pilot, lambda: app.first is not None and app._snapshot_tag is None)
            assert app.first[0] and app.first[1][0]  # the snapshot was shown first
            assert app.result is None and app._snapshot_tag is None
            assert "unreadable (a test's)" in str(app.screen.query_one("#error-message").render())

    asyncio.run(main())


def test_the_plain_objects_of_a_start_from_the_snapshot_have_the_fields_of_the_models():
    from coordtui.domain.model import Organization
    from coordtui.domain.records import Finding

    assert FINDING_FIELDS == list(Finding.model_fields)
    assert [f.name for f in dataclasses.fields(snapshot.ShownOrganization)] == list(Organization.model_fields)


class Loaded(Recorded):
    """Keeps what the application holds once the plugins are loaded, before the real check's parts."""

    loaded = None

    def _plugins_loaded(self, orgs, full, error):
        super()._plugins_loaded(orgs, full, error)
        self.loaded = ({type(o).__name__ for o in self.orgs}, {type(f).__name__ for f in self._result.findings},
                       _lines(self._result, self.org_id))


def test_once_the_plugins_are_loaded_the_snapshots_plain_objects_give_way_to_the_workspaces(example_store):
    kept_start(example_store)
    ws = Workspace(Store(example_store, user="alice"), PluginHost())

    async def main():
        app = Loaded(ws, lang="zh", as_of=AS_OF, org_id="tjpu")
        async with app.run_test(size=(100, 30)) as pilot:
            await until_checked(app, pilot, lambda: app.check_complete)
            return app.first, app.first_orgs, app.loaded, [o.id for o in app.orgs]

    (used, shown, _), (first_ids, first_types), (types, finding_types, lines), ids = asyncio.run(main())
    assert used and first_types == {"ShownOrganization"}
    assert first_ids == ids == [o.id for o in ws.orgs()]
    assert types == {"Organization"} and finding_types <= {"Finding"} and lines == shown  # the same values, the real objects


def test_a_persons_first_frame_from_their_snapshot_lists_only_their_organizations(example_store):
    start(example_store)  # enrols the owner
    Store(example_store, user="alice").put_person({"name": "bob", "grants": [{"org": "tjpu", "role": "reader"}]})
    kept_start(example_store)
    (used, _, _), _, _, _ = kept_start(example_store, person="bob")
    assert used
    (first_ids, first_types), ids, _ = start.orgs
    assert first_ids == ids == ["tjpu"] and first_types == {"ShownOrganization"}
    # A grant changed: people.json is another, so is the key; the ordinary way, with what he sees now.
    Store(example_store, user="alice").put_person({"name": "bob", "grants": [{"org": "tjpu", "role": "reader"},
                                                                            {"org": "usst", "role": "reader"}]})
    (used, shown, _), complete, _, _ = start(example_store, person="bob")
    assert not used and shown == complete
    assert start.orgs[1] == ["tjpu", "usst"]


def test_the_plugin_hosts_configuration_names_what_decides_its_plugins_and_keys_the_snapshot(example_store, tmp_path, monkeypatch):
    monkeypatch.setenv("COORDTUI_PLUGIN_PATH", str(tmp_path / "env"))
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "a")
    host = PluginHost(plugin_dirs=[tmp_path / "own"], disabled=["b"], autoload=True)
    assert host.config_identity() == {"plugin_dir": [str(tmp_path / "own")], "autoload": True, "disabled": ["b"]}
    assert not host.loaded and host._pm is None  # said without loading anything (nor making pluggy's manager)
    assert PluginHost(autoload=False).config_identity()["autoload"] is False
    assert PluginHost(modules=[("extra", object())]).config_identity() is None  # modules of the program: no key names them
    monkeypatch.delenv("COORDTUI_PLUGIN_PATH")
    monkeypatch.delenv("COORDTUI_DISABLE_PLUGINS")
    keys = [snapshot.key(Workspace(Store(example_store, user="alice"), h), AS_OF, "tjpu")
            for h in (PluginHost(), PluginHost(disabled=["four_duties"]), PluginHost(autoload=False))]
    assert None not in keys and len({k[0] for k in keys}) == 3  # each configuration its own slot
    assert snapshot.key(Workspace(Store(example_store, user="alice"), PluginHost(modules=[("extra", object())])), AS_OF, "tjpu") is None
