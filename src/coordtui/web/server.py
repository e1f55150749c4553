"""The web server of ``coordtui serve``: aiohttp, with textual-serve's process per tab.

Every request passes two checks before any route sees it:

- its ``Host`` is one of the allowed names (``--allow-host``; by default the listening
  address and localhost), so a page of another site reaching this port by DNS rebinding
  gets 403;
- a websocket upgrade or a form post carries an ``Origin`` that is this very host, so
  another site's page open in the person's browser cannot drive a tab or post a form.

Then every route needs a signed-in session except those named in :data:`PUBLIC_ROUTES`
(the sign-in pages). A route added later is protected without doing anything; a route
that must be reached without the cookie (a calendar feed with a token of its own, say)
is added to :data:`PUBLIC_ROUTES` and checks its own token.

Each tab's application is ``coordtui --as NAME`` for the session's person, decided here
from the session, never from anything the browser sends. The server runs as the store's
owner, the one account ``--as`` is honoured for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
import sys
from functools import partial
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from coordtui.access.identity import person as stored_person
from coordtui.errors import ConflictError, StoreError
from coordtui.web import attachments, auth, pages

COOKIE = "coordtui_session"
#: What the application asks for (``App.open_url``) when the person signs out with its key.
SIGN_OUT_URL = "coordtui:sign-out"
#: Routes reached without a session: the sign-in pages.
#: "feed" is a person's calendar (coordtui users feed): a phone subscribes without signing in, so
#: the unguessable token in its address is what is checked (coordtui.remind.feed).
PUBLIC_ROUTES = frozenset({"signin", "signin_post", "link", "link_post", "signout", "favicon", "feed"})
_FEED_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{16,128}$")
#: Environment variable the application is started with, so it offers its sign-out key.
SERVED_ENV = "COORDTUI_SERVED"
SWEEP_SECONDS = 5.0
HEADERS = {
    # Not no-referrer: with it Chromium sends "Origin: null" on the sign-in form's post.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
}


def static_folder() -> Path:
    """textual-serve's own static files (its script, xterm's style and the Roboto Mono font)."""
    import textual_serve

    return Path(textual_serve.__file__).parent / "static"


def _split_host(value: str) -> tuple[str, str | None]:
    """``name[:port]`` or ``[v6][:port]`` → (lower-case name, port or None)."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        rest = value[end + 1:]
        return value[1:end], (rest[1:] if rest.startswith(":") else None)
    if value.count(":") == 1:
        name, port = value.split(":")
        return name, port
    return value, None


def allowed_hosts(listen: str, extra: list[str], public_url: str | None) -> list[str]:
    """The names a request's Host may carry: the listening address (for a wildcard address,
    this machine's name), localhost, the public URL's host, and each ``--allow-host``."""
    names = ["localhost", "127.0.0.1", "::1"]
    if listen in ("0.0.0.0", "::", ""):
        import socket

        names += [socket.gethostname().lower(), socket.getfqdn().lower()]
    else:
        names.append(listen.lower())
    if public_url:
        names.append(_split_host(urlsplit(public_url).netloc)[0])
    names += [h.strip().lower() for h in extra if h.strip()]
    return list(dict.fromkeys(names))


class Tab:
    """One browser tab: its websocket and its application process (textual-serve's AppService)."""

    def __init__(self, websocket: web.WebSocketResponse, request: web.Request) -> None:
        self.websocket = websocket
        self.request = request
        self.service = None

    async def go_to(self, url: str) -> None:
        """Send the tab's page elsewhere, then close the tab (its application quits)."""
        try:
            if not self.websocket.closed:
                await self.websocket.send_str(json.dumps(["open_url", {"url": url, "new_tab": False}]))
                await self.websocket.close()
        except (ConnectionError, RuntimeError):
            pass


