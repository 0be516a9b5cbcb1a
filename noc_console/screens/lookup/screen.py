"""The home screen after login: one search box over every way a caller identifies a customer.

Built for an operator on the phone: results follow the typing, the query runs
in a thread worker, and every request carries a number so a slow answer to an
older term can never replace the results of a newer one. ``enter`` opens the
highlighted customer (the first one right after typing), even if the last
query is still running.

No debounce: a key starts its query at once when none is running. Keys typed
while one runs only mark the box as changed; when that query answers, its (by
then stale) results are dropped unseen and the box's term is asked instead.
So the database gets at most one query per key, and the last key waits at most
for the end of the query already running, never for a fixed delay (issue 5).
A query that runs longer than the patience (a slow or hung database) is not
waited for: the box's term is then asked beside it, and the slow answer is
dropped by its request number when it comes. The rules live in ``state.py``;
this screen runs the queries and paints.

The customer screen is pushed on top, so ``esc`` there comes back to this
screen exactly as it was: the term, the results, the cursor. Issue #13's
"start an escalation run" from the results is one more binding here, acting on
``results.hit_at_cursor()`` as ``open_highlighted`` does.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, LoadingIndicator, Static
from textual.worker import get_current_worker

from noc_console.errors import DomainError
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen
from noc_console.screens.customer.screen import CustomerScreen
from noc_console.screens.lookup.run_start import start_run
from noc_console.screens.lookup.state import (
    Failure,
    LookupState,
    Next,
    Query,
    describe_failure,
    may_start_run,
    user_to_select,
)
from noc_console.screens.lookup.texts import nothing_found, search_guide, status_line
from noc_console.screens.messages import DatabaseProblem
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
from noc_console.widgets.results import ResultsTable
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.search.dto import SearchPage
    from noc_console.services.system import DatabaseInfo

__all__ = ["LookupScreen"]

log = logging.getLogger(__name__)


class LookupScreen(NocScreen):
    """Search box, results table, and what to do when nothing matched."""

    CSS_PATH = "lookup.tcss"
    AUTO_FOCUS = "#search"
    HELP_TITLE = N_("Customer lookup")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", N_("Search"), id="lookup.focus_search"),
        Binding("down", "focus_results", N_("Go to the results"), show=False, id="lookup.results"),
        Binding("ctrl+n", "more", N_("More results"), id="lookup.more"),
        # Issue 13: start a run for the highlighted customer (f1 and the README list it).
        Binding("f3", "start_run", N_("Start escalation run"), show=False, id="lookup.start_run"),
    ]

    @dataclass
    class Answered(Message):
        request: int
        term: str
        page: SearchPage
        append: bool

    @dataclass
    class Failed(Message):
        request: int
        failure: Failure

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
        self.state = LookupState()
        self._view_ready = False
        self._patience: Timer | None = None  # asks a pending term beside a slow query

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()
        with Vertical(id="lookup-body"):
            with Horizontal(id="search-row"):
                yield Static(_("Find customer"), id="search-label")
                yield Field(
                    placeholder=_(
                        "company, CNPJ, portal login or e-mail, contract number, contact phone…"
                    ),
                    id="search",
                )
            yield Static(id="search-error")
            with Horizontal(id="status-row"):
                yield LoadingIndicator(id="search-spinner")
                yield Static(id="search-status")
            yield ResultsTable(id="results")
            yield Static(id="empty-message")
            if self.read_only:
                yield Static(
                    _("Read-only mode: every change is disabled in this session."),
                    id="read-only-note",
                )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = _("Customer lookup")
        self._view_ready = True
        self._refresh_view()

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def results(self) -> ResultsTable:
        return self.query_one(ResultsTable)

    @property
    def searching(self) -> bool:
        """A query is running or waiting for the one running (tests and the status line)."""
        return self.state.searching

    # ------------------------------------------------------------------ typing -> query

    @on(Input.Changed, "#search")
    def _term_changed(self, event: Input.Changed) -> None:
        step = self.state.term_changed(event.value)
        self._follow(step)
        if step is not Next.SEARCH:
            self._refresh_view()

    def _follow(self, step: Next) -> None:
        """Do what the state asked for after a key or a reply."""
        if step is Next.SEARCH:
            self._search_now()
        elif step is Next.OPEN:
            self.open_highlighted()
        elif step is Next.WAIT and self._patience is None:
            # Ask for the box's term when the running query answers, or after the patience.
            delay = self.state.patience_left(time.monotonic())
            if delay <= 0:
                self._search_now()  # running for too long already: ask beside it
            else:
                self._patience = self.set_timer(delay, self._patience_over, name="lookup-patience")

    def _patience_over(self) -> None:
        self._patience = None
        if self.state.pending:
            self._search_now()

    def _search_now(self) -> None:
        """Run the query for what the box holds now."""
        if self._patience is not None:
            self._patience.stop()
            self._patience = None
        query = self.state.start_search(self.search_box.value, time.monotonic())
        if query is None:
            self.results.show_hits([])
        else:
            self._search_worker(query)
        self._refresh_view()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup")
    def _search_worker(self, query: Query) -> None:
        from noc_console.services.search import lookup

        try:
            page = lookup.search(self.ctx, self.principal, query.term, query.limit, query.cursor)
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            failure = describe_failure(err)
            if failure.database_down:
                self.post_message(DatabaseProblem(str(err)))
            elif not isinstance(err, DomainError):
                log.error("lookup failed: %s", type(err).__name__)
            self.post_message(self.Failed(query.request, failure))
        else:
            if not get_current_worker().is_cancelled:
                self.post_message(
                    self.Answered(query.request, query.term, page, query.cursor is not None)
                )

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        page = message.page
        step = self.state.answered(message.request, message.term, page, append=message.append)
        if step in (Next.SHOWN, Next.OPEN):
            hits = page.hits if message.append else self.state.hits
            self.results.show_hits(hits, append=message.append)
            self._refresh_view()
        self._follow(step)  # SEARCH: the box changed meanwhile, this answer was never shown

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        step = self.state.failed(message.request, message.failure, self.search_box.value)
        if step is Next.SHOWN:
            if not message.failure.keep_results:
                self.results.show_hits([])
            self._refresh_view()
        self._follow(step)  # SEARCH: about a term no longer in the box, ask for the new one

    # ------------------------------------------------------------------ status line

    def _refresh_view(self) -> None:
        if not self._view_ready:
            return  # before on_mount (is_mounted only turns true after it)
        state = self.state
        term = self.search_box.value
        self.query_one("#search-spinner").display = state.searching
        error = self.query_one("#search-error", Static)
        error.update(Text.assemble(("⚠ ", "bold"), printable(state.error)))
        error.display = bool(state.error)
        empty = self.query_one("#empty-message", Static)
        empty.display = state.idle  # nothing found, or nothing typed yet: say what can be searched
        empty.set_class(state.idle and bool(term.strip()), "-nothing-found")
        if state.idle:
            empty.update(nothing_found(term) if term.strip() else search_guide())
        self.results.display = bool(state.hits)
        self.query_one("#search-status", Static).update(status_line(state, term))
        # Only when "more results" comes or goes (check_action): every refresh_bindings
        # re-composes the footer, which cost each keystroke and each answer (issue 5).
        if state.more_changed():
            self.refresh_bindings()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return self.state.more
        if action == "start_run":
            return may_start_run(self.principal.role, read_only=self.read_only)
        return True

    def action_focus_search(self) -> None:
        """`/` from anywhere on the screen: back to the box, term selected to be typed over."""
        box = self.search_box
        box.focus()
        box.select_all()

    focus_search = action_focus_search  # the app's "find customer" (palette) comes back here

    def action_focus_results(self) -> None:
        if self.state.hits:
            self.results.focus()
            if self.state.wants_more_at(self.results.cursor_row, self.results.row_count):
                self.action_more()

    def action_more(self) -> None:
        """Ask for the next page of the same search (the service's cursor)."""
        query = self.state.start_more(time.monotonic())
        if query is not None:
            self._search_worker(query)
            self._refresh_view()

    @on(DataTable.RowHighlighted, "#results")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Only when the operator moved there, not on a refill of the rows.
        results = self.results
        if results.has_focus and self.state.wants_more_at(event.cursor_row, results.row_count):
            self.action_more()

    @on(DataTable.RowSelected, "#results")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_highlighted()

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        """enter in the box: open the highlighted result, or the first one when it arrives."""
        self._follow(self.state.submitted(event.value))

    def open_highlighted(self) -> None:
        hit = self.results.hit_at_cursor()
        if hit is None:
            return
        self.app.push_screen(
            CustomerScreen(
                self.ctx,
                self.principal,
                hit.customer_id,
                read_only=self.read_only,
                select_user=user_to_select(hit),
            )
        )

    def action_start_run(self) -> None:
        """Issue 13: start an escalation run for the highlighted result, then open it."""
        hit = self.results.hit_at_cursor()
        if hit is None or self.check_action("start_run", ()) is not True:
            return
        start_run(self, self.ctx, self.principal, hit, read_only=self.read_only)

    # ------------------------------------------------------------------ language switch

    def capture_state(self) -> dict[str, Any]:
        focused = self.focused
        return {
            "term": self.search_box.value,
            "row": self.results.cursor_row,
            "focus": focused.id if focused is not None else None,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.sub_title = _("Customer lookup")
        box = self.search_box
        with box.prevent(Input.Changed):
            box.value = state["term"]
        hits = self.state.hits
        self.results.show_hits(hits)
        if hits:
            self.results.move_cursor(row=min(state["row"], len(hits) - 1), animate=False)
        if not self.state.busy and state["term"] != self.state.shown_term:
            self._search_now()
        self._refresh_view()
        if state["focus"]:
            self.query_one(f"#{state['focus']}").focus()
