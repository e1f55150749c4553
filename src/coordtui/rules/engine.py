"""Runs every rule and obligation of a model over one organization as of a date.

Pure functions over data: records arrive through the :class:`Context`'s loader, so the
same code runs over the store, over an import file, or over a handful of records in a test.
"""

from __future__ import annotations

import ctypes
import mmap
import os

import pickle
import queue
import select
import signal
import struct
import threading
import time
from collections import Counter
from dataclasses import replace
from dataclasses import fields as dataclass_fields
from datetime import date, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable, Iterable

from coordtui.domain.model import Context, Obligation, Rule
from coordtui.domain.outcomes import _DUTY_NAMES, _RANK, CheckResult, Duty, DutyRow, DutyStatus, _finding_key, in_order, summarize  # noqa: F401 (their home before)
from coordtui.domain.periods import Period
from coordtui.domain.records import Finding, Severity, finding_from
from coordtui.rules.cache import render_fields, to_chunks
from coordtui.errors import StoreError, shown

try:
    import fcntl
except ImportError:  # (not on Windows, where no worker is forked either)
    fcntl = None  # type: ignore[assignment]


_STATUS_ZH = {
    DutyStatus.MET: "已完成",
    DutyStatus.LATE: "逾期完成",
    DutyStatus.DUE: "待办",
    DutyStatus.AT_RISK: "临期",
    DutyStatus.OVERDUE: "已逾期",
}


def status_label(status: DutyStatus, lang: str = "zh") -> str:
    return _STATUS_ZH[status] if lang == "zh" else status.value.replace("_", " ")


@lru_cache(maxsize=4096)
def _join_zh(period: str, what: str) -> str:
    """``2022年度`` + ``年度工作总结`` -> ``2022年度工作总结``: no word said twice where they meet.
    (Kept per pair: a check joins the same few periods and duties tens of thousands of times.)"""
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
        en = f"{head_en} not done{counted_en}; due {duty.due.isoformat()}, {days} day{'' if days == 1 else 's'} overdue"
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


def _rule_failed(ctx: Context, rule_id: str, what: str, exc: Exception, plugin: str | None = None) -> Finding:
    detail = shown(f"{type(exc).__name__}: {exc}", 300)
    subject = rule_id
    if plugin:
        rule_id = f"{rule_id} (plugin {plugin})"  # named in the message; the subject stays the rule
    if isinstance(exc, RuleSwitchedOff):
        return ctx.finding(
            "core.rule_timeout", Severity.ERROR, subject,
            f"规则 {rule_id} 此前运行超时（{exc}），已停用至程序重新启动，本次未运行；请联系该插件的维护者",
            f"rule {rule_id} timed out earlier ({exc}) and is switched off until coordtui starts again: not run; report it to the plugin's maintainer",
        )
    if isinstance(exc, RuleTimeout):
        return ctx.finding(
            "core.rule_timeout", Severity.ERROR, subject,
            f"规则 {rule_id} 运行超时（{exc}），已中止并停用至程序重新启动；请联系该插件的维护者",
            f"rule {rule_id} timed out ({exc}): stopped, and switched off until coordtui starts again; report it to the plugin's maintainer",
        )
    return ctx.finding(
        "core.rule_failed", Severity.ERROR, subject,
        f"规则 {rule_id} 执行出错（{what}）：{detail}；请联系该插件的维护者",
        f"rule {rule_id} failed ({what}): {detail}; report it to the plugin's maintainer",
    )


#: Seconds a rule may run before it is reported as hanging (``COORDTUI_RULE_SECONDS`` overrides).
RULE_SECONDS = float(os.environ.get("COORDTUI_RULE_SECONDS", "20"))

#: Seconds to wait for a stopped rule's thread to end before leaving it behind.
STOP_SECONDS = 2.0

#: Seconds a worker process may take to read one organization's files before its rules.
READ_SECONDS = max(120.0, RULE_SECONDS)
#: How often the parent looks at the item a worker sending an organization's findings whole is
#: in, and since when (see RuleWorker._progress), at most.
POLL_SECONDS = 0.2


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


#: True in a worker process of :func:`evaluate_isolated`: there the parent keeps the time.
_in_worker = False


def _limited(func: Callable[[], Any], seconds: float) -> Any:
    """Run ``func`` with a time limit; raise RuleTimeout (after stopping it) when it does not answer in time."""
    global _runner
    if _in_worker:
        return func()
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


