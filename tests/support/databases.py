"""Fresh, migrated databases for tests, on SQLite and on PostgreSQL.

Migrations run once per test run into a template (a file on SQLite, a
template database on PostgreSQL); each test then gets a copy of it, so a test
starts from exactly what ``noc-console db upgrade`` produces, quickly.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from noc_console import migrate
from noc_console.db import create_db_engine

PG_ENV = "NOC_CONSOLE_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


class SQLiteTemplate:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"
        engine = create_db_engine(f"sqlite+pysqlite:///{self.template}")
        migrate.upgrade(engine)
        engine.dispose()  # the last connection closing checkpoints and removes the WAL
        self._n = itertools.count()

    def new_url(self) -> str:
        path = self.workdir / f"db{next(self._n)}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite+pysqlite:///{path}"

    def fresh_url(self) -> str:
        return self.new_url()

    def drop(self, url: str) -> None:
        db = make_url(url).database
        if db:
            for suffix in ("", "-wal", "-shm"):
                Path(db + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


class PostgresTemplate:
    """A migrated template database plus one shared working database per run.

    Cloning a database costs about a quarter of a second; emptying the shared
    one with TRUNCATE costs a few milliseconds, so ordinary tests get the
    shared database emptied to its just-migrated state, and tests that change
    the schema itself ask for a real clone (``fresh``).
    """

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.run = uuid.uuid4().hex[:8]
        self.template = f"noc_test_{self.run}_tmpl"
        self.shared = f"noc_test_{self.run}_shared"
        self._n = itertools.count()
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_size=1)
        with self.admin.connect() as conn:  # fails loudly when the server is unreachable
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = create_db_engine(self.admin_url.set(database=self.template))
        migrate.upgrade(engine)
        engine.dispose()
        self._clone(self.shared)
        self._tables = self._user_tables()

    def _clone(self, name: str) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _user_tables(self) -> list[str]:
        engine = create_engine(self.admin_url.set(database=self.shared), poolclass=NullPool)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version'"
                )
            ).all()
        engine.dispose()
        return sorted(r[0] for r in rows)

    def new_url(self) -> str:
        """The shared database, emptied back to its just-migrated state."""
        url = self.admin_url.set(database=self.shared)
        engine = create_engine(url, poolclass=NullPool)
        tables = ", ".join(f'"{t}"' for t in self._tables)
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '3s'"))
                # Superuser only: lets TRUNCATE pass the append-only audit trigger.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                conn.execute(text("INSERT INTO password_policy (id, updated_at) VALUES (1, now())"))
        except Exception:
            # A test left connections holding locks, or we are not superuser: clone instead.
            engine.dispose()
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.shared}" WITH (FORCE)'))
            self._clone(self.shared)
        finally:
            engine.dispose()
        return url.render_as_string(hide_password=False)

    def fresh_url(self) -> str:
        """A database of its own, for tests that alter the schema."""
        return self._clone(f"noc_test_{self.run}_{next(self._n)}")

    def drop(self, url: str) -> None:
        name = make_url(url).database
        if name == self.shared:
            return
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        with self.admin.connect() as conn:
            rows = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"noc_test_{self.run}_%"},
            ).all()
            for (name,) in rows:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()
