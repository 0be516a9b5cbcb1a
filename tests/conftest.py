"""Shared fixtures: fresh databases (SQLite always, PostgreSQL when configured),
a fixed clock, an in-memory keyring and private platformdirs folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from noc_console.clock import FixedClock
from noc_console.db import create_db_engine, session_factory
from tests.support.databases import PG_ENV, PostgresTemplate, SQLiteTemplate, postgres_admin_url
from tests.support.memory_keyring import MemoryKeyring

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteTemplate]:
    tpl = SQLiteTemplate(tmp_path_factory.mktemp("sqlite"))
    yield tpl
    tpl.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate | None]:
    url = postgres_admin_url()
    if not url:
        yield None
        return
    try:
        tpl = PostgresTemplate(url)
    except Exception as err:  # CI must never silently skip PostgreSQL
        pytest.exit(f"{PG_ENV} is set but the server cannot be used: {err}", returncode=3)
    yield tpl
    tpl.close()


def _template(
    backend: str, sqlite: SQLiteTemplate, postgres: PostgresTemplate | None
) -> SQLiteTemplate | PostgresTemplate:
    if backend == "postgresql":
        if postgres is None:
            pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
        return postgres
    return sqlite


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest,
    sqlite_template: SQLiteTemplate,
    postgres_template: PostgresTemplate | None,
) -> Iterator[str]:
    """A migrated, empty database; each data-layer test runs on both backends."""
    tpl = _template(request.param, sqlite_template, postgres_template)
    url = tpl.new_url()
    yield url
    tpl.drop(url)


@pytest.fixture(params=BACKENDS)
def fresh_db_url(
    request: pytest.FixtureRequest,
    sqlite_template: SQLiteTemplate,
    postgres_template: PostgresTemplate | None,
) -> Iterator[str]:
    """A database of the test's own: for tests that alter the schema (drop an index...)."""
    tpl = _template(request.param, sqlite_template, postgres_template)
    url = tpl.fresh_url()
    yield url
    tpl.drop(url)


@pytest.fixture
def sqlite_url(sqlite_template: SQLiteTemplate) -> Iterator[str]:
    """A fresh migrated SQLite database, for tests that need only one backend (UI tests)."""
    url = sqlite_template.new_url()
    yield url
    sqlite_template.drop(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_db_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """The UI language is process-wide: every test starts in English whatever ran before it
    in the same worker; tests of pt_BR set it themselves (make_app(lang=...))."""
    from noc_console import i18n

    saved = dict(i18n._state)
    i18n.set_language("en")
    yield
    i18n._state.clear()
    i18n._state.update(saved)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data and logs of each test live in its own folder; NOC_CONSOLE_* is cleared."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    for name in list(os.environ):
        if name.startswith("NOC_CONSOLE_") and name != PG_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    return home
