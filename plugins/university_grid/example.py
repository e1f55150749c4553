"""The bundled example: 天津工业大学, as the annex of seed 000 gives it.

The structure (groups, units, grid members, links) is copied from the annex. The 2026
leader terms, activities, meetings, plans and summaries are ILLUSTRATIVE, written for
demonstrations, with a few deliberate shortfalls; fixtures/README.md lists them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coordtui.api import Period, WorkCalendar, normalize_name, sample_docx, sample_scan

from university_grid import MODEL_ID

ORG_ID = "tjpu"
ORG_NAME = "天津工业大学"

#: The annex table: group, grid members (as printed, padded names included), member units.
ANNEX: list[tuple[str, list[str], list[str]]] = [
    ("第一协作组", ["王洪彬", "邵佳妮"],
     ["机关纪委", "后勤纪委", "图书馆党总支", "工程教学实习训练中心党总支", "体育工作部党总支", "离退休纪委"]),
    ("第二协作组", ["殷宇宁", "赵  娓"],
     ["纺织科学与工程学院纪委", "经济与管理学院纪委", "艺术学院纪委", "环境科学与工程学院纪委", "数学科学学院纪委"]),
    ("第三协作组", ["孙  刚", "刘文兴"],
     ["机械工程学院纪委", "物理科学与技术学院纪委", "马克思主义学院纪委", "国际教育学院直属党支部", "继续教育学院党总支"]),
    ("第四协作组", ["孙  刚", "赵  诚"],
     ["电气与电子工程学院纪委", "人文学院纪委", "计算机科学与技术学院纪委", "生命科学学院党总支"]),
    ("第五协作组", ["谢海江", "王有玺", "苏  岩"],
     ["材料科学与工程学院纪委", "控制科学与工程学院纪委", "化学工程与技术学院纪委", "化学学院党总支", "法学院纪委"]),
]


def unit_type(name: str) -> str:
    for suffix in ("直属党支部", "党总支", "纪委"):
        if name.endswith(suffix):
            return suffix
    raise ValueError(f"cannot tell the kind of unit {name}")


def structure_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    members: dict[str, str] = {}
    unit_no = 0
    for number, (group_name, grid, units) in enumerate(ANNEX, start=1):
        gid = f"g{number}"
        items.append({"kind": "group", "id": gid, "name": group_name, "number": number})
        for order, name in enumerate(units, start=1):
            unit_no += 1
            items.append({"kind": "unit", "id": f"u{unit_no:02d}", "name": name, "unit_type": unit_type(name), "group": gid, "order": order})
        for raw in grid:
            name = normalize_name(raw)
            if name not in members:
                members[name] = f"gm{len(members) + 1:02d}"
                items.append({"kind": "grid_member", "id": members[name], "name": raw})
            items.append({"kind": "grid_link", "id": f"{gid}-{members[name]}", "group": gid, "grid_member": members[name]})
    return items


def _workday(cal: WorkCalendar, day: date) -> date:
    """``day``, or the next working day where it is a holiday (遇节假日顺延)."""
    return cal.roll_to_working_day(day).date


_SECOND_FORMS = ["学习培训交流", "联合监督检查", "联合调查研究"]
_SECOND_TITLES = {
    "学习培训交流": "纪检业务专题培训",
    "联合监督检查": "内控机制建设联合监督检查",
    "联合调查研究": "基层监督难点问题联合调研",
}


def activity_items(cal: WorkCalendar) -> list[dict[str, Any]]:
    """Illustrative records for 2026 Q1-Q3, with the deliberate shortfalls marked below."""
    structure = structure_items()
    units = {g: [i["id"] for i in structure if i["kind"] == "unit" and i["group"] == g] for g in ("g1", "g2", "g3", "g4", "g5")}
    grid = {g: [i["grid_member"] for i in structure if i["kind"] == "grid_link" and i["group"] == g] for g in units}
    items: list[dict[str, Any]] = []
    for gid, members in units.items():
        for q in range(1, 5):
            start = date(2026, 3 * q - 2, 1)
            end = date(2026, 3 * q + 1, 1) - timedelta(days=1) if q < 4 else date(2026, 12, 31)
            items.append({"kind": "leader_term", "id": f"{gid}-2026q{q}", "group": gid, "unit": members[q - 1], "start": start.isoformat(), "end": end.isoformat()})
        for q in range(1, 4):
            quarter = Period.quarter(2026, q)
            leader = members[q - 1]
            items.append({"kind": "quarter_plan", "id": f"plan-{gid}-2026q{q}", "group": gid, "quarter": str(quarter), "unit": leader,
                          "filed_on": _workday(cal, quarter.start + timedelta(days=5)).isoformat()})
            if q == 3:  # the Q4 plans are in by 2026-10-15
                items.append({"kind": "quarter_plan", "id": f"plan-{gid}-2026q4", "group": gid, "quarter": "2026Q4",
                              "unit": members[3], "filed_on": "2026-10-09"})
            summary_day = date(2026, 10, 13) if q == 3 else _workday(cal, quarter.end + timedelta(days=4))
            if not (gid == "g5" and q == 3):  # DELIBERATE: 第五协作组 has not filed its Q3 summary yet (at risk on 2026-10-15)
                items.append({"kind": "quarter_summary", "id": f"summary-{gid}-2026q{q}", "group": gid, "quarter": str(quarter),
                              "unit": leader, "filed_on": summary_day.isoformat()})
            first = _workday(cal, quarter.start + timedelta(days=40))
            second = _workday(cal, quarter.start + timedelta(days=70))
            form = _SECOND_FORMS[(int(gid[1]) + q) % 3]
            present = list(grid[gid])
            activities = [
                {"id": f"act-{gid}-2026q{q}-1", "title": f"{quarter.label()}工作例会", "form": "协同工作指导", "day": first},
                {"id": f"act-{gid}-2026q{q}-2", "title": _SECOND_TITLES[form], "form": form, "day": second},
            ]
            if gid == "g1" and q == 3:
                # Ends on the eve of the National Day holiday; the news on the adjusted workday 10-10 is on time.
                activities[1]["day"] = date(2026, 9, 30)
            if gid == "g2" and q == 3:
                activities[1]["day"] = date(2026, 9, 29)  # DELIBERATE: news due 10-09 across the holiday, sent 10-12
            if gid == "g4" and q == 3:
                activities = []  # DELIBERATE: 第四协作组 held no activity in Q3
            for n, act in enumerate(activities, start=1):
                news = cal.add_working_days(act["day"], 2).date
                if gid == "g1" and q == 3 and n == 2:
                    news = date(2026, 10, 10)
                if gid == "g2" and q == 3 and n == 2:
                    news = date(2026, 10, 12)
                attendees = present
                if gid == "g5" and q == 3:
                    attendees = [m for m in present if m != "gm10"]  # DELIBERATE: 苏岩 missed Q3 (attended only one)
                    if n == 2:
                        attendees = present
                items.append({"kind": "activity", "id": act["id"], "group": gid, "title": act["title"], "form": act["form"],
                              "cross_inspection": False, "start": act["day"].isoformat(), "end": act["day"].isoformat(),
                              "units": members, "grid_members": attendees, "news_submitted": news.isoformat()})
            meetings = 3 if (gid == "g4" and q == 3) else 1
            for m in range(meetings):
                day = _workday(cal, quarter.start + timedelta(days=20 + 15 * m))
                attendees = [g for g in present if not (gid == "g5" and q == 3 and g == "gm10")]
                if gid == "g4" and q == 3:
                    attendees = ["gm07"]  # 赵诚 kept attending unit meetings while the group was quiet
                items.append({"kind": "meeting", "id": f"meet-{gid}-2026q{q}-{m + 1}", "unit": members[m % len(members)],
                              "title": "纪委会议" if m == 0 else "专题工作会议", "date": day.isoformat(), "grid_members": attendees})
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
    """The files kept with the example's records (佐证材料), made here: each activity whose news went
    out keeps its news draft (新闻稿, a docx), and the first activity of each group a photo (a png)."""
    groups = {i["id"]: i["name"] for i in items if i["kind"] == "group"}
    files, pictured = [], set()
    for item in items:
        if item["kind"] != "activity" or not item.get("news_submitted"):
            continue
        group = groups.get(item["group"], item["group"])
        files.append({"kind": "activity", "id": item["id"], "name": "新闻稿.docx", "title": "新闻稿",
                      "data": sample_docx(f"{group}开展“{item['title']}”", f"{item['start']}，{group}组织开展{item['form']}活动。",
                                          "（示例新闻稿，由示例数据生成。）")})
        if item["group"] not in pictured:
            pictured.add(item["group"])
            files.append({"kind": "activity", "id": item["id"], "name": "活动照片.png", "title": "活动照片",
                          "data": sample_scan(item["id"], (160, 120))})
    return files
