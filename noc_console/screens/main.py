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
for the end of the query already running, never for a fixed delay (issue 5: a
250 ms debounce was most of "last key -> results painted"). A query that runs
longer than ``PATIENCE_SECONDS`` (a slow or hung database) is not waited for:
the box's term is then asked beside it, and the slow answer is dropped by its
request number when it comes.

The customer screen is pushed on top, so ``esc`` there comes back to this
screen exactly as it was: the term, the results, the cursor.
"""

from __future__ import annotations

import logging
import time
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

from noc_console.errors import DatabaseUnavailable, DomainError, ValidationError
from noc_console.i18n import N_, _, ngettext
from noc_console.screens.base import NocScreen
from noc_console.screens.customer import CustomerScreen
from noc_console.screens.session import DatabaseProblem
from noc_console.services.customers import MatchField
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
from noc_console.widgets.results import ResultsTable
from noc_console.widgets.session_bar import SessionBar, session_view

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext
    from noc_console.services.customers import CustomerHit, SearchPage
    from noc_console.services.system import DatabaseInfo

__all__ = ["LookupScreen", "MainScreen", "session_view"]

log = logging.getLogger(__name__)

PAGE_SIZE = 50
PATIENCE_SECONDS = 0.1
"""How long a changed term waits for the query already running before it is asked beside it
(a lookup takes milliseconds; a query still running after this is a slow database)."""
SHORT_TERM = 3  # below this the service matches prefixes only (services.customers)
_USER_FIELDS = frozenset({MatchField.LOGIN, MatchField.USER_EMAIL, MatchField.USER_NAME})


class LookupScreen(NocScreen):
    """Search box, results table, and what to do when nothing matched."""

    CSS_PATH = "main.tcss"
    AUTO_FOCUS = "#search"
    HELP_TITLE = N_("Customer lookup")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", N_("Search"), id="lookup.focus_search"),
        Binding("down", "focus_results", N_("Go to the results"), show=False, id="lookup.results"),
        Binding("ctrl+n", "more", N_("More results"), id="lookup.more"),
    ]

    class Answered(Message):
        def __init__(self, request: int, term: str, page: SearchPage, *, append: bool) -> None:
            super().__init__()
            self.request = request
            self.term = term
            self.page = page
            self.append = append

    class Failed(Message):
        def __init__(self, request: int, message: str, *, keep_results: bool = False) -> None:
            super().__init__()
            self.request = request
            self.message = message
            self.keep_results = keep_results

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
        self._view_ready = False
        self._request = 0  # every query gets the next number; only the newest is shown
        self._busy = False  # a query (search or next page) is running in the worker
        self._pending = False  # the box changed while it ran: ask again when it answers
        self._started_at = 0.0  # monotonic time the running query started
        self._patience: Timer | None = None  # asks a pending term beside a slow query
        self._shown_term = ""  # the term the table's rows answer
        self._hits: list[CustomerHit] = []
        self._next_cursor: str | None = None
        self._truncated = False
        self._error = ""
        self._open_on_answer = False
        self._more_offered: bool | None = None  # what the footer shows for "more results"

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
        return self._pending or self._busy

    # ------------------------------------------------------------------ typing -> query

    @on(Input.Changed, "#search")
    def _term_changed(self, event: Input.Changed) -> None:
        self._open_on_answer = False
        if self._busy:
            self._wait_for_running_query()
            self._refresh_view()
            return
        if event.value == self._shown_term and not self._error:
            self._refresh_view()  # typed back to what the table shows: nothing to ask
            return
        self._search_now()

    def _wait_for_running_query(self) -> None:
        """Ask for the box's term when the running query answers, or after the patience."""
        self._pending = True
        if self._patience is not None:
            return
        delay = self._started_at + PATIENCE_SECONDS - time.monotonic()
        if delay <= 0:
            self._search_now()  # running for too long already: ask beside it
        else:
            self._patience = self.set_timer(delay, self._patience_over, name="lookup-patience")

    def _patience_over(self) -> None:
        self._patience = None
        if self._pending:
            self._search_now()

    def _stop_patience(self) -> None:
        if self._patience is not None:
            self._patience.stop()
            self._patience = None

    def _search_now(self) -> None:
        """Run the query for what the box holds now."""
        self._pending = False
        self._stop_patience()
        term = self.search_box.value
        self._request += 1
        self._error = ""
        if not term.strip():
            self._busy = False
            self._show_page_data("", [], None, truncated=False)
            self._refresh_view()
            return
        self._busy = True
        self._started_at = time.monotonic()
        self._search_worker(self._request, term, None)
        self._refresh_view()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup")
    def _search_worker(self, request: int, term: str, cursor: str | None) -> None:
        from noc_console.services import customers

        try:
            page = customers.search(self.ctx, self.principal, term, PAGE_SIZE, cursor)
        except ValidationError as err:
            messages = [m for field in err.fields.values() for m in field] or [str(err)]
            self.post_message(self.Failed(request, "; ".join(messages)))
        except DatabaseUnavailable as err:
            self.post_message(DatabaseProblem(str(err)))
            self.post_message(
                self.Failed(
                    request,
                    _("The database did not answer; the results below may be out of date."),
                    keep_results=True,
                )
            )
        except DomainError as err:
            self.post_message(self.Failed(request, str(err)))
        except Exception as err:  # noqa: BLE001 - one line on screen, the type in the log
            log.error("lookup failed: %s", type(err).__name__)
            self.post_message(
                self.Failed(
                    request,
                    _("unexpected error ({kind}); see the log file").format(
                        kind=type(err).__name__
                    ),
                )
            )
        else:
            if not get_current_worker().is_cancelled:
                self.post_message(self.Answered(request, term, page, append=cursor is not None))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        if message.request != self._request:
            return  # an older query answered late: never shown over a newer one
        self._busy = False
        self._stop_patience()
        if self._pending:
            self._search_now()  # the box changed meanwhile: this answer is stale, never shown
            return
        self._error = ""
        page = message.page
        if message.append:
            self._hits.extend(page.hits)
            self.results.show_hits(page.hits, append=True)
            self._next_cursor = page.next_cursor
            self._truncated = self._truncated or page.truncated
        else:
            self._show_page_data(
                message.term, list(page.hits), page.next_cursor, truncated=page.truncated
            )
        self._refresh_view()
        if self._open_on_answer:
            self._open_on_answer = False
            self.open_highlighted()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.request != self._request:
            return
        self._busy = False
        self._stop_patience()
        if self._pending:
            self._search_now()  # about a term no longer in the box: ask for the new one
            return
        self._open_on_answer = False
        self._error = message.message
        if not message.keep_results:
            self._show_page_data(self.search_box.value, [], None, truncated=False)
        self._refresh_view()

    def _show_page_data(
        self, term: str, hits: list[CustomerHit], next_cursor: str | None, *, truncated: bool
    ) -> None:
        self._shown_term = term
        self._hits = hits
        self._next_cursor = next_cursor
        self._truncated = truncated
        self.results.show_hits(hits)

    # ------------------------------------------------------------------ status line

    def _refresh_view(self) -> None:
        if not self._view_ready:
            return  # before on_mount (is_mounted only turns true after it)
        term = self.search_box.value
        self.query_one("#search-spinner").display = self.searching
        error = self.query_one("#search-error", Static)
        error.update(Text.assemble(("⚠ ", "bold"), printable(self._error)))
        error.display = bool(self._error)
        empty = self.query_one("#empty-message", Static)
        idle = not self.searching and not self._error and not self._hits
        empty.display = idle  # nothing found, or nothing typed yet: say what can be searched
        empty.set_class(idle and bool(term.strip()), "-nothing-found")
        if idle:
            empty.update(self._nothing_found(term) if term.strip() else self._guide())
        self.results.display = bool(self._hits)
        self.query_one("#search-status", Static).update(self._status(term))
        # Only when "more results" comes or goes (check_action): every refresh_bindings
        # re-composes the footer, which cost each keystroke and each answer ~8 ms (issue 5).
        more = bool(self._next_cursor)
        if more != self._more_offered:
            self._more_offered = more
            self.refresh_bindings()

    def _status(self, term: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.searching:
            text.append(_("Searching…"), style="dim")
            return text
        if not term.strip():
            text.append(
                _("Type to search: results appear as you type; enter opens the first one."),
                style="dim",
            )
            return text
        if not self._hits:
            return text
        count = len(self._hits)
        text.append(ngettext("{n} customer", "{n} customers", count).format(n=count), style="bold")
        if self._next_cursor:
            text.append("  ·  ")
            text.append(_("more below: go to the last row or press ctrl+n"), style="dim")
        if self._truncated:
            text.append("  ·  ")
            text.append(_("more customers may match: type more of the term"), style="dim")
        return text

    def _nothing_found(self, term: str) -> Text:
        text = Text()
        text.append(_("No customer matches "), style="bold")
        text.append("“" + printable(term.strip()) + "”", style="bold")
        text.append(".\n\n")
        text.append_text(self._guide())
        if len(term.strip()) < SHORT_TERM:
            text.append("\n\n")
            text.append(
                _(
                    "Terms shorter than 3 characters only match the start of a value;"
                    " type more to search inside names."
                ),
                style="italic",
            )
        return text

    def _guide(self) -> Text:
        text = Text()
        text.append(_("You can search by:") + "\n")
        for line in (
            _("company name or trade name"),
            _("CNPJ, with or without dots and slash (e.g. 11.222.333/0001-81)"),
            _("portal user login, name or e-mail"),
            _("contract number (e.g. CT-2024-000123)"),
            _("escalation contact name, phone or e-mail"),
        ):
            text.append("  • " + line + "\n")
        text.rstrip()
        return text

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return bool(self._next_cursor)
        return True

    def action_focus_search(self) -> None:
        """`/` from anywhere on the screen: back to the box, term selected to be typed over."""
        box = self.search_box
        box.focus()
        box.select_all()

    def focus_search(self) -> None:
        self.action_focus_search()

    def action_focus_results(self) -> None:
        if self._hits:
            self.results.focus()
            self._more_if_at_end(self.results.cursor_row)

    def action_more(self) -> None:
        """Ask for the next page of the same search (the service's cursor)."""
        if not self._next_cursor or self._busy or self._pending:
            return
        self._request += 1
        self._busy = True
        self._started_at = time.monotonic()
        self._search_worker(self._request, self._shown_term, self._next_cursor)
        self._refresh_view()

    @on(DataTable.RowHighlighted, "#results")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.results.has_focus:  # the operator moved there, not a refill of the rows
            self._more_if_at_end(event.cursor_row)

    def _more_if_at_end(self, row: int) -> None:
        if self._next_cursor and row >= self.results.row_count - 1:
            self.action_more()

    @on(DataTable.RowSelected, "#results")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_highlighted()

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        """enter in the box: open the highlighted result, or the first one when it arrives."""
        if not self._busy:
            if event.value == self._shown_term and not self._error:
                self.open_highlighted()
                return
            self._open_on_answer = True  # the last query failed: ask again, then open
            self._search_now()
            return
        self._open_on_answer = True  # the answer for the box's term opens its first result

    def open_highlighted(self) -> None:
        hit = self.results.hit_at_cursor()
        if hit is None:
            return
        # Found through one of its users: the customer screen starts on that user.
        user = hit.match_record_id if hit.match_field in _USER_FIELDS else None
        self.app.push_screen(
            CustomerScreen(
                self.ctx,
                self.principal,
                hit.customer_id,
                read_only=self.read_only,
                select_user=user,
            )
        )

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
        self.results.show_hits(self._hits)
        if self._hits:
            self.results.move_cursor(row=min(state["row"], len(self._hits) - 1), animate=False)
        if not self._busy and state["term"] != self._shown_term:
            self._search_now()
        self._refresh_view()
        if state["focus"]:
            self.query_one(f"#{state['focus']}").focus()


MainScreen = LookupScreen
"""The shell's name for the screen after login (tests and the app import it)."""
