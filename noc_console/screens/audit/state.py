"""The audit log screen's state: filters as typed and as read, the pages loaded, a refusal.

Plain Python (no Textual), so the screen's rules are tested without a
terminal. Filters typed here are only *parsed* here (a customer number, a
YYYY-MM-DD date, a day taken in America/Sao_Paulo); whether they make sense
together is the service's call, and its answer (per-field messages, or a
refusal for anyone but a supervisor) is kept here for the screen to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from noc_console.i18n import N_, _
from noc_console.screens.paging import PageWindow
from noc_console.screens.problem import Problem, problem_words
from noc_console.services.audit_query import AuditFilters, AuditPage, AuditRow

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")

PERIODS: tuple[tuple[str, str], ...] = (
    ("any", N_("Any time")),
    ("today", N_("Today")),
    ("7d", N_("Last 7 days")),
    ("30d", N_("Last 30 days")),
    ("custom", N_("Chosen dates")),
)
_PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}

FIELD_WIDGETS = {
    "customer_id": "audit-customer",
    "operator_username": "audit-operator",
    "operator_id": "audit-operator",
    "action": "audit-action",
    "since": "audit-since",
    "until": "audit-until",
}
"""Service field -> the input that shows its message."""
FIELD_LABELS = {
    "audit-customer": N_("Customer"),
    "audit-operator": N_("Operator"),
    "audit-action": N_("Action"),
    "audit-since": N_("From"),
    "audit-until": N_("Until"),
}
"""Filter input -> its label (msgid), also the name its messages start with."""
LOCKED_ACTIONS = ("filter", "details", "reload")
"""Actions with nothing to act on after a refusal (only "back" stays)."""


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


MessageKind = Literal["problem", "empty"]


class AuditLogState:
    """The audit log as the screen shows it; opened for one customer or for the whole log."""

    def __init__(self, customer_id: int | None = None) -> None:
        self.customer_id = customer_id
        self.typed = FilterInput(customer="" if customer_id is None else str(customer_id))
        self.period = "any"
        self.filters: AuditFilters | None = None
        self.field_errors: dict[str, str] = {}
        self.problem: Problem | None = None
        self.denied = False
        self.actions: tuple[str, ...] = ()
        self.actions_requested = False
        self.paging: PageWindow[AuditPage] = PageWindow()  # every page stays
        self.rows_loaded = 0
        self._by_id: dict[str, AuditRow] = {}

    # ------------------------------------------------------------------ filters

    def take(self, typed: FilterInput) -> bool:
        """Take what the widgets hold; True when it means another list than the one shown."""
        self.typed = typed
        filters, errors = parse_filters(typed)
        self.field_errors = errors
        if filters is None:
            return False
        if filters == self.filters and self.problem is None:
            return False
        self.filters = filters
        return True

    def forget_filters(self) -> bool:
        """ctrl+r: the next ``take`` reloads even the same filters; False after a refusal."""
        if self.denied:
            return False
        self.problem = None
        self.filters = None
        return True

    def pick_period(self, period: str, today: date) -> tuple[str, str] | None:
        """A period preset was chosen: the From/Until texts it stands for (None: keep them)."""
        self.period = period
        return preset_dates(period, today)

    @staticmethod
    def period_for(period: str, since: str, until: str, today: date) -> str | None:
        """Dates typed by hand that differ from the preset make it "chosen dates" (else None)."""
        expected = preset_dates(period, today)
        if expected is not None and (since, until) != expected:
            return "custom"
        return None

    @staticmethod
    def today(now: datetime) -> date:
        return now.astimezone(LOCAL_TZ).date()

    def action_choices(self) -> list[str]:
        """The actions the log holds, plus the one typed if the log does not (yet) list it."""
        known = list(self.actions)
        if self.typed.action and self.typed.action not in known:
            known.append(self.typed.action)
        return known

    # ------------------------------------------------------------------ pages

    def restart(self) -> int | None:
        """A new list for the filters; None when there is none to load (unreadable, refused)."""
        if self.filters is None or self.denied:
            return None
        self.rows_loaded = 0
        self.problem = None
        self._by_id = {}
        return self.paging.restart()

    def page_arrived(self, index: int, page: AuditPage) -> tuple[bool, bool]:
        """Page ``index`` came: (it is the list's first, the actions are to be asked for now).

        The actions are asked for once, only after the service let us read the log:
        a refusal is recorded once.
        """
        first = self.paging.loading_first
        self.paging.arrived(index, page)
        self.paging.place(index, page)
        self._by_id.update((str(row.id), row) for row in page.rows)
        ask_actions = first and not self.actions_requested
        self.actions_requested = self.actions_requested or ask_actions
        return first, ask_actions

    def failed(self, problem: Problem, *, denied: bool) -> None:
        self.paging.failed()
        self.problem = problem
        self.denied = self.denied or denied

    def row(self, key: str | None) -> AuditRow | None:
        return self._by_id.get(key or "")

    def allows(self, action: str) -> bool:
        """After a refusal only "back" is offered: the other keys would have nothing to act on."""
        return not (self.denied and action in LOCKED_ACTIONS)

    # ------------------------------------------------------------------ what is said

    def title_customer(self) -> int | None:
        """Whose events are listed: the customer filtered now (or opened for); None: everyone's."""
        return self.filters.customer_id if self.filters else self.customer_id

    def errors(self) -> dict[str, str]:
        """Messages per filter input: what could not be read, then what the service refused."""
        errors = dict(self.field_errors)
        if self.problem is not None:
            for field, messages in self.problem.fields.items():
                widget_id = FIELD_WIDGETS.get(field)
                if widget_id:
                    errors[widget_id] = " ".join(messages)
        return errors

    def message(self) -> tuple[MessageKind, str] | None:
        """The line under the list: a problem not tied to a filter, or "nothing matches"."""
        if self.problem is not None and not self.problem.fields:
            before = [_("The audit log is for supervisors.")] if self.denied else []
            return "problem", problem_words(self.problem, before=before)
        if not self.paging.loading_first and self.rows_loaded == 0 and not self.errors():
            return "empty", _("No audit events match these filters.")
        return None
