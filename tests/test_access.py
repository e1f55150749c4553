"""Roles and scopes (角色与范围), enforced in the workspace for every path: what a scoped person
sees on the dashboard and in an export, what they may not save, and what the history keeps.

Real stores holding the bundled examples, real people in people.json; no mocks.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest

from coordtui.access.actor import resolve_actor
from coordtui.access.people import Grant, Person
from coordtui.api import Scope
from coordtui.errors import AccessError, InputError
from coordtui.exports import FORMATS, export
from coordtui.interchange import export_document, validate_document
from coordtui.plugins import PluginHost
from coordtui.store import Store, current_user
from coordtui.workspace import Workspace

AS_OF = date(2026, 12, 31)


@pytest.fixture(scope="module")
def host():
    return PluginHost().load()


@pytest.fixture
def admin(example_store, host):
    """The store's owner on a fresh copy of the examples (and of its seal key): administrator of everything."""
    return Workspace(Store(example_store), host)


def as_person(admin: Workspace, name: str, display: str, *grants: Grant) -> Workspace:
    """Add a person and open the store as them (the owner naming a person, as ``shell NAME`` does)."""
    admin.save_person(Person(name=name, display=display, grants=list(grants)))
    store = Store(admin.store.root)
    return Workspace(store, admin.host, actor=resolve_actor(store, name))


# what each model's scoped person owns, worked out by hand from the examples -----------------

def _ids(ws, org, kind, test=lambda r: True):
    return {r.id for r in ws.records(org, kind) if test(r)}


def ug_owned(ws):  # 第二协作组 (its leader unit's secretary)
    units = _ids(ws, "tjpu", "unit", lambda u: u.group == "g2")
    owned = {("group", "g2")} | {("unit", u) for u in units}
    for kind in ("activity", "leader_term"):
        owned |= {(kind, i) for i in _ids(ws, "tjpu", kind, lambda r: r.group == "g2")}
    for kind in ("quarter_plan", "quarter_summary"):
        owned |= {(kind, i) for i in _ids(ws, "tjpu", kind, lambda r: r.group == "g2" or r.unit in units)}
    owned |= {("meeting", i) for i in _ids(ws, "tjpu", "meeting", lambda r: r.unit in units)}
    owned |= {("grid_link", i) for i in _ids(ws, "tjpu", "grid_link", lambda r: r.group == "g2")}
    return owned


def cz_owned(ws):  # 第一纪检监察室, the liaison office of 第一协作区
    zones = _ids(ws, "pingluo", "zone", lambda z: z.office == "office1")
    owned = {("office", "office1")} | {("zone", z) for z in zones}
    for kind in ("member_body", "supervisor", "department", "report"):
        owned |= {(kind, i) for i in _ids(ws, "pingluo", kind, lambda r: r.zone in zones)}
    owned |= {("liaison", i) for i in _ids(ws, "pingluo", "liaison", lambda r: r.office == "office1")}
    tasks = _ids(ws, "pingluo", "task", lambda t: bool(set(t.zones) & zones))
    owned |= {("task", t) for t in tasks}
    for kind in ("task_step", "team_member"):
        owned |= {(kind, i) for i in _ids(ws, "pingluo", kind, lambda r: r.task in tasks)}
    return owned


def et_owned(ws):  # 新升实业's committee: the subsidiary with its branches and inspectors
    branches = _ids(ws, "zikuang", "branch", lambda b: b.subsidiary == "xinsheng")
    inspectors = _ids(ws, "zikuang", "inspector", lambda i: i.branch in branches)
    owned = {("subsidiary", "xinsheng")} | {("branch", b) for b in branches} | {("inspector", i) for i in inspectors}
    for kind in ("plan", "unit_report", "ledger_entry"):
        owned |= {(kind, i) for i in _ids(ws, "zikuang", kind, lambda r: r.subsidiary == "xinsheng")}
    for kind in ("inspector_report", "commendation"):
        owned |= {(kind, i) for i in _ids(ws, "zikuang", kind, lambda r: r.inspector in inspectors)}
    owned |= {("special_check", i) for i in _ids(ws, "zikuang", "special_check", lambda r: "xinsheng" in r.subsidiaries)}
    return owned


