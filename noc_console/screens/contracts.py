"""Contract browser (``c`` on a customer): filter, sort, lazy pages, totals, CSV export.

Thin over ``services.contracts``: the service decides who sees values, which
sorts are allowed and what the CSV holds; this screen only asks and shows.
Every query runs in a thread worker and comes back as a message stamped
with the list's generation, so an answer for an older filter or sort is
dropped instead of being mixed into the current list. Pages are keyset
pages fetched only when the reader nears the last loaded row: a customer
with 100,000 contracts costs one page at a time.
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
from textual.widgets import Footer, Header, LoadingIndicator, Static

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
from noc_console.services.errors import (
    DatabaseUnavailable,
    DomainError,
    ValidationError,
)
from noc_console.services.permissions import Permission
from noc_console.widgets.cells import literal
from noc_console.widgets.contract_table import (
    ContractTable,
    ContractTotalsPanel,
    StatusChoice,
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
        def __init__(self, generation: int, page: ContractPage, first: bool) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.first = first

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
        self.rows_loaded = 0
        self.next_cursor: str | None = None
        self.loading_first = False
        self.loading_more = False
        self.loading_totals = False
        self.totals: ContractTotals | None = None
        self.problem: Problem | None = None
        self.exporting = False
        self.last_export: ExportResult | None = None
        self._pages: list[ContractPage] = []
        self._debounce: Timer | None = None

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
        yield Static(self._info(), id="contracts-info")
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
        return {"focused": self.focused.id if self.focused else None}

    def restore_state(self, state: dict[str, Any]) -> None:
        """After a re-compose: put the loaded pages back without asking the database again."""
        table = self.query_one(ContractTable)
        for page in self._pages:
            table.add_contracts(page.rows)
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
        self.rows_loaded = 0
        self.next_cursor = None
        self.loading_more = False
        self.loading_first = True
        self.totals = None
        self.problem = None
        self._pages = []
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
        self._page_worker(self.generation, query, None)
        self._totals_worker(self.generation, query)

    def load_more(self) -> None:
        """Fetch the next page unless one is already on its way or the list is complete."""
        if self.loading_first or self.loading_more or self.next_cursor is None:
            return
        self.loading_more = True
        self._refresh_info()
        self._page_worker(self.generation, self.query_state, self.next_cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="contracts-page")
    def _page_worker(self, generation: int, query: ContractQuery, cursor: str | None) -> None:
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
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            self.post_message(self.LoadFailed(generation, "page", describe_problem(err)))
        else:
            self.post_message(self.PageLoaded(generation, page, first=cursor is None))

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
        if message.generation != self.generation:
            return  # an answer for a list no longer shown
        page = message.page
        table = self.query_one(ContractTable)
        if message.first:
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
        else:
            self.loading_more = False
        self._pages.append(page)
        self.rows_loaded += table.add_contracts(page.rows)
        self.next_cursor = page.next_cursor
        self._refresh_info()
        if table.near_end():
            self.load_more()

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
            self.loading_first = False
            self.loading_more = False
            self._show_loading(False)
        else:
            self.query_one(ContractTotalsPanel).loading = self.loading_totals = False
        if self.problem is None or message.what == "page":
            self.problem = message.problem
        self._show_problem()
        self._refresh_info()
        if message.problem.database_down:
            self.post_message(DatabaseProblem(message.problem.message))

    @on(LazyTable.NearEnd)
    def _near_end(self, message: LazyTable.NearEnd) -> None:
        self.load_more()

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
        if self.loading_first:
            text.append(_("loading contracts…"), style="italic")
        elif total is not None:
            text.append(
                _("{shown} of {total} contracts loaded").format(
                    shown=count(self.rows_loaded), total=count(total)
                )
            )
        else:
            text.append(_("{shown} contracts loaded").format(shown=count(self.rows_loaded)))
        if self.loading_more:
            text.append("  " + _("loading more…"), style="italic")
        elif self.next_cursor is not None and not self.loading_first:
            text.append("  " + _("(more below)"), style="dim")
        return text

    def _refresh_info(self) -> None:
        self.query_one("#contracts-info", Static).update(self._info())
        if self.problem is not None:
            return  # the problem stays in the message line
        message = self.query_one("#contracts-message", Static)
        empty = not self.loading_first and self.rows_loaded == 0
        message.update(Text(_("No contracts match this filter."), style="italic") if empty else "")
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
