"""One customer, as the operator on the phone needs it: who they are, their users, their chain.

Pushed on top of the lookup, so ``esc`` (pop) returns to the search exactly as
it was. The screen only shows ``customers.get_customer``'s DTO; every change
happens in another engineer's screen (reset wizard, escalation editor,
contract browser, audit log), opened with a key and imported lazily, and the
customer is reloaded whenever the operator comes back here.

What the footer offers follows ``services.permissions.allowed`` (UX only:
the services refuse anyway). A write the operator may not do is shown
greyed, with a line saying why, rather than hidden: a newcomer learns the
key exists and why it is off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from noc_console.errors import DatabaseUnavailable, DomainError, NotFound
from noc_console.i18n import N_, _, format_datetime
from noc_console.screens.base import NocScreen
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.session import DatabaseProblem
from noc_console.services.permissions import ROLE_LABELS, Permission, allowed
from noc_console.widgets.literal import literal, printable
from noc_console.widgets.results import customer_status
from noc_console.widgets.session_bar import SessionBar
from noc_console.widgets.user_table import UserTable

if TYPE_CHECKING:
    from noc_console.screens.reset import ResetOutcome
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.customers import CustomerDetail, EscalationSummary, PortalUserInfo

log = logging.getLogger(__name__)

TABS = ("users", "escalation", "contracts")


def _unavailable_line(kind: str) -> str:
    return _("unexpected error ({kind}); see the log file").format(kind=kind)


# (action, palette id, title msgid, help msgid): offered when check_action allows it.
_PALETTE = (
    (
        "reset_password",
        "customer.reset",
        N_("Reset password of the selected user"),
        N_("Open the assisted reset for the user under the cursor"),
    ),
    (
        "edit_escalation",
        "customer.escalation",
        N_("Edit escalation"),
        N_("Change this customer's escalation chain"),
    ),
    ("contracts", "customer.contracts", N_("Contracts"), N_("Browse this customer's contracts")),
    (
        "audit_log",
        "customer.audit",
        N_("Audit log of this customer"),
        N_("Who did what to this customer, and when"),
    ),
)


class CustomerScreen(NocScreen):
    """Header, then the Users / Escalation / Contracts tabs of one customer."""

    CSS_PATH = "customer.tcss"
    HELP_TITLE = N_("Customer")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="customer.back"),
        Binding("r", "reset_password", N_("Reset password"), id="customer.reset"),
        Binding("e", "edit_escalation", N_("Edit escalation"), id="customer.escalation"),
        Binding("c", "contracts", N_("Contracts"), id="customer.contracts"),
        Binding("a", "audit_log", N_("Audit log"), id="customer.audit"),
        Binding("1", "show_tab('users')", N_("Users tab"), show=False, id="customer.tab_users"),
        Binding(
            "2",
            "show_tab('escalation')",
            N_("Escalation tab"),
            show=False,
            id="customer.tab_escalation",
        ),
        Binding(
            "3",
            "show_tab('contracts')",
            N_("Contracts tab"),
            show=False,
            id="customer.tab_contracts",
        ),
    ]

    class Loaded(Message):
        def __init__(self, request: int, detail: CustomerDetail, now: datetime) -> None:
            super().__init__()
            self.request = request
            self.detail = detail
            self.now = now

    class Failed(Message):
        def __init__(self, request: int, message: str, *, not_found: bool = False) -> None:
            super().__init__()
            self.request = request
            self.message = message
            self.not_found = not_found

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        customer_id: int,
        *,
        read_only: bool = False,
        select_user: int | None = None,
    ) -> None:
        """``select_user``: the portal user the lookup matched (the cursor starts on them)."""
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id
        self.read_only = read_only
        self._select_user = select_user
        self.detail: CustomerDetail | None = None
        self._now: datetime | None = None
        self._error = ""
        self._view_ready = False
        self._request = 0
        self._in_flight = False

    # ------------------------------------------------------------------ permissions (UX only)

    def _may(self, permission: Permission) -> bool:
        return allowed(self.principal.role, permission, read_only=self.read_only)

    def mode_note(self) -> str:
        """Why a key is greyed out, in words (shown above the footer)."""
        role = _(ROLE_LABELS[self.principal.role])
        notes: list[str] = []
        if self.read_only:
            notes.append(
                _("Read-only mode: password resets (r) and escalation edits (e) are disabled.")
            )
        else:
            if not allowed(self.principal.role, Permission.RESET_PASSWORD):
                notes.append(
                    _("Your role ({role}) may not reset passwords: r is disabled.").format(
                        role=role
                    )
                )
            if not allowed(self.principal.role, Permission.EDIT_ESCALATION):
                notes.append(
                    _("Your role ({role}) may not edit escalation chains: e is disabled.").format(
                        role=role
                    )
                )
        return "  ".join(notes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reset_password":
            if not self._may(Permission.RESET_PASSWORD):
                return None
            return True if self.selected_user() is not None else None
        if action == "edit_escalation":
            if not self._may(Permission.EDIT_ESCALATION):
                return None
            return True if self.detail is not None else None
        if action == "contracts":
            if not self._may(Permission.VIEW_CONTRACTS):
                return False
            return True if self.detail is not None else None
        if action == "audit_log":
            if not self._may(Permission.VIEW_AUDIT):
                return False
            return True if self.detail is not None else None
        return True

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """Only what can be done right now on this customer (the rest is not listed)."""
        for action, command_id, title, help_text in _PALETTE:
            if self.check_action(action, ()):
                yield PaletteCommand(command_id, title, help_text, action)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()
        with Vertical(id="customer-body"):
            yield Static(id="customer-header")
            yield LoadingIndicator(id="customer-loading")
            yield Static(id="customer-error")
            with TabbedContent(id="customer-tabs", initial="users"):
                with TabPane("1 " + _("Users"), id="users"):
                    yield UserTable(id="users-table")
                    yield Static(id="users-note")
                with TabPane("2 " + _("Escalation"), id="escalation"), VerticalScroll():
                    yield Static(id="escalation-summary")
                    yield Static(id="escalation-timeline")
                    yield Static(id="escalation-note")
                with TabPane("3 " + _("Contracts"), id="contracts"), VerticalScroll():
                    yield Static(id="contract-counts")
                    yield Static(id="contract-values-note")
            yield Static(self.mode_note(), id="mode-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Customer")
        self._view_ready = True
        self.query_one("#mode-note").display = bool(self.mode_note())
        self._refresh_view()
        if self.detail is None:
            self._load()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Back from an editor (or the lock, or help): show what the database says now."""
        if self._in_flight or getattr(self.app, "principal", None) is None:
            return
        self._load()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        self._request += 1
        self._in_flight = True
        self._load_worker(self._request)
        self._refresh_view()

    @work(thread=True, exclusive=True, exit_on_error=False, group="customer")
    def _load_worker(self, request: int) -> None:
        from noc_console.services import customers

        try:
            detail = customers.get_customer(self.ctx, self.principal, self.customer_id)
            now = self.ctx.clock.now()
        except NotFound as err:
            self.post_message(self.Failed(request, str(err), not_found=True))
        except DatabaseUnavailable as err:
            self.post_message(DatabaseProblem(str(err)))
            self.post_message(self.Failed(request, _("Database unavailable: {reason}").format(
                reason=err)))  # fmt: skip
        except DomainError as err:
            self.post_message(self.Failed(request, str(err)))
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            log.error("customer view failed: %s", type(err).__name__)
            self.post_message(self.Failed(request, _unavailable_line(type(err).__name__)))
        else:
            if not get_current_worker().is_cancelled:
                self.post_message(self.Loaded(request, detail, now))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.request != self._request:
            return
        self._in_flight = False
        self._error = ""
        first = self.detail is None
        self.detail = message.detail
        self._now = message.now
        self._refresh_view(select_user=self._select_user if first else None)
        if first:
            self.query_one(UserTable).focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.request != self._request:
            return
        self._in_flight = False
        self._error = message.message
        if message.not_found:
            self.detail = None
        self._refresh_view()

    # ------------------------------------------------------------------ rendering

    def _refresh_view(self, *, select_user: int | None = None) -> None:
        if not self._view_ready:
            return  # before on_mount (is_mounted only turns true after it)
        detail = self.detail
        loading = detail is None and self._in_flight
        self.query_one("#customer-loading").display = loading
        error = self.query_one("#customer-error", Static)
        if self._error:
            hint = _("esc goes back to the lookup") if detail is None else ""
            error.update(Text.assemble(("⚠ ", "bold"), printable(self._error), "  ", (hint, "dim")))
        error.display = bool(self._error)
        self.query_one("#customer-tabs").display = detail is not None
        header = self.query_one("#customer-header", Static)
        header.display = detail is not None
        if detail is not None:
            header.update(self._header(detail))
            self._render_users(detail, select_user)
            self._render_escalation(detail)
            self._render_contracts(detail)
        self.refresh_bindings()

    def _header(self, detail: CustomerDetail) -> Text:
        text = literal(detail.legal_name, style="bold")
        text.no_wrap = False
        text.append("   ")
        text.append_text(customer_status(detail.status))
        text.append("\n")
        if detail.trade_name:
            text.append(_("Trade name: "), style="dim")
            text.append(printable(detail.trade_name))
            text.append("   ")
        text.append(_("CNPJ: "), style="dim")
        text.append(detail.cnpj_formatted)
        return text

    def _render_users(self, detail: CustomerDetail, select_user: int | None) -> None:
        table = self.query_one(UserTable)
        table.show_users(detail.users, detail.timezone, self._now or self.ctx.clock.now(),
                         select=select_user)  # fmt: skip
        note = self.query_one("#users-note", Static)
        if not detail.users:
            note.update(_("This customer has no portal users."))
        else:
            parts = [_("Times in {zone}.").format(zone=detail.timezone)]
            if self._may(Permission.RESET_PASSWORD):
                parts.append(_("r resets the password of the selected user."))
            note.update(" ".join(parts))

    def _render_escalation(self, detail: CustomerDetail) -> None:
        summary = self.query_one("#escalation-summary", Static)
        timeline = self.query_one("#escalation-timeline", Static)
        note = self.query_one("#escalation-note", Static)
        chain = detail.escalation
        can_edit = self._may(Permission.EDIT_ESCALATION)
        if chain is None or not chain.levels:
            summary.update(_("No escalation chain registered for this customer."))
            timeline.display = False
        else:
            summary.update(self._chain_table(chain, detail.timezone))
            timeline.update(self._timeline(chain, detail.timezone))
            timeline.display = True
        note.update(_("e edits the chain.") if can_edit else "")
        note.display = can_edit

    def _chain_table(self, chain: EscalationSummary, tz: str) -> Table:
        from noc_console.services.validation import format_phone

        table = Table(box=None, expand=True, show_header=True, header_style="bold",
                      padding=(0, 2, 0, 0))  # fmt: skip
        table.add_column(_("Level"), no_wrap=True, width=7)
        table.add_column(_("Name"), ratio=3)
        table.add_column(_("Role"), ratio=2)
        table.add_column(_("Phone"), no_wrap=True, width=18)
        table.add_column(_("E-mail"), ratio=3)
        table.add_column(_("Wait"), no_wrap=True, width=22)
        for level in chain.levels:
            if level.level == 1:
                wait = _("immediately")
            else:
                wait = _("{n} min after level {prev}").format(
                    n=level.delay_minutes, prev=level.level - 1
                )
            table.add_row(
                Text(f"L{level.level}"),
                literal(level.name),
                literal(level.role_title or "—"),
                literal(format_phone(level.phone) if level.phone else "—"),
                literal(level.email or "—"),
                Text(wait),
            )
        caption = Text("\n")
        caption.append(_("Last changed: "), style="dim")
        caption.append(format_datetime(chain.updated_at, tz))
        if chain.updated_by:
            caption.append(" " + _("by") + " ")
            caption.append(printable(chain.updated_by))
        table.caption = caption
        table.caption_justify = "left"
        return table

    def _timeline(self, chain: EscalationSummary, tz: str) -> Text:
        from noc_console.services import escalation

        contacts = [
            escalation.Contact(
                level=level.level,
                name=level.name,
                role_title=level.role_title,
                phone=level.phone,
                email=level.email,
                delay_minutes=level.delay_minutes,
            )
            for level in chain.levels
        ]
        steps = escalation.timeline(contacts, self.ctx.clock.now(), tz=tz)
        text = Text()
        text.append(_("If an incident started now: "), style="bold")
        text.append(printable(escalation.timeline_text(steps, tz=tz)))
        return text

    def _render_contracts(self, detail: CustomerDetail) -> None:
        counts = detail.contracts
        self.query_one("#contract-counts", Static).update(
            Text.assemble(
                (_("Active contracts: "), "dim"),
                (str(counts.active), "bold"),
                "   ",
                (_("Inactive contracts: "), "dim"),
                (str(counts.inactive), "bold"),
                "   ",
                (_("Total: "), "dim"),
                (str(counts.total), "bold"),
            )
        )
        if self._may(Permission.VIEW_CONTRACT_VALUES):
            note = _("c opens the contract browser, with values and totals.")
        else:
            note = _(
                "Contract values are restricted to supervisors; c opens the contract"
                " browser without values."
            )
        self.query_one("#contract-values-note", Static).update(note)

    # ------------------------------------------------------------------ language switch

    def capture_state(self) -> dict[str, Any]:
        user = self.selected_user()
        focused = self.focused
        return {
            "tab": self.query_one(TabbedContent).active,
            "user": user.id if user else None,
            "focus_table": isinstance(focused, UserTable),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.sub_title = _("Customer")
        if state.get("tab"):
            self.query_one(TabbedContent).active = state["tab"]
        self._refresh_view(select_user=state.get("user"))
        if state.get("focus_table"):
            self.query_one(UserTable).focus()

    # ------------------------------------------------------------------ actions

    def selected_user(self) -> PortalUserInfo | None:
        if self.detail is None or not self._view_ready:
            return None
        return self.query_one(UserTable).selected_user()

    @on(UserTable.RowHighlighted)
    def _user_moved(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()

    def action_show_tab(self, tab: str) -> None:
        if tab not in TABS:
            return
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        if tab == "users":
            self.query_one(UserTable).focus()

    def _not_available(self, err: ImportError) -> None:
        """Another engineer's screen is not in this build yet: say so instead of crashing."""
        log.warning("screen not available: %s (%s)", err.name, type(err).__name__)
        self.notify(_("Not available yet in this version."), severity="warning")

    def action_reset_password(self) -> None:
        user = self.selected_user()
        if user is None or self.check_action("reset_password", ()) is not True:
            return
        try:
            from noc_console.screens.reset import ResetWizard
        except ImportError as err:
            self._not_available(err)
            return
        self.app.push_screen(
            ResetWizard(
                self.ctx,
                self.principal,
                user.id,
                read_only=self.read_only,
                generate=getattr(self.app, "password_generator", None),
            ),
            partial(self._reset_closed, user.login),
        )

    def _reset_closed(self, login: str, outcome: ResetOutcome | None) -> None:
        """Toast what was done; the wizard showed the details (and the password, once)."""
        if outcome is None:
            return
        method = str(outcome.method)
        if method == "temporary_password":
            message = _("Temporary password issued for {login}")
        elif method == "reset_link":
            message = _("Reset link sent to the e-mail of {login}")
        elif method == "unlock_only":
            message = _("{login} unlocked")
        else:
            message = _("Password reset for {login}")
        self.notify(message.format(login=printable(outcome.login or login)), markup=False)

    def action_edit_escalation(self) -> None:
        if self.check_action("edit_escalation", ()) is not True:
            return
        try:
            from noc_console.screens.escalation import EscalationEditor
        except ImportError as err:
            self._not_available(err)
            return
        self.app.push_screen(
            EscalationEditor(self.ctx, self.principal, self.customer_id, read_only=self.read_only)
        )

    def action_contracts(self) -> None:
        detail = self.detail
        if self.check_action("contracts", ()) is not True or detail is None:
            return
        try:
            from noc_console.screens.contracts import ContractBrowser
        except ImportError as err:
            self._not_available(err)
            return
        settings = getattr(self.app, "settings", None)
        data_dir = settings.paths.data_dir if settings is not None else Path.cwd()
        self.app.push_screen(
            ContractBrowser(
                self.ctx,
                self.principal,
                self.customer_id,
                detail.legal_name,
                export_dir=data_dir / "exports",
            )
        )

    def action_audit_log(self) -> None:
        if self.check_action("audit_log", ()) is not True:
            return
        try:
            from noc_console.screens.audit import AuditLogScreen
        except ImportError as err:
            self._not_available(err)
            return
        self.app.push_screen(AuditLogScreen(self.ctx, self.principal, customer_id=self.customer_id))
