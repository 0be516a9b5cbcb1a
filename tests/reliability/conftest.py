"""Fixtures of the reliability suite: a secret-recording context, the log file, PostgreSQL admin.

Every test here runs under ``secret_guard``: the secrets it produces (stored
passwords, hashes, tokens) are recorded at their source, and when the test ends
its audit rows, outbox rows and every domain error text raised during it are
scanned for them. The log file of the whole package (the console's own
``logs.setup_logging``, at the level the console uses) is scanned by
``test_secrets.py``, which runs last.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine

from noc_console import logs
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.errors import DomainError
from noc_console.services.context import ServiceContext
from noc_console.services.hashing import FAST_TEST_PARAMS
from tests.conftest import BACKENDS
from tests.reliability.support.pg import PgAdmin
from tests.reliability.support.secret_scan import (
    RecordingHasher,
    SecretVault,
    database_texts,
    record_domain_errors,
    record_tokens,
)
from tests.support.databases import PG_ENV, PostgresTemplate, SQLiteTemplate
from tests.support.root_logging import reset_root_logger


@pytest.fixture(scope="package")
def vault() -> SecretVault:
    """Every secret produced by any test of this package (scanned for in the log at the end)."""
    return SecretVault()


@pytest.fixture(scope="package")
def reliability_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The console's log file, configured as the console configures it, for the whole package."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    log_dir = tmp_path_factory.mktemp("reliability-log")
    logs.setup_logging(log_dir)
    yield log_dir
    reset_root_logger(handlers, level)
    logging.captureWarnings(False)


@pytest.fixture
def restore_root_logging(reliability_log: Path) -> Iterator[None]:
    """cli.main() points logging at its own file; put the package's log file back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    reset_root_logger(handlers, level)


@dataclass
class SecretGuard:
    """What the test registered for the end-of-test scan."""

    vault: SecretVault
    errors: list[DomainError]
    texts: list[tuple[str, str]] = field(default_factory=list)

    def collect(self, engine: Engine) -> None:
        """Take the database's audit and outbox rows now (before its fixture drops it)."""
        self.texts += database_texts(engine)

    def text(self, where: str, value: str) -> None:
        """Any other text the test saw (an unexpected exception, a CLI line) to scan."""
        self.texts.append((where, value))


@pytest.fixture(autouse=True)
def secret_guard(vault: SecretVault, reliability_log: Path) -> Iterator[SecretGuard]:
    with record_tokens(vault), record_domain_errors() as errors:
        guard = SecretGuard(vault, errors)
        yield guard
    texts = [(f"{type(e).__name__} text", str(e)) for e in errors] + guard.texts
    leaks = vault.leaks(texts)
    assert not leaks, f"secrets found where they must never be: {leaks[:10]}"


@pytest.fixture
def rctx(engine: Engine, clock: FixedClock, secret_guard: SecretGuard) -> Iterator[ServiceContext]:
    """A service context (both backends) whose hasher records every stored password and hash;
    its audit and outbox rows are scanned for secrets when the test ends."""
    yield ServiceContext(
        engine, clock=clock, hasher=RecordingHasher(secret_guard.vault, FAST_TEST_PARAMS)
    )
    secret_guard.collect(engine)


@pytest.fixture(scope="module")
def pg_url(postgres_template: PostgresTemplate | None) -> Iterator[str]:
    """A migrated PostgreSQL database shared by a module (server faults exist only there);
    its tests kill only its own connections and name their data uniquely."""
    if postgres_template is None:
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    url = postgres_template.fresh_url()
    yield url
    postgres_template.drop(url)


@pytest.fixture
def pg_admin(pg_url: str) -> Iterator[PgAdmin]:
    admin = PgAdmin(pg_url)
    yield admin
    admin.close()


@pytest.fixture(scope="module", params=BACKENDS)
def module_engine(
    request: pytest.FixtureRequest,
    sqlite_template: SQLiteTemplate,
    postgres_template: PostgresTemplate | None,
) -> Iterator[Engine]:
    """One database per module and backend (a PostgreSQL clone costs most of a second; a
    module of small tests shares one). Tests on it create their own uniquely named data
    (tests/reliability/support/world.py) and measure what they wrote as differences."""
    template: SQLiteTemplate | PostgresTemplate | None
    template = sqlite_template if request.param == "sqlite" else postgres_template
    if template is None:
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    url = template.fresh_url()
    engine = create_db_engine(url)
    yield engine
    engine.dispose()
    template.drop(url)


@pytest.fixture
def mctx(
    module_engine: Engine, clock: FixedClock, secret_guard: SecretGuard
) -> Iterator[ServiceContext]:
    """Like rctx, on the module's shared database."""
    yield ServiceContext(
        module_engine, clock=clock, hasher=RecordingHasher(secret_guard.vault, FAST_TEST_PARAMS)
    )
    secret_guard.collect(module_engine)
