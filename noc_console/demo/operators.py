"""The demo operators: one login per role, made through the service like real ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from noc_console.clock import FixedClock
from noc_console.demo.options import DemoOptions
from noc_console.services.hashing import Hasher
from noc_console.services.operators import create_operator

DEMO_OPERATORS: tuple[tuple[str, str, str, str], ...] = (
    ("ana.analista", "Ana Analista", "analyst", "analista-demo-2026"),
    ("otto.operador", "Otto Operador", "operator", "operador-demo-2026"),
    ("sara.supervisora", "Sara Supervisora", "supervisor", "supervisora-demo-2026"),
)


def create_demo_operators(
    conn: Connection, options: DemoOptions, now: datetime, hasher: Hasher
) -> dict[str, int]:
    """The three demo logins, through the service (same validation and hashing as real ones),
    dated before the audit history so their first recorded login is not before they existed."""
    hired = FixedClock(now - timedelta(days=options.audit_days + 7))
    with Session(bind=conn) as session:
        make = partial(create_operator, session, hasher=hasher, clock=hired)
        created = {
            username: make(username=username, display_name=display, role=role, password=password).id
            for username, display, role, password in DEMO_OPERATORS
        }
        session.flush()
    return created
