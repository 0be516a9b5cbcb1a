"""The `?` help screen: the keys of the screen it was opened from, then those that work everywhere.

It reads the bindings themselves (after the user's keymap), so it cannot
drift from what the keys really do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from noc_console.i18n import N_, _
from noc_console.screens.base import translate_bindings


@dataclass(frozen=True)
class KeyRow:
    keys: str
    description: str


def _available(node: DOMNode, action: str) -> bool:
    """Ask the action's target, as Textual does, whether the action is offered right now."""
    namespace, _sep, name = action.rpartition(".")
    target = node.app if namespace == "app" else node.screen if namespace == "screen" else node
    return target.check_action(name.split("(")[0], ()) is not False


def key_rows(node: DOMNode) -> list[KeyRow]:
    """The node's own bindings as rows, keys joined per action, as the keymap left them."""
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    by_action: dict[str, tuple[list[str], Binding]] = {}
    for _key, binding in bindings:
        if binding.system or not binding.description:
            continue
        if not _available(node, binding.action):
            continue
        keys, _first = by_action.setdefault(binding.action, ([], binding))
        shown = node.app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [KeyRow(" / ".join(keys), first.description) for keys, first in by_action.values()]


class HelpScreen(ModalScreen[None]):
    """Opened over any screen; esc, ? or f1 closes it (app bindings do not reach a modal)."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1", "close", N_("Close help"), id="help.close"),
    ]

    def __init__(self, source: Screen[object]) -> None:
        super().__init__()
        translate_bindings(self)
        self.source = source

    def _table(self, title: str, rows: list[KeyRow]) -> Table:
        table = Table(
            title=Text(title, style="bold"),
            title_justify="left",
            show_header=True,
            header_style="bold",
            expand=True,
            box=None,
            padding=(0, 2, 0, 0),
        )
        table.add_column(_("Key"), style="bold", no_wrap=True, width=18)
        table.add_column(_("Action"), ratio=1)
        for row in rows:
            table.add_row(row.keys, row.description)
        if not rows:
            table.add_row("—", _("no keys of its own"))
        return table

    def compose(self) -> ComposeResult:
        source_title = getattr(self.source, "HELP_TITLE", N_("This screen"))
        with Vertical(id="help-dialog"):
            yield Static(_("Keys"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._table(_(source_title), key_rows(self.source)), id="help-screen")
                yield Static(self._table(_("Everywhere"), key_rows(self.app)), id="help-app")
            yield Static(_("esc closes this help"), id="help-hint")

    def action_close(self) -> None:
        self.dismiss()
