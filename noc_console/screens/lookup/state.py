"""The lookup's flow as plain data: which query is current, what the table shows, what keys ask.

Kept apart from the Textual screen so the rules (stale answers dropped by
their request number, keys typed during a query asked together, paging,
"enter" opening the first result when it arrives) are tested without a
pilot. The screen only runs the queries this class numbers and paints what
it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from noc_console.errors import DatabaseUnavailable, DomainError, ValidationError
from noc_console.i18n import _
from noc_console.services.search.dto import MatchField

if TYPE_CHECKING:
    from noc_console.models import Role
    from noc_console.services.search.dto import CustomerHit, SearchPage

PAGE_SIZE = 50
PATIENCE_SECONDS = 0.1
"""How long a changed term waits for the query already running before it is asked beside it
(a lookup takes milliseconds; a query still running after this is a slow database)."""
SHORT_TERM = 3  # below this the service matches prefixes only (services.search)
_USER_FIELDS = frozenset({MatchField.LOGIN, MatchField.USER_EMAIL, MatchField.USER_NAME})


class Next(Enum):
    """What the screen does after a key in the box or a worker's reply."""

    NOTHING = "nothing"  # keep what is shown
    WAIT = "wait"  # a query runs: ask when it answers, or once the patience is over
    SEARCH = "search"  # ask for the box's term now
    OPEN = "open"  # open the highlighted result (after showing a reply that brought it)
    SHOWN = "shown"  # a reply is now what the screen shows: paint it


@dataclass(frozen=True)
class Query:
    """One numbered request for the worker; ``cursor`` set for the next page of the shown term."""

    request: int
    term: str
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True)
class Failure:
    """A failed query as the operator reads it; ``keep_results`` when the rows may still serve."""

    message: str
    keep_results: bool = False
    database_down: bool = False


def describe_failure(err: Exception) -> Failure:
    """The line under the box for a query that raised ``err`` (never a traceback)."""
    if isinstance(err, ValidationError):
        messages = [m for field in err.fields.values() for m in field] or [str(err)]
        return Failure("; ".join(messages))
    if isinstance(err, DatabaseUnavailable):
        return Failure(
            _("The database did not answer; the results below may be out of date."),
            keep_results=True,
            database_down=True,
        )
    if isinstance(err, DomainError):
        return Failure(str(err))
    return Failure(_("unexpected error ({kind}); see the log file").format(kind=type(err).__name__))


def may_start_run(role: Role, *, read_only: bool) -> bool:
    """Issue 13: whether the lookup offers "start escalation run" to this operator."""
    from noc_console.services.permissions import Permission, allowed

    return allowed(role, Permission.RUN_ESCALATION, read_only=read_only)


def user_to_select(hit: CustomerHit) -> int | None:
    """Found through one of its users: the customer screen starts on that user."""
    return hit.match_record_id if hit.match_field in _USER_FIELDS else None


