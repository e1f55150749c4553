"""The bundled example: 上海理工大学, with the departments and key risk areas seed 004 names.

From the seed: the four bearers, the functional departments as it writes them
(党（校）办 … 财务处), the eight key risk areas. ILLUSTRATIVE (listed in fixtures/README.md):
the leadership team members (named by post, not by invented names), three colleges'
party committees, the departments the risk areas need that the seed does not list, which
units answer for which area, and a year of 2026 records with deliberate gaps.
"""

from __future__ import annotations

from typing import Any

from coordtui.api import sample_docx, sample_scan

from four_duties import MODEL_ID

ORG_ID = "usst"
ORG_NAME = "上海理工大学"

BEARERS = [("committee", "中共上海理工大学委员会", "主体责任"), ("discipline", "中共上海理工大学纪律检查委员会", "监督责任"),
           ("secretary", "党委书记", "第一责任"), ("team", "领导班子成员", "一岗双责")]
#: As the seed writes them (四、（二）5 and 五).
DEPARTMENTS = ["党（校）办", "纪委办（监察处）", "组织部", "宣传部", "学工部", "研工部", "保卫部", "团委", "工会", "研究生院", "教务处",
               "人事处", "科技处", "审计处", "财务处"]
EXTRA_DEPARTMENTS = ["资产管理处", "后勤保障处", "基建处", "资产经营公司"]  # illustrative: the risk areas need them
COLLEGES = ["示例学院一党委", "示例学院二党委", "示例学院三党委"]  # illustrative
AREA_UNITS = {
    "资产管理": ["资产管理处"], "后勤保障": ["后勤保障处"], "基本建设": ["基建处"], "科研经费管理": ["科技处", "财务处"],
    "财务管理": ["财务处"], "招生录取": ["教务处", "研究生院"], "校办企业": ["资产经营公司"], "专项资金使用管理": ["财务处", "审计处"],
}
TEAM = [("m1", "党委书记", []), ("m2", "校长", ["党（校）办", "人事处"]), ("m3", "党委副书记", ["组织部", "宣传部", "学工部", "研工部", "团委", "工会"]),
        ("m4", "纪委书记", ["纪委办（监察处）", "审计处"]), ("m5", "副校长（分管后勤、基建、资产）", ["后勤保障处", "基建处", "资产管理处", "资产经营公司", "保卫部"]),
        ("m6", "副校长（分管教学、科研、财务）", ["教务处", "研究生院", "科技处", "财务处"])]


