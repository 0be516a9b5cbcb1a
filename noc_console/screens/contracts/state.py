"""The contract browser's state: the query shown, the window of pages, totals, export, problems.

Plain Python (no Textual), so the browser's rules are tested without a
terminal: which sorts are offered, when a page is due, what a failure leaves
on screen. The service still decides who sees values and what a query may
be; ``values_visible`` here is only what the last answer said (before the
first answer: the same permission table the service uses).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from noc_console.screens.paging import PageWindow
from noc_console.screens.problem import Problem
from noc_console.services import permissions
from noc_console.services.context import Principal
from noc_console.services.contracts import (
    STATUS_FILTERS,
    ContractPage,
    ContractSort,
    ContractTotals,
    ExportResult,
    StatusFilter,
)
from noc_console.services.permissions import Permission

WINDOW_PAGES = 3
"""Pages the table holds at most; the ones the reader left are evicted and fetched again."""
LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
SORT_CYCLE: tuple[ContractSort, ...] = (
    ContractSort.NUMBER,
    ContractSort.SERVICE,
    ContractSort.START_DATE,
    ContractSort.END_DATE,
    ContractSort.VALUE,
)

Loaded = Literal["page", "totals"]


@dataclass(frozen=True)
class ContractQuery:
    """What the list shows; a new value starts a new generation of pages."""

    status: StatusFilter = "all"
    text: str = ""
    sort: ContractSort = ContractSort.NUMBER
    descending: bool = False


@dataclass(frozen=True)
class Arrival:
    """What a page's arrival changes besides the rows (the screen redraws only that)."""

    first: bool  # the new list's first page: the spinner goes
    values_changed: bool  # the service's answer on values differs: the columns change
    problem_cleared: bool  # a page had failed before: its message goes


class ContractBrowserState:
    """One customer's contract list as the browser shows it."""

    def __init__(self, principal: Principal, *, read_only: bool) -> None:
        self.query = ContractQuery()
        # The service's answer wins; until the first page, ask the same permission table it uses.
        self.values_visible = permissions.allowed(
            principal.role, Permission.VIEW_CONTRACT_VALUES, read_only=read_only
        )
        self.paging: PageWindow[ContractPage] = PageWindow(keep=WINDOW_PAGES)
        self.loading_totals = False
        self.totals: ContractTotals | None = None
        self.problem: Problem | None = None
        self.page_problem = False  # the problem came from a page (a later page clears it)
        self.exporting = False
        self.last_export: ExportResult | None = None

    # ------------------------------------------------------------------ the query

    def restart(self) -> int:
        """A new list for the current query: no totals, no problem; returns its generation."""
        self.totals = None
        self.problem = None
        self.page_problem = False
        self.loading_totals = True
        return self.paging.restart()

    def change(self, query: ContractQuery) -> bool:
        """Take ``query``; False when it is the list already shown (nothing to reload)."""
        if query == self.query:
            return False
        self.query = query
        return True

    def with_status(self, status: str) -> ContractQuery | None:
        """The query filtered by ``status``; None for a status the service does not know."""
        if status not in STATUS_FILTERS:
            return None
        return replace(self.query, status=status)  # type: ignore[arg-type]

    def with_text(self, text: str) -> ContractQuery:
        return replace(self.query, text=text)

    def sorts_offered(self) -> tuple[ContractSort, ...]:
        """Value sorting only when values are visible (the service refuses it otherwise)."""
        return tuple(s for s in SORT_CYCLE if self.values_visible or s is not ContractSort.VALUE)

    def next_sort(self) -> ContractQuery:
        """The query sorted by the next column offered (wrapping round)."""
        offered = self.sorts_offered()
        current = self.query.sort
        position = offered.index(current) if current in offered else -1
        return replace(self.query, sort=offered[(position + 1) % len(offered)])

    def reversed(self) -> ContractQuery:
        return replace(self.query, descending=not self.query.descending)

    # ------------------------------------------------------------------ answers

    def page_arrived(self, index: int, page: ContractPage) -> Arrival:
        """Page ``index`` of the current list came (the caller checked ``paging.expects``)."""
        first = self.paging.loading_first
        values_changed = first and page.values_visible != self.values_visible
        if values_changed:
            self.values_visible = page.values_visible
        self.paging.arrived(index, page)
        cleared = self.page_problem
        if cleared:
            self.problem = None
            self.page_problem = False
        return Arrival(first, values_changed, cleared)

    def totals_arrived(self, totals: ContractTotals) -> None:
        self.totals = totals
        self.loading_totals = False

    def failed(self, what: Loaded, problem: Problem) -> None:
        """A page or the totals could not come. The rows shown stay; a page's problem
        replaces any other, a totals problem does not replace a page's."""
        if what == "page":
            self.paging.failed()
        else:
            self.loading_totals = False
        if self.problem is None or what == "page":
            self.problem = problem
            self.page_problem = what == "page"

    @property
    def total_count(self) -> int | None:
        """Contracts in the whole list (from the totals); None until they come."""
        return sum(line.count for line in self.totals.lines) if self.totals else None

    @property
    def more_below(self) -> bool:
        """The list goes on below the window (and no new list is loading)."""
        return self.paging.next_cursor is not None and not self.paging.loading_first

    # ------------------------------------------------------------------ export

    def export_path(self, now: datetime, export_dir: Path, customer_id: int) -> Path:
        """``contracts-<customer>-<local time>.csv``: the service refuses to overwrite one."""
        stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
        return export_dir / f"contracts-{customer_id}-{stamp}.csv"

    def start_export(self) -> bool:
        """False while an export is running (one at a time)."""
        if self.exporting:
            return False
        self.exporting = True
        return True

    def export_finished(self, result: ExportResult | None) -> None:
        """The export ended; ``result`` is None when it failed."""
        self.exporting = False
        if result is not None:
            self.last_export = result
