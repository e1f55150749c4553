"""Runs every rule and obligation of a model over one organization as of a date.

Pure functions over data: records arrive through the :class:`Context`'s loader, so the
same code runs over the store, over an import file, or over a handful of records in a test.
"""

from __future__ import annotations

import ctypes
import os
import queue
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Iterable

from coordtui.domain.model import Context, Duty, DutyStatus, Obligation, Rule
from coordtui.domain.records import Finding, Severity


@dataclass(slots=True)
class DutyRow:
    """One duty with its status on the as-of date, as the dashboard lists it."""

    org: str
    rule: str
    obligation_zh: str
    obligation_en: str
    duty: Duty
    status: DutyStatus
    as_of: date

    @property
    def overdue_days(self) -> int:
        return (self.as_of - self.duty.due).days if self.status is DutyStatus.OVERDUE else 0


@dataclass
class CheckResult:
    as_of: date
    findings: list[Finding] = field(default_factory=list)
    duties: list[DutyRow] = field(default_factory=list)

    def extend(self, other: "CheckResult") -> None:
        self.findings.extend(other.findings)
        self.duties.extend(other.duties)

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (f.severity.rank, f.org, f.rule, f.period or "", f.subject_id or f.subject))


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    summary = {s.value: 0 for s in Severity}
    for f in findings:
        summary[f.severity.value] += 1
    return summary


_STATUS_ZH = {
    DutyStatus.MET: "已完成",
    DutyStatus.LATE: "逾期完成",
    DutyStatus.DUE: "待办",
    DutyStatus.AT_RISK: "临期",
    DutyStatus.OVERDUE: "已逾期",
}


def status_label(status: DutyStatus, lang: str = "zh") -> str:
    return _STATUS_ZH[status] if lang == "zh" else status.value.replace("_", " ")


def _join_zh(period: str, what: str) -> str:
    """``2022年度`` + ``年度工作总结`` -> ``2022年度工作总结``: no word said twice where they meet."""
    for k in range(min(len(period), len(what)), 1, -1):
        if period.endswith(what[:k]):
            return period[:-k] + what
    return period + what


def duty_messages(duty: Duty, status: DutyStatus, as_of: date) -> tuple[str, str]:
    """The Chinese and English sentence a cadre would write about a duty's shortfall."""
    shown = duty.period if duty.period_in_message else None
    period_zh = shown.label("zh") if shown else ""
    period_en = f" for {shown.label('en')}" if shown else ""
    unit_zh, unit_en = duty.unit_zh, (f" {duty.unit_en}" if duty.unit_en else "")
    counted_en = f"; {duty.count} of {duty.required}{unit_en} done" if duty.required > 1 or duty.count else ""
    head_zh = f"{duty.subject}{_join_zh(period_zh, duty.what_zh)}"
    head_en = f"{duty.subject}: {duty.what_en}{period_en}"
    if status is DutyStatus.OVERDUE:
        days = (as_of - duty.due).days
        if duty.required > 1:
            zh = f"{head_zh}不足{duty.required}{unit_zh}（实际{duty.count}{unit_zh}，应于{duty.due.isoformat()}前完成），已逾期{days}天"
        else:
            zh = f"{head_zh}未完成（应于{duty.due.isoformat()}前完成），已逾期{days}天"
        en = f"{head_en} not done{counted_en}; due {duty.due.isoformat()}, {days} days overdue"
    elif status is DutyStatus.AT_RISK:
        missing = duty.required - duty.count
        zh = f"{head_zh}将于{duty.due.isoformat()}到期，尚差{missing}{unit_zh}"
        en = f"{head_en} falls due on {duty.due.isoformat()}; {missing}{unit_en} still missing"
    elif status is DutyStatus.LATE:
        met = duty.met_on.isoformat() if duty.met_on else "?"
        zh = f"{head_zh}逾期：应于{duty.due.isoformat()}前完成，实际{met}完成"
        en = f"{head_en} done late: due {duty.due.isoformat()}, done {met}"
    else:
        zh = f"{head_zh}：{_STATUS_ZH[status]}"
        en = f"{head_en}: {status.value}"
    if duty.provisional:
        zh += "（截止日期按放假办法推算、调休未知，待官方日历确认）"
        en += " (deadline counted over holidays computed from the regulations, adjusted workdays unknown: provisional until the year's official notice is known)"
    return zh, en


