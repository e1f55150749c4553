"""The special inspection procedure (监督检查程序) as a state machine.

proposed → approved → assigned → team formed → in progress → report drafted →
reviewed by the zone director → submitted to the principal leader → closed.
No step may be skipped; each records who and when.
"""

from __future__ import annotations

STATES: list[tuple[str, str, str, str]] = [
    # state, Chinese, English, who acts (zh)
    ("proposed", "党风政风监督室提出", "proposed by the conduct supervision office", "党风政风监督室"),
    ("approved", "主要领导同意", "approved by the principal leader", "主要领导"),
    ("assigned", "交协作区", "assigned to the zone(s)", "党风政风监督室"),
    ("team_formed", "组建检查组", "team formed by the zone director", "协作区主任"),
    ("in_progress", "开展检查", "inspection under way", "检查组"),
    ("report_drafted", "撰写报告", "report drafted", "检查组"),
    ("reviewed", "协作区主任审核", "reviewed by the zone director", "协作区主任"),
    ("submitted", "报主要负责人", "submitted to the principal leader", "协作区主任"),
    ("closed", "办结", "closed", "党风政风监督室"),
]

ORDER = [s[0] for s in STATES]
LABEL_ZH = {s[0]: s[1] for s in STATES}
LABEL_EN = {s[0]: s[2] for s in STATES}
ACTOR_ZH = {s[0]: s[3] for s in STATES}


def next_state(state: str | None) -> str | None:
    """The only state allowed after ``state`` (None: the first)."""
    if state is None:
        return ORDER[0]
    index = ORDER.index(state)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def check_transition(current: str | None, target: str) -> str | None:
    """Why ``current`` → ``target`` is not allowed, in Chinese and English, or None when it is."""
    allowed = next_state(current)
    if target == allowed:
        return None
    if target not in ORDER:
        return f"未知环节“{target}” / unknown step '{target}'"
    if current == "closed":
        return "任务已办结，不能再推进 / the task is closed"
    here = LABEL_ZH.get(current, "未开始") if current else "未开始"
    return (f"不能从“{here}”直接到“{LABEL_ZH[target]}”，下一步应为“{LABEL_ZH[allowed]}” / "
            f"cannot go from {LABEL_EN.get(current, 'nothing') if current else 'nothing'} to {LABEL_EN[target]}; the next step is {LABEL_EN[allowed]}")
