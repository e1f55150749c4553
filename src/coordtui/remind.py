"""Reminders (到期提醒) and personal calendar feeds (日历订阅).

A reminder for a person is computed through a workspace opened *as that person*, so it
holds only what their roles and scopes let them see (the policy lives in the workspace;
nothing here filters). What was delivered each day is kept in the store (``people.json``'s
``sent`` table, through :class:`~coordtui.store.PutSent`), so a second run on the same day
sends nothing new, and a failed delivery is kept too (with its reason, in the history) and
tried again by the next run.

Server settings live in the store's ``meta.json`` (``coordtui config smtp.host ...``); the
SMTP password lives in a file only its owner can read (0600), named by ``smtp.password-file``
(default ``~/.config/coordtui/smtp-password``, outside the store, so a copy or a backup of
the store carries no secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import smtplib
import ssl
import stat
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from coordtui.access.actor import resolve_actor
from coordtui.access.identity import person_of, require_person
from coordtui.domain.model import DutyStatus
from coordtui.errors import AccessError, InputError
from coordtui.i18n import os_reason, t
from coordtui.rules.engine import DutyRow, _join_zh
from coordtui.store import PutSent, Store

if TYPE_CHECKING:
    from coordtui.access.people import Person
    from coordtui.plugins import PluginHost
    from coordtui.workspace import Workspace

#: Settings ``coordtui config`` accepts for reminders, kept in meta.json under ``remind``.
SETTINGS = ("smtp.host", "smtp.port", "smtp.starttls", "smtp.user", "smtp.from", "smtp.password-file")
DEFAULT_PASSWORD_FILE = Path("~/.config/coordtui/smtp-password")
#: Seconds one connection may take, attempts per delivery, and the pause between attempts
#: (doubled each time): a server down for a moment is tried again, one that stays down costs
#: each person at most ATTEMPTS × TIMEOUT + the pauses, never the whole run.
TIMEOUT = 10.0
ATTEMPTS = 3
PAUSE = 1.0


# settings ----------------------------------------------------------------------------------

def settings(store: Store) -> dict[str, Any]:
    return dict(store.meta().get("remind") or {})


def set_setting(store: Store, name: str, value: str) -> str:
    """Change one reminder setting ('' removes it). Returns what is now in force, for the user."""
    current = settings(store)
    if value == "":
        current.pop(name, None)
    elif name == "smtp.port":
        if not value.isdigit() or not 0 < int(value) < 65536:
            raise InputError(f"config smtp.port {value[:20]!r}: not a port number: for example 'config smtp.port 587'",
                             message_zh=f"config smtp.port {value[:20]!r}：不是端口号，例如 config smtp.port 587")
        current[name] = int(value)
    elif name == "smtp.starttls":
        if value not in ("yes", "no"):
            raise InputError(f"config smtp.starttls {value[:20]!r}: say yes or no",
                             message_zh=f"config smtp.starttls {value[:20]!r}：请填 yes 或 no")
        current[name] = value == "yes"
    else:
        current[name] = value
    store.set_meta(remind=current or None)
    return describe_setting(store, name)


def describe_setting(store: Store, name: str, lang: str = "en") -> str:
    value = settings(store).get(name)
    if name == "smtp.password-file" and value is None:
        return t("out.setting_default", lang, value=DEFAULT_PASSWORD_FILE)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return t("out.setting_unset", lang) if value is None else str(value)


def smtp_password(store: Store) -> str | None:
    """The SMTP password from its file; None when no login is configured. The file must be
    the owner's alone (0600): one readable by others is refused rather than used."""
    if not settings(store).get("smtp.user"):
        return None
    path = Path(settings(store).get("smtp.password-file") or DEFAULT_PASSWORD_FILE).expanduser()
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the SMTP password ({exc.strerror}): write it there, mode 0600, "
                         "or name the file with 'coordtui config smtp.password-file PATH'",
                         message_zh=f"{path}：无法读取 SMTP 密码（{os_reason(exc)}）：请将密码写入该文件（权限 0600），"
                                    "或用 coordtui config smtp.password-file PATH 指定") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(f"{path}: the SMTP password file is readable by others (mode {stat.S_IMODE(info.st_mode):04o}): "
                         f"run 'chmod 600 {path}' and try again",
                         message_zh=f"{path}：SMTP 密码文件他人可读（权限 {stat.S_IMODE(info.st_mode):04o}）：请执行 chmod 600 {path} 后重试")
    return text.strip()