def fd_owned(ws):  # 财务处, one department
    d = "dept15"
    owned = {("unit", d)}
    for kind in ("risk_point", "inspection", "report"):
        owned |= {(kind, i) for i in _ids(ws, "usst", kind, lambda r: r.unit == d)}
    owned |= {("list_item", i) for i in _ids(ws, "usst", "list_item", lambda r: r.unit == d and r.list_type != "问题清单")}
    owned |= {("agreement", i) for i in _ids(ws, "usst", "agreement", lambda r: r.lead == d or d in r.partners)}
    owned |= {("risk_area", i) for i in _ids(ws, "usst", "risk_area", lambda r: d in r.units)}
    return owned


def dl_owned(ws):  # 市属高校第二协作组, with cases
    groups = _ids(ws, "tianjin", "dispatched_group", lambda g: g.collab_group == "cg2")
    owned = {("collab_group", "cg2")} | {("dispatched_group", g) for g in groups}
    owned |= {("case", i) for i in _ids(ws, "tianjin", "case", lambda c: c.group in groups)}
    return owned


@dataclass
class Case:
    model: str
    org: str
    grant: Grant
    owned: Callable[[Workspace], set]
    shared: tuple[str, ...]  # kinds every person of the organization reads
    outside: tuple[str, Callable]  # a kind and a test picking a record outside the scope
    outside_label: str  # the subject the refusal names
    inside: tuple[str, Callable]


CASES = [
    Case("university_grid", "tjpu", Grant(org="tjpu", role="editor", scope=["g2"]), ug_owned, ("grid_member",),
         ("activity", lambda r: r.group == "g3"), "第三协作组", ("activity", lambda r: r.group == "g2")),
    Case("county_zones", "pingluo", Grant(org="pingluo", role="editor", scope=["office1"]), cz_owned, (),
         ("task", lambda r: r.zones == ["z4"]), "第四协作区", ("report", lambda r: r.zone == "z1")),
    Case("enterprise_tiers", "zikuang", Grant(org="zikuang", role="editor", scope=["subsidiary:xinsheng"]), et_owned, ("directive", "document"),
         ("unit_report", lambda r: r.subsidiary == "demo-a"), "示例权属单位甲纪委", ("unit_report", lambda r: r.subsidiary == "xinsheng")),
    Case("four_duties", "usst", Grant(org="usst", role="editor", scope=["dept15"]), fd_owned, (),
         ("risk_point", lambda r: r.unit == "dept16"), "资产管理处", ("risk_point", lambda r: r.unit == "dept15")),
    Case("dispatched_linkage", "tianjin", Grant(org="tianjin", role="editor", scope=["cg2"], cases=True), dl_owned, (),
         ("case", lambda r: r.group == "dg01"), "驻天津医科大学纪检监察组", ("case", lambda r: r.group == "dg07")),
]
IDS = [c.model for c in CASES]


def _keys(result, org):
    findings = {(f.rule, f.subject_kind, f.subject_id, f.period, f.message) for f in result.findings
                if f.org == org and not f.rule.startswith("core.")}
    duties = {(d.rule, d.duty.subject_kind, d.duty.subject_id, str(d.duty.period), d.duty.due) for d in result.duties if d.org == org}
    return findings, duties


# every model declares its scopes ---------------------------------------------------------

def test_every_kind_of_every_built_in_model_declares_its_scope(host):
    builtin = {"university_grid", "county_zones", "enterprise_tiers", "four_duties", "dispatched_linkage"}
    assert builtin <= set(host.models)
    undeclared = [f"{m}.{cls.kind}" for m in sorted(builtin) for cls in host.models[m].kinds if cls.kind not in host.models[m].scopes]
    assert undeclared == []
    # and the sensitive kinds the domain names are marked so
    sensitive = {(m, k) for m in builtin for k, s in host.models[m].scopes.items() if s.sensitive}
    assert {("county_zones", "clue"), ("county_zones", "problem"), ("enterprise_tiers", "lead"),
            ("dispatched_linkage", "case"), ("four_duties", "list_item")} == sensitive


def test_a_model_whose_scope_names_a_kind_it_lacks_is_switched_off_at_load(tmp_path, host):
    (tmp_path / "scoped_wrong.py").write_text(
        "from typing import ClassVar\n"
        "from coordtui import hookimpl\n"
        "from coordtui.api import ModelSpec, Record, Scope\n"
        "class Thing(Record):\n    kind: ClassVar[str] = 'thing'\n"
        "@hookimpl\ndef coordtui_models():\n"
        "    return [ModelSpec(id='sw', name_zh='x', name_en='x', version='1', kinds=[Thing], scopes={'unit': Scope(subject=True)})]\n")
    loaded = PluginHost(plugin_dirs=[tmp_path], autoload=False).load()
    assert loaded.plugins["scoped_wrong"].status == "failed"
    assert "scopes name kind 'unit', which the model does not have" in loaded.plugins["scoped_wrong"].cause
    assert "sw" not in loaded.models


