"""Issue 6.2 — assisted resets under concurrency: one event and one hash change per success.

200 resets with a temporary password run from 8 analyst threads on 200
distinct portal users; then 20 threads race to reset the same user. Each reset
is one transaction holding the user's row lock (FOR UPDATE on PostgreSQL,
BEGIN IMMEDIATE on SQLite), so:

* every success leaves exactly one ``password_reset`` audit event and exactly
  one change of the password hash (the old hash moves to the history once);
* the rate guard (``max_resets_per_hour``, 3 by default) counts resets that
  committed, so under the race exactly 3 succeed and 17 are refused;
* nothing deadlocks: every thread finishes within a bounded join.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections import Counter

from sqlalchemy import func, select

from noc_console.clock import FixedClock
from noc_console.models import AuditEvent, PasswordHistory, PortalUser, Role
from noc_console.services import password_reset as pr
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset import (
    IdentityChecks,
    ResetMethod,
    ResetRateLimited,
    ResetResult,
)
from noc_console.services.policy import load_policy, normalize_password
from tests.reliability.support.secret_scan import SecretVault
from tests.reliability.support.threads import run_threads
from tests.support.factories import make_customer, make_operator, make_portal_user

THREADS = 8
DISTINCT_USERS = 200
RACERS = 20
OLD_PASSWORD = "senha-antiga-muito-longa-2024"  # the factories' default
CHECKS = IdentityChecks(name_matches=True, cnpj_confirmed=True, callback_done=True)


def _reset(ctx: ServiceContext, analyst: Principal, user_id: int, n: int) -> ResetResult:
    return pr.reset(
        ctx,
        analyst,
        user_id,
        ticket_ref=f"INC-2026-{n:04d}",
        reason="cliente ligou: esqueceu a senha",
        identity_checks=CHECKS,
        method=ResetMethod.TEMPORARY_PASSWORD,
    )


def _analysts(ctx: ServiceContext, n: int) -> list[Principal]:
    with ctx.sessions.begin() as s:
        return [make_operator(s, Role.ANALYST, username=f"analista{i}") for i in range(n)]


def test_two_hundred_resets_over_eight_threads(
    rctx: ServiceContext, clock: FixedClock, vault: SecretVault
) -> None:
    vault.add(OLD_PASSWORD)
    with rctx.sessions.begin() as s:
        customers = [make_customer(s, f"Cliente {c} Ltda", clock=clock) for c in range(4)]
        users = [
            make_portal_user(s, customers[i % 4], login=f"usuario{i:03d}", clock=clock)
            for i in range(DISTINCT_USERS)
        ]
        before = {u.id: (u.password_hash, u.version) for u in users}
    analysts = _analysts(rctx, THREADS)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for user_id in before:
        todo.put(user_id)
    results: dict[int, tuple[ResetResult, Principal]] = {}
    lock = threading.Lock()
    numbers = itertools.count(1)
    start = threading.Barrier(THREADS)

    def analyst(t: int) -> None:
        start.wait(timeout=30)
        while True:
            try:
                user_id = todo.get_nowait()
            except queue.Empty:
                return
            result = _reset(rctx, analysts[t], user_id, next(numbers))
            with lock:
                assert user_id not in results
                results[user_id] = (result, analysts[t])

    run = run_threads(THREADS, analyst, timeout=300)
    assert run.errors == []
    print(  # the figures for the README (pytest -s / -rP)
        f"{rctx.engine.dialect.name}: {DISTINCT_USERS} resets by {THREADS} threads"
        f" in {run.seconds:.1f} s"
    )
    assert sorted(results) == sorted(before)
    passwords = [r.temporary_password for r, _a in results.values()]
    assert len(set(passwords)) == DISTINCT_USERS  # no password handed out twice

    with rctx.sessions() as s:
        rows = {u.id: u for u in s.scalars(select(PortalUser))}
        history = Counter(s.scalars(select(PasswordHistory.portal_user_id)))
        old_in_history = {
            h.portal_user_id: h.password_hash for h in s.scalars(select(PasswordHistory))
        }
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == pr.ACTION)))
    per_user = Counter(e.portal_user_id for e in events)
    by_id = {e.id: e for e in events}
    for user_id, (result, who) in results.items():
        old_hash, old_version = before[user_id]
        row = rows[user_id]
        assert result.temporary_password is not None
        assert row.password_hash != old_hash
        assert rctx.hasher.verify(row.password_hash, normalize_password(result.temporary_password))
        assert row.version == old_version + 1 == result.version  # the row was written once
        assert row.must_change_password
        assert history[user_id] == 1 and old_in_history[user_id] == old_hash  # one hash change
        assert per_user[user_id] == 1
        event = by_id[result.audit_event_id]
        assert (event.portal_user_id, event.operator_id) == (user_id, who.operator_id)
    assert len(events) == DISTINCT_USERS


def test_twenty_resets_racing_on_one_user_respect_the_rate_guard(
    rctx: ServiceContext, clock: FixedClock, vault: SecretVault
) -> None:
    vault.add(OLD_PASSWORD)
    with rctx.sessions.begin() as s:
        user = make_portal_user(s, make_customer(s, clock=clock), login="disputado", clock=clock)
        user_id, old_hash = user.id, user.password_hash
        limit = load_policy(s).max_resets_per_hour
    assert limit == 3
    analysts = _analysts(rctx, RACERS)
    won: list[ResetResult] = []
    refused: list[ResetRateLimited] = []
    lock = threading.Lock()
    start = threading.Barrier(RACERS)

    def racer(t: int) -> None:
        start.wait(timeout=30)
        try:
            result = _reset(rctx, analysts[t], user_id, t)
        except ResetRateLimited as err:
            with lock:
                refused.append(err)
        else:
            with lock:
                won.append(result)

    run = run_threads(RACERS, racer, timeout=120)
    assert run.errors == []
    print(
        f"{rctx.engine.dialect.name}: {RACERS} racing resets in {run.seconds:.1f} s:"
        f" {len(won)} done, {len(refused)} refused by the rate guard"
    )
    assert (len(won), len(refused)) == (limit, RACERS - limit)
    assert sorted(r.version for r in won) == [2, 3, 4]
    assert all(err.retry_at > clock.now() for err in refused)

    with rctx.sessions() as s:
        row = s.get_one(PortalUser, user_id)
        history = list(
            s.scalars(
                select(PasswordHistory.password_hash)
                .where(PasswordHistory.portal_user_id == user_id)
                .order_by(PasswordHistory.id)
            )
        )
        events = list(
            s.scalars(select(AuditEvent.id).where(AuditEvent.action == pr.ACTION).order_by("id"))
        )
    assert sorted(events) == sorted(r.audit_event_id for r in won)
    last = max(won, key=lambda r: r.version)
    assert last.temporary_password is not None
    assert rctx.hasher.verify(row.password_hash, last.temporary_password)
    # Three hash changes: the original and the first two temporary hashes went to the history.
    assert len(history) == limit and history[0] == old_hash
    assert len(set(history) | {row.password_hash}) == limit + 1

    # The guard is a sliding hour, not a permanent block.
    clock.advance(hours=1, seconds=1)
    assert _reset(rctx, analysts[0], user_id, 99).version == 5
    with rctx.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == pr.ACTION)) == limit + 1
