"""The bundled example: 天津市纪委监委's dispatched groups at 15 municipal universities (seed 002).

From the seed: the 第四监督检查室 pairs with the 15 groups and names one contact for each; the
15 groups form 3 collaboration groups; the groups at 天津医科大学, 天津职业技术师范大学 and
天津师范大学 are named (written here in simplified characters; the seed is a traditional-character
copy, kept as aliases). ILLUSTRATIVE (listed in fixtures/README.md): the other 12 groups, the
split into the three collaboration groups, the contacts (named by post), the districts, cases
and six-haves checks.
"""

from __future__ import annotations

from typing import Any

from dispatched_linkage import MODEL_ID

ORG_ID = "tianjin"
ORG_NAME = "天津市纪委监委"

NAMED = [("天津医科大学", "天津醫科大學"), ("天津职业技术师范大学", "天津職業技術師範大學"), ("天津师范大学", "天津師範大學")]


def example_document() -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"kind": "office", "id": "office4", "name": "第四监督检查室"},
                                   {"kind": "office", "id": "office7", "name": "第七监督检查室"},
                                   {"kind": "district", "id": "dongli", "name": "东丽区纪委监委"}]
    for n in range(1, 4):
        items.append({"kind": "collab_group", "id": f"cg{n}", "name": f"市属高校第{'一二三'[n - 1]}协作组", "number": n, "office": "office4"})
    hosts = [(simplified, [f"驻{traditional}紀檢監察組"]) for simplified, traditional in NAMED]
    hosts += [(f"示例市属高校{n:02d}", []) for n in range(4, 16)]
    for n, (host, aliases) in enumerate(hosts, start=1):
        items.append({"kind": "dispatched_group", "id": f"dg{n:02d}", "name": f"驻{host}纪检监察组", "host": host,
                      "collab_group": f"cg{(n - 1) // 5 + 1}",
                      # DELIBERATE: no contact yet for the group at 示例市属高校15
                      "contact": None if n == 15 else f"第四监督检查室联系人{n:02d}", "aliases": aliases})
    items += [
        {"kind": "case", "id": "case-2025-1", "title": "某高校处级干部违纪案", "linkage": "室组", "opened_on": "2025-03-03", "subject_level": "中层正职",
         "office": "office4", "office_role": "统筹指导、前置审核", "group": "dg01", "group_role": "具体查办", "district": None, "district_role": None,
         "prereviewed_on": "2025-03-20", "filed_on": "2025-03-25", "second_review_on": "2025-08-10", "supplementary_evidence": True},
        {"kind": "case", "id": "case-2025-2", "title": "某高校基建处违纪案", "linkage": "室组", "opened_on": "2025-05-06", "subject_level": "中层副职",
         "office": "office4", "office_role": "统筹协调", "group": "dg02", "group_role": "具体查办", "district": None, "district_role": None,
         "prereviewed_on": None, "filed_on": "2025-05-20", "second_review_on": "2025-10-12", "supplementary_evidence": False},
        {"kind": "case", "id": "case-2026-1", "title": "某高校后勤处处长违纪案", "linkage": "室组", "opened_on": "2026-03-02", "subject_level": "中层正职",
         "office": "office4", "office_role": "统筹指导、前置审核", "group": "dg03", "group_role": "具体查办", "district": None, "district_role": None,
         "prereviewed_on": "2026-03-16", "filed_on": "2026-03-18", "second_review_on": "2026-07-08", "supplementary_evidence": False},
        # DELIBERATE: a mid-level head's case filed with no pre-review.
        {"kind": "case", "id": "case-2026-2", "title": "某高校学院院长违纪案", "linkage": "室组", "opened_on": "2026-04-13", "subject_level": "中层正职",
         "office": "office4", "office_role": "统筹指导", "group": "dg07", "group_role": "具体查办", "district": None, "district_role": None,
         "prereviewed_on": None, "filed_on": "2026-05-10", "second_review_on": None, "supplementary_evidence": False},
        # DELIBERATE: a 室组地 case whose district commission's role is not set down.
        {"kind": "case", "id": "case-2026-3", "title": "粮食购销领域腐败问题专项查办", "linkage": "室组地", "opened_on": "2026-02-20", "subject_level": "其他",
         "office": "office7", "office_role": "统筹协调、召集专题协调会", "group": "dg11", "group_role": "分析政治生态、找准突破口",
         "district": "dongli", "district_role": None, "prereviewed_on": None, "filed_on": None, "second_review_on": None, "supplementary_evidence": False},
        {"kind": "six_haves", "id": "check-2026-1", "body": "天津医科大学第二医院纪委", "checked_on": "2026-05-12", "organization": True, "space": True,
         "staff": True, "rules": True, "training": True, "assessment": True},
        # DELIBERATE: a hospital's discipline body with no training and no assessment yet.
        {"kind": "six_haves", "id": "check-2026-2", "body": "示例市属医院纪委", "checked_on": "2026-06-03", "organization": True, "space": True,
         "staff": True, "rules": True, "training": False, "assessment": False},
    ]
    return {"format": "coordtui/1", "model": MODEL_ID, "org": {"id": ORG_ID, "name": ORG_NAME, "settings": {"tracking_start": "2026-01-01"}},
            "items": items}