# a scoped editor, for each model ---------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_scoped_editor_sees_on_the_dashboard_only_their_subjects(admin, case):
    editor = as_person(admin, "tester", "测试员", case.grant)
    owned = case.owned(admin)
    everything = admin.check(AS_OF, [case.org])
    theirs = editor.check(AS_OF, [case.org])
    all_findings, all_duties = _keys(everything, case.org)
    findings, duties = _keys(theirs, case.org)
    assert findings == {f for f in all_findings if (f[1], f[2]) in owned}
    assert duties == {d for d in all_duties if (d[1], d[2]) in owned}
    assert findings | duties, "the scoped person has something on their dashboard"
    assert len(all_findings) + len(all_duties) > len(findings) + len(duties), "and the administrator sees more"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_scoped_editors_export_holds_only_what_they_may_see(admin, case):
    editor = as_person(admin, "tester", "测试员", case.grant)
    visible = case.owned(admin) | {(k, r.id) for k in case.shared for r in admin.records(case.org, k)}
    items = {(i["kind"], i["id"]) for i in export_document(editor, case.org)["items"]}
    assert items == visible
    assert len(export_document(admin, case.org)["items"]) > len(items)
    kind = case.outside[0]
    for fmt in FORMATS:
        mine = _text(export(editor, case.org, fmt, as_of=AS_OF, kind=kind), fmt)
        assert case.outside_label not in mine, f"{fmt} names {case.outside_label}, outside the scope"
    for fmt in ("xlsx", "json", "csv"):
        assert case.outside_label in _text(export(admin, case.org, fmt, as_of=AS_OF, kind=kind), fmt)


def _text(payload: bytes, fmt: str) -> str:
    if fmt in ("xlsx", "docx"):
        with zipfile.ZipFile(io.BytesIO(payload)) as z:
            # openpyxl writes Chinese as character references (&#31532;)
            return html.unescape("".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")))
    if fmt == "ics":
        from icalendar import Calendar

        return "\n".join(str(c.get("summary", "")) + str(c.get("description", "")) for c in Calendar.from_ical(payload).walk())
    return payload.decode("utf-8")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_saving_outside_the_scope_is_refused_nothing_written_the_refusal_kept(admin, case):
    editor = as_person(admin, "tester", "测试员", case.grant)
    kind, pick = case.outside
    record = next(r for r in admin.records(case.org, kind) if pick(r))
    stored, rev = admin.get(case.org, kind, record.id)
    changes_before = len(admin.history(org=case.org))
    with pytest.raises(AccessError) as refused:
        editor.save(case.org, record, rev=rev)
    assert refused.value.message == f"editor 测试员 may not change {case.outside_label}'s records (outside their scope): ask an administrator"
    assert refused.value.message_zh == f"编辑测试员无权修改{case.outside_label}的记录（不在其范围内）：请联系管理员"
    assert admin.get(case.org, kind, record.id) == (stored, rev)
    assert len(admin.history(org=case.org)) == changes_before
    kept = [e for e in admin.history() if e["op"] == "refused"]
    assert [(e["user"], e["org"], e["kind"], e["id"], e["message"]) for e in kept] == [
        ("tester", case.org, kind, record.id, refused.value.message)]
    assert admin.store.verify_history() == []  # the refusal is sealed and pinned like any change
    # the same person saves what is theirs, in their own name
    kind, pick = case.inside
    own = next(r for r in editor.records(case.org, kind) if pick(r))
    _, own_rev = editor.get(case.org, kind, own.id)
    assert editor.save(case.org, own, rev=own_rev) == own_rev + 1
    assert admin.history(org=case.org, kind=kind, record_id=own.id)[0]["user"] == "tester"


def test_an_editor_may_not_move_a_record_out_of_their_scope_or_change_the_structure(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="editor", scope=["g2"]))
    activity = next(r for r in editor.records("tjpu", "activity"))
    _, rev = editor.get("tjpu", "activity", activity.id)
    with pytest.raises(AccessError, match="may not change 第三协作组's records"):
        editor.save("tjpu", activity.model_copy(update={"group": "g3"}), rev=rev)
    unit = next(r for r in editor.records("tjpu", "unit"))
    with pytest.raises(AccessError) as refused:
        editor.save("tjpu", unit.model_copy(update={"name": "改名"}), rev=editor.get("tjpu", "unit", unit.id)[1])
    assert refused.value.message == f"editor 测试员 may not change 天津工业大学's structure (Member unit {unit.name}): ask an administrator"
    assert admin.get("tjpu", "unit", unit.id)[0].name == unit.name


