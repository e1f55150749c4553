"""The office's clock (办公时区): every "today" of the command line and the exports comes from
the store's time zone, whatever ``TZ`` the process has."""

from __future__ import annotations

import time

import pytest

from coordtui.store import Store

from conftest import DROPINS, run

# 17:30 UTC on 31 December is already 01:30 on 1 January 2027 in Beijing.
INSTANT = "2026-12-31T17:30:00Z"




@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "db"
    code, _, _ = run(capsys, "init", "--db", path, "--examples", "--plugin-dir", DROPINS)
    assert code == 0
    return path


@pytest.fixture
def tz(monkeypatch):
    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


def test_check_gives_the_same_answer_under_any_tz(db, capsys, monkeypatch, tz):
    monkeypatch.setenv("COORDTUI_NOW", INSTANT)
    outputs = {}
    for name in ("UTC", "Asia/Shanghai", "America/Los_Angeles"):
        tz(name)
        code, out, _ = run(capsys, "check", "--db", db, "--format", "json", "--plugin-dir", DROPINS)
        outputs[name] = (code, out)
    assert len(set(outputs.values())) == 1
    assert '"as_of": "2027-01-01"' in outputs["UTC"][1]  # Beijing's day, not the server's


def test_the_office_time_zone_is_a_setting(db, capsys, monkeypatch, tz):
    monkeypatch.setenv("COORDTUI_NOW", INSTANT)
    tz("Asia/Shanghai")
    code, out, _ = run(capsys, "config", "--db", db, "timezone", "Europe/London")
    assert code == 0 and "2026年12月31日" in out  # London's today, as people write it
    assert Store(db).meta()["timezone"] == "Europe/London"
    code, out, _ = run(capsys, "check", "--db", db, "--format", "json", "--plugin-dir", DROPINS)
    assert '"as_of": "2026-12-31"' in out
    code, out, _ = run(capsys, "config", "--db", db, "timezone")
    assert code == 0 and out.strip() == "Europe/London"


@pytest.mark.parametrize("args", [["init", "--timezone", "Mars/Olympus"], ["config", "timezone", "Mars/Olympus"]])
def test_an_unknown_time_zone_is_one_line_and_exit_2(db, tmp_path, capsys, args):
    target = db if args[0] == "config" else tmp_path / "fresh"
    code, out, err = run(capsys, args[0], "--db", target, *args[1:])
    assert code == 2 and err.count("\n") == 1 and "Mars/Olympus" in err and "IANA" in err
    if args[0] == "init":
        assert not target.exists()
    else:
        assert "timezone" not in Store(db).meta()


def test_init_sets_the_time_zone(tmp_path, capsys):
    code, out, _ = run(capsys, "init", "--db", tmp_path / "s", "--timezone", "UTC")
    assert code == 0 and "UTC" in out and Store(tmp_path / "s").meta()["timezone"] == "UTC"


def test_exports_take_today_and_their_timestamps_from_the_office_clock(db, tmp_path, capsys, monkeypatch, tz):
    import io

    from docx import Document

    monkeypatch.setenv("COORDTUI_NOW", INSTANT)
    tz("UTC")
    code, out, _ = run(capsys, "export", "--db", db, "--org", "m1", "--format", "ics", "--plugin-dir", DROPINS)
    assert code == 0 and "DTSTAMP:20261231T173000Z" in out
    out_file = tmp_path / "r.docx"
    code, _, _ = run(capsys, "export", "--db", db, "--org", "m1", "--format", "docx", "--out", out_file, "--plugin-dir", DROPINS)
    document = Document(io.BytesIO(out_file.read_bytes()))
    assert "2027年1月1日" in [p.text for p in document.paragraphs if p.text.strip()][-1]  # the signature's date
    assert document.core_properties.created.isoformat().startswith("2026-12-31T17:30")


def test_the_stored_time_is_the_second_now_whatever_was_asked_for_before(monkeypatch):
    # utc_now writes each second once: every instant still reads as its own second, across a
    # second's end, a day's and a year's, and back (a clock set back).
    from datetime import datetime, timezone

    from coordtui.domain import clock

    instants = iter([datetime(2026, 12, 31, 23, 59, 58, 999_999, timezone.utc), datetime(2026, 12, 31, 23, 59, 58, 1, timezone.utc),
                     datetime(2026, 12, 31, 23, 59, 59, 0, timezone.utc), datetime(2027, 1, 1, 0, 0, 0, 500_000, timezone.utc),
                     datetime(2026, 12, 31, 23, 59, 59, 999_999, timezone.utc)])

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return next(instants)

    monkeypatch.setattr(clock, "datetime", Clock)
    assert [clock.utc_now() for _ in range(5)] == ["2026-12-31T23:59:58Z", "2026-12-31T23:59:58Z", "2026-12-31T23:59:59Z",
                                                   "2027-01-01T00:00:00Z", "2026-12-31T23:59:59Z"]
