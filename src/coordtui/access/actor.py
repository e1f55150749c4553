"""Who is acting (操作人): a person of the store, or the account that owns it.

Identity comes from something the person cannot choose (ARCHITECTURE.md, "Who is who"):
locally the OS account from the kernel; over SSH the forced command that names them; in a
browser the sign-in. :func:`resolve_actor` turns such a name into an :class:`Actor`;
:func:`local_actor` is the one place that asks the kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordtui.access import identity
from coordtui.access.people import Grant, Person, Role
from coordtui.errors import AccessError
from coordtui.store import Store, current_user

#: What the owner acts with when no person entry speaks for them: everything, cases included.
OWNER_GRANT = Grant(org=None, role=Role.ADMIN, cases=True)


@dataclass(frozen=True)
class Actor:
    """Who is acting: their login name, their :class:`Person` (None for the store's owner
    without a person entry), and whether they are the OS account that owns the store."""

    name: str
    person: Person | None
    owner: bool = False

    def shown(self) -> str:
        """The name used in messages (张三, else the login name)."""
        return self.person.shown() if self.person is not None else self.name

    def grants(self, org_id: str) -> list[Grant]:
        """The grants that apply in ``org_id`` (its own and the store-wide ones)."""
        if self.person is None:
            return [OWNER_GRANT] if self.owner else []
        return [g for g in self.person.grants if g.org is None or g.org == org_id]

    @property
    def store_admin(self) -> bool:
        """Administers the store itself (people, new organizations): the owner without a
        person entry, or a person with a store-wide admin grant."""
        if self.person is None:
            return self.owner
        return any(g.org is None and g.role is Role.ADMIN for g in self.person.grants)


def owns_store(store: Store) -> bool:
    """Whether this process's OS account (from the kernel) owns the store's folder."""
    return identity.owns_store(store.root)


def person_of(store: Store, name: str) -> Person | None:
    """The stored person ``name``, validated (one edited by hand into something invalid: StoreError)."""
    return identity.person(store, name)


def resolve_actor(store: Store, name: str | None = None) -> Actor:
    """The actor for the person ``name``, or (None) for this process's OS account.

    A store with no people is its owner's alone (a store made before people existed):
    the owner is administrator of everything and nobody else may open it. Once people
    exist, the actor must be one of them; the owner without a person entry stays
    administrator (the service account administers). Naming a person other than oneself
    (``--as NAME``, ``coordtui shell NAME``) is honoured only for the store's owner.
    """
    account = current_user()
    owner = owns_store(store)
    if name is not None and name != account and not owner:
        raise AccessError(
            f"{account} may not act as {name}: only the account that owns the store ({store.root}) may name a person",
            message_zh=f"{account} 不能以 {name} 的身份操作：只有拥有该数据存储（{store.root}）的账户可以指定人员",
        )
    who = name or account
    person = person_of(store, who)
    if person is not None:
        return Actor(who, person, owner=owner and who == account)
    if owner and who == account:
        return Actor(who, None, owner=True)
    if not store.people():
        raise AccessError(
            f"{who} may not open the store {store.root}: it has no people yet, so only the account that owns it may; "
            "ask its owner to add you (coordtui users add)",
            message_zh=f"{who} 不能打开数据存储 {store.root}：其中尚无人员，只有拥有它的账户可以打开；请其所有者添加您（coordtui users add）",
        )
    raise AccessError(
        f"{who} is not a person of this store: ask an administrator to add you (coordtui users add)",
        message_zh=f"{who} 不是该数据存储的人员：请管理员添加您（coordtui users add）",
    )


def local_actor(store: Store) -> Actor:
    """The actor of a local session: the OS account this process runs as (from ``geteuid``),
    never an environment variable. The one function identity resolution replaces or extends."""
    return resolve_actor(store)
