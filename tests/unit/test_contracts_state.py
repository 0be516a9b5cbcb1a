"""ContractBrowserState: the browser's rules without a terminal (sorts, answers, export)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from noc_console.models import ContractStatus, Role
from noc_console.screens.contracts.state import (
    SORT_CYCLE,
    WINDOW_PAGES,
    ContractBrowserState,
    ContractQuery,
)
from noc_console.screens.problem import Problem
from noc_console.services.context import Principal
from noc_console.services.contracts import (
    ContractPage,
    ContractSort,
    ContractTotals,
    ExportResult,
    TotalLine,
)


def state_for(role: Role, *, read_only: bool = False) -> ContractBrowserState:
    return ContractBrowserState(Principal(1, "x", "X", role), read_only=read_only)


def empty_page(values_visible: bool, next_cursor: str | None = None) -> ContractPage:
    return ContractPage(rows=(), next_cursor=next_cursor, values_visible=values_visible)


PROBLEM = Problem("database unavailable", {}, database_down=True)


@pytest.mark.parametrize(
    ("role", "visible"),
    [(Role.SUPERVISOR, True), (Role.OPERATOR, False), (Role.ANALYST, False)],
)
def test_values_and_value_sort_only_for_supervisors(role: Role, visible: bool) -> None:
    state = state_for(role)
    assert state.values_visible is visible
    assert (ContractSort.VALUE in state.sorts_offered()) is visible
    assert state.paging.keep == WINDOW_PAGES


def test_sort_cycle_wraps_and_skips_the_value_sort_when_hidden() -> None:
    state = state_for(Role.ANALYST)
    seen = []
    for _ in range(4):
        assert state.change(state.next_sort())
        seen.append(state.query.sort)
    assert seen == [
        ContractSort.SERVICE,
        ContractSort.START_DATE,
        ContractSort.END_DATE,
        ContractSort.NUMBER,
    ]
    supervisor = state_for(Role.SUPERVISOR)
    for sort in (*SORT_CYCLE[1:], SORT_CYCLE[0]):
        supervisor.change(supervisor.next_sort())
        assert supervisor.query.sort is sort


def test_query_changes() -> None:
    state = state_for(Role.SUPERVISOR)
    assert not state.change(ContractQuery())  # the list shown already
    assert state.with_status("nonsense") is None
    assert state.change(state.with_status("inactive") or ContractQuery())
    assert state.query.status == "inactive"
    assert state.change(state.reversed()) and state.query.descending
    assert state.change(state.with_text("fibra"))
    assert state.query == ContractQuery("inactive", "fibra", ContractSort.NUMBER, True)


def test_the_first_answer_decides_the_values_and_a_page_clears_a_page_problem() -> None:
    state = state_for(Role.SUPERVISOR)
    generation = state.restart()
    assert state.loading_totals and state.paging.loading_first
    first = empty_page(values_visible=False, next_cursor="c1")
    arrival = state.page_arrived(0, first)
    assert arrival.first and arrival.values_changed and not arrival.problem_cleared
    assert not state.values_visible
    assert not state.more_below  # until the screen places the page in the window
    state.paging.place(0, first)
    assert state.more_below
    state.paging.fetch(1)
    state.failed("page", PROBLEM)
    assert state.problem is PROBLEM and state.page_problem
    arrival = state.page_arrived(1, empty_page(values_visible=False))
    assert not arrival.first and not arrival.values_changed and arrival.problem_cleared
    assert state.problem is None
    assert state.paging.is_current(generation)


def test_a_totals_problem_does_not_replace_a_page_problem() -> None:
    state = state_for(Role.SUPERVISOR)
    state.restart()
    page_problem = Problem("page", {})
    state.failed("page", page_problem)
    state.failed("totals", Problem("totals", {}))
    assert state.problem is page_problem and not state.loading_totals
    state.restart()
    assert state.problem is None and state.totals is None


def test_totals_count_the_whole_list() -> None:
    state = state_for(Role.SUPERVISOR)
    assert state.total_count is None
    lines = (
        TotalLine(ContractStatus.ACTIVE, "BRL", 3, None, None),
        TotalLine(ContractStatus.INACTIVE, "BRL", 2, None, None),
    )
    state.totals_arrived(ContractTotals(lines, values_visible=False))
    assert state.total_count == 5 and not state.loading_totals


def test_export_one_at_a_time_named_by_local_time(tmp_path: Path) -> None:
    state = state_for(Role.SUPERVISOR)
    now = datetime(2026, 11, 25, 13, 10, tzinfo=UTC)
    path = state.export_path(now, tmp_path, 42)
    assert path == tmp_path / "contracts-42-20261125-101000.csv"  # São Paulo time
    assert state.start_export() and not state.start_export()
    state.export_finished(None)
    assert not state.exporting and state.last_export is None
    result = ExportResult(path, 3, values_included=True)
    assert state.start_export()
    state.export_finished(result)
    assert state.last_export == result
