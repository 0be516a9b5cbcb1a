"""Second-factor enrolment: the QR code in the terminal, the secret for typing, then a code.

Opened by the login screen when a role needs a code and none is set up yet
(``pending``), and dismissed with the signed-in principal, None when the
operator gives up, or ``SignInAgain`` when that sign-in cannot go on (locked,
too slow); or from the palette by an operator already signed in (``actor``).
The check (and the write of the encrypted secret and the hashed recovery
codes) runs in a thread worker; the rules are in ``state``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from noc_console.errors import AuthenticationFailed, DatabaseUnavailable, ValidationError
from noc_console.i18n import N_, _
from noc_console.screens.base import translate_bindings
from noc_console.screens.totp_enrol.state import EnrolState, Step
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable

if TYPE_CHECKING:
    from noc_console.screens.totp_enrol.state import SignInAgain
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.signin import Identity, SecondFactorNeeded
    from noc_console.services.totp.factor import EnrolmentOffer, RecoveryCodes

log = logging.getLogger(__name__)


class TotpEnrolScreen(Screen["Principal | SignInAgain | None"]):
    """Scan (or type) the secret, prove it with a code, read the recovery codes once."""

    HELP_TITLE = N_("Second factor")
    AUTO_FOCUS = "#totp-code"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="totp_enrol.cancel"),
    ]
    DEFAULT_CSS = """
    TotpEnrolScreen { align: center middle; }
    #enrol-panel {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 2;
    }
    #enrol-title { text-style: bold; color: $primary; padding: 0 0 1 0; }
    #enrol-body { height: auto; }
    #enrol-qr { width: auto; height: auto; margin: 0 2 0 0; }
    #enrol-side { width: 1fr; height: auto; }
    #enrol-secret { text-style: bold; padding: 1 0; }
    #enrol-actions { height: auto; padding: 1 0 0 0; }
    #enrol-message { height: auto; padding: 1 0 0 0; }
    #enrol-codes { height: auto; padding: 1 0; text-style: bold; }
    """

    class Checked(Message):
        def __init__(
            self,
            attempt: int,
            *,
            recovery: RecoveryCodes | None = None,
            principal: Principal | None = None,
            error: str = "",
            start_again: bool = False,
        ) -> None:
            super().__init__()
            self.attempt = attempt
            self.recovery = recovery
            self.principal = principal
            self.error = error
            self.start_again = start_again

    def __init__(
        self,
        ctx: ServiceContext,
        identity: Identity,
        *,
        pending: SecondFactorNeeded | None = None,
        actor: Principal | None = None,
        offer: EnrolmentOffer | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        from noc_console.services.totp.factor import new_offer

        self.ctx = ctx
        self.identity = identity
        self.pending = pending
        self.actor = actor
        username = pending.username if pending else actor.username if actor else ""
        self.enrol_state = EnrolState(offer or new_offer(username))

    def compose(self) -> ComposeResult:
        offer = self.enrol_state.offer
        assert offer is not None
        with VerticalScroll(id="enrol-panel"):
            yield Static(_("Set up your second factor"), id="enrol-title")
            with Horizontal(id="enrol-body"):
                qr = Text("\n".join(offer.qr()), style="bright_white on black", no_wrap=True)
                yield Static(qr, id="enrol-qr")
                with Vertical(id="enrol-side"):
                    yield Static(
                        _(
                            "Scan the code with an authenticator app (FreeOTP, Aegis,"
                            " Google Authenticator, Microsoft Authenticator...), or type"
                            " this key into it:"
                        )
                    )
                    yield Static(Text(offer.grouped_secret), id="enrol-secret")
                    yield Static(
                        Text(
                            _("Account: {account}").format(account=printable(offer.username)),
                            style="dim",
                        )
                    )
                    yield Label(_("Code shown by the app"), classes="field-label")
                    yield Field(placeholder="123456", id="totp-code", max_length=12)
                    with Horizontal(id="enrol-actions"):
                        yield Button(_("Confirm"), id="enrol-confirm", variant="primary")
                        yield Button(_("Cancel"), id="enrol-cancel")
            yield Static(id="enrol-codes")
            yield Button(_("Continue"), id="enrol-continue", variant="primary")
            yield Static(id="enrol-message")
        yield Footer()

    def on_mount(self) -> None:
        self._render_state()

    def _render_state(self) -> None:
        state = self.enrol_state
        scanning = state.step is Step.SCAN
        self.query_one("#enrol-body").display = scanning
        self.query_one("#totp-code", Input).disabled = state.busy
        self.query_one("#enrol-confirm", Button).disabled = state.busy
        codes = self.query_one("#enrol-codes", Static)
        codes.display = not scanning
        codes.update(Text("\n".join(f"  {i:>2}. {c}" for i, c in enumerate(state.recovery, 1))))
        self.query_one("#enrol-continue").display = not scanning
        message = self.query_one("#enrol-message", Static)
        message.update(Text(state.message))
        message.display = bool(state.message)

    # ------------------------------------------------------------------ confirm

    @on(Input.Submitted, "#totp-code")
    @on(Button.Pressed, "#enrol-confirm")
    def confirm(self) -> None:
        field = self.query_one("#totp-code", Input)
        code = field.value
        attempt = self.enrol_state.submit(code)
        self._render_state()
        if attempt is None:
            field.focus()
            return
        field.value = ""
        offer = self.enrol_state.offer
        assert offer is not None
        self._enrol_worker(attempt, offer, code)

    @work(thread=True, exclusive=True, exit_on_error=False, group="totp-enrol")
    def _enrol_worker(self, attempt: int, offer: EnrolmentOffer, code: str) -> None:
        from noc_console.services import signin

        try:
            if self.pending is not None:
                principal, recovery = signin.finish_with_enrolment(
                    self.ctx, self.identity, self.pending, offer, code
                )
            else:
                assert self.actor is not None
                principal = None
                recovery = signin.enrol_self(self.ctx, self.identity, self.actor, offer, code)
        except ValidationError as err:
            error = " ".join(m for ms in err.fields.values() for m in ms) or str(err)
            self.post_message(self.Checked(attempt, error=error))
        except signin.StartAgain as err:
            self.post_message(self.Checked(attempt, error=str(err), start_again=True))
        except (AuthenticationFailed, DatabaseUnavailable) as err:
            self.post_message(self.Checked(attempt, error=str(err)))
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            log.error("enrolment failed: %s", type(err).__name__)
            self.post_message(
                self.Checked(
                    attempt,
                    error=_("unexpected error ({kind}); see the log file").format(
                        kind=type(err).__name__
                    ),
                )
            )
        else:
            self.post_message(self.Checked(attempt, recovery=recovery, principal=principal))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        state = self.enrol_state
        if message.start_again:  # the login form takes over, from the password
            again: SignInAgain | None = state.start_again(message.attempt, message.error)
            if again is not None:
                self.dismiss(again)
            return
        if message.recovery is None:
            if state.refused(message.attempt, message.error):
                self._render_state()
                self.query_one("#totp-code", Input).focus()
            return
        if state.enrolled(message.attempt, message.recovery, message.principal):
            self._render_state()
            self.query_one("#enrol-continue", Button).focus()

    # ------------------------------------------------------------------ leave

    @on(Button.Pressed, "#enrol-continue")
    def action_continue(self) -> None:
        if self.enrol_state.step is Step.CODES:
            self.dismiss(self.enrol_state.leave())

    @on(Button.Pressed, "#enrol-cancel")
    def action_cancel(self) -> None:
        if self.enrol_state.busy:
            return
        if self.enrol_state.step is Step.CODES:
            self.dismiss(self.enrol_state.leave())  # enrolled already: the codes were shown
            return
        self.dismiss(None)
