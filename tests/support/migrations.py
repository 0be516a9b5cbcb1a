"""A database taken back to an older migration, a row written there, then upgraded: how a
back-fill migration's test sees the rows a deployment had before it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from noc_console import migrate
from noc_console.db import create_db_engine


@contextmanager
def upgraded_from(
    url: str, revision: str, *, customer_id: int, legal_name: str, name_norm: str, cnpj: str
) -> Iterator[Engine]:
    """The engine of ``url`` after: downgrade to ``revision``, one customer inserted by SQL
    (no model event runs), upgrade to the head."""
    engine = create_db_engine(url)
    try:
        from alembic import command

        with engine.begin() as conn:
            command.downgrade(migrate._config(conn), revision)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customers (id, legal_name, trade_name, cnpj, status, timezone,"
                    " created_at, name_norm, trade_name_norm) VALUES (:id, :legal_name, NULL,"
                    " :cnpj, 'active', 'America/Sao_Paulo', CURRENT_TIMESTAMP, :name_norm, '')"
                ),
                {"id": customer_id, "legal_name": legal_name, "cnpj": cnpj, "name_norm": name_norm},
            )
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


__all__ = ["upgraded_from"]
