"""Attachments in the browser (``coordtui serve``), at the HTTP level and in this process: the
upload page, the upload (signed in, same origin, the session's form token, the size limit
applied while the body is read) and the download, each as the signed-in person with their
roles and scopes. No browser and no application process: sessions are started directly
(no argon2id hashing), so each test takes a fraction of a second."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from conftest import copy_with_key, docx_bytes, one_example, own_key
from coordtui.access import Grant, Person, Role
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.web.server import COOKIE, WebServer
from coordtui.workspace import Workspace

ORG, KIND, ID = "tjpu", "activity", "act-g1-2026q1-1"
HAN = re.compile(r"[\u4e00-\u9fff]")




@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """tjpu with three people: li edits group 1, zhao reads group 1, wang edits group 2 only."""
    folder = tmp_path_factory.mktemp("serve-attach")
    with own_key(folder):
        ws = one_example(folder / "s", "university_grid", ORG, KIND, ID)
        for name, role, group in [("li", Role.EDITOR, "g1"), ("zhao", Role.READER, "g1"), ("wang", Role.EDITOR, "g2")]:
            ws.save_person(Person(name=name, grants=[Grant(org=ORG, role=role, scope=[group])]))
    return folder / "s"


@pytest.fixture
def store(template, tmp_path):
    return Store(copy_with_key(template, tmp_path / "s"))


def serve(store, scenario):
    """Run ``scenario(server, base_url, logs)`` against the server's application on a free port."""
    logs: list[str] = []

    async def main():
        host = PluginHost().load()
        server = WebServer(command=lambda name, lang: "true", store=store, lang="zh", allow=["127.0.0.1"],
                           public_url=None, host=host, log=logs.append)
        async with TestServer(server.make_app(), host="127.0.0.1") as site:
            await asyncio.wait_for(scenario(server, f"http://127.0.0.1:{site.port}", logs), timeout=60)

    asyncio.run(main())
    return logs


def signed_in(server, name: str, lang: str = "zh"):
    token, session = server.sessions.start(name, "127.0.0.1", lang)
    return {"Cookie": f"{COOKIE}={token}"}, session


BOUNDARY = "----coordtuiTestBoundary7MA4YWxkTrZu0gW"


def form(session, data: bytes, filename: str, *, title: str = "", csrf: str | None = None) -> bytes:
    """A multipart body as a browser writes it: the fields in the page's order, the file last, its
    name in UTF-8 as it is. Sent as bytes, its length is declared (Content-Length)."""
    fields = [("csrf", session.csrf if csrf is None else csrf), ("org", ORG), ("kind", KIND), ("id", ID), ("title", title)]
    out = b"".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields)
    out += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return out


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def kept(store) -> list:
    return Workspace(Store(store.root), PluginHost()).attachments(ORG, KIND, ID)


PAGE = f"/attach?org={ORG}&kind={KIND}&id={ID}"


def test_an_editor_uploads_from_the_page_and_downloads_what_they_uploaded(store):
    async def scenario(server, base, logs):
        cookie, session = signed_in(server, "li")
        async with aiohttp.ClientSession(headers=cookie) as http:
            async with http.get(base + PAGE) as page:
                html = await page.text()
                assert page.status == 200 and f'value="{session.csrf}"' in html and 'enctype="multipart/form-data"' in html
                assert "本记录暂无附件" in html
            same = {"Origin": base, **MULTIPART}
            async with http.post(base + "/attach", data=form(session, docx_bytes(), "新闻稿.docx", title="第一季度新闻稿"),
                                 headers=same, allow_redirects=False) as posted:
                assert posted.status == 303, await posted.text()
                location = posted.headers["Location"]
            [attachment] = kept(store)
            assert (attachment.name, attachment.title, attachment.type, attachment.by) == ("新闻稿.docx", "第一季度新闻稿", "docx", "li")
            async with http.get(base + location) as page:
                html = await page.text()
                assert "已添加：新闻稿.docx" in html and "第一季度新闻稿" in html and "Word 文档" in html
                href = re.search(r'href="(/attachment\?[^"]+)"', html).group(1).replace("&amp;", "&")
            async with http.get(base + href) as got:
                assert got.status == 200 and await got.read() == docx_bytes()
                assert got.headers["Content-Disposition"].startswith("attachment;") and "%E6%96%B0%E9%97%BB%E7%A8%BF.docx" in got.headers["Content-Disposition"]
                assert got.headers["X-Content-Type-Options"] == "nosniff" and got.headers["Content-Security-Policy"].startswith("sandbox")
        assert any(line.startswith("attached: li: tjpu activity") for line in logs)

    serve(store, scenario)


def test_an_upload_without_the_session_its_token_or_this_site_as_origin_is_refused_and_nothing_kept(store):
    async def scenario(server, base, logs):
        cookie, session = signed_in(server, "li")
        same = {"Origin": base, **MULTIPART}
        attempts = [
            ({}, same, None),                                      # not signed in
            (cookie, {"Origin": "http://evil.example", **MULTIPART}, None),  # another site's page
            (cookie, MULTIPART, None),                             # no Origin at all
            (cookie, same, "not-the-token"),                       # a form that is not this session's
            (cookie, same, ""),
        ]
        for headers, origin, csrf in attempts:
            async with aiohttp.ClientSession(headers=headers) as http:
                async with http.post(base + "/attach", data=form(session, docx_bytes(), "x.docx", csrf=csrf),
                                     headers=origin, allow_redirects=False) as posted:
                    assert posted.status == 403, (headers, origin, csrf, posted.status)
        assert kept(store) == []
        other_cookie, other = signed_in(server, "wang")  # another session's token does not do either
        async with aiohttp.ClientSession(headers=cookie) as http:
            async with http.post(base + "/attach", data=form(session, docx_bytes(), "x.docx", csrf=other.csrf), headers=same) as posted:
                assert posted.status == 403
        assert kept(store) == [] and sum("refused POST /attach" in line for line in logs) == 6

    serve(store, scenario)


