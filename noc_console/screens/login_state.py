"""The login flow as plain data: what the form may do now, which rows show, what it says.

Kept apart from the screen (and from Textual) so the rules can be tested
without a terminal: when a login may start, which answer is stale, when the
database problem and its password row show, when the remembered password is
looked up and filled in. Issue #15 adds its rules here too: the directory
(LDAP) source, the TOTP step after the password, and the type-ahead buffer
whose keys never cross from one field to the next.

Imports stay light: this module is loaded before the login screen's first paint.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from noc_console.i18n import _
from noc_console.screens.session import DbConnected, DbConnecting, DbState, DbUnavailable

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from noc_console.services.signin import SecondFactorNeeded

log = logging.getLogger(__name__)


def login_error_line(err: Exception, url: URL) -> str:
    """Turn an unexpected failure of the login transaction into one line, password masked."""
    from sqlalchemy.exc import SQLAlchemyError

    from noc_console.db import classify_error

    if isinstance(err, SQLAlchemyError):
        return _("Database unavailable: {reason}").format(reason=classify_error(err, url))
    log.error("unexpected login error: %s", type(err).__name__)
    return _("Unexpected error while checking the password; see the log file.")


class LoginState:
    """Where one login form stands; the screen renders it and forwards the operator's input."""

    def __init__(self, db_state: DbState, *, read_only: bool = False) -> None:
        self.db_state: DbState = db_state
        self.read_only = read_only
        self.message = ""  # the form's message line
        self.note = ""  # beside "Remember me"
        self.keyring: bool | None = None  # unknown until the keyring worker answers
        self.busy = False  # a password check is running
        self.attempt = 0  # a newer attempt makes older answers stale
        self.pending: SecondFactorNeeded | None = None  # the password was right; a code is due
        self.sources = ""  # which sources sign people in here (the form says it)
        self.painted = False  # the form's first paint is done (type-ahead waits for it)

    # ------------------------------------------------------------------ the database rows

    @property
    def connecting(self) -> bool:
        return isinstance(self.db_state, DbConnecting)

    @property
    def unavailable(self) -> bool:
        return isinstance(self.db_state, DbUnavailable)

    def form_ready(self) -> bool:
        """Painted, and the database answered (connected, or a problem the operator must see)."""
        return self.painted and not self.connecting

    def needs_db_password(self) -> bool:
        """The server asked for a password: its row shows (and takes the focus)."""
        state = self.db_state
        return isinstance(state, DbUnavailable) and state.needs_password

    def problem_line(self) -> str:
        """The database error with its reason; empty while the database is not unavailable."""
        state = self.db_state
        if not isinstance(state, DbUnavailable):
            return ""
        return _("Database unavailable: {reason}").format(reason=state.message)

    # ------------------------------------------------------------------ the form

    def remember_enabled(self) -> bool:
        """A remembered password needs a system keyring; nothing changes during a check."""
        return not self.busy and bool(self.keyring)

    def remember_note(self) -> str:
        if self.keyring is False:
            return _("unavailable: no system keyring on this machine")
        return self.note

    def refusal(self, username: str, password: str) -> tuple[str, str | None] | None:
        """Why a login cannot start now, and which field to focus; None when it can."""
        if self.connecting:
            return _("Still connecting to the database; try again in a moment."), None
        if self.unavailable:
            return _("The database is unavailable: fix the problem above, then Retry."), None
        if not username:
            return _("Enter your username."), "#username"
        if not password:
            return _("Enter your password."), "#password"
        return None

    def start(self) -> int:
        """A password check leaves: the form locks until its answer."""
        self.attempt += 1
        self.busy = True
        self.message = ""
        return self.attempt

    def finish(self, attempt: int, *, succeeded: bool, error: str | None) -> bool:
        """Take the answer of ``attempt``; False (and nothing changes) if it is stale."""
        if attempt != self.attempt:
            return False
        self.busy = False
        self.message = "" if succeeded else (error or _("Login failed."))
        return True

    # ------------------------------------------------------------------ the remembered password

    def lookup_database(self, username: str, password: str) -> str | None:
        """The database whose remembered password to look up for ``username``, if any.

        Only with a keyring, a connected database, a username and an empty password field.
        """
        state = self.db_state
        if self.keyring and isinstance(state, DbConnected) and username and not password:
            return state.info.masked_url
        return None

    def fill_remembered(self, found_for: str, username: str, password: str) -> bool:
        """A remembered password fills the form only if the form still wants it."""
        if username != found_for or password:
            return False
        self.note = _("password filled from the system keyring")
        return True

    # ------------------------------------------------------------------ second factor (issue 15)

    @property
    def wants_code(self) -> bool:
        """The password was right and a code finishes the sign-in."""
        return self.pending is not None and self.pending.enrolled

    def password_checked(self, pending: SecondFactorNeeded) -> None:
        self.pending = pending
        source = _("the company directory") if pending.source == "ldap" else _("this console")
        if pending.enrolled:
            self.message = _(
                "Password checked by {source}. Enter the 6-digit code from your"
                " authenticator app, or one of your recovery codes."
            ).format(source=source)
        else:
            self.message = _(
                "Password checked by {source}. Your role needs a second factor: set it up now."
            ).format(source=source)

    def code_refusal(self, code: str) -> str | None:
        if not code.strip():
            return _("Enter the code from your authenticator app.")
        return None

    def refused(self, *, start_again: bool = False) -> bool:
        """After a refused answer: True when the code step stays, for another code.

        A wrong code keeps the step; a refused password, or a second step that cannot
        go on (``start_again``: locked, too slow, the factor reset meanwhile), goes back
        to the password with the reason: a code step left open there would refuse
        every code for good.
        """
        if self.wants_code and not start_again:
            return True
        self.back_to_password(self.message)
        return False

    def back_to_password(self, message: str = "") -> None:
        """Start again from the password (a stale or refused second step)."""
        self.pending = None
        self.message = message


