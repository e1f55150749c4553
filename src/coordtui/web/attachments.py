"""Attachments in the browser (浏览器上传与下载附件): the upload page of one record, the upload, and
the download of one file.

In a browser tab the application cannot read a path on the person's machine, so its attach key
opens ``/attach?org=…&kind=…&id=…`` in a new tab: a page of the server listing the record's
files (each a download link) and, for a person who may change the record, a form to upload one.

What protects them, besides the server's own checks on every request (an allowed ``Host``, a
signed-in session, and for a post an ``Origin`` that is this very site):

- the post carries the session's own form token (a random value, compared in constant time),
  so a page that somehow reaches the post without the cookie's SameSite protection still cannot
  make one;
- the body is refused (413) as soon as it passes the store's per-file limit, while it is read:
  a declared ``Content-Length`` over it is refused before a byte is read, and an undeclared or
  false one stops at the limit;
- every read and write goes through a :class:`~coordtui.workspace.Workspace` acting as the
  session's person, so roles, scopes and sensitive kinds apply exactly as in the application:
  a record the person may not see is "no such record", whether it exists or not;
- a download is always ``attachment`` (never shown inside the site's pages), ``nosniff``, and
  ``sandbox``ed by its own Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from aiohttp import web

from coordtui.errors import AccessError, InputError
from coordtui.i18n import t
from coordtui.web import pages

#: where a request carries its signed-in session, set by the server's guard (a typed key where
#: aiohttp has them, 3.11 on; a string before)
SESSION: Any = web.RequestKey("session", object) if hasattr(web, "RequestKey") else "session"

if TYPE_CHECKING:
    from coordtui.web.server import WebServer

#: Room in a post beyond the file itself: the form's other fields and the multipart framing.
FORM_ROOM = 64 * 1024
#: The longest a text field of the form (token, organization, kind, id, title, language) may be.
FIELD_LIMIT = 2048
CHUNK = 256 * 1024
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "doc": "application/msword",
    "xls": "application/vnd.ms-excel", "ofd": "application/ofd",
}


class _TooBig(Exception):
    pass


def workspace(server: "WebServer", name: str):
    """A workspace of the server's store acting as ``name`` (the session's person), for one request."""
    from coordtui.access import resolve_actor
    from coordtui.store import Store
    from coordtui.workspace import Workspace

    store = Store(server.store.root, user=name)
    return Workspace(store, server.host, actor=resolve_actor(store, name))


def _record_query(org: str, kind: str, record_id: str, **more: str) -> str:
    return urlencode({"org": org, "kind": kind, "id": record_id, **more})


def _view(ws, org: str, kind: str, record_id: str) -> dict[str, Any]:
    """What the page shows: the record's label, its files, whether the person may upload, the limit."""
    found = ws.get(org, kind, record_id) if org in {o.id for o in ws.orgs()} else None
    if found is None:
        raise InputError(pages.say("att_gone", "en"), message_zh=pages.say("att_gone", "zh"))
    record, _ = found
    organization = ws.org(org)
    may_change = ws.policy(organization).refusal(kind, record, record) is None
    return {"label": record.label(), "org_name": organization.name, "items": ws.attachments(org, kind, record_id),
            "may_change": may_change, "limit": ws.attachment_limits()[0]}


def _no_store(server: "WebServer", request: web.Request) -> web.Response | None:
    """The tour (``serve --demo``) has no store and no person: nothing of this is served there."""
    if server.demo or server.store is None or request.get(SESSION) is None:
        return web.Response(status=404, text="404: attachments are not part of the tour\n")
    return None


async def page(server: "WebServer", request: web.Request) -> web.StreamResponse:
    """GET /attach: the record's files and, for a person who may change it, the upload form."""
    if (missing := _no_store(server, request)) is not None:
        return missing
    session = request[SESSION]
    lang = server._lang(request.query.get("lang") or session.lang)
    org, kind, record_id = (request.query.get(k, "")[:FIELD_LIMIT] for k in ("org", "kind", "id"))
    note = pages.say("att_added", lang, name=request.query["added"][:200]) if request.query.get("added") else None
    return await _answer(server, session, lang, org, kind, record_id, note=note)


