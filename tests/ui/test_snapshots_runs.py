"""Snapshots of the escalation runs board and run view in pt_BR (test_runs.py asserts behaviour).

Deterministic: 120x40, pt_BR, FixedClock (13:10 UTC), runs started at fixed
offsets from it through the services, a database file with a fixed name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual.pilot import Pilot

from noc_console.app import NocApp
from noc_console.clock import FixedClock
from noc_console.db import create_db_engine
from noc_console.models import Role
from noc_console.screens.run.screen import RunScreen
from noc_console.screens.session import DbConnected
from noc_console.services import escalation_runs as runs
from noc_console.services.context import ServiceContext
from tests.support.factories import make_chain, make_customer, make_operator
from tests.ui.helpers import SIZE, add_operator, build_app, log_in, settle, settle_tables

SnapCompare = Callable[..., bool]


def seed_board(url: str) -> int:
    """Three runs: L1 due now, L2 overdue by 3 minutes, acknowledged at L1. Returns the overdue."""
    engine = create_db_engine(url)
    try:
        now = FixedClock().now()
        with ServiceContext(engine).sessions.begin() as s:
            names = ("Padaria São João Ltda", "Rede Fibra Sul S.A.", "Transportes Silva Ltda")
            customers = [make_customer(s, name) for name in names]
            for customer in customers:
                make_chain(s, customer)
            otto = make_operator(s, Role.OPERATOR, username="otto")
            ids = [c.id for c in customers]

        def ctx_at(minutes_ago: float) -> ServiceContext:
            return ServiceContext(engine, clock=FixedClock(now - timedelta(minutes=minutes_ago)))

        runs.start_run(ctx_at(0.5), otto, ids[0], ticket_ref="INC-2026-0101")
        late = runs.start_run(ctx_at(18), otto, ids[1], ticket_ref="INC-2026-0102").detail.run.id
        runs.record_attempt(ctx_at(17), otto, late, outcome="no_answer", note="caixa postal")
        acked = runs.start_run(ctx_at(30), otto, ids[2], ticket_ref="INC-2026-0103").detail.run.id
        runs.record_attempt(ctx_at(28), otto, acked, outcome="answered")
        runs.acknowledge(ctx_at(28), otto, acked, level=1)
        return late
    finally:
        engine.dispose()


def test_board_due_overdue_acknowledged_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    add_operator(portal_url, role="operator")
    seed_board(portal_url)

    async def open_board(pilot: Pilot[Any]) -> None:
        await log_in(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await settle_tables(pilot)

    assert snap_compare(
        build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=open_board
    )


def test_run_view_pt_br(snap_compare: SnapCompare, portal_url: str) -> None:
    add_operator(portal_url, role="operator")
    late = seed_board(portal_url)

    async def open_run(pilot: Pilot[Any]) -> None:
        await log_in(pilot)
        app = pilot.app
        assert isinstance(app, NocApp) and isinstance(app.db_state, DbConnected)
        assert app.principal is not None
        await app.push_screen(RunScreen(app.db_state.ctx, app.principal, late))
        await settle(pilot)
        await settle_tables(pilot)

    assert snap_compare(
        build_app(portal_url, lang="pt_BR"), terminal_size=SIZE, run_before=open_run
    )
