"""Reminders (到期提醒) through a real SMTP server and a real webhook server on loopback, and
the personal calendar feed: each person hears only what their scope holds, once a day."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from coordtui import remind
from coordtui.access.people import Grant, Person
from coordtui.cli import main
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = date(2026, 12, 1)

#: Counted by hand from the examples as of 2026-12-01.
ZHANGSAN = ["第四协作组：2026年第三季度协作活动已逾期62天（应于2026-09-30前）"]  # tjpu, 第四协作组 only
LISIS_ZONE = "z1"  # 第一协作区
LISI = [  # pingluo, 第一纪检监察室 (the liaison office of 第一协作区)
    "第一协作区：2026年10月监督工作月报已逾期25天（应于2026-11-06前）",
    "第一协作区：2026年11月监督工作月报将于2026-12-07到期，还剩6天",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def host():
    return PluginHost().load()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    yield controller, box
    controller.stop()


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        self.server.bodies.append((self.path, json.loads(self.rfile.read(length))))
        answer = b'{"errcode":0,"errmsg":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.bodies
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def admin(example_store, host, smtp, webhook):
    ws = Workspace(Store(example_store), host)
    controller, _ = smtp
    url, _ = webhook
    remind.set_setting(ws.store, "smtp.host", "127.0.0.1")
    remind.set_setting(ws.store, "smtp.port", str(controller.port))
    ws.save_person(Person(name="zhangsan", display="张三", email="zhangsan@example.org", webhook=f"{url}/zhangsan",
                          grants=[Grant(org="tjpu", role="reader", scope=["g4"])]))
    ws.save_person(Person(name="lisi", display="李四", email="lisi@example.org",
                          grants=[Grant(org="pingluo", role="editor", scope=["office1"])]))
    ws.save_person(Person(name="wangwu", display="王五", grants=[Grant(org="tjpu", role="reader")]))  # no contact point
    return ws


def numbered(lines: list[str]) -> list[str]:
    return [f"{n}. {text}" for n, text in enumerate(lines, start=1)]


def test_each_person_gets_exactly_their_duties_by_mail_and_webhook_and_a_second_run_sends_nothing(admin, host, smtp, webhook):
    _, box = smtp
    _, bodies = webhook
    out = remind.remind(admin.store, host, AS_OF, pause=0)
    assert (out.people, out.sent, out.failed) == (2, 3, 0)
    by_rcpt = {tuple(rcpt): msg for rcpt, msg in box.messages}
    assert sorted(by_rcpt) == [("lisi@example.org",), ("zhangsan@example.org",)]
    zs = by_rcpt[("zhangsan@example.org",)]
    assert zs["Subject"] == "【到期提醒】截至2026-12-01：已逾期1项，临期0项"
    assert zs.get_content().splitlines() == ["张三同志：", "截至2026-12-01，您负责范围内以下事项需要办理：", "",
                                             "【天津工业大学】", *numbered(ZHANGSAN), "",
                                             "请及时办理。（本提醒由 coordtui 纪检监察协作机制自动发送）"]
    ls = by_rcpt[("lisi@example.org",)].get_content().splitlines()
    assert ls[3:6] == ["【平罗县纪委监委】", *numbered(LISI)] and ls[6] == ""
    assert len(bodies) == 1
    path, body = bodies[0]
    assert path == "/zhangsan" and body["msgtype"] == "text"
    assert body["text"]["content"].splitlines()[5] == numbered(ZHANGSAN)[0]

    again = remind.remind(admin.store, host, AS_OF, pause=0)
    assert (again.sent, again.failed, again.skipped) == (0, 0, 3)
    assert len(box.messages) == 2 and len(bodies) == 1
    sent = [e for e in admin.store.history() if e.get("op") == "sent"]
    assert {e["id"] for e in sent} == {"2026-12-01/zhangsan/email", "2026-12-01/zhangsan/webhook", "2026-12-01/lisi/email"}


def test_an_unreachable_server_is_one_line_and_the_others_still_get_theirs(admin, host, smtp, webhook):
    _, box = smtp
    _, bodies = webhook
    dead = f"http://127.0.0.1:{free_port()}/gone"
    remind_users_set(admin, "zhangsan", webhook=dead)
    out = remind.remind(admin.store, host, AS_OF, pause=0)
    failed = [x for x in out.lines if x.startswith("发送失败")]
    assert len(failed) == 1 and "张三" in failed[0] and dead in failed[0] and "\n" not in failed[0]
    assert (out.sent, out.failed) == (2, 1)
    assert sorted(tuple(r) for r, _ in box.messages) == [("lisi@example.org",), ("zhangsan@example.org",)]
    assert bodies == []
    kept = admin.store.sent("2026-12-01/zhangsan/webhook")
    assert kept["failed"] and kept["delivered"] == []
    # The next run tries the failed one again, and only that one.
    out = remind.remind(admin.store, host, AS_OF, pause=0)
    assert (out.sent, out.failed, out.skipped) == (0, 1, 2)


def remind_users_set(ws: Workspace, name: str, **changes) -> None:
    doc = ws.store.get_person(name)
    person = Person.model_validate({k: v for k, v in doc.items() if not k.startswith("_")}).model_copy(update=changes)
    ws.save_person(person, rev=doc["_rev"])


def test_a_mail_server_that_is_down_is_one_line_per_person_and_the_webhook_still_goes(admin, host, webhook, monkeypatch, capsys):
    _, bodies = webhook
    remind.set_setting(admin.store, "smtp.port", str(free_port()))
    monkeypatch.setattr(remind, "PAUSE", 0.0)  # the command line's run: no pause between attempts in a test
    assert main(["remind", "--db", str(admin.store.root), "--as-of", "2026-12-01"]) == 1  # a delivery failed
    failed = [x for x in capsys.readouterr().out.splitlines() if x.startswith("发送失败")]
    assert len(failed) == 2 and {("张三" in x, "李四" in x) for x in failed} == {(True, False), (False, True)}
    assert len(bodies) == 1
    assert admin.store.sent("2026-12-01/lisi/email")["failed"].startswith("Connection refused")


def test_lines_are_written_as_a_cadre_writes_them_overdue_at_risk_due_tomorrow(admin, host):
    lisi = Person.model_validate({k: v for k, v in admin.store.get_person("lisi").items() if not k.startswith("_")})
    on_the_eve = remind.reminder_for(admin.store, host, lisi, date(2026, 12, 6))
    assert "第一协作区：2026年11月监督工作月报明天（2026-12-07）到期" in on_the_eve.lines
    english = remind.reminder_for(admin.store, host, lisi, AS_OF, lang="en")
    assert english.lines[0].startswith("第一协作区: ") and "25 days overdue (due by 2026-11-06)" in english.lines[0]


def test_dry_run_prints_every_message_sends_and_records_nothing(admin, smtp, webhook, capsys):
    _, box = smtp
    _, bodies = webhook
    assert main(["remind", "--db", str(admin.store.root), "--as-of", "2026-12-01", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert numbered(ZHANGSAN)[0] in printed and numbered(LISI)[1] in printed and "王五" not in printed
    assert box.messages == [] and bodies == []
    assert admin.store.sent("2026-12-01/zhangsan/email") is None


def test_a_scoped_persons_feed_holds_only_their_duties_with_alarms_at_nine_and_revoking_ends_it(admin, host):
    token = remind.issue_feed(admin, "zhangsan")
    assert token not in (admin.store.root / "people.json").read_text()
    cal = Calendar.from_ical(remind.feed(admin.store, host, token, as_of=AS_OF))
    events = [c for c in cal.walk("VEVENT")]
    open_events = [e for e in events if str(e["status"]) == "CONFIRMED"]
    assert {str(e["summary"]) for e in open_events} == {"第四协作组 协作活动（已逾期）", "第四协作组 协作活动", "第四协作组 工作总结"}
    assert all(str(e["summary"]).startswith("第四协作组") for e in events)  # met ones come back cancelled, still theirs only
    for event in open_events:
        triggers = [t.total_seconds() / 3600 for t in sorted(a["trigger"].dt for a in event.walk("VALARM"))]
        # at 09:00 a week and a day before and on the day; an overdue duty, shown today, on the day
        assert triggers == ([9] if "已逾期" in str(event["summary"]) else [9 - 7 * 24, 9 - 24, 9])
    assert not [a for e in events if str(e["status"]) == "CANCELLED" for a in e.walk("VALARM")]
    everything = Calendar.from_ical(remind.feed(admin.store, host, remind.issue_feed(admin, "lisi"), as_of=AS_OF))
    zone_tasks = {f"“{t.title}”" for t in admin.records("pingluo", "task") if any(z == LISIS_ZONE for z in t.zones)}
    for event in everything.walk("VEVENT"):  # their zone's duties, and its tasks' (met ones cancelled), nothing else
        summary = str(event["summary"])
        assert summary.startswith("第一协作区") or summary.split(" ")[0] in zone_tasks, summary
    assert remind.feed(admin.store, host, token + "x") is None
    remind.revoke_feed(admin, "zhangsan")
    assert remind.feed(admin.store, host, token) is None


def test_config_and_users_feed_on_the_command_line(admin, tmp_path, capsys):
    db = str(admin.store.root)
    assert main(["--lang", "en", "config", "smtp.starttls", "maybe", "--db", db]) == 2
    assert "yes or no" in capsys.readouterr().err
    assert main(["--lang", "en", "config", "smtp.user", "robot", "--db", db]) == 0
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    assert main(["--lang", "en", "config", "smtp.password-file", str(secret), "--db", db]) == 0
    with pytest.raises(remind.InputError, match="chmod 600"):
        remind.smtp_password(admin.store)
    secret.chmod(0o600)
    assert remind.smtp_password(admin.store) == "s3cret"
    capsys.readouterr()
    assert main(["--lang", "en", "users", "feed", "zhangsan", "--db", db, "--lang", "en"]) == 0
    said = capsys.readouterr().out
    assert "/feed/" in said and ".ics" in said
    assert main(["--lang", "en", "users", "feed", "zhangsan", "--revoke", "--db", db]) == 0
    assert admin.store.get_person("zhangsan")["feed_token_sha256"] is None


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_configured_login_reaches_the_server_with_the_password_from_the_owners_file(admin, host, tmp_path, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    monkeypatch.setattr(remind, "TIMEOUT", 3.0)  # a refused login may leave the connection hanging: bounded

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), ready_timeout=10,
                            authenticator=authenticator, auth_require_tls=False, auth_required=True)
    controller.start()
    try:
        secret = tmp_path / "smtp-password"
        secret.write_text("s3cret\n")
        secret.chmod(0o600)
        for name, value in (("smtp.port", str(controller.port)), ("smtp.user", "robot"), ("smtp.password-file", str(secret))):
            remind.set_setting(admin.store, name, value)
        out = remind.remind(admin.store, host, AS_OF, pause=0)
        assert out.failed == 0 and len(box.messages) == 2
        assert {(login, password) for _, login, password in seen} == {(b"robot", b"s3cret")}
        secret.write_text("wrong\n")
        remind.set_setting(admin.store, "smtp.from", "coordtui@example.org")
        out = remind.remind(admin.store, host, date(2026, 12, 2), pause=0, attempts=1)
        assert out.failed == 3 - 1 and len(box.messages) == 2  # both mails refused at login; the webhook goes
    finally:
        controller.stop()


def test_a_person_removed_while_the_run_goes_on_is_skipped_and_the_others_are_told(admin, host, monkeypatch):
    listed = admin.store.people()
    gone = {"name": "zhaoliu", "display": "赵六", "email": "zhaoliu@example.org", "grants": [{"org": "tjpu", "role": "reader"}]}
    monkeypatch.setattr(admin.store, "people", lambda: [*listed, gone])  # listed, then removed before their turn
    assert [r.person.name for r in remind.reminders(admin.store, host, AS_OF)] == ["lisi", "zhangsan"]
