"""The demo generator: realistic, consistent with every rule, deterministic, safe to rerun.

Each test runs on SQLite and on PostgreSQL (the ``engine`` fixture) because the
generator takes backend-specific paths: explicit ids and sequences on
PostgreSQL, FTS triggers and the wipe on SQLite.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from sqlalchemy import Engine, create_engine, exc, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from stdnum.br import cnpj as stdnum_cnpj

from noc_console import migrate
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from noc_console.demo import (
    DEMO_OPERATORS,
    HEAVY_CUSTOMER_LEGAL_NAME,
    DatabaseNotEmpty,
    DemoOptions,
    DemoReport,
    seed_demo,
)
from noc_console.models import (
    AuditEvent,
    Contract,
    Customer,
    EscalationChain,
    EscalationContact,
    Operator,
    PortalSession,
    PortalUser,
    contact_search_values,
    customer_search_values,
    portal_user_search_values,
)
from noc_console.services import audit
from noc_console.services.demo_marker import is_demo_database
from noc_console.services.hashing import FAST_TEST_PARAMS, Hasher
from tests.support.databases import PG_ENV, PostgresTemplate, SQLiteTemplate

HASHER = Hasher(FAST_TEST_PARAMS)
HEAVY = 25
SMALL = DemoOptions(
    customers=12,
    users_per_customer=4,
    contracts_per_customer=5,
    heavy_customer_contracts=HEAVY,
    audit_days=6,
)


def _seed(engine: Engine, clock: FixedClock, options: DemoOptions = SMALL) -> DemoReport:
    return seed_demo(engine, options, clock=clock, hasher=HASHER)


@pytest.fixture
def seeded(engine: Engine, clock: FixedClock) -> DemoReport:
    """A fresh seeded database, for tests that change it."""
    return _seed(engine, clock)


@dataclass(frozen=True)
class Seeded:
    engine: Engine
    sessions: sessionmaker[Session]
    report: DemoReport
    clock: FixedClock


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest,
    sqlite_template: SQLiteTemplate,
    postgres_template: PostgresTemplate | None,
) -> Iterator[Seeded]:
    """One seeded database per backend, shared by the checks that only read it.

    What they test is the seeding itself; doing it once (instead of once per
    test) keeps this file fast, PostgreSQL database creation being the cost.
    """
    tpl: SQLiteTemplate | PostgresTemplate
    if request.param == "postgresql":
        if postgres_template is None:
            pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
        tpl = postgres_template
    else:
        tpl = sqlite_template
    url = tpl.new_url()
    engine = create_db_engine(url)
    clock = FixedClock()
    try:
        yield Seeded(engine, session_factory(engine), _seed(engine, clock), clock)
    finally:
        engine.dispose()
        tpl.drop(url)


def _count(engine: Engine, model: type[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def _all(sessions: sessionmaker[Session], model: type[Any]) -> list[Any]:
    with sessions() as s:
        return list(s.scalars(select(model).order_by(model.id)))


# --------------------------------------------------------------------------- counts


def test_report_matches_the_tables(shared: Seeded) -> None:
    engine, sessions, seeded = shared.engine, shared.sessions, shared.report
    assert seeded.customers == SMALL.customers + 1  # + the heavy customer
    assert seeded.portal_users == seeded.customers * SMALL.users_per_customer
    assert seeded.contracts == SMALL.customers * SMALL.contracts_per_customer + HEAVY
    for model, expected in (
        (Customer, seeded.customers),
        (PortalUser, seeded.portal_users),
        (Contract, seeded.contracts),
        (EscalationChain, seeded.escalation_chains),
        (EscalationContact, seeded.escalation_contacts),
        (AuditEvent, seeded.audit_events),
    ):
        assert _count(engine, model) == expected, model.__name__
    assert seeded.operators == tuple((u, r, p) for u, _n, r, p in DEMO_OPERATORS)
    assert seeded.seconds > 0
    with sessions() as s:
        heavy = s.scalars(select(Customer).where(Customer.legal_name == HEAVY_CUSTOMER_LEGAL_NAME))
        heavy_id = heavy.one().id
        n = s.scalar(select(func.count()).where(Contract.customer_id == heavy_id))
    assert n == HEAVY


def test_schema_unchanged_and_search_objects_work(
    engine: Engine, sessions: sessionmaker[Session], seeded: DemoReport
) -> None:
    """The FTS triggers dropped during the load are back, and the rebuilt index answers."""
    assert migrate.differences(engine) == []
    with sessions() as s:
        first = s.scalars(select(Customer).order_by(Customer.id)).first()
        assert first is not None
        term = first.name_norm.split()[-2]  # a word of the name, e.g. 'jurua'
    with sessions.begin() as s:
        s.add(Customer(legal_name="Padaria Zzyzx Recém-Criada Ltda", cnpj="11222333000181"))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT rowid FROM fts_customers WHERE name_norm LIKE :t"
        else:
            sql = "SELECT id FROM customers WHERE name_norm LIKE :t"
        assert first.id in conn.execute(text(sql), {"t": f"%{term}%"}).scalars().all()
        assert len(conn.execute(text(sql), {"t": "%zzyzx recem%"}).all()) == 1


def test_rows_added_afterwards_get_fresh_ids(
    sessions: sessionmaker[Session], seeded: DemoReport, clock: FixedClock
) -> None:
    """Explicit ids must not leave PostgreSQL sequences behind (the next insert would clash)."""
    with sessions.begin() as s:
        cust = Customer(legal_name="Nova Empresa Ltda", cnpj="11444777000161")
        s.add(cust)
        s.flush()
        chain = EscalationChain(customer_id=cust.id, updated_by="test")
        s.add(chain)
        s.flush()
        s.add(EscalationContact(chain_id=chain.id, level=1, name="Zé", phone="+5511987654321"))
        user = PortalUser(customer_id=cust.id, full_name="Zé", login="ze.novo", email="z@x.com")
        s.add(user)
        s.flush()
        s.add(PortalSession(portal_user_id=user.id, token_hash="0" * 64, expires_at=clock.now()))
        s.add(
            Contract(
                customer_id=cust.id,
                number="CT-NEW-1",
                service_name="Link",
                start_date=date(2026, 1, 1),
                monthly_value=Decimal("1.00"),
            )
        )
        s.add(AuditEvent(occurred_at=clock.now(), action="test"))
    assert cust.id == seeded.customers + 1


# --------------------------------------------------------------------------- customers


def test_customers_look_brazilian_and_valid(shared: Seeded) -> None:
    customers = _all(shared.sessions, Customer)
    assert all(stdnum_cnpj.is_valid(c.cnpj) for c in customers)
    assert len({c.cnpj for c in customers}) == len(customers)
    assert any(re.search(r"[ãçéêíóôúâõ]", c.legal_name) for c in customers)
    assert all(c.legal_name.endswith(("Ltda", "S.A.", "ME", "EPP")) for c in customers)
    assert {"active", "suspended", "closed"} <= {c.status for c in customers}
    zones = Counter(c.timezone for c in customers)
    assert zones.most_common(1)[0][0] == "America/Sao_Paulo"
    assert all(ZoneInfo(z) for z in zones)
    for c in customers:
        assert {"name_norm": c.name_norm, "trade_name_norm": c.trade_name_norm} == (
            customer_search_values(c.legal_name, c.trade_name)
        )
        assert c.created_at.utcoffset() == timedelta(0)


def test_same_seed_same_data_and_another_seed_differs(
    engine: Engine, clock: FixedClock, sqlite_url: str
) -> None:
    """Deterministic across runs and across backends: the same seed gives the same rows."""

    queries = (
        select(Customer.legal_name, Customer.cnpj).order_by(Customer.id),
        select(PortalUser.full_name, PortalUser.login).order_by(PortalUser.id),
        select(Contract.number, Contract.monthly_value).order_by(Contract.id),
    )

    def snapshot(eng: Engine) -> list[list[tuple[Any, ...]]]:
        with eng.connect() as conn:
            return [[tuple(row) for row in conn.execute(q)] for q in queries]

    _seed(engine, clock)
    other = create_db_engine(sqlite_url)
    try:
        _seed(other, FixedClock(clock.now()))
        assert snapshot(engine) == snapshot(other)
        seed_demo(  # force (SQLite): wipe, then a different seed
            other,
            DemoOptions(customers=12, seed=7, audit_days=0, force=True),
            clock=clock,
            hasher=HASHER,
        )
        assert snapshot(other)[0] != snapshot(engine)[0][:12]
    finally:
        other.dispose()


# --------------------------------------------------------------------------- portal users


def test_portal_users_cover_every_state(shared: Seeded) -> None:
    sessions, now = shared.sessions, shared.clock.now()
    users = _all(sessions, PortalUser)
    customers = {c.id: c for c in _all(sessions, Customer)}
    locked = [u for u in users if u.locked_until is not None]
    assert locked and all(u.locked_until > now and u.failed_login_count == 5 for u in locked)
    must_change = [u for u in users if u.must_change_password]
    assert must_change and all(u.temp_password_expires_at is not None for u in must_change)
    assert any(u.temp_password_expires_at > now for u in must_change)
    assert any(not u.is_active for u in users)
    assert {u.customer_id for u in users if u.preposto_level == 1} == set(customers)
    assert {u.preposto_level for u in users} == {1, 2, 3}
    assert len({u.login for u in users}) == len(users)
    for u in users:
        assert u.login == u.login.lower() and re.fullmatch(r"[a-z]+\.[a-z]+\d*", u.login)
        assert {"name_norm": u.name_norm, "email_norm": u.email_norm} == (
            portal_user_search_values(u.full_name, u.email)
        )
        assert u.password_hash.startswith("$argon2id$")
        if u.phone is not None:
            assert phonenumbers.is_valid_number(phonenumbers.parse(u.phone)), u.phone
        assert u.created_at <= now and u.created_at >= customers[u.customer_id].created_at
    assert any(re.search(r"[áâãéêíóôõúç]", u.full_name) for u in users)
    assert len({u.password_hash for u in users}) > 1  # a pool, not one hash for all
    by_customer: dict[int, set[str]] = {}
    for u in users:
        by_customer.setdefault(u.customer_id, set()).add(u.email.split("@")[1])
    assert all(len(domains) == 1 for domains in by_customer.values())


def test_a_few_users_read_english_mail(shared: Seeded) -> None:
    """Issue 14: a newcomer resetting one of them by link sees the English mail."""
    users = _all(shared.sessions, PortalUser)
    english = sorted(u.id for u in users if u.language == "en")
    with shared.sessions() as s:
        heavy = s.scalars(
            select(Customer.id).where(Customer.legal_name == HEAVY_CUSTOMER_LEGAL_NAME)
        ).one()
    first_heavy = sorted(u.id for u in users if u.customer_id == heavy)[:2]
    assert english == sorted({min(u.id for u in users), *first_heavy})
    assert all(u.language in (None, "en") for u in users)  # the rest: pt_BR (NULL)


def test_some_users_have_active_sessions(shared: Seeded) -> None:
    sessions, now = shared.sessions, shared.clock.now()
    rows = _all(sessions, PortalSession)
    assert rows
    assert all(re.fullmatch(r"[0-9a-f]{64}", r.token_hash) for r in rows)
    assert all(r.revoked_at is None and r.expires_at > now for r in rows)
    with sessions() as s:
        locked_ids = set(
            s.scalars(select(PortalUser.id).where(PortalUser.locked_until.is_not(None)))
        )
    assert locked_ids & {r.portal_user_id for r in rows}  # so "end sessions" has work to do


# --------------------------------------------------------------------------- escalation


def test_escalation_chains_full_partial_empty_and_missing(shared: Seeded) -> None:
    sessions = shared.sessions
    chains = _all(sessions, EscalationChain)
    contacts = _all(sessions, EscalationContact)
    levels: dict[int, list[int]] = {c.id: [] for c in chains}
    for contact in contacts:
        levels[contact.chain_id].append(contact.level)
    sizes = Counter(len(v) for v in levels.values())
    assert sizes[3] and sizes[0] and (sizes[1] or sizes[2])
    assert _count_customers_without_chain(sessions) >= 1
    assert all(c.version == 1 and c.updated_by == "demo" for c in chains)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in levels.values())
    for c in contacts:
        assert 1 <= c.level <= 3
        assert (c.level == 1 and c.delay_minutes == 0) or (
            c.level > 1 and 1 <= c.delay_minutes <= 1440
        )
        assert c.phone or c.email
        if c.phone:
            assert phonenumbers.is_valid_number(phonenumbers.parse(c.phone)), c.phone
        assert {"name_norm": c.name_norm, "email_norm": c.email_norm} == (
            contact_search_values(c.name, c.email)
        )
    assert {c.delay_minutes for c in contacts if c.level > 1} <= {
        10, 15, 20, 30, 45, 60, 90, 120, 240
    }  # fmt: skip


def _count_customers_without_chain(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Customer)
                .where(
                    ~select(EscalationChain.id)
                    .where(EscalationChain.customer_id == Customer.id)
                    .exists()
                )
            )
            or 0
        )


# --------------------------------------------------------------------------- contracts


def test_contracts_cover_statuses_dates_and_exact_money(shared: Seeded) -> None:
    engine, sessions, today = shared.engine, shared.sessions, shared.clock.now().date()
    contracts = _all(sessions, Contract)
    active = [c for c in contracts if c.status == "active"]
    inactive = [c for c in contracts if c.status == "inactive"]
    assert active and inactive
    assert all(c.end_date is not None and c.end_date < today for c in inactive)
    assert any(c.end_date is None for c in active)
    ending = [c.end_date - today for c in active if c.end_date is not None]
    assert any(d <= timedelta(days=30) for d in ending)
    assert any(timedelta(days=30) < d <= timedelta(days=90) for d in ending)
    assert all(c.end_date is None or c.end_date >= c.start_date for c in contracts)
    assert len({c.number for c in contracts}) == len(contracts)
    assert all(re.fullmatch(r"CT-\d{4}-\d{6}", c.number) for c in contracts)
    for c in contracts:
        assert isinstance(c.monthly_value, Decimal) and c.monthly_value >= 0
        assert c.monthly_value.as_tuple().exponent == -2
    assert {c.currency for c in contracts} == {"BRL", "USD"}
    assert Counter(c.currency for c in contracts).most_common(1)[0][0] == "BRL"
    if engine.dialect.name == "sqlite":  # integer cents, never a REAL
        with engine.connect() as conn:
            kinds = conn.execute(text("SELECT DISTINCT typeof(monthly_value) FROM contracts"))
            assert kinds.scalars().all() == ["integer"]
    services = {c.service_name for c in contracts}
    assert any(s.startswith("Link Dedicado") for s in services)


# --------------------------------------------------------------------------- operators and audit


def test_demo_operators_log_in_with_their_passwords(shared: Seeded) -> None:
    with shared.sessions() as s:
        ops = {o.username: o for o in s.scalars(select(Operator))}
    for username, display, role, password in DEMO_OPERATORS:
        op = ops[username]
        assert (op.display_name, op.role, op.is_active) == (display, role, True)
        assert HASHER.verify(op.password_hash, password)
        assert op.last_login_at is not None


def test_audit_history_is_realistic_and_holds_no_secret(shared: Seeded) -> None:
    engine, sessions, now = shared.engine, shared.sessions, shared.clock.now()
    events = _all(sessions, AuditEvent)
    users = {u.id: u for u in _all(sessions, PortalUser)}
    ops = {o.id: o for o in _all(sessions, Operator)}
    actions = Counter(e.action for e in events)
    for action in (
        "operator_login",
        "operator_logout",
        "password_reset",
        "escalation_chain_saved",
        "contract_values_viewed",
        "demo_seeded",
    ):
        assert actions[action], action
    assert actions["demo_seeded"] == 1
    assert events[-1].action == "demo_seeded"
    assert events[-1].details == asdict(SMALL)
    assert events[-1].occurred_at == now
    oldest = now - timedelta(days=SMALL.audit_days)
    assert all(oldest <= e.occurred_at <= now for e in events)
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    secrets = [p for *_rest, p in DEMO_OPERATORS]
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT details, reason, subject FROM audit_events")).all()
    blob = json.dumps([list(map(str, r)) for r in raw])
    assert "$argon2" not in blob
    assert not any(p in blob for p in secrets)
    for e in events:
        audit._check_details(e.details)  # the audit service's own rule: no secret, no value
        if e.action == "password_reset":
            user = users[e.portal_user_id]
            assert user.customer_id == e.customer_id
            assert e.subject == f"portal:{user.login}" and e.ticket_ref and e.reason
        if e.action == "contract_values_viewed":
            assert ops[e.operator_id].role == "supervisor"
        if e.action == "escalation_chain_saved":
            assert ops[e.operator_id].role in ("operator", "supervisor")
    assert {e.details["method"] for e in events if e.action == "password_reset"} == {
        "temporary_password",
        "reset_link",
        "unlock_only",
    }


def test_is_demo_database(
    engine: Engine, sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    with sessions() as s:
        assert not is_demo_database(s)
    _seed(engine, clock, DemoOptions(customers=2, contracts_per_customer=1, audit_days=0))
    with sessions() as s:
        assert is_demo_database(s)
    assert _count(engine, AuditEvent) == 1  # no history asked: only the marker


def test_progress_is_reported_per_stage(engine: Engine, clock: FixedClock) -> None:
    calls: list[tuple[str, int, int]] = []
    seed_demo(
        engine,
        DemoOptions(customers=3, audit_days=2),
        clock=clock,
        hasher=HASHER,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    stages = {stage for stage, _d, _t in calls}
    expected = {"operators", "customers", "audit"}
    if engine.dialect.name == "sqlite":
        expected |= {"indexes", "search index"}  # rebuilt after the load
    assert expected <= stages
    assert all(0 <= done <= total for _s, done, total in calls)
    for stage in stages:
        done, total = [(d, t) for s, d, t in calls if s == stage][-1]
        assert done == total, stage


def _sqlite_schema_objects(engine: Engine) -> set[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        ).all()
    return {(str(t), str(n), str(q)) for t, n, q in rows}


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """The bulk-load mode is SQLite's: these tests have no PostgreSQL twin."""
    eng = create_db_engine(sqlite_url)
    yield eng
    eng.dispose()


