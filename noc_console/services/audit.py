"""Recording audit events (the only writer of audit_events) and, later, querying them.

Details are checked before they are written: a secret or a contract value in
an audit row would be permanent (the table is append-only), so a caller that
tries is a bug and fails loudly in tests rather than leaking quietly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from noc_console.models import AuditEvent, PortalUser
from noc_console.services.context import ServiceContext

FORBIDDEN_KEY_PARTS = ("password", "hash", "token", "secret", "monthly_value", "amount", "total")


def _check_details(value: Any, path: str = "details") -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            lowered = str(key).lower()
            if any(part in lowered for part in FORBIDDEN_KEY_PARTS):
                raise ValueError(f"audit {path}.{key} looks like a secret or a value; not recorded")
            _check_details(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_details(item, f"{path}[{i}]")
    elif isinstance(value, Decimal | float):
        raise ValueError(f"audit {path} holds an amount; not recorded")
    elif isinstance(value, str) and value.startswith("$argon2"):
        raise ValueError(f"audit {path} holds a password hash; not recorded")


def record(
    session: Session,
    *,
    at: datetime,
    action: str,
    operator_id: int | None = None,
    customer_id: int | None = None,
    portal_user_id: int | None = None,
    subject: str | None = None,
    ticket_ref: str | None = None,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the caller's transaction: it commits or rolls back with the change."""
    payload = dict(details or {})
    _check_details(payload)
    event = AuditEvent(
        occurred_at=at,
        action=action,
        operator_id=operator_id,
        customer_id=customer_id,
        portal_user_id=portal_user_id,
        subject=subject,
        ticket_ref=ticket_ref,
        reason=reason,
        details=payload,
    )
    session.add(event)
    return event


def about_portal_user(user: PortalUser) -> dict[str, Any]:
    """The columns that tie an event to a portal user, written the same way by every caller."""
    return {
        "customer_id": user.customer_id,
        "portal_user_id": user.id,
        "subject": f"portal:{user.login}",
    }


def record_now(ctx: ServiceContext, *, action: str, **fields: Any) -> None:
    """One event in a transaction of its own, stamped now: for events that are the whole
    unit of work (a refusal, a viewing, a logout) rather than part of a change."""
    with ctx.sessions.begin() as session:
        record(session, at=ctx.clock.now(), action=action, **fields)
