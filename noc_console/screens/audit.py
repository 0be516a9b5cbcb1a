"""The audit log (supervisors): filter by customer, operator, action and period; details on enter.

The service (``services.audit_query``) refuses anyone else and records the
refusal; this screen then says so in words and offers nothing else. Filters
typed here are only *parsed* here (a customer number, a YYYY-MM-DD date,
a day taken in America/Sao_Paulo); whether they make sense together is the
service's call. Pages are keyset pages, newest first, fetched as the reader
nears the end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Header, LoadingIndicator, Select, Static

from noc_console.errors import PermissionDenied
from noc_console.i18n import N_, _
from noc_console.screens.base import NocScreen, translate_bindings
from noc_console.screens.commands import PaletteCommand
from noc_console.screens.contracts import Problem, describe_problem
from noc_console.screens.session import DatabaseProblem
from noc_console.services import audit_query
from noc_console.services.audit_query import AuditFilters, AuditPage, AuditRow
from noc_console.widgets.audit_table import AuditTable, event_sheet
from noc_console.widgets.fields import Field
from noc_console.widgets.lazy_table import LazyTable
from noc_console.widgets.literal import printable
from noc_console.widgets.money import count
from noc_console.widgets.session_bar import SessionBar

if TYPE_CHECKING:
    from noc_console.services.context import Principal, ServiceContext

log = logging.getLogger(__name__)

PAGE_SIZE = 100
DEBOUNCE_SECONDS = 0.4
LOCAL_TZ = ZoneInfo("America/Sao_Paulo")

PERIODS: tuple[tuple[str, str], ...] = (
    ("any", N_("Any time")),
    ("today", N_("Today")),
    ("7d", N_("Last 7 days")),
    ("30d", N_("Last 30 days")),
    ("custom", N_("Chosen dates")),
)
_PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}

# Service field -> the input that shows its message.
_FIELD_WIDGETS = {
    "customer_id": "audit-customer",
    "operator_username": "audit-operator",
    "operator_id": "audit-operator",
    "action": "audit-action",
    "since": "audit-since",
    "until": "audit-until",
}
_FIELD_LABELS = {
    "audit-customer": N_("Customer"),
    "audit-operator": N_("Operator"),
    "audit-action": N_("Action"),
    "audit-since": N_("From"),
    "audit-until": N_("Until"),
}


@dataclass(frozen=True)
class FilterInput:
    """What the filter widgets hold, as typed."""

    customer: str = ""
    operator: str = ""
    action: str | None = None
    since: str = ""
    until: str = ""


def preset_dates(period: str, today: date) -> tuple[str, str] | None:
    """The From/Until texts a period preset stands for; None for "chosen dates"."""
    if period == "any":
        return "", ""
    days = _PERIOD_DAYS.get(period)
    if days is None:
        return None
    return (today - timedelta(days=days - 1)).isoformat(), ""


def _parse_day(text: str) -> date:
    return date.fromisoformat(text.strip())


def parse_filters(typed: FilterInput) -> tuple[AuditFilters | None, dict[str, str]]:
    """Typed text -> AuditFilters, or messages per widget id for what cannot be read.

    Days are local (America/Sao_Paulo): "from" is the start of that day,
    "until" includes the whole day (the service's ``until`` is exclusive).
    """
    errors: dict[str, str] = {}
    customer_id: int | None = None
    raw_customer = typed.customer.strip().lstrip("#")
    if raw_customer:
        if raw_customer.isascii() and raw_customer.isdigit() and len(raw_customer) <= 18:
            customer_id = int(raw_customer)
        else:
            errors["audit-customer"] = _("a customer number, digits only")
    since: datetime | None = None
    until: datetime | None = None
    for widget_id, raw in (("audit-since", typed.since), ("audit-until", typed.until)):
        if not raw.strip():
            continue
        try:
            day = _parse_day(raw)
        except ValueError:
            errors[widget_id] = _("a date as YYYY-MM-DD")
            continue
        if widget_id == "audit-since":
            since = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
        else:
            until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    if errors:
        return None, errors
    return (
        AuditFilters(
            customer_id=customer_id,
            operator_username=typed.operator.strip() or None,
            action=typed.action or None,
            since=since,
            until=until,
        ),
        {},
    )


class AuditDetailsScreen(ModalScreen[None]):
    """One event, every field and every detail key on its own line."""

    CSS_PATH = "audit.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", N_("Close"), id="audit.details_close"),
    ]

    def __init__(self, row: AuditRow) -> None:
        super().__init__()
        translate_bindings(self)
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-details-dialog"):
            yield Static(
                Text(_("Audit event #{id}").format(id=self.row.id), style="bold"),
                id="audit-details-title",
            )
            with VerticalScroll(id="audit-details-body"):
                yield Static(event_sheet(self.row), id="audit-details-sheet")
            yield Static(_("esc or enter closes"), id="audit-details-hint")

    def action_close(self) -> None:
        self.dismiss()


class AuditLogScreen(NocScreen):
    """The audit log, newest first; opened for one customer or for the whole log."""

    CSS_PATH = "audit.tcss"
    AUTO_FOCUS = "#audit-table"  # the list, not the first filter: keys act at once
    HELP_TITLE = N_("Audit log")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="audit.back"),
        Binding("slash", "filter", N_("Filters"), id="audit.filter"),
        Binding("enter", "details", N_("Details"), id="audit.details"),
        Binding("ctrl+r", "reload", N_("Reload"), id="audit.reload"),
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: AuditPage, first: bool) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.first = first

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
        self.typed = FilterInput(customer="" if customer_id is None else str(customer_id))
        self.period = "any"
        self.filters: AuditFilters | None = None
        self.generation = 0
        self.rows_loaded = 0
        self.next_cursor: str | None = None
        self.loading_first = False
        self.loading_more = False
        self.problem: Problem | None = None
        self.denied = False
        self.field_errors: dict[str, str] = {}
        self.actions: tuple[str, ...] = ()
        self._actions_requested = False
        self._pages: list[AuditPage] = []
        self._by_id: dict[str, AuditRow] = {}
        self._debounce: Timer | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield SessionBar()  # the app says who is logged in and where
        yield Static(self._title(), id="audit-title")
        with Horizontal(id="audit-filters"):
            yield self._field("audit-customer", self.typed.customer, _("number"))
            yield self._field("audit-operator", self.typed.operator, _("username"))
            action = Select(
                self._action_options(),
                prompt=_("All actions"),
                value=self.typed.action if self.typed.action else Select.NULL,
                id="audit-action",
            )
            yield action
            period = Select(
                [(Text(_(label)), key) for key, label in PERIODS],
                allow_blank=False,
                value=self.period,
                id="audit-period",
            )
            yield period
            yield self._field("audit-since", self.typed.since, _("YYYY-MM-DD"))
            yield self._field("audit-until", self.typed.until, _("YYYY-MM-DD"))
        yield Static("", id="audit-filter-error")
        yield Static(self._info(), id="audit-info")
        yield LoadingIndicator(id="audit-loading")
        yield AuditTable(id="audit-table")
        yield Static("", id="audit-preview")
        yield Static("", id="audit-message")
        yield Footer()

    def _field(self, widget_id: str, value: str, placeholder: str) -> Field:
        field = Field(value=value, placeholder=placeholder, id=widget_id)
        field.border_title = _(_FIELD_LABELS[widget_id])
        return field

    def _action_options(self) -> list[tuple[Text, str]]:
        known = list(self.actions)
        if self.typed.action and self.typed.action not in known:
            known.append(self.typed.action)
        return [(Text(action), action) for action in known]

    def _title(self) -> Text:
        """Says whose events are listed: one customer (as filtered now) or everyone's."""
        text = Text(_("Audit log"), style="bold")
        customer_id = self.filters.customer_id if self.filters else self.customer_id
        if customer_id is not None:
            text.append("  —  " + _("customer #{id}").format(id=customer_id))
        else:
            text.append("  —  " + _("all customers"))
        return text

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
        self.typed = self._read_widgets()
        return {"focused": self.focused.id if self.focused else None}

    def restore_state(self, state: dict[str, Any]) -> None:
        """After a language switch: the same filters and the loaded pages, no new query."""
        self._label_selects()
        self._show_loading(self.loading_first)
        if self.denied:
            for widget_id in ("#audit-filters", "#audit-table"):
                self.query_one(widget_id).display = False
        table = self.query_one(AuditTable)
        for page in self._pages:
            table.add_events(page.rows)
        self._show_messages()
        self._show_preview()
        focused = state.get("focused")
        if focused:
            for widget in self.query(f"#{focused}"):
                widget.focus()
                break

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
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if self.denied:
            return
        self.typed = self._read_widgets()
        filters, errors = parse_filters(self.typed)
        self.field_errors = errors
        if filters is None:
            self._show_messages()
            return
        if filters == self.filters and self.problem is None:
            self._show_messages()
            return
        self.filters = filters
        self.reload()

    def _later(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.apply_filters)

    @on(Field.Changed)
    def _field_changed(self, event: Field.Changed) -> None:
        if event.input.id in ("audit-since", "audit-until"):
            self._dates_edited()
        self._later()

    @on(Field.Submitted)
    def _field_submitted(self, event: Field.Submitted) -> None:
        self.query_one(AuditTable).focus()
        self.apply_filters()

    @on(Select.Changed, "#audit-action")
    def _action_changed(self, event: Select.Changed) -> None:
        self.apply_filters()

    @on(Select.Changed, "#audit-period")
    def _period_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return
        self.period = event.value
        dates = preset_dates(event.value, self._today())
        if dates is not None:
            since, until = dates
            self.query_one("#audit-since", Field).value = since
            self.query_one("#audit-until", Field).value = until
        self._later()

    def _dates_edited(self) -> None:
        """Dates typed by hand that differ from the preset turn the period into "chosen dates"."""
        period = self.query_one("#audit-period", Select)
        expected = preset_dates(str(period.value), self._today())
        typed = (
            self.query_one("#audit-since", Field).value,
            self.query_one("#audit-until", Field).value,
        )
        if expected is not None and typed != expected:
            period.value = "custom"

    def _today(self) -> date:
        return self.ctx.clock.now().astimezone(LOCAL_TZ).date()

    def action_filter(self) -> None:
        if not self.denied:
            self.query_one("#audit-customer", Field).focus()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        if self.filters is None or self.denied:
            return
        self.generation += 1
        self.rows_loaded = 0
        self.next_cursor = None
        self.loading_more = False
        self.loading_first = True
        self.problem = None
        self._pages = []
        self._by_id = {}
        table = self.query_one(AuditTable)
        table.clear()
        self._show_loading(True)
        self._show_messages()
        self._page_worker(self.generation, self.filters, None)

    def load_more(self) -> None:
        if self.loading_first or self.loading_more or self.next_cursor is None:
            return
        if self.filters is None:
            return
        self.loading_more = True
        self._show_messages()
        self._page_worker(self.generation, self.filters, self.next_cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-page")
    def _page_worker(self, generation: int, filters: AuditFilters, cursor: str | None) -> None:
        try:
            page = audit_query.query(
                self.ctx, self.principal, filters, cursor=cursor, page_size=PAGE_SIZE
            )
        except Exception as err:  # noqa: BLE001 - every failure becomes words on screen
            denied = isinstance(err, PermissionDenied)
            self.post_message(self.LoadFailed(generation, describe_problem(err), denied))
        else:
            self.post_message(self.PageLoaded(generation, page, first=cursor is None))

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
        if message.generation != self.generation:
            return
        table = self.query_one(AuditTable)
        if message.first:
            self.loading_first = False
            self._show_loading(False)
            if self.focused is None:
                table.focus()
            if not self._actions_requested:
                # Only once the service has let us read the log: a refusal is recorded once.
                self._actions_requested = True
                self._actions_worker()
        else:
            self.loading_more = False
        self._pages.append(message.page)
        self._by_id.update((str(row.id), row) for row in message.page.rows)
        self.rows_loaded += table.add_events(message.page.rows)
        self.next_cursor = message.page.next_cursor
        self._show_messages()
        if table.near_end():
            self.load_more()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.generation != self.generation:
            return
        self.loading_first = False
        self.loading_more = False
        self._show_loading(False)
        self.problem = message.problem
        if message.denied:
            self.denied = True
            for widget_id in ("#audit-filters", "#audit-table"):
                self.query_one(widget_id).display = False
            self.refresh_bindings()
        self._show_messages()
        if message.problem.database_down:
            self.post_message(DatabaseProblem(message.problem.message))

    @on(ActionsLoaded)
    def _actions_loaded(self, message: ActionsLoaded) -> None:
        self.actions = message.actions
        select = self.query_one("#audit-action", Select)
        current = select.value
        select.set_options(self._action_options())
        if isinstance(current, str) and current in self.actions:
            select.value = current

    @on(LazyTable.NearEnd)
    def _near_end(self, message: LazyTable.NearEnd) -> None:
        self.load_more()

    @on(AuditTable.RowHighlighted)
    def _row_highlighted(self, event: AuditTable.RowHighlighted) -> None:
        self._show_preview()

    def _show_preview(self) -> None:
        """The highlighted event's whole summary, literally (the table cell may be cut)."""
        row = self.highlighted_row()
        preview = self.query_one("#audit-preview", Static)
        if row is None or self.denied:
            preview.update("")
            preview.display = False
            return
        text = Text()
        text.append(_("Details") + ": ", style="bold")
        text.append(printable(row.summary) if row.summary else "—")
        text.append("   " + _("(enter: everything)"), style="dim")
        preview.update(text)
        preview.display = True

    # ------------------------------------------------------------------ messages

    def _show_loading(self, loading: bool) -> None:
        """A spinner above the list; the list itself stays focusable so keys keep working."""
        self.query_one("#audit-loading", LoadingIndicator).display = loading

    def _show_messages(self) -> None:
        errors = dict(self.field_errors)
        if self.problem is not None:
            for field, messages in self.problem.fields.items():
                widget_id = _FIELD_WIDGETS.get(field)
                if widget_id:
                    errors[widget_id] = " ".join(messages)
        for widget_id in _FIELD_LABELS:
            self.query_one(f"#{widget_id}").set_class(widget_id in errors, "-invalid")
        error_line = self.query_one("#audit-filter-error", Static)
        if errors:
            text = Text(style="bold red")
            for widget_id, message in errors.items():
                if len(text):
                    text.append("  ·  ")
                text.append(f"{_(_FIELD_LABELS[widget_id])}: {message}")
            error_line.update(text)
        error_line.display = bool(errors)
        self.query_one("#audit-info", Static).update(self._info())
        self.query_one("#audit-title", Static).update(self._title())
        message_line = self.query_one("#audit-message", Static)
        shown: Text | None = None
        if self.problem is not None and not self.problem.fields:
            lines = [self.problem.message]
            if self.problem.database_down:
                lines.append(_("Press ctrl+r to try again."))
            if self.denied:
                lines = [_("The audit log is for supervisors."), *lines]
            shown = Text("⚠ " + " ".join(lines), style="bold red")
        elif not self.loading_first and self.rows_loaded == 0 and not errors:
            shown = Text(_("No audit events match these filters."), style="italic")
        message_line.update(shown or "")
        message_line.display = shown is not None

    def _info(self) -> Text:
        text = Text()
        if self.denied:
            return text
        text.append(_("Newest first"), style="dim")
        text.append("  │  ", style="dim")
        if self.loading_first:
            text.append(_("loading events…"), style="italic")
            return text
        text.append(_("{shown} events loaded").format(shown=count(self.rows_loaded)))
        if self.loading_more:
            text.append("  " + _("loading more…"), style="italic")
        elif self.next_cursor is not None:
            text.append("  " + _("(more below)"), style="dim")
        return text

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """After a refusal only "back" is offered: the other keys would have nothing to act on."""
        return not (self.denied and action in ("filter", "details", "reload"))

    def highlighted_row(self) -> AuditRow | None:
        table = self.query_one(AuditTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._by_id.get(key or "")

    def action_details(self) -> None:
        row = self.highlighted_row()
        if row is not None:
            self.app.push_screen(AuditDetailsScreen(row))

    @on(AuditTable.RowSelected)
    def _row_clicked(self, event: AuditTable.RowSelected) -> None:
        self.action_details()

    def action_reload(self) -> None:
        if self.denied:
            return
        self.problem = None
        self.filters = None
        self.apply_filters()

    def action_back(self) -> None:
        """From a filter esc returns to the list; from the list it leaves the screen."""
        if isinstance(self.focused, Field | Select):
            self.query_one(AuditTable).focus()
            return
        self.dismiss()

    def palette_commands(self) -> list[PaletteCommand]:
        return [
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
        ]
