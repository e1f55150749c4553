"""Signing in to ``coordtui serve``, without a server: passwords, links, sessions, slowing.

The clock is a parameter of the sessions and of the slowing, so idle time and waiting
are tested by moving a number, never by sleeping.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import timedelta

import pytest

from coordtui.access.people import Person
from coordtui.cli import main
from coordtui.errors import InputError
from coordtui.store import Store
from coordtui.web import auth


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_password_is_kept_only_as_an_argon2id_hash_and_checked():
    stored = auth.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert auth.verify_password(stored, "correct horse battery")
    assert not auth.verify_password(stored, "correct horse batterx")
    assert not auth.verify_password(None, "correct horse battery")  # no password set: refused like a wrong one
    assert not auth.verify_password("not a hash", "x")
    with pytest.raises(InputError, match="fewer than 10"):
        auth.hash_password("short")
    with pytest.raises(InputError, match="control character"):
        auth.hash_password("a long password\n")


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("15m", 900), ("2h", 7200), ("7d", 604800)])
def test_link_durations(text, seconds):
    assert auth.parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text, says", [("15", "not a duration"), ("0m", "not a duration"), ("8d", "longer than 7 days"), ("1w", "not a duration")])
def test_bad_link_durations_say_what_to_give(text, says):
    with pytest.raises(InputError, match=says):
        auth.parse_duration(text)


def test_failures_are_slowed_after_a_few_and_waiting_lets_the_right_one_in():
    clock = Clock()
    throttle = auth.Throttle(free=3, base=1.0, cap=60.0, clock=clock)
    for _ in range(3):
        assert throttle.wait("li") == 0
        throttle.fail("li")
    assert throttle.wait("li") == 1.0  # the fourth must wait
    clock.now += 1.0
    assert throttle.wait("li") == 0
    throttle.fail("li")
    assert throttle.wait("li") == 2.0  # doubling
    for _ in range(20):
        throttle.fail("li")
    assert throttle.wait("li") == 60.0  # at most the cap
    assert throttle.wait("wang") == 0  # another name is not slowed by li's failures
    throttle.clear("li")
    assert throttle.wait("li") == 0
    throttle.fail("zhao")
    clock.now += 10000  # failures long ago are forgotten
    assert throttle.wait("zhao") == 0


def test_sessions_end_when_idle_or_when_the_person_is_removed_and_are_limited():
    clock = Clock()
    people = {"li": "old hash", "wang": None}
    limits = {**auth.SETTINGS, "serve.idle_minutes": 30, "serve.sessions_per_person": 2, "serve.sessions_total": 3}
    sessions = auth.Sessions(limits=lambda: limits, clock=clock,
                             stamp=lambda name: auth.password_stamp(people[name]) if name in people else None)
    token, session = sessions.start("li", "10.0.0.1", "zh")
    assert sessions.get(token) is session and sessions.get("made-up") is None and sessions.get(None) is None
    assert token not in json.dumps([s.digest for s in sessions.of("li")])  # only the token's digest is kept
    clock.now += 29 * 60
    assert sessions.get(token) is session
    sessions.touch(session)
    clock.now += 29 * 60
    assert sessions.get(token) is session  # used within the idle time: still on
    clock.now += 31 * 60
    assert sessions.get(token) is None  # idle for more than 30 minutes: ended
    sessions.start("li", "10.0.0.1", "zh")
    sessions.start("li", "10.0.0.2", "en")
    with pytest.raises(auth.Refused) as refused:
        sessions.start("li", "10.0.0.3", "zh")
    assert "already 2 sessions" in refused.value.log and "2 处登录" in refused.value.text("zh")
    wang, _ = sessions.start("wang", "10.0.0.4", "zh")
    with pytest.raises(auth.Refused, match="as many sessions as it allows"):
        sessions.start("zhao", "10.0.0.5", "zh")
    del people["wang"]
    assert sessions.get(wang) is None  # removed from the store: the session is over
    assert [s.name for s, _ in sessions.sweep()] == []
    people["li"] = "new hash"  # users passwd li: every session of li ends
    ended = sessions.sweep()
    assert [s.name for s, _ in ended] == ["li", "li"] and sessions.ended_by_store(ended[0][0]) == "the password was changed"


def test_settings_out_of_bounds_fall_back_to_the_defaults():
    got = auth.settings({"serve.idle_minutes": 0, "serve.sessions_total": "many", "serve.sessions_per_person": 5})
    assert got["serve.idle_minutes"] == 30 and got["serve.sessions_total"] == 30 and got["serve.sessions_per_person"] == 5


def _cli(capsys, *argv, stdin=None):
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COORDTUI_AUTHORIZED_KEYS", str(tmp_path / "authorized_keys"))
    root = tmp_path / "store"
    assert _cli(capsys, "init", "--db", str(root), "--examples")[0] == 0
    assert _cli(capsys, "users", "add", "li", "--role", "reader", "--org", "pingluo", "--db", str(root))[0] == 0
    return root


def test_users_passwd_keeps_a_hash_and_asks_twice(store, capsys, monkeypatch):
    code, out, _ = _cli(capsys, "--lang", "en", "users", "passwd", "li", "--stdin", "--db", str(store), stdin="correct horse battery\n")
    assert code == 0 and "li may sign in" in out
    doc = Store(store).get_person("li")
    assert doc["password_hash"].startswith("$argon2id$") and "correct horse" not in (store / "people.json").read_text()
    assert auth.verify_password(doc["password_hash"], "correct horse battery")
    listed = json.loads(_cli(capsys, "--lang", "en", "users", "list", "--format", "json", "--db", str(store))[1])
    li = next(p for p in listed if p["name"] == "li")
    assert li["password"] is True and "password_hash" not in li
    # typed twice without echo: two different answers change nothing
    answers = iter(["first password!", "second password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    code, _, err = _cli(capsys, "--lang", "en", "users", "passwd", "li", "--db", str(store))
    assert code == 2 and err.count("\n") == 1 and "the two passwords differ" in err
    assert Store(store).get_person("li")["password_hash"] == doc["password_hash"]
    code, _, err = _cli(capsys, "--lang", "en", "users", "passwd", "li", "--stdin", "--db", str(store), stdin="short\n")
    assert code == 2 and "fewer than 10" in err and err.count("\n") == 1
    code, _, err = _cli(capsys, "--lang", "en", "users", "passwd", "nobody", "--stdin", "--db", str(store), stdin="correct horse battery\n")
    assert code == 2 and "no person 'nobody'" in err
    assert _cli(capsys, "--lang", "en", "users", "passwd", "li", "--clear", "--db", str(store))[0] == 0
    assert Store(store).get_person("li")["password_hash"] is None


def test_users_link_prints_a_one_time_url_and_revoke_takes_every_link_back(store, capsys):
    code, out, err = _cli(capsys, "users", "link", "li", "--valid", "2h", "--public-url", "https://coord.example.org", "--db", str(store), "--lang", "en")
    assert code == 0 and out.startswith("https://coord.example.org/link?token=") and "works once" in err
    token = out.strip().split("token=")[1]
    person = Person.model_validate({k: v for k, v in Store(store).get_person("li").items() if not k.startswith("_")})
    assert len(person.links) == 1 and token not in (store / "people.json").read_text()  # only its digest is kept
    assert auth.matching_link(person.links, token, auth.now_utc()) is not None
    assert auth.matching_link(person.links, token, auth.now_utc() + timedelta(hours=3)) is None  # past its end
    assert auth.matching_link(person.links, token[:-1] + "x", auth.now_utc()) is None
    _cli(capsys, "users", "link", "li", "--db", str(store))
    code, out, _ = _cli(capsys, "users", "link", "li", "--revoke", "--db", str(store), "--lang", "en")
    assert code == 0 and "revoked 2 link(s) of li" in out
    assert Store(store).get_person("li")["links"] == []
    code, _, err = _cli(capsys, "users", "link", "li", "--valid", "1y", "--db", str(store))
    assert code == 2 and "--valid '1y'" in err and err.count("\n") == 1


def test_serve_settings_are_changed_with_config(store, capsys):
    assert _cli(capsys, "config", "serve.idle_minutes", "--db", str(store))[1].strip() == "30"
    assert _cli(capsys, "config", "serve.idle_minutes", "45", "--db", str(store))[0] == 0
    assert _cli(capsys, "config", "serve.idle_minutes", "--db", str(store))[1].strip() == "45"
    code, _, err = _cli(capsys, "config", "serve.sessions_total", "0", "--db", str(store))
    assert code == 2 and "from 1 to 1000" in err and err.count("\n") == 1