class LookupState:
    """The search box's queries and the results they brought (one instance per lookup screen)."""

    def __init__(self) -> None:
        self.request = 0  # every query gets the next number; only the newest is shown
        self.busy = False  # a query (search or next page) is running in the worker
        self.pending = False  # the box changed while it ran: ask again when it answers
        self.started_at = 0.0  # monotonic time the running query started
        self.shown_term = ""  # the term the table's rows answer
        self.hits: list[CustomerHit] = []
        self.next_cursor: str | None = None
        self.truncated = False
        self.error = ""
        self.open_on_answer = False
        self._more_offered: bool | None = None  # what the footer shows for "more results"

    # ------------------------------------------------------------------ what is shown

    @property
    def searching(self) -> bool:
        """A query is running or waiting for the one running."""
        return self.pending or self.busy

    @property
    def idle(self) -> bool:
        """Nothing to show but the guide (nothing found, or nothing typed yet)."""
        return not self.searching and not self.error and not self.hits

    @property
    def more(self) -> bool:
        """The service has a next page of the shown term."""
        return bool(self.next_cursor)

    def more_changed(self) -> bool:
        """True once each time "more results" comes or goes (the footer is redrawn only then)."""
        if self.more == self._more_offered:
            return False
        self._more_offered = self.more
        return True

    def show_page(
        self, term: str, hits: Sequence[CustomerHit], next_cursor: str | None, *, truncated: bool
    ) -> None:
        """The table now answers ``term`` with ``hits`` (a new search, or an empty box)."""
        self.shown_term = term
        self.hits = list(hits)
        self.next_cursor = next_cursor
        self.truncated = truncated

    # ------------------------------------------------------------------ typing -> query

    def term_changed(self, term: str) -> Next:
        """The box now holds ``term``."""
        self.open_on_answer = False
        if self.busy:
            self.pending = True
            return Next.WAIT
        if term == self.shown_term and not self.error:
            return Next.NOTHING  # typed back to what the table shows: nothing to ask
        return Next.SEARCH

    def patience_left(self, now: float) -> float:
        """Seconds a pending term still waits for the running query (<= 0: ask beside it)."""
        return self.started_at + PATIENCE_SECONDS - now

    def start_search(self, term: str, now: float) -> Query | None:
        """Number the query for ``term``; None for an empty box (the table is emptied instead)."""
        self.pending = False
        self.request += 1
        self.error = ""
        if not term.strip():
            self.busy = False
            self.show_page("", [], None, truncated=False)
            return None
        self.busy = True
        self.started_at = now
        return Query(self.request, term, None, PAGE_SIZE)

    def start_more(self, now: float) -> Query | None:
        """The next page of the shown term, unless there is none or a query runs."""
        if not self.next_cursor or self.busy or self.pending:
            return None
        self.request += 1
        self.busy = True
        self.started_at = now
        return Query(self.request, self.shown_term, self.next_cursor, PAGE_SIZE)

    def wants_more_at(self, row: int, row_count: int) -> bool:
        """The cursor reached the last row and the service has more."""
        return bool(self.next_cursor) and row >= row_count - 1

    def submitted(self, term: str) -> Next:
        """enter in the box: open the highlighted result, or the first one when it arrives."""
        if self.busy:
            self.open_on_answer = True  # the answer for the box's term opens its first result
            return Next.NOTHING
        if term == self.shown_term and not self.error:
            return Next.OPEN
        self.open_on_answer = True  # the last query failed: ask again, then open
        return Next.SEARCH

    # ------------------------------------------------------------------ replies

    def _reply(self, request: int) -> Next | None:
        """The part every reply shares: None when the reply is current and may be shown."""
        if request != self.request:
            return Next.NOTHING  # an older query answered late: never shown over a newer one
        self.busy = False
        if self.pending:
            return Next.SEARCH  # the box changed meanwhile: this reply is stale, never shown
        return None

    def answered(self, request: int, term: str, page: SearchPage, *, append: bool) -> Next:
        """A page came back: NOTHING (dropped), SEARCH (stale: ask again), SHOWN, or OPEN
        (shown, and enter was pressed while it ran)."""
        stale = self._reply(request)
        if stale is not None:
            return stale
        self.error = ""
        if append:
            self.hits.extend(page.hits)
            self.next_cursor = page.next_cursor
            self.truncated = self.truncated or page.truncated
        else:
            self.show_page(term, page.hits, page.next_cursor, truncated=page.truncated)
        if self.open_on_answer:
            self.open_on_answer = False
            return Next.OPEN
        return Next.SHOWN

    def failed(self, request: int, failure: Failure, term: str) -> Next:
        """A query failed (``term`` is the box's): NOTHING, SEARCH, or SHOWN (the failure)."""
        stale = self._reply(request)
        if stale is not None:
            return stale  # about a term no longer in the box: ask for the new one
        self.open_on_answer = False
        self.error = failure.message
        if not failure.keep_results:
            self.show_page(term, [], None, truncated=False)
        return Next.SHOWN
