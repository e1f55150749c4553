"""Key labels in the interface language.

Every binding carries a catalogue key as its ``id`` (which also lets users remap it by
id); its description, shown in the footer and the help screen, is rewritten from the
catalogue whenever the language changes.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from coordtui.i18n import CATALOGUE, t


def localize_bindings(node: DOMNode, lang: str) -> None:
    bindings_map = node._bindings
    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [
            replace(b, description=t(b.id, lang)) if b.id in CATALOGUE else b for b in bindings
        ]
