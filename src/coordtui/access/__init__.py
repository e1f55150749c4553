"""Identity, people, roles and scopes (身份、人员、角色与范围).

Used by :class:`coordtui.workspace.Workspace` and nothing above it: the interface asks the
workspace, the workspace asks this package (see ARCHITECTURE.md, "Who is who").

- :mod:`.people`: a person of the store and their grants (role, scope, cases);
- :mod:`.actor`: who is acting, resolved from the kernel or from a name the owner gives;
- :mod:`.policy`: what one actor may see and change in one organization;
- :mod:`.credentials`: browser sign-in passwords (argon2id hashes) and one-time links.
"""

from coordtui.access.actor import Actor, local_actor, owns_store, resolve_actor
from coordtui.access.people import Grant, Person, Role
from coordtui.access.policy import Policy, Refusal

__all__ = ["Actor", "Grant", "Person", "Policy", "Refusal", "Role", "local_actor", "owns_store", "resolve_actor"]