def _rule_failed(ctx: Context, rule_id: str, what: str, exc: Exception) -> Finding:
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, RuleSwitchedOff):
        return ctx.finding(
            "core.rule_timeout", Severity.ERROR, rule_id,
            f"规则 {rule_id} 此前运行超时（{exc}），已停用至程序重新启动，本次未运行；请联系该插件的维护者",
            f"rule {rule_id} timed out earlier ({exc}) and is switched off until coordtui starts again: not run; report it to the plugin's maintainer",
        )
    if isinstance(exc, RuleTimeout):
        return ctx.finding(
            "core.rule_timeout", Severity.ERROR, rule_id,
            f"规则 {rule_id} 运行超时（{exc}），已中止并停用至程序重新启动；请联系该插件的维护者",
            f"rule {rule_id} timed out ({exc}): stopped, and switched off until coordtui starts again; report it to the plugin's maintainer",
        )
    return ctx.finding(
        "core.rule_failed", Severity.ERROR, rule_id,
        f"规则 {rule_id} 执行出错（{what}）：{detail}；请联系该插件的维护者",
        f"rule {rule_id} failed ({what}): {detail}; report it to the plugin's maintainer",
    )


#: Seconds a rule may run before it is reported as hanging (``COORDTUI_RULE_SECONDS`` overrides).
RULE_SECONDS = float(os.environ.get("COORDTUI_RULE_SECONDS", "20"))

#: Seconds to wait for a stopped rule's thread to end before leaving it behind.
STOP_SECONDS = 2.0


class RuleTimeout(Exception):
    pass


class RuleSwitchedOff(Exception):
    """The rule timed out before in this process and is not run again until the next start."""


class _RuleStopped(BaseException):
    """Raised inside a rule that overran its time, to stop it (a BaseException, so that a rule's
    ``except Exception`` does not swallow it)."""


def _stop(runner: "_RuleThread") -> bool:
    """Raise :class:`_RuleStopped` in the runner's thread and wait (bounded) for it to end. This stops
    a rule looping in Python; one blocked inside a C call stops when the call returns. True if it ended."""
    thread = runner.thread
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_RuleStopped))
    runner.close()  # should the rule have finished just now, the thread ends at its next job instead
    thread.join(STOP_SECONDS)
    return not thread.is_alive()


