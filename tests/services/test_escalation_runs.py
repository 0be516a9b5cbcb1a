"""Escalation runs through the services, on SQLite and PostgreSQL: the database is the truth."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from noc_console.clock import FixedClock
from noc_console.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from noc_console.models import AuditEvent, EscalationAttempt, EscalationRun, Role
from noc_console.services import escalation
from noc_console.services import escalation_runs as runs
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation import ContactInput
from noc_console.services.escalation_runs import Outcome, RunState, Stage
from tests.support.factories import make_chain, make_customer, make_operator

TICKET = "INC-2026-0777"


@pytest.fixture
def world(ctx: ServiceContext) -> tuple[int, dict[Role, Principal]]:
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Transportadora Rápida Ltda")
        make_chain(s, customer)  # L1 Maria (now), L2 Carlos (+15 min), L3 Beatriz (+60 min)
        people = {r: make_operator(s, r, username=f"rt.{r.value}") for r in Role}
        return customer.id, people


def _start(ctx: ServiceContext, world: tuple[int, dict[Role, Principal]]) -> runs.RunDetail:
    cid, people = world
    return runs.start_run(ctx, people[Role.OPERATOR], cid, ticket_ref=TICKET).detail


def _events(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_start_snapshots_the_chain_and_level_1_is_due_at_once(ctx, world, clock) -> None:  # type: ignore[no-untyped-def]
    detail = _start(ctx, world)
    run = detail.run
    assert run.state is RunState.OPEN and run.ticket_ref == TICKET
    assert [c.name for c in run.contacts] == ["Maria Souza", "Carlos Lima", "Beatriz Rocha"]
    assert run.chain_version == 1 and run.started_by
    where = runs.position(run, clock.now())
    assert (where.stage, where.level, where.since) == (Stage.DUE, 1, clock.now())
    [event] = _events(ctx, "escalation_run_started")
    assert event.ticket_ref == TICKET and event.customer_id == world[0]
    assert event.details["run_id"] == run.id


def test_start_needs_a_ticket_and_a_level_1(ctx, world) -> None:  # type: ignore[no-untyped-def]
    cid, people = world
    for bad in ("", "   ", "ab", "INC\x1b[31m", "x" * 10_000):
        with pytest.raises(ValidationError) as caught:
            runs.start_run(ctx, people[Role.ANALYST], cid, ticket_ref=bad)
        assert "ticket_ref" in caught.value.fields
    with ctx.sessions.begin() as s:
        bare = make_customer(s, "Sem Cadeia Ltda").id
    with pytest.raises(ValidationError) as caught:
        runs.start_run(ctx, people[Role.ANALYST], bare, ticket_ref=TICKET)
    assert "level 1" in str(caught.value)
    with pytest.raises(NotFound):
        runs.start_run(ctx, people[Role.ANALYST], 999_999, ticket_ref=TICKET)
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationRun)) == 0


def test_a_second_open_run_is_allowed_with_a_warning(ctx, world) -> None:  # type: ignore[no-untyped-def]
    cid, people = world
    first = runs.start_run(ctx, people[Role.ANALYST], cid, ticket_ref=TICKET)
    assert first.warnings == ()
    second = runs.start_run(ctx, people[Role.ANALYST], cid, ticket_ref="INC-2026-0778")
    assert len(second.warnings) == 1 and "1" in second.warnings[0]
    assert len(runs.open_runs_for(ctx, people[Role.ANALYST], cid)) == 2


def test_attempts_then_the_clock_brings_level_2_then_acknowledge(ctx, world, clock) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    run_id = _start(ctx, world).run.id
    op = people[Role.OPERATOR]
    clock.advance(minutes=1)
    detail = runs.record_attempt(ctx, op, run_id, outcome=Outcome.NO_ANSWER, note="caixa cheia")
    assert [(a.level, a.outcome, a.contact_address) for a in detail.attempts] == [
        (1, Outcome.NO_ANSWER, "+5511912345678")
    ]
    where = runs.position(detail.run, clock.now())
    assert (where.stage, where.level) == (Stage.CALLING, 2)
    assert where.since == detail.run.started_at + timedelta(minutes=15)
    clock.advance(minutes=14, seconds=30)  # 15:30 after the start: L2 is due and not called
    board = runs.board(ctx, op)
    where = runs.position(board.runs[0], clock.now())
    assert (where.stage, where.level, where.seconds(clock.now())) == (Stage.DUE, 2, 30)
    detail = runs.record_attempt(ctx, op, run_id, outcome="answered")
    assert detail.attempts[-1].level == 2 and detail.run.current_level == 2
    detail = runs.acknowledge(ctx, op, run_id)
    assert detail.run.state is RunState.ACKNOWLEDGED
    assert detail.run.acknowledged_level == 2 and detail.run.acknowledged_by == op.display_name
    [event] = _events(ctx, "escalation_run_acknowledged")
    assert event.details["level"] == 2 and event.details["contact"] == "Carlos Lima"
    assert event.ticket_ref == TICKET
    assert len(_events(ctx, "escalation_attempt_recorded")) == 2


def test_escalate_now_rebases_the_later_levels(ctx, world, clock) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    run = _start(ctx, world).run
    start = clock.now()
    clock.advance(minutes=5)
    with pytest.raises(ValidationError):
        runs.escalate_now(ctx, people[Role.ANALYST], run.id, reason="  ")
    detail = runs.escalate_now(
        ctx, people[Role.ANALYST], run.id, reason="L1 caixa postal", from_level=1
    )
    schedule = runs.run_schedule(detail.run)
    assert [(s.level, s.at.astimezone(UTC)) for s in schedule] == [
        (2, start + timedelta(minutes=5)),
        (3, start + timedelta(minutes=65)),  # L3's 60-minute wait counts from the escalation
    ]
    # The same screen twice: the second escalation from L1 is a conflict, not a skip to L3.
    with pytest.raises(ConflictError):
        runs.escalate_now(ctx, people[Role.ANALYST], run.id, reason="de novo", from_level=1)
    runs.escalate_now(ctx, people[Role.ANALYST], run.id, reason="L2 não atende", from_level=2)
    with pytest.raises(ValidationError) as caught:
        runs.escalate_now(ctx, people[Role.ANALYST], run.id, reason="mais", from_level=3)
    assert "last level" in str(caught.value)
    [first, _second] = _events(ctx, "escalation_run_escalated")
    assert first.reason == "L1 caixa postal" and first.details["level"] == {"old": 1, "new": 2}


def test_the_run_and_the_editor_preview_agree(ctx, world, clock) -> None:  # type: ignore[no-untyped-def]
    cid, people = world
    run = _start(ctx, world).run
    chain = escalation.get_chain(ctx, people[Role.OPERATOR], cid)
    preview = escalation.timeline(chain, clock.now())
    assert runs.run_schedule(run) == preview


def test_a_chain_edited_during_a_run_changes_nothing_in_it(ctx, world, clock) -> None:  # type: ignore[no-untyped-def]
    cid, people = world
    run = _start(ctx, world).run
    escalation.save_chain(
        ctx,
        people[Role.OPERATOR],
        cid,
        (ContactInput(1, "Outra Pessoa", None, "+5511934567890"),),
        1,
    )
    again = runs.run_detail(ctx, people[Role.ANALYST], run.id).run
    assert again.contacts == run.contacts and again.chain_version == 1
    assert runs.run_schedule(again) == runs.run_schedule(run)


def test_transitions_are_validated(ctx, world) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    a = people[Role.ANALYST]
    run_id = _start(ctx, world).run.id
    runs.acknowledge(ctx, a, run_id, level=1)
    with pytest.raises(ConflictError) as caught:
        runs.acknowledge(ctx, people[Role.SUPERVISOR], run_id)
    assert a.display_name in str(caught.value)
    with pytest.raises(ConflictError):
        runs.escalate_now(ctx, a, run_id, reason="tarde demais")
    runs.record_attempt(ctx, a, run_id, outcome="email_sent", level=1)  # still allowed
    with pytest.raises(ValidationError):
        runs.cancel(ctx, a, run_id, reason="")
    runs.resolve(ctx, a, run_id, note="link restabelecido")
    calls: list[Callable[[], object]] = [
        lambda: runs.record_attempt(ctx, a, run_id, outcome="answered"),
        lambda: runs.resolve(ctx, a, run_id),
        lambda: runs.cancel(ctx, a, run_id, reason="engano"),
    ]
    for call in calls:
        with pytest.raises(ConflictError) as caught:
            call()
        assert "resolved" in str(caught.value)
    assert runs.board(ctx, a).runs == ()


def test_attempt_channel_follows_the_contact(ctx, world) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    a = people[Role.ANALYST]
    run_id = _start(ctx, world).run.id
    with pytest.raises(ValidationError):  # Carlos (L2) has no e-mail
        runs.record_attempt(ctx, a, run_id, outcome="email_sent", level=2)
    with pytest.raises(ValidationError):  # Beatriz (L3) has no phone
        runs.record_attempt(ctx, a, run_id, outcome="busy", level=3)
    with pytest.raises(ValidationError):
        runs.record_attempt(ctx, a, run_id, outcome="exploded")
    with pytest.raises(ValidationError):
        runs.record_attempt(ctx, a, run_id, outcome="busy", level=4)
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationAttempt)) == 0


@pytest.mark.parametrize(
    "note", ["[bold red]x[/]", "\x1b]0;title\x07", "a\x00b", "x" * 10_000, "\ud800"]
)
def test_hostile_notes_are_refused_and_change_nothing(ctx, world, note: str) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    run_id = _start(ctx, world).run.id
    if note.startswith("["):  # markup is plain text: stored as typed
        detail = runs.record_attempt(ctx, people[Role.ANALYST], run_id, outcome="busy", note=note)
        assert detail.attempts[-1].note == note
        return
    with pytest.raises(ValidationError):
        runs.record_attempt(ctx, people[Role.ANALYST], run_id, outcome="busy", note=note)
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EscalationAttempt)) == 0


def test_read_only_refuses_every_write(read_only_ctx, world, ctx) -> None:  # type: ignore[no-untyped-def]
    cid, people = world
    run_id = _start(ctx, world).run.id
    sup = people[Role.SUPERVISOR]
    for call in (
        lambda: runs.start_run(read_only_ctx, sup, cid, ticket_ref=TICKET),
        lambda: runs.record_attempt(read_only_ctx, sup, run_id, outcome="busy"),
        lambda: runs.acknowledge(read_only_ctx, sup, run_id),
        lambda: runs.escalate_now(read_only_ctx, sup, run_id, reason="x"),
        lambda: runs.resolve(read_only_ctx, sup, run_id),
        lambda: runs.cancel(read_only_ctx, sup, run_id, reason="x"),
        lambda: runs.set_working(read_only_ctx, sup, run_id, working=True),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert runs.board(read_only_ctx, sup).runs[0].attempts_count == 0


def test_attempts_are_append_only(ctx, world) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    run_id = _start(ctx, world).run.id
    runs.record_attempt(ctx, people[Role.ANALYST], run_id, outcome="busy")
    for statement in (
        "UPDATE escalation_attempts SET outcome = 'answered'",
        "DELETE FROM escalation_attempts",
    ):
        with pytest.raises(DBAPIError), ctx.engine.begin() as conn:
            conn.execute(text(statement))
    with ctx.sessions() as s:
        assert s.scalar(select(EscalationAttempt.outcome)) == "busy"


def test_the_database_refuses_bad_states(ctx, world) -> None:  # type: ignore[no-untyped-def]
    run_id = _start(ctx, world).run.id
    for statement in (
        "UPDATE escalation_runs SET state = 'lost'",
        "UPDATE escalation_runs SET state = 'acknowledged'",  # without who/when
        "UPDATE escalation_runs SET current_level = 4",
        "UPDATE escalation_runs SET ticket_ref = '  '",
    ):
        with pytest.raises(DBAPIError), ctx.engine.begin() as conn:
            conn.execute(text(statement + f" WHERE id = {run_id}"))


def test_presence_names_who_is_calling_and_expires(ctx, world, clock) -> None:  # type: ignore[no-untyped-def]
    _cid, people = world
    run_id = _start(ctx, world).run.id
    op = people[Role.OPERATOR]
    runs.set_working(ctx, op, run_id, working=True)
    run = runs.board(ctx, op).runs[0]
    assert runs.working_now(run, clock.now()) == op.display_name
    assert runs.working_now(run, clock.now() + timedelta(minutes=6)) is None
    runs.set_working(ctx, people[Role.ANALYST], run_id, working=False)  # not theirs: kept
    assert runs.board(ctx, op).runs[0].working_by == op.display_name
    runs.set_working(ctx, op, run_id, working=False)
    assert runs.board(ctx, op).runs[0].working_by is None
    assert _events(ctx, "escalation_run_started")  # presence itself is not audited


def test_history_stats_and_csv_for_supervisors(ctx, world, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cid, people = world
    sup = people[Role.SUPERVISOR]
    begin = clock.now()
    for i, (minutes, level) in enumerate([(2, 1), (20, 2), (4, 1), (None, None)]):
        run_id = runs.start_run(ctx, sup, cid, ticket_ref=f"INC-2026-{i:04d}").detail.run.id
        if minutes is not None:
            clock.advance(minutes=minutes)
            runs.acknowledge(ctx, sup, run_id, level=level)
        runs.resolve(ctx, sup, run_id) if minutes is not None else runs.cancel(
            ctx, sup, run_id, reason="engano"
        )
    history = runs.customer_history(ctx, sup, cid)
    assert history[0].ticket_ref == "INC-2026-0003"
    assert history[-1].seconds_to_acknowledge == 120
    [stats] = runs.period_stats(ctx, sup, begin, clock.now() + timedelta(seconds=1))
    assert (stats.runs, stats.acknowledged, stats.acknowledged_at_l1) == (3, 3, 2)
    assert stats.median_seconds_to_acknowledge == 240
    for role in (Role.ANALYST, Role.OPERATOR):
        with pytest.raises(PermissionDenied):
            runs.customer_history(ctx, people[role], cid)
    result = runs.export_history_csv(
        ctx, sup, tmp_path / "acionamentos.csv", begin, clock.now() + timedelta(seconds=1)
    )
    with result.path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "run_id" and len(rows) == 5 and result.rows == 4
    assert len(_events(ctx, "escalation_history_exported")) == 1
    with pytest.raises(ValidationError):
        runs.period_stats(ctx, sup, clock.now(), begin)


def test_postgresql_notifies_in_the_changing_transaction(ctx, world) -> None:  # type: ignore[no-untyped-def]
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    raw = ctx.engine.raw_connection()
    raw.detach()
    conn = raw.dbapi_connection
    assert conn is not None
    conn.rollback()
    conn.autocommit = True
    conn.execute("LISTEN escalation_runs")
    try:
        run_id = _start(ctx, world).run.id
        heard = [n.payload for n in conn.notifies(timeout=2.0, stop_after=1)]
        assert heard == [str(run_id)]
    finally:
        raw.close()


def test_a_fixed_clock_fixture_is_used(clock: FixedClock) -> None:
    assert clock.now().tzinfo is UTC and clock.now() == datetime(2026, 11, 25, 13, 10, tzinfo=UTC)