def test_an_upload_over_the_limit_is_refused_while_the_body_is_read(store):
    Workspace(store, PluginHost()).store.set_meta(**{"attachments.max_file_mb": 1})
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 100 * 1024)  # past the limit and the room for the form

    async def scenario(server, base, logs):
        cookie, session = signed_in(server, "li")
        async with aiohttp.ClientSession(headers={**cookie, "Origin": base, **MULTIPART}) as http:
            body = form(session, big, "扫描件.pdf")
            async with http.post(base + "/attach", data=body) as posted:  # Content-Length says it
                assert posted.status == 413
                assert "1 MB" in await posted.text()

            async def stream():  # the same body in chunks, its length never declared
                for at in range(0, len(body), 65536):
                    yield body[at:at + 65536]

            try:
                async with http.post(base + "/attach", data=stream()) as posted:
                    assert posted.status == 413
            except aiohttp.ClientError:
                pass  # the server may close the connection before the client has sent it all: refused all the same
        assert kept(store) == []
        assert any("declared, over the limit" in line for line in logs) and any("passed the limit" in line for line in logs)

    serve(store, scenario)


def test_roles_and_scopes_decide_who_sees_the_page_uploads_and_downloads(store):
    owner = Workspace(store, PluginHost())
    attachment = owner.attach(ORG, KIND, ID, docx_bytes("会议纪要"), name="会议纪要.docx")
    href = f"/attachment?org={ORG}&kind={KIND}&id={ID}&sha={attachment.sha256}"

    async def scenario(server, base, logs):
        reader, reader_session = signed_in(server, "zhao")  # sees group 1, changes nothing
        async with aiohttp.ClientSession(headers={**reader, "Origin": base, **MULTIPART}) as http:
            async with http.get(base + PAGE) as page:
                html = await page.text()
                assert page.status == 200 and "会议纪要.docx" in html and "<form" not in html and "不能为其添加附件" in html
            async with http.post(base + "/attach", data=form(reader_session, docx_bytes(), "x.docx")) as posted:
                assert posted.status == 403 and "无权修改" in await posted.text()
            async with http.get(base + href) as got:
                assert got.status == 200 and await got.read() == docx_bytes("会议纪要")
        outsider, outsider_session = signed_in(server, "wang")  # group 2 only: group 1's record is not theirs to know
        async with aiohttp.ClientSession(headers={**outsider, "Origin": base, **MULTIPART}) as http:
            async with http.get(base + PAGE) as page:
                assert page.status == 404 and "没有这条记录，或您无权查看" in await page.text()
            async with http.get(base + href) as got:
                assert got.status == 404 and await got.read() != docx_bytes("会议纪要")
            async with http.post(base + "/attach", data=form(outsider_session, docx_bytes(), "x.docx")) as posted:
                assert posted.status == 404 and "会议纪要" not in await posted.text()
            async with http.get(base + f"/attachment?org=nowhere&kind={KIND}&id={ID}&sha={attachment.sha256}") as got:
                assert got.status == 404
        assert [a.name for a in kept(store)] == ["会议纪要.docx"]
        assert any(line.startswith("download refused: wang") for line in logs)

    serve(store, scenario)


def test_a_refused_type_is_one_line_in_the_page_in_the_persons_language(store):
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
    label = Workspace(store, PluginHost()).get(ORG, KIND, ID)[0].label()

    async def scenario(server, base, logs):
        for lang, says in (("zh", "不能作为附件"), ("en", "not accepted as an attachment")):
            cookie, session = signed_in(server, "li", lang)
            async with aiohttp.ClientSession(headers={**cookie, "Origin": base, **MULTIPART}) as http:
                async with http.post(base + "/attach", data=form(session, elf, "新闻稿.docx")) as posted:
                    html = await posted.text()
                    assert posted.status == 400
                    [message] = re.findall(r'<p class="error" id="message">([^<]*)</p>', html)
                    assert says in message and "\n" not in message
                async with http.post(base + "/attach", data=form(session, b"", "empty.docx")) as posted:
                    assert posted.status == 400
                async with http.get(base + PAGE + f"&lang={lang}") as page:
                    html = await page.text()
                    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
                    for data in (label, "天津工业大学"):  # the record's and the organization's names stay as written
                        assert data in shown
                        shown = shown.replace(data, "")
                    if lang == "en":
                        assert not HAN.search(shown), shown
                    else:
                        assert set(re.findall(r"[A-Za-z]{3,}", shown)) <= {"Word", "Excel", "PDF", "WPS", "OFD", "JPG", "PNG"}, shown
        assert kept(store) == []

    serve(store, scenario)


def test_the_tour_serves_no_attachment_page_upload_or_download():
    async def main():
        server = WebServer(command=lambda name, lang: "true", store=None, lang="zh", allow=["127.0.0.1"],
                           public_url=None, demo=True, log=lambda line: None)
        async with TestServer(server.make_app(), host="127.0.0.1") as site:
            base = f"http://127.0.0.1:{site.port}"
            async with aiohttp.ClientSession() as http:
                for method, path in (("GET", PAGE), ("POST", "/attach"), ("GET", "/attachment?org=tjpu")):
                    async with http.request(method, base + path, headers={"Origin": base}) as answer:
                        assert answer.status == 404 and "tour" in await answer.text()

    asyncio.run(main())