# what to tell whom ------------------------------------------------------------------------

#: The statuses a reminder speaks of, worst first.
ORDER = {DutyStatus.OVERDUE: 0, DutyStatus.AT_RISK: 1, DutyStatus.DUE: 2}


def wanted(row: DutyRow, as_of: date) -> bool:
    """Overdue, within the at-risk window, or (whatever the window) due tomorrow."""
    if row.status in (DutyStatus.OVERDUE, DutyStatus.AT_RISK):
        return True
    return row.status is DutyStatus.DUE and row.duty.due == as_of + timedelta(days=1)


def line(row: DutyRow, as_of: date, lang: str = "zh") -> str:
    """One duty as a cadre writes it: 第四协作组：2026年第三季度协作活动已逾期62天（应于2026-09-30前）."""
    duty = row.duty
    shown = duty.period if duty.period is not None and duty.period_in_message else None
    if lang == "zh":
        what = _join_zh(shown.label("zh") if shown else "", duty.what_zh)
        unit = duty.unit_zh
    else:
        what = duty.what_en + (f" for {shown.label('en')}" if shown else "")
        unit = f" {duty.unit_en}" if duty.unit_en else ""
    missing = duty.required - duty.count
    count = t("remind.count", lang, missing=missing, unit=unit) if duty.required > 1 and missing > 0 else ""
    values = {"subject": duty.subject, "what": what, "due": duty.due.isoformat(), "count": count}
    if row.status is DutyStatus.OVERDUE:
        days = (as_of - duty.due).days
        text = t("remind.overdue_one_day" if days == 1 else "remind.overdue", lang, days=days, **values)
    elif duty.due == as_of + timedelta(days=1):
        text = t("remind.tomorrow", lang, **values)
    else:
        text = t("remind.at_risk", lang, days=(duty.due - as_of).days, **values)
    return text + (t("remind.provisional", lang) if duty.provisional else "")


@dataclass
class Reminder:
    """What one person is told: their duties, grouped by organization."""

    person: "Person"
    as_of: date
    #: organization name -> the lines about it, worst first
    groups: dict[str, list[str]] = field(default_factory=dict)
    overdue: int = 0
    at_risk: int = 0

    @property
    def lines(self) -> list[str]:
        return [text for lines in self.groups.values() for text in lines]

    def subject(self, lang: str = "zh") -> str:
        return t("remind.subject", lang, as_of=self.as_of.isoformat(), overdue=self.overdue, at_risk=self.at_risk)

    def body(self, lang: str = "zh", only: set[str] | None = None) -> str:
        """The message, optionally with only the lines in ``only`` (those not yet sent today)."""
        parts = [t("remind.greeting", lang, name=self.person.shown(), as_of=self.as_of.isoformat()), ""]
        for org_name, lines in self.groups.items():
            kept = [x for x in lines if only is None or x in only]
            if not kept:
                continue
            parts.append(f"【{org_name}】" if lang == "zh" else f"[{org_name}]")
            parts.extend(f"{n}. {text}" for n, text in enumerate(kept, start=1))
            parts.append("")
        parts.append(t("remind.footer", lang))
        return "\n".join(parts)


def person_workspace(store: Store, host: "PluginHost", name: str) -> "Workspace":
    """A workspace opened as the person ``name`` (their roles and scopes), on its own Store
    object so that the caller's store keeps its own author for the history."""
    from coordtui.workspace import Workspace

    own = Store(store.root)
    return Workspace(own, host, actor=resolve_actor(own, name))


def reminder_for(store: Store, host: "PluginHost", person: "Person", as_of: date, lang: str = "zh") -> Reminder:
    ws = person_workspace(store, host, person.name)
    result = ws.check(as_of)
    names = {o.id: o.name for o in ws.orgs()}
    by_org: dict[str, list[DutyRow]] = defaultdict(list)
    for row in result.duties:
        if wanted(row, as_of):
            by_org[row.org].append(row)
    reminder = Reminder(person, as_of)
    for org_id in sorted(by_org):
        rows = sorted(by_org[org_id], key=lambda r: (ORDER[r.status], r.duty.due, r.duty.subject, r.rule))
        reminder.groups[names.get(org_id, org_id)] = [line(r, as_of, lang) for r in rows]
        reminder.overdue += sum(r.status is DutyStatus.OVERDUE for r in rows)
        reminder.at_risk += sum(r.status is not DutyStatus.OVERDUE for r in rows)
    return reminder


