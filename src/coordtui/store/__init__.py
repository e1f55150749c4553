"""The store layer: the only code that touches TinyDB.

The names below are imported when first used (PEP 562): a submodule that needs no TinyDB (the
seal, the file primitives, the check's output cache) is then imported without it, which is
what lets an unchanged ``coordtui check`` answer before the heavy imports (store/outcache.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coordtui.store.store import (
        SCHEMA_VERSION,
        STRUCTURE,
        Delete,
        DeletePerson,
        HistoryReader,
        Put,
        PutOrg,
        PutPerson,
        PutSent,
        Refused,
        Store,
        current_user,
        strip_meta,
    )

__all__ = ["SCHEMA_VERSION", "STRUCTURE", "Delete", "DeletePerson", "HistoryReader", "Put", "PutOrg", "PutPerson", "PutSent", "Refused", "Store",
           "current_user", "strip_meta"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from coordtui.store import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
