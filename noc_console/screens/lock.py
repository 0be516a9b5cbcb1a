"""The idle lock: an opaque screen over everything, until the same operator types their password.

The app pushes it on top of whatever was open (dialogs included) and pops it
when the password is right, so the operator finds the console exactly as they
left it. While it is up the app refuses every other action (see
``NocApp.check_action``): this screen's own keys, help and quit are all that
work. The password check (argon2 + an audit row, in the service) runs in a
thread worker. "Switch operator" ends the session and goes to the login screen.
The rules (check numbering, wrong-password count) are in ``lock_state``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, LoadingIndicator, Static

from noc_console.errors import DatabaseUnavailable
from noc_console.i18n import N_, _, format_time
from noc_console.screens.base import NocScreen
from noc_console.screens.lock_state import UnlockState, Verdict
from noc_console.screens.messages import DatabaseProblem
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.signin import Identity

log = logging.getLogger(__name__)


class LockScreen(NocScreen):
    """Who is logged in, a password field, Unlock and Switch operator. Nothing else."""

    CSS_PATH = "lock.tcss"
    AUTO_FOCUS = "#lock-password"
    HELP_TITLE = N_("Lock screen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "switch_operator", N_("Switch operator"), id="lock.switch_operator"),
    ]

    class Unlocked(Message):
        """The password was right: the app removes the lock."""

    class SwitchOperator(Message):
        """End this operator's session and show the login screen."""

        def __init__(self, reason: str = "switch_operator") -> None:
            super().__init__()
            self.reason = reason

    class Checked(Message):
        def __init__(self, attempt: int, ok: bool, error: str = "") -> None:
            super().__init__()
            self.attempt = attempt
            self.ok = ok
            self.error = error

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        *,
        identity: Identity,
        locked_at: datetime | None = None,
        idle_minutes: int | None = None,
        needs_code: bool = False,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.identity = identity
        """The app's: the password is checked where it was at login (local or directory)."""
        self.needs_code = needs_code
        """``[auth] lock_requires_totp`` and a factor enrolled: a code as well as the password."""
        self.locked_at = locked_at or ctx.clock.now()
        self.idle_minutes = idle_minutes
        self.unlock_state = UnlockState(needs_code=needs_code)

    def compose(self) -> ComposeResult:
        yield SessionBar()
        with Vertical(id="lock-panel"):
            yield Static("🔒 " + _("Console locked"), id="lock-title")
            yield Static(self._who(), id="lock-who")
            yield Label(_("Password"), classes="field-label")
            yield Field(password=True, placeholder=_("your password"), id="lock-password")
            if self.needs_code:
                yield Label(_("Code"), classes="field-label")
                yield Field(placeholder=_("6 digits from your app"), id="lock-code", max_length=16)
            with Horizontal(id="lock-actions"):
                yield Button(_("Unlock"), id="unlock", variant="primary")
                yield Button(_("Switch operator"), id="switch-operator")
                yield LoadingIndicator(id="lock-spinner")
            yield Static(id="lock-message")
        yield Footer()

    def _who(self) -> Text:
        text = Text()
        text.append(_("Logged in: "), style="dim")
        text.append(printable(self.principal.display_name), style="bold")
        text.append(f" ({printable(self.principal.username)})")
        text.append("\n")
        when = format_time(self.locked_at)
        if self.idle_minutes:
            reason = _("Locked at {time} after {n} minutes without input.").format(
                time=when, n=self.idle_minutes
            )
        else:
            reason = _("Locked at {time}.").format(time=when)
        text.append(reason, style="dim")
        text.append("\n")
        text.append(
            _("Type your password to continue where you were, or switch operator."), style="dim"
        )
        return text

    def on_mount(self) -> None:
        self._render_state()

    def _render_state(self) -> None:
        busy = self.unlock_state.busy
        self.query_one("#lock-spinner").display = busy
        self.query_one("#unlock", Button).disabled = busy
        self.query_one("#lock-password", Input).disabled = busy
        message = self.query_one("#lock-message", Static)
        message.update(Text(self.unlock_state.message))
        message.display = bool(self.unlock_state.message)

    # ------------------------------------------------------------------ unlock

    @on(Input.Submitted, "#lock-password")
    @on(Input.Submitted, "#lock-code")
    @on(Button.Pressed, "#unlock")
    def submit(self, event: Input.Submitted | Button.Pressed | None = None) -> None:
        if self.unlock_state.busy:
            return
        if (
            self.needs_code
            and isinstance(event, Input.Submitted)
            and event.input.id == "lock-password"
        ):
            self.query_one("#lock-code", Input).focus()  # Enter moves on to the code
            return
        fields = [self.query_one("#lock-password", Input)]
        if self.needs_code:
            fields.append(self.query_one("#lock-code", Input))
        password = fields[0].value
        code = fields[1].value if self.needs_code else ""
        attempt = self.unlock_state.submit(password, code)
        self._render_state()
        if attempt is None:  # the empty one takes the focus; what was typed stays
            fields[1 if password and self.needs_code else 0].focus()
            return
        for field in fields:
            field.value = ""
        self._check_worker(attempt, password, code)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _check_worker(self, attempt: int, password: str, code: str = "") -> None:
        from noc_console.services import signin

        try:
            ok = signin.unlock(self.ctx, self.identity, self.principal, password, code or None)
        except DatabaseUnavailable as err:
            self.post_message(DatabaseProblem(str(err)))
            self.post_message(
                self.Checked(
                    attempt,
                    False,
                    _("Cannot check the password: the database is unavailable. Try again."),
                )
            )
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            log.error("unlock check failed: %s", type(err).__name__)
            self.post_message(
                self.Checked(
                    attempt,
                    False,
                    _("unexpected error ({kind}); see the log file").format(
                        kind=type(err).__name__
                    ),
                )
            )
        else:
            self.post_message(self.Checked(attempt, ok))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        verdict = self.unlock_state.checked(message.attempt, message.ok, message.error)
        if verdict is Verdict.STALE:
            return
        if verdict is Verdict.GIVE_UP:
            self.post_message(self.SwitchOperator("unlock_failed"))
            return
        self._render_state()
        if verdict is Verdict.UNLOCKED:
            self.post_message(self.Unlocked())
            return
        self.query_one("#lock-password", Input).focus()

    # ------------------------------------------------------------------ switch operator

    @on(Button.Pressed, "#switch-operator")
    def action_switch_operator(self) -> None:
        self.post_message(self.SwitchOperator())
