"""``coordtui serve``: the application in a browser.

The end-to-end test starts the server on a free port over an empty store folder,
opens the page in headless Chromium (Debian's ``chromium``), reads what the page's
terminal received, types keys into it and checks the findings screen and the
language switch arrive, then stops the server with Ctrl+C. Without Chromium the
test is skipped, unless ``COORDTUI_REQUIRE_BROWSER`` is set (``.ci/run`` sets it
and installs Chromium), in which case it fails.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import date

import pytest

from coordtui.cli import main
from coordtui.serve import app_command
from coordtui.store import Store

from browser import Browser, chromium


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server stopped: {proc.stdout.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on port {port}")


def test_app_command_quotes_paths_and_passes_the_options(tmp_path):
    folder = tmp_path / "my store"
    argv = shlex.split(app_command(db=folder, lang="en", plugin_dirs=[tmp_path / "drop ins"], org_id="tjpu", as_of=date(2026, 10, 15)))
    assert argv[:3] == [sys.executable, "-m", "coordtui"]
    assert argv[3:] == ["--db", str(folder), "--lang", "en", "--plugin-dir", str(tmp_path / "drop ins"), "--org", "tjpu", "--as-of", "2026-10-15"]
    assert shlex.split(app_command(db=folder, lang="zh", demo=True))[3:] == ["demo", "--lang", "zh"]


def test_a_busy_port_is_one_line_and_exit_2(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--db", str(tmp_path / "s"), "serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"127.0.0.1:{port}: the port is already in use" in err and "--port" in err


@pytest.mark.parametrize("args, says", [
    (["--port", "70000"], "not a port number"),
    (["--host", "no-such-host.invalid"], "no such address"),
    (["--org", "nope"], "nope"),
    (["--as-of", "2026-13-01"], "--as-of"),
])
def test_bad_serve_options_are_one_line_and_exit_2(tmp_path, capsys, args, says):
    assert main(["--db", str(tmp_path / "s"), "serve", "--port", str(free_port()), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


@pytest.fixture
def browser_available():
    if chromium() is None:
        if os.environ.get("COORDTUI_REQUIRE_BROWSER"):
            pytest.fail("COORDTUI_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")


def test_the_dashboard_in_a_headless_browser(tmp_path, browser_available):
    store = tmp_path / "store"
    port = free_port()
    env = {**os.environ, "COORDTUI_EXPORT_DIR": str(tmp_path / "exports")}
    server = subprocess.Popen([sys.executable, "-m", "coordtui", "--db", str(store), "serve", "--port", str(port), "--as-of", "2026-10-15"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_listening(port, server)
        # the server gave the empty store the bundled examples before listening
        assert {o["id"] for o in Store(store).orgs()} >= {"tjpu", "pingluo", "zikuang", "usst", "tianjin"}

        async def visit() -> float:
            async with Browser() as browser:
                await browser.open(f"http://127.0.0.1:{port}/")
                await browser.wait_for_text("总览", "截至 2026-10-15", "天津工业大学", "平罗县纪委监委", "已逾期")
                assert browser.opened_sockets and browser.opened_sockets[0].startswith(f"ws://127.0.0.1:{port}/ws")
                mark = browser.mark()
                await browser.press("f")  # the findings screen, as in the terminal
                await browser.wait_for_text("问题清单", since=mark)
                mark = browser.mark()
                await browser.press("l")  # the language switch
                await browser.wait_for_text("Findings", since=mark)
                # Ctrl+C with the tab still open: the server ends its session and stops at once
                server.send_signal(signal.SIGINT)
                started = time.monotonic()
                while server.poll() is None and time.monotonic() - started < 30:
                    await asyncio.sleep(0.1)
                return time.monotonic() - started

        stopping = asyncio.run(visit())
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    output = server.stdout.read().decode(errors="replace")
    assert server.wait(5) == 0 and stopping < 10, output
    assert "Traceback" not in output and "Error" not in output, output
    assert Store(store).verify_history() == []
