"""coordtui: collaboration mechanisms in discipline inspection (纪检监察协作机制), in a terminal.

Plugins write ``from coordtui import hookimpl`` and use the rest of the public API
from :mod:`coordtui.api`.
"""

import pluggy

__version__ = "0.1.0"

#: The project name pluggy knows our hooks by.
PROJECT = "coordtui"

hookimpl = pluggy.HookimplMarker(PROJECT)
hookspec = pluggy.HookspecMarker(PROJECT)

__all__ = ["__version__", "hookimpl", "hookspec", "PROJECT"]
