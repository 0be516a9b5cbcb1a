"""Issue 6.1 — concurrent edits of one escalation chain lose nothing.

Eight operators (threads, each service call on its own session) save the same
customer's chain 1,000 times in total, each time with the version they just
read. Optimistic locking must make every save either win with version + 1 or
fail with ConflictError carrying the newer chain; nothing in between. Then the
chain that stays is the last successful save, and the audit log tells the same
story: one event per successful save, each diff starting where the previous
one ended (a lost update would show as a diff whose "old" is not the previous
"new").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from noc_console.errors import ConflictError
from noc_console.models import AuditEvent, Role
from noc_console.services import escalation
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation import ChainView, Contact, ContactInput
from tests.reliability.support.threads import run_threads
from tests.support.factories import make_customer, make_operator

THREADS = 8
TOTAL_SAVES = 1000
SAVES_EACH = TOTAL_SAVES // THREADS

L1 = ContactInput(1, "Maria Souza", "Gerente de TI", "(11) 91234-5678", "maria@empresa.com.br", 0)
L3 = ContactInput(3, "Beatriz Rocha", "Diretora", None, "beatriz@empresa.com.br", 60)


def _levels(thread: int, attempt: int) -> tuple[ContactInput, ...]:
    """A chain that names who saved it, so the survivor can be traced to one save."""
    return (
        L1,
        ContactInput(2, f"Plantão T{thread} #{attempt}", None, "+55 11 92345-6789", None, 15),
        L3,
    )


@dataclass(frozen=True)
class Saved:
    version: int
    contacts: tuple[Contact, ...]


def test_eight_threads_saving_one_chain_lose_no_update(rctx: ServiceContext) -> None:
    assert THREADS * SAVES_EACH == TOTAL_SAVES
    with rctx.sessions.begin() as s:
        customer_id = make_customer(s).id
        ops: list[Principal] = [
            make_operator(s, Role.OPERATOR, username=f"plantao{t}") for t in range(THREADS)
        ]
    first = escalation.save_chain(rctx, ops[0], customer_id, _levels(0, -1), 0)
    assert first.chain.version == 1

    lock = threading.Lock()
    saved: dict[int, Saved] = {1: Saved(1, first.chain.contacts)}
    conflicts: list[tuple[int, int]] = []  # (version read, version the conflict reported)
    start = threading.Barrier(THREADS)

    def operator(t: int) -> None:
        start.wait(timeout=30)
        for i in range(SAVES_EACH):
            seen = escalation.get_chain(rctx, ops[t], customer_id)
            try:
                result = escalation.save_chain(
                    rctx, ops[t], customer_id, _levels(t, i), seen.version
                )
            except ConflictError as err:
                assert isinstance(err.current, ChainView)
                with lock:
                    conflicts.append((seen.version, err.current.version))
            else:
                assert result.chain.version == seen.version + 1
                assert result.chain.updated_by == ops[t].label
                with lock:
                    assert result.chain.version not in saved, "a version was handed out twice"
                    saved[result.chain.version] = Saved(result.chain.version, result.chain.contacts)

    run = run_threads(THREADS, operator, timeout=300)
    assert run.errors == []
    successes = len(saved) - 1  # the first save was not part of the race
    print(  # the figures for the README (pytest -s / -rP)
        f"{rctx.engine.dialect.name}: {TOTAL_SAVES} saves by {THREADS} threads in"
        f" {run.seconds:.1f} s: {successes} saved, {len(conflicts)} conflicts"
    )
    assert successes + len(conflicts) == TOTAL_SAVES
    assert successes > 0 and conflicts, "the threads never actually raced"
    # A conflict always reports a chain newer than the one its saver had read.
    assert all(current > read for read, current in conflicts)

    final = escalation.get_chain(rctx, ops[0], customer_id)
    assert sorted(saved) == list(range(1, final.version + 1)), "versions are not contiguous"
    assert final.contacts == saved[final.version].contacts, "the last successful save was lost"

    with rctx.sessions() as s:
        events = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == escalation.AUDIT_ACTION)
                .order_by(AuditEvent.id)
            )
        )
    assert len(events) == len(saved), "audit events differ from successful saves"
    versions = [(e.details["version"]["old"], e.details["version"]["new"]) for e in events]
    assert versions == [(v - 1, v) for v in range(1, final.version + 1)]
    # Each event's diff of level 2 starts from the name the previous save left.
    for event in events[1:]:
        new = event.details["version"]["new"]
        change = event.details["levels"]["2"]["fields"]["name"]
        assert change == {
            "old": saved[new - 1].contacts[1].name,
            "new": saved[new].contacts[1].name,
        }
