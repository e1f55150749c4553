"""Who is asking (身份): the OS account from the kernel, or the name an SSH key's forced
command gives, and nothing a person can choose (see ARCHITECTURE.md, "Who is who").

``actor_name`` and ``require_people_admin`` are the one place the command line asks; the
roles-and-scopes policy in :class:`coordtui.workspace.Workspace` may replace them with its
own actor without the commands changing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coordtui.errors import AccessError, ConflictError, InputError, StoreError
from coordtui.i18n import os_reason
from coordtui.store.store import current_user

if TYPE_CHECKING:
    from coordtui.access.people import Person
    from coordtui.store import Store


def owner_uid(root: Path) -> int | None:
    """The uid owning the store folder (None: there is no folder yet)."""
    try:
        return os.stat(root).st_uid
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{root}: cannot look at the store folder ({exc.strerror}): check the path and permissions",
                         message_zh=f"{root}：无法查看数据存储目录（{os_reason(exc)}）：请检查路径和权限") from None


def owns_store(root: Path) -> bool:
    """This process's account owns the store folder (a folder not made yet would be its own)."""
    uid = owner_uid(root)
    return uid is None or uid == os.geteuid()


def require_owner(root: Path, what: str) -> None:
    """Refuse ``what`` unless this process's account owns the store folder."""
    if not owns_store(root):
        raise AccessError(f"{what}: only the account that owns the store {root} may do this, and {current_user()} does not: "
                          "ask its administrator",
                          message_zh=f"{what}：只有存储 {root} 的所属账户可以这样做，{current_user()} 不是：请联系管理员")


def check_name(name: str) -> str:
    from coordtui.access.people import NAME_PATTERN

    if not re.fullmatch(NAME_PATTERN, name):
        raise InputError(f"{name[:40]!r}: not a login name (lower-case letters, digits, _ . -, at most 32, "
                         "starting with a letter or _): for example zhangsan",
                         message_zh=f"{name[:40]!r}：不是有效的登录名（小写字母、数字、_ . -，最多 32 个字符，以字母或 _ 开头）：例如 zhangsan")
    return name


def actor_name(store: "Store") -> str:
    """The name the store's changes are made by: what the command line or the forced command
    authenticated (``Store(user=...)``), else the OS account from the kernel."""
    return store.user or current_user()


def person(store: "Store", name: str) -> Person | None:
    doc = store.get_person(name)
    if doc is None:
        return None
    return person_of(store, doc)


def person_of(store: "Store", doc: dict[str, Any]) -> Person:
    """A stored person, validated; one edited by hand into something invalid is a clear error."""
    from pydantic import ValidationError

    from coordtui.access.people import Person

    try:
        return Person.model_validate({k: v for k, v in doc.items() if not k.startswith("_")})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "(person)"
        raise StoreError(f"{store.root / 'people.json'}: person {str(doc.get('name'))[:40]!r}: {where}: {err.get('msg', 'invalid')} "
                         "(edited by hand?): remove them with 'coordtui users remove' and add them again",
                         message_zh=f"{store.root / 'people.json'}：人员 {str(doc.get('name'))[:40]!r}：字段 {where} 无效（被手工改过？）：请用 coordtui users remove 删除后重新添加") from None


def require_person(store: "Store", name: str, what: str) -> Person:
    found = person(store, name)
    if found is None:
        raise AccessError(f"{what}: there is no person '{name}' in {store.root}: an administrator adds them with 'coordtui users add'",
                          message_zh=f"{what}：{store.root} 中没有人员“{name}”：请管理员用 coordtui users add 添加")
    return found


def is_store_admin(p: Person | None) -> bool:
    from coordtui.access.people import Role

    return p is not None and any(g.role is Role.ADMIN and g.org is None for g in p.grants)


def may_edit(p: Person) -> bool:
    """Holds an editor's or administrator's grant somewhere (the workspace decides where)."""
    from coordtui.access.people import Role

    return any(g.role.rank >= Role.EDITOR.rank for g in p.grants)


def require_people_admin(store: "Store", what: str) -> str:
    """The actor's name, if they may manage people: the store's owner acting as themself, or a
    person with an administrator's grant over every organization. Otherwise AccessError."""
    name = actor_name(store)
    if name == current_user() and owns_store(store.root):
        return name
    if is_store_admin(person(store, name)):
        return name
    raise AccessError(f"{what}: {name} may not manage the people of {store.root} (only its owner or an administrator of every "
                      "organization may): ask an administrator",
                      message_zh=f"{what}：{name} 无权管理 {store.root} 的人员（仅所属账户或全部组织的管理员可以）：请联系管理员")


def first_admin(store: "Store", lang: str = "en") -> str | None:
    """A store made before people existed has none: its owner, opening it, becomes its
    administrator (a person named after the OS account). Returns the line to say so, once."""
    if store.people() or not owns_store(store.root):
        return None
    from coordtui.access.people import NAME_PATTERN, Grant, Person, Role  # (only now: the application's start needs none)

    name = current_user()
    if not re.fullmatch(NAME_PATTERN, name):
        return None  # the owner stays administrator by owning the store; no person can carry this name
    # Administrator of everything, cases included: what owning the store gave them before.
    doc: dict[str, Any] = Person(name=name, grants=[Grant(role=Role.ADMIN, cases=True)]).model_dump(mode="json")
    try:
        store.put_person(doc, rev=0)
    except ConflictError:  # another command of the owner's made it a moment ago
        return None
    from coordtui.i18n import t

    return t("out.first_admin", lang, root=store.root, name=name)
