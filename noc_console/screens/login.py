"""Operator login, and the place where a database problem is explained and retried.

The screen never blocks: the password check (argon2, one DB transaction) and
every keyring access run in thread workers and come back as messages. The
connection itself belongs to the app, which tells this screen where it stands
(``show_database``) and is asked to retry through ``RetryRequested``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from noc_console.errors import AuthenticationFailed, DatabaseUnavailable
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen
from noc_console.screens.session import DbConnected, DbConnecting, DbState, DbUnavailable
from noc_console.widgets.fields import Field
from noc_console.widgets.light_button import LightButton
from noc_console.widgets.text_spinner import TextSpinner

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

log = logging.getLogger(__name__)


def _login_error_line(err: Exception, ctx: ServiceContext) -> str:
    """Turn an unexpected failure of the login transaction into one line, password masked."""
    from sqlalchemy.exc import SQLAlchemyError

    from noc_console.db import classify_error

    if isinstance(err, SQLAlchemyError):
        return _("Database unavailable: {reason}").format(
            reason=classify_error(err, ctx.engine.url)
        )
    log.error("unexpected login error: %s", type(err).__name__)
    return _("Unexpected error while checking the password; see the log file.")


class _ProblemRows:
    """The widgets shown only when the database is unavailable (see ``_problem_rows``)."""

    def __init__(self) -> None:
        self.db_error = Static(id="db-error")
        self.db_password = Field(
            password=True, placeholder=_("database password"), id="db-password"
        )
        label = _(
            "The database server asks for a password. It is used for this"
            " session only and never stored."
        )
        self.problem = Horizontal(
            self.db_error,
            LightButton(_("Retry"), id="retry", variant="warning"),
            id="db-problem",
        )
        self.password_row = Vertical(
            Label(label, id="db-password-label"), self.db_password, id="db-password-row"
        )


class LoginScreen(NocScreen):
    """Username, password, remember-me; database status and retry."""

    # Styled by login.tcss, which the app loads as its own CSS_PATH (see NocApp.CSS_PATH):
    # as the first screen's CSS_PATH it would cost a re-parse of every stylesheet at start-up.
    AUTO_FOCUS = "#username"
    HELP_TITLE = N_("Login screen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "retry", N_("Retry database"), id="login.retry"),
    ]

    class LoggedIn(Message):
        """The operator is authenticated; the app opens the main screen."""

        def __init__(self, principal: Principal) -> None:
            super().__init__()
            self.principal = principal

    class RetryRequested(Message):
        """Ask the app to connect again, with the database password typed here if any."""

        def __init__(self, db_password: str | None) -> None:
            super().__init__()
            self.db_password = db_password

    class LoginFinished(Message):
        def __init__(
            self,
            attempt: int,
            *,
            principal: Principal | None = None,
            error: str | None = None,
            keyring_note: str | None = None,
        ) -> None:
            super().__init__()
            self.attempt = attempt
            self.principal = principal
            self.error = error
            self.keyring_note = keyring_note

    class KeyringChecked(Message):
        def __init__(self, available: bool) -> None:
            super().__init__()
            self.available = available

    class RememberedFound(Message):
        def __init__(self, username: str, password: str) -> None:
            super().__init__()
            self.username = username
            self.password = password

    def __init__(self, db_state: DbState, *, username: str = "", read_only: bool = False) -> None:
        super().__init__()
        self.db_state: DbState = db_state
        self.read_only = read_only
        self._initial_username = username
        self._message = ""
        self._note = ""
        self._keyring: bool | None = None  # unknown until the keyring worker answers
        self._busy = False
        self._attempt = 0
        self._problem: _ProblemRows | None = None  # mounted when first needed

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(_("NOC Console"), id="login-header")
        with Vertical(id="login-panel"):
            yield Static(_("Operator login"), id="login-title")
            with Horizontal(id="db-line"):
                yield TextSpinner(id="db-spinner")
                yield Static(id="db-status")
            yield Label(_("Username"), classes="field-label")
            yield Field(
                value=self._initial_username,
                placeholder=_("your operator username"),
                id="username",
                max_length=64,
            )
            yield Label(_("Password"), classes="field-label")
            yield Field(password=True, placeholder=_("your password"), id="password")
            with Horizontal(id="remember-row"):
                yield Checkbox(_("Remember me"), id="remember", disabled=True)
                yield Static(id="remember-note")
            with Horizontal(id="login-actions"):
                yield LightButton(_("Log in"), id="login", variant="primary")
                yield TextSpinner(id="login-spinner")
            yield Static(id="login-message")
        yield Footer()

    def _problem_rows(self) -> _ProblemRows:
        """The database error with its Retry button, and the database password row.

        Mounted the first time the database is unavailable rather than composed
        hidden: most starts never show them, and every widget composed before the
        first paint delays it (start-up target, benchmarks/RESULTS.md).
        """
        if self._problem is None:
            rows = _ProblemRows()
            self.query_one("#login-panel").mount(rows.problem, rows.password_row, after="#db-line")
            self._problem = rows
        return self._problem

    def _typed_db_password(self) -> str:
        return self._problem.db_password.value if self._problem is not None else ""

    def on_mount(self) -> None:
        self._render_state()
        self.call_after_refresh(self._check_keyring)  # after the first paint
        if self._initial_username:  # back from a lock: only the password is missing
            self.query_one("#password", Input).focus()

    def _render_state(self) -> None:
        """Bring every status widget in line with the current state (idempotent)."""
        state = self.db_state
        status = self.query_one("#db-status", Static)
        self.query_one("#db-spinner", TextSpinner).spin(isinstance(state, DbConnecting))
        self.query_one("#db-line").display = not isinstance(state, DbUnavailable)
        if isinstance(state, DbUnavailable) or self._problem is not None:
            rows = self._problem_rows()
            rows.problem.display = isinstance(state, DbUnavailable)
            rows.password_row.display = isinstance(state, DbUnavailable) and state.needs_password
        if isinstance(state, DbConnecting):
            status.update(_("Connecting to the database…"))
        elif isinstance(state, DbConnected):
            status.update(self._connected_text(state))
        else:
            rows.db_error.update(
                Text(_("Database unavailable: {reason}").format(reason=state.message))
            )
        remember = self.query_one("#remember", Checkbox)
        remember.disabled = self._busy or not self._keyring
        note = self._note
        if self._keyring is False:
            note = _("unavailable: no system keyring on this machine")
        self.query_one("#remember-note", Static).update(note)
        self.query_one("#login", Button).disabled = self._busy
        self.query_one("#login-spinner", TextSpinner).spin(self._busy)
        for field_id in ("#username", "#password"):
            self.query_one(field_id, Input).disabled = self._busy
        message = self.query_one("#login-message", Static)
        message.update(Text(self._message))
        message.display = bool(self._message)

    def _connected_text(self, state: DbConnected) -> Text:
        from noc_console.widgets.session_bar import markers  # after the first paint

        info = state.info
        text = Text()
        text.append(_("Database: "), style="dim")
        text.append(info.label, style="bold")
        text.append(f" ({info.backend_label})")
        text.append_text(markers(is_demo=info.is_demo, read_only=self.read_only))
        if not info.has_operators:
            text.append("\n")
            text.append(
                _(
                    "No operator exists yet: create one with"
                    " `noc-console operator add USERNAME --role supervisor`."
                )
            )
        return text

    # ------------------------------------------------------------------ state from the app

    def show_database(self, state: DbState) -> None:
        """Called by the app whenever its connection attempt changes state."""
        self.db_state = state
        if not self.is_mounted:
            return
        self._render_state()
        self.refresh_bindings()
        if isinstance(state, DbUnavailable) and state.needs_password:
            # Just mounted, perhaps: focused once it is on screen.
            self.call_after_refresh(self._problem_rows().db_password.focus)
        elif isinstance(state, DbConnected):
            self._lookup_remembered()

    def capture_state(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "values": {
                "username": self.query_one("#username", Input).value,
                "password": self.query_one("#password", Input).value,
                "db-password": self._typed_db_password(),
            },
            "remember": self.query_one("#remember", Checkbox).value,
            "focus": focused.id if focused is not None else None,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        values = dict(state["values"])
        db_password = values.pop("db-password", "")
        for field_id, value in values.items():
            self.query_one(f"#{field_id}", Input).value = value
        if db_password:
            self._problem_rows().db_password.value = db_password
        self.query_one("#remember", Checkbox).value = state["remember"]
        self._render_state()
        if state["focus"] == "db-password" and self._problem is not None:
            self.call_after_refresh(self._problem.db_password.focus)  # perhaps just mounted
        elif state["focus"]:
            self.query_one(f"#{state['focus']}").focus()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return isinstance(self.db_state, DbUnavailable)
        return True

    def action_retry(self) -> None:
        if not isinstance(self.db_state, DbUnavailable):
            return
        self.post_message(self.RetryRequested(self._typed_db_password() or None))

    @on(Button.Pressed, "#retry")
    def _retry_pressed(self) -> None:
        self.action_retry()

    @on(Button.Pressed, "#login")
    def _login_pressed(self) -> None:
        self.submit()

    @on(Input.Submitted, "#username")
    def _username_submitted(self) -> None:
        self._lookup_remembered()
        self.query_one("#password", Input).focus()

    @on(Input.Blurred, "#username")
    def _username_left(self) -> None:
        self._lookup_remembered()

    @on(Input.Submitted, "#password")
    def _password_submitted(self) -> None:
        self.submit()

    @on(Input.Submitted, "#db-password")
    def _db_password_submitted(self) -> None:
        self.action_retry()

    def _say(self, message: str, focus: str | None = None) -> None:
        self._message = message
        self._render_state()
        if focus:
            self.query_one(focus, Input).focus()

    def submit(self) -> None:
        """Check the form, then verify the password in a worker."""
        if self._busy:
            return
        state = self.db_state
        if isinstance(state, DbConnecting):
            self._say(_("Still connecting to the database; try again in a moment."))
            return
        if isinstance(state, DbUnavailable):
            self._say(_("The database is unavailable: fix the problem above, then Retry."))
            return
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username:
            self._say(_("Enter your username."), "#username")
            return
        if not password:
            self._say(_("Enter your password."), "#password")
            return
        remember = self.query_one("#remember", Checkbox).value
        self._attempt += 1
        self._busy = True
        self._message = ""
        self._render_state()
        self._login_worker(
            self._attempt, state.ctx, state.info.masked_url, username, password, remember
        )

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _login_worker(
        self,
        attempt: int,
        ctx: ServiceContext,
        database: str,
        username: str,
        password: str,
        remember: bool,
    ) -> None:
        from noc_console import secrets
        from noc_console.services import auth

        try:
            principal = auth.login(ctx, username, password)
        except (AuthenticationFailed, DatabaseUnavailable) as err:
            self.post_message(self.LoginFinished(attempt, error=str(err)))
            return
        except Exception as err:  # noqa: BLE001 - shown as one line, never a traceback
            self.post_message(self.LoginFinished(attempt, error=_login_error_line(err, ctx)))
            return
        note = None
        if self._keyring:
            account = secrets.operator_account(principal.username, database)
            try:
                if remember:
                    secrets.set_secret(account, password)
                else:
                    secrets.delete_secret(account)
            except secrets.KeyringUnavailable as err:
                note = _("Password not remembered: {reason}").format(reason=err)
        self.post_message(self.LoginFinished(attempt, principal=principal, keyring_note=note))

    @work(thread=True, exclusive=True, exit_on_error=False, group="keyring")
    def _check_keyring(self) -> None:
        from noc_console import secrets

        self.post_message(self.KeyringChecked(secrets.keyring_available()))

    def _lookup_remembered(self) -> None:
        state = self.db_state
        username = self.query_one("#username", Input).value.strip().lower()
        if (
            self._keyring
            and isinstance(state, DbConnected)
            and username
            and not self.query_one("#password", Input).value
        ):
            self._remembered_worker(username, state.info.masked_url)

    @work(thread=True, exclusive=True, exit_on_error=False, group="keyring-read")
    def _remembered_worker(self, username: str, database: str) -> None:
        from noc_console import secrets

        password = secrets.get_secret(secrets.operator_account(username, database))
        if password:
            self.post_message(self.RememberedFound(username, password))

    # ------------------------------------------------------------------ worker results

    @on(LoginFinished)
    def _login_finished(self, message: LoginFinished) -> None:
        if message.attempt != self._attempt:
            return  # a newer attempt is running; this answer is stale
        self._busy = False
        if message.principal is None:
            self.query_one("#password", Input).value = ""
            self._say(message.error or _("Login failed."), "#password")
            return
        self._message = ""
        if message.keyring_note:
            self.notify(message.keyring_note, severity="warning")
        self._render_state()
        self.post_message(self.LoggedIn(message.principal))

    @on(KeyringChecked)
    def _keyring_checked(self, message: KeyringChecked) -> None:
        self._keyring = message.available
        self._render_state()
        if message.available:
            self._lookup_remembered()

    @on(RememberedFound)
    def _remembered_found(self, message: RememberedFound) -> None:
        username = self.query_one("#username", Input).value.strip().lower()
        password_field = self.query_one("#password", Input)
        if username != message.username or password_field.value:
            return
        password_field.value = message.password
        self.query_one("#remember", Checkbox).value = True
        self._note = _("password filled from the system keyring")
        self._render_state()
