"""dispatched_linkage: every rule passing and failing, the example, the report section, the screen."""

from __future__ import annotations

import asyncio
import json
from datetime import date


from coordtui.app import CoordApp
from coordtui.cli import main
from coordtui.testing import check_records, context_for

from dispatched_linkage.kinds import CollabGroup, DispatchedGroup, District, JointCase, Office, SixHavesCheck
from dispatched_linkage.plugin import MODEL
from dispatched_linkage.rules import RULES, evidence_rates


def base():
    return [Office(id="o4", name="第四监督检查室"), CollabGroup(id="cg1", name="第一协作组", number=1, office="o4"),
            DispatchedGroup(id="g1", name="驻甲大学纪检监察组", host="甲大学", collab_group="cg1", contact="联系人"),
            District(id="d1", name="东丽区纪委监委")]


def ctx_for(records):
    return context_for(MODEL, records, date(2026, 10, 15), settings={})


def findings(records, rule):
    return check_records(MODEL, RULES, [], records, date(2026, 10, 15), rule=rule, settings={})


def case(**kw):
    values = dict(id="c", title="案件", linkage="室组", opened_on=date(2026, 3, 1), subject_level="中层正职", office="o4", office_role="指导",
                  group="g1", group_role="查办", prereviewed_on=date(2026, 3, 10), filed_on=date(2026, 3, 12))
    values.update(kw)
    return JointCase(**values)


def test_group_assignment():
    assert findings(base(), "group_assignment") == []
    bad = base() + [DispatchedGroup(id="g2", name="驻乙大学纪检监察组", host="乙大学"),
                    DispatchedGroup(id="g3", name="驻丙大学纪检监察组", host="丙大学", collab_group="cg1")]
    assert {f.subject for f in findings(bad, "group_assignment")} == {"驻乙大学纪检监察组", "驻丙大学纪检监察组"}


def test_pre_review():
    assert findings(base() + [case()], "pre_review") == []
    assert findings(base() + [case(prereviewed_on=None, subject_level="中层副职")], "pre_review") == []
    assert "未经前置审核" in findings(base() + [case(prereviewed_on=None)], "pre_review")[0].message
    assert "晚于立案" in findings(base() + [case(prereviewed_on=date(2026, 3, 20))], "pre_review")[0].message


def test_six_haves_names_what_is_missing():
    full = SixHavesCheck(id="s", body="医院纪委", checked_on=date(2026, 5, 1), organization=True, space=True, staff=True, rules=True, training=True, assessment=True)
    assert findings([full], "six_haves") == []
    (f,) = findings([full.model_copy(update={"space": False, "assessment": False})], "six_haves")
    assert "缺少：有阵地、有考核" in f.message


def test_linkage_roles():
    assert findings(base() + [case(linkage="室组地", district="d1", district_role="协同办案")], "linkage_roles") == []
    (f,) = findings(base() + [case(linkage="室组地", district="d1")], "linkage_roles")
    assert "未明确区纪委监委及其职责" in f.message
    assert findings(base() + [case(group_role=None)], "linkage_roles")


def test_supplementary_evidence_rate():
    recs = [case(id="a", second_review_on=date(2025, 6, 1), supplementary_evidence=True), case(id="b", second_review_on=date(2025, 7, 1)),
            case(id="c2", second_review_on=date(2026, 7, 1))]
    assert evidence_rates(ctx_for(recs)) == {2025: (1, 2), 2026: (0, 1)}


def test_example_and_check(tmp_path, capsys):
    from dispatched_linkage.example import example_document

    groups = [i for i in example_document()["items"] if i["kind"] == "dispatched_group"]
    assert len(groups) == 15 and {g["collab_group"] for g in groups} == {"cg1", "cg2", "cg3"}
    assert {"驻天津医科大学纪检监察组", "驻天津职业技术师范大学纪检监察组", "驻天津师范大学纪检监察组"} <= {g["name"] for g in groups}
    db = tmp_path / "db"
    main(["init", "--db", str(db), "--examples"])
    capsys.readouterr()
    main(["check", "--db", str(db), "--org", "tianjin", "--as-of", "2026-10-15", "--format", "json"])
    got = sorted((f["rule"].split(".")[1], f["severity"]) for f in json.loads(capsys.readouterr().out)["findings"])
    assert got == [("group_assignment", "error"), ("linkage_roles", "error"), ("pre_review", "error"), ("six_haves", "warning")]
    out = tmp_path / "r.docx"
    assert main(["export", "--db", str(db), "--org", "tianjin", "--format", "docx", "--period", "2026", "--as-of", "2026-10-15", "--out", str(out)]) == 0
    from docx import Document

    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert "五、案件质量（二次审理补证率）" in text and "2025年二次审理案件2件，其中补证1件，补证率50%" in text


def test_screen(tmp_path):
    from coordtui.plugins import PluginHost
    from coordtui.store import Store
    from coordtui.workspace import Workspace

    from dispatched_linkage.screens import LinkageScreen

    ws = Workspace(Store(tmp_path / "s", create=True), PluginHost())
    ws.load_examples()

    async def run():
        app = CoordApp(ws, as_of=date(2026, 10, 15), org_id="tianjin")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("m", "1")
            await pilot.pause()
            assert isinstance(app.screen, LinkageScreen)
            assert "2025年 1/2（50%）" in str(app.screen.query_one("#dl-rate").render())
            groups = app.screen.query_one("#groups")
            assert "示例市属高校15" in str(groups.get_row_at(2)[3])

    asyncio.run(run())
