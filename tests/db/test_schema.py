"""The database itself holds the rules: plain SQL that breaks one must fail, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event, exc, select, text

from noc_console import migrate
from noc_console.db import create_db_engine
from noc_console.models import Contract, Customer

NOW = "2026-01-01 00:00:00"


def _exec(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _customer(engine: Engine, cnpj: str = "11222333000181") -> int:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (legal_name, cnpj, status, timezone, created_at,"
                " name_norm, trade_name_norm)"
                " VALUES ('ACME', :cnpj, 'active', 'America/Sao_Paulo', :now, 'acme', '')"
            ),
            {"cnpj": cnpj, "now": NOW},
        )
        return int(
            conn.execute(text("SELECT id FROM customers WHERE cnpj = :c"), {"c": cnpj}).scalar_one()
        )


def _chain(engine: Engine, customer_id: int) -> int:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO escalation_chains (customer_id, version, updated_at)"
                " VALUES (:c, 1, :now)"
            ),
            {"c": customer_id, "now": NOW},
        )
        return int(
            conn.execute(
                text("SELECT id FROM escalation_chains WHERE customer_id = :c"), {"c": customer_id}
            ).scalar_one()
        )


def _contact(engine: Engine, chain_id: int, level: int, delay: int) -> None:
    _exec(
        engine,
        "INSERT INTO escalation_contacts (chain_id, level, name, phone, delay_minutes, name_norm)"
        " VALUES (:chain, :level, 'Ana', '+5511987654321', :delay, 'ana')",
        chain=chain_id,
        level=level,
        delay=delay,
    )


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.differences(engine) == []


def test_check_reports_a_missing_search_object(fresh_db_url: str) -> None:
    engine = create_db_engine(fresh_db_url)
    _exec(
        engine,
        "DROP TRIGGER audit_events_no_delete"
        + (" ON audit_events" if engine.dialect.name == "postgresql" else ""),
    )
    assert "missing trigger: audit_events_no_delete" in migrate.differences(engine)
    engine.dispose()


def test_password_policy_has_its_one_row_with_nist_defaults(engine: Engine) -> None:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT min_length, max_length, history_count FROM password_policy")
        ).one()
    assert tuple(row) == (15, 128, 5)
    with pytest.raises(exc.IntegrityError):
        _exec(engine, "INSERT INTO password_policy (id, updated_at) VALUES (2, :now)", now=NOW)


def test_duplicate_cnpj_fails(engine: Engine) -> None:
    _customer(engine)
    with pytest.raises(exc.IntegrityError):
        _customer(engine)


@pytest.mark.parametrize("cnpj", ["1122233300018", "11.222.333/0001-81", "1122233300018X"])
def test_malformed_cnpj_fails(engine: Engine, cnpj: str) -> None:
    # PostgreSQL refuses the over-long one as DataError, the others as IntegrityError.
    with pytest.raises((exc.IntegrityError, exc.DataError)):
        _customer(engine, cnpj)


def test_second_level_one_contact_fails(engine: Engine) -> None:
    chain = _chain(engine, _customer(engine))
    _contact(engine, chain, 1, 0)
    with pytest.raises(exc.IntegrityError):
        _contact(engine, chain, 1, 0)


@pytest.mark.parametrize(
    ("level", "delay"),
    [(4, 10), (0, 0), (1, 5), (2, 0), (3, 1441), (2, -1)],
)
def test_bad_level_or_delay_fails(engine: Engine, level: int, delay: int) -> None:
    chain = _chain(engine, _customer(engine))
    with pytest.raises(exc.IntegrityError):
        _contact(engine, chain, level, delay)


def test_contact_needs_a_channel(engine: Engine) -> None:
    chain = _chain(engine, _customer(engine))
    with pytest.raises(exc.IntegrityError):
        _exec(
            engine,
            "INSERT INTO escalation_contacts (chain_id, level, name, delay_minutes, name_norm)"
            " VALUES (:chain, 1, 'Ana', 0, 'ana')",
            chain=chain,
        )


def test_negative_contract_value_fails(engine: Engine) -> None:
    cid = _customer(engine)
    with pytest.raises(exc.IntegrityError):
        _exec(
            engine,
            "INSERT INTO contracts (customer_id, number, service_name, status, start_date,"
            " monthly_value, currency, created_at)"
            " VALUES (:c, 'CT-1', 'Link', 'active', '2026-01-01', -1, 'BRL', :now)",
            c=cid,
            now=NOW,
        )


def test_preposto_level_and_login_case_are_checked(engine: Engine) -> None:
    cid = _customer(engine)
    sql = (
        "INSERT INTO portal_users (customer_id, full_name, login, email, preposto_level, is_active,"
        " must_change_password, failed_login_count, created_at, version, name_norm, email_norm)"
        " VALUES (:c, 'Ana', :login, 'a@x.com', :lvl, true, false, 0, :now, 1, 'ana', 'a@x.com')"
    )
    with pytest.raises(exc.IntegrityError):
        _exec(engine, sql, c=cid, login="ana", lvl=4, now=NOW)
    with pytest.raises(exc.IntegrityError):
        _exec(engine, sql, c=cid, login="Ana", lvl=1, now=NOW)
    _exec(engine, sql, c=cid, login="ana", lvl=1, now=NOW)
    with pytest.raises(exc.IntegrityError):
        _exec(engine, sql, c=cid, login="ana", lvl=2, now=NOW)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_audit_events_are_append_only(engine: Engine, statement: str) -> None:
    _exec(
        engine,
        "INSERT INTO audit_events (occurred_at, action, details) VALUES (:now, 'login', '{}')",
        now=NOW,
    )
    with pytest.raises(exc.DBAPIError, match="append-only"):
        _exec(engine, statement)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_events")).scalar_one() == "login"


def test_money_roundtrips_exactly_and_sums_in_sql(engine: Engine, sessions) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, type_coerce

    from noc_console.models import Money

    with sessions.begin() as s:
        cust = Customer(legal_name="São João Telecom", cnpj="11222333000181")
        s.add(cust)
        s.flush()
        for i, value in enumerate(["0.10", "0.20", "123456789012.34"]):
            s.add(
                Contract(
                    customer_id=cust.id,
                    number=f"CT-{i}",
                    service_name="Link",
                    start_date=date(2026, 1, 1),
                    monthly_value=Decimal(value),
                )
            )
    with sessions() as s:
        total = s.scalar(select(type_coerce(func.sum(Contract.monthly_value), Money())))
        assert total == Decimal("123456789012.64")
        values = sorted(s.scalars(select(Contract.monthly_value)))
        assert values[0] == Decimal("0.10") and all(isinstance(v, Decimal) for v in values)
        customer = s.scalars(select(Customer)).one()
        assert customer.name_norm == "sao joao telecom"
        assert (
            customer.created_at.tzinfo is not None
            and customer.created_at.utcoffset().total_seconds() == 0
        )  # type: ignore[union-attr]


def test_money_refuses_float_and_naive_datetimes(sessions) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc.StatementError), sessions.begin() as s:
        s.add(Customer(legal_name="X", cnpj="11222333000181", created_at=datetime(2026, 1, 1)))
    with pytest.raises(exc.StatementError), sessions.begin() as s:
        cust = Customer(legal_name="Y", cnpj="11444777000161", created_at=datetime.now(UTC))
        s.add(cust)
        s.flush()
        s.add(
            Contract(
                customer_id=cust.id,
                number="CT-F",
                service_name="Link",
                start_date=date(2026, 1, 1),
                monthly_value=1.5,  # type: ignore[arg-type]
            )
        )


def test_search_index_follows_writes(engine: Engine, sessions) -> None:  # type: ignore[no-untyped-def]
    """The trigram objects answer substring queries once rows are written through the ORM."""
    with sessions.begin() as s:
        s.add(Customer(legal_name="Padaria São João", cnpj="11222333000181"))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT rowid FROM fts_customers WHERE name_norm LIKE '%joao%'"
        else:
            sql = "SELECT id FROM customers WHERE name_norm LIKE '%joao%'"
        assert len(conn.execute(text(sql)).all()) == 1


def test_migration_0004_goes_down_and_up_without_the_console_timeout(fresh_db_url: str) -> None:
    """0004 replaces PostgreSQL's per-column trigram indexes; a real upgrade builds them
    over a million rows, longer than the console's statement timeout allows."""
    from alembic import command

    engine = create_db_engine(fresh_db_url)
    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0003")
    assert migrate.current_revision(engine) == "0003"
    assert any("missing index" in line for line in migrate.differences(engine))
    sent: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    migrate.upgrade(engine)
    event.remove(engine, "before_cursor_execute", keep)
    assert migrate.differences(engine) == []
    if engine.dialect.name == "postgresql":
        assert sent[0] == "SET LOCAL statement_timeout = 0"
        assert any("trgm_portal_users_search" in statement for statement in sent)
    engine.dispose()


def test_a_portal_user_rewritten_on_a_full_page_is_a_hot_update(engine: Engine, sessions) -> None:  # type: ignore[no-untyped-def]
    """Migration 0005: portal_users pages keep room, so a reset or a login that rewrites a
    user on a page filled by inserts touches no index (not even the trigram GIN one)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("fillfactor and HOT updates are PostgreSQL's")
    from tests.support.factories import make_customer, make_portal_user

    with engine.connect() as conn:
        options = conn.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = 'portal_users'")
        ).scalar_one()
    assert options == ["fillfactor=90"]
    with sessions.begin() as s:
        customer = make_customer(s)
        users = [make_portal_user(s, customer) for _ in range(80)]  # several full pages
        first = users[0].id
        blocks = s.execute(
            text("SELECT count(DISTINCT (ctid::text::point)[0]) FROM portal_users")
        ).scalar_one()
        assert blocks > 2
        s.execute(
            text(
                "UPDATE portal_users SET password_hash = 'x', version = version + 1 WHERE id = :u"
            ),
            {"u": first},
        )
        hot = s.execute(
            text("SELECT pg_stat_get_xact_tuples_hot_updated('portal_users'::regclass)")
        ).scalar_one()
    assert hot == 1
