"""The key bound to a wizard action as the operator sees it, for the texts that name it."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def bound_key(node: DOMNode, binding_id: str) -> str:
    """The key bound to an action now (after the user's keymap), as the footer shows it."""
    for _key, binding in node._bindings:
        if binding.id == binding_id:
            keys = node.app._keymap.get(binding_id, binding.key)
            first = keys.split(",")[0].strip()
            return node.app.get_key_display(Binding(first, binding.action))
    return binding_id
