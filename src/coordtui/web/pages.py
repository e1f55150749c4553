"""The pages the server writes itself: sign-in, one-time link, and the application's page.

Every text is here in Chinese and English. The sign-in pages carry their style inline, so
before signing in nothing but the page itself is served; the application's page loads
only the server's own /static/ files (its font included: nothing is asked of another host).
"""

from __future__ import annotations

from html import escape

TEXT = {
    "title": ("纪检监察协作机制 · 登录", "Collaboration mechanisms · sign in"),
    "heading": ("登录", "Sign in"),
    "name": ("登录名", "Login name"),
    "password": ("密码", "Password"),
    "submit": ("登录", "Sign in"),
    "switch": ("English", "中文"),
    "hint": ("没有密码？请管理员用 coordtui users link 发给您一次性登录链接。",
             "No password? Ask an administrator for a one-time sign-in link (coordtui users link)."),
    "wrong": ("登录名或密码不正确。", "Wrong login name or password."),
    "slowed": ("失败次数过多：请 {seconds} 秒后再试。", "Too many failed attempts: try again in {seconds} s."),
    "signed_out": ("您已退出登录。", "You are signed out."),
    "ended": ("会话已结束（空闲超时或已退出）：请重新登录。", "Your session ended (idle or signed out): sign in again."),
    "link_heading": ("一次性登录链接", "One-time sign-in link"),
    "link_submit": ("用此链接登录", "Sign in with this link"),
    "link_hint": ("此链接只能使用一次。", "This link works once."),
    "link_bad": ("此链接无效、已使用或已过期：请管理员重新发送（coordtui users link）。",
                 "This link is unknown, used or expired: ask an administrator for a new one (coordtui users link)."),
    "app_title": ("纪检监察协作机制", "Collaboration mechanisms"),
    "session_ended": ("会话已结束。", "Session ended."),
    "restart": ("重新开始", "Restart"),
    "start": ("开始", "Start"),
    "att_title": ("附件 · {record}", "Attachments · {record}"),
    "att_heading": ("附件（佐证材料）", "Attachments (evidence)"),
    "att_none": ("本记录暂无附件。", "This record has no attachments yet."),
    "att_file": ("选择文件", "File"),
    "att_name_title": ("标题（可不填，默认为文件名）", "Title (optional: the file name when left empty)"),
    "att_upload": ("上传", "Upload"),
    "att_hint": ("可上传 Word、Excel、PDF、WPS、OFD 文档和 JPG、PNG 图片，每个不超过 {mb} MB；类型按文件内容判断。",
                 "Word, Excel, PDF, WPS and OFD documents and JPG and PNG images, up to {mb} MB each; the type is judged by the content."),
    "att_added": ("已添加：{name}。回到应用后按 Ctrl+R 刷新即可看到。", "Attached: {name}. Back in the application, Ctrl+R shows it."),
    "att_read_only": ("您可以查看本记录，但不能为其添加附件。", "You may see this record but not attach files to it."),
    "att_too_big": ("文件超过每个附件 {mb} MB 的上限：请缩小文件（降低扫描分辨率、另存为 PDF）后再上传。",
                    "The file is larger than {mb} MB, the limit per attachment: make it smaller (scan at a lower resolution, save as PDF) and upload it again."),
    "att_no_file": ("请选择要上传的文件。", "Choose a file to upload."),
    "att_gone": ("没有这条记录，或您无权查看：请在应用中重新打开记录。", "No such record, or not one you may see: open the record again in the application."),
    "att_col_title": ("标题", "Title"),
    "att_col_name": ("文件名", "File"),
    "att_col_type": ("类型", "Type"),
    "att_col_size": ("大小", "Size"),
    "att_col_added": ("添加日期", "Added"),
}


def say(key: str, lang: str, **values: object) -> str:
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


_STYLE = """
body{margin:0;background:#0c181f;color:#eef;font:16px/1.5 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;
display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#12232d;padding:32px 40px;min-width:320px;border-radius:6px}
h1{font-size:22px;margin:0 0 16px}label{display:block;margin:12px 0 4px}
input[type=text],input[type=password],input[type=file]{width:100%;box-sizing:border-box;padding:8px;font-size:16px;border:1px solid #456;background:#0c181f;color:#eef}
button{margin-top:20px;padding:10px 24px;font-size:16px;background:#5e0ba7;color:#fff;border:0;cursor:pointer}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 10px;border-bottom:1px solid #345;text-align:left}
a{color:#9bd}.note{color:#9bd}.error{color:#f99}.switch{float:right;color:#9bd}small{display:block;margin-top:16px;color:#9ab}
"""


def _page(lang: str, body: str, *, title: str) -> str:
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>")


def _message(message: str | None, kind: str) -> str:
    return f'<p class="{kind}" id="message">{escape(message)}</p>' if message else ""


def sign_in(lang: str, *, error: str | None = None, note: str | None = None, name: str = "") -> str:
    other = "en" if lang == "zh" else "zh"
    body = (f'<a class="switch" href="/signin?lang={other}">{say("switch", lang)}</a>'
            f'<h1>{say("heading", lang)}</h1>{_message(error, "error")}{_message(note, "note")}'
            f'<form method="post" action="/signin" id="signin">'
            f'<input type="hidden" name="lang" value="{lang}">'
            f'<label for="name">{say("name", lang)}</label>'
            f'<input type="text" id="name" name="name" value="{escape(name[:40])}" autocomplete="username" autocapitalize="none" required>'
            f'<label for="password">{say("password", lang)}</label>'
            f'<input type="password" id="password" name="password" autocomplete="current-password" required>'
            f'<button type="submit">{say("submit", lang)}</button></form>'
            f'<small>{say("hint", lang)}</small>')
    return _page(lang, body, title=say("title", lang))


