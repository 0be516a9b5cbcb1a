"""How a database says the demo generator wrote it: the services ask it at run time.

It lives here, under the generator, so that the services never import the generator
(``noc_console.demo`` is a data plan and a bulk loader the running console never needs).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.models import AuditEvent

DEMO_SEEDED_ACTION = "demo_seeded"
"""The audit action the generator writes as its very last act."""


def is_demo_database(session: Session) -> bool:
    """True when the generator wrote this database (its last act is a 'demo_seeded' event).

    The CLI shows the demo passwords only then, never for a real database.
    """
    found = session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == DEMO_SEEDED_ACTION).limit(1)
    )
    return found is not None
