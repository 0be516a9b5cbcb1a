"""One customer, as the operator on the phone needs it: who they are, their users, their chain.

Pushed on top of the lookup, so ``esc`` (pop) returns to the search exactly as
it was. The screen only shows ``customers.get_customer``'s DTO; every change
happens in another screen (reset wizard, escalation editor, contract browser,
audit log), opened with a key and imported when first opened, and the customer
is reloaded whenever the operator comes back here. Which key is offered and
what the notes say is decided in ``state.py``; the pieces are drawn by
``views.py``, ``tabs.py`` and the widgets; ``navigation.py`` opens the other
screens and ``links.py`` follows the reset links.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from noc_console.errors import DomainError
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, back_binding
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.customer import links as reset_links
from noc_console.screens.customer.navigation import Navigation
from noc_console.screens.customer.state import TABS, CustomerState, LoadFailure, describe_failure
from noc_console.screens.customer.tabs import show_escalation, show_users
from noc_console.screens.customer.views import contract_counts, customer_header
from noc_console.screens.messages import DatabaseProblem
from noc_console.widgets.literal import printable
from noc_console.widgets.session_bar import SessionBar
from noc_console.widgets.user_table import UserTable

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.customers import CustomerDetail, PortalUserInfo

log = logging.getLogger(__name__)

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
        "start_run",
        "customer.start_run",
        N_("Start escalation run"),
        N_("Open an escalation run on this customer's chain for an incident"),
    ),
    (
        "audit_log",
        "customer.audit",
        N_("Audit log of this customer"),
        N_("Who did what to this customer, and when"),
    ),
)

# The tab keys, in TABS order: (key, footer description msgid, tab title msgid).
_TAB_KEYS = (
    ("1", N_("Users tab"), N_("Users")),
    ("2", N_("Escalation tab"), N_("Escalation")),
    ("3", N_("Contracts tab"), N_("Contracts")),
)


class CustomerScreen(NocScreen):
    """Header, then the Users / Escalation / Contracts tabs of one customer."""

    CSS_PATH = "customer.tcss"
    HELP_TITLE = N_("Customer")
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("customer"),
        Binding("r", "reset_password", N_("Reset password"), id="customer.reset"),
        Binding("e", "edit_escalation", N_("Edit escalation"), id="customer.escalation"),
        Binding("c", "contracts", N_("Contracts"), id="customer.contracts"),
        Binding("a", "audit_log", N_("Audit log"), id="customer.audit"),
        # Issue 13; not in the footer (its snapshots stay as they were): f1 and the palette list it.
        Binding("i", "start_run", N_("Start escalation run"), show=False, id="customer.start_run"),
        *(
            Binding(key, f"show_tab('{tab}')", label, show=False, id=f"customer.tab_{tab}")
            for tab, (key, label, _title) in zip(TABS, _TAB_KEYS, strict=True)
        ),
    ]

    @dataclass
    class Loaded(Message):
        request: int
        detail: CustomerDetail
        now: datetime

    @dataclass
    class Failed(Message):
        request: int
        failure: LoadFailure

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
        self.state = CustomerState(principal.role, read_only=read_only, select_user=select_user)
        self.navigation = Navigation(self, self.state, ctx, principal, customer_id)
        self.link_watch = reset_links.LinkWatch(self, ctx, principal)
        self._view_ready = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.state.allows(action, user_selected=self.selected_user() is not None)

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """Only what can be done right now on this customer (the rest is not listed)."""
        for action, command_id, title, help_text in _PALETTE:
            if self.check_action(action, ()):
                yield PaletteCommand(command_id, title, help_text, action)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        users, escalation, contracts = (f"{key} {_(title)}" for key, _label, title in _TAB_KEYS)
        yield Header()
        yield SessionBar()
        with Vertical(id="customer-body"):
            yield Static(id="customer-header")
            yield LoadingIndicator(id="customer-loading")
            yield Static(id="customer-error")
            with TabbedContent(id="customer-tabs", initial="users"):
                with TabPane(users, id="users"):
                    yield UserTable(id="users-table")
                    yield reset_links.LinkDetail(id="users-link")
                    yield Static(id="users-note")
                with TabPane(escalation, id="escalation"), VerticalScroll():
                    yield Static(id="escalation-summary")
                    yield Static(id="escalation-timeline")
                    yield Static(id="escalation-note")
                with TabPane(contracts, id="contracts"), VerticalScroll():
                    yield Static(id="contract-counts")
                    yield Static(id="contract-values-note")
            yield Static(self.state.mode_note(), id="mode-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Customer")
        self._view_ready = True
        self.query_one("#mode-note").display = bool(self.state.mode_note())
        self._refresh_view()
        if self.state.detail is None:
            self._load()
        self.link_watch.start(self._poll_links)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Back from an editor (or the lock, or help): show what the database says now."""
        if self.state.in_flight or getattr(self.app, "principal", None) is None:
            return
        self._load()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        self._load_worker(self.state.start_load())
        self._refresh_view()

    @work(thread=True, exclusive=True, exit_on_error=False, group="customer")
    def _load_worker(self, request: int) -> None:
        from noc_console.services import customers

        try:
            detail = customers.get_customer(self.ctx, self.principal, self.customer_id)
            now = self.ctx.clock.now()
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            failure = describe_failure(err)
            if failure.database_down:
                self.post_message(DatabaseProblem(str(err)))
            elif not isinstance(err, DomainError):
                log.error("customer view failed: %s", type(err).__name__)
            self.post_message(self.Failed(request, failure))
        else:
            if not get_current_worker().is_cancelled:
                self.post_message(self.Loaded(request, detail, now))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        first = self.state.loaded(message.request, message.detail, message.now)
        if first is None:
            return
        self._refresh_view(select_user=self.state.select_user if first else None)
        if first:
            self.query_one(UserTable).focus()
        self.link_watch.resume()
        self._poll_links()

    # ------------------------------------------------------------------ reset links (issue 14)

    def _poll_links(self) -> None:
        """What the timer does every few seconds while a link can change (and every load)."""
        user_ids = self.state.link_users()
        if not user_ids or self.app.screen is not self:
            return
        self.link_watch.read(user_ids)

    @on(reset_links.LinksLoaded)
    def _links_loaded(self, message: reset_links.LinksLoaded) -> None:
        detail = self.state.detail
        if detail is None:
            return
        self.link_watch.show(
            message,
            detail,
            self.query_one(UserTable),
            self.query_one(reset_links.LinkDetail),
            self.selected_user(),
        )

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if self.state.failed(message.request, message.failure):
            self._refresh_view()

    # ------------------------------------------------------------------ rendering

    def _refresh_view(self, *, select_user: int | None = None) -> None:
        if not self._view_ready:
            return  # before on_mount (is_mounted only turns true after it)
        state = self.state
        detail = state.detail
        self.query_one("#customer-loading").display = state.loading
        error = self.query_one("#customer-error", Static)
        if state.error:
            error.update(
                Text.assemble(
                    ("⚠ ", "bold"), printable(state.error), "  ", (state.error_hint(), "dim")
                )
            )
        error.display = bool(state.error)
        self.query_one("#customer-tabs").display = detail is not None
        header = self.query_one("#customer-header", Static)
        header.display = detail is not None
        if detail is not None:
            header.update(customer_header(detail))
            now = self.state.now or self.ctx.clock.now()
            show_users(self, self.state, detail, now, select_user)
            show_escalation(self, self.state, detail, self.ctx.clock)
            self.query_one("#contract-counts", Static).update(contract_counts(detail.contracts))
            self.query_one("#contract-values-note", Static).update(state.contracts_note())
        self.refresh_bindings()

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
        if self.state.detail is None or not self._view_ready:
            return None
        return self.query_one(UserTable).selected_user()

    @on(UserTable.RowHighlighted)
    def _user_moved(self) -> None:
        self.refresh_bindings()
        self.query_one(reset_links.LinkDetail).follow(self.selected_user())

    def action_back(self) -> None:
        self.dismiss()

    def action_show_tab(self, tab: str) -> None:
        if tab not in TABS:
            return
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        if tab == "users":
            self.query_one(UserTable).focus()

    def action_reset_password(self) -> None:
        self.navigation.reset_password(self.selected_user())

    def action_edit_escalation(self) -> None:
        self.navigation.edit_escalation()

    def action_start_run(self) -> None:
        self.navigation.start_run()

    def action_contracts(self) -> None:
        self.navigation.contracts()

    def action_audit_log(self) -> None:
        self.navigation.audit_log()
