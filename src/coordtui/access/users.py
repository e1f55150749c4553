"""Managing the people of a store (人员管理): ``coordtui users add/list/remove/grant/revoke/set/sync/passwd/link``.

Everything a command is given is checked before anything is written: the name, the key
(see :mod:`coordtui.access.keys`), the organization, and each scope subject against the
records of the organization's structure kinds. After each change the owner's
``authorized_keys`` is made to match the store's people again.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coordtui.access import keys as sshkeys
from coordtui.access.identity import check_name, owns_store, person, person_of, require_person
from coordtui.access.people import Grant, Person, Role
from coordtui.errors import InputError

if TYPE_CHECKING:
    from datetime import datetime

    from coordtui.workspace import Workspace

EMAIL = re.compile(r"^[^@\s,;<>\"']{1,64}@[A-Za-z0-9.\-]{1,190}\.[A-Za-z]{2,}$")
WEBHOOK = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s\"'<>]*)?$")


def program() -> list[str]:
    """This installation's ``coordtui``, by absolute path, for the forced command."""
    script = Path(os.path.abspath(sys.executable)).parent / "coordtui"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [os.path.abspath(sys.executable), "-m", "coordtui"]


def fingerprint(key: str) -> str:
    """``SHA256:…`` as ssh-keygen -l prints it."""
    blob = base64.b64decode(key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _grant(ws: "Workspace", role: str, org: str | None, scope: list[str] | None, cases: bool) -> Grant:
    scope = list(dict.fromkeys(scope or []))
    if org is not None:
        organization = ws.org(org)
        if scope:
            model = ws.model_of(organization)
            subjects: set[str] = set()
            for kind in model.structure_kinds:
                subjects.update(str(row.get("id")) for row in ws.rows(organization, kind))
            unknown = [s for s in scope if s not in subjects]
            if unknown:
                kinds = ", ".join(model.structure_kinds) or "none"
                raise InputError(f"--scope {unknown[0][:60]!r}: no such subject in {org}'s structure (records of {kinds}): "
                                 f"see 'coordtui export --org {org}' for their ids",
                                 message_zh=f"--scope {unknown[0][:60]!r}：{org} 的组织架构中没有这个对象（{kinds} 类记录）：编号见 coordtui export --org {org}")
    elif scope:
        raise InputError("--scope names subjects of one organization's structure: add --org ID",
                         message_zh="--scope 指的是某个组织架构中的对象：请加上 --org 组织编号")
    return Grant(org=org, role=Role(role), scope=scope, cases=cases)


def _key_owner(ws: "Workspace", key: str, but: str) -> str | None:
    for doc in ws.store.people():
        if doc.get("name") != but and any(" ".join(k.split()[:2]) == key for k in doc.get("keys", [])):
            return str(doc.get("name"))
    return None


def _doc(p: Person) -> dict[str, Any]:
    return p.model_dump(mode="json")


def add(ws: "Workspace", name: str, *, key_file: Path | None, role: str, org: str | None, scope: list[str] | None,
        cases: bool, display: str | None) -> Person:
    check_name(name)
    if person(ws.store, name) is not None:
        raise InputError(f"{name} is already a person of {ws.store.root}: change them with 'coordtui users grant' or 'users set'",
                         message_zh=f"{name} 已是 {ws.store.root} 中的人员：请用 coordtui users grant 或 users set 修改")
    grant = _grant(ws, role, org, scope, cases)
    keys = []
    if key_file is not None:
        key = sshkeys.read_public_key(key_file)
        other = _key_owner(ws, key, name)
        if other:
            raise InputError(f"{key_file}: this key is already {other}'s: each person needs a key of their own (ssh-keygen -t ed25519)",
                             message_zh=f"{key_file}：此公钥已属于 {other}：每人需要自己的密钥（ssh-keygen -t ed25519）")
        keys.append(key)
        sshkeys.forced_command(program(), name, ws.store.root.resolve())  # a path no key line can carry: refuse before writing
    new = Person(name=name, display=_display(display) or "", keys=keys, grants=[grant])
    ws.store.put_person(_doc(new), rev=0)
    return new


def _display(display: str | None) -> str | None:
    if display is not None and (len(display) > 50 or any(ord(c) < 32 or ord(c) == 127 for c in display)):
        raise InputError("--display: at most 50 characters, no control characters: for example --display 张三",
                         message_zh="--display：最多 50 个字符，不含控制字符：例如 --display 张三")
    return display


def remove(ws: "Workspace", name: str) -> None:
    # Not validated: a person edited by hand into something invalid can still be removed.
    if ws.store.get_person(name) is None:
        require_person(ws.store, name, "users remove")
    ws.store.delete_person(name)


def grant(ws: "Workspace", name: str, *, role: str, org: str | None, scope: list[str] | None, cases: bool) -> Person:
    doc = ws.store.get_person(name)
    p = require_person(ws.store, name, "users grant")
    new = _grant(ws, role, org, scope, cases)
    p.grants = [g for g in p.grants if g.org != org] + [new]
    ws.store.put_person(_doc(p), rev=int(doc["_rev"]))
    return p


def revoke(ws: "Workspace", name: str, *, org: str | None) -> Person:
    doc = ws.store.get_person(name)
    p = require_person(ws.store, name, "users revoke")
    kept = [g for g in p.grants if g.org != org]
    if len(kept) == len(p.grants):
        where = f"in {org}" if org else "over every organization (name one with --org)"
        where_zh = f"在 {org} 中" if org else "覆盖全部组织（请用 --org 指明组织）"
        raise InputError(f"{name} has no grant {where}: see 'coordtui users list'",
                         message_zh=f"{name} 没有{where_zh}的授权：见 coordtui users list")
    p.grants = kept
    ws.store.put_person(_doc(p), rev=int(doc["_rev"]))
    return p


def update(ws: "Workspace", name: str, *, email: str | None, webhook: str | None, display: str | None) -> Person:
    doc = ws.store.get_person(name)
    p = require_person(ws.store, name, "users set")
    if email is not None:
        if email and not EMAIL.match(email):
            raise InputError(f"--email {email[:60]!r}: not an e-mail address: for example --email zhangsan@example.org ('' clears it)",
                             message_zh=f"--email {email[:60]!r}：不是电子邮件地址：例如 --email zhangsan@example.org（'' 表示清除）")
        p.email = email or None
    if webhook is not None:
        if webhook and not WEBHOOK.match(webhook):
            raise InputError(f"--webhook {webhook[:60]!r}: not an http(s) address: for example --webhook https://hooks.example.org/x ('' clears it)",
                             message_zh=f"--webhook {webhook[:60]!r}：不是 http(s) 地址：例如 --webhook https://hooks.example.org/x（'' 表示清除）")
        p.webhook = webhook or None
    if display is not None:
        p.display = _display(display) or ""
    ws.store.put_person(_doc(p), rev=int(doc["_rev"]))
    return p


def sync_keys(ws: "Workspace") -> Path | None:
    """Make the owner's ``authorized_keys`` hold exactly one forced-command line per key of
    this store's people. Only the owner's file can name the owner's forced command, so a
    non-owner's change waits for the owner's next ``users`` command (returns None)."""
    if not owns_store(ws.store.root):
        return None
    root = ws.store.root.resolve()
    prog = program()
    lines = []
    for doc in sorted(ws.store.people(), key=lambda d: str(d.get("name"))):
        # people.json is checked again as hostile: in a group store others can write it.
        p = person_of(ws.store, doc)
        for key in p.keys:
            where = f"{ws.store.root / 'people.json'}: person {p.name}'s key"
            lines.append(sshkeys.key_line(prog, p.name, root, sshkeys.parse_public_key(key, where)))
    path = sshkeys.authorized_keys_path()
    sshkeys.write_authorized_keys(path, root, lines)
    return path


def as_json(p: Person) -> dict[str, Any]:
    data = p.model_dump(mode="json", exclude={"password_hash", "links"})
    data["password"] = p.password_hash is not None
    data["links"] = len(p.links)
    data["keys"] = [{"type": k.split()[0], "fingerprint": fingerprint(k)} for k in p.keys]
    return data


#: A role's name as a person reads it (角色), by its id.
ROLE_ZH = {"admin": "管理员", "editor": "编辑", "reader": "只读"}


def describe(p: Person, lang: str = "en") -> str:
    """One line about a person: name, shown name, grants, keys, password, e-mail and webhook."""
    if lang == "zh":
        grants = "；".join(
            (f"{g.org} 内" if g.org else "全部组织") + ROLE_ZH.get(g.role.value, g.role.value)
            + (f"（范围 {'、'.join(g.scope)}）" if g.scope else "") + ("，含案件" if g.cases else "")
            for g in p.grants) or "无授权"
        extra = "".join(f"  {label} {value}" for label, value in (("邮箱", p.email), ("群机器人", p.webhook)) if value)
        web = "  已设密码" if p.password_hash else ""
        return f"{p.name}  {p.display or '-'}  {grants}  密钥 {len(p.keys)} 个{web}{extra}"
    grants = "; ".join(
        f"{g.role.value} {'in ' + g.org if g.org else 'everywhere'}"
        + (f" (scope {', '.join(g.scope)})" if g.scope else "") + (" +cases" if g.cases else "")
        for g in p.grants) or "no grants"
    extra = "".join(f"  {label} {value}" for label, value in (("email", p.email), ("webhook", p.webhook)) if value)
    keys = f"{len(p.keys)} key" + ("" if len(p.keys) == 1 else "s")
    web = "  password" if p.password_hash else ""
    return f"{p.name}  {p.display or '-'}  {grants}  {keys}{web}{extra}"


# browser sign-in (浏览器登录): passwords and one-time links --------------------------------------
def read_password(name: str, *, from_stdin: bool, lang: str = "en") -> str:
    """The new password: typed twice without echo, or the first line of standard input."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise InputError("--stdin: standard input held no password: send it as its first line",
                             message_zh="--stdin：标准输入中没有密码：请把密码作为第一行发送")
        return password
    if not sys.stdin.isatty():
        raise InputError("users passwd: no terminal to ask for the password on: type it in a terminal, or send it with --stdin",
                         message_zh="users passwd：没有可输入密码的终端：请在终端中输入，或用 --stdin 发送")
    import getpass

    from coordtui.i18n import t

    first = getpass.getpass(t("out.password_prompt", lang, name=name))
    if getpass.getpass(t("out.password_again", lang)) != first:
        raise InputError("the two passwords differ: run 'coordtui users passwd' again",
                         message_zh="两次输入的密码不一致：请重新运行 coordtui users passwd")
    return first


def set_password(ws: "Workspace", name: str, password: str | None) -> Person:
    """Keep ``password`` as an argon2id hash (None: remove it)."""
    from coordtui.access.credentials import hash_password

    doc = ws.store.get_person(name)
    p = require_person(ws.store, name, "users passwd")
    p.password_hash = hash_password(password) if password is not None else None
    ws.store.put_person(_doc(p), rev=int(doc["_rev"]))
    return p


def sign_in_link(ws: "Workspace", name: str, *, valid: str, public_url: str | None) -> tuple[str, "datetime"]:
    """A new one-time sign-in link for ``name``: (its URL, when it stops working). Only the
    token's SHA-256 is stored; links past their end are dropped on the way."""
    from urllib.parse import quote

    from coordtui.access.people import SignInLink
    from coordtui.access.credentials import new_token, now_utc, parse_duration, token_digest

    span = parse_duration(valid)
    base = public_url or str(ws.store.meta().get("serve.url") or "http://127.0.0.1:8000")
    if not re.match(r"^https?://[^\s/?#]+/?$", base):
        raise InputError(f"--public-url {base[:60]!r}: not an http(s) address: for example --public-url https://coordtui.example.org",
                         message_zh=f"--public-url {base[:60]!r}：不是 http(s) 地址：例如 --public-url https://coordtui.example.org")
    doc = ws.store.get_person(name)
    p = require_person(ws.store, name, "users link")
    token, now = new_token(), now_utc()
    p.links = [k for k in p.links if k.expires > now][-9:] + [SignInLink(sha256=token_digest(token), expires=now + span)]
    ws.store.put_person(_doc(p), rev=int(doc["_rev"]))
    return f"{base.rstrip('/')}/link?token={quote(token)}", now + span


def revoke_links(ws: "Workspace", name: str) -> int:
    doc = ws.store.get_person(name)
    p = require_person(ws.store, name, "users link --revoke")
    count = len(p.links)
    p.links = []
    ws.store.put_person(_doc(p), rev=int(doc["_rev"]))
    return count