class _RuleThread:
    """One long-lived thread that runs rules one at a time, so a check of hundreds of
    organizations does not start a thread per rule. A rule that overruns its time is stopped
    (an exception raised in the thread, which then ends), so it does not go on competing with
    the next rules for the interpreter; the next rule gets a new thread."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, daemon=True, name="coordtui-rules")
        self.thread.start()

    def _serve(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                func, done, outcome = job
                try:
                    outcome["value"] = func()
                except _RuleStopped:
                    raise
                except BaseException as exc:  # carried to the caller
                    outcome["error"] = exc
                done.set()
        except _RuleStopped:
            return  # stopped after overrunning (or just as it finished): this thread takes no more rules

    def close(self) -> None:
        self._jobs.put(None)

    def run(self, func: Callable[[], Any], seconds: float) -> dict[str, Any] | None:
        done, outcome = threading.Event(), {}
        self._jobs.put((func, done, outcome))
        return outcome if done.wait(seconds) else None


_runner: _RuleThread | None = None
_runner_lock = threading.Lock()
#: Rules and obligations that timed out in this process: id(object) -> (object, what, why). Kept
#: with the object, so the same rule id from another plugin host or test is not affected.
_switched_off: dict[int, tuple[object, str, str]] = {}


def switched_off() -> list[tuple[object, str, str]]:
    """The rules and obligations switched off after a timeout, with what (check/duties) and why."""
    return list(_switched_off.values())


def _limited(func: Callable[[], Any], seconds: float) -> Any:
    """Run ``func`` with a time limit; raise RuleTimeout (after stopping it) when it does not answer in time."""
    global _runner
    with _runner_lock:  # one rule at a time per process: checks from several threads take turns
        if _runner is None or not _runner.thread.is_alive():
            _runner = _RuleThread()
        outcome = _runner.run(func, seconds)
        if outcome is None:
            stuck, _runner = _runner, None  # later rules get a fresh thread whatever happens
            _stop(stuck)
            raise RuleTimeout(f"no answer after {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _guarded(owner: object, what: str, func: Callable[[], Any], seconds: float) -> Any:
    """``func`` under the time limit, unless ``owner`` timed out before; a timeout switches it off."""
    off = _switched_off.get(id(owner))
    if off is not None and off[0] is owner and off[1] == what:
        raise RuleSwitchedOff(off[2])
    try:
        return _limited(func, seconds)
    except RuleTimeout as exc:
        _switched_off[id(owner)] = (owner, what, str(exc))
        raise


def run_rule(ctx: Context, rule: Rule, *, seconds: float | None = None) -> list[Finding]:
    try:
        found = list(_guarded(rule, "check", lambda: list(rule.check(ctx) or []), seconds or RULE_SECONDS))
    except Exception as exc:  # a broken or hanging rule is a finding, never a crash
        return [_rule_failed(ctx, rule.id, "check", exc)]
    bad = [f for f in found if not isinstance(f, Finding)]
    if bad:
        return [_rule_failed(ctx, rule.id, "check", TypeError(f"returned {type(bad[0]).__name__}, not Finding"))]
    return found


def run_obligation(ctx: Context, obligation: Obligation, *, seconds: float | None = None) -> tuple[list[DutyRow], list[Finding]]:
    try:
        duties = _guarded(obligation, "duties", lambda: list(obligation.duties(ctx) or []), seconds or RULE_SECONDS)
        if any(not isinstance(d, Duty) for d in duties):
            raise TypeError("duties() must yield Duty objects")
    except Exception as exc:
        return [], [_rule_failed(ctx, obligation.rule, "duties", exc)]
    at_risk_days = ctx.settings.at_risk_days
    # Duties falling due before the organization began to be tracked are not its to answer for:
    # dropped here once, so no model has to remember it (一律自跟踪起始日起计).
    start = ctx.tracking_start
    duties = [d for d in duties if d.due >= start]
    severities = {DutyStatus.OVERDUE: Severity.ERROR, DutyStatus.AT_RISK: Severity.WARNING, DutyStatus.LATE: obligation.late_severity}
    rows, findings = [], []
    for duty in duties:
        status = duty.status(ctx.as_of, at_risk_days)
        row = DutyRow(ctx.org.id, obligation.rule, obligation.title_zh, obligation.title_en, duty, status, ctx.as_of)
        rows.append(row)
        severity = severities.get(status)
        if severity is None:
            continue
        zh, en = duty_messages(duty, status, ctx.as_of)
        findings.append(
            ctx.finding(
                obligation.rule, severity, duty.subject, zh, en,
                period=duty.period,
                since=duty.due + timedelta(days=1) if status is DutyStatus.OVERDUE else None,
                provisional=duty.provisional, subject_kind=duty.subject_kind, subject_id=duty.subject_id,
            )
        )
    return rows, findings


def evaluate(
    ctx: Context,
    rules: Iterable[Rule],
    obligations: Iterable[Obligation],
    *,
    only: Callable[[str], bool] | None = None,
) -> CheckResult:
    """Every finding and duty of one organization as of ``ctx.as_of``."""
    result = CheckResult(ctx.as_of)
    for rule in rules:
        if only is None or only(rule.id):
            result.findings.extend(run_rule(ctx, rule))
    for obligation in obligations:
        if only is None or only(obligation.rule):
            rows, findings = run_obligation(ctx, obligation)
            result.duties.extend(rows)
            result.findings.extend(findings)
    result.sort()
    return result