def store_problem(ctx: Context, exc: StoreError) -> Finding:
    """The one finding for an organization whose files cannot be read: the store's problem
    (the file, and how to restore it), not every rule's."""
    return ctx.finding(
        "core.store_unreadable", Severity.ERROR, ctx.org.name,
        f"组织 {ctx.org.id} 未检查：数据文件无法读取：{exc.message_zh or exc.message}",
        f"organization {ctx.org.id} was not checked: {exc.message}",
    )


def run_rule(ctx: Context, rule: Rule, *, seconds: float | None = None, plugin: str | None = None) -> list[Finding]:
    try:
        found = list(_guarded(rule, "check", lambda: list(rule.check(ctx) or []), seconds or RULE_SECONDS))
    except StoreError:
        raise  # the store's problem, reported once by evaluate
    except Exception as exc:  # a broken or hanging rule is a finding, never a crash
        return [_rule_failed(ctx, rule.id, "check", exc, plugin)]
    bad = [f for f in found if not isinstance(f, Finding)]
    if bad:
        return [_rule_failed(ctx, rule.id, "check", TypeError(f"returned {type(bad[0]).__name__}, not Finding"), plugin)]
    return found


def _duty_problem(duty: Any) -> str | None:
    """What is wrong with a duty an obligation returned (a plugin's bug), or None."""
    if not isinstance(duty, Duty):
        return f"returned {type(duty).__name__}, not Duty"
    # The usual case first, in one expression (124,000 duties at 100,000 records); the checks
    # below name what is wrong when something is.
    required, done, period = duty.required, duty.done, duty.period
    if (type(duty.subject) is str and isinstance(duty.due, date) and type(duty.what_zh) is str
            and type(duty.what_en) is str and type(required) is int and required >= 0 and type(done) is list
            and (period is None or isinstance(period, Period)) and type(duty.provisional) is bool
            and type(duty.unit_zh) is str and type(duty.unit_en) is str
            and (duty.record_id is None or type(duty.record_id) is str)
            and (not done or all(isinstance(d, date) for d in done))):
        return None
    checks = (
        ("subject", isinstance(duty.subject, str)),
        ("due", isinstance(duty.due, date)),
        ("what_zh", isinstance(duty.what_zh, str)),
        ("what_en", isinstance(duty.what_en, str)),
        ("required", isinstance(duty.required, int) and not isinstance(duty.required, bool) and duty.required >= 0),
        ("done", isinstance(duty.done, list) and all(isinstance(d, date) for d in duty.done)),
        ("period", duty.period is None or isinstance(duty.period, Period)),
        ("provisional", isinstance(duty.provisional, bool)),
        ("unit_zh", isinstance(duty.unit_zh, str)),
        ("unit_en", isinstance(duty.unit_en, str)),
        ("record_id", duty.record_id is None or isinstance(duty.record_id, str)),
    )
    for name, ok in checks:
        if not ok:
            return f"a Duty's {name} is {shown(repr(getattr(duty, name)), 60)}"
    return None


def _as_of(duty: Duty, as_of: date) -> Duty:
    """The duty as it stood on ``as_of``: a record dated after it had not happened yet, so it
    neither counts nor meets the duty (no "0 short" on a duty that is not met)."""
    if not duty.done or max(duty.done) <= as_of:  # (most owe nothing done yet, or all of it before)
        return duty
    return replace(duty, done=[d for d in duty.done if d <= as_of])


