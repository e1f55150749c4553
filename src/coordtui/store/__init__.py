"""The store layer: the only code that touches TinyDB."""

from coordtui.store.store import SCHEMA_VERSION, STRUCTURE, Delete, HistoryReader, Put, PutOrg, Store, current_user, strip_meta

__all__ = ["SCHEMA_VERSION", "STRUCTURE", "Delete", "HistoryReader", "Put", "PutOrg", "Store", "current_user", "strip_meta"]
