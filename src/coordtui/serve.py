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


def serve(*, host: str, port: int, db: str | None, lang: str, plugin_dirs: Iterable[Path] = (),
          org_id: str | None = None, as_of: date | None = None, demo: bool = False, public_url: str | None = None,
          allow_hosts: Iterable[str] = ()) -> int:
    """Run the web server until Ctrl+C."""
    from aiohttp import web

    from coordtui.web.server import WebServer, allowed_hosts

    plugin_dirs = [Path(d).resolve() for d in plugin_dirs]
    check_port(host, port)
    if public_url is not None and not _URL.match(public_url):
        raise InputError(f"--public-url {public_url[:60]!r}: not an http(s) address: for example --public-url https://coordtui.example.org")
    public_url = public_url.rstrip("/") if public_url else None
    for name in allow_hosts:
        if not _HOST.match(name):
            raise InputError(f"--allow-host {name[:60]!r}: not a host name or address: for example --allow-host coordtui.example.org")
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
            print("coordtui: nobody can sign in yet: give a person a password with 'coordtui users passwd NAME' "
                  "or a one-time link with 'coordtui users link NAME'", file=sys.stderr)

    def command(name: str | None, tab_lang: str) -> str:
        return app_command(db=store_path, lang=tab_lang, plugin_dirs=plugin_dirs, org_id=org_id, as_of=as_of, demo=demo,
                           identity=name)

    allow = allowed_hosts(host, list(allow_hosts), public_url)
    server = WebServer(command=command, store=store, lang=lang, allow=allow, public_url=public_url, demo=demo,
                       host=None if demo else ws.host)
    where = public_url or f"http://{host}:{port}"
    print(f"coordtui: serving {'the tour (no sign-in, a temporary copy)' if demo else store_path} on {where} "
          f"for the hosts {', '.join(allow)}; Ctrl+C stops", file=sys.stderr, flush=True)
    logging.basicConfig(level=logging.WARNING, format="coordtui serve: %(message)s")
    web.run_app(server.make_app(), host=host, port=port, print=None, shutdown_timeout=5, access_log=None)
    return 0


_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?/?$|^https?://\[[0-9a-fA-F:]+\](:[0-9]{1,5})?/?$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?$|^\[?[0-9a-fA-F:]+\]?(:[0-9]{1,5})?$")
