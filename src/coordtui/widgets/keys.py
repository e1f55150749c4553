"""Key labels in the interface language.

A plugin screen's own keys take their labels from its model's catalogue (``ModelSpec.messages``,
keyed by the binding's id), or from a ``KEY_LABELS = {id: (zh, en)}`` class attribute.

Every binding carries a catalogue key as its ``id`` (which also lets users remap it by
id); its description, shown in the footer and the help screen, is rewritten from the
catalogue whenever the language changes.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from coordtui.i18n import CATALOGUE, t


def localize_bindings(node: DOMNode, lang: str) -> None:
    own: dict[str, tuple[str, str]] = {**getattr(node, "model_messages", dict)(), **getattr(node, "KEY_LABELS", {})}
    bindings_map = node._bindings
    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [_localized(b, lang, own) for b in bindings]


def _localized(binding, lang: str, own: dict[str, tuple[str, str]]):
    if binding.id in own:
        zh, en = own[binding.id]
        return replace(binding, description=zh if lang == "zh" else en)
    if binding.id in CATALOGUE:
        return replace(binding, description=t(binding.id, lang))
    return binding


#: Textual's own widgets that list a key in the footer, by action: the catalogue key of its label
#: (an open dropdown's "esc Dismiss menu").
WIDGET_KEYS = {"dismiss": "key.close"}


def localize_widget(widget: DOMNode, lang: str) -> None:
    """The footer keys of one of Textual's widgets (it has no catalogue ids) in ``lang``."""
    bindings_map = widget._bindings
    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [replace(b, description=t(WIDGET_KEYS[b.action], lang))
                                             if b.show and b.id is None and b.action in WIDGET_KEYS else b for b in bindings]
