"""Pilot helpers shared by the list screens' tests (contract browser, audit log)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from noc_console.app import NocApp
from noc_console.db import create_db_engine, session_factory
from noc_console.screens.session import DbConnected
from noc_console.services.context import Principal
from tests.ui.helpers import settle as settle_once


def scalars(url: str, statement: Any) -> list[Any]:
    """Every row a SELECT returns, detached from its session (read after the session closed)."""
    engine = create_db_engine(url)
    try:
        with session_factory(engine)() as s:
            rows = list(s.scalars(statement).all())
            s.expunge_all()
            return rows
    finally:
        engine.dispose()


async def settle(pilot: Pilot[Any]) -> None:
    """helpers.settle, tolerating a worker cancelled by a newer one of its group (exclusive)."""
    for _ in range(10):
        try:
            await settle_once(pilot)
        except WorkerCancelled:
            continue
        return


async def connected_as(pilot: Pilot[Any], principal: Principal) -> DbConnected:
    """Wait for the connection; the app then acts as ``principal`` (as after a login)."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NocApp)
    state = app.db_state
    assert isinstance(state, DbConnected)
    app.principal = principal
    return state


async def opened(pilot: Pilot[Any], screen: Any) -> None:
    """Push ``screen`` straight over the login screen and wait for its first answers."""
    await pilot.app.push_screen(screen)
    await settle(pilot)
