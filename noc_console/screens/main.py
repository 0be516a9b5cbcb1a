"""The screen after login. Issue 4 replaces its body with the customer lookup.

What it already does is what every later screen must do too: show who is
logged in, with which role, on which database, and the DEMO / READ-ONLY
markers, at all times (``SessionBar``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static

from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen
from noc_console.services.permissions import PERMISSION_LABELS, ROLE_LABELS, allowed
from noc_console.widgets.session_bar import SessionBar, SessionView

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.system import DatabaseInfo


def session_view(principal: Principal, info: DatabaseInfo, *, read_only: bool) -> SessionView:
    return SessionView(
        database=info.label,
        backend=info.backend_label,
        is_demo=info.is_demo,
        read_only=read_only,
        operator=principal.display_name,
        role=_(ROLE_LABELS[principal.role]),
    )


class MainScreen(NocScreen):
    """Logged-in home: the session bar and, for now, what the lookup will offer."""

    CSS_PATH = "main.tcss"
    HELP_TITLE = N_("Main screen")

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        info: DatabaseInfo,
        *,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.info = info
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar(
            session_view(self.principal, self.info, read_only=self.read_only), id="session-bar"
        )
        with VerticalScroll(id="main-body"), Vertical(id="coming-next"):
            yield Static(_("Customer lookup: coming next"), id="coming-title")
            yield Static(
                _(
                    "This is where you will search customers by company name, CNPJ,"
                    " portal user, escalation contact or contract number, and open a"
                    " customer to reset a password, edit the escalation chain or browse"
                    " contracts."
                ),
                id="coming-text",
            )
            yield Static(self._capabilities(), id="capabilities")
            if self.read_only:
                yield Static(
                    _("Read-only mode: every change is disabled in this session."),
                    id="read-only-note",
                )
        yield Footer()

    def _capabilities(self) -> Text:
        role = self.principal.role
        text = Text()
        text.append(
            _("With your role ({role}) you will be able to:").format(role=_(ROLE_LABELS[role])),
            style="bold",
        )
        for permission, label in PERMISSION_LABELS.items():
            if allowed(role, permission, read_only=self.read_only):
                text.append("\n  • " + _(label))
        return text
