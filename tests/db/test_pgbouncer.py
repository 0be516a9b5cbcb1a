"""The console through a real PgBouncer in transaction pooling mode (issue 16).

A pooler in transaction mode gives each transaction whichever server
connection is free: a prepared statement or a session setting left on one
connection is gone (or someone else's) on the next. With ``?pooling=transaction``
the console prepares nothing and sets its timeouts per transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from noc_console.errors import DatabaseUnavailable
from noc_console.models import NameWord, Role
from noc_console.services import system
from noc_console.services.context import ServiceContext
from noc_console.services.customers import get_customer
from noc_console.services.search import lookup
from tests.support.databases import PostgresTemplate
from tests.support.factories import (
    FAST_HASHER,
    cnpj_for,
    make_customer,
    make_operator,
    make_portal_user,
)
from tests.support.pgbouncer import pgbouncer, through

__all__ = ["pgbouncer"]  # the fixture, used by name below


@pytest.fixture
def server_db(postgres_template: PostgresTemplate | None) -> Iterator[str]:
    if postgres_template is None:
        pytest.skip("NOC_CONSOLE_TEST_POSTGRES_URL not set (PostgreSQL tests run in CI)")
    url = postgres_template.new_url()
    yield url
    postgres_template.drop(url)


@pytest.fixture
def pooled(server_db: str, pgbouncer: tuple[str, int]) -> Iterator[ServiceContext]:
    host, port = pgbouncer
    ctx = system.open_database(
        through(server_db, host, port), statement_timeout_ms=300, hasher=FAST_HASHER
    )
    yield ctx
    ctx.engine.dispose()


def test_lookups_writes_and_reads_through_the_pooler(pooled: ServiceContext) -> None:
    ctx = pooled
    with ctx.sessions.begin() as s:
        actor = make_operator(s, Role.ANALYST)
        padaria = make_customer(s, "Padaria São José", trade_name=None, cnpj=cnpj_for(1))
        make_portal_user(s, padaria, full_name="Conceição Aparecida", login="conceicao")
        padaria_id = padaria.id
    with ctx.sessions.begin() as s:  # the words were written through the pooler too
        assert s.query(NameWord).filter_by(customer_id=padaria_id).count() >= 5

    terms = ["jose padar", "padria", "concecao", "conceicao", "11.222"] * 8

    def one(term: str) -> list[int]:
        return [h.customer_id for h in lookup.search(ctx, actor, term).hits]

    # The same statements many times over (psycopg prepares from the 5th by default),
    # from several threads, each transaction on whichever server connection is free.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(one, terms))
    for term, ids in zip(terms, answers, strict=True):
        # '11.222' is shaped like a CNPJ that nothing holds: through stage 2, nothing.
        assert ids == ([] if term == "11.222" else [padaria_id]), term
    for _ in range(8):
        assert get_customer(ctx, actor, padaria_id).legal_name == "Padaria São José"


def test_the_timeouts_hold_for_every_transaction(pooled: ServiceContext) -> None:
    with pooled.engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "300ms"
        assert conn.execute(text("SHOW lock_timeout")).scalar() == "300ms"
    with pytest.raises(DatabaseUnavailable), pooled.engine.connect() as conn:
        conn.execute(text("SELECT pg_sleep(2)"))
    with pooled.engine.connect() as conn:  # the next transaction works, same limits
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "300ms"


def test_without_the_setting_the_pooler_refuses_the_startup_options(
    server_db: str, pgbouncer: tuple[str, int]
) -> None:
    host, port = pgbouncer
    plain = through(server_db, host, port).replace("pooling=transaction", "pooling=session")
    with pytest.raises(DatabaseUnavailable, match="pooling=session"):
        system.open_database(plain)
    direct = through(server_db, host, port).split("?")[0]
    with pytest.raises(DatabaseUnavailable):
        system.open_database(direct)  # PgBouncer: unsupported startup parameter: options