def items() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"kind": "bearer", "id": bid, "name": name, "duty": duty} for bid, name, duty in BEARERS]
    unit_id: dict[str, str] = {}
    for n, name in enumerate(DEPARTMENTS + EXTRA_DEPARTMENTS, start=1):
        unit_id[name] = f"dept{n:02d}"
        out.append({"kind": "unit", "id": unit_id[name], "name": name, "unit_type": "职能部门"})
    for n, name in enumerate(COLLEGES, start=1):
        unit_id[name] = f"college{n}"
        out.append({"kind": "unit", "id": unit_id[name], "name": name, "unit_type": "二级党组织"})
    for mid, post, portfolio in TEAM:
        out.append({"kind": "team_member", "id": mid, "name": post, "post": post, "portfolio": [unit_id[p] for p in portfolio]})
    for n, (area, units) in enumerate(AREA_UNITS.items(), start=1):
        out.append({"kind": "risk_area", "id": f"area{n}", "area": area, "units": [unit_id[u] for u in units]})
        for unit in units:
            if (area, unit) == ("校办企业", "资产经营公司"):
                continue  # DELIBERATE: no risk point yet for 校办企业 (an empty cell on the risk map)
            owner = None if (area, unit) == ("招生录取", "研究生院") else f"{unit.rstrip('）').split('（')[0]}负责人"  # DELIBERATE: no owner
            out.append({"kind": "risk_point", "id": f"risk-{n}-{unit_id[unit]}", "area": area, "unit": unit_id[unit],
                        "description": f"{area}关键环节廉政风险", "owner": owner, "measures": "建立审批台账，实行集体决策和定期抽查"})
    # 2026 meetings. DELIBERATE: the mid-year 责任落实推进会 was not held (due 2026-07-31).
    for mid, mtype, held in [("sm1", "专题会议（部署）", "2026-02-26"), ("sm2", "专题会议（推进）", "2026-07-09"),
                             ("fm1", "全面从严治党分析研究会", "2026-02-26"), ("fm2", "责任计划审议会", "2026-03-12")]:
        out.append({"kind": "meeting", "id": f"meeting-2026-{mid}", "meeting_type": mtype, "held_on": held, "topic": None})
    # The four documents for 2026. DELIBERATE: 副校长（分管后勤、基建、资产） has no 责任项目书.
    for mid, _, _ in TEAM:
        for doc, filed in (("廉政承诺书", "2026-03-10"), ("责任计划书", "2026-03-10"), ("责任项目书", "2026-03-20")):
            if (mid, doc) == ("m5", "责任项目书"):
                continue
            out.append({"kind": "document", "id": f"doc-2026-{mid}-{FOUR_IDS[doc]}", "member": mid, "year": 2026, "doc_type": doc, "filed_on": filed})
    # Reports on 2025, filed early 2026: history of the year before tracking began (2026-01-01),
    # shown but not judged (示例学院三党委's is missing, and no rule may claim it).
    for mid, _, _ in TEAM:
        out.append({"kind": "report", "id": f"rep-2025-dlm-{mid}", "report_type": "民主生活会汇报", "year": 2025, "filed_on": "2026-01-15",
                    "member": mid, "unit": None})
    out += [
        {"kind": "report", "id": "rep-2025-committee", "report_type": "党委书面报告", "year": 2025, "filed_on": "2026-01-20", "member": None, "unit": None},
        {"kind": "report", "id": "rep-2025-secretary", "report_type": "党委书记工作报告", "year": 2025, "filed_on": "2026-03-05", "member": "m1", "unit": None},
        {"kind": "report", "id": "rep-2025-discipline", "report_type": "纪委报告", "year": 2025, "filed_on": "2026-01-22", "member": None, "unit": None},
    ]
    for n in (1, 2):
        out.append({"kind": "report", "id": f"rep-2025-college{n}", "report_type": "二级党组织报告", "year": 2025, "filed_on": "2026-01-25",
                    "member": None, "unit": f"college{n}"})
    for n in (1, 2, 3):
        out.append({"kind": "inspection", "id": f"insp-2025-college{n}", "year": 2025, "unit": f"college{n}", "led_by": "m1", "held_on": f"2025-12-{14 + n}"})
    out += [
        {"kind": "agreement", "id": "agr-2026-1", "title": "干部选任全程纪实监督", "lead": unit_id["组织部"], "partners": [unit_id["纪委办（监察处）"]],
         "signed_on": "2026-03-02", "time_limit": "2026-06-30", "completed_on": "2026-06-20"},
        # DELIBERATE: still open after its time limit.
        {"kind": "agreement", "id": "agr-2026-2", "title": "招标采购联合监督检查", "lead": unit_id["纪委办（监察处）"],
         "partners": [unit_id["审计处"], unit_id["财务处"]], "signed_on": "2026-04-10", "time_limit": "2026-09-30", "completed_on": None},
        {"kind": "list_item", "id": "li-2026-1", "list_type": "责任清单", "unit": "college1", "content": "落实“三会一课”制度", "owner": "示例学院一党委书记",
         "deadline": None, "completed_on": None},
        {"kind": "list_item", "id": "li-2026-2", "list_type": "任务清单", "unit": unit_id["宣传部"], "content": "开展意识形态工作专题督查", "owner": "宣传部部长",
         "deadline": "2026-12-15", "completed_on": None},
        {"kind": "list_item", "id": "li-2026-3", "list_type": "问题清单", "unit": unit_id["财务处"], "content": "科研经费报销审核不严", "owner": "财务处处长",
         "deadline": "2026-06-30", "completed_on": "2026-06-12"},
        # DELIBERATE: a problem with no rectification deadline, and one past its deadline.
        {"kind": "list_item", "id": "li-2026-4", "list_type": "问题清单", "unit": "college2", "content": "党政联席会议记录不规范", "owner": "示例学院二党委书记",
         "deadline": None, "completed_on": None},
        {"kind": "list_item", "id": "li-2026-5", "list_type": "问题清单", "unit": unit_id["基建处"], "content": "维修工程验收程序不全", "owner": "基建处处长",
         "deadline": "2026-09-15", "completed_on": None},
    ]
    return out


FOUR_IDS = {"廉政承诺书": "pledge", "责任计划书": "plan", "责任项目书": "projects", "总结评议书": "summary"}


def example_document() -> dict[str, Any]:
    doc = {
        "format": "coordtui/1",
        "model": MODEL_ID,
        "org": {"id": ORG_ID, "name": ORG_NAME, "settings": {"tracking_start": "2026-01-01"}},
        "items": items(),
    }
    doc["attachments"] = lambda: example_files(doc["items"])  # made when the example is loaded
    return doc


def example_files(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files kept with the example's records (佐证材料), made here: every meeting's minutes (会议记录),
    every signed pledge's scan (廉政承诺书), and the evidence of each rectified problem (整改佐证材料)."""
    files = []
    for item in items:
        if item["kind"] == "meeting":
            files.append({"kind": "meeting", "id": item["id"], "name": "会议记录.docx", "title": "会议记录",
                          "data": sample_docx(f"{item['meeting_type']}会议记录", f"时间：{item['held_on']}", "（示例会议记录，由示例数据生成。）")})
        elif item["kind"] == "document" and item["doc_type"] == "廉政承诺书":
            files.append({"kind": "document", "id": item["id"], "name": "廉政承诺书（签字）.png", "title": "签字扫描件",
                          "data": sample_scan(item["id"])})
        elif item["kind"] == "list_item" and item["list_type"] == "问题清单" and item.get("completed_on"):
            files.append({"kind": "list_item", "id": item["id"], "name": "整改情况报告.docx", "title": "整改佐证材料",
                          "data": sample_docx(f"关于“{item['content']}”的整改情况报告", f"完成日期：{item['completed_on']}")})
    return files
