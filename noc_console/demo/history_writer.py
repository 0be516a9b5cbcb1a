"""Writing the drawn audit history: oldest first, in blocks, and each operator's last login."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from noc_console.demo.bulk import ROWS_PER_BLOCK, begin_bulk, table_of
from noc_console.demo.history import AuditPlan
from noc_console.demo.options import Progress
from noc_console.demo.tally import TableTally


def write_audit(
    conn: Connection,
    plan: AuditPlan,
    operator_ids: dict[str, int],
    ids: TableTally,
    counts: TableTally,
    progress: Progress,
) -> None:
    """The operators' history, oldest first (ids follow time, as they would in real use)."""
    rows: list[dict[str, Any]] = []
    last_login: dict[str, datetime] = {}
    for event in plan.events:
        user_id: int | None = None
        subject: str | None = None
        if event["action"] in ("operator_login", "operator_logout"):
            subject = f"op:{event['op']}"
            if event["action"] == "operator_login":
                last_login[event["op"]] = event["at"]
        elif "user" in event:
            user_id, login, email = plan.logins[event["user"]]
            subject = f"portal:{login}"
            if event["details"]["method"] == "reset_link":
                local, _at, domain = email.rpartition("@")
                event["details"]["email_masked"] = f"{local[:1]}***@{domain}"
        elif event["action"] == "escalation_chain_saved":
            subject = plan.customer_names[event["customer"]][:200]
        rows.append(
            _audit_row(
                ids,
                event["at"],
                event["action"],
                operator_ids[event["op"]],
                event.get("customer"),
                user_id,
                subject,
                event.get("ticket_ref"),
                event.get("reason"),
                event.get("details", {}),
            )
        )
    total = len(rows)
    progress("audit", 0, total)
    t_audit, t_ops = table_of("audit_events"), table_of("operators")
    for offset in range(0, total, ROWS_PER_BLOCK):
        with conn.begin():
            begin_bulk(conn)
            conn.execute(insert(t_audit), rows[offset : offset + ROWS_PER_BLOCK])
        progress("audit", min(total, offset + ROWS_PER_BLOCK), total)
    if last_login:
        with conn.begin():
            conn.execute(
                update(t_ops)
                .where(t_ops.c.id == bindparam("op_id"))
                .values(last_login_at=bindparam("at")),
                [{"op_id": operator_ids[u], "at": at} for u, at in last_login.items()],
            )
    counts.audit_events += total


def _audit_row(
    ids: TableTally,
    at: datetime,
    action: str,
    operator_id: int | None,
    customer_id: int | None,
    portal_user_id: int | None,
    subject: str | None,
    ticket_ref: str | None,
    reason: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    """The audit_events row of one event, with the next free id."""
    row = {
        "id": ids.audit_events,
        "occurred_at": at,
        "operator_id": operator_id,
        "portal_user_id": portal_user_id,
        "action": action,
        "customer_id": customer_id,
        "subject": subject,
        "ticket_ref": ticket_ref,
        "reason": reason,
        "details": details,
    }
    ids.audit_events += 1
    return row
