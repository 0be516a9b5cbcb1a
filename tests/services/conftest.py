from __future__ import annotations

import pytest
from sqlalchemy import Engine

from noc_console.clock import FixedClock
from noc_console.models import Role
from noc_console.services.context import Principal, ServiceContext
from tests.support.factories import FAST_HASHER, make_operator


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock) -> ServiceContext:
    """A service context on a fresh database (both backends), fixed clock, fast hasher."""
    return ServiceContext(engine, clock=clock, hasher=FAST_HASHER)


@pytest.fixture
def read_only_ctx(engine: Engine, clock: FixedClock) -> ServiceContext:
    return ServiceContext(engine, clock=clock, hasher=FAST_HASHER, read_only=True)


@pytest.fixture
def op(ctx: ServiceContext) -> Principal:
    """An analyst, the role that looks customers up (a test file may define its own)."""
    with ctx.sessions.begin() as s:
        return make_operator(s, Role.ANALYST)