def run_obligation(ctx: Context, obligation: Obligation, *, seconds: float | None = None,
                   plugin: str | None = None, rows: bool = True,
                   rendered: "tuple[list[list[Any]], list[bytes]] | None" = None) -> tuple[list[DutyRow], list[Finding]]:
    """The duties' rows and the findings of their shortfalls (``rows=False``: the findings only,
    for a caller that reads no rows).

    ``rendered=(kept_rows, chunks)``: the findings are not made, but appended there as
    :func:`coordtui.rules.cache.to_chunks` would give them (each one's row and JSON, the same
    bytes), for a caller that only writes them out (a rules worker of ``coordtui check``: 54,000
    findings of duties at 100,000 records, each made, then read field by field, then let go);
    the list of findings returned is then empty."""
    want_rows = rows
    try:
        duties = _guarded(obligation, "duties", lambda: list(obligation.duties(ctx) or []), seconds or RULE_SECONDS)
    except StoreError:
        raise
    except Exception as exc:
        return [], [_rule_failed(ctx, obligation.rule, "duties", exc, plugin)]
    failed: list[Finding] = []
    problems = [p for p in map(_duty_problem, duties) if p]
    if problems:
        # The well-formed duties still count; the plugin's bug is one finding naming it.
        duties = [d for d in duties if _duty_problem(d) is None]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        failed.append(_rule_failed(ctx, obligation.rule, "duties", TypeError(problems[0] + more), plugin))
    at_risk_days = ctx.core.at_risk_days
    # A tracking start covers the period it falls in and every later one (一律自跟踪起始日起计):
    # a duty of a period that ended before it (2024's annual report, due in January 2025, for an
    # organization tracked from 2025-01-01), or one falling due before it, is not the
    # organization's to answer for. Dropped here once, so no model has to remember it, and the
    # dashboard, check, reminders and calendar (all fed from these rows) agree.
    start = ctx.tracking_start
    duties = [_as_of(d, ctx.as_of) for d in duties if d.due >= start and (d.period is None or d.period.end >= start)]
    severities = {DutyStatus.OVERDUE: Severity.ERROR, DutyStatus.AT_RISK: Severity.WARNING, DutyStatus.LATE: obligation.late_severity}
    rule, org = obligation.rule, ctx.org.id
    rows, findings = [], []
    for duty in duties:
        status = duty.status(ctx.as_of, at_risk_days)
        if want_rows:
            rows.append(DutyRow(ctx.org.id, obligation.rule, obligation.title_zh, obligation.title_en, duty, status, ctx.as_of))
        severity = severities.get(status)
        if severity is None:
            continue
        zh, en = duty_messages(duty, status, ctx.as_of)
        since = duty.due + timedelta(days=1) if status is DutyStatus.OVERDUE else None
        kind, subject_id = duty.subject_kind, duty.subject_id
        if (rendered is not None and type(rule) is str and type(org) is str and (kind is None or type(kind) is str)
                and (subject_id is None or type(subject_id) is str) and (since is None or type(since) is date)):
            # Every value exactly of its field's type, as make_finding would take it unvalidated.
            if severity.__class__ is not Severity:
                severity = Severity(severity)
            period = str(duty.period) if duty.period is not None else None
            chunk = render_fields(rule, severity._value_, org, duty.subject, period, zh, en, kind, subject_id,
                                  since, duty.provisional)
            rendered[0].append([severity._value_, org, rule, duty.subject, period, kind, subject_id, len(chunk)])
            rendered[1].append(chunk)
            continue
        found = ctx.finding(rule, severity, duty.subject, zh, en, period=duty.period, since=since,
                            provisional=duty.provisional, subject_kind=kind, subject_id=subject_id)
        if rendered is None:
            findings.append(found)
        else:
            keep_rendered(rendered, [found])
    if rendered is not None:
        keep_rendered(rendered, failed)
        return rows, []
    return rows, findings + failed


def keep_rendered(rendered: tuple[list[list[Any]], list[bytes]], findings: Iterable[Finding]) -> None:
    """``findings`` appended to ``rendered`` as :func:`run_obligation` appends its own."""
    kept_rows, chunks = to_chunks(findings)
    rendered[0].extend(kept_rows)
    rendered[1].extend(chunks)


def evaluate(
    ctx: Context,
    rules: Iterable[Rule],
    obligations: Iterable[Obligation],
    *,
    only: Callable[[str], bool] | None = None,
    plugin_of: Callable[[Rule | Obligation], str | None] | None = None,
    isolate: "bool | RuleWorker" = False,
) -> CheckResult:
    """Every finding and duty of one organization as of ``ctx.as_of``.

    A store file that cannot be read is one finding (``core.store_unreadable``) naming the
    file and how to restore it, and nothing else of the organization is judged. ``plugin_of``
    names the plugin of a rule in the findings about it. ``isolate``: run the rules in a worker
    process (:func:`evaluate_isolated`, or the :class:`RuleWorker` given), where even a rule
    stuck in C code can be stopped."""
    if isinstance(isolate, RuleWorker):
        return isolate.evaluate(ctx)  # (made with this organization's rules)
    if isolate:
        rules = [r for r in rules if only is None or only(r.id)]
        obligations = [o for o in obligations if only is None or only(o.rule)]
        return evaluate_isolated(ctx, rules, obligations, plugin_of=plugin_of)
    result = CheckResult(ctx.as_of)
    try:
        for rule in rules:
            if only is None or only(rule.id):
                result.findings.extend(run_rule(ctx, rule, plugin=plugin_of(rule) if plugin_of else None))
        for obligation in obligations:
            if only is None or only(obligation.rule):
                rows, findings = run_obligation(ctx, obligation, plugin=plugin_of(obligation) if plugin_of else None)
                result.duties.extend(rows)
                result.findings.extend(findings)
    except StoreError as exc:
        return CheckResult(ctx.as_of, [store_problem(ctx, exc)])
    result.sort()
    return result


