"""The audit log (supervisors): filter by customer, operator, action and period; details on enter.

The service (``services.audit_query``) refuses anyone else and records the
refusal; this screen then says so in words and offers nothing else. What the
filters mean, which page is due and what a refusal leaves is
``AuditLogState``'s; this screen composes the widgets, runs the queries in
thread workers and shows the state. Pages are keyset pages, newest first,
fetched as the reader nears the end.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Input, LoadingIndicator, Select, Static

from noc_console.errors import PermissionDenied
from noc_console.i18n import N_, _
from noc_console.screens.audit.details import AuditDetailsScreen
from noc_console.screens.audit.state import FIELD_LABELS, PERIODS, AuditLogState, FilterInput
from noc_console.screens.audit.view import (
    errors_text,
    filter_field,
    info_text,
    preview_text,
    title_text,
)
from noc_console.screens.base import back_binding
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.messages import DatabaseProblem
from noc_console.screens.paged_list import PagedListScreen
from noc_console.screens.problem import Problem, describe_problem
from noc_console.services import audit_query
from noc_console.services.audit_query import AuditFilters, AuditPage, AuditRow
from noc_console.widgets.audit_table import AuditTable
from noc_console.widgets.fields import Field
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

log = logging.getLogger(__name__)

PAGE_SIZE = 100


class AuditLogScreen(PagedListScreen):
    """The audit log, newest first; opened for one customer or for the whole log."""

    CSS_PATH = "audit.tcss"
    AUTO_FOCUS = "#audit-table"  # the list, not the first filter: keys act at once
    HELP_TITLE = N_("Audit log")
    LIST_ID = "audit-table"
    LOADING_ID = "audit-loading"
    DEBOUNCE_SECONDS = 0.4
    BINDINGS: ClassVar[list[BindingType]] = [
        back_binding("audit"),
        Binding("slash", "filter", N_("Filters"), id="audit.filter"),
        Binding("enter", "details", N_("Details"), id="audit.details"),
        Binding("ctrl+r", "reload", N_("Reload"), id="audit.reload"),
    ]
    PALETTE: ClassVar[tuple[PaletteCommand, ...]] = (
        PaletteCommand(
            "audit.filter",
            N_("Audit log: filters"),
            N_("Filter by customer, operator, action or period"),
            "filter",
        ),
        PaletteCommand(
            "audit.reload",
            N_("Audit log: reload"),
            N_("Read the newest events again"),
            "reload",
        ),
    )

    class PageLoaded(Message):
        def __init__(self, generation: int, index: int, page: AuditPage) -> None:
            super().__init__()
            self.generation = generation
            self.index = index  # the page's place in the list (0: the newest events)
            self.page = page

    class LoadFailed(Message):
        def __init__(self, generation: int, problem: Problem, denied: bool) -> None:
            super().__init__()
            self.generation = generation
            self.problem = problem
            self.denied = denied

    class ActionsLoaded(Message):
        def __init__(self, actions: tuple[str, ...]) -> None:
            super().__init__()
            self.actions = actions

    def __init__(
        self,
        ctx: ServiceContext,
        principal: Principal,
        *,
        customer_id: int | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.principal = principal
        self.customer_id = customer_id
        self.state = AuditLogState(customer_id)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        typed = self.state.typed
        yield Header()
        yield SessionBar()  # the app says who is logged in and where
        yield Static(title_text(self.state), id="audit-title")
        with Horizontal(id="audit-filters"):
            yield filter_field("audit-customer", typed.customer, _("number"))
            yield filter_field("audit-operator", typed.operator, _("username"))
            yield Select(
                [(Text(action), action) for action in self.state.action_choices()],
                prompt=_("All actions"),
                value=typed.action if typed.action else Select.NULL,
                id="audit-action",
            )
            yield Select(
                [(Text(_(label)), key) for key, label in PERIODS],
                allow_blank=False,
                value=self.state.period,
                id="audit-period",
            )
            yield filter_field("audit-since", typed.since, _("YYYY-MM-DD"))
            yield filter_field("audit-until", typed.until, _("YYYY-MM-DD"))
        yield Static("", id="audit-filter-error")
        yield Static(info_text(self.state), id="audit-info")
        yield LoadingIndicator(id="audit-loading")
        yield AuditTable(id="audit-table")
        yield Static("", id="audit-preview")
        yield Static("", id="audit-message")
        yield Footer()

    def on_mount(self) -> None:
        self._label_selects()
        self.apply_filters()
        self.query_one(AuditTable).focus()

    def _label_selects(self) -> None:
        """A Select draws its border on its inner SelectCurrent: the label goes there."""
        for select_id, label in (("audit-action", N_("Action")), ("audit-period", N_("Period"))):
            for current in self.query(f"#{select_id} > SelectCurrent"):
                current.border_title = _(label)

    def capture_state(self) -> dict[str, Any]:
        """Before a re-compose: compose() builds the filters from ``typed``; keep what is typed."""
        self.state.typed = self._read_widgets()
        return super().capture_state()

    def restore_state(self, state: dict[str, Any]) -> None:
        """After a language switch: the same filters and the loaded pages, no new query."""
        self._label_selects()
        self.show_loading(self.state.paging.loading_first)
        table = self.query_one(AuditTable)
        for page in self.state.paging.pages:
            table.add_events(page.rows)
        self._show_messages()
        self._show_preview()
        self.refocus(state)

    # ------------------------------------------------------------------ filters

    def _read_widgets(self) -> FilterInput:
        action = self.query_one("#audit-action", Select).value
        return FilterInput(
            customer=self.query_one("#audit-customer", Field).value,
            operator=self.query_one("#audit-operator", Field).value,
            action=action if isinstance(action, str) else None,
            since=self.query_one("#audit-since", Field).value,
            until=self.query_one("#audit-until", Field).value,
        )

    def apply_filters(self) -> None:
        """Read the widgets; reload when they mean a different list than the one shown."""
        self.cancel_debounce()
        if self.state.denied:
            return
        if self.state.take(self._read_widgets()):
            self.reload()
        else:
            self._show_messages()

    def filter_edited(self, field: Input) -> None:
        """Dates typed by hand that differ from the preset turn the period into "chosen dates"."""
        if field.id not in ("audit-since", "audit-until"):
            return
        period = self.query_one("#audit-period", Select)
        since = self.query_one("#audit-since", Field).value
        until = self.query_one("#audit-until", Field).value
        today = self.state.today(self.ctx.clock.now())
        if self.state.period_for(str(period.value), since, until, today) is not None:
            period.value = "custom"

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        """An action applies at once; a period preset fills the dates, applied after the pause."""
        if event.select.id != "audit-period":
            self.apply_filters()
            return
        if not isinstance(event.value, str):
            return
        dates = self.state.pick_period(event.value, self.state.today(self.ctx.clock.now()))
        if dates is not None:
            since, until = dates
            self.query_one("#audit-since", Field).value = since
            self.query_one("#audit-until", Field).value = until
        self.debounce_filters()

    def action_filter(self) -> None:
        if not self.state.denied:
            self.query_one("#audit-customer", Field).focus()

    def action_reload(self) -> None:
        if self.state.forget_filters():
            self.apply_filters()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        generation = self.state.restart()
        if generation is None or self.state.filters is None:
            return
        self.query_one(AuditTable).clear()
        self.show_loading(True)
        self._show_messages()
        self._page_worker(generation, self.state.filters, 0, None)

    def load_more(self) -> None:
        index = self.state.paging.next_index()
        if index is None or self.state.filters is None:
            return
        cursor = self.state.paging.fetch(index)
        self._show_messages()
        self._page_worker(self.state.paging.generation, self.state.filters, index, cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-page")
    def _page_worker(
        self, generation: int, filters: AuditFilters, index: int, cursor: str | None
    ) -> None:
        try:
            page = audit_query.query(
                self.ctx, self.principal, filters, cursor=cursor, page_size=PAGE_SIZE
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            denied = isinstance(err, PermissionDenied)
            self.post_message(self.LoadFailed(generation, describe_problem(err), denied))
        else:
            self.post_message(self.PageLoaded(generation, index, page))

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-actions")
    def _actions_worker(self) -> None:
        try:
            actions = audit_query.list_actions(self.ctx, self.principal)
        except Exception as err:  # noqa: BLE001 - the filter simply keeps its current choices
            problem = describe_problem(err)
            log.warning("audit actions not loaded: %s", type(err).__name__)
            if problem.database_down:
                self.post_message(DatabaseProblem(problem.message))
        else:
            self.post_message(self.ActionsLoaded(actions))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if not self.state.paging.expects(message.generation, message.index):
            return
        first, ask_actions = self.state.page_arrived(message.index, message.page)
        table = self.query_one(AuditTable)
        if first:
            self.show_loading(False)
            if self.focused is None:
                table.focus()
        if ask_actions:
            self._actions_worker()
        self.state.rows_loaded += table.add_events(message.page.rows)
        self._show_messages()
        if table.near_end():
            self.load_more()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if not self.state.paging.is_current(message.generation):
            return
        self.show_loading(False)
        self.state.failed(message.problem, denied=message.denied)
        if message.denied:
            self.refresh_bindings()
        self._show_messages()
        if message.problem.database_down:
            self.post_message(DatabaseProblem(message.problem.message))

    @on(ActionsLoaded)
    def _actions_loaded(self, message: ActionsLoaded) -> None:
        self.state.actions = message.actions
        select = self.query_one("#audit-action", Select)
        current = select.value
        select.set_options([(Text(action), action) for action in self.state.action_choices()])
        if isinstance(current, str) and current in self.state.actions:
            select.value = current

    # ------------------------------------------------------------------ what the screen says

    @on(AuditTable.RowHighlighted)
    def _show_preview(self, _event: AuditTable.RowHighlighted | None = None) -> None:
        """The highlighted event's whole summary under the list (the table cell may be cut)."""
        row = self.highlighted_row()
        preview = self.query_one("#audit-preview", Static)
        if row is None or self.state.denied:
            preview.update("")
            preview.display = False
            return
        preview.update(preview_text(row))
        preview.display = True

    def _show_messages(self) -> None:
        """Filter errors by their inputs, the info and title lines, the line under the list.

        After a refusal the filters and the list are hidden: only the refusal is said.
        """
        for widget_id in ("#audit-filters", "#audit-table"):
            self.query_one(widget_id).display = not self.state.denied
        errors = self.state.errors()
        for widget_id in FIELD_LABELS:
            self.query_one(f"#{widget_id}").set_class(widget_id in errors, "-invalid")
        error_line = self.query_one("#audit-filter-error", Static)
        if errors:
            error_line.update(errors_text(errors))
        error_line.display = bool(errors)
        self.query_one("#audit-info", Static).update(info_text(self.state))
        self.query_one("#audit-title", Static).update(title_text(self.state))
        message_line = self.query_one("#audit-message", Static)
        said = self.state.message()
        if said is None:
            message_line.update("")
        else:
            kind, words = said
            style = "bold red" if kind == "problem" else "italic"
            message_line.update(Text(words, style=style))
        message_line.display = said is not None

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.state.allows(action)

    def highlighted_row(self) -> AuditRow | None:
        table = self.query_one(AuditTable)
        if table.row_count == 0:
            return None
        return self.state.row(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_details(self) -> None:
        row = self.highlighted_row()
        if row is not None:
            self.app.push_screen(AuditDetailsScreen(row))

    @on(AuditTable.RowSelected)
    def _row_clicked(self, event: AuditTable.RowSelected) -> None:
        self.action_details()
