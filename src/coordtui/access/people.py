"""The people of a store (人员) and what each may do (角色、范围).

A person is known by a login name (``zhangsan``: their SSH key's forced command names it,
a browser sign-in checks it, or it is their OS account's name). Each grant gives them a
role in one organization (or in every organization), optionally limited to some subjects
of its structure (a scope) and optionally with access to sensitive kinds (cases).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

#: A login name: what ``coordtui users add`` accepts and ``coordtui shell NAME`` names.
NAME_PATTERN = r"^[a-z_][a-z0-9_.\-]{0,31}$"


class Role(str, Enum):
    """``admin``: people, structure, settings, everything; ``editor``: records within the
    scope; ``reader``: sees within the scope."""

    ADMIN = "admin"  # 管理员
    EDITOR = "editor"  # 编辑
    READER = "reader"  # 只读

    @property
    def rank(self) -> int:
        return {"reader": 0, "editor": 1, "admin": 2}[self.value]


class Grant(BaseModel):
    """A role in one organization (``org``), or in every organization (``org`` None)."""

    model_config = ConfigDict(extra="forbid")

    org: str | None = None
    role: Role
    #: Structure subjects (record ids of the organization's structure kinds) the grant is
    #: limited to; empty: the whole organization.
    scope: list[str] = Field(default_factory=list)
    #: May see and change sensitive kinds (clues, leads, cases) within the scope.
    cases: bool = False


class SignInLink(BaseModel):
    """A one-time browser sign-in link (一次性登录链接): only the SHA-256 of its random token
    is kept, so people.json never holds a usable link."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    expires: datetime


class Person(BaseModel):
    """One person who may use the store."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    display: str = Field("", max_length=50, description="the name shown (张三)")
    keys: list[str] = Field(default_factory=list, description="SSH public keys, one 'type base64 [comment]' each")
    grants: list[Grant] = Field(default_factory=list)
    email: str | None = None
    webhook: str | None = None
    #: The browser sign-in password, as an argon2id hash (``coordtui users passwd``).
    password_hash: str | None = None
    #: SHA-256 of their calendar feed's token (``coordtui users feed``): the token itself is
    #: shown once and never stored, so reading people.json does not open anyone's feed.
    feed_token_sha256: str | None = None
    #: One-time browser sign-in links not used yet (``coordtui users link``).
    links: list[SignInLink] = Field(default_factory=list)

    def shown(self) -> str:
        return self.display or self.name
