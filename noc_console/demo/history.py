"""The operators' audit history, drawn before the users exist.

Actions and detail shapes are those the services record, so the audit screen
shows demo rows exactly like real ones.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from noc_console.demo.operators import DEMO_OPERATORS
from noc_console.demo.options import DemoOptions
from noc_console.demo.plan import CustomerPlan, random_stream
from noc_console.demo.vocabulary import (
    ESCALATION_REASONS,
    LEVEL2_DELAYS,
    LEVEL3_DELAYS,
    RESET_REASONS,
    UNLOCK_REASONS,
)

# São Paulo has had no daylight saving time since 2019: a fixed offset is exact.
BRT = timedelta(hours=-3)


@dataclass
class AuditPlan:
    """Events drawn before the users exist; the users they name are remembered on the way."""

    events: list[dict[str, Any]] = field(default_factory=list)
    wanted_users: set[int] = field(default_factory=set)  # global user index
    logins: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # -> id, login, email
    wanted_customers: set[int] = field(default_factory=set)  # customer index
    customer_names: dict[int, str] = field(default_factory=dict)  # customer id -> legal name


# Kinds of operator work in the history, in the shapes the services record them.
_AUDIT_KINDS = ("reset_temporary", "reset_link", "unlock_only", "escalation", "values", "denied")
_AUDIT_WEIGHTS = (25, 14, 7, 20, 30, 4)
_CONTRACT_SORTS = ("number", "service", "start_date", "end_date", "value")


def plan_audit(options: DemoOptions, now: datetime, plans: Sequence[CustomerPlan]) -> AuditPlan:
    """Draw the audit history before the users exist (their ids and logins are filled in
    while they are generated).

    Actions and details mirror what the services record (password_reset,
    escalation_chain_saved, contract_values_viewed, operator_login/logout,
    permission_denied), so the audit screen shows demo rows exactly like real ones.
    Volume grows gently with the customer base: a NOC does not reset more
    passwords per day because the database is larger, but a bit more happens.
    """
    plan = AuditPlan()
    if options.audit_days <= 0:
        return plan
    rng = random_stream(options.seed, "audit")
    per_day = min(4 + len(plans) // 50, 300)
    upc = options.users_per_customer
    first_day = now.date() - timedelta(days=options.audit_days - 1)
    drawn = 0
    for day in range(options.audit_days):
        today = first_day + timedelta(days=day)
        local_midnight = datetime(today.year, today.month, today.day, tzinfo=UTC) - BRT
        weekend = today.weekday() >= 5
        on_shift = [op for op in DEMO_OPERATORS if not weekend or op[2] == "operator"]
        for username, _name, _role, _password in on_shift:
            login_at = local_midnight + timedelta(hours=7, minutes=rng.randint(40, 80))
            logout_at = local_midnight + timedelta(hours=19, minutes=rng.randint(35, 90))
            for at, action, details in (
                (login_at, "operator_login", {}),
                (logout_at, "operator_logout", {"why": rng.choice(("logout", "logout", "quit"))}),
            ):
                if at < now:
                    plan.events.append(
                        {"at": at, "op": username, "action": action, "details": details}
                    )
        if not plans:
            continue
        for _ in range(per_day // 3 if weekend else per_day):
            minutes = rng.randint(8 * 60, 19 * 60 + 30)
            at = local_midnight + timedelta(minutes=minutes, seconds=rng.randrange(60))
            # The first events cycle through every kind, so even a tiny demo shows each.
            kind = (
                _AUDIT_KINDS[drawn]
                if drawn < len(_AUDIT_KINDS)
                else rng.choices(_AUDIT_KINDS, weights=_AUDIT_WEIGHTS)[0]
            )
            if kind in ("reset_temporary", "reset_link", "unlock_only") and not upc:
                kind = "values"
            allowed = [o[0] for o in on_shift if _may(o[2], kind)]
            if at >= now or not allowed:
                continue
            drawn += 1
            customer = rng.choice(plans)
            plan.events.append(
                _audit_event(rng, kind, at, rng.choice(allowed), customer, upc, plan)
            )
    plan.events.sort(key=lambda e: e["at"])
    return plan


def _may(role: str, kind: str) -> bool:
    """Who does what, as the permission table allows it (analysts are denied values)."""
    if kind == "escalation":
        return role in ("operator", "supervisor")
    if kind == "values":
        return role == "supervisor"
    if kind == "denied":
        return role == "analyst"
    return True


def _audit_event(
    rng: random.Random,
    kind: str,
    at: datetime,
    op: str,
    customer: CustomerPlan,
    upc: int,
    plan: AuditPlan,
) -> dict[str, Any]:
    """One event of ``kind`` in the shape its service records, naming users to fill in later."""
    event: dict[str, Any] = {"at": at, "op": op, "customer": customer.id}
    ticket = f"INC-{at:%Y%m%d}-{rng.randint(1, 9999):04d}"
    if kind in ("reset_temporary", "reset_link", "unlock_only"):
        g = customer.index * upc + rng.randrange(upc)
        plan.wanted_users.add(g)
        method = {"reset_temporary": "temporary_password", "reset_link": "reset_link"}.get(
            kind, "unlock_only"
        )
        unlock = method == "unlock_only" or rng.random() < 0.3
        end_sessions = method != "unlock_only" or rng.random() < 0.5
        details: dict[str, Any] = {"method": method}
        if method == "temporary_password":
            details["expires_at"] = (at + timedelta(hours=24)).isoformat()
        elif method == "reset_link":
            details["expires_at"] = (at + timedelta(minutes=30)).isoformat()
            details["earlier_links_invalidated"] = rng.choice((0, 0, 0, 1))
        details |= {
            "checks": {
                "name_matches": True,
                "cnpj_confirmed": True,
                "callback_done": rng.random() < 0.7,
            },
            "unlock": unlock,
            "was_locked": unlock,
            "end_sessions": end_sessions,
            "sessions_ended": rng.choice((0, 0, 1, 2)) if end_sessions else 0,
        }
        reasons = UNLOCK_REASONS if method == "unlock_only" else RESET_REASONS
        event |= {
            "action": "password_reset",
            "user": g,
            "ticket_ref": ticket,
            "reason": rng.choice(reasons),
            "details": details,
        }
    elif kind == "escalation":
        plan.wanted_customers.add(customer.index)
        level = rng.choice((1, 2, 2, 3, 3))
        if level == 1:
            fields: dict[str, Any] = {"role_title": {"old": None, "new": "Gerente de TI"}}
        else:
            old, new = rng.sample(LEVEL2_DELAYS if level == 2 else LEVEL3_DELAYS, 2)
            fields = {"delay_minutes": {"old": old, "new": new}}
        version = rng.randint(1, 4)
        event |= {
            "action": "escalation_chain_saved",
            "ticket_ref": ticket.replace("INC", "CHG"),
            "reason": rng.choice(ESCALATION_REASONS),
            "details": {
                "version": {"old": version, "new": version + 1},
                "levels": {str(level): {"change": "changed", "fields": fields}},
                "contacts": rng.randint(max(level, 2), 3),
                "same_person_warnings": [],
            },
        }
    elif kind == "values":
        event |= {
            "action": "contract_values_viewed",
            "details": {
                "view": rng.choice(("list", "list", "totals")),
                "status": rng.choice(("active", "active", "all", "inactive")),
                "sort": rng.choice(_CONTRACT_SORTS),
                "text": "",
            },
        }
    else:
        event |= {
            "action": "permission_denied",
            "details": {"permission": "view_contract_values", "role": "analyst", "why": "role"},
        }
    return event
