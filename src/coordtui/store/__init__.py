"""The store layer: the only code that touches TinyDB."""

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
