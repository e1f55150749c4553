"""The bundled example: 平罗县, as the body and annex of seed 001 give it.

The zones, offices, member bodies, special supervisors and supervised departments are
copied from the source. Directors, deputies and liaisons are roles the source does not
name: they are left unnamed. The 2026 tasks, steps, team members, leads and reports are
ILLUSTRATIVE, with deliberate problems listed in fixtures/README.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coordtui.api import Period, WorkCalendar, sample_docx

from county_zones import MODEL_ID
from county_zones.workflow import ORDER

ORG_ID = "pingluo"
ORG_NAME = "平罗县纪委监委"

#: The annex: zone, office, supervisors (as printed), dispatched groups, township committees, departments.
ANNEX: list[tuple[str, str, list[str], list[str], list[str], list[str]]] = [
    ("第一协作区", "第一纪检监察室", ["孙  艳", "金艳萍", "谭新宇"],
     ["派驻第二纪检监察组", "驻法院纪检监察组"], ["黄渠桥镇纪委", "灵沙乡纪委", "宝丰镇纪委"],
     ["政府办（信访局）", "发改局", "财政局", "工信局", "审计局", "商务经合局", "市场监管局", "统计局", "机管中心", "德渊集团", "法院", "黄渠桥镇", "灵沙乡", "宝丰镇"]),
    ("第二协作区", "第二纪检监察室", ["丁小伟", "王秀娟", "裴桂枝"],
     ["派驻第一纪检监察组", "派驻第五纪检监察组"], ["渠口乡纪委", "城关镇纪委", "高庄乡纪委", "头闸镇纪委"],
     ["县委办", "人大办", "政协办", "组织部", "宣传部", "网信办", "统战部（民宗局、工商联、伊协）", "政法委", "政研室", "编办", "党校", "总工会", "团县委", "妇联",
      "农业农村局（扶贫开发中心）", "交通局", "水务局", "自然资源局（林业草原局）", "司法局", "渠口乡", "城关镇", "高庄乡", "头闸镇"]),
    ("第三协作区", "第三纪检监察室", ["郭红丽", "司冰心"],
     ["派驻第三纪检监察组", "驻检察院纪检监察组"], ["高仁乡纪委", "红崖子乡纪委", "陶乐镇纪委"],
     ["教育局", "卫生健康局", "医疗保障局", "文广局", "文联", "科学技术局", "科协", "残联", "职教中心", "检察院", "高仁乡", "红崖子乡", "陶乐镇"]),
    ("第四协作区", "第四纪检监察室", ["程凤芝", "杨  梅"],
     # The body of the document writes 驻公安局纪检监察组, the annex 驻公安纪检监察组: one body.
     ["派驻第四纪检监察组", "驻公安局纪检监察组"], ["通伏乡纪委", "姚伏镇纪委", "崇岗镇纪委"],
     ["住建局", "人社局", "民政局", "退役军人事务局", "审批服务管理局", "应急管理局", "供销社", "公安局", "通伏乡", "姚伏镇", "崇岗镇"]),
]
ALIASES = {"驻公安局纪检监察组": ["驻公安纪检监察组"]}
#: A dispatched group stationed in one department, or a township committee, inspects that department as "its own unit".
OWN_DEPARTMENT = {"驻法院纪检监察组": "法院", "驻检察院纪检监察组": "检察院", "驻公安局纪检监察组": "公安局"}


def structure_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    dept_ids: dict[str, str] = {}
    n_body = n_sup = n_dept = 0
    for number, (zone, office, supervisors, groups, townships, departments) in enumerate(ANNEX, start=1):
        zid, oid = f"z{number}", f"office{number}"
        items.append({"kind": "office", "id": oid, "name": office})
        items.append({"kind": "zone", "id": zid, "name": zone, "number": number, "office": oid, "director": None, "deputy": None})
        items.append({"kind": "liaison", "id": f"liaison{number}", "office": oid, "name": None})
        for name in departments:
            n_dept += 1
            dept_ids[name] = f"d{n_dept:02d}"
            items.append({"kind": "department", "id": dept_ids[name], "name": name, "zone": zid})
        for name in townships + groups:
            n_body += 1
            own = OWN_DEPARTMENT.get(name) or (name.removesuffix("纪委") if name.endswith("纪委") else None)
            items.append({"kind": "member_body", "id": f"b{n_body:02d}", "name": name,
                          "body_type": "乡镇纪委" if name.endswith("乡纪委") or name.endswith("镇纪委") else "派驻纪检监察组",
                          "zone": zid, "own_department": dept_ids.get(own) if own else None, "aliases": ALIASES.get(name, [])})
        for name in supervisors:
            n_sup += 1
            items.append({"kind": "supervisor", "id": f"s{n_sup:02d}", "name": name, "zone": zid})
    return items


def _steps(task_id: str, until: str, start: date, cal: WorkCalendar, *, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    actors = {"proposed": "党风政风监督室", "approved": "主要领导", "assigned": "党风政风监督室", "team_formed": "协作区主任",
              "in_progress": "检查组组长", "report_drafted": "检查组组长", "reviewed": "协作区主任", "submitted": "协作区主任", "closed": "党风政风监督室"}
    items, day = [], start
    for state in ORDER[: ORDER.index(until) + 1]:
        if state not in skip:
            items.append({"kind": "task_step", "id": f"{task_id}-{state}", "task": task_id, "state": state,
                          "by": actors[state], "on": day.isoformat(), "note": None})
        day = cal.add_working_days(day, 2).date
    return items


def _task(tid: str, title: str, task_type: str, proposed: date, zones: list[str], *, state: str, deadline: date | None,
          departments: list[str] = (), holidays: list[str] = ()) -> dict[str, Any]:
    return {"kind": "task", "id": tid, "title": title, "task_type": task_type, "holidays": list(holidays),
            "proposed_on": proposed.isoformat(), "zones": zones, "departments": list(departments),
            "deadline": deadline.isoformat() if deadline else None,
            "plan": "制定检查方案，明确检查重点和时间安排" if state not in ("proposed", "approved", "assigned") else None,
            "methods": "查阅资料、个别谈话、实地检查" if state not in ("proposed", "approved", "assigned") else None,
            "state": state}


def _team(tid: str, people: list[tuple[str, str, str | None, str | None]]) -> list[dict[str, Any]]:
    return [{"kind": "team_member", "id": f"{tid}-m{i}", "task": tid, "name": name, "role": role, "body": body, "supervisor": sup}
            for i, (name, role, body, sup) in enumerate(people, start=1)]


def activity_items(cal: WorkCalendar) -> list[dict[str, Any]]:
    """Illustrative 2026 records. Team members are named by role (no real names are invented);
    bodies, supervisors and departments are referred to by name, which the import resolves to ids."""
    items: list[dict[str, Any]] = []
    all_zones = ["z1", "z2", "z3", "z4"]
    # Spring Festival check, every zone, done and closed.
    items.append(_task("t-2026-spring", "2026年春节期间落实中央八项规定精神监督检查", "节日节点监督检查", date(2026, 1, 26), all_zones,
                       state="closed", deadline=date(2026, 3, 10), holidays=["春节"]))
    items += _steps("t-2026-spring", "closed", date(2026, 1, 26), cal)
    items += _team("t-2026-spring", [("灵沙乡纪委书记", "组长", "灵沙乡纪委", None), ("城关镇纪委书记", "成员", "城关镇纪委", None)])
    # Mid-Autumn and National Day check: zones 1-3 only. DELIBERATE: 第四协作区 ran no check for either node.
    items.append(_task("t-2026-autumn", "2026年中秋国庆期间落实中央八项规定精神监督检查", "节日节点监督检查", date(2026, 9, 14), ["z1", "z2", "z3"],
                       state="closed", deadline=date(2026, 10, 30), holidays=["中秋", "国庆"]))
    autumn = _steps("t-2026-autumn", "closed", date(2026, 9, 14), cal)
    items += autumn
    items += _team("t-2026-autumn", [("高仁乡纪委书记", "组长", "高仁乡纪委", None), ("特约监察员", "成员", None, "孙艳")])
    # Cross inspection: 第二协作区 inspects 财政局 and 审计局 of 第一协作区.
    # DELIBERATE: a cadre of 宝丰镇纪委 (第一协作区) sits on the team.
    items.append(_task("t-2026-cross", "财政审计领域交叉监督检查", "集中监督检查", date(2026, 5, 11), ["z2"], state="closed",
                       deadline=date(2026, 7, 31), departments=["财政局", "审计局"]))
    items += _steps("t-2026-cross", "closed", date(2026, 5, 11), cal)
    items += _team("t-2026-cross", [("城关镇纪委书记", "组长", "城关镇纪委", None), ("渠口乡纪委干部", "成员", "渠口乡纪委", None),
                                    ("宝丰镇纪委干部", "成员", "宝丰镇纪委", None)])
    # Found during the inspection and transferred before the task closed (2026-06-02), as task_closure asks.
    items.append({"kind": "problem", "id": "p-2026-cross-1", "task": "t-2026-cross", "summary": "专项资金拨付审批手续不全",
                  "found_on": "2026-05-22", "transferred_on": "2026-05-29", "forwarded_to": "派驻第二纪检监察组"})
    # Verification of difficult leads. DELIBERATE: still under way after its deadline (2026-09-30).
    items.append(_task("t-2026-leads", "群众反映强烈问题线索集中核查", "问题线索核查", date(2026, 7, 6), ["z3"], state="in_progress",
                       deadline=date(2026, 9, 30)))
    items += _steps("t-2026-leads", "in_progress", date(2026, 7, 6), cal)
    items += _team("t-2026-leads", [("陶乐镇纪委书记", "组长", "陶乐镇纪委", None), ("红崖子乡纪委干部", "成员", "红崖子乡纪委", None)])
    # Political supervision. DELIBERATE: closed while a problem lead it found was never transferred.
    items.append(_task("t-2026-policy", "乡村振兴政策落实情况政治监督", "政治监督", date(2026, 3, 16), ["z4"], state="closed",
                       deadline=date(2026, 6, 30), departments=["民政局", "人社局"]))
    items += _steps("t-2026-policy", "closed", date(2026, 3, 16), cal)
    items += _team("t-2026-policy", [("姚伏镇纪委书记", "组长", "姚伏镇纪委", None), ("特约监察员", "成员", None, "杨梅")])
    items.append({"kind": "clue", "id": "c-2026-policy-1", "task": "t-2026-policy", "summary": "村级项目资金使用疑似虚报冒领",
                  "found_on": "2026-03-25", "transferred_on": None})
    # A research task just proposed (nothing wrong).
    items.append(_task("t-2026-research", "基层监督质效专项调研", "专项调研", date(2026, 10, 12), ["z1", "z2"], state="proposed",
                       deadline=None))
    items += _steps("t-2026-research", "proposed", date(2026, 10, 12), cal)

    # Reports: monthly, quarterly and half-year, by every zone.
    for z in range(1, 5):
        zid = f"z{z}"
        for m in range(1, 10):
            if zid == "z3" and m == 8:
                continue  # DELIBERATE: 第三协作区's August monthly report is missing
            month = Period.month(2026, m)
            filed = cal.add_working_days(month.end, 3).date
            items.append({"kind": "report", "id": f"r-{zid}-2026-{m:02d}", "zone": zid, "report_type": "月报", "period": str(month),
                          "filed_on": filed.isoformat(), "filed_by": None, "reviewed_on": None})
        for q in range(1, 4):
            quarter = Period.quarter(2026, q)
            filed = cal.add_working_days(quarter.end, 6).date
            items.append({"kind": "report", "id": f"r-{zid}-2026q{q}", "zone": zid, "report_type": "季度报告", "period": str(quarter),
                          "filed_on": filed.isoformat(), "filed_by": None, "reviewed_on": None})
        filed = cal.add_working_days(date(2026, 6, 30), 10).date
        reviewed = None if zid == "z2" else (filed + timedelta(days=3)).isoformat()  # DELIBERATE: 第二协作区's H1 summary not reviewed
        items.append({"kind": "report", "id": f"r-{zid}-2026h1", "zone": zid, "report_type": "半年总结", "period": "2026H1",
                      "filed_on": filed.isoformat(), "filed_by": None, "reviewed_on": reviewed})
    return items


def example_document(cal: WorkCalendar | None = None) -> dict[str, Any]:
    cal = cal or WorkCalendar()
    doc = {
        "format": "coordtui/1",
        "model": MODEL_ID,
        "org": {"id": ORG_ID, "name": ORG_NAME, "settings": {"tracking_start": "2026-01-01"}},
        "items": structure_items() + activity_items(cal),
    }
    doc["attachments"] = lambda: example_files(doc["items"])  # made when the example is loaded
    return doc


def example_files(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files kept with the example's records (佐证材料), made here: each task past its report's
    drafting keeps its 督查（调研）报告, each half-year or annual summary its written text."""
    zones = {i["id"]: i["name"] for i in items if i["kind"] == "zone"}
    files = []
    for item in items:
        if item["kind"] == "task" and ORDER.index(item["state"]) >= ORDER.index("report_drafted"):
            files.append({"kind": "task", "id": item["id"], "name": "督查报告.docx", "title": "督查（调研）报告",
                          "data": sample_docx(f"关于{item['title']}的督查报告", "（示例督查报告，由示例数据生成。）")})
        elif item["kind"] == "report" and item["report_type"] in ("半年总结", "年度总结"):
            zone = zones.get(item["zone"], item["zone"])
            files.append({"kind": "report", "id": item["id"], "name": f"{item['report_type']}.docx", "title": item["report_type"],
                          "data": sample_docx(f"{zone}{item['period']}{item['report_type']}", f"报送日期：{item['filed_on']}")})
    return files