def test_a_reader_may_not_save_at_all(admin):
    reader = as_person(admin, "liming", "李明", Grant(org="tjpu", role="reader", scope=["g2"]))
    activity = next(r for r in reader.records("tjpu", "activity"))
    _, rev = reader.get("tjpu", "activity", activity.id)
    with pytest.raises(AccessError) as refused:
        reader.save("tjpu", activity, rev=rev)
    assert refused.value.message == "reader 李明 may not change 第二协作组's records: ask an administrator"
    assert refused.value.message_zh == "只读人员李明无权修改第二协作组的记录：请联系管理员"
    with pytest.raises(AccessError, match="^reader 李明 may not change 第二协作组's records"):
        reader.delete("tjpu", "activity", activity.id, rev=rev)
    with pytest.raises(AccessError, match="^reader 李明 may not change"):
        reader.save_many("tjpu", [(activity, rev)])
    assert admin.get("tjpu", "activity", activity.id)[1] == rev
    assert [e["op"] for e in admin.history() if e["user"] == "liming"] == ["refused"] * 3


SENSITIVE = [("pingluo", "clue", lambda r: True), ("pingluo", "problem", lambda r: True), ("zikuang", "lead", lambda r: True),
             ("tianjin", "case", lambda r: True), ("usst", "list_item", lambda r: r.list_type == "问题清单")]


@pytest.mark.parametrize("org,kind,is_sensitive", SENSITIVE, ids=[f"{o}-{k}" for o, k, _ in SENSITIVE])
def test_sensitive_kinds_are_invisible_without_cases_and_visible_with_them(admin, org, kind, is_sensitive):
    without = as_person(admin, "plain", "普通", Grant(org=org, role="reader"))
    with_cases = as_person(admin, "cases", "办案", Grant(org=org, role="reader", cases=True))
    everything = admin.records(org, kind)
    hidden = {r.id for r in everything if is_sensitive(r)}
    assert hidden
    assert {r.id for r in without.records(org, kind)} == {r.id for r in everything} - hidden
    assert {d["id"] for d in without.rows(org, kind)} == {r.id for r in everything} - hidden
    assert all(without.get(org, kind, rid) is None for rid in hidden)
    assert with_cases.records(org, kind) == everything
    about = lambda result: {(f.rule, f.subject_id) for f in result.findings if f.subject_kind == kind and f.subject_id in hidden} | {
        (d.rule, d.duty.subject_id) for d in result.duties if d.duty.subject_kind == kind and d.duty.subject_id in hidden}
    assert about(without.check(AS_OF, [org])) == set()
    assert about(with_cases.check(AS_OF, [org])) == about(admin.check(AS_OF, [org]))
    assert not any(e.get("kind") == kind and e.get("id") in hidden for e in without.history(org=org))
    assert any(e.get("kind") == kind and e.get("id") in hidden for e in with_cases.history(org=org))


def test_a_sensitive_record_cannot_be_saved_without_cases(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="zikuang", role="editor", scope=["xinsheng"]))
    lead = next(r for r in admin.records("zikuang", "lead") if r.subsidiary == "xinsheng")
    with pytest.raises(AccessError) as refused:
        editor.save("zikuang", lead.model_copy(update={"id": "lead-new"}), rev=0)
    assert refused.value.message == "editor 测试员 may not change Problem lead records without access to cases: ask an administrator"
    assert admin.get("zikuang", "lead", "lead-new") is None


# who may open the store, and which organizations they see -------------------------------

