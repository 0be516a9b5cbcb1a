"""Issue 6.3 — database faults: all or nothing, a typed one-line error, recovery without restart.

PostgreSQL only (these are server faults). The console's engine is built as
the console builds it (``db.create_db_engine``: pool_pre_ping, the
handle_error hook, hide_parameters), with a password in its URL so every error
text can be checked for it. Faults are injected from outside, as a DBA, a
failover or a network drop would cause them:

* ``pg_terminate_backend`` on every console connection between two calls, and
  from inside a reset / a chain save just before a chosen statement (or just
  before COMMIT) — the change is either fully applied or not at all, the call
  raises DatabaseUnavailable, and the next call on the *same* context works;
* a TCP proxy switched off and on — the server is gone, then back;
* a row lock held by another transaction — the statement/lock timeout turns
  a wait that would freeze the console into DatabaseUnavailable in ~0.5 s;
* a server unreachable at start-up — open_database and every CLI command that
  connects answer with one line (exit code 2 for the CLI).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from noc_console import cli, db
from noc_console.clock import FixedClock
from noc_console.errors import DatabaseUnavailable
from noc_console.models import (
    AuditEvent,
    EscalationChain,
    EscalationContact,
    PasswordHistory,
    PortalSession,
    PortalUser,
    Role,
)
from noc_console.services import customers, escalation, system
from noc_console.services import password_reset as pr
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation import ContactInput
from noc_console.services.hashing import FAST_TEST_PARAMS
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from noc_console.services.search import lookup
from tests.reliability.conftest import SecretGuard
from tests.reliability.support.pg import PgAdmin, kill_on_statement, row_lock
from tests.reliability.support.proxy import FlakyProxy
from tests.reliability.support.secret_scan import RecordingHasher
from tests.reliability.support.world import unique, unique_cnpj
from tests.support.factories import (
    make_chain,
    make_customer,
    make_operator,
    make_portal_session,
    make_portal_user,
)

DB_PASSWORD = "S3cret-DB-pw-77"  # trust auth ignores it; it must never show in an error
OLD_PASSWORD = "senha-antiga-muito-longa-2024"
CHECKS = IdentityChecks(name_matches=True, cnpj_confirmed=True)
NEW_LEVELS = (
    ContactInput(1, "Novo Plantão", None, "+55 11 93456-7890", None, 0),
    ContactInput(2, "Nova Gerente", None, None, "gerente@empresa.com.br", 30),
)
# A timeout must answer well before anyone would think the console froze.
TIMEOUT_MS = 500
ANSWER_WITHIN_S = 3.0

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class World:
    customer_id: int
    user_id: int
    analyst: Principal
    operator: Principal


def _console_engine(url: str, options: db.EngineOptions | None = None) -> Engine:
    return db.create_db_engine(url, options, password=DB_PASSWORD)


def _context(engine: Engine, clock: FixedClock, guard: SecretGuard) -> ServiceContext:
    return ServiceContext(
        engine, clock=clock, hasher=RecordingHasher(guard.vault, FAST_TEST_PARAMS)
    )


@pytest.fixture
def console(pg_url: str, clock: FixedClock, secret_guard: SecretGuard) -> Iterator[ServiceContext]:
    secret_guard.vault.add(DB_PASSWORD)
    secret_guard.vault.add(OLD_PASSWORD)
    engine = _console_engine(pg_url)
    yield _context(engine, clock, secret_guard)
    secret_guard.collect(engine)
    engine.dispose()


@pytest.fixture
def world(console: ServiceContext, clock: FixedClock) -> World:
    with console.sessions.begin() as s:
        customer = make_customer(s, "Transportes Falha Zero Ltda", cnpj=unique_cnpj(), clock=clock)
        user = make_portal_user(s, customer, login=unique("maria.falha"), clock=clock)
        make_portal_session(s, user, clock=clock)
        make_portal_session(s, user, clock=clock)
        make_chain(s, customer, clock=clock)
        analyst = make_operator(s, Role.ANALYST, username=unique("analista"))
        operator = make_operator(s, Role.OPERATOR, username=unique("operador"))
        return World(customer.id, user.id, analyst, operator)


def _reset(ctx: ServiceContext, w: World) -> pr.ResetResult:
    return pr.reset(
        ctx,
        w.analyst,
        w.user_id,
        ticket_ref="INC-2026-0500",
        reason="cliente sem acesso",
        identity_checks=CHECKS,
        method=ResetMethod.TEMPORARY_PASSWORD,
    )


def _save(ctx: ServiceContext, w: World, expected: int = 1) -> escalation.SaveResult:
    return escalation.save_chain(ctx, w.operator, w.customer_id, NEW_LEVELS, expected)


def _reset_state(ctx: ServiceContext, w: World) -> tuple[Any, ...]:
    """Everything one reset changes, read on a fresh connection."""
    with ctx.sessions() as s:
        user = s.get_one(PortalUser, w.user_id)
        s.refresh(user)
        return (
            user.password_hash,
            user.version,
            user.must_change_password,
            s.scalar(select(func.count()).where(PasswordHistory.portal_user_id == w.user_id)),
            s.scalar(
                select(func.count()).where(
                    PortalSession.portal_user_id == w.user_id, PortalSession.revoked_at.is_not(None)
                )
            ),
            s.scalar(
                select(func.count()).where(
                    AuditEvent.action == pr.ACTION, AuditEvent.portal_user_id == w.user_id
                )
            ),
        )


def _chain_state(ctx: ServiceContext, w: World) -> tuple[Any, ...]:
    with ctx.sessions() as s:
        chain = s.execute(
            select(EscalationChain.version, EscalationChain.updated_by).where(
                EscalationChain.customer_id == w.customer_id
            )
        ).one()
        contacts = s.execute(
            select(EscalationContact.level, EscalationContact.name)
            .join(EscalationChain)
            .where(EscalationChain.customer_id == w.customer_id)
            .order_by(EscalationContact.level)
        ).all()
        events = s.scalar(
            select(func.count()).where(
                AuditEvent.action == escalation.AUDIT_ACTION,
                AuditEvent.customer_id == w.customer_id,
            )
        )
        return (tuple(chain), tuple(map(tuple, contacts)), events)


def assert_one_clean_line(err: BaseException) -> None:
    text = str(err)
    assert isinstance(err, DatabaseUnavailable)
    assert text and "\n" not in text, text
    assert DB_PASSWORD not in text
    assert "Traceback" not in text


# --------------------------------------------------------------------------- between calls


def test_connections_killed_between_calls_are_replaced_silently(
    console: ServiceContext, world: World, pg_admin: PgAdmin
) -> None:
    """pool_pre_ping notices the dead connection and reconnects: no error reaches the caller."""
    calls: list[Callable[[], object]] = [
        lambda: lookup.search(console, world.analyst, "falha"),
        lambda: customers.get_customer(console, world.analyst, world.customer_id),
        lambda: escalation.get_chain(console, world.operator, world.customer_id),
        lambda: _reset(console, world),
        lambda: _save(console, world),
    ]
    killed = 0
    for call in calls:
        killed += pg_admin.terminate_console_connections()
        call()  # must not raise
    assert killed >= len(calls)  # there was a pooled connection to kill before each call
    assert _chain_state(console, world)[0][0] == 2
    assert _reset_state(console, world)[-1] == 1


# --------------------------------------------------------------------------- in the middle


RESET_POINTS = [
    r"FROM portal_users.*FOR UPDATE",  # the first statement: the user's row lock
    r"^SELECT count\(\*\).*FROM audit_events",  # the rate guard
    r"^INSERT INTO password_history",
    r"^UPDATE portal_sessions",
    r"^UPDATE portal_users",
    r"^INSERT INTO audit_events",
    "COMMIT",
]


@pytest.mark.parametrize("point", RESET_POINTS)
def test_a_reset_cut_by_a_killed_connection_is_all_or_nothing(
    console: ServiceContext, world: World, pg_admin: PgAdmin, point: str
) -> None:
    before = _reset_state(console, world)
    with (
        kill_on_statement(console.engine, pg_admin, point) as switch,
        pytest.raises(DatabaseUnavailable) as caught,
    ):
        _reset(console, world)
    assert switch.fired_on, f"the reset never reached {point!r}"
    assert switch.killed >= 1
    assert_one_clean_line(caught.value)
    assert _reset_state(console, world) == before  # nothing of it was applied

    result = _reset(console, world)  # same context, same engine: it just works again
    after = _reset_state(console, world)
    assert after[1] == before[1] + 1 == result.version
    assert after[3:] == (1, 2, 1)  # one history row, both sessions revoked, one event


SAVE_POINTS = [
    r"FROM escalation_chains.*FOR UPDATE",
    r"^DELETE FROM escalation_contacts",
    r"^UPDATE escalation_chains",
    r"^INSERT INTO escalation_contacts",
    r"^INSERT INTO audit_events",
    "COMMIT",
]


@pytest.mark.parametrize("point", SAVE_POINTS)
def test_a_chain_save_cut_by_a_killed_connection_is_all_or_nothing(
    console: ServiceContext, world: World, pg_admin: PgAdmin, point: str
) -> None:
    before = _chain_state(console, world)
    with (
        kill_on_statement(console.engine, pg_admin, point) as switch,
        pytest.raises(DatabaseUnavailable) as caught,
    ):
        _save(console, world)
    assert switch.fired_on, f"the save never reached {point!r}"
    assert_one_clean_line(caught.value)
    assert _chain_state(console, world) == before

    result = _save(console, world, expected=1)  # the version did not move: retry as it was
    assert result.chain.version == 2
    (version, by), contacts, events = _chain_state(console, world)
    assert (version, by, events) == (2, world.operator.label, 1)
    assert contacts == ((1, "Novo Plantão"), (2, "Nova Gerente"))


def test_a_search_cut_mid_statement_recovers(
    console: ServiceContext, world: World, pg_admin: PgAdmin
) -> None:
    with (
        kill_on_statement(console.engine, pg_admin, r"UNION ALL"),
        pytest.raises(DatabaseUnavailable) as caught,
    ):
        lookup.search(console, world.analyst, "falha zero")
    assert_one_clean_line(caught.value)
    assert lookup.search(console, world.analyst, "falha zero").hits


# --------------------------------------------------------------------------- server gone


def test_a_server_that_goes_away_and_comes_back(
    pg_url: str, clock: FixedClock, secret_guard: SecretGuard
) -> None:
    """While the server is unreachable every call fails fast with DatabaseUnavailable; once it
    is back, the same context works again (what the console's banner and retry rely on)."""
    secret_guard.vault.add(DB_PASSWORD)
    url = make_url(pg_url)
    proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    engine = _console_engine(
        url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        db.EngineOptions(connect_timeout_s=2),
    )
    ctx = _context(engine, clock, secret_guard)
    try:
        with ctx.sessions.begin() as s:
            customer = make_customer(s, "Cliente Resiliente Ltda", cnpj=unique_cnpj())
            customer_id = customer.id
            op = make_operator(s, Role.OPERATOR, username=unique("resiliente"))
        assert lookup.search(ctx, op, "resiliente").hits

        proxy.down()
        for call in (
            lambda: lookup.search(ctx, op, "resiliente"),
            lambda: escalation.save_chain(ctx, op, customer_id, NEW_LEVELS, 0),
            lambda: system.describe_database(ctx),
        ):
            started = time.perf_counter()
            with pytest.raises(DatabaseUnavailable) as caught:
                call()
            assert time.perf_counter() - started < ANSWER_WITHIN_S
            assert_one_clean_line(caught.value)
            assert "cannot reach" in str(caught.value) or "database error" in str(caught.value)

        proxy.up()
        assert lookup.search(ctx, op, "resiliente").hits
        assert escalation.save_chain(ctx, op, customer_id, NEW_LEVELS, 0).chain.version == 1
        secret_guard.collect(engine)
    finally:
        proxy.close()
        engine.dispose()


# --------------------------------------------------------------------------- locked rows


@pytest.fixture
def impatient(
    pg_url: str, clock: FixedClock, secret_guard: SecretGuard
) -> Iterator[ServiceContext]:
    """A console whose statements and lock waits give up after TIMEOUT_MS."""
    engine = _console_engine(pg_url, db.EngineOptions(statement_timeout_ms=TIMEOUT_MS))
    yield _context(engine, clock, secret_guard)
    engine.dispose()


def _timed(call: Callable[[], object]) -> tuple[DatabaseUnavailable, float]:
    started = time.perf_counter()
    with pytest.raises(DatabaseUnavailable) as caught:
        call()
    return caught.value, time.perf_counter() - started


def test_a_locked_user_row_times_out_instead_of_freezing(
    pg_url: str, world: World, console: ServiceContext, impatient: ServiceContext
) -> None:
    before = _reset_state(console, world)
    sql = "SELECT id FROM portal_users WHERE id = :id FOR UPDATE"
    with row_lock(pg_url, sql, id=world.user_id) as release:
        err, seconds = _timed(lambda: _reset(impatient, world))
        assert seconds < ANSWER_WITHIN_S
        assert_one_clean_line(err)
        assert "did not answer in time" in str(err)
        assert _reset_state(console, world) == before
        release()
        assert _reset(impatient, world).version == before[1] + 1


def test_a_locked_chain_row_times_out_instead_of_freezing(
    pg_url: str, world: World, console: ServiceContext, impatient: ServiceContext
) -> None:
    before = _chain_state(console, world)
    sql = "SELECT id FROM escalation_chains WHERE customer_id = :c FOR UPDATE"
    with row_lock(pg_url, sql, c=world.customer_id) as release:
        err, seconds = _timed(lambda: _save(impatient, world))
        assert seconds < ANSWER_WITHIN_S
        assert_one_clean_line(err)
        assert "did not answer in time" in str(err)
        assert _chain_state(console, world) == before
        release()
        assert _save(impatient, world).chain.version == 2


# --------------------------------------------------------------------------- start-up

UNREACHABLE = f"postgresql+psycopg://noc:{DB_PASSWORD}@127.0.0.1:1/portal"


def test_open_database_on_an_unreachable_server_is_one_line_and_quick(
    secret_guard: SecretGuard,
) -> None:
    secret_guard.vault.add(DB_PASSWORD)
    err, seconds = _timed(lambda: system.open_database(UNREACHABLE))
    assert seconds < ANSWER_WITHIN_S
    assert_one_clean_line(err)
    assert "cannot reach the database server" in str(err)


# Commands that connect. tests/unit/test_cli.py covers db current/upgrade/check and
# operator add/list on 127.0.0.1:1; these complete the list of commands that connect.
CLI_COMMANDS = [["demo"], ["demo", "--customers", "1"], ["db", "current"]]


@pytest.mark.parametrize("command", CLI_COMMANDS, ids=" ".join)
def test_cli_commands_on_an_unreachable_server_print_one_line_and_exit_2(
    command: list[str],
    capsys: pytest.CaptureFixture[str],
    secret_guard: SecretGuard,
    restore_root_logging: None,
) -> None:
    secret_guard.vault.add(DB_PASSWORD)
    started = time.perf_counter()
    code = cli.main(["--db", UNREACHABLE, *command])
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    secret_guard.text("cli stderr", err)
    assert code == cli.EXIT_ERROR
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("noc-console: ")
    assert "cannot reach" in lines[0]
    assert DB_PASSWORD not in err and "Traceback" not in err
    assert seconds < ANSWER_WITHIN_S + 2
