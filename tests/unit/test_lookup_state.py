"""The lookup's rules without a pilot: numbered queries, stale replies, paging, enter, failures."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from noc_console.errors import DatabaseUnavailable, NotFound, ValidationError
from noc_console.models import Role
from noc_console.screens.lookup import state as lookup_state
from noc_console.screens.lookup.state import (
    PATIENCE_SECONDS,
    Failure,
    LookupState,
    Next,
    Query,
    describe_failure,
    user_to_select,
)
from noc_console.screens.lookup.texts import nothing_found, search_guide, status_line
from noc_console.services.search.dto import CustomerHit, MatchField, SearchPage


def _hit(
    n: int, field: MatchField = MatchField.LEGAL_NAME, record: int | None = None
) -> CustomerHit:
    name = f"Customer {n} Ltda"
    return CustomerHit(n, name, None, "11222333000181", "active", field, name, 1, record)


def _page(*ids: int, cursor: str | None = None, truncated: bool = False) -> SearchPage:
    return SearchPage("t", tuple(_hit(i) for i in ids), cursor, truncated)


def _searching(term: str = "silva", now: float = 100.0) -> tuple[LookupState, Query]:
    state = LookupState()
    query = state.start_search(term, now)
    assert query is not None
    return state, query


def test_state_module_never_imports_textual() -> None:
    for module in (lookup_state.__file__, lookup_state.__file__.replace("state.py", "texts.py")):
        tree = ast.parse(Path(module).read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.startswith(("textual", "noc_console.screens.base"))]


def test_every_query_gets_the_next_number_and_the_page_size() -> None:
    state, first = _searching("s")
    assert first == Query(1, "s", None, lookup_state.PAGE_SIZE)
    assert state.busy and state.searching and state.started_at == 100.0
    assert state.term_changed("si") is Next.WAIT  # a query runs: wait for it
    assert state.pending
    second = state.start_search("si", 101.0)
    assert second is not None and second.request == 2 and not state.pending


def test_an_empty_box_asks_nothing_and_empties_the_table() -> None:
    state, query = _searching()
    state.answered(query.request, "silva", _page(1, 2), append=False)
    assert state.start_search("   ", 1.0) is None
    assert not state.busy and state.hits == [] and state.shown_term == ""
    assert state.idle and state.request == 2


def test_typing_back_to_the_shown_term_asks_nothing() -> None:
    state, query = _searching()
    assert state.answered(query.request, "silva", _page(1), append=False) is Next.SHOWN
    assert state.term_changed("silva") is Next.NOTHING
    assert state.term_changed("silv") is Next.SEARCH
    state.error = "refused"
    assert state.term_changed("silva") is Next.SEARCH  # the last query failed: ask again


def test_a_stale_answer_is_dropped_and_a_pending_term_asked_instead() -> None:
    state, old = _searching("s")
    state.term_changed("silva")  # typed while "s" runs
    assert state.answered(old.request, "s", _page(9), append=False) is Next.SEARCH
    assert state.hits == [] and state.shown_term == ""  # never shown
    new = state.start_search("silva", 2.0)
    assert new is not None
    assert state.answered(old.request, "s", _page(9), append=False) is Next.NOTHING  # late: older
    assert state.answered(new.request, "silva", _page(1, 2), append=False) is Next.SHOWN
    assert [h.customer_id for h in state.hits] == [1, 2] and not state.searching


def test_patience_counts_from_the_start_of_the_running_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state, _query = _searching(now=10.0)
    assert state.patience_left(10.0) == pytest.approx(PATIENCE_SECONDS)
    assert state.patience_left(10.0 + PATIENCE_SECONDS + 1) < 0  # ask beside the slow query
    monkeypatch.setattr(lookup_state, "PATIENCE_SECONDS", 30.0)
    assert state.patience_left(11.0) == pytest.approx(29.0)


def test_pages_follow_the_cursor_and_the_footer_changes_once() -> None:
    state, query = _searching("padaria")
    assert state.more_changed()  # first refresh: the footer learns "no more"
    state.answered(query.request, "padaria", _page(1, 2, cursor="c1"), append=False)
    assert state.more and state.more_changed() and not state.more_changed()
    assert not state.wants_more_at(0, 2) and state.wants_more_at(1, 2)
    more = state.start_more(5.0)
    assert more == Query(2, "padaria", "c1", lookup_state.PAGE_SIZE)
    assert state.start_more(5.0) is None  # one at a time
    state.answered(more.request, "padaria", _page(3, truncated=True), append=True)
    assert [h.customer_id for h in state.hits] == [1, 2, 3]
    assert not state.more and state.truncated and state.more_changed()
    assert state.start_more(6.0) is None and not state.wants_more_at(2, 3)


def test_enter_opens_now_or_when_the_answer_comes() -> None:
    state = LookupState()
    assert state.submitted("") is Next.OPEN  # the box matches the (empty) table
    state, query = _searching("padaria")
    assert state.submitted("padaria") is Next.NOTHING and state.open_on_answer
    assert state.answered(query.request, "padaria", _page(1), append=False) is Next.OPEN
    assert not state.open_on_answer
    assert state.submitted("padaria") is Next.OPEN
    assert state.submitted("rede") is Next.SEARCH and state.open_on_answer
    assert state.term_changed("red") is Next.SEARCH and not state.open_on_answer


def test_a_failure_is_shown_and_clears_the_rows_unless_they_may_serve() -> None:
    state, query = _searching()
    state.answered(query.request, "silva", _page(1), append=False)
    again = state.start_search("silvaa", 1.0)
    assert again is not None
    down = Failure("db down", keep_results=True, database_down=True)
    assert state.failed(again.request, down, "silvaa") is Next.SHOWN
    assert state.error == "db down" and len(state.hits) == 1 and not state.busy
    last = state.start_search("x" * 201, 2.0)
    assert last is not None
    assert state.failed(last.request - 1, Failure("old"), "x") is Next.NOTHING
    assert state.failed(last.request, Failure("too long"), "x" * 201) is Next.SHOWN
    assert state.hits == [] and state.shown_term == "x" * 201 and not state.idle


def test_failures_are_described_in_one_line() -> None:
    refused = describe_failure(ValidationError({"term": ["too long", "bad"]}))
    assert refused == Failure("too long; bad")
    assert describe_failure(ValidationError(message="nope")).message == "nope"
    down = describe_failure(DatabaseUnavailable("gone"))
    assert down.keep_results and down.database_down and "did not answer" in down.message
    assert describe_failure(NotFound("no such thing")) == Failure("no such thing")
    odd = describe_failure(KeyError("x"))
    assert odd.message == "unexpected error (KeyError); see the log file"


def test_found_through_a_user_selects_that_user() -> None:
    assert user_to_select(_hit(1, MatchField.LOGIN, 7)) == 7
    assert user_to_select(_hit(1, MatchField.USER_EMAIL, 8)) == 8
    assert user_to_select(_hit(1, MatchField.USER_NAME, 9)) == 9
    assert user_to_select(_hit(1, MatchField.CONTACT_NAME, 3)) is None


def test_texts_follow_the_state() -> None:
    state = LookupState()
    assert "Type to search" in status_line(state, "").plain
    state, query = _searching()
    assert status_line(state, "silva").plain == "Searching…"
    state.answered(query.request, "silva", _page(1, 2, cursor="c", truncated=True), append=False)
    line = status_line(state, "silva").plain
    assert "2 customers" in line and "ctrl+n" in line and "type more" in line
    assert "No customer matches “zz”" in nothing_found("zz").plain
    assert "shorter than 3" in nothing_found("zz").plain
    assert "shorter than 3" not in nothing_found("zzz").plain
    assert search_guide().plain.startswith("You can search by:")


@pytest.mark.parametrize(
    ("role", "read_only", "offered"),
    [
        (Role.ANALYST, False, True),
        (Role.SUPERVISOR, False, True),
        (Role.ANALYST, True, False),
    ],
)
def test_starting_a_run_is_offered_by_role_and_never_read_only(
    role: Role, read_only: bool, offered: bool
) -> None:
    assert lookup_state.may_start_run(role, read_only=read_only) is offered