def _tab_service(on_sign_out: Callable[[], Awaitable[None]]):
    from textual_serve.app_service import AppService

    class TabService(AppService):
        """The tab's process: told it is served (so it offers its sign-out key), and its
        sign-out request handled here rather than sent on to the browser."""

        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            environment = super()._build_environment(width=width, height=height)
            environment[SERVED_ENV] = "1"
            return environment

        async def on_meta(self, data: bytes) -> None:
            try:
                meta = json.loads(data)
            except ValueError:
                return
            if isinstance(meta, dict) and meta.get("type") == "open_url" and meta.get("url") == SIGN_OUT_URL:
                await on_sign_out()
                return
            await super().on_meta(data)

    return TabService


class WebServer:
    """The aiohttp application of one ``coordtui serve``.

    ``command(name, lang)`` is the shell command of a tab's application for the person
    ``name`` (``demo``: no sign-in, ``name`` is None). ``store`` is the store people sign in to.
    """

    def __init__(self, *, command: Callable[[str | None, str], str], store, lang: str, allow: list[str],
                 public_url: str | None, demo: bool = False, log: Callable[[str], None] | None = None,
                 host=None) -> None:
        from textual_serve.download_manager import DownloadManager

        self.command = command
        self.store = store
        self.host = host  # the plugin host the calendar feeds are checked with
        self.lang = lang
        self.allow = allow
        self.public_url = public_url
        self.secure = bool(public_url and public_url.lower().startswith("https:"))
        self.demo = demo
        self.log = log or (lambda line: print(f"coordtui serve: {line}", file=sys.stderr, flush=True))
        self.downloads = DownloadManager()
        self.sessions = auth.Sessions(limits=self._limits, stamp=self._stamp)
        self.by_name = auth.Throttle(free=5)
        self.by_address = auth.Throttle(free=20)
        self.demo_tabs: set[Tab] = set()
        self._hashing = asyncio.Semaphore(2)  # argon2id takes 64 MiB a verification: at most two at once

    # settings and people ---------------------------------------------------------------------
    def _limits(self) -> dict[str, int]:
        if self.store is None:
            return dict(auth.SETTINGS)
        try:
            return auth.settings(self.store.meta())
        except StoreError:
            return dict(auth.SETTINGS)

    def _person(self, name: str):
        try:
            return stored_person(self.store, name)
        except StoreError as exc:
            self.log(f"person {name[:40]!r} cannot be read: {exc.message}")
            return None

    def _stamp(self, name: str) -> str | None:
        """The person's password stamp now; None when they are not in the store (or it cannot be read)."""
        try:
            doc = self.store.get_person(name)
        except StoreError:
            return None
        return None if doc is None else auth.password_stamp(doc.get("password_hash"))

    # the application -------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.add_routes([
            web.get("/signin", self.signin_page, name="signin"),
            web.post("/signin", self.signin, name="signin_post"),
            web.get("/link", self.link_page, name="link"),
            web.post("/link", self.link, name="link_post"),
            web.post("/signout", self.signout, name="signout"),
            web.get("/favicon.ico", self.favicon, name="favicon"),
            web.get("/feed/{token}.ics", self.feed, name="feed"),
            web.get("/", self.index, name="index"),
            web.get("/ws", self.websocket, name="websocket"),
            web.get("/download/{key}", self.download, name="download"),
            web.get("/attach", partial(attachments.page, self), name="attach"),
            web.post("/attach", partial(attachments.upload, self), name="attach_post"),
            web.get("/attachment", partial(attachments.download, self), name="attachment"),
            web.static("/static", static_folder(), show_index=False, follow_symlinks=False, name="static"),
        ])
        app.on_startup.append(self._start_sweeping)
        app.on_shutdown.append(self._close_everything)
        return app

    def address(self, request: web.Request) -> str:
        """The client's address; behind a reverse proxy on this machine (``--public-url``
        given, the peer a loopback address), the one the proxy puts in X-Forwarded-For."""
        peer = request.remote or "?"
        forwarded = request.headers.get("X-Forwarded-For")
        if forwarded and self.public_url:
            try:
                if ipaddress.ip_address(peer).is_loopback:
                    return forwarded.split(",")[-1].strip()[:64] or peer
            except ValueError:
                pass
        return peer

    def _refuse(self, request: web.Request, why: str) -> web.Response:
        self.log(f"refused {request.method} {_one_line(request.path)} from {self.address(request)}: {why}")
        return web.Response(status=403, text=f"403: {why}\n", headers=HEADERS)

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        host = request.headers.get("Host", "")
        name, port = _split_host(host)
        if not host or not any(name == a or (":" in a and host.lower() == a) for a in self.allow if a):
            return self._refuse(request, f"Host {host[:80]!r} is not one this server answers to (--allow-host)")
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if upgrade or request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("Origin", "")
            parts = urlsplit(origin)
            # this very site: its host, and its scheme (https behind TLS, as --public-url says)
            if parts.scheme != ("https" if self.secure else "http") or parts.netloc.lower() != host.lower():
                return self._refuse(request, f"Origin {origin[:80]!r} is not this site ({host[:80]})")
        route = request.match_info.route.name
        if not self.demo and route not in PUBLIC_ROUTES:
            session = self.sessions.get(request.cookies.get(COOKIE))
            if session is None:
                if request.method == "GET" and route == "index":
                    raise web.HTTPSeeOther("/signin", headers=HEADERS)
                return self._refuse(request, "not signed in")
            self.sessions.touch(session)
            request[attachments.SESSION] = session
        try:
            response = await handler(request)
        except web.HTTPException:
            raise
        except (ConnectionError, asyncio.CancelledError):
            raise
        except StoreError as exc:
            self.log(f"{request.method} {_one_line(request.path)} failed: {exc.message}")
            return web.Response(status=500, text="500: the store cannot be read now; the server's log says why\n", headers=HEADERS)
        except Exception as exc:  # a bug: one line in the log, never the person's business
            self.log(f"{request.method} {_one_line(request.path)} failed: {type(exc).__name__}: {exc}")
            return web.Response(status=500, text="500: internal error; the server's log says what\n", headers=HEADERS)
        if not response.prepared:
            response.headers.update(HEADERS)
            if route != "static":
                response.headers["Cache-Control"] = "no-store"
        return response

    # signing in ----------------------------------------------------------------------------
    def _lang(self, value: str | None) -> str:
        return value if value in ("zh", "en") else self.lang

    def _html(self, text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")

    async def signin_page(self, request: web.Request) -> web.StreamResponse:
        if self.demo:
            raise web.HTTPSeeOther("/")
        lang = self._lang(request.query.get("lang"))
        if self.sessions.get(request.cookies.get(COOKIE)) is not None:
            raise web.HTTPSeeOther("/")
        note = pages.say("signed_out", lang) if "out" in request.query else pages.say("ended", lang) if "ended" in request.query else None
        return self._html(pages.sign_in(lang, note=note))

    def _slowed(self, request: web.Request, keys: list[str], lang: str, page: Callable[[str], str],
                shown: str | None = None) -> web.Response | None:
        wait = max([self.by_address.wait(keys[0]), *(self.by_name.wait(k) for k in keys[1:])])
        if wait <= 0:
            return None
        self.log(f"sign-in refused from {self.address(request)}{' as ' + shown if shown else ''}: "
                 f"too many failures, slowed for {wait:.0f} s")
        return self._html(page(pages.say("slowed", lang, seconds=max(1, round(wait)))), status=429)

    def _signed_in(self, name: str, request: web.Request, lang: str, page: Callable[[str], str]) -> web.Response:
        try:
            token, _ = self.sessions.start(name, self.address(request), lang)
        except auth.Refused as refused:
            self.log(refused.log)
            return self._html(page(refused.text(lang)), status=403)
        self.log(f"signed in: {name} from {self.address(request)}")
        response = _see_other("/")
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=self.secure, path="/")
        return response

    async def signin(self, request: web.Request) -> web.StreamResponse:
        if self.demo:
            raise web.HTTPSeeOther("/")
        form = await request.post()
        lang = self._lang(form.get("lang"))
        name = str(form.get("name", "")).strip()[:64]
        shown = "".join(c if c.isprintable() else "?" for c in name[:40]) or "(no name)"  # a log line stays one line
        password = str(form.get("password", ""))
        address = self.address(request)

        def page(message: str) -> str:
            return pages.sign_in(lang, error=message, name=name)

        slowed = self._slowed(request, [address, name], lang, page, shown)
        if slowed is not None:
            return slowed
        person = self._person(name) if name else None
        async with self._hashing:
            good = await asyncio.get_running_loop().run_in_executor(
                None, auth.verify_password, person.password_hash if person else None, password)
        if not good:
            self.by_name.fail(name)
            self.by_address.fail(address)
            self.log(f"sign-in refused: {shown} from {address}: wrong name or password")
            return self._html(page(pages.say("wrong", lang)), status=401)
        self.by_name.clear(name)
        return self._signed_in(person.name, request, lang, page)

    async def link_page(self, request: web.Request) -> web.StreamResponse:
        if self.demo:
            raise web.HTTPSeeOther("/")
        lang = self._lang(request.query.get("lang"))
        token = request.query.get("token", "")
        if self._link_owner(token) is None:
            return self._html(pages.link(lang, token, error=pages.say("link_bad", lang)), status=403)
        return self._html(pages.link(lang, token))

    def _link_owner(self, token: str):
        if not token or len(token) > 100:
            return None
        at = auth.now_utc()
        for doc in self.store.people():
            person = self._person(str(doc.get("name")))
            if person is not None and auth.matching_link(person.links, token, at) is not None:
                return doc, person
        return None

    async def link(self, request: web.Request) -> web.StreamResponse:
        if self.demo:
            raise web.HTTPSeeOther("/")
        form = await request.post()
        lang = self._lang(form.get("lang"))
        token = str(form.get("token", ""))
        address = self.address(request)

        def page(message: str) -> str:
            return pages.link(lang, token, error=message)

        slowed = self._slowed(request, [address], lang, page)
        if slowed is not None:
            return slowed
        found = self._link_owner(token)
        if found is not None:
            doc, person = found
            used = auth.matching_link(person.links, token, auth.now_utc())
            person.links = [k for k in person.links if k is not used]
            try:  # the revision makes the link single-use even for two posts at the same moment
                self.store.put_person(person.model_dump(mode="json"), rev=int(doc["_rev"]))
            except ConflictError:
                found = None
        if found is None:
            self.by_address.fail(address)
            self.log(f"sign-in refused from {address}: unknown, used or expired one-time link")
            return self._html(page(pages.say("link_bad", lang)), status=403)
        return self._signed_in(person.name, request, lang, page)

    async def signout(self, request: web.Request) -> web.StreamResponse:
        session = self.sessions.get(request.cookies.get(COOKIE))
        lang = session.lang if session else self._lang(None)
        if session is not None:
            await self._end(session, "signed out")
        response = _see_other(f"/signin?out=1&lang={lang}")
        response.del_cookie(COOKIE, path="/")
        return response

    async def _end(self, session: auth.Session, why: str, url: str | None = None) -> None:
        tabs = self.sessions.end(session)
        self.log(f"session ended: {session.name} from {session.address}: {why}")
        for tab in tabs:
            await tab.go_to(url or f"/signin?out=1&lang={session.lang}")

    async def _start_sweeping(self, app: web.Application) -> None:
        async def sweep() -> None:
            while True:
                await asyncio.sleep(SWEEP_SECONDS)
                for session, tabs in self.sessions.sweep():
                    why = self.sessions.ended_by_store(session) or "idle"
                    self.log(f"session ended: {session.name} from {session.address}: {why}")
                    for tab in tabs:
                        await tab.go_to(f"/signin?ended=1&lang={session.lang}")

        self._sweeper = asyncio.create_task(sweep())

    async def _close_everything(self, app: web.Application) -> None:
        self._sweeper.cancel()
        tabs = [*self.demo_tabs, *(t for s in list(self.sessions._by_digest.values()) for t in s.tabs)]
        for tab in tabs:
            if tab.request.transport is not None:
                tab.request.transport.close()
        deadline = asyncio.get_running_loop().time() + 5
        while children() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)

    # the application's page and tabs -----------------------------------------------------------
    async def feed(self, request: web.Request) -> web.StreamResponse:
        """A person's calendar of their own duties (``coordtui users feed NAME``); 404 for any other token."""
        from coordtui.remind import feed

        token = request.match_info["token"]
        if self.demo or self.store is None or self.host is None or not _FEED_TOKEN.match(token):
            return web.Response(status=404, text="404: no such calendar\n", headers=HEADERS)
        body = await asyncio.to_thread(feed, self.store, self.host, token)
        if body is None:
            self.log(f"calendar feed refused: unknown or revoked token from {request.remote}")
            return web.Response(status=404, text="404: no such calendar\n", headers=HEADERS)
        return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=HEADERS)

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)  # browsers ask before signing in; nothing to give, nothing to log

    async def index(self, request: web.Request) -> web.StreamResponse:
        session = request.get(attachments.SESSION)
        lang = session.lang if session else self._lang(request.query.get("lang"))
        host = request.headers["Host"]
        scheme = "wss" if self.secure else "ws"
        return self._html(pages.application(lang, websocket_url=f"{scheme}://{host}/ws"))

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        session: auth.Session | None = request.get(attachments.SESSION)
        limits = self._limits()
        if session is not None and len(session.tabs) >= limits["serve.tabs_per_session"]:
            return self._refuse(request, f"{session.name} has {len(session.tabs)} tabs open already (serve.tabs_per_session)")
        if session is None and len(self.demo_tabs) >= limits["serve.sessions_total"]:
            return self._refuse(request, f"{len(self.demo_tabs)} tour tabs are open already (serve.sessions_total)")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1024 * 1024)
        tab = Tab(websocket, request)
        tabs = session.tabs if session is not None else self.demo_tabs

        async def sign_out() -> None:
            if session is not None:
                await self._end(session, "signed out")

        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        tabs.add(tab)
        try:
            await websocket.prepare(request)
            tab.service = service = _tab_service(sign_out)(
                self.command(session.name if session else None, session.lang if session else self.lang),
                write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
                download_manager=self.downloads)
            await service.start(width, height)
            try:
                await self._messages(websocket, service, session)
            finally:
                await service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except (ConnectionError, RuntimeError) as exc:
            self.log(f"tab of {session.name if session else 'the tour'} ended: {exc}")
        finally:
            tabs.discard(tab)
        return websocket

    async def _messages(self, websocket: web.WebSocketResponse, service, session: auth.Session | None) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                if session is not None:
                    self.sessions.touch(session)  # a key typed is use; the page's own pings are not
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def download(self, request: web.Request) -> web.StreamResponse:
        """An export from a tab, to that tab's browser only (its session's own tabs)."""
        session: auth.Session | None = request.get(attachments.SESSION)
        try:
            meta = await self.downloads.get_download_metadata(request.match_info["key"])
        except KeyError:
            raise web.HTTPNotFound(text="no such download\n")
        mine = self.demo_tabs if session is None else session.tabs
        if not any(tab.service is meta.app_service for tab in mine):
            return self._refuse(request, "the download belongs to another session")
        response = web.StreamResponse()
        response.headers.update(HEADERS)
        response.headers["Content-Type"] = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        from urllib.parse import quote

        response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(meta.file_name)}"
        await response.prepare(request)
        async for chunk in self.downloads.download(request.match_info["key"]):
            await response.write(chunk)
        await response.write_eof()
        return response


def _one_line(text: str) -> str:
    """A request's path for the log: decoded, it may hold a newline (%0a) that would forge a line."""
    return "".join(c if c.isprintable() else "?" for c in text[:80])


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return number if 1 <= number <= 1000 else default


def children() -> list[str]:
    """This process's child processes (Linux); [] where that cannot be told."""
    try:
        tasks = os.listdir(f"/proc/{os.getpid()}/task")
        return [pid for task in tasks for pid in Path(f"/proc/{os.getpid()}/task/{task}/children").read_text().split()]
    except OSError:
        return []