def test_sqlite_load_restores_every_index_and_trigger(
    sqlite_engine: Engine, clock: FixedClock
) -> None:
    """On SQLite the load drops secondary indexes and FTS triggers for speed; every
    one comes back with its exact statement (expression indexes included)."""
    engine = sqlite_engine
    before = _sqlite_schema_objects(engine)
    assert any(t == "index" and n.startswith("pfx_") for t, n, _q in before)
    _seed(engine, clock)
    assert _sqlite_schema_objects(engine) == before


def test_sqlite_load_that_fails_half_way_restores_indexes_and_triggers(
    sqlite_engine: Engine, clock: FixedClock
) -> None:
    engine = sqlite_engine
    before = _sqlite_schema_objects(engine)

    def fail_mid_load(stage: str, done: int, _total: int) -> None:
        if stage == "customers" and done > 0:
            raise RuntimeError("disk full, say")

    with pytest.raises(RuntimeError, match="disk full"):
        seed_demo(engine, SMALL, clock=clock, hasher=HASHER, progress=fail_mid_load)
    assert _sqlite_schema_objects(engine) == before
    assert migrate.differences(engine) == []


# --------------------------------------------------------------------------- reruns


def test_refuses_a_database_that_holds_customers(
    engine: Engine, seeded: DemoReport, clock: FixedClock
) -> None:
    with pytest.raises(DatabaseNotEmpty, match=f"{seeded.customers} customers"):
        _seed(engine, clock)
    assert _count(engine, Customer) == seeded.customers