def reminders(store: Store, host: "PluginHost", as_of: date, lang: str = "zh") -> list[Reminder]:
    """Every person with a contact point and something to be told, by login name."""
    found = []
    for doc in sorted(store.people(), key=lambda d: d["name"]):
        person = person_of(store, doc)
        if not (person.email or person.webhook):
            continue
        try:
            reminder = reminder_for(store, host, person, as_of, lang)
        except AccessError:
            continue  # removed since the list was read: they have nothing to be told
        if reminder.lines:
            found.append(reminder)
    return found


# delivery ----------------------------------------------------------------------------------

class DeliveryError(Exception):
    """A delivery that failed after every attempt; the message is one line for the output."""


def _attempts(send: Callable[[], None], attempts: int, pause: float) -> None:
    last: Exception | None = None
    for n in range(attempts):
        try:
            send()
            return
        except DeliveryError as exc:  # the server answered and refused: trying again will not help
            raise exc
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            last = exc
            if n + 1 < attempts:
                time.sleep(pause * (2 ** n))
    reason = getattr(last, "strerror", None) or str(last) or type(last).__name__
    raise DeliveryError(f"{reason} (after {attempts} attempts)")


def send_email(store: Store, to: str, subject: str, body: str, *, attempts: int = ATTEMPTS, pause: float = PAUSE) -> None:
    conf = settings(store)
    host = conf.get("smtp.host")
    if not host:
        raise DeliveryError("no SMTP server configured: run 'coordtui config smtp.host HOST'")
    port = int(conf.get("smtp.port") or (587 if conf.get("smtp.starttls") else 25))
    password = smtp_password(store)
    message = EmailMessage()
    message["From"] = conf.get("smtp.from") or f"coordtui@{host}"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="coordtui")
    message.set_content(body)

    def once() -> None:
        with smtplib.SMTP(host, port, timeout=TIMEOUT) as smtp:
            if conf.get("smtp.starttls"):
                smtp.starttls(context=ssl.create_default_context())
            if password is not None:
                try:
                    smtp.login(conf["smtp.user"], password)
                except smtplib.SMTPAuthenticationError as exc:  # the same password fails again: no retry
                    raise DeliveryError(f"the server refused the login of {conf['smtp.user']} ({exc.smtp_code}): "
                                        "check smtp.user and the password file") from None
            refused = smtp.send_message(message)
            if refused:
                raise DeliveryError(f"the server refused {', '.join(refused)}")

    _attempts(once, attempts, pause)


def webhook_body(url: str, text: str) -> dict[str, Any]:
    """The JSON a group-chat robot accepts: 企业微信 and 钉钉 take ``msgtype``/``text.content``;
    飞书 (Feishu, Lark) takes ``msg_type``/``content.text``."""
    host = urllib.parse.urlparse(url).hostname or ""
    if host.endswith(("feishu.cn", "larksuite.com")) or "/open-apis/bot/" in url:
        return {"msg_type": "text", "content": {"text": text}}
    return {"msgtype": "text", "text": {"content": text}}


def send_webhook(url: str, text: str, *, attempts: int = ATTEMPTS, pause: float = PAUSE) -> None:
    data = json.dumps(webhook_body(url, text), ensure_ascii=False).encode("utf-8")

    def once() -> None:
        request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise OSError(f"HTTP {exc.code}") from None  # the server's trouble: worth another attempt
            raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            raise OSError(getattr(reason, "strerror", None) or str(reason)) from None
        try:
            reply = json.loads(answer or b"{}")
        except ValueError:
            return  # a plain "ok": taken as delivered
        code = reply.get("errcode", reply.get("code", 0)) if isinstance(reply, dict) else 0
        if code not in (0, None):
            raise DeliveryError(f"the robot answered {code}: {str(reply.get('errmsg') or reply.get('msg') or '')[:80]}")

    _attempts(once, attempts, pause)


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    people: int = 0
    lines: list[str] = field(default_factory=list)


