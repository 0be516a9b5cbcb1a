"""Contract browser (``c`` on a customer): filter, sort, lazy pages, totals, CSV export.

Thin over ``services.contracts``: the service decides who sees values, which
sorts are allowed and what the CSV holds; this screen only asks and shows.
Every query runs in a thread worker and comes back as a message stamped
with the list's generation, so an answer for an older filter or sort is
dropped instead of being mixed into the current list. Pages are keyset
pages fetched only when the reader nears the last loaded row: a customer
with 100,000 contracts costs one page at a time.

The table holds a window of at most ``WINDOW_PAGES`` pages, so memory does
not grow with the rows scrolled past. The keyset cursor of every page fetched
so far is remembered (a short string per page), so a page evicted from the
window is fetched again when the reader scrolls back to it: a keyset page
costs about a millisecond at any position. The first page is kept: going back
to the top needs no query, and the service audits a first page of values
("contract_values_viewed") each time it is asked for one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static

from noc_console import i18n
from noc_console.errors import (
    DatabaseUnavailable,
    DomainError,
    ValidationError,
)
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.session import DatabaseProblem
from noc_console.services import contracts, permissions
from noc_console.services.contracts import (
    STATUS_FILTERS,
    ContractPage,
    ContractSort,
    ContractTotals,
    ExportResult,
    StatusFilter,
)
from noc_console.services.permissions import Permission
from noc_console.widgets.cells import literal
from noc_console.widgets.contract_table import (
    ContractTable,
    ContractTotalsPanel,
    PageCells,
    StatusChoice,
    page_cells,
    sort_description,
)
from noc_console.widgets.fields import Field
from noc_console.widgets.lazy_table import LazyTable
from noc_console.widgets.money import count
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

log = logging.getLogger(__name__)

PAGE_SIZE = 100
WINDOW_PAGES = 3
"""Pages the table holds at most; the ones the reader left are evicted and fetched again."""
DEBOUNCE_SECONDS = 0.3
LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
SORT_CYCLE: tuple[ContractSort, ...] = (
    ContractSort.NUMBER,
    ContractSort.SERVICE,
    ContractSort.START_DATE,
    ContractSort.END_DATE,
    ContractSort.VALUE,
)


@dataclass(frozen=True)
class ContractQuery:
    """What the list shows; a new value starts a new generation of pages."""

    status: StatusFilter = "all"
    text: str = ""
    sort: ContractSort = ContractSort.NUMBER
    descending: bool = False


@dataclass(frozen=True)
class Problem:
    """A worker's failure in words; ``fields`` keeps ValidationError's per-field messages."""

    message: str
    fields: dict[str, list[str]]
    database_down: bool = False


def describe_problem(err: BaseException) -> Problem:
    """Domain errors become their own (translated) words; anything else only its type name."""
    if isinstance(err, ValidationError):
        return Problem(str(err), err.fields)
    if isinstance(err, DatabaseUnavailable):
        return Problem(str(err), {}, database_down=True)
    if isinstance(err, DomainError):
        return Problem(str(err), {})
    log.error("unexpected error in a worker: %s", type(err).__name__)
    return Problem(
        _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__), {}
    )


class ContractBrowser(NocScreen):
    """A customer's contracts; values (and value sorting) only when the service allows them."""

    CSS_PATH = "contracts.tcss"
    AUTO_FOCUS = "#contracts-table"  # the list, not the filter: keys act at once
    HELP_TITLE = N_("Contracts")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="contracts.back"),
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
        def __init__(self, generation: int, what: str, problem: Problem) -> None:
            super().__init__()
            self.generation = generation
            self.what = what  # "page" or "totals"
            self.problem = problem

    class Exported(Message):
        def __init__(self, result: ExportResult) -> None:
            super().__init__()
            self.result = result

    class ExportFailed(Message):
        def __init__(self, problem: Problem) -> None:
            super().__init__()
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
        self.query_state = ContractQuery()
        # The service's answer wins; until the first page, ask the same permission table it uses.
        self.values_visible = permissions.allowed(
            principal.role, Permission.VIEW_CONTRACT_VALUES, read_only=ctx.read_only
        )
        self.generation = 0
        self.loading_first = False
        self.loading_totals = False
        self.totals: ContractTotals | None = None
        self.problem: Problem | None = None
        self._page_problem = False  # the problem came from a page (a later page clears it)
        self.exporting = False
        self.last_export: ExportResult | None = None
        self._pages: list[ContractPage] = []  # the window's pages, top to bottom
        self._window_start = 0  # the place of _pages[0] in the whole list
        self._cursors: list[str | None] = [None]  # _cursors[i] fetches page i
        self._first_page: ContractPage | None = None
        self._fetching: int | None = None  # the page on its way, if any
        self._debounce: Timer | None = None

    @property
    def next_cursor(self) -> str | None:
        """The cursor of the page below the window; None when the window ends the list."""
        index = self._window_start + len(self._pages)
        return self._cursors[index] if self._pages and index < len(self._cursors) else None

    @property
    def loading_more(self) -> bool:
        """A page other than a new list's first is on its way (below or above the window)."""
        return self._fetching is not None and not self.loading_first

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()  # the app says who is logged in and where
        yield Static(self._title(), id="contracts-title")
        with Horizontal(id="contracts-filters"):
            field = Field(
                value=self.query_state.text,
                placeholder=_("number or service"),
                id="contracts-text",
            )
            field.border_title = _("Filter (/)")
            yield field
            yield StatusChoice(
                StatusChoice.render_choices(self.query_state.status), id="contracts-status"
            )
        yield Static("", id="contracts-filter-error", markup=False)
        yield Static("", id="contracts-info")  # filled once the table exists (it gives the row)
        yield Static(
            Text("🔒 " + _("Contract values are restricted to supervisors"), style="bold"),
            id="contracts-restricted",
        )
        yield LoadingIndicator(id="contracts-loading")
        yield ContractTable(
            values_visible=self.values_visible,
            sort=self.query_state.sort,
            descending=self.query_state.descending,
            id="contracts-table",
        )
        yield Static("", id="contracts-message", markup=False)
        yield ContractTotalsPanel(id="contracts-totals")
        yield Footer()

    def _title(self) -> Text:
        return Text.assemble(
            (_("Contracts of "), "bold"),
            literal(self.customer_name, limit=80, style="bold"),
        )

    def on_mount(self) -> None:
        self._show_restriction()
        self.reload()
        self.query_one(ContractTable).focus()

    # ------------------------------------------------------------------ language switch

    def capture_state(self) -> dict[str, Any]:
        table = self.query_one(ContractTable)
        return {
            "focused": self.focused.id if self.focused else None,
            "row_offset": table.row_offset,
            "cursor": table.absolute_row,
            "top": table.row_offset + round(table.scroll_y),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """After a re-compose: the window's pages, cursor and view back, without a query.

        The cells are built again from the pages' DTOs: they are in the new language.
        """
        table = self.query_one(ContractTable)
        if self._pages:
            table.show_window(
                [page_cells(page.rows, page.values_visible) for page in self._pages],
                state.get("row_offset", 0),
                cursor=state.get("cursor", 0),
                top=state.get("top", 0),
            )
        self.query_one(ContractTotalsPanel).show_totals(self.totals)
        self.query_one(ContractTotalsPanel).loading = self.loading_totals
        self._show_loading(self.loading_first)
        self._show_restriction()
        self._show_problem()
        self._refresh_info()
        focused = state.get("focused")
        if focused:
            for widget in self.query(f"#{focused}"):
                widget.focus()
                break

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Start a new generation: empty list, first page and totals for the current query."""
        self.generation += 1
        self.loading_first = True
        self.totals = None
        self.problem = None
        self._page_problem = False
        self._pages = []
        self._window_start = 0
        self._cursors = [None]
        self._first_page = None
        self._fetching = 0
        table = self.query_one(ContractTable)
        query = self.query_state
        table.configure(
            values_visible=self.values_visible, sort=query.sort, descending=query.descending
        )
        self._show_loading(True)
        totals = self.query_one(ContractTotalsPanel)
        totals.show_totals(None)
        totals.loading = self.loading_totals = True
        self._show_problem()
        self._refresh_info()
        self._page_worker(self.generation, query, 0, None)
        self._totals_worker(self.generation, query)

    def load_more(self) -> None:
        """Fetch the page below the window unless a page is on its way or the list ends here."""
        if self.loading_first or self._fetching is not None or self.next_cursor is None:
            return
        self._fetch(self._window_start + len(self._pages))

    def load_previous(self) -> None:
        """Bring back the page above the window (evicted earlier) unless a page is on its way."""
        if self.loading_first or self._fetching is not None or self._window_start == 0:
            return
        index = self._window_start - 1
        if index == 0 and self._first_page is not None:
            self._place(0, self._first_page)  # kept: no query, no second audit event
            self._refresh_info()
        else:
            self._fetch(index)

    def _fetch(self, index: int) -> None:
        self._fetching = index
        self._refresh_info()
        self._page_worker(self.generation, self.query_state, index, self._cursors[index])

    def _place(self, index: int, page: ContractPage, cells: PageCells | None = None) -> None:
        """Put a page into the window next to the pages shown; the table evicts the pages
        at the other end (the ones farthest from the reader) and ``_pages`` follows it.

        After the page, the next one in the same direction is asked for if the reader
        is already near that end; never the other direction, so a page coming in can
        never make the window fetch back the page it just evicted.
        """
        table = self.query_one(ContractTable)
        if cells is None:
            cells = page_cells(page.rows, page.values_visible)
        if not self._pages or index == self._window_start + len(self._pages):
            if not self._pages:
                self._window_start = index
            self._pages.append(page)
            table.add_page(cells, keep=WINDOW_PAGES)
            evicted = len(self._pages) - table.pages_shown
            del self._pages[:evicted]
            self._window_start += evicted
            if table.near_end():
                self.load_more()
        elif index == self._window_start - 1:
            self._pages.insert(0, page)
            self._window_start = index
            table.add_page(cells, above=True, keep=WINDOW_PAGES)
            del self._pages[table.pages_shown :]
            if table.near_start():
                self.load_previous()
        # Any other page is no longer next to the window: dropped (one fetch at a time
        # and a new list starts a new generation, so this does not happen).

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
        if message.generation != self.generation or message.index != self._fetching:
            return  # an answer for a list (or a request) no longer current
        self._fetching = None
        page = message.page
        index = message.index
        table = self.query_one(ContractTable)
        if self.loading_first:
            self.loading_first = False
            self._show_loading(False)
            if page.values_visible != self.values_visible:
                self.values_visible = page.values_visible
                table.configure(
                    values_visible=page.values_visible,
                    sort=self.query_state.sort,
                    descending=self.query_state.descending,
                )
                self._show_restriction()
            if self.focused is None:
                table.focus()
        if index == 0:
            self._first_page = page
        if page.next_cursor is not None and len(self._cursors) == index + 1:
            self._cursors.append(page.next_cursor)
        if self._page_problem:  # a page that failed before has now come
            self.problem = None
            self._page_problem = False
            self._show_problem()
        fresh = message.language == i18n.current_language()
        self._place(index, page, message.cells if fresh else None)
        self._refresh_info()

    @on(TotalsLoaded)
    def _totals_loaded(self, message: TotalsLoaded) -> None:
        if message.generation != self.generation:
            return
        self.totals = message.totals
        panel = self.query_one(ContractTotalsPanel)
        panel.loading = self.loading_totals = False
        panel.show_totals(message.totals)
        self._refresh_info()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.generation != self.generation:
            return
        if message.what == "page":
            # The rows shown stay: a page that could not come (again) takes nothing away.
            self.loading_first = False
            self._fetching = None
            self._show_loading(False)
        else:
            self.query_one(ContractTotalsPanel).loading = self.loading_totals = False
        if self.problem is None or message.what == "page":
            self.problem = message.problem
            self._page_problem = message.what == "page"
        self._show_problem()
        self._refresh_info()
        if message.problem.database_down:
            self.post_message(DatabaseProblem(message.problem.message))

    @on(LazyTable.NearEnd)
    def _near_end(self, message: LazyTable.NearEnd) -> None:
        self.load_more()

    @on(LazyTable.NearStart)
    def _near_start(self, message: LazyTable.NearStart) -> None:
        self.load_previous()

    @on(LazyTable.TopWanted)
    def _top_wanted(self, message: LazyTable.TopWanted) -> None:
        """ctrl+home far down the list: the first page again (kept), the window starting there."""
        if self._first_page is None or self.loading_first:
            return
        self._fetching = None  # a page on its way no longer fits the window: dropped on arrival
        self._pages = [self._first_page]
        self._window_start = 0
        page = self._first_page
        table = self.query_one(ContractTable)
        table.show_window([page_cells(page.rows, page.values_visible)], 0, cursor=0, top=0)
        self._refresh_info()
        if table.near_end():
            self.load_more()

    @on(DataTable.RowHighlighted, "#contracts-table")
    def _row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        """The info line says where the cursor is in the whole list."""
        self.query_one("#contracts-info", Static).update(self._info(), layout=False)

    # ------------------------------------------------------------------ what the screen says

    def _show_loading(self, loading: bool) -> None:
        """A spinner above the list; the list itself stays focusable so keys keep working."""
        self.query_one("#contracts-loading", LoadingIndicator).display = loading

    def _show_restriction(self) -> None:
        self.query_one("#contracts-restricted").display = not self.values_visible

    def _show_problem(self) -> None:
        problem = self.problem
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
        lines = [problem.message]
        if problem.database_down:
            lines.append(_("Press ctrl+r to try again."))
        message.update(Text("⚠ " + " ".join(lines), style="bold red"))
        message.display = True

    def _info(self) -> Text:
        query = self.query_state
        text = Text()
        text.append(_("Sorted by: "), style="dim")
        text.append(sort_description(query.sort, query.descending), style="bold")
        text.append("  │  ", style="dim")
        total = sum(line.count for line in self.totals.lines) if self.totals else None
        table = self.query_one(ContractTable)
        position = count(table.absolute_row + 1)
        if self.loading_first:
            text.append(_("loading contracts…"), style="italic")
        elif table.row_count == 0:
            text.append(_("{shown} contracts loaded").format(shown=count(0)))
        elif total is not None:
            text.append(
                _("contract {position} of {total}").format(position=position, total=count(total))
            )
        else:
            text.append(_("contract {position}").format(position=position))
        if self.loading_more:
            text.append("  " + _("loading more…"), style="italic")
        elif self.next_cursor is not None and not self.loading_first:
            text.append("  " + _("(more below)"), style="dim")
        return text

    def _refresh_info(self) -> None:
        # Both lines change on every page: without a layout pass of the screen when their
        # size cannot change (one line of fixed height; a hidden line staying hidden).
        self.query_one("#contracts-info", Static).update(self._info(), layout=False)
        if self.problem is not None:
            return  # the problem stays in the message line
        message = self.query_one("#contracts-message", Static)
        empty = not self.loading_first and self.query_one(ContractTable).row_count == 0
        if empty or message.display:
            message.update(
                Text(_("No contracts match this filter."), style="italic") if empty else ""
            )
            message.display = empty

    # ------------------------------------------------------------------ filters and sort

    def set_query(self, query: ContractQuery) -> None:
        if query == self.query_state:
            return
        self.query_state = query
        self.query_one(StatusChoice).show_status(query.status)
        self.reload()

    def action_status(self, status: str) -> None:
        if status not in STATUS_FILTERS:
            return
        self.set_query(replace(self.query_state, status=status))  # type: ignore[arg-type]

    def action_search(self) -> None:
        self.query_one("#contracts-text", Field).focus()

    @on(Field.Changed, "#contracts-text")
    def _text_changed(self, event: Field.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        value = event.value
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, lambda: self._apply_text(value))

    def _apply_text(self, value: str) -> None:
        self._debounce = None
        self.set_query(replace(self.query_state, text=value))

    @on(Field.Submitted, "#contracts-text")
    def _text_submitted(self, event: Field.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.query_one(ContractTable).focus()
        self._apply_text(event.value)

    def sorts_offered(self) -> tuple[ContractSort, ...]:
        """Value sorting only when values are visible (the service refuses it otherwise)."""
        return tuple(s for s in SORT_CYCLE if self.values_visible or s is not ContractSort.VALUE)

    def action_sort_next(self) -> None:
        offered = self.sorts_offered()
        current = self.query_state.sort
        position = offered.index(current) if current in offered else -1
        self.set_query(replace(self.query_state, sort=offered[(position + 1) % len(offered)]))

    def action_sort_reverse(self) -> None:
        self.set_query(replace(self.query_state, descending=not self.query_state.descending))

    def action_reload(self) -> None:
        self.reload()

    # ------------------------------------------------------------------ export

    def export_path(self) -> Path:
        stamp = self.ctx.clock.now().astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
        return self.export_dir / f"contracts-{self.customer_id}-{stamp}.csv"

    def action_export(self) -> None:
        if self.exporting:
            self.notify(_("An export is already running."), severity="warning")
            return
        self.exporting = True
        self.notify(_("Exporting contracts…"), timeout=2)
        self._export_worker(self.query_state, self.export_path())

    @work(thread=True, exclusive=True, exit_on_error=False, group="contracts-export")
    def _export_worker(self, query: ContractQuery, path: Path) -> None:
        try:
            result = contracts.export_csv(
                self.ctx,
                self.principal,
                self.customer_id,
                path,
                status=query.status,
                text=query.text,
                sort=query.sort,
                descending=query.descending,
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            self.post_message(self.ExportFailed(describe_problem(err)))
        else:
            self.post_message(self.Exported(result))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.exporting = False
        result = message.result
        self.last_export = result
        note = "" if result.values_included else " " + _("(values omitted)")
        exported = _("{rows} contracts exported to {path}").format(
            rows=count(result.rows), path=result.path
        )
        self.notify(
            exported + note,
            title=_("CSV exported"),
            markup=False,
            timeout=10,
        )

    @on(ExportFailed)
    def _export_failed(self, message: ExportFailed) -> None:
        self.exporting = False
        problem = message.problem
        detail = " ".join(m for messages in problem.fields.values() for m in messages)
        self.notify(
            detail or problem.message,
            title=_("Export failed"),
            severity="error",
            markup=False,
            timeout=10,
        )
        if problem.database_down:
            self.post_message(DatabaseProblem(problem.message))

    # ------------------------------------------------------------------ leaving, palette

    def action_back(self) -> None:
        """From the filter field esc returns to the list; from the list it leaves the screen."""
        if isinstance(self.focused, Field):
            self.query_one(ContractTable).focus()
            return
        self.dismiss()

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
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
        ]
        return commands
