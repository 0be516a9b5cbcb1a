"""A question that needs a reason (escalate now, cancel): a line of text, then ctrl+s.

The confirm key (ctrl+s) is never the key that opened the question (x, c),
and esc always answers no; an empty reason is refused by the service, and the
dialog shows its message without closing.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from noc_console.i18n import N_, _
from noc_console.widgets.translated_bindings import translate_node_bindings


class ReasonModal(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ReasonModal { align: center middle; background: $background 60%; }
    ReasonModal > #reason-dialog {
        width: 76; max-width: 95%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ReasonModal #reason-title { text-style: bold; padding: 0 0 1 0; }
    ReasonModal #reason-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer_no", N_("Cancel"), id="reason.cancel"),
        Binding("ctrl+s", "answer_yes", N_("Confirm"), id="reason.confirm", priority=True),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        translate_node_bindings(self)
        self._title = title
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-dialog"):
            yield Static(Text(self._title), id="reason-title")
            yield Static(Text(self._message), id="reason-message")
            yield Input(placeholder=_("Reason (required)"), id="reason", max_length=2000)
            yield Static(id="reason-error")
            yield Static(_("ctrl+s confirms · esc gives up"), id="reason-keys")

    def on_mount(self) -> None:
        self.query_one("#reason-error").display = False
        self.query_one("#reason", Input).focus()

    def action_answer_no(self) -> None:
        self.dismiss(None)

    def action_answer_yes(self) -> None:
        value = self.query_one("#reason", Input).value.strip()
        if not value:
            error = self.query_one("#reason-error", Static)
            error.update(_("Give a reason first."))
            error.display = True
            return
        self.dismiss(value)

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        """enter does not confirm (a slip must not escalate): it says which key does."""
        error = self.query_one("#reason-error", Static)
        error.update(_("Press ctrl+s to confirm."))
        error.display = True
