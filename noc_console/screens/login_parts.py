"""The login screen's self-contained pieces: a message, the database problem rows, a status text.

Kept beside ``screens.login`` so the screen holds the flow's wiring only; the
rules stay in ``screens.login_state``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Label, Static

from noc_console.i18n import _
from noc_console.screens.session import DbConnected
from noc_console.widgets.fields import Field
from noc_console.widgets.light_button import LightButton

if TYPE_CHECKING:
    from noc_console.services.context import Principal
    from noc_console.services.signin import SecondFactorNeeded


class LoginFinished(Message):
    """A password or code check answered (``attempt`` tells a stale answer from the current one)."""

    def __init__(
        self,
        attempt: int,
        *,
        principal: Principal | None = None,
        error: str | None = None,
        keyring_note: str | None = None,
        pending: SecondFactorNeeded | None = None,
        start_again: bool = False,
    ) -> None:
        super().__init__()
        self.attempt = attempt
        self.principal = principal
        self.pending = pending
        self.start_again = start_again
        self.error = error
        self.keyring_note = keyring_note


class _Rows:
    """The widgets shown only when the database is unavailable."""

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


class ProblemRows:
    """The database error with its Retry button, and the database password row.

    Mounted the first time the database is unavailable rather than composed
    hidden: most starts never show them, and every widget composed before the
    first paint delays it (start-up target, benchmarks/RESULTS.md).
    """

    def __init__(self) -> None:
        self.rows: _Rows | None = None

    def mounted_in(self, screen: DOMNode) -> _Rows:
        """The rows, mounted under the database line of ``screen``'s panel if not yet there."""
        if self.rows is None:
            rows = _Rows()
            screen.query_one("#login-panel").mount(
                rows.problem, rows.password_row, after="#db-line"
            )
            self.rows = rows
        return self.rows

    def typed_password(self) -> str:
        return self.rows.db_password.value if self.rows is not None else ""


def connected_text(state: DbConnected, *, read_only: bool) -> Text:
    """The database line once connected: which database, its markers, and a first-run hint."""
    from noc_console.widgets.session_bar import markers  # after the first paint

    info = state.info
    text = Text()
    text.append(_("Database: "), style="dim")
    text.append(info.label, style="bold")
    text.append(f" ({info.backend_label})")
    text.append_text(markers(is_demo=info.is_demo, read_only=read_only))
    if not info.has_operators:
        text.append("\n")
        text.append(
            _(
                "No operator exists yet: create one with"
                " `noc-console operator add USERNAME --role supervisor`."
            )
        )
    return text
