"""Identity, people, roles and scopes (身份、人员、角色与范围).

Used by :class:`coordtui.workspace.Workspace` and nothing above it: the interface asks the
workspace, the workspace asks this package (see ARCHITECTURE.md, "Who is who").
"""

from coordtui.access.people import Grant, Person, Role

__all__ = ["Grant", "Person", "Role"]