def test_refuses_existing_demo_operators(
    engine: Engine, sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    from noc_console.services.operators import create_operator

    with sessions.begin() as s:
        create_operator(
            s,
            username="otto.operador",
            display_name="Otto",
            role="operator",
            password="another-long-password",
            hasher=HASHER,
            clock=clock,
        )
    with pytest.raises(DatabaseNotEmpty, match=r"otto\.operador"):
        _seed(engine, clock)
    assert _count(engine, Customer) == 0


def test_force_reseeds_sqlite_and_is_refused_on_postgresql(
    engine: Engine, sessions: sessionmaker[Session], seeded: DemoReport, clock: FixedClock
) -> None:
    forced = DemoOptions(customers=5, contracts_per_customer=2, audit_days=2, force=True)
    if engine.dialect.name != "sqlite":
        with pytest.raises(DatabaseNotEmpty, match="SQLite only"):
            _seed(engine, clock, forced)
        assert _count(engine, Customer) == seeded.customers
        return
    report = _seed(engine, clock, forced)
    assert report.customers == _count(engine, Customer) == 5
    assert _count(engine, AuditEvent) == report.audit_events  # the old history is gone
    assert _count(engine, Operator) == len(DEMO_OPERATORS)
    assert migrate.differences(engine) == []
    with sessions() as s:
        assert is_demo_database(s)
    with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    with pytest.raises(exc.IntegrityError), sessions.begin() as s:  # foreign keys are back on
        s.add(PortalUser(customer_id=999_999, full_name="X", login="x.orfao", email="x@x.com"))
    cnpj = _first_cnpj(sessions)
    with engine.connect() as conn:  # the search index holds the new rows only
        fts = conn.execute(text("SELECT count(*) FROM fts_customers")).scalar_one()
        hits = conn.execute(
            text("SELECT count(*) FROM fts_customers WHERE cnpj LIKE :c"), {"c": f"%{cnpj[2:11]}%"}
        ).scalar_one()
    assert (fts, hits) == (5, 1)


def _first_cnpj(sessions: sessionmaker[Session]) -> str:
    with sessions() as s:
        return str(s.scalars(select(Customer.cnpj).order_by(Customer.id)).first())


def test_rejects_negative_options() -> None:
    never_connected = create_engine("sqlite://")
    with pytest.raises(ValueError, match="customers"):
        seed_demo(never_connected, DemoOptions(customers=-1), hasher=HASHER)


def test_default_options_seed_the_documented_amounts(engine: Engine, clock: FixedClock) -> None:
    report = seed_demo(engine, clock=clock, hasher=HASHER)
    assert (report.customers, report.portal_users, report.contracts) == (120, 720, 1200)
    assert 0 < report.escalation_chains <= 120 and report.escalation_contacts > 0
    assert _count(engine, AuditEvent) == report.audit_events > 100


def test_an_empty_demo_still_has_operators_and_its_marker(
    engine: Engine, sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    nothing = DemoOptions(customers=0, users_per_customer=0, contracts_per_customer=0)
    report = _seed(engine, clock, nothing)
    assert (report.customers, report.portal_users, report.contracts) == (0, 0, 0)
    with sessions() as s:
        assert is_demo_database(s)
        actions = set(s.scalars(select(AuditEvent.action)))
    assert actions == {"operator_login", "operator_logout", "demo_seeded"}
    with pytest.raises(DatabaseNotEmpty, match="demo operator"):
        _seed(engine, clock, nothing)


def test_default_options_are_the_documented_ones() -> None:
    assert DemoOptions() == DemoOptions(
        customers=120,
        users_per_customer=6,
        contracts_per_customer=10,
        seed=42,
        heavy_customer_contracts=0,
        audit_days=21,
        force=False,
    )
