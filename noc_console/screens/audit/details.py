"""The audit event dialog (enter on the log): one event, every field and detail key on its line."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from noc_console.i18n import N_, _
from noc_console.screens.base import translate_bindings
from noc_console.services.audit_query import AuditRow
from noc_console.widgets.audit_table import event_sheet


class AuditDetailsScreen(ModalScreen[None]):
    """One event, every field and every detail key on its own line."""

    CSS_PATH = "audit.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", N_("Close"), id="audit.details_close"),
    ]

    def __init__(self, row: AuditRow) -> None:
        super().__init__()
        translate_bindings(self)
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-details-dialog"):
            yield Static(
                Text(_("Audit event #{id}").format(id=self.row.id), style="bold"),
                id="audit-details-title",
            )
            with VerticalScroll(id="audit-details-body"):
                yield Static(event_sheet(self.row), id="audit-details-sheet")
            yield Static(_("esc or enter closes"), id="audit-details-hint")

    def action_close(self) -> None:
        self.dismiss()