def link(lang: str, token: str, *, error: str | None = None) -> str:
    other = "en" if lang == "zh" else "zh"
    if error:
        form = ""
    else:
        form = (f'<form method="post" action="/link" id="link"><input type="hidden" name="token" value="{escape(token[:100])}">'
                f'<input type="hidden" name="lang" value="{lang}"><button type="submit">{say("link_submit", lang)}</button></form>'
                f'<small>{say("link_hint", lang)}</small>')
    body = (f'<a class="switch" href="/link?lang={other}&amp;token={escape(token[:100])}">{say("switch", lang)}</a>'
            f'<h1>{say("link_heading", lang)}</h1>{_message(error, "error")}{form}')
    return _page(lang, body, title=say("title", lang))


def application(lang: str, *, websocket_url: str, font_size: int = 16) -> str:
    """textual-serve's page, with the outside font host's link replaced by the packaged font."""
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8"><title>{say("app_title", lang)}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<style>
@font-face{{font-family:"Roboto Mono";src:url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");font-style:normal}}
@font-face{{font-family:"Roboto Mono";src:url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");font-style:italic}}
body{{background:#0c181f;margin:0}}
.dialog-container{{position:absolute;width:100vw;height:100vh;display:flex;align-items:center;justify-content:center;z-index:10}}
.shade{{position:absolute;width:100%;height:100%;background:#0c181f}}
.intro{{width:640px;height:240px;font-size:16px;z-index:20;font-family:"Roboto Mono",menlo,monospace;text-align:center;
color:rgba(255,255,255,.95);background-color:#12232d;display:flex;flex-direction:column;align-items:center;justify-content:center;margin:32px}}
body.-first-byte .intro-dialog,body.-first-byte .intro-dialog .shade{{opacity:0;display:none}}
body .textual-terminal{{opacity:0}}body.-first-byte .textual-terminal{{opacity:1}}
button{{padding:16px 32px;background-color:#5e0ba7;color:#fff;border:none;margin:16px;display:block;cursor:pointer}}
.closed-dialog{{opacity:0;display:none}}body.-closed .closed-dialog{{opacity:1;display:flex}}
#start{{display:none}}#start.-delay{{display:flex}}
</style>
<script src="/static/js/textual.js"></script>
<script>function refresh(){{window.location.href=window.location.pathname;}}</script>
</head><body>
<div class="dialog-container intro-dialog"><div class="shade"></div><div class="intro"><div>{say("app_title", lang)}</div>
<button type="button" onclick="refresh()" id="start">{say("start", lang)}</button></div></div>
<div class="dialog-container closed-dialog"><div class="shade"></div><div class="intro">
<div class="message">{say("session_ended", lang)}</div><button type="button" onclick="refresh()">{say("restart", lang)}</button></div></div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{escape(websocket_url)}" data-font-size="{int(font_size)}"></div>
</body></html>"""


def attachments_page(lang: str, *, record: str = "", org_name: str = "", rows: list[dict[str, str]] | None = None,
                     form: dict[str, str] | None = None, limit_mb: int = 0, error: str | None = None, note: str | None = None) -> str:
    """A record's attachments (附件): each a download link, and the upload form when ``form`` is given
    (its hidden fields: org, kind, id and the session's csrf token, which comes before the file)."""
    heading = f"{say('att_heading', lang)} · {escape(record)}" if record else say("att_heading", lang)
    body = f'<h1>{heading}</h1>' + (f'<p class="note">{escape(org_name)}</p>' if org_name else "")
    body += _message(error, "error") + _message(note, "note")
    if rows is not None:
        if rows:
            cols = ("title", "name", "type", "size", "added")
            head = "".join(f"<th>{say('att_col_' + c, lang)}</th>" for c in cols)
            lines = "".join(
                "<tr>" + "".join(f'<td><a href="{escape(r["href"])}" download>{escape(r[c])}</a></td>' if c == "name"
                                 else f"<td>{escape(r[c])}</td>" for c in cols) + "</tr>" for r in rows)
            body += f'<table id="attachments"><tr>{head}</tr>{lines}</table>'
        else:
            body += f'<p id="attachments">{say("att_none", lang)}</p>'
    if form is not None:
        hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(form[k])}">' for k in ("csrf", "org", "kind", "id"))
        body += (f'<form method="post" action="/attach" enctype="multipart/form-data" id="upload">{hidden}'
                 f'<input type="hidden" name="lang" value="{lang}">'
                 f'<label for="title">{say("att_name_title", lang)}</label><input type="text" id="title" name="title" maxlength="200">'
                 f'<label for="file">{say("att_file", lang)}</label><input type="file" id="file" name="file" required>'
                 f'<button type="submit">{say("att_upload", lang)}</button></form>'
                 f'<small>{say("att_hint", lang, mb=limit_mb)}</small>')
    elif rows is not None:
        body += f'<small>{say("att_read_only", lang)}</small>'
    return _page(lang, body, title=say("att_title", lang, record=record) if record else say("att_heading", lang))
