"""AuditLogState: the audit log's filters, pages and refusal without a terminal."""

from __future__ import annotations

from datetime import UTC, date, datetime

from noc_console.screens.audit.state import (
    AuditLogState,
    FilterInput,
    parse_filters,
    preset_dates,
)
from noc_console.screens.problem import Problem
from noc_console.services.audit_query import AuditPage

TODAY = date(2026, 11, 25)


def test_presets_and_hand_typed_dates() -> None:
    assert preset_dates("any", TODAY) == ("", "")
    assert preset_dates("today", TODAY) == ("2026-11-25", "")
    assert preset_dates("7d", TODAY) == ("2026-11-19", "")
    assert preset_dates("custom", TODAY) is None
    state = AuditLogState()
    assert state.pick_period("30d", TODAY) == ("2026-10-27", "") and state.period == "30d"
    assert state.period_for("30d", "2026-10-27", "", TODAY) is None
    assert state.period_for("30d", "2026-11-01", "", TODAY) == "custom"
    assert state.period_for("custom", "2026-11-01", "", TODAY) is None
    assert AuditLogState.today(datetime(2026, 11, 25, 2, 0, tzinfo=UTC)) == date(2026, 11, 24)


def test_parse_errors_by_widget() -> None:
    filters, errors = parse_filters(FilterInput(customer="12a", since="25/11/2026"))
    assert filters is None
    assert set(errors) == {"audit-customer", "audit-since"}


def test_take_reloads_only_for_another_list() -> None:
    state = AuditLogState(customer_id=7)
    assert state.typed.customer == "7"
    assert state.title_customer() == 7
    assert state.take(FilterInput(customer="7"))
    assert not state.take(FilterInput(customer="7"))  # the same list
    assert not state.take(FilterInput(customer="x"))  # unreadable: nothing queried
    assert state.errors() == {"audit-customer": "a customer number, digits only"}
    assert state.take(FilterInput())
    assert state.title_customer() is None
    assert state.forget_filters() and state.filters is None


def test_pages_rows_and_the_actions_asked_once() -> None:
    state = AuditLogState()
    assert state.restart() is None  # no filters yet
    state.take(FilterInput())
    generation = state.restart()
    assert generation == 1 and state.paging.loading_first
    assert state.page_arrived(0, AuditPage(rows=(), next_cursor="c1")) == (True, True)
    assert state.message() == ("empty", "No audit events match these filters.")
    assert state.paging.next_index() == 1
    state.paging.fetch(1)
    assert state.page_arrived(1, AuditPage(rows=(), next_cursor=None)) == (False, False)
    assert state.paging.next_index() is None
    state.restart()
    assert state.page_arrived(0, AuditPage(rows=(), next_cursor=None)) == (True, False)
    assert state.row("1") is None and state.row(None) is None


def test_service_problems_by_field_and_refusal() -> None:
    state = AuditLogState()
    state.take(FilterInput())
    state.restart()
    state.failed(Problem("bad", {"until": ["after its start"], "other": ["x"]}), denied=False)
    assert state.errors() == {"audit-until": "after its start"}
    assert state.message() is None  # said next to the filter
    state.failed(Problem("may not", {}, database_down=True), denied=True)
    kind, words = state.message() or ("", "")
    assert kind == "problem"
    assert words == "⚠ The audit log is for supervisors. may not Press ctrl+r to try again."
    assert not state.allows("filter") and not state.allows("reload") and state.allows("back")
    assert not state.forget_filters()
    assert state.restart() is None
