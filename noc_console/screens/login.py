"""Operator login, and the place where a database problem is explained and retried.

The screen never blocks: the password check (argon2, one DB transaction) and
every keyring access run in thread workers and come back as messages. The
connection itself belongs to the app, which tells this screen where it stands
(``show_database``) and is asked to retry through ``RetryRequested``. The
flow's rules (which rows show, when a login may start, stale answers) are in
``screens.login_state``; this module renders them and runs the workers. The
code step (issue 15) is its own widget (``screens.login_code``), and the
database problem rows and status text live in ``screens.login_parts``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

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
from noc_console.screens.login_code import CodeStep
from noc_console.screens.login_parts import LoginFinished, ProblemRows, connected_text
from noc_console.screens.login_state import LoginState, TypeAhead, login_error_line
from noc_console.screens.session import DbConnected, DbState
from noc_console.widgets.fields import Field
from noc_console.widgets.light_button import LightButton
from noc_console.widgets.text_spinner import TextSpinner

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.signin import Identity, SecondFactorNeeded

log = logging.getLogger(__name__)


class SignsIn(Protocol):
    """What the login form asks of the app: its one way of signing people in."""

    def identity(self) -> Identity: ...


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

    class KeyringChecked(Message):
        def __init__(self, available: bool, sources: str = "") -> None:
            super().__init__()
            self.available = available
            self.sources = sources

    class RememberedFound(Message):
        def __init__(self, username: str, password: str) -> None:
            super().__init__()
            self.username = username
            self.password = password

    def __init__(self, db_state: DbState, *, username: str = "", read_only: bool = False) -> None:
        super().__init__()
        self.state = LoginState(db_state, read_only=read_only)
        self._initial_username = username
        self._problem = ProblemRows()  # mounted when first needed
        self.ahead = TypeAhead(username=username)
        """Keys typed before the form is ready (issue 15): see ``type_ahead``."""

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
            yield CodeStep()
            with Horizontal(id="remember-row"):
                yield Checkbox(_("Remember me"), id="remember", disabled=True)
                yield Static(id="remember-note")
            with Horizontal(id="login-actions"):
                yield LightButton(_("Log in"), id="login", variant="primary")
                yield TextSpinner(id="login-spinner")
            yield Static(id="login-message")
            yield Static(id="login-sources")
        yield Footer()

    def on_mount(self) -> None:
        self._render_state()
        self.call_after_refresh(self._check_keyring)  # after the first paint
        self.call_after_refresh(self._first_paint_done)
        if self._initial_username:  # back from a lock: only the password is missing
            self.query_one("#password", Input).focus()
        early = getattr(self.app, "early_keys", None)
        if isinstance(early, list):  # keys that came before this screen existed
            for key, character in early:
                self.type_ahead(key, character)
            early.clear()

    # ------------------------------------------------------------------ type-ahead (issue 15)

    def type_ahead(self, key: str, character: str | None) -> bool:
        """The app hands every key here first; True when it was kept for the form (not ready yet).

        Applied in order to the field it was meant for, never to whatever has
        the focus at the moment (which is what put passwords in the username box).
        """
        if not self.ahead.open:
            return False
        if self.state.form_ready():
            self._flush_type_ahead()
            return False
        taken = self.ahead.take(key, character)
        if taken and self.is_mounted:
            self._show_type_ahead()
        return taken

    def _show_type_ahead(self) -> None:
        for name, value in self.ahead.values.items():
            field = self.query_one(f"#{name}", Input)
            if field.value != value:
                field.value = value
        if self.ahead.field in ("username", "password"):
            self.query_one(f"#{self.ahead.field}", Input).focus()

    def _first_paint_done(self) -> None:
        self.state.painted = True
        self._flush_type_ahead()

    def _flush_type_ahead(self) -> None:
        """The form is ready: what was typed ahead goes in, and Enter, if pressed, submits."""
        if not self.ahead.open or not self.state.form_ready():
            return
        self.ahead.close()
        if not self.ahead.touched:
            return
        self._show_type_ahead()
        if self.ahead.submit:
            self.submit()

    def _render_state(self) -> None:
        """Bring every status widget in line with the current state (idempotent)."""
        state = self.state
        db_state = state.db_state
        self.query_one("#db-spinner", TextSpinner).spin(state.connecting)
        self.query_one("#db-line").display = not state.unavailable
        if state.unavailable or self._problem.rows is not None:
            rows = self._problem.mounted_in(self)
            rows.problem.display = state.unavailable
            rows.password_row.display = state.needs_db_password()
            if state.unavailable:
                rows.db_error.update(Text(state.problem_line()))
        status = self.query_one("#db-status", Static)
        if state.connecting:
            status.update(_("Connecting to the database…"))
        elif isinstance(db_state, DbConnected):
            status.update(connected_text(db_state, read_only=state.read_only))
        remember = self.query_one("#remember", Checkbox)
        remember.disabled = not state.remember_enabled()
        self.query_one("#remember-note", Static).update(state.remember_note())
        self.query_one("#login", Button).disabled = state.busy
        self.query_one("#login-spinner", TextSpinner).spin(state.busy)
        for field_id in ("#username", "#password"):
            self.query_one(field_id, Input).disabled = state.busy or state.wants_code
        self.query_one("#code-row").display = state.wants_code
        self.query_one("#code", Input).disabled = state.busy
        sources = self.query_one("#login-sources", Static)
        sources.update(Text(state.sources, style="dim"))
        sources.display = bool(state.sources)
        message = self.query_one("#login-message", Static)
        message.update(Text(state.message))
        message.display = bool(state.message)

    # ------------------------------------------------------------------ state from the app

    def show_database(self, state: DbState) -> None:
        """Called by the app whenever its connection attempt changes state."""
        self.state.db_state = state
        if not self.is_mounted:
            return
        self._render_state()
        self.refresh_bindings()
        self._flush_type_ahead()
        if self.state.needs_db_password():
            # Just mounted, perhaps: focused once it is on screen.
            self.call_after_refresh(self._problem.mounted_in(self).db_password.focus)
        elif isinstance(state, DbConnected):
            self._lookup_remembered()

    def capture_state(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "values": {
                "username": self.query_one("#username", Input).value,
                "password": self.query_one("#password", Input).value,
                "code": self.query_one("#code", Input).value,
                "db-password": self._problem.typed_password(),
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
            self._problem.mounted_in(self).db_password.value = db_password
        self.query_one("#remember", Checkbox).value = state["remember"]
        self._render_state()
        if state["focus"] == "db-password" and self._problem.rows is not None:
            self.call_after_refresh(self._problem.rows.db_password.focus)  # perhaps just mounted
        elif state["focus"]:
            self.query_one(f"#{state['focus']}").focus()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.state.unavailable
        return True

    @on(Button.Pressed, "#retry")
    @on(Input.Submitted, "#db-password")
    def action_retry(self) -> None:
        if self.state.unavailable:
            self.post_message(self.RetryRequested(self._problem.typed_password() or None))

    @on(Input.Submitted, "#username")
    @on(Input.Blurred, "#username")
    def _username_done(self, event: Input.Submitted | Input.Blurred) -> None:
        self._lookup_remembered()
        if isinstance(event, Input.Submitted):
            self.query_one("#password", Input).focus()

    def _say(self, message: str, focus: str | None = None) -> None:
        self.state.message = message
        self._render_state()
        if focus:
            self.query_one(focus, Input).focus()

    @on(Button.Pressed, "#login")
    @on(Input.Submitted, "#password")
    @on(Input.Submitted, "#code")
    def submit(self) -> None:
        """Check the form, then verify the password (or the code) in a worker."""
        state = self.state
        if state.busy:
            return
        if state.wants_code and state.pending is not None:
            code_field = self.query_one("#code", Input)
            code = code_field.value
            code_refusal = state.code_refusal(code)
            if code_refusal is not None:
                self._say(code_refusal, "#code")
                return
            code_field.value = ""
            db_state = state.db_state
            if not isinstance(db_state, DbConnected):
                self._say(_("Still connecting to the database; try again in a moment."))
                return
            attempt = state.start()
            self._render_state()
            step = self.query_one(CodeStep)
            step.check(attempt, db_state.ctx, self.identity, state.pending, code)
            return
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        refusal = state.refusal(username, password)
        if refusal is not None:
            self._say(*refusal)
            return
        db_state = state.db_state
        assert isinstance(db_state, DbConnected)
        remember = self.query_one("#remember", Checkbox).value
        attempt = state.start()
        self._render_state()
        self._login_worker(
            attempt, db_state.ctx, db_state.info.masked_url, username, password, remember
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
        from noc_console.services import signin

        try:
            outcome = signin.sign_in(ctx, self.identity(), username, password)
        except (AuthenticationFailed, DatabaseUnavailable) as err:
            self.post_message(LoginFinished(attempt, error=str(err)))
            return
        except Exception as err:  # noqa: BLE001 - shown as one line, never a traceback
            error = login_error_line(err, ctx.engine.url)
            self.post_message(LoginFinished(attempt, error=error))
            return
        if isinstance(outcome, signin.SecondFactorNeeded):
            self.post_message(LoginFinished(attempt, pending=outcome))
            return
        principal = outcome
        note = None
        if self.state.keyring:
            account = secrets.operator_account(principal.username, database)
            try:
                if remember:
                    secrets.set_secret(account, password)
                else:
                    secrets.delete_secret(account)
            except secrets.KeyringUnavailable as err:
                note = _("Password not remembered: {reason}").format(reason=err)
        self.post_message(LoginFinished(attempt, principal=principal, keyring_note=note))

    def identity(self) -> Identity:
        """The app's own (``OperatorSession.identity``), so this form, the enrolment and the
        idle lock sign people in one way: one ``[auth]``, one key, one directory client."""
        return cast("SignsIn", self.app).identity()

    @work(thread=True, exclusive=True, exit_on_error=False, group="keyring")
    def _check_keyring(self) -> None:
        from noc_console import secrets

        try:
            sources = self.identity().describe()
        except Exception as err:  # noqa: BLE001 - the form works without the line
            log.warning("sign-in sources unknown: %s", type(err).__name__)
            sources = ""
        self.post_message(self.KeyringChecked(secrets.keyring_available(), sources))

    def _lookup_remembered(self) -> None:
        username = self.query_one("#username", Input).value.strip().lower()
        password = self.query_one("#password", Input).value
        database = self.state.lookup_database(username, password)
        if database is not None:
            self._remembered_worker(username, database)

    @work(thread=True, exclusive=True, exit_on_error=False, group="keyring-read")
    def _remembered_worker(self, username: str, database: str) -> None:
        from noc_console import secrets

        password = secrets.get_secret(secrets.operator_account(username, database))
        if password:
            self.post_message(self.RememberedFound(username, password))

    # ------------------------------------------------------------------ worker results

    @on(LoginFinished)
    def _login_finished(self, message: LoginFinished) -> None:
        succeeded = message.principal is not None or (
            message.pending is not None and not message.error
        )
        if not self.state.finish(message.attempt, succeeded=succeeded, error=message.error):
            return  # a newer attempt is running; this answer is stale
        if message.principal is None and message.pending is not None and not message.error:
            self.query_one("#password", Input).value = ""
            self.state.password_checked(message.pending)
            self._render_state()
            if message.pending.enrolled:
                self.query_one("#code", Input).focus()
            else:
                self._open_enrolment(message.pending)
            return
        if message.principal is None:
            if self.state.refused(start_again=message.start_again):
                self._say(self.state.message, "#code")  # a wrong code: try another
                return
            self.query_one("#password", Input).value = ""
            self._say(self.state.message, "#password")
            return
        if message.keyring_note:
            self.notify(message.keyring_note, severity="warning")
        self._render_state()
        self.post_message(self.LoggedIn(message.principal))

    def _open_enrolment(self, pending: SecondFactorNeeded) -> None:
        from noc_console.screens.totp_enrol.screen import TotpEnrolScreen
        from noc_console.screens.totp_enrol.state import SignInAgain

        db_state = self.state.db_state
        if not isinstance(db_state, DbConnected):
            return

        def enrolled(result: Principal | SignInAgain | None) -> None:
            if result is None or isinstance(result, SignInAgain):  # cancelled, or cannot go on
                self.state.back_to_password(
                    result.message
                    if result is not None
                    else _("Second factor not set up; you are not signed in.")
                )
                self._say(self.state.message, "#password")
                return
            self.post_message(self.LoggedIn(result))

        self.app.push_screen(
            TotpEnrolScreen(db_state.ctx, self.identity(), pending=pending), enrolled
        )

    @on(KeyringChecked)
    def _keyring_checked(self, message: KeyringChecked) -> None:
        self.state.keyring = message.available
        self.state.sources = message.sources
        self._render_state()
        if message.available:
            self._lookup_remembered()

    @on(RememberedFound)
    def _remembered_found(self, message: RememberedFound) -> None:
        username = self.query_one("#username", Input).value.strip().lower()
        password_field = self.query_one("#password", Input)
        if not self.state.fill_remembered(message.username, username, password_field.value):
            return
        password_field.value = message.password
        self.query_one("#remember", Checkbox).value = True
        self._render_state()
