"""Identity, people, roles and scopes (身份、人员、角色与范围).

Used by :class:`coordtui.workspace.Workspace` and nothing above it: the interface asks the
workspace, the workspace asks this package (see ARCHITECTURE.md, "Who is who").

- :mod:`.people`: a person of the store and their grants (role, scope, cases);
- :mod:`.actor`: who is acting, resolved from the kernel or from a name the owner gives;
- :mod:`.policy`: what one actor may see and change in one organization;
- :mod:`.credentials`: browser sign-in passwords (argon2id hashes) and one-time links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coordtui.access.actor import Actor, local_actor, owns_store, resolve_actor
    from coordtui.access.people import Grant, Person, Role
    from coordtui.access.policy import Policy, Refusal

__all__ = ["Actor", "Grant", "Person", "Policy", "Refusal", "Role", "local_actor", "owns_store", "resolve_actor"]

#: Where each name of the package lives: imported when first asked for (PEP 562), so that a
#: submodule that needs no pydantic (identity's owner check) is imported without the people's models.
_HOME = {"Actor": "actor", "local_actor": "actor", "owns_store": "actor", "resolve_actor": "actor",
         "Grant": "people", "Person": "people", "Role": "people", "Policy": "policy", "Refusal": "policy"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"coordtui.access.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