async def _answer(server: "WebServer", session, lang: str, org: str, kind: str, record_id: str, *,
                  error: str | None = None, note: str | None = None, status: int = 200) -> web.Response:
    try:
        view = await asyncio.to_thread(lambda: _view(workspace(server, session.name), org, kind, record_id))
    except (InputError, AccessError) as exc:
        return server._html(pages.attachments_page(lang, error=exc.text(lang)), status=404)
    rows = [{"title": a.title, "name": a.name, "type": a.type_label(lang), "size": a.size_label(),
             "added": t("att.date", lang, year=a.added.year, month=a.added.month, day=a.added.day),
             "href": f"/attachment?{_record_query(org, kind, record_id, sha=a.sha256)}"} for a in view["items"]]
    body = pages.attachments_page(lang, record=view["label"], org_name=view["org_name"], rows=rows,
                                  form={"org": org, "kind": kind, "id": record_id, "csrf": session.csrf} if view["may_change"] else None,
                                  limit_mb=view["limit"] // (1024 * 1024), error=error, note=note)
    return server._html(body, status=status)


async def upload(server: "WebServer", request: web.Request) -> web.StreamResponse:
    """POST /attach (multipart/form-data): keep the uploaded file with the record, as the session's person."""
    if (missing := _no_store(server, request)) is not None:
        return missing
    session = request[SESSION]
    lang = session.lang
    limit = await asyncio.to_thread(lambda: workspace(server, session.name).attachment_limits()[0])
    mb = limit // (1024 * 1024)
    if request.content_length is not None and request.content_length > limit + FORM_ROOM:
        server.log(f"upload refused: {session.name}: {request.content_length} bytes declared, over the limit of {mb} MB")
        return _too_big(server, lang, mb)
    if not request.content_type.startswith("multipart/form-data"):
        return server._refuse(request, "an upload must be multipart/form-data")
    fields: dict[str, str] = {}
    data, filename = None, ""
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if part.name == "file":
                if not hmac.compare_digest(fields.get("csrf", ""), session.csrf):
                    break  # the token comes before the file: without it, not a byte of the file is read
                # Browsers send the name as it is, with only ", CR and LF percent-encoded (HTML's form encoding).
                filename = (part.filename or "").replace("%22", '"').replace("%0A", "\n").replace("%0D", "\r")
                data = await _read(part, limit)
            elif part.name in ("csrf", "org", "kind", "id", "title", "lang"):
                fields[part.name] = (await _read(part, FIELD_LIMIT)).decode("utf-8", "replace")
    except _TooBig:
        server.log(f"upload refused: {session.name}: the body passed the limit of {mb} MB while it was read")
        return _too_big(server, lang, mb)
    except ValueError as exc:  # a body that is not multipart after all
        return server._refuse(request, f"the upload cannot be read ({exc})")
    lang = server._lang(fields.get("lang") or lang)
    if not hmac.compare_digest(fields.get("csrf", ""), session.csrf):
        return server._refuse(request, "the upload's form token is not this session's")
    org, kind, record_id = fields.get("org", ""), fields.get("kind", ""), fields.get("id", "")
    if not data:
        return await _answer(server, session, lang, org, kind, record_id, error=pages.say("att_no_file", lang), status=400)
    title = fields.get("title", "").strip() or None

    def keep():
        return workspace(server, session.name).attach(org, kind, record_id, data, name=filename or "附件", title=title)

    try:
        kept = await asyncio.to_thread(keep)
    except (InputError, AccessError) as exc:
        server.log(f"upload refused: {session.name}: {_one_line(' '.join((org, kind, record_id)))}: {_one_line(exc.message)}")
        return await _answer(server, session, lang, org, kind, record_id, error=exc.text(lang),
                             status=403 if isinstance(exc, AccessError) else 400)
    server.log(f"attached: {session.name}: {org} {kind} {record_id}: {kept.name} ({kept.sha256[:12]}, {kept.size} bytes)")
    raise web.HTTPSeeOther(f"/attach?{_record_query(org, kind, record_id, lang=lang, added=kept.name)}")


async def _read(part, limit: int) -> bytes:
    chunks, total = [], 0
    while chunk := await part.read_chunk(CHUNK):
        total += len(chunk)
        if total > limit:
            raise _TooBig
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(server: "WebServer", lang: str, mb: int) -> web.Response:
    response = server._html(pages.attachments_page(lang, error=pages.say("att_too_big", lang, mb=mb)), status=413)
    response.force_close()  # the rest of the body is never read
    return response


async def download(server: "WebServer", request: web.Request) -> web.StreamResponse:
    """GET /attachment: one file of a record the session's person may see, as a download."""
    if (missing := _no_store(server, request)) is not None:
        return missing
    session = request[SESSION]
    org, kind, record_id, key = (request.query.get(k, "")[:FIELD_LIMIT] for k in ("org", "kind", "id", "sha"))

    def fetch():
        ws = workspace(server, session.name)
        if org not in {o.id for o in ws.orgs()}:
            raise InputError("no such organization")
        return ws.attachment(org, kind, record_id, key)

    try:
        attachment, data = await asyncio.to_thread(fetch)
    except (InputError, AccessError):
        server.log(f"download refused: {session.name}: {_one_line(' '.join((org, kind, record_id, key)))}: "
                   "no such attachment they may see")
        return web.Response(status=404, text="404: no such attachment\n")
    from coordtui.web.server import HEADERS

    response = web.StreamResponse()
    response.headers.update(HEADERS)
    response.headers.update({
        "Content-Type": MIME.get(attachment.type, "application/octet-stream"),
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.name)}",
        "Content-Security-Policy": "sandbox; default-src 'none'",  # prepared here, so the server's own policy is not put over it
        "Cache-Control": "no-store",
        "Content-Length": str(len(data)),
    })
    await response.prepare(request)
    await response.write(data)
    await response.write_eof()
    server.log(f"downloaded: {session.name}: {org} {kind} {record_id}: {attachment.name} ({attachment.sha256[:12]})")
    return response


def _one_line(text: str) -> str:
    """What a person sent, fit for one log line (a decoded %0a would forge another)."""
    return "".join(c if c.isprintable() else "?" for c in text[:160])
