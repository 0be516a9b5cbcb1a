"""A yes/no question over the current screen: the generic confirmation of the console.

Safe against slips: ``esc`` always answers no, and yes needs its own key
(``enter`` unless the caller picks another), which is never the key that
opened the question (esc to leave, ctrl+delete to clear, ...). The buttons
are for the mouse only; they take no focus, so ``enter`` never means "the
button that happens to be focused".

Use: ``app.push_screen(ConfirmModal(...), callback)``; the callback gets True
(confirmed) or False.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from noc_console.i18n import N_
from noc_console.widgets.translated_bindings import translate_node_bindings


class ConfirmModal(ModalScreen[bool]):
    """Ask one question; dismisses with True (confirm key / button) or False (esc / button)."""

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
        background: $background 60%;
    }
    ConfirmModal > #confirm-dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmModal #confirm-title {
        text-style: bold;
        padding: 0 0 1 0;
    }
    ConfirmModal #confirm-message {
        padding: 0 0 1 0;
    }
    ConfirmModal #confirm-buttons {
        height: auto;
        align: right middle;
    }
    ConfirmModal #confirm-buttons Button {
        margin: 0 0 0 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", N_("Cancel"), id="confirm.cancel"),
    ]

    def __init__(
        self,
        title: str,
        message: str | Text,
        *,
        confirm_label: str,
        cancel_label: str,
        confirm_key: str = "enter",
        confirm_id: str = "confirm.yes",
    ) -> None:
        super().__init__()
        translate_node_bindings(self)
        self._title = title
        self._message = message
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self.confirm_key = confirm_key
        # An instance binding: each question may want its own key, still remappable by id.
        self._bindings.key_to_bindings.setdefault(confirm_key, []).insert(
            0,
            Binding(confirm_key, "answer(True)", confirm_label, id=confirm_id, priority=True),
        )

    def compose(self) -> ComposeResult:
        key = self.app.get_key_display(Binding(self.confirm_key, ""))
        escape = self.app.get_key_display(Binding("escape", ""))
        with Vertical(id="confirm-dialog"):
            yield Static(Text(self._title), id="confirm-title")
            message = self._message if isinstance(self._message, Text) else Text(self._message)
            yield Static(message, id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._confirm_label} ({key})", id="confirm-yes", variant="error")
                yield Button(f"{self._cancel_label} ({escape})", id="confirm-no")

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
