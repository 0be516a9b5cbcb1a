"""Translated key bindings for widgets and modals (which may not import screens.base).

Same job as ``screens.base.translate_bindings``: descriptions are English
msgids (``N_``) in ``BINDINGS`` and are translated per instance, here with the
footer group titles too. Call it in ``__init__``; a widget composed again
after a language switch is a new instance, so it picks up the new language.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from noc_console.i18n import _


def _translated(binding: Binding) -> Binding:
    group = binding.group
    if group is not None and group.description:
        group = Binding.Group(_(group.description), compact=group.compact)
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
        group=group,
    )


def translate_node_bindings(node: DOMNode) -> None:
    """Rebuild the node's bindings from its class BINDINGS, in the current language."""
    merged = type(node)._merged_bindings
    if merged is None:
        return
    node._bindings = BindingsMap.from_keys(
        {
            key: [_translated(binding) for binding in bindings]
            for key, bindings in merged.key_to_bindings.items()
        }
    )