def test_an_actor_who_is_not_a_person_of_the_store_is_refused(admin):
    admin.save_person(Person(name="zhangsan", grants=[Grant(org="tjpu", role="reader")]))
    with pytest.raises(AccessError) as refused:
        resolve_actor(admin.store, "nobody")
    assert refused.value.message == "nobody is not a person of this store: ask an administrator to add you (coordtui users add)"
    # the owner without a person entry still administers (the service account)
    owner = Workspace(Store(admin.store.root), admin.host)
    assert owner.actor.owner and owner.actor.person is None
    assert [o.id for o in owner.orgs()] == [o.id for o in admin.orgs()] and len(owner.orgs()) == 5


def test_a_store_without_people_is_its_owners_who_administers_everything(admin):
    assert admin.store.people() == []
    assert admin.actor.name == current_user() and admin.actor.owner
    assert admin.may_administer() and admin.may_administer("tjpu")
    assert len(admin.records("pingluo", "clue")) == 1


def test_an_organization_without_a_grant_is_not_shown(admin):
    person = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="reader", scope=["g2"]))
    assert [o.id for o in person.orgs()] == ["tjpu"]
    with pytest.raises(InputError, match="no organization 'pingluo' .*known: tjpu"):
        person.org("pingluo")
    assert {f.org for f in person.check(AS_OF).findings} == {"tjpu"}
    assert {e["org"] for e in person.history()} <= {"tjpu"}


def test_people_are_changed_by_store_administrators_only(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="admin"))
    with pytest.raises(AccessError, match="^测试员 may not change the people of this store: ask an administrator$"):
        editor.save_person(Person(name="other", grants=[Grant(org="tjpu", role="admin")]))
    assert admin.store.get_person("other") is None
    with pytest.raises(InputError, match="scope 'g9' is no subject of tjpu's structure"):
        admin.save_person(Person(name="other", grants=[Grant(org="tjpu", role="editor", scope=["g9"])]))
    assert admin.scope_choices("tjpu")["group:g2"] == "第二协作组"


# import ---------------------------------------------------------------------------------

def test_an_editor_reimporting_their_export_with_replace_leaves_the_rest_alone(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="editor", scope=["g2"]))
    before = {k.kind: len(admin.records("tjpu", k.kind)) for k in admin.model_of(admin.org("tjpu")).kinds}
    doc = export_document(editor, "tjpu")
    doc["items"] = [i for i in doc["items"] if not (i["kind"] == "meeting")]  # drop their unit meetings
    plan = validate_document(doc, editor, "mine.json")
    own_meetings = len([r for r in admin.records("tjpu", "meeting") if r.unit in {u.id for u in editor.records("tjpu", "unit")}])
    counts = editor.replace_org(plan.org, plan.records, replace=True)
    assert counts["deleted"] == own_meetings > 0
    after = {k.kind: len(admin.records("tjpu", k.kind)) for k in admin.model_of(admin.org("tjpu")).kinds}
    assert after == before | {"meeting": before["meeting"] - own_meetings}


def test_an_editor_may_not_change_the_organizations_settings_by_import(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="editor", scope=["g2"]))
    doc = export_document(editor, "tjpu")
    doc["org"]["settings"] = {"at_risk_days": 3}
    plan = validate_document(doc, editor, "mine.json")
    with pytest.raises(AccessError) as refused:
        editor.ops_for(plan.org, plan.records, replace=False)
    assert refused.value.message == "editor 测试员 may not change 天津工业大学's name or settings: ask an administrator"
    assert admin.org("tjpu").settings != {"at_risk_days": 3}


