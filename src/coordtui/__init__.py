"""coordtui: collaboration mechanisms in discipline inspection (纪检监察协作机制), in a terminal.

Plugins write ``from coordtui import hookimpl`` and use the rest of the public API
from :mod:`coordtui.api`.
"""

from typing import Any

__version__ = "0.1.0"

#: The project name pluggy knows our hooks by.
PROJECT = "coordtui"

__all__ = ["__version__", "hookimpl", "hookspec", "PROJECT"]


def __getattr__(name: str) -> Any:
    # The markers, made when first asked for: the application draws its first frame before
    # pluggy (and importlib.metadata, which it imports) is needed.
    if name in ("hookimpl", "hookspec"):
        import pluggy

        globals().update(hookimpl=pluggy.HookimplMarker(PROJECT), hookspec=pluggy.HookspecMarker(PROJECT))
        return globals()[name]
    raise AttributeError(f"module 'coordtui' has no attribute {name!r}")
