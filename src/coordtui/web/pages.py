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
}


def say(key: str, lang: str, **values: object) -> str:
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


_STYLE = """
body{margin:0;background:#0c181f;color:#eef;font:16px/1.5 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;
display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#12232d;padding:32px 40px;min-width:320px;border-radius:6px}
h1{font-size:22px;margin:0 0 16px}label{display:block;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:16px;border:1px solid #456;background:#0c181f;color:#eef}
button{margin-top:20px;padding:10px 24px;font-size:16px;background:#5e0ba7;color:#fff;border:0;cursor:pointer}
.note{color:#9bd}.error{color:#f99}.switch{float:right;color:#9bd}small{display:block;margin-top:16px;color:#9ab}
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
