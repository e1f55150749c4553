"""The bundled example: 淄博矿业集团 and 山东新升实业发展有限责任公司, as seed 003 names them.

From the source: the group committee, the subsidiary 新升实业 and its 老干家委党总支, and the
two documents (淄矿纪发〔2019〕18号 of 2019-10-12, forwarded as 新升纪发〔2019〕10号 of
2019-10-25). Everything else is ILLUSTRATIVE (listed in fixtures/README.md): two more
subsidiaries, the other branches, the inspectors (named by post, not by invented names)
and a year of 2026 records with deliberate problems.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coordtui.api import Period, WorkCalendar, sample_docx

from enterprise_tiers import MODEL_ID

ORG_ID = "zikuang"
ORG_NAME = "淄博矿业集团有限责任公司"

#: subsidiary id, committee, company, document code, [(branch, number of inspectors)]
SUBSIDIARIES = [
    ("xinsheng", "中共山东新升实业发展有限责任公司纪委", "山东新升实业发展有限责任公司", "新升纪发",
     [("老干家委党总支", 1), ("新升实业第一党支部", 2), ("新升实业第二党支部", 2)]),
    ("demo-a", "示例权属单位甲纪委", "示例权属单位甲", "甲纪发",
     [(f"甲单位第{n}党支部", 2) for n in "一二三四五"]),
    ("demo-b", "示例权属单位乙纪委", "示例权属单位乙", "乙纪发",
     [(f"乙单位第{n}党支部", 2) for n in "一二"]),
]


def structure_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"kind": "tier1", "id": "group", "name": "中共淄博矿业集团有限责任公司纪委", "doc_code": "淄矿纪发"},
        {"kind": "document", "id": "zkjf-2019-18", "number": "淄矿纪发〔2019〕18号", "title": "关于实施纪检工作“三级联动”的安排意见",
         "issuer": "中共淄博矿业集团有限责任公司纪委", "issued_on": "2019-10-12", "forwards": None},
        {"kind": "document", "id": "xsjf-2019-10", "number": "新升纪发〔2019〕10号",
         "title": "关于转发《中共淄博矿业集团有限责任公司纪委关于实施纪检工作“三级联动”的安排意见》",
         "issuer": "中共山东新升实业发展有限责任公司纪委", "issued_on": "2019-10-25", "forwards": "zkjf-2019-18"},
    ]
    for sid, committee, company, code, branches in SUBSIDIARIES:
        items.append({"kind": "subsidiary", "id": sid, "name": committee, "company": company, "doc_code": code})
        for bn, (branch, count) in enumerate(branches, start=1):
            bid = f"{sid}-b{bn}"
            items.append({"kind": "branch", "id": bid, "name": branch, "subsidiary": sid})
            for k in range(1, count + 1):
                items.append({"kind": "inspector", "id": f"{bid}-i{k}", "name": f"{branch}纪检委员{'甲乙'[k - 1] if count > 1 else ''}", "branch": bid})
    return items


def inspectors(items) -> dict[str, list[str]]:
    branch_sub = {i["id"]: i["subsidiary"] for i in items if i["kind"] == "branch"}
    result: dict[str, list[str]] = {}
    for i in items:
        if i["kind"] == "inspector":
            result.setdefault(branch_sub[i["branch"]], []).append(i["id"])
    return result


def activity_items(cal: WorkCalendar, structure: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    staff = inspectors(structure)
    issued = {1: date(2026, 1, 8), 2: date(2026, 4, 8), 3: date(2026, 7, 14), 4: date(2026, 10, 9)}  # DELIBERATE: Q3 after 上旬
    for q, day in issued.items():
        quarter = Period.quarter(2026, q)
        # DELIBERATE: the Q3 directive's number is typed with ASCII brackets.
        number = "淄矿纪发(2026)21号" if q == 3 else f"淄矿纪发〔2026〕{q * 7}号"
        items.append({"kind": "document", "id": f"zkjf-2026-q{q}", "number": number, "title": f"关于下达{quarter.label()}“三级联动”工作任务的通知",
                      "issuer": "中共淄博矿业集团有限责任公司纪委", "issued_on": day.isoformat(), "forwards": None})
        items.append({"kind": "directive", "id": f"dir-2026q{q}", "title": f"{quarter.label()}“三级联动”工作任务", "quarter": str(quarter),
                      "issued_on": day.isoformat(), "items": ["工资奖金分配公示公开监督", "严重“三违”处置情况监督", "节日期间廉洁提醒"],
                      "document": f"zkjf-2026-q{q}"})
        for sid, *_ in SUBSIDIARIES:
            if sid == "demo-b" and q == 2:
                continue  # DELIBERATE: 示例权属单位乙 filed no plan for the Q2 tasks (its ledger entry was confirmed)
            filed = cal.add_working_days(day, 4).date if q < 4 else date(2026, 10, 14)
            items.append({"kind": "plan", "id": f"plan-{sid}-2026q{q}", "subsidiary": sid, "directive": f"dir-2026q{q}",
                          "filed_on": filed.isoformat(), "assigned_to": staff[sid]})
        if q < 4:
            for sid, *_ in SUBSIDIARIES:
                if sid == "demo-a" and q == 3:
                    continue  # DELIBERATE: 示例权属单位甲 has not reported Q3 (due 2026-10-13); the ledger entry is only proposed
                filed = cal.add_working_days(quarter.end, 3).date
                items.append({"kind": "unit_report", "id": f"ur-{sid}-2026q{q}", "subsidiary": sid, "quarter": str(quarter), "filed_on": filed.isoformat()})
    items.append({"kind": "ledger_entry", "id": "ledger-demo-b-2026q2", "subsidiary": "demo-b", "quarter": "2026Q2", "reason": "无实施方案",
                  "recorded_on": "2026-07-20"})
    for sid, people in staff.items():
        for person in people:
            for m in range(1, 10):
                if person == "demo-a-b2-i1" and m == 8:
                    continue  # DELIBERATE: one inspector of 示例权属单位甲 did not report for August
                month = Period.month(2026, m)
                filed = month.end - timedelta(days=3)
                items.append({"kind": "inspector_report", "id": f"ir-{person}-2026-{m:02d}", "inspector": person, "month": str(month),
                              "filed_on": filed.isoformat()})
    items.append({"kind": "lead", "id": "lead-2026-01", "subsidiary": "xinsheng", "found_by": "xinsheng-b2-i1", "summary": "工资奖金分配方案未公示",
                  "received_on": "2026-03-12", "major": False, "handling": "即知即改", "escalated_on": None})
    # DELIBERATE: a major lead received on Tue 2026-09-29, due at the group committee on 09-30, reported on 10-09.
    items.append({"kind": "lead", "id": "lead-2026-02", "subsidiary": "demo-a", "found_by": "demo-a-b3-i2", "summary": "区队虚报出勤套取工资",
                  "received_on": "2026-09-29", "major": True, "handling": "启动审查程序", "escalated_on": "2026-10-09"})
    items.append({"kind": "special_check", "id": "check-2026-pay", "topic": "工资奖金分配", "started_on": "2026-06-08",
                  "subsidiaries": ["xinsheng", "demo-a"], "result": "发现2个区队二次分配方案未公示，已督促整改"})
    # Year-end 2025 commendations: 新升 5 inspectors → 1; 甲 10 → 2; DELIBERATE: 乙 4 → 0 allowed, 1 commended.
    for n, person in enumerate(["xinsheng-b1-i1", "demo-a-b1-i1", "demo-a-b4-i2", "demo-b-b1-i1"], start=1):
        items.append({"kind": "commendation", "id": f"commend-2025-{n}", "year": 2025, "inspector": person})
    return items


def example_document(cal: WorkCalendar | None = None) -> dict[str, Any]:
    cal = cal or WorkCalendar()
    structure = structure_items()
    doc = {
        "format": "coordtui/1",
        "model": MODEL_ID,
        "org": {"id": ORG_ID, "name": ORG_NAME, "settings": {"tracking_start": "2026-01-01"}},
        "items": structure + activity_items(cal, structure),
    }
    doc["attachments"] = lambda: example_files(doc["items"])  # made when the example is loaded
    return doc


def example_files(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files kept with the example's records (佐证材料), made here: every implementation plan's
    text (实施方案) and every subsidiary's written quarterly report (书面报告)."""
    subsidiaries = {i["id"]: i["name"] for i in items if i["kind"] == "subsidiary"}
    files = []
    for item in items:
        if item["kind"] in ("plan", "unit_report"):
            name = "实施方案" if item["kind"] == "plan" else "季度书面报告"
            unit = subsidiaries.get(item.get("subsidiary"), item.get("subsidiary") or "")
            files.append({"kind": item["kind"], "id": item["id"], "name": f"{name}.docx", "title": name,
                          "data": sample_docx(f"{unit}{name}", f"（{item['id']}，示例{name}，由示例数据生成。）")})
    return files
