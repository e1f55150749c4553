"""``coordtui serve``: the application in a browser, for the people allowed in only.

The end-to-end tests start the real server on a free port over a store with people,
sign in with headless Chromium (Debian's ``chromium``) by password and by one-time link,
read what the page's terminal received, type keys into it, sign out, and stop the server
with Ctrl+C. The HTTP-level tests speak to the same server with aiohttp's client, as a
hostile page or a script would, and count the server's child processes (one per
application). Without Chromium the browser tests are skipped, unless
``COORDTUI_REQUIRE_BROWSER`` is set (``.ci/run`` sets it and installs Chromium), in
which case they fail.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import aiohttp
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
    # a signed-in tab acts as its person: the server, the store's owner, names them with --as
    assert shlex.split(app_command(db=folder, lang="zh", identity="li"))[3:] == ["--db", str(folder), "--lang", "zh", "--as", "li"]
    assert shlex.split(app_command(db=folder, lang="zh", demo=True))[3:] == ["demo", "--lang", "zh"]


def test_a_busy_port_is_one_line_and_exit_2(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--lang", "en", "--db", str(tmp_path / "s"), "serve", "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"127.0.0.1:{port}: the port is already in use" in err and "--port" in err
        assert main(["--db", str(tmp_path / "s"), "serve", "--port", str(port)]) == 2  # Chinese, the default
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"127.0.0.1:{port}：端口已被占用" in err and "in use" not in err


@pytest.mark.parametrize("args, says, says_zh", [
    (["--port", "70000"], "not a port number", "不是端口号"),
    (["--host", "no-such-host.invalid"], "no such address", "本机没有这个地址"),
    (["--org", "nope"], "nope", "nope"),
    (["--as-of", "2026-13-01"], "--as-of", "--as-of"),
    (["--public-url", "ftp://x"], "not an http(s) address", "不是 http(s) 地址"),
    (["--allow-host", "evil example"], "not a host name", "不是主机名或地址"),
])
def test_bad_serve_options_are_one_line_and_exit_2(tmp_path, capsys, args, says, says_zh):
    for lang, said in (("en", says), ("zh", says_zh)):
        assert main(["--lang", lang, "--db", str(tmp_path / "s"), "serve", "--port", str(free_port()), *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err and "Traceback" not in err, (lang, err)


@pytest.fixture
def browser_available():
    if chromium() is None:
        if os.environ.get("COORDTUI_REQUIRE_BROWSER"):
            pytest.fail("COORDTUI_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")


PASSWORD = "correct horse battery"


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (each tab's application is one)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def cli(*argv: str, stdin: str | None = None) -> str:
    """Run a coordtui command in this process; its standard output (exit 0 required)."""
    out = io.StringIO()
    import contextlib

    old = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        with contextlib.redirect_stdout(out):
            assert main(list(argv)) == 0
    finally:
        sys.stdin = old
    return out.getvalue()


def office_store(tmp_path: Path, monkeypatch) -> Path:
    """A store with the examples and li, a reader of pingluo only (平罗县纪委监委), with a password."""
    store = tmp_path / "store"
    monkeypatch.setenv("COORDTUI_AUTHORIZED_KEYS", str(tmp_path / "authorized_keys"))
    cli("init", "--db", str(store), "--examples")
    cli("users", "add", "li", "--role", "reader", "--org", "pingluo", "--display", "李四", "--db", str(store))
    cli("users", "passwd", "li", "--stdin", "--db", str(store), stdin=PASSWORD + "\n")
    return store


@contextmanager
def running(store: Path, tmp_path: Path, *extra: str):
    """The server on a free port: (its process, its base URL); stopped with Ctrl+C afterwards."""
    port = free_port()
    env = {**os.environ, "COORDTUI_EXPORT_DIR": str(tmp_path / "exports")}
    server = subprocess.Popen([sys.executable, "-m", "coordtui", "--db", str(store), "serve", "--port", str(port), "--as-of", "2026-10-15", *extra],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_listening(port, server)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(5)


def server_log(server: subprocess.Popen) -> str:
    return server.stdout.read().decode(errors="replace")


async def sign_in(http: aiohttp.ClientSession, url: str, name: str = "li", password: str = PASSWORD, origin: str | None = "same"):
    headers = {"Origin": url} if origin == "same" else ({"Origin": origin} if origin else {})
    return await http.post(f"{url}/signin", data={"name": name, "password": password, "lang": "zh"}, headers=headers,
                           allow_redirects=False)


def test_signing_in_by_password_and_by_link_in_a_headless_browser(tmp_path, monkeypatch, browser_available):
    store = office_store(tmp_path, monkeypatch)
    with running(store, tmp_path) as (server, url):
        link = cli("users", "link", "li", "--valid", "15m", "--db", str(store)).strip()
        assert re.fullmatch(re.escape(url) + r"/link\?token=[A-Za-z0-9_\-]{40,}", link), link

        async def visit() -> float:
            async with Browser() as browser:
                await browser.open(f"{url}/")
                await browser.wait_for_page("/signin", "登录名", "密码")  # before anything else: the sign-in page
                assert browser.opened_sockets == []
                await browser.evaluate("document.querySelector('a.switch').click()")
                await browser.wait_for_page("lang=en", "Login name", "Password")
                await browser.evaluate("document.querySelector('a.switch').click()")
                await browser.wait_for_page("lang=zh", "登录名")
                await browser.fill("#name", "li")
                await browser.fill("#password", PASSWORD)
                await browser.submit("#signin")
                # li's application: the dashboard of their organization only
                text = await browser.wait_for_text("总览", "截至 2026年10月15日", "平罗县纪委监委", "退出登录")
                assert "天津工业大学" not in text and "天津市纪委监委" not in text
                assert browser.opened_sockets[0].startswith(f"ws://127.0.0.1:{url.rsplit(':', 1)[1]}/ws")
                old = (await browser.cookies())["coordtui_session"]
                mark = browser.mark()
                await browser.press("f")  # the findings screen, as in the terminal
                await browser.wait_for_text("问题清单", since=mark)
                mark = browser.mark()
                await browser.press("l")  # the language switch
                await browser.wait_for_text("Findings", "Sign out", since=mark)
                await browser.press("z")  # the sign-out key
                await browser.wait_for_page("/signin", "您已退出登录")
                await asyncio.sleep(0)
                # the old cookie no longer opens anything
                async with aiohttp.ClientSession(cookies={"coordtui_session": old}) as http:
                    async with http.get(f"{url}/", allow_redirects=False) as response:
                        assert response.status == 303 and response.headers["Location"] == "/signin"
                    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                        await http.ws_connect(f"{url}/ws", origin=url)
                    assert refused.value.status == 403
                assert mark <= browser.mark()

                # the one-time link, by someone with no password typed
                browser.forget_frames()
                await browser.open(link)
                await browser.wait_for_page("一次性登录链接", "用此链接登录")
                await browser.submit("#link")
                text = await browser.wait_for_text("总览", "平罗县纪委监委")
                assert "天津工业大学" not in text
                await browser.open(link)  # the second use
                await browser.wait_for_page("此链接无效、已使用或已过期")
                # Ctrl+C with the tab still open: the server ends its session and stops at once
                server.send_signal(signal.SIGINT)
                started = time.monotonic()
                while server.poll() is None and time.monotonic() - started < 30:
                    await asyncio.sleep(0.1)
                return time.monotonic() - started

        stopping = asyncio.run(visit())
        output = server_log(server)
    assert server.wait(5) == 0 and stopping < 10, output
    assert "Traceback" not in output and "Error" not in output, output
    assert "signed in: li from 127.0.0.1" in output and "session ended: li from 127.0.0.1: signed out" in output, output
    assert Store(store).verify_history() == []


def test_nothing_starts_for_a_foreign_page_a_foreign_host_no_session_or_one_session_too_many(tmp_path, monkeypatch):
    store = office_store(tmp_path, monkeypatch)
    cli("config", "serve.sessions_per_person", "2", "--db", str(store))
    cli("config", "serve.tabs_per_session", "1", "--db", str(store))
    with running(store, tmp_path) as (server, url):
        async def attack() -> None:
            async with aiohttp.ClientSession() as http:
                # another site's name for this address (DNS rebinding)
                async with http.get(f"{url}/", headers={"Host": "evil.example"}, allow_redirects=False) as response:
                    assert response.status == 403
                async with http.get(f"{url}/static/js/textual.js", headers={"Host": "evil.example:80"}) as response:
                    assert response.status == 403
                # no session: the sign-in page, and no application, no file, no listing
                async with http.get(f"{url}/", allow_redirects=False) as response:
                    assert response.status == 303 and response.headers["Location"] == "/signin"
                for path in ("/static/", "/static/js/textual.js", "/static/fonts/", "/download/x", "/x%0acoordtui serve: signed in: root"):
                    async with http.get(f"{url}{path}") as response:
                        assert response.status == 403, path
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(f"{url}/ws", origin=url)
                assert refused.value.status == 403
                # a sign-in posted by another site's page, or with no Origin at all
                for origin in ("http://evil.example", None):
                    async with await sign_in(http, url, origin=origin) as response:
                        assert response.status == 403 and "Set-Cookie" not in response.headers
                async with await sign_in(http, url) as response:
                    assert response.status == 303 and response.cookies["coordtui_session"]["httponly"]
                    assert response.cookies["coordtui_session"]["samesite"] == "Strict"
                    cookie = response.cookies["coordtui_session"].value
            async with aiohttp.ClientSession(cookies={"coordtui_session": cookie}) as http:
                async with http.get(f"{url}/") as response:
                    page = await response.text()
                    assert response.status == 200 and "/static/js/textual.js" in page
                    assert "googleapis" not in page and "https://" not in page  # nothing asked of another host
                async with http.get(f"{url}/static/") as response:
                    assert response.status in (403, 404) and "textual.js" not in await response.text()
                async with http.get(f"{url}/static/fonts/RobotoMono-VariableFont_wght.ttf") as response:
                    assert response.status == 200
                # signed in, but the websocket comes from another site's page, or from none
                for origin in ("http://evil.example", f"http://localhost:{url.rsplit(':', 1)[1]}", url.replace("http:", "https:"),
                               f"{url}.evil.example", "null", None):
                    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                        await http.ws_connect(f"{url}/ws", **({"origin": origin} if origin else {}))
                    assert refused.value.status == 403, origin
                assert children(server.pid) == []
                # the session's one tab starts one application; a second tab is one too many
                tab = await http.ws_connect(f"{url}/ws?width=80&height=24", origin=url)
                deadline = time.monotonic() + 30
                while not children(server.pid) and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                assert len(children(server.pid)) == 1
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(f"{url}/ws", origin=url)
                assert refused.value.status == 403 and len(children(server.pid)) == 1
                # the second session is allowed, the third (n+1-th) is not
                async with aiohttp.ClientSession() as other:
                    async with await sign_in(other, url) as response:
                        assert response.status == 303
                async with aiohttp.ClientSession() as other:
                    async with await sign_in(other, url) as response:
                        assert response.status == 403 and "Set-Cookie" not in response.headers
                        assert "您已在 2 处登录" in await response.text()
                assert len(children(server.pid)) == 1
                # removing the person ends their sessions: the open tab is sent to the sign-in page and its application ends
                cli("users", "remove", "li", "--db", str(store))
                told = None
                deadline = time.monotonic() + 30
                while told is None and time.monotonic() < deadline:
                    try:
                        message = await tab.receive(timeout=5)
                    except asyncio.TimeoutError:
                        continue
                    if message.type == aiohttp.WSMsgType.TEXT and "open_url" in message.data:
                        told = message.data
                    elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
                assert told is not None and "/signin?ended=1" in told
                async with http.get(f"{url}/", allow_redirects=False) as response:
                    assert response.status == 303
                with pytest.raises(aiohttp.WSServerHandshakeError):
                    await http.ws_connect(f"{url}/ws", origin=url)
                await tab.close()
            deadline = time.monotonic() + 30
            while children(server.pid) and time.monotonic() < deadline:  # the ended tab's application quits
                await asyncio.sleep(0.1)
            assert children(server.pid) == []

        asyncio.run(attack())
        # requests the HTTP parser refuses (anyone on the network can send them): 400, one log line each
        port = int(url.rsplit(":", 1)[1])
        for raw in (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: " + b"a" * 9000 + b"\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw_client:
                raw_client.sendall(raw)
                assert raw_client.recv(100).startswith(b"HTTP/1.0 400")
    output = server_log(server)
    assert "Traceback" not in output, output
    assert "refused a malformed request from 127.0.0.1: 400 Invalid character in Content-Length" in output, output
    assert "refused a malformed request from 127.0.0.1: 400 Got more than 8190 bytes" in output, output
    for line in ("Host 'evil.example' is not one this server answers to", "Origin 'http://evil.example' is not this site",
                 "Origin '' is not this site", "not signed in", "has 1 tabs open already (serve.tabs_per_session)",
                 "sign-in refused: li from 127.0.0.1: already 2 sessions (serve.sessions_per_person)",
                 "session ended: li from 127.0.0.1: the person was removed"):
        assert line in output, (line, output)
    # a newline in a path (%0a) does not forge a log line: each refusal stays one line
    assert "signed in: root" not in output.replace("?coordtui serve: signed in: root", "")
    assert "refused GET /x?coordtui serve: signed in: root from 127.0.0.1: not signed in" in output


def test_repeated_wrong_passwords_are_slowed_and_the_right_one_then_works(tmp_path, monkeypatch):
    store = office_store(tmp_path, monkeypatch)
    with running(store, tmp_path) as (server, url):
        async def guess() -> None:
            async with aiohttp.ClientSession() as http:
                for attempt in range(5):
                    async with await sign_in(http, url, password=f"wrong guess {attempt}") as response:
                        assert response.status == 401 and "登录名或密码不正确" in await response.text()
                # the sixth is refused unchecked, right or wrong
                async with await sign_in(http, url) as response:
                    assert response.status == 429 and "失败次数过多" in await response.text()
                    assert "Set-Cookie" not in response.headers
                # an unknown name is told exactly what a wrong password is
                async with await sign_in(http, url, name="nobody") as response:
                    assert response.status == 401 and "登录名或密码不正确" in await response.text()
                deadline = time.monotonic() + 30
                while True:  # once the wait is over, the right password works
                    async with await sign_in(http, url) as response:
                        if response.status != 429:
                            assert response.status == 303 and "coordtui_session" in response.cookies
                            break
                    assert time.monotonic() < deadline, "still slowed after 30 s"
                    await asyncio.sleep(0.2)

        asyncio.run(guess())
    output = server_log(server)
    assert output.count("sign-in refused: li from 127.0.0.1: wrong name or password") == 5, output
    assert "too many failures, slowed for" in output and "signed in: li" in output, output


def test_the_demo_serves_the_tour_without_sign_in_and_never_the_store(tmp_path):
    store = tmp_path / "never"
    with running(store, tmp_path, "--demo") as (server, url):
        async def look() -> None:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{url}/") as response:
                    assert response.status == 200 and "data-session-websocket-url" in await response.text()
                async with http.get(f"{url}/signin", allow_redirects=False) as response:
                    assert response.status == 303
                with pytest.raises(aiohttp.WSServerHandshakeError):
                    await http.ws_connect(f"{url}/ws", origin="http://evil.example")
                tab = await http.ws_connect(f"{url}/ws?width=100&height=30", origin=url)
                received = b""
                deadline = time.monotonic() + 60
                while "演示".encode() not in received and time.monotonic() < deadline:
                    try:
                        message = await tab.receive(timeout=5)
                    except asyncio.TimeoutError:
                        continue
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
                    elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
                assert "演示".encode() in received
                await tab.close()

        asyncio.run(look())
    assert not store.exists()


def test_behind_a_tls_proxy_the_cookie_is_secure_and_the_proxy_s_host_and_client_address_count(tmp_path, monkeypatch):
    store = office_store(tmp_path, monkeypatch)
    with running(store, tmp_path, "--public-url", "https://coordtui.example.org", "--allow-host", "coordtui.example.org") as (server, url):
        async def through_the_proxy() -> None:
            proxy = {"Host": "coordtui.example.org", "X-Forwarded-For": "10.1.2.3"}
            async with aiohttp.ClientSession() as http:
                form = {"name": "li", "password": PASSWORD, "lang": "en"}
                # the plain-http origin of the same name is not this site any more
                async with http.post(f"{url}/signin", data=form, allow_redirects=False,
                                     headers={**proxy, "Origin": "http://coordtui.example.org"}) as response:
                    assert response.status == 403
                async with http.post(f"{url}/signin", data=form, allow_redirects=False,
                                     headers={**proxy, "Origin": "https://coordtui.example.org"}) as response:
                    assert response.status == 303
                    cookie = response.headers["Set-Cookie"]
                    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
                token = cookie.split(";")[0].split("=", 1)[1]
                async with http.get(f"{url}/", headers={**proxy, "Cookie": f"coordtui_session={token}"}) as response:
                    page = await response.text()
                    assert 'data-session-websocket-url="wss://coordtui.example.org/ws"' in page
                    assert 'lang="en"' in page and "Collaboration mechanisms" in page

        asyncio.run(through_the_proxy())
    output = server_log(server)
    assert "signed in: li from 10.1.2.3" in output and "refused POST /signin from 10.1.2.3: Origin 'http://coordtui.example.org'" in output, output


def test_an_export_downloads_to_its_own_session_only(tmp_path, monkeypatch):
    store = office_store(tmp_path, monkeypatch)
    with running(store, tmp_path) as (server, url):
        async def export() -> None:
            # unsafe: aiohttp's jar keeps no cookie of an IP address otherwise
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as mine, \
                    aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
                async with await sign_in(mine, url) as response:
                    assert response.status == 303
                async with await sign_in(other, url) as response:
                    assert response.status == 303
                tab = await mine.ws_connect(f"{url}/ws?width=100&height=30", origin=url)
                received, key, asked = b"", None, False
                deadline = time.monotonic() + 60
                while key is None and time.monotonic() < deadline:
                    try:
                        message = await tab.receive(timeout=2)
                    except asyncio.TimeoutError:
                        message = None
                    if message is not None and message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
                    elif message is not None and message.type == aiohttp.WSMsgType.TEXT and "deliver_file_start" in message.data:
                        key = json.loads(message.data)[1]
                    elif message is not None and message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        break
                    if not asked and "已逾期".encode() in received:  # the dashboard is up: x, then Enter (the ledger)
                        asked = True
                        await tab.send_str(json.dumps(["stdin", "x"]))
                        await asyncio.sleep(1)
                        await tab.send_str(json.dumps(["stdin", "\r"]))
                assert key is not None, received[-500:]
                async with other.get(f"{url}/download/{key}") as response:
                    assert response.status == 403  # another session cannot take it
                async with mine.get(f"{url}/download/{key}") as response:
                    assert response.status == 200 and "pingluo" in response.headers["Content-Disposition"]
                    assert (await response.read())[:2] == b"PK"  # the xlsx ledger
                await tab.close()

        asyncio.run(export())
    assert "the download belongs to another session" in server_log(server)


def test_a_persons_calendar_feed_is_served_by_its_token_alone(tmp_path, monkeypatch):
    """A phone subscribes once: /feed/<token>.ics holds li's duties (pingluo only) without a
    sign-in; a wrong or revoked token is 404, and nothing else opens without a session."""
    store = office_store(tmp_path, monkeypatch)
    issued = cli("users", "feed", "li", "--db", str(store))
    token = re.search(r"/feed/([A-Za-z0-9_\-]+)\.ics", issued).group(1)
    with running(store, tmp_path) as (server, url):
        async def subscribe() -> None:
            async with aiohttp.ClientSession() as phone:
                async with phone.get(f"{url}/feed/{token}.ics") as response:
                    body = await response.text()
                    assert response.status == 200 and response.content_type == "text/calendar", body
                    assert "BEGIN:VCALENDAR" in body and "协作区" in body and "协作组" not in body  # pingluo's, not tjpu's
                async with phone.get(f"{url}/feed/{'x' * 43}.ics") as response:
                    assert response.status == 404
                cli("users", "feed", "li", "--revoke", "--db", str(store))
                async with phone.get(f"{url}/feed/{token}.ics") as response:
                    assert response.status == 404
                async with phone.get(f"{url}/download/anything") as response:
                    assert response.status == 403  # the feed opens nothing else

        asyncio.run(subscribe())
