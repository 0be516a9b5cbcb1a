from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from noc_console.auth_settings import AuthSettings
from noc_console.clock import FixedClock
from noc_console.services.context import ServiceContext
from noc_console.services.signin import Identity
from tests.support.factories import FAST_HASHER
from tests.support.ldap import Slapd, start_slapd


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    yield from start_slapd(tmp_path_factory.mktemp("slapd"))


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock) -> ServiceContext:
    """A service context on a fresh database (both backends), fixed clock, fast hasher."""
    return ServiceContext(engine, clock=clock, hasher=FAST_HASHER)


@pytest.fixture
def identity(tmp_path: Path) -> Identity:
    """Local accounts, a code for supervisors, a key file of this test's own."""
    return Identity(auth=AuthSettings(), key_path=tmp_path / "auth.key")
