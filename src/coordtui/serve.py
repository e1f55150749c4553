"""``coordtui serve``: the same application in a web browser, through textual-serve.

For a meeting room where only a browser is at hand (浏览器演示). textual-serve runs
one application process per browser tab, each speaking Textual's web driver over
a websocket; every tab opens the same store, whose lock and revisions keep
several tabs (and terminal users) from overwriting each other.

The store is opened and, when empty, given the bundled examples here, once, before
the server starts: a problem with it is one line on the command line rather than
an error inside the first browser tab.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shlex
import socket
import sys
from datetime import date
from pathlib import Path
from typing import Iterable

from coordtui.errors import InputError
from coordtui.i18n import t

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def app_command(*, db: Path, lang: str, plugin_dirs: Iterable[Path] = (), org_id: str | None = None,
                as_of: date | None = None, demo: bool = False) -> str:
    """The shell command textual-serve starts for each browser tab."""
    argv = [sys.executable, "-m", "coordtui"]
    if demo:
        return shlex.join([*argv, "demo", "--lang", lang])
    argv += ["--db", str(db), "--lang", lang]
    for folder in plugin_dirs:
        argv += ["--plugin-dir", str(folder)]
    if org_id:
        argv += ["--org", org_id]
    if as_of:
        argv += ["--as-of", as_of.isoformat()]
    return shlex.join(argv)


def check_port(host: str, port: int) -> None:
    """Refuse, in one line, a port the server could not listen on."""
    if not 0 < port < 65536:
        raise InputError(f"--port {port}: not a port number: give one between 1 and 65535, for example --port 8000")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"--host {host}: no such address on this machine: give an address such as 127.0.0.1 or 0.0.0.0") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"{host}:{port}: the port is already in use: choose another with --port, for example --port {port + 1}") from None
            if exc.errno == errno.EACCES:
                raise InputError(f"{host}:{port}: not allowed to listen on this port: use one above 1023, for example --port 8000") from None
            raise InputError(f"{host}:{port}: cannot listen here ({exc.strerror}): give another --host or --port") from None


def _server_class():
    from textual_serve.server import Server

    class CoordServer(Server):
        """textual-serve's server, ending its browser sessions when it is stopped.

        Without this, Ctrl+C with a tab open waits for aiohttp's shutdown timeout (60 s)
        while the tab's websocket stays open, then asyncio prints a traceback for the tab's
        application process ending after the event loop. Here each session's connection is
        closed on shutdown, so textual-serve quits its application process, and the server
        waits for those processes (at most 5 s) before its loop closes.
        """

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.sessions: dict[int, object] = {}  # requests are not hashable

        async def handle_websocket(self, request):
            self.sessions[id(request)] = request
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions.pop(id(request), None)

        async def on_shutdown(self, app) -> None:
            for request in list(self.sessions.values()):
                if request.transport is not None:
                    request.transport.close()

        async def _make_app(self):
            app = await super()._make_app()
            app.on_cleanup.append(self._wait_for_applications)
            return app

        async def _wait_for_applications(self, app) -> None:
            """Let the sessions' application processes end while the event loop still runs
            (otherwise asyncio reports their pipes, closed after it, with a traceback)."""
            deadline = asyncio.get_running_loop().time() + 5
            while _children() and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)

    return CoordServer


def _children() -> list[str]:
    """This process's child processes (Linux); [] where that cannot be told."""
    try:
        tasks = os.listdir(f"/proc/{os.getpid()}/task")
        return [pid for task in tasks for pid in Path(f"/proc/{os.getpid()}/task/{task}/children").read_text().split()]
    except OSError:
        return []


def serve(*, host: str, port: int, db: str | None, lang: str, plugin_dirs: Iterable[Path] = (),
          org_id: str | None = None, as_of: date | None = None, demo: bool = False, public_url: str | None = None) -> int:
    """Run the web server until Ctrl+C."""
    from coordtui.workspace import Workspace

    plugin_dirs = [Path(d).resolve() for d in plugin_dirs]
    check_port(host, port)
    store_path = None
    if not demo:
        ws = Workspace.open(db, create=True, plugin_dirs=plugin_dirs)
        if not ws.store.orgs():
            ws.load_examples()
        if org_id:
            ws.org(org_id)  # one line naming the known organizations when it is not one of them
        store_path = Path(ws.store.root).resolve()
    command = app_command(db=store_path or Path("."), lang=lang, plugin_dirs=plugin_dirs, org_id=org_id, as_of=as_of, demo=demo)
    title = t("serve.demo_title" if demo else "serve.title", lang)
    if host not in LOOPBACK:
        print(f"coordtui: serving on {host}: anyone who can reach this address can read and change the store {store_path or '(demo copy)'}; "
              "there is no sign-in, so use it on a trusted network only", file=sys.stderr)
    _server_class()(command, host=host, port=port, title=title, public_url=public_url).serve()
    return 0
