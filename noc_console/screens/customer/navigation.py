"""Where the customer view's keys lead: the reset wizard, the editors, the run, the audit log.

Each screen is imported when first opened (a missing one says so in a toast,
never a traceback), and only when ``check_action`` offers its key: the same
answer the footer and the palette show. The customer screen reloads itself
when the operator comes back (``on_screen_resume``).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from noc_console.i18n import _
from noc_console.screens.customer.state import CustomerState, reset_toast
from noc_console.widgets.literal import printable

if TYPE_CHECKING:
    from textual.screen import Screen

    from noc_console.screens.reset.state import ResetOutcome
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.customers import PortalUserInfo

log = logging.getLogger(__name__)

_ScreenType = Callable[..., "Screen[Any]"]


class Navigation:
    """Opens, from one customer, the screens that change or show more of it."""

    def __init__(
        self,
        screen: Screen[Any],
        state: CustomerState,
        ctx: ServiceContext,
        principal: Principal,
        customer_id: int,
    ) -> None:
        self.screen = screen
        self.state = state
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id

    def screen_type(self, action: str, module: str, name: str) -> _ScreenType | None:
        """The screen an allowed ``action`` opens, imported when first opened; None (and a
        toast saying so, if it is missing from this build) when there is nothing to open."""
        if self.screen.check_action(action, ()) is not True:
            return None
        try:
            return cast("_ScreenType", getattr(importlib.import_module(module), name))
        except ImportError as err:
            log.warning("screen not available: %s (%s)", err.name, type(err).__name__)
            self.screen.notify(_("Not available yet in this version."), severity="warning")
            return None

    def reset_password(self, user: PortalUserInfo | None) -> None:
        wizard = self.screen_type(
            "reset_password", "noc_console.screens.reset.screen", "ResetWizard"
        )
        if user is None or wizard is None:
            return
        app = self.screen.app
        generate = getattr(app, "password_generator", None)
        app.push_screen(
            wizard(
                self.ctx, self.principal, user.id, read_only=self.state.read_only, generate=generate
            ),
            partial(self._reset_closed, user.login),
        )

    def _reset_closed(self, login: str, outcome: ResetOutcome | None) -> None:
        """Toast what was done; the wizard showed the details (and the password, once)."""
        if outcome is not None:
            toast = reset_toast(str(outcome.method), printable(outcome.login or login))
            self.screen.notify(toast, markup=False)

    def edit_escalation(self) -> None:
        editor = self.screen_type(
            "edit_escalation", "noc_console.screens.escalation.screen", "EscalationEditor"
        )
        if editor is not None:
            self.screen.app.push_screen(
                editor(self.ctx, self.principal, self.customer_id, read_only=self.state.read_only)
            )

    def start_run(self) -> None:
        """Issue 13: ticket and reason in a dialog, then the run view on the new run."""
        detail = self.state.detail
        dialog = self.screen_type(
            "start_run", "noc_console.screens.run_start.screen", "RunStartModal"
        )
        if dialog is None or detail is None:
            return
        self.screen.app.push_screen(
            dialog(self.ctx, self.principal, self.customer_id, detail.legal_name),
            self._run_started,
        )

    def _run_started(self, run_id: int | None) -> None:
        if run_id is None:
            return
        from noc_console.screens.run.screen import RunScreen

        self.screen.app.push_screen(
            RunScreen(self.ctx, self.principal, run_id, read_only=self.state.read_only)
        )

    def contracts(self) -> None:
        detail = self.state.detail
        browser = self.screen_type(
            "contracts", "noc_console.screens.contracts.screen", "ContractBrowser"
        )
        if browser is None or detail is None:
            return
        settings = getattr(self.screen.app, "settings", None)
        data_dir = settings.paths.data_dir if settings is not None else Path.cwd()
        exports = data_dir / "exports"
        self.screen.app.push_screen(
            browser(
                self.ctx, self.principal, self.customer_id, detail.legal_name, export_dir=exports
            )
        )

    def audit_log(self) -> None:
        audit = self.screen_type("audit_log", "noc_console.screens.audit.screen", "AuditLogScreen")
        if audit is not None:
            self.screen.app.push_screen(
                audit(self.ctx, self.principal, customer_id=self.customer_id)
            )