def test_the_command_line_refuses_a_reader_in_one_line_with_exit_2(admin, tmp_path, capsys):
    from coordtui.cli import main

    admin.save_person(Person(name=current_user(), display="李明", grants=[Grant(org="tjpu", role="reader")]))
    doc = export_document(admin, "tjpu")
    for item in doc["items"]:
        if item["kind"] == "activity" and item["group"] == "g2":
            item["title"] += "（修订）"
            break
    path = tmp_path / "tjpu.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = admin.store.history(org="tjpu")
    code = main(["--lang", "en", "import", str(path), "--db", str(admin.store.root)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "coordtui: reader 李明 may not change 第二协作组's records: ask an administrator\n"
    assert admin.store.history(org="tjpu") == before


# the history as the workspace shows it ----------------------------------------------------

def test_the_history_leaves_out_changes_to_records_outside_the_scope(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="editor", scope=["g2"]))
    mine = editor.history(org="tjpu", kind="activity")
    everything = admin.history(org="tjpu", kind="activity")
    assert mine and len(everything) > len(mine)
    assert {(e["after"] or e["before"])["group"] for e in mine} == {"g2"}
    assert not any(e["org"] == "-" for e in editor.history())  # changes to people: administrators only
    assert any(e["org"] == "-" for e in admin.history())


# the application, as a scoped person -----------------------------------------------------

def test_in_the_app_a_readers_save_is_an_error_modal_and_history_shows_only_their_scope(admin):
    from textual.widgets import DataTable, Input

    from coordtui.screens.history import HistoryScreen
    from coordtui.screens.modals import ErrorModal
    from coordtui.testing import drive

    reader = as_person(admin, "liming", "李明", Grant(org="tjpu", role="reader", scope=["g2"]))
    unit = next(u for u in reader.records("tjpu", "unit"))
    outside_units = {u.id for u in admin.records("tjpu", "unit") if u.group != "g2"}

    async def scenario(app, pilot):
        assert [o.id for o in app.orgs] == ["tjpu"]
        assert {f.subject_id for f in app.result.findings if f.subject_kind == "unit"} <= {unit.id for unit in reader.records("tjpu", "unit")}
        app.open_record("tjpu", "unit", unit.id)
        await pilot.pause()
        app.screen.query_one("#f-name", Input).value = "改名"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorModal)
        shown = str(app.screen.query_one("#error-message").render())
        assert shown == f"只读人员李明无权修改{unit.label()}的记录：请联系管理员"
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        app.push_screen(HistoryScreen())
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.entries
        assert not any(e.get("kind") == "unit" and e.get("id") in outside_units for e in screen.entries)
        assert screen.query_one("#history", DataTable).row_count == len(screen.entries)

    drive(reader, scenario, org_id="tjpu", as_of=AS_OF)
    assert admin.get("tjpu", "unit", unit.id)[0].name == unit.name


# how subjects nest -------------------------------------------------------------------------

def test_a_grid_member_sees_the_groups_they_liaise_with(admin):
    links = admin.records("tjpu", "grid_link")
    groups = {link.group for link in links if link.grid_member == "gm05"}
    assert groups == {"g3", "g4"}  # 孙刚 serves groups 3 and 4
    member = as_person(admin, "sungang", "孙刚", Grant(org="tjpu", role="reader", scope=["grid_member:gm05"]))
    assert {a.group for a in member.records("tjpu", "activity")} == groups
    units = {u.id for u in admin.records("tjpu", "unit") if u.group in groups}
    assert {u.id for u in member.records("tjpu", "unit")} == units
    duties = member.check(AS_OF, ["tjpu"]).duties
    assert {(d.duty.subject_kind, d.duty.subject_id) for d in duties if d.duty.subject_kind in ("group", "grid_member")} == (
        {("group", g) for g in groups} | {("grid_member", "gm05")})


def test_one_branch_sees_its_own_inspectors_reports_only(admin):
    branch = as_person(admin, "branch", "支部", Grant(org="zikuang", role="editor", scope=["branch:demo-a-b1"]))
    inspectors = {i.id for i in admin.records("zikuang", "inspector") if i.branch == "demo-a-b1"}
    reports = branch.records("zikuang", "inspector_report")
    assert reports and {r.inspector for r in reports} == inspectors
    assert branch.records("zikuang", "unit_report") == []  # the subsidiary's own reports are above the branch
    assert branch.records("zikuang", "directive") == admin.records("zikuang", "directive")  # the group's tasks, for everyone


@pytest.mark.parametrize("scopes,problem", [
    ({"thing": Scope(of=("name",))}, "names field 'name', which is not a reference (Ref) of that kind"),
    ({"thing": Scope(within=("parent",))}, "declares within/contains but is not a subject"),
    ({"thing": Scope(subject=True, within=("parent",))}, "field 'parent' must refer to a subject kind, not 'other'"),
])
def test_a_scope_that_does_not_fit_the_kinds_is_refused(scopes, problem):
    from typing import Annotated, ClassVar

    from coordtui.api import ModelSpec, Record, Ref

    class Other(Record):
        kind: ClassVar[str] = "other"

    class Thing(Record):
        kind: ClassVar[str] = "thing"
        name: str = ""
        parent: Annotated[str | None, Ref("other")] = None

    with pytest.raises(ValueError, match=re.escape(problem)):
        ModelSpec(id="m", name_zh="m", name_en="m", version="1", kinds=[Other, Thing], scopes=scopes)


