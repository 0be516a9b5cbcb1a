"""The reset wizard's widgets, step by step, and the ids the screen finds them by.

Kept out of the screen module so the screen holds behaviour only; the DOM
built here is what ``reset.tcss`` styles and the snapshots record.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from noc_console.i18n import N_, _
from noc_console.screens.reset.state import ResetForm, ResetState, Step
from noc_console.services import password_reset
from noc_console.services.password_reset import IdentityChecks
from noc_console.widgets.fields import Field
from noc_console.widgets.reset_controls import (
    FieldError,
    WizardCheckbox,
    WizardRadioButton,
    WizardRadioSet,
)

STEP_IDS = ("step-identity", "step-method", "step-confirm", "step-result")
STEP_TITLES = (N_("Identity"), N_("Method"), N_("Confirmation"), N_("Result"))
FIELD_WIDGET = {
    "name_matches": "#check-name",
    "cnpj_confirmed": "#check-cnpj",
    "callback_done": "#check-callback",
    "ticket_ref": "#ticket",
    "reason": "#reason",
    "method": "#method",
}
EDITED_SLOT = {  # an edited widget's error line goes away
    "ticket": "ticket",
    "reason": "reason",
    "check-name": "checks",
    "check-cnpj": "checks",
    "check-callback": "checks",
    "method": "method",
}
STEP_FOCUS = {Step.IDENTITY: "#check-name", Step.METHOD: "#method", Step.CONFIRM: "#step-confirm"}


def text_column(field_id: str, label: str, placeholder: str, max_length: int) -> Vertical:
    """A text field under its label, with its error line under it (``#<id>-col``)."""
    return Vertical(
        Label(label, classes="field-label"),
        Field(placeholder=placeholder, id=field_id, max_length=max_length),
        FieldError(id=f"{field_id}-error"),
        id=f"{field_id}-col",
    )


def identity_step(*, read_only: bool) -> ComposeResult:
    """Step (a): who is on record, the identity checks, the ticket and the reason."""
    with VerticalScroll(id="step-identity", can_focus=False):
        yield Static(id="identity-card")
        if read_only:
            yield Static(
                Text(
                    _(
                        "Read-only mode: you can review this user, but the reset"
                        " cannot be confirmed in this session."
                    )
                ),
                id="read-only-note",
                classes="warning-note",
            )
        yield Label(_("Identity checks (ask the caller)"), classes="section")
        yield WizardCheckbox(id="check-name", compact=True)
        yield WizardCheckbox(id="check-cnpj", compact=True)
        yield WizardCheckbox(id="check-callback", compact=True)
        yield FieldError(id="checks-error")
        with Horizontal(id="ticket-row"):
            yield text_column(
                "ticket", _("Ticket reference"), _("e.g. INC-2026-0042"), password_reset.TICKET_MAX
            )
            yield text_column(
                "reason", _("Reason"), _("why the access is being reset"), password_reset.REASON_MAX
            )


def method_step() -> ComposeResult:
    """Step (b): the method, the unlock and end-sessions options, the resets left."""
    with VerticalScroll(id="step-method", can_focus=False):
        yield Label(_("How should the customer get back in?"), classes="section")
        yield WizardRadioSet(
            WizardRadioButton(id="method-temporary", value=True),
            WizardRadioButton(id="method-link"),
            WizardRadioButton(id="method-unlock"),
            id="method",
        )
        yield FieldError(id="method-error")
        yield Label(_("Also"), classes="section")
        yield WizardCheckbox(id="opt-unlock", value=True, compact=True)
        yield WizardCheckbox(id="opt-sessions", value=True, compact=True)
        yield Static(id="rate-line")


def wizard_buttons() -> ComposeResult:
    """The buttons; which show depends on the step (``ResetState.buttons``)."""
    with Horizontal(id="reset-buttons"):
        yield Button(_("Cancel"), id="btn-cancel")
        yield Button(_("Back"), id="btn-back")
        yield Button(_("Next"), id="btn-next", variant="primary")
        yield Button(_("Confirm reset"), id="btn-confirm", variant="warning")
        yield Button(_("Copy password"), id="btn-copy")
        yield Button(_("I have read it to the customer"), id="btn-done", variant="success")


def read_form(node: DOMNode, state: ResetState) -> ResetForm:
    """The reset call's arguments from what the wizard's widgets hold now."""
    return state.form(
        ticket_ref=node.query_one("#ticket", Input).value,
        reason=node.query_one("#reason", Input).value,
        checks=IdentityChecks(
            name_matches=node.query_one("#check-name", WizardCheckbox).value,
            cnpj_confirmed=node.query_one("#check-cnpj", WizardCheckbox).value,
            callback_done=node.query_one("#check-callback", WizardCheckbox).value,
        ),
        method_index=node.query_one("#method", WizardRadioSet).pressed_index,
        unlock=node.query_one("#opt-unlock", WizardCheckbox).value,
        end_sessions=node.query_one("#opt-sessions", WizardCheckbox).value,
    )


def lay_out_once_without_scrollbar(dialog: Widget) -> None:
    """Lay ``dialog`` out once with no vertical scrollbar, then let it scroll again.

    A step whose content fits the terminal exactly has two stable layouts under
    ``overflow-y: auto``: no scrollbar, or one whose gutter narrows the text
    until it wraps onto one more line and no longer fits. Which one Textual
    lands on depends on the order of refreshes; this makes it the first. A
    dialog that truly does not fit gets its scrollbar back on the next layout.
    """
    dialog.styles.overflow_y = "hidden"

    def restore() -> None:
        dialog.styles.clear_rule("overflow_y")
        dialog.refresh(layout=True)

    dialog.call_after_refresh(restore)