def remind(store: Store, host: "PluginHost", as_of: date, *, lang: str = "zh", dry_run: bool = False,
           attempts: int | None = None, pause: float | None = None) -> Outcome:
    """Tell every person with a contact point what is overdue, falling due or due tomorrow in
    their scope. Each channel of each person is delivered on its own: a failure is one line
    in the outcome and kept in the store, and never stops the others. A line already
    delivered today on a channel is not sent again there."""
    attempts = ATTEMPTS if attempts is None else attempts
    pause = PAUSE if pause is None else pause
    out = Outcome()
    for reminder in reminders(store, host, as_of, lang):
        out.people += 1
        person = reminder.person
        channels = [(c, a) for c, a in (("email", person.email), ("webhook", person.webhook)) if a]
        if dry_run:
            shown = t("remind.sep", lang).join(f"{t('remind.channel.' + c, lang)} {a}" for c, a in channels)
            out.lines += [t("remind.dry_run_head", lang, name=person.shown(), channels=shown), reminder.subject(lang), "",
                          reminder.body(lang), ""]
            continue
        for channel, address in channels:
            key = f"{as_of.isoformat()}/{person.name}/{channel}"
            before = store.sent(key) or {}
            done = set(before.get("delivered") or ())
            new = [x for x in reminder.lines if x not in done]
            label = t("remind.channel." + channel, lang)
            if not new:
                out.skipped += 1
                out.lines.append(t("remind.already", lang, name=person.shown(), channel=label))
                continue
            body = reminder.body(lang, only=set(new))
            try:
                if channel == "email":
                    send_email(store, address, reminder.subject(lang), body, attempts=attempts, pause=pause)
                else:
                    send_webhook(address, reminder.subject(lang) + "\n" + body, attempts=attempts, pause=pause)
            except DeliveryError as exc:
                out.failed += 1
                out.lines.append(t("remind.failed", lang, name=person.shown(), channel=label, address=address, error=exc))
                store.apply([PutSent(key, {"person": person.name, "channel": channel, "address": address,
                                           "delivered": sorted(done), "failed": str(exc)})])
                continue
            out.sent += 1
            out.lines.append(t("remind.sent", lang, name=person.shown(), channel=label, address=address, lines=len(new)))
            store.apply([PutSent(key, {"person": person.name, "channel": channel, "address": address,
                                       "delivered": sorted(done | set(new)), "failed": None})])
    if out.people:
        out.lines.append(t("remind.summary", lang, people=out.people, sent=out.sent, failed=out.failed, skipped=out.skipped))
    else:
        out.lines.append(t("remind.none", lang, as_of=as_of.isoformat()))
    return out


# the calendar feed -------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_feed(ws: "Workspace", name: str) -> str:
    """Give ``name`` a new feed token (any earlier one stops working). Returns the token,
    which is stored only as its SHA-256."""
    ws.require_admin(None)
    doc = ws.store.get_person(name)
    person = require_person(ws.store, name, "users feed")
    token = secrets.token_urlsafe(32)
    person.feed_token_sha256 = _digest(token)
    ws.save_person(person, rev=int(doc["_rev"]))
    return token


def revoke_feed(ws: "Workspace", name: str) -> None:
    ws.require_admin(None)
    doc = ws.store.get_person(name)
    person = require_person(ws.store, name, "users feed --revoke")
    person.feed_token_sha256 = None
    ws.save_person(person, rev=int(doc["_rev"]))


def feed_person(store: Store, token: str) -> "Person | None":
    """The person whose feed ``token`` opens, or None (unknown or revoked)."""
    if not token or len(token) > 200:
        return None
    wanted_digest = _digest(token)
    found = None
    for doc in store.people():
        stored = doc.get("feed_token_sha256")
        if isinstance(stored, str) and hmac.compare_digest(stored, wanted_digest):
            found = person_of(store, doc)
    return found


def feed(store: Store, host: "PluginHost", token: str, *, as_of: date | None = None, lang: str = "zh") -> bytes | None:
    """The ics of the duties of the person ``token`` belongs to (None: no such feed), as
    their workspace shows them: still open, in every organization they may see. Each event
    has alarms at 09:00 a week before, the day before and on the day."""
    from coordtui.exports import duties_ics

    person = feed_person(store, token)
    if person is None:
        return None
    ws = person_workspace(store, host, person.name)
    day = as_of or ws.today()
    result = ws.check(day)
    names = {o.id: o.name for o in ws.orgs()}
    stamp = ws.clock.now().astimezone(timezone.utc)
    return duties_ics(result.duties, names, t("feed.calname", lang, name=person.shown()), stamp, result.as_of)