# Rules in a worker process -----------------------------------------------------------------
# A rule stuck inside C code (a regular expression backtracking for ever) holds the interpreter
# lock: no other thread runs, so neither the time limit above nor the application's screen can
# act. A process can always be killed. So a check forks a worker per organization (copy-on-write:
# the records already parsed are shared, nothing is copied), which runs the rules one by one and
# sends each result back pickled; the parent waits for each at most the rule's time, kills the
# worker when one overruns, and goes on with the next rule in a fresh worker.


def can_isolate() -> bool:
    """Whether rules can run in a worker process here (fork exists; ``COORDTUI_RULES_IN_PROCESS=1`` says no)."""
    return hasattr(os, "fork") and os.environ.get("COORDTUI_RULES_IN_PROCESS") != "1"


def _send(fd: int, message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("!Q", len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


class _Reader:
    """Length-prefixed pickles from a worker's pipe, each wait bounded."""

    #: The buffer's size to begin with (it doubles as messages need).
    SIZE = 1 << 16

    def __init__(self, fd: int) -> None:
        #: What was read and not yet returned: ``buffer[start:end]``. The pipe is read straight
        #: into the buffer, which is kept for the next messages (grown to the largest, never
        #: made anew): a worker's results at 100,000 records are 47 MB, and reading them a
        #: megabyte at a time into new bytes, then appending those to the buffer, touched
        #: fresh memory twice (a page fault each 4 KB: 23,000, a tenth of a second).
        self.fd, self.buffer, self.start, self.end = fd, bytearray(), 0, 0

    def next(self, deadline: float | None) -> Any:
        """The next message; None at end of file; TimeoutError when ``deadline`` passes first
        (None: the worker waits for its parent's next command as long as it takes)."""
        while True:
            buffer, start, end = self.buffer, self.start, self.end
            needed = 8
            if end - start >= 8:
                size = struct.unpack_from("!Q", buffer, start)[0]
                needed = 8 + size
                if end - start >= needed:
                    with memoryview(buffer) as view:
                        message = pickle.loads(view[start + 8:start + needed])
                    self.start = start = start + needed
                    if start == end:
                        self.start = self.end = 0
                    return message
            if start + needed > len(buffer):  # room for the whole message, from the buffer's start
                if start:
                    buffer[:end - start] = buffer[start:end]
                    self.start, self.end = 0, end - start
                if needed > len(buffer):
                    buffer.extend(bytes(max(needed, self.SIZE, 2 * len(buffer)) - len(buffer)))
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                ready, _, _ = select.select([self.fd], [], [], left)
                if not ready:
                    raise TimeoutError
            with memoryview(buffer) as view:
                got = os.readv(self.fd, [view[self.end:]])
            if not got:
                return None
            self.end += got


def _mark(progress: "mmap.mmap | None", index: int) -> None:
    """(In a worker.) Say in ``progress`` that item ``index`` starts now: one 8-byte word, the
    moment (CLOCK_MONOTONIC, the same in every process, in microseconds) and the index."""
    if progress is not None:
        struct.pack_into("=q", progress, 0, (int(time.monotonic() * 1e6) << 16) | (index & 0xFFFF))


def _marked(progress: "mmap.mmap | None") -> tuple[int, float]:
    """(the item a worker marked last, since when): read until two readings agree (the word is
    written at once where the machine writes 8 aligned bytes at once, as those it runs on do)."""
    if progress is None:
        return -1, time.monotonic()
    word = struct.unpack_from("=q", progress, 0)[0]
    while True:
        again = struct.unpack_from("=q", progress, 0)[0]
        if again == word:
            return word & 0xFFFF, (word >> 16) / 1e6
        word = again


def _widen(fd: int) -> None:
    """A pipe of a megabyte where the system allows (Linux; 64 KiB otherwise): a worker then
    rarely waits, in the middle of a result, for the parent to read the rest (the parent reads
    for two workers in one interpreter)."""
    size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if size is None:
        return
    try:
        fcntl.fcntl(fd, size, 1 << 20)
    except OSError:  # above the system's limit for this user: the pipe stays as it was
        pass


_DUTY_FIELDS = tuple(f.name for f in dataclass_fields(Duty))
#: A kept finding's row (cache.to_chunks): its severity, its rule.
_SEVERITY_OF, _RULE_OF = itemgetter(0), itemgetter(2)


def _pack(findings: list[Finding], rows: list[DutyRow]) -> tuple:
    """Results as plain tuples: pickling pydantic models and dataclasses field by field cost
    more than the rules themselves (10,000 records: 0.75 s against 0.3 s)."""
    return ([tuple(f.__dict__.values()) for f in findings],
            [(r.org, r.rule, r.obligation_zh, r.obligation_en, tuple(getattr(r.duty, n) for n in _DUTY_FIELDS), r.status.value, r.as_of)
             for r in rows])


_STATUS = {s.value: s for s in DutyStatus}

def _unpack(packed: tuple) -> tuple[list[Finding], list[DutyRow]]:
    findings, rows = packed
    # finding_from: a Finding from its field values in order, not validated again (they were when it
    # was made; 84,000 findings of a check at 100,000 records: 1.1 s with model_construct)
    return ([finding_from(v) for v in findings],
            [DutyRow(org, rule, zh, en, Duty(*duty), _STATUS[status], as_of) for org, rule, zh, en, duty, status, as_of in rows])


class RuleWorker:
    """A worker process for one check: forked once the contexts of every organization to check
    exist (and their records are parsed), so they are shared copy-on-write rather than copied; it
    runs the rules of one organization at a time, as :meth:`evaluate` asks. A rule that overruns
    its time is killed with the process, and the next rule goes on in a fresh one."""

    def __init__(self, jobs: list[tuple[Context, list[Rule], list[Obligation]]],
                 plugin_of: Callable[[Rule | Obligation], str | None] | None = None, seconds: float | None = None,
                 prepare: Callable[[Context], None] | None = None, duties: bool = True, rendered: bool = False,
                 keep: Callable[[Context, list, bytes], None] | None = None, blocks: bool = False) -> None:
        #: ``prepare(ctx)``, run in the worker before an organization's first rule (reading and
        #: parsing its files there, so that the parent need not hold them): a StoreError it
        #: raises is the organization's one finding, as from a rule.
        self.prepare = prepare
        #: False: the duties' rows are not sent back, only the findings (``coordtui check``
        #: prints no duties: 124,000 rows at 100,000 records, more to carry than the findings).
        self.duties = duties
        #: True: each finding comes back as its JSON (:func:`coordtui.rules.cache.render`, made in
        #: the worker) and is a :class:`~coordtui.rules.cache.KeptFinding` here, for a caller that
        #: only writes findings out (``coordtui check``): the parent, which waits for both workers
        #: in one interpreter, then neither rebuilds nor renders them (84,000 at 100,000 records).
        self.rendered = rendered
        #: With ``rendered``: ``keep(ctx, rows, blob)``, run in the worker once every rule and
        #: obligation of an organization has answered and none failed (no ``core.*`` finding),
        #: with its findings as :func:`~coordtui.rules.cache.to_rows` gives them, sorted as
        #: :meth:`CheckResult.sort` sorts them: to write the organization's result to the disk
        #: cache there, in parallel, not in the parent. Done before the last result is sent, so
        #: the parent, which ends the worker when the check is over, never cuts it short.
        self.keep = keep if rendered else None
        #: With ``rendered`` (and no duties): each organization's findings come back whole with
        #: its last result, as :class:`~coordtui.rules.cache.FindingBlock` (one per severity,
        #: sorted in the worker): for ``coordtui check --format json`` where the person sees every
        #: finding (no scope to filter them by): the parent then holds, sorts and writes 700 of
        #: them, not 84,000 findings, at 100,000 records.
        self.blocks = blocks and rendered and not duties
        #: With ``blocks``: where the worker is (the item it runs and since when: :func:`_mark`),
        #: in memory it shares with this process, for its items send nothing until the last (a
        #: message each was a wake-up of this process each, 2,700 at 100,000 records).
        self._progress = mmap.mmap(-1, 8) if self.blocks else None
        self.seconds = seconds or RULE_SECONDS
        self.contexts = [ctx for ctx, _, _ in jobs]
        self.items = [[("check", r, plugin_of(r) if plugin_of else None) for r in rules]
                      + [("duties", o, plugin_of(o) if plugin_of else None) for o in obligations]
                      for _, rules, obligations in jobs]
        self._job = {id(ctx): n for n, ctx in enumerate(self.contexts)}
        self.pid = 0
        self._closing = threading.Lock()

    def __enter__(self) -> "RuleWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Fork the worker now (else it is forked when first asked): from the thread that
        should, before any other thread of a check exists."""
        if not self.pid:
            self._start()

    def _start(self) -> None:
        cmd_read, cmd_write = os.pipe()
        out_read, out_write = os.pipe()
        _widen(out_write)
        pid = os.fork()
        if pid == 0:  # the worker: nothing of the parent's is flushed or run at exit
            try:
                os.close(cmd_write)
                os.close(out_read)
                self._serve(cmd_read, out_write)
            finally:
                os._exit(0)
        os.close(cmd_read)
        os.close(out_write)
        self.pid, self._cmd, self._reader = pid, cmd_write, _Reader(out_read)

    def close(self) -> None:
        """End the worker (killed: it may be inside a rule) and reap it. Once, whichever of two
        threads asks (a check interrupted closes its workers while their threads may, too)."""
        with self._closing:
            if self.pid:
                _end(self.pid)
                os.close(self._cmd)
                os.close(self._reader.fd)
                self.pid = 0

    def _serve(self, cmd_fd: int, out_fd: int) -> None:
        global _in_worker
        _in_worker = True
        commands = _Reader(cmd_fd)
        while True:
            command = commands.next(None)
            if command is None:
                return
            job, start, *more = command
            # ("blocks": the organization's findings come back whole, as FindingBlocks, with its
            # last result; "items": each result's with it. skip: the items a worker that died or
            # hung in before was stopped in, reported by the parent.)
            mode, skip = more if more else ("items", frozenset())
            ctx = self.contexts[job]
            if start == 0 and self.prepare is not None:
                _send(out_fd, ("reading",))
                try:
                    self.prepare(ctx)
                except StoreError as exc:
                    _send(out_fd, ("store", exc.message, exc.message_zh))
                    continue
            # An organization's results, to keep or to send whole: only from its first rule on, in one worker.
            blocks = mode == "blocks" and start == 0 and not skip
            kept: list | None = [] if (self.keep is not None or blocks) and start == 0 and not skip else None
            for index in range(start, len(self.items[job])):
                what, item, plugin = self.items[job][index]
                if blocks:
                    _mark(self._progress, index)
                if index == start:  # (each later one is said by the "done" of the one before it, or by the mark)
                    _send(out_fd, ("start", index))
                if index in skip:
                    _send(out_fd, ("done", index, None))
                    continue
                try:
                    rendered: tuple[list, list] | None = ([], []) if self.rendered and what == "duties" else None
                    if what == "check":
                        result = run_rule(ctx, item, plugin=plugin)
                    else:
                        result = run_obligation(ctx, item, plugin=plugin, rows=self.duties, rendered=rendered)
                except StoreError as exc:
                    _send(out_fd, ("store", exc.message, exc.message_zh))
                    break
                findings, rows = (result, []) if what == "check" else (result[1], result[0])
                try:
                    if self.rendered:  # each finding's row and JSON (those of duties made as they were found)
                        found = rendered if rendered is not None else to_chunks(findings)
                        if kept is not None:
                            kept.append(found)
                    order = None
                    if kept is not None and index == len(self.items[job]) - 1:
                        order = self._keep(ctx, kept, blocks)
                        if blocks:
                            _send(out_fd, ("done", index, order))
                            continue
                    if blocks:  # (all of them come with the last; the mark says which item it is in)
                        continue
                    duty_rows = _pack([], rows if self.duties else [])[1]
                    packed = ("rendered", found[0], b"".join(found[1]), duty_rows) if self.rendered else (
                        _pack(findings, rows if self.duties else []))
                    _send(out_fd, ("done", index, packed) if order is None else ("done", index, packed, order))
                except Exception as exc:  # a result that cannot be pickled: the plugin's
                    _send(out_fd, ("done", index, _pack([_rule_failed(ctx, _item_id(item), what, exc, plugin)], [])))
            else:
                if start >= len(self.items[job]):  # (else the last "done" says the organization is done)
                    if kept is not None:
                        self._keep(ctx, kept, False)
                    _send(out_fd, ("end",))

    def _in(self, mode: str, current: int | None) -> int | None:
        """The item the worker was in when it died or hung: with findings sent whole, the one its
        mark names (written before each item), else ``current`` (said by its messages)."""
        return _marked(self._progress)[0] if mode == "blocks" and current is not None else current

    def _next_marked(self, current: int) -> tuple[Any, int]:
        """(the next message, the item the worker is in) while it runs an organization's items
        sending nothing until the last: TimeoutError once one item has run for longer than
        :attr:`seconds` (its mark says which, and since when), the item it is in then named."""
        while True:
            try:
                return self._reader.next(time.monotonic() + min(POLL_SECONDS, self.seconds)), current
            except TimeoutError:
                index, since = _marked(self._progress)
                if index >= current:  # (a mark of this organization's: each item marks it before it runs)
                    current = index
                    if time.monotonic() - since > self.seconds:
                        raise
                # (else a mark of the organization before, not yet written over: the item said started runs)

    def _keep(self, ctx: Context, kept: list[tuple[list, list[bytes]]], blocks: bool) -> Any:
        """``keep`` the organization's findings, unless a rule or obligation failed; a keep that
        fails is left out (the cache is disposable; the findings still go to the parent). What
        the parent then needs not do again: the order they were kept in (each finding's place
        among the organization's, as they were sent; None where none was), or with ``blocks``
        them all, sorted, severity by severity (``("blocks", [(severity, count, their JSONs
        joined as the check writes them)], whether a rule or obligation failed)``)."""
        rows = [row for item_rows, _ in kept for row in item_rows]
        pieces = [chunk for _, chunks in kept for chunk in chunks]
        failed = any(rule.startswith("core.") for rule in set(map(_RULE_OF, rows)))
        if (failed and not blocks) or len(pieces) != len(rows):
            return None
        # Sorted as CheckResult.sort sorts findings, by the rows' own fields (a row is what
        # cache.to_chunks makes: severity, org, rule, subject, period, subject's kind, its id, the
        # length of its JSON), each finding's JSON as it was made, none rebuilt or rendered again.
        try:
            keys = [(_RANK[row[0]], row[1], row[2], row[4] or "", row[6] or row[3]) for row in rows]
            order = sorted(range(len(rows)), key=keys.__getitem__)
        except (KeyError, IndexError, TypeError, ValueError):  # (rows made by to_chunks in this process: never)
            return None
        ordered = [pieces[n] for n in order]
        if not failed and self.keep is not None:
            try:
                self.keep(ctx, [rows[n] for n in order], b"".join(ordered))
            except Exception:  # (write_cache_file says nothing of a folder it cannot write)
                pass
        if not blocks:
            return order
        # The severities follow each other in their rank's order: each one's findings are a run.
        counts = Counter(map(_SEVERITY_OF, rows))
        runs, at = [], 0
        for severity in sorted(counts, key=_RANK.__getitem__):
            runs.append((severity, counts[severity], b",\n".join(ordered[at:at + counts[severity]])))
            at += counts[severity]
        return ("blocks", runs, failed)

    def _unpacked(self, packed: tuple) -> tuple[list, list[DutyRow]]:
        if len(packed) == 4 and packed[0] == "rendered":
            from coordtui.rules.cache import from_rows

            _, kept_rows, blob, rows = packed
            found = from_rows(kept_rows, blob, shared=False)  # (one pickle shares its strings already)
            if found is None:  # (made by to_chunks in the worker: never)
                raise StoreError("a rules worker sent findings of another shape")
            return found, _unpack(([], rows))[1]
        return _unpack(packed)

    def evaluate(self, ctx: Context) -> CheckResult:
        """The findings and duties of one of the organizations the worker was made for."""
        from coordtui.rules.cache import FindingBlock

        job = self._job[id(ctx)]
        items = self.items[job]
        result = CheckResult(ctx.as_of)
        start = 0
        first = self.prepare is not None  # (its files are read even when it has no rules at all)
        #: The order the worker kept the findings in (see _keep): theirs, when every result of
        #: the organization came from one worker process in one go (else they are sorted here).
        order: list[int] | None = None
        whole = True
        #: "blocks": every finding comes with the last result, severity by severity (see
        #: FindingBlock); where the worker dies or hangs before, they are asked for again item by
        #: item ("items"), the item it stopped in skipped (its finding says what befell it).
        mode = "blocks" if self.blocks else "items"
        skip: set[int] = set()
        blocks: list[FindingBlock] | None = None
        while start < len(items) or first:
            first = False
            if not self.pid:
                self._start()
            current = None
            reading = False
            failed: int | None = None
            try:
                _send(self._cmd, (job, start, mode, frozenset(skip)))
                while True:
                    wait = READ_SECONDS if reading else self.seconds if current is not None else self.seconds + STOP_SECONDS
                    try:
                        if mode == "blocks" and current is not None and not reading:
                            message, current = self._next_marked(current)
                        else:
                            message = self._reader.next(time.monotonic() + wait)
                    except TimeoutError:
                        if not reading:
                            raise
                        self.close()
                        return CheckResult(ctx.as_of, [store_problem(ctx, StoreError(
                            f"its files were not read within {READ_SECONDS:g} s (a file system not answering?)",
                            message_zh=f"其数据文件未能在 {READ_SECONDS:g} 秒内读取（文件系统无响应？）"))])
                    reading = message is not None and message[0] == "reading"
                    if message is None:  # the worker died (inside a rule, or before it)
                        current = self._in(mode, current)
                        self.close()
                        failed = current if current is not None else start
                        what, item, plugin = items[failed]
                        result.findings.append(_rule_failed(ctx, _item_id(item), what, RuntimeError("its worker process died"), plugin))
                        break
                    if message[0] == "start":
                        current = message[1]
                    elif message[0] == "done":
                        payload = message[2]
                        if type(payload) is tuple and len(payload) == 3 and payload[0] == "blocks":
                            blocks = [FindingBlock(Severity(severity), ctx.org.id, count, joined, payload[2])
                                      for severity, count, joined in payload[1]]
                        elif payload is not None:  # (None: an item skipped, or held for the last result)
                            findings, rows = self._unpacked(payload)
                            result.findings.extend(findings)
                            result.duties.extend(rows)
                        # The worker goes on with the next item at once: its "done" says that
                        # one started (a message each, not two: every write wakes this process).
                        if message[1] + 1 == len(items):  # and after the last, the organization is done
                            if len(message) == 4 and whole and start == 0:
                                order = message[3]
                            start = len(items)
                            break
                        current = message[1] + 1
                    elif message[0] == "end":
                        start = len(items)
                        break
                    elif message[0] == "store":
                        return CheckResult(ctx.as_of, [store_problem(ctx, StoreError(message[1], message_zh=message[2]))])
            except BrokenPipeError:  # the worker had died before it took the command
                self.close()
                failed = start
                what, item, plugin = items[start]
                result.findings.append(_rule_failed(ctx, _item_id(item), what, RuntimeError("its worker process died"), plugin))
            except TimeoutError:
                current = self._in(mode, current)
                self.close()
                failed = current if current is not None else start
                what, item, plugin = items[failed]
                why = f"no answer after {self.seconds:g} s"
                _switched_off[id(item)] = (item, what, why)  # the next worker (forked now) knows it too
                result.findings.append(_rule_failed(ctx, _item_id(item), what, RuleTimeout(why), plugin))
            if failed is not None:
                whole = False
                if mode == "blocks":  # what came before it was held for the last result: asked for again
                    mode, start = "items", 0
                    skip.add(failed)
                else:
                    start = failed + 1
            elif mode == "blocks" and blocks is None and start >= len(items) and items:
                mode, start = "items", 0  # (no blocks came: never, from this code; then item by item)
        if blocks is not None and whole:
            result.findings = blocks  # (sorted in the worker)
        elif order is not None and len(order) == len(result.findings):
            found = result.findings
            result.findings = [found[n] for n in order]
        else:
            result.sort()
        return result


def _end(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def evaluate_isolated(ctx: Context, rules: Iterable[Rule], obligations: Iterable[Obligation], *,
                      plugin_of: Callable[[Rule | Obligation], str | None] | None = None,
                      seconds: float | None = None) -> CheckResult:
    """:func:`evaluate` in a worker process of its own, which is killed when a rule overruns its time."""
    with RuleWorker([(ctx, list(rules), list(obligations))], plugin_of, seconds) as worker:
        return worker.evaluate(ctx)


def _item_id(item: Rule | Obligation) -> str:
    return item.id if isinstance(item, Rule) else item.rule
