"""The board's and the run view's rules without a pilot: countdown words, order, bell, spelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from noc_console.models import Role
from noc_console.screens.run.state import RunViewState, spell_phone
from noc_console.screens.run_start.state import open_runs_warning
from noc_console.screens.runs.state import BoardState, clock_text, countdown_text
from noc_console.services.escalation.dto import Contact
from noc_console.services.escalation.timeline import timeline
from noc_console.services.escalation_runs.dto import BoardView, RunDetail, RunState, RunSummary
from noc_console.services.escalation_runs.schedule import Stage, position, run_schedule

T0 = datetime(2026, 11, 25, 13, 10, tzinfo=UTC)
CONTACTS = (
    Contact(1, "Maria", None, "+5511912345678", None, 0),
    Contact(2, "Carlos", None, "+5511923456789", None, 15),
    Contact(3, "Beatriz", None, None, "b@x.com.br", 60),
)


def run(run_id: int = 1, **changes: object) -> RunSummary:
    fields: dict[str, object] = {
        "id": run_id, "customer_id": 1, "customer_name": "Padaria", "ticket_ref": "INC-1",
        "reason": None, "state": RunState.OPEN, "timezone": "America/Sao_Paulo",
        "chain_version": 1, "contacts": CONTACTS, "started_at": T0, "started_by": "Otto",
        "current_level": 1, "current_level_at": T0, "attempts_count": 0,
        "last_attempt_at": None, "last_attempt_level": None,
    }  # fmt: skip
    fields.update(changes)
    return RunSummary(**fields)  # type: ignore[arg-type]


def test_clock_text() -> None:
    assert (clock_text(252), clock_text(3730), clock_text(-5)) == ("04:12", "1:02:10", "00:00")


def test_a_countdown_shows_seconds_only_within_ten_minutes() -> None:
    assert [countdown_text(s) for s in (-5, 252, 599, 600, 2840, 3930)] == [
        "00:00", "04:12", "09:59", "10 min", "47 min", "1h05",
    ]  # fmt: skip


def test_the_run_schedule_is_the_editor_timeline() -> None:
    assert run_schedule(run()) == timeline(CONTACTS, T0, "America/Sao_Paulo")
    rebased = run(current_level=2, current_level_at=T0 + timedelta(minutes=5))
    assert [s.at for s in run_schedule(rebased)] == [
        T0 + timedelta(minutes=5),
        T0 + timedelta(minutes=65),
    ]


def test_countdown_words_and_order() -> None:
    called = run(2, last_attempt_at=T0 + timedelta(minutes=1), last_attempt_level=1)
    acked = run(
        3, state=RunState.ACKNOWLEDGED, acknowledged_at=T0, acknowledged_by="Ana",
        acknowledged_level=1,
    )  # fmt: skip
    board = BoardState()
    board.loaded(board.start_load(), BoardView((acked, called, run(1)), T0))
    now = T0 + timedelta(minutes=10, seconds=48)
    rows = board.rows(now)
    assert [r.run_id for r in rows] == [1, 2, 3]
    assert rows[0].marked and "L1 OVERDUE for 10 min" in rows[0].countdown
    assert not rows[1].marked and "L2 in 04:12" in rows[1].countdown
    assert "acknowledged by L1" in rows[2].countdown
    assert rows[1].phone == "(11) 92345-6789"


def test_the_bell_rings_once_per_level_that_comes_due() -> None:
    called = run(2, last_attempt_at=T0 + timedelta(minutes=1), last_attempt_level=1)
    board = BoardState()
    board.loaded(board.start_load(), BoardView((called,), T0))
    assert board.to_ring(T0 + timedelta(minutes=2)) == []  # first look: nothing new
    assert board.to_ring(T0 + timedelta(minutes=15)) == [2]
    assert board.to_ring(T0 + timedelta(minutes=16)) == []


def test_a_tick_before_the_first_load_does_not_ring_what_was_already_due() -> None:
    overdue = run(1)  # L1 due since T0, nobody called
    board = BoardState()
    request = board.start_load()
    assert board.to_ring(T0 + timedelta(minutes=1)) == []  # the timer ticked, no data yet
    board.loaded(request, BoardView((overdue,), T0))
    assert board.to_ring(T0 + timedelta(minutes=2)) == []  # already due at first look


def test_run_view_follows_the_due_level_until_moved() -> None:
    view = RunViewState(Role.ANALYST, read_only=False)
    view.loaded(RunDetail(run(), ()), T0)
    assert view.level == 1 and view.allows("acknowledge") is True
    assert view.follow(T0 + timedelta(minutes=15)) and view.level == 2
    view.select(3)
    assert not view.follow(T0 + timedelta(minutes=80)) and view.level == 3
    ro = RunViewState(Role.SUPERVISOR, read_only=True)
    ro.loaded(RunDetail(run(), ()), T0)
    assert ro.allows("acknowledge") is None and ro.mode_note()
    closed = RunViewState(Role.OPERATOR, read_only=False)
    closed.loaded(RunDetail(run(state=RunState.RESOLVED, closed_at=T0), ()), T0)
    assert closed.allows("outcome") is None
    assert position(closed.detail.run, T0).stage is Stage.CLOSED  # type: ignore[union-attr]


def test_phone_spelled_in_groups_and_start_warning() -> None:
    assert (
        spell_phone("(11) 91234-5678") == "one one · nine one two three four · five six seven eight"
    )
    assert spell_phone("+1 202") == "plus one · two zero two"
    assert open_runs_warning(()) == ""
    assert "INC-1" in open_runs_warning((run(),))


def test_positions_are_recomputed_only_when_a_level_comes_due_or_the_view_changes() -> None:
    """The idle board's cost: between due times the same placed list is reused."""
    called = run(2, last_attempt_at=T0 + timedelta(minutes=1), last_attempt_level=1)
    acked = run(3, state=RunState.ACKNOWLEDGED, acknowledged_at=T0, acknowledged_level=1)
    board = BoardState()
    board.loaded(board.start_load(), BoardView((called, acked), T0))
    first = board.placed(T0 + timedelta(minutes=2))
    assert board.placed(T0 + timedelta(minutes=14, seconds=59)) is first
    due = board.placed(T0 + timedelta(minutes=15))  # L2 comes due: a new stage
    assert due is not first and due[0][1].stage is Stage.DUE
    assert board.placed(T0 + timedelta(minutes=2)) is not due  # the clock went back
    board.loaded(board.start_load(), BoardView((called,), T0))
    assert [r.id for r, _w in board.placed(T0 + timedelta(minutes=2))] == [2]


def test_the_screen_keys_follow_the_rule_of_their_action() -> None:
    view = RunViewState(Role.OPERATOR, read_only=False)
    view.loaded(RunDetail(run(state=RunState.ACKNOWLEDGED, acknowledged_at=T0), ()), T0)
    assert view.allows_key("cancel_run") is True  # the key c: cancel
    assert view.allows_key("note") is True  # n: the note of an outcome
    assert view.allows_key("acknowledge") is None  # already acknowledged
    assert view.allows_key("back") is True  # not a rule of the run
    view.busy = True  # an answer is awaited: no second write meanwhile
    assert view.allows_key("cancel_run") is None and view.allows_key("note") is None
