"""Contract browser (``c`` on a customer): filter, sort, lazy pages, totals, CSV export.

Thin over ``services.contracts``: the service decides who sees values, which
sorts are allowed and what the CSV holds; this screen only asks and shows.
Every query runs in a thread worker and comes back as a message stamped
with the list's generation, so an answer for an older filter or sort is
dropped instead of being mixed into the current list. Pages are keyset
pages fetched only when the reader nears the last loaded row: a customer
with 100,000 contracts costs one page at a time.

The table holds a window of at most ``WINDOW_PAGES`` pages, so memory does
not grow with the rows scrolled past; which pages are held, and which one is
due, is ``ContractBrowserState``'s (see ``screens.paging``). A page evicted
from the window is fetched again when the reader scrolls back to it. The first
page is kept: going back to the top needs no query, and the service audits a
first page of values ("contract_values_viewed") each time it is asked for one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static

from noc_console import i18n
from noc_console.i18n import N_, _
from noc_console.screens.base import back_binding
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.contracts.export import ContractExport, ExportDone
from noc_console.screens.contracts.state import (
    WINDOW_PAGES,
    ContractBrowserState,
    ContractQuery,
    Loaded,
)
from noc_console.screens.contracts.view import info_text, title_text
from noc_console.screens.messages import DatabaseProblem
from noc_console.screens.paged_list import PagedListScreen
from noc_console.screens.problem import Problem, describe_problem, problem_words
from noc_console.services import contracts
from noc_console.services.contracts import ContractPage, ContractTotals
from noc_console.widgets.contract_table import (
    ContractTable,
    ContractTotalsPanel,
    PageCells,
    StatusChoice,
    page_cells,
)
from noc_console.widgets.fields import Field
from noc_console.widgets.lazy_table import LazyTable
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

PAGE_SIZE = 100


class ContractBrowser(PagedListScreen):
    """A customer's contracts; values (and value sorting) only when the service allows them."""

    CSS_PATH = "contracts.tcss"
    AUTO_FOCUS = "#contracts-table"  # the list, not the filter: keys act at once
    HELP_TITLE = N_("Contracts")
    LIST_ID = "contracts-table"
    LOADING_ID = "contracts-loading"
    DEBOUNCE_SECONDS = 0.3
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("contracts"),
        Binding(
            "1",
            "status('active')",
            N_("Only active contracts"),
            id="contracts.filter_active",
            show=False,
        ),
        Binding(
            "2",
            "status('inactive')",
            N_("Only inactive contracts"),
            id="contracts.filter_inactive",
            show=False,
        ),
        Binding(
            "3",
            "status('all')",
            N_("Active and inactive contracts"),
            id="contracts.filter_all",
            show=False,
        ),
        Binding("slash", "search", N_("Filter text"), id="contracts.search"),
        Binding("s", "sort_next", N_("Sort"), id="contracts.sort_next"),
        Binding("r", "sort_reverse", N_("Reverse"), id="contracts.sort_reverse"),
        Binding("x", "export", N_("Export CSV"), id="contracts.export"),
        Binding("ctrl+r", "reload", N_("Reload"), id="contracts.reload", show=False),
    ]
    PALETTE: ClassVar[tuple[PaletteCommand, ...]] = (
        PaletteCommand(
            "contracts.filter_active",
            N_("Contracts: only active"),
            N_("Show active contracts"),
            "status('active')",
        ),
        PaletteCommand(
            "contracts.filter_inactive",
            N_("Contracts: only inactive"),
            N_("Show inactive contracts"),
            "status('inactive')",
        ),
        PaletteCommand(
            "contracts.filter_all",
            N_("Contracts: all"),
            N_("Show active and inactive contracts"),
            "status('all')",
        ),
        PaletteCommand(
            "contracts.sort_next",
            N_("Contracts: next sort order"),
            N_("Change the column the list is sorted by"),
            "sort_next",
        ),
        PaletteCommand(
            "contracts.sort_reverse",
            N_("Contracts: reverse the order"),
            N_("Switch between ascending and descending"),
            "sort_reverse",
        ),
        PaletteCommand(
            "contracts.export",
            N_("Contracts: export CSV"),
            N_("Write the list to a CSV file"),
            "export",
        ),
    )

    class PageLoaded(Message):
        def __init__(
            self,
            generation: int,
            index: int,
            page: ContractPage,
            cells: PageCells | None = None,
            language: str | None = None,
        ) -> None:
            super().__init__()
            self.generation = generation
            self.index = index  # the page's place in the whole list (0: the first page)
            self.page = page
            self.cells = cells  # built by the worker, in ``language``
            self.language = language

    class TotalsLoaded(Message):
        def __init__(self, generation: int, totals: ContractTotals) -> None:
            super().__init__()
            self.generation = generation
            self.totals = totals

    class LoadFailed(Message):
        def __init__(self, generation: int, what: Loaded, problem: Problem) -> None:
            super().__init__()
            self.generation = generation
            self.what = what
            self.problem = problem

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        customer_id: int,
        customer_name: str,
        *,
        export_dir: Path,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.export_dir = Path(export_dir)
        self.state = ContractBrowserState(principal, read_only=ctx.read_only)
        self.export = ContractExport(self, self.state, ctx, principal, customer_id, self.export_dir)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        query = self.state.query
        yield Header()
        yield SessionBar()  # the app says who is logged in and where
        yield Static(title_text(self.customer_name), id="contracts-title")
        with Horizontal(id="contracts-filters"):
            field = Field(value=query.text, placeholder=_("number or service"), id="contracts-text")
            field.border_title = _("Filter (/)")
            yield field
            yield StatusChoice(StatusChoice.render_choices(query.status), id="contracts-status")
        yield Static("", id="contracts-filter-error", markup=False)
        yield Static("", id="contracts-info")  # filled once the table exists (it gives the row)
        yield Static(
            Text("🔒 " + _("Contract values are restricted to supervisors"), style="bold"),
            id="contracts-restricted",
        )
        yield LoadingIndicator(id="contracts-loading")
        yield ContractTable(
            values_visible=self.state.values_visible,
            sort=query.sort,
            descending=query.descending,
            id="contracts-table",
        )
        yield Static("", id="contracts-message", markup=False)
        yield ContractTotalsPanel(id="contracts-totals")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()
        self.query_one(ContractTable).focus()

    # ------------------------------------------------------------------ language switch

    def restore_state(self, state: dict[str, Any]) -> None:
        """After a re-compose: the window's pages, cursor and view back, without a query.

        The cells are built again from the pages' DTOs: they are in the new language.
        """
        table = self.query_one(ContractTable)
        if self.state.paging.pages:
            table.show_window(
                [page_cells(page.rows, page.values_visible) for page in self.state.paging.pages],
                state.get("row_offset", 0),
                cursor=state.get("cursor", 0),
                top=state.get("top", 0),
            )
        self.query_one(ContractTotalsPanel).show_totals(self.state.totals)
        self.query_one(ContractTotalsPanel).loading = self.state.loading_totals
        self.show_loading(self.state.paging.loading_first)
        self._show_notes()
        self._refresh_info()
        self.refocus(state)

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Start a new generation: empty list, first page and totals for the current query."""
        generation = self.state.restart()
        query = self.state.query
        self.query_one(ContractTable).configure(
            values_visible=self.state.values_visible, sort=query.sort, descending=query.descending
        )
        self.show_loading(True)
        totals = self.query_one(ContractTotalsPanel)
        totals.show_totals(None)
        totals.loading = True
        self._show_notes()
        self._refresh_info()
        self._page_worker(generation, query, 0, None)
        self._totals_worker(generation, query)

    def load_more(self) -> None:
        """Fetch the page below the window unless a page is on its way or the list ends here."""
        index = self.state.paging.next_index()
        if index is not None:
            self._fetch(index)

    def load_previous(self) -> None:
        """Bring back the page above the window (evicted earlier) unless a page is on its way."""
        paging = self.state.paging
        index = paging.previous_index()
        if index == 0 and paging.first_page is not None:
            self._place(0, paging.first_page)  # kept: no query, no second audit event
            self._refresh_info()
        elif index is not None:
            self._fetch(index)

    def _fetch(self, index: int) -> None:
        cursor = self.state.paging.fetch(index)
        self._refresh_info()
        self._page_worker(self.state.paging.generation, self.state.query, index, cursor)

    def _place(self, index: int, page: ContractPage, cells: PageCells | None = None) -> None:
        """Put a page into the window next to the pages shown; the table evicts the pages
        at the other end (the ones farthest from the reader) and the state follows it.

        After the page, the next one in the same direction is asked for if the reader
        is already near that end; never the other direction, so a page coming in can
        never make the window fetch back the page it just evicted.
        """
        table = self.query_one(ContractTable)
        if cells is None:
            cells = page_cells(page.rows, page.values_visible)
        side = self.state.paging.place(index, page)
        if side is None:
            return  # no longer next to the window: dropped
        table.add_page(cells, above=side == "above", keep=WINDOW_PAGES)
        self.state.paging.trim(side, table.pages_shown)
        if side == "below" and table.near_end():
            self.load_more()
        elif side == "above" and table.near_start():
            self.load_previous()

    @work(thread=True, exclusive=True, exit_on_error=False, group="contracts-page")
    def _page_worker(
        self, generation: int, query: ContractQuery, index: int, cursor: str | None
    ) -> None:
        try:
            page = contracts.list_contracts(
                self.ctx,
                self.principal,
                self.customer_id,
                status=query.status,
                text=query.text,
                sort=query.sort,
                descending=query.descending,
                cursor=cursor,
                page_size=PAGE_SIZE,
            )
            # The cells too (Babel money, dates, Text): off the UI thread, which only
            # has to put them in the table. In the language of the moment; a page that
            # lands after a language switch has them built again (see _page_loaded).
            language = i18n.current_language()
            cells = page_cells(page.rows, page.values_visible)
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            self.post_message(self.LoadFailed(generation, "page", describe_problem(err)))
        else:
            self.post_message(self.PageLoaded(generation, index, page, cells, language))

    @work(thread=True, exclusive=True, exit_on_error=False, group="contracts-totals")
    def _totals_worker(self, generation: int, query: ContractQuery) -> None:
        try:
            totals = contracts.contract_totals(
                self.ctx, self.principal, self.customer_id, status=query.status, text=query.text
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            self.post_message(self.LoadFailed(generation, "totals", describe_problem(err)))
        else:
            self.post_message(self.TotalsLoaded(generation, totals))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if not self.state.paging.expects(message.generation, message.index):
            return  # an answer for a list (or a request) no longer current
        arrival = self.state.page_arrived(message.index, message.page)
        table = self.query_one(ContractTable)
        if arrival.first:
            self.show_loading(False)
            if arrival.values_changed:
                query = self.state.query
                table.configure(
                    values_visible=self.state.values_visible,
                    sort=query.sort,
                    descending=query.descending,
                )
            if self.focused is None:
                table.focus()
        if arrival.values_changed or arrival.problem_cleared:
            self._show_notes()
        fresh = message.language == i18n.current_language()
        self._place(message.index, message.page, message.cells if fresh else None)
        self._refresh_info()

    @on(TotalsLoaded)
    def _totals_loaded(self, message: TotalsLoaded) -> None:
        if not self.state.paging.is_current(message.generation):
            return
        self.state.totals_arrived(message.totals)
        panel = self.query_one(ContractTotalsPanel)
        panel.loading = False
        panel.show_totals(message.totals)
        self._refresh_info()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if not self.state.paging.is_current(message.generation):
            return
        # The rows shown stay: a page that could not come (again) takes nothing away.
        self.state.failed(message.what, message.problem)
        if message.what == "page":
            self.show_loading(False)
        else:
            self.query_one(ContractTotalsPanel).loading = False
        self._show_notes()
        self._refresh_info()
        if message.problem.database_down:
            self.post_message(DatabaseProblem(message.problem.message))

    @on(LazyTable.TopWanted)
    def _top_wanted(self, message: LazyTable.TopWanted) -> None:
        """ctrl+home far down the list: the first page again (kept), the window starting there."""
        page = self.state.paging.back_to_top()
        if page is None:
            return
        table = self.query_one(ContractTable)
        table.show_window([page_cells(page.rows, page.values_visible)], 0, cursor=0, top=0)
        self._refresh_info()
        if table.near_end():
            self.load_more()

    # ------------------------------------------------------------------ what the screen says

    def _show_notes(self) -> None:
        """The restriction line, and the problem (next to the filter when it is the filter's)."""
        self.query_one("#contracts-restricted").display = not self.state.values_visible
        problem = self.state.problem
        error = self.query_one("#contracts-filter-error", Static)
        message = self.query_one("#contracts-message", Static)
        if problem is None:
            error.update("")
            error.display = False
            message.update("")
            message.display = False
            return
        text_errors = problem.fields.get("text")
        if text_errors:
            error.update(Text(_("Filter: ") + " ".join(text_errors), style="bold red"))
            error.display = True
            message.display = False
            return
        error.display = False
        message.update(Text(problem_words(problem), style="bold red"))
        message.display = True

    @on(DataTable.RowHighlighted, "#contracts-table")
    def _refresh_info(self, _event: DataTable.RowHighlighted | None = None) -> None:
        """The info line says where the cursor is in the whole list (also on every highlight)."""
        # Both lines change on every page: without a layout pass of the screen when their
        # size cannot change (one line of fixed height; a hidden line staying hidden).
        table = self.query_one(ContractTable)
        info = info_text(self.state, position=table.absolute_row, rows=table.row_count)
        self.query_one("#contracts-info", Static).update(info, layout=False)
        if self.state.problem is not None:
            return  # the problem stays in the message line
        message = self.query_one("#contracts-message", Static)
        empty = not self.state.paging.loading_first and table.row_count == 0
        if empty or message.display:
            message.update(
                Text(_("No contracts match this filter."), style="italic") if empty else ""
            )
            message.display = empty

    # ------------------------------------------------------------------ filters and sort

    def set_query(self, query: ContractQuery | None) -> None:
        if query is None or not self.state.change(query):
            return
        self.query_one(StatusChoice).show_status(query.status)
        self.action_reload()

    def action_status(self, status: str) -> None:
        self.set_query(self.state.with_status(status))

    def action_search(self) -> None:
        self.query_one("#contracts-text", Field).focus()

    def apply_filters(self) -> None:
        self.cancel_debounce()
        self.set_query(self.state.with_text(self.query_one("#contracts-text", Field).value))

    def action_sort_next(self) -> None:
        self.set_query(self.state.next_sort())

    def action_sort_reverse(self) -> None:
        self.set_query(self.state.reversed())

    # ------------------------------------------------------------------ export

    def action_export(self) -> None:
        self.export.start()

    @on(ExportDone)
    def _export_done(self, message: ExportDone) -> None:
        self.export.finished(message)