_TEXT_FIELDS = ("username", "password")


class TypeAhead:
    """Keys that arrive before the login form is ready, kept for the field they were meant for.

    A paste, or typing over a slow SSH link, can deliver ``name``, Tab, the
    password and Enter before the form is mounted, focused or connected. Each
    key is applied here, in order, to the field a person's focus would have
    been in (Tab and Enter move it as they do on the form), so a password can
    never land in the username box; the screen copies the values into the form
    and, if Enter was pressed in the password field, submits once it is ready.
    """

    def __init__(self, *, username: str = "") -> None:
        self.values = {"username": username, "password": ""}
        self.field = "password" if username else "username"
        """``username``, ``password``, or ``rest`` (the checkbox and buttons: text is dropped)."""
        self.submit = False
        self.open = True
        """False once the form took over: keys then go to the form as usual."""
        self.touched = False

    def take(self, key: str, character: str | None) -> bool:
        """Apply one key; False when it is not a typing key (shortcuts keep working)."""
        if not self.open:
            return False
        order = [*_TEXT_FIELDS, "rest"]
        if key in ("tab", "shift+tab", "enter", "backspace"):
            self.touched = True
            if self.submit:
                return True
            position = order.index(self.field)
            if key == "tab":
                self.field = order[min(position + 1, len(order) - 1)]
            elif key == "shift+tab":
                self.field = order[max(position - 1, 0)]
            elif key == "enter":
                if self.field == "username":
                    self.field = "password"
                elif self.field == "password":
                    self.submit = True
            elif self.field in _TEXT_FIELDS:
                self.values[self.field] = self.values[self.field][:-1]
            return True
        if character is None or len(character) != 1 or not character.isprintable():
            return False
        self.touched = True
        if not self.submit and self.field in _TEXT_FIELDS:
            self.values[self.field] += character
        return True

    def close(self) -> None:
        self.open = False
