"""``coordtui serve``: the same application in a web browser, through textual-serve.

How most people reach coordtui: a sign-in page (password or one-time link), then one
application process per browser tab (textual-serve's), each acting as the signed-in
person with their roles and scopes. The web side lives in :mod:`coordtui.web`; this
module checks the options and the store and starts it. Every tab opens the same store,
whose lock and revisions keep several tabs (and terminal users) from overwriting each other.

The store is opened and, when empty, given the bundled examples here, once, before
the server starts: a problem with it is one line on the command line rather than
an error inside the first browser tab.
"""

from __future__ import annotations

import errno
import logging
import re
import shlex
import socket
import sys
from datetime import date
from pathlib import Path
from typing import Iterable

from coordtui.errors import InputError
from coordtui.i18n import os_reason, t


class OneLineFormatter(logging.Formatter):
    """The server's log, one line per event. A request the HTTP parser refuses (a malformed
    header, a line too long, a bad chunk: anyone on the network can send one) is answered
    400 by aiohttp, which logs it with a traceback; here it is one line saying what was
    refused. A traceback is kept for anything else: that is coordtui's own fault, to be
    reported."""

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        from aiohttp.http_exceptions import HttpProcessingError

        if isinstance(exc, HttpProcessingError):
            said = record.getMessage().replace("Error handling request", "refused a malformed request", 1)
            why = " ".join(str(exc.message).split()).rstrip(" ^")[:160]
            record.message = f"{said}: {exc.code} {why}"
            return self.formatMessage(record)
        return super().format(record)


def app_command(*, db: Path, lang: str, plugin_dirs: Iterable[Path] = (), org_id: str | None = None,
                as_of: date | None = None, demo: bool = False, identity: str | None = None) -> str:
    """The shell command textual-serve starts for each browser tab (``identity``: the
    signed-in person it acts as, ``--as NAME``; the server runs as the store's owner)."""
    argv = [sys.executable, "-m", "coordtui"]
    if demo:
        return shlex.join([*argv, "demo", "--lang", lang])
    argv += ["--db", str(db), "--lang", lang]
    if identity is not None:
        argv += ["--as", identity]
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
        raise InputError(f"--port {port}: not a port number: give one between 1 and 65535, for example --port 8000",
                         message_zh=f"--port {port}：不是端口号：请给出 1 至 65535 之间的数，例如 --port 8000")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"--host {host}: no such address on this machine: give an address such as 127.0.0.1 or 0.0.0.0",
                         message_zh=f"--host {host}：本机没有这个地址：请给出 127.0.0.1 或 0.0.0.0 这样的地址") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"{host}:{port}: the port is already in use: choose another with --port, for example --port {port + 1}",
                                 message_zh=f"{host}:{port}：端口已被占用：请用 --port 另选一个，例如 --port {port + 1}") from None
            if exc.errno == errno.EACCES:
                raise InputError(f"{host}:{port}: not allowed to listen on this port: use one above 1023, for example --port 8000",
                                 message_zh=f"{host}:{port}：无权监听该端口：请用 1023 以上的端口，例如 --port 8000") from None
            raise InputError(f"{host}:{port}: cannot listen here ({exc.strerror}): give another --host or --port",
                             message_zh=f"{host}:{port}：无法在此监听（{os_reason(exc)}）：请另给 --host 或 --port") from None


def serve(*, host: str, port: int, db: str | None, lang: str, plugin_dirs: Iterable[Path] = (),
          org_id: str | None = None, as_of: date | None = None, demo: bool = False, public_url: str | None = None,
          allow_hosts: Iterable[str] = ()) -> int:
    """Run the web server until Ctrl+C."""
    from aiohttp import web

    from coordtui.web.server import WebServer, allowed_hosts

    plugin_dirs = [Path(d).resolve() for d in plugin_dirs]
    check_port(host, port)
    if public_url is not None and not _URL.match(public_url):
        raise InputError(f"--public-url {public_url[:60]!r}: not an http(s) address: for example --public-url https://coordtui.example.org",
                         message_zh=f"--public-url {public_url[:60]!r}：不是 http(s) 地址：例如 --public-url https://coordtui.example.org")
    public_url = public_url.rstrip("/") if public_url else None
    for name in allow_hosts:
        if not _HOST.match(name):
            raise InputError(f"--allow-host {name[:60]!r}: not a host name or address: for example --allow-host coordtui.example.org",
                             message_zh=f"--allow-host {name[:60]!r}：不是主机名或地址：例如 --allow-host coordtui.example.org")
    store = None
    store_path = Path(".")
    if not demo:
        from coordtui.access.identity import person_of
        from coordtui.workspace import Workspace

        ws = Workspace.open(db, create=True, plugin_dirs=plugin_dirs)
        if not ws.store.orgs():
            ws.load_examples()
        if org_id:
            ws.org(org_id)  # one line naming the known organizations when it is not one of them
        store = ws.store
        store_path = Path(store.root).resolve()
        url = public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        if store.meta().get("serve.url") != url:
            store.set_meta(**{"serve.url": url})  # where 'coordtui users link' points its links
        people = [person_of(store, d) for d in store.people()]
        if not any(p.password_hash or p.links for p in people):
            print(t("out.serve_nobody", lang), file=sys.stderr)

    def command(name: str | None, tab_lang: str) -> str:
        return app_command(db=store_path, lang=tab_lang, plugin_dirs=plugin_dirs, org_id=org_id, as_of=as_of, demo=demo,
                           identity=name)

    allow = allowed_hosts(host, list(allow_hosts), public_url)
    server = WebServer(command=command, store=store, lang=lang, allow=allow, public_url=public_url, demo=demo,
                       host=None if demo else ws.host)
    where = public_url or f"http://{host}:{port}"
    what = t("out.serve_tour", lang) if demo else str(store_path)
    print(t("out.serving", lang, what=what, where=where, hosts=", ".join(allow)), file=sys.stderr, flush=True)
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("coordtui serve: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    web.run_app(server.make_app(), host=host, port=port, print=None, shutdown_timeout=5, access_log=None)
    return 0


_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?/?$|^https?://\[[0-9a-fA-F:]+\](:[0-9]{1,5})?/?$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?$|^\[?[0-9a-fA-F:]+\]?(:[0-9]{1,5})?$")
