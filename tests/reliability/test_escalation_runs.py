"""Escalation runs under load and faults: no attempt lost, one acknowledgement, a feed that heals.

Both backends unless noted. The change feed tests use the real LISTEN/NOTIFY
(PostgreSQL) and ``PRAGMA data_version`` polling (SQLite), never a mock.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from noc_console.db import create_db_engine
from noc_console.errors import ConflictError
from noc_console.models import AuditEvent, EscalationAttempt, EscalationRun, Role
from noc_console.services import escalation_runs as runs
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation_runs.changes import ChangeFeed
from tests.reliability.support.pg import PgAdmin
from tests.reliability.support.threads import run_threads
from tests.support.factories import make_chain, make_customer, make_operator


def _world(ctx: ServiceContext, n: int) -> tuple[int, list[Principal]]:
    with ctx.sessions.begin() as s:
        customer = make_customer(s, "Corrida de Chamadas Ltda")
        make_chain(s, customer)
        people = [make_operator(s, Role.OPERATOR, username=f"corr.op{i}") for i in range(n)]
    run = runs.start_run(ctx, people[0], customer.id, ticket_ref="INC-2026-1000")
    return run.detail.run.id, people


def test_twenty_threads_recording_attempts_lose_none(rctx: ServiceContext) -> None:
    run_id, people = _world(rctx, 20)

    def call(i: int) -> None:
        runs.record_attempt(rctx, people[i], run_id, outcome="no_answer", note=f"tentativa {i}")

    result = run_threads(20, call)
    assert result.errors == []
    with rctx.sessions() as s:
        notes = set(s.scalars(select(EscalationAttempt.note)))
        count = s.get_one(EscalationRun, run_id).attempts_count
        events = s.scalar(
            select(func.count()).where(AuditEvent.action == "escalation_attempt_recorded")
        )
    assert notes == {f"tentativa {i}" for i in range(20)}
    assert count == 20 and events == 20


def test_ten_threads_acknowledging_give_exactly_one(rctx: ServiceContext) -> None:
    run_id, people = _world(rctx, 10)
    conflicts: list[str] = []
    lock = threading.Lock()

    def call(i: int) -> None:
        try:
            runs.acknowledge(rctx, people[i], run_id, level=1)
        except ConflictError as err:
            with lock:
                conflicts.append(str(err))

    result = run_threads(10, call)
    assert result.errors == []
    assert len(conflicts) == 9
    with rctx.sessions() as s:
        run = s.get_one(EscalationRun, run_id)
        events = s.scalar(
            select(func.count()).where(AuditEvent.action == "escalation_run_acknowledged")
        )
    assert run.state == "acknowledged" and events == 1
    winner = next(p for p in people if p.operator_id == run.acknowledged_by)
    assert all(winner.display_name in message for message in conflicts)


def _wait(event: threading.Event, seconds: float) -> bool:
    return event.wait(seconds)


def test_the_feed_hears_a_commit_from_another_connection(rctx: ServiceContext) -> None:
    run_id, people = _world(rctx, 1)
    heard = threading.Event()
    feed = ChangeFeed(rctx.engine, lambda _again: heard.set(), interval=0.2)
    feed.start()
    try:
        assert feed.listening.wait(5)
        time.sleep(0.3)  # SQLite: the first poll takes the starting number
        heard.clear()
        other = create_db_engine(str(rctx.engine.url.render_as_string(hide_password=False)))
        try:
            runs.record_attempt(
                ServiceContext(other, clock=rctx.clock), people[0], run_id, outcome="busy"
            )
        finally:
            other.dispose()
        assert _wait(heard, 3), "no change heard"
    finally:
        feed.stop()


def test_the_listen_connection_killed_reconnects_and_asks_for_a_full_reread(
    pg_url: str, pg_admin: PgAdmin
) -> None:
    engine = create_db_engine(pg_url)
    ctx = ServiceContext(engine)
    reread = threading.Event()
    heard = threading.Event()

    def on_change(again: bool) -> None:
        (reread if again else heard).set()

    feed = ChangeFeed(engine, on_change, interval=0.2)
    feed.start()
    try:
        run_id, people = _world(ctx, 1)
        assert feed.listening.wait(5)
        heard.clear()
        assert pg_admin.terminate_console_connections() >= 1
        assert _wait(reread, 10), "the feed did not reconnect"
        assert feed.connections >= 2
        heard.clear()
        runs.record_attempt(ctx, people[0], run_id, outcome="busy")  # pool reconnects too
        assert _wait(heard, 3), "no notification after the reconnect"
    finally:
        feed.stop()
        engine.dispose()


@pytest.mark.parametrize("name", ["[b]Maria[/b]", "\x1b[31mvermelho", "x" * 10_000, "Zé\u202eevil"])
def test_hostile_ticket_and_reason_are_refused_or_kept_as_text(
    rctx: ServiceContext, name: str
) -> None:
    _run_id, people = _world(rctx, 1)
    with rctx.sessions() as s:
        customer_id = s.scalars(select(EscalationRun.customer_id)).one()
    try:
        started = runs.start_run(
            rctx, people[0], customer_id, ticket_ref="INC-2026-2000", reason=name
        )
    except Exception as err:
        assert type(err).__name__ == "ValidationError"
        return
    assert started.detail.run.reason == name


@pytest.mark.parametrize(
    "note",
    ["[b]Maria[/b] [link=https://x.invalid]aqui[/link]", "\x1b[31mvermelho", "x" * 10_000,
     "Zé\u202eevil", "senha: Hunter2!segredo"],
)  # fmt: skip
def test_hostile_notes_are_refused_or_kept_as_text_and_stay_out_of_logs_and_audit(
    rctx: ServiceContext, note: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A call's note is free text typed during a call (it could even hold something the
    customer read out): refused when it carries control characters or is huge, else stored
    as typed, and never copied into the log or the attempt's audit details."""
    run_id, people = _world(rctx, 1)
    caplog.set_level("DEBUG")
    with rctx.sessions() as s:
        events_before = s.scalar(select(func.count()).select_from(AuditEvent))
    try:
        runs.record_attempt(rctx, people[0], run_id, outcome="no_answer", note=note)
    except Exception as err:
        assert type(err).__name__ == "ValidationError"
        assert note not in str(err)
        with rctx.sessions() as s:
            assert s.scalar(select(func.count()).select_from(EscalationAttempt)) == 0
            assert s.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        return
    detail = runs.run_detail(rctx, people[0], run_id)
    assert [a.note for a in detail.attempts] == [note]
    assert note not in caplog.text
    with rctx.sessions() as s:
        details = [str(d) for d in s.scalars(select(AuditEvent.details))]
    assert not any(note in d for d in details)