def test_an_office_imports_a_new_task_with_its_steps_and_may_not_slip_one_into_another_zone(admin):
    from county_zones.kinds import Task, TaskStep

    office = as_person(admin, "office1", "一室", Grant(org="pingluo", role="editor", scope=["office1"]))
    task = Task(id="t-new", title="新任务", task_type="政治监督", proposed_on=date(2026, 11, 2), zones=["z1"])
    step = TaskStep(id="t-new-1", task="t-new", state="proposed", by="张三", on=date(2026, 11, 2))
    counts = office.replace_org(office.org("pingluo"), [task, step], replace=False)
    assert counts["created"] == 2 and admin.get("pingluo", "task_step", "t-new-1") is not None
    elsewhere = task.model_copy(update={"id": "t-other", "zones": ["z3"]})
    with pytest.raises(AccessError, match="may not change 第三协作区's records"):
        office.save_many("pingluo", [(elsewhere, 0), (step.model_copy(update={"id": "t-other-1", "task": "t-other"}), 0)])
    assert admin.get("pingluo", "task", "t-other") is None and admin.get("pingluo", "task_step", "t-other-1") is None


def test_only_an_administrator_of_the_store_loads_the_examples(admin, tmp_path):
    store = Store(tmp_path / "empty", create=True)
    store.put_person({"name": "zhangsan", "display": "张三", "grants": [{"org": None, "role": "editor"}]})
    editor = Workspace(Store(store.root), admin.host, actor=resolve_actor(store, "zhangsan"))
    with pytest.raises(AccessError, match="^张三 may not load the bundled example organizations: ask an administrator$"):
        editor.load_examples()
    assert store.orgs() == []


def test_refusals_keep_the_sealed_history_intact_and_a_dry_run_keeps_none(admin, tmp_path, capsys):
    from conftest import run

    admin.save_person(Person(name="tester", display="测试员", grants=[Grant(org="tjpu", role="editor", scope=["g2"])]))
    doc = json.loads(run(capsys, "--lang", "en", "export", "--org", "tjpu", "--db", admin.store.root)[1])
    outside = next(i for i in doc["items"] if i["kind"] == "unit" and i["group"] == "g2")
    outside["name"] += "（越权）"  # the structure is the administrators' to change
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**doc, "items": [outside]}, ensure_ascii=False))
    kept = lambda: [e for e in Store(admin.store.root).history() if e["op"] == "refused"]  # noqa: E731
    code, _, err = run(capsys, "--lang", "en", "--as", "tester", "import", path, "--dry-run", "--db", admin.store.root)
    assert code == 2 and "may not change" in err and kept() == []  # a dry run writes nothing, not even the refusal
    for _ in range(2):
        code, _, err = run(capsys, "--lang", "en", "--as", "tester", "import", path, "--db", admin.store.root)
        assert code == 2 and "may not change" in err
    assert len(kept()) == 2
    assert run(capsys, "--lang", "en", "verify", "--db", admin.store.root)[0] == 0
    assert Store(admin.store.root).verify_history() == []


def test_a_copy_of_a_hidden_record_is_refused_not_confirmed_unchanged(admin):
    editor = as_person(admin, "tester", "测试员", Grant(org="tjpu", role="editor", scope=["g2"]))
    hidden = next(r for r in admin.records("tjpu", "activity") if r.group != "g2")
    with pytest.raises(AccessError):
        editor.ops_for(admin.org("tjpu"), [hidden], replace=False)


def test_a_record_that_came_into_view_does_not_show_what_it_was_before(admin):
    item = next(r for r in admin.records("usst", "list_item") if r.list_type == "问题清单")
    _, rev = admin.get("usst", "list_item", item.id)
    admin.save("usst", item.model_copy(update={"list_type": "任务清单"}), rev=rev)  # reclassified by the owner
    reader = as_person(admin, "plain", "普通", Grant(org="usst", role="reader"))
    entries = [e for e in reader.history(org="usst") if e["kind"] == "list_item" and e["id"] == item.id]
    assert entries, "the change of a record now in view is listed"
    assert all(e["before"] is None or e["before"].get("list_type") != "问题清单" for e in entries)
    assert all(e["after"] is None or e["after"].get("list_type") != "问题清单" for e in entries)
    assert "hidden" in entries[0] and entries[0]["hidden"] == ["before"]
