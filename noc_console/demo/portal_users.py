"""Portal users and their sessions, with every account state the reset wizard must handle.

Password hashing is deliberately slow (argon2id), so the users share a small pool
of PHC strings of random passwords nobody knows: a demo portal user gets in only
through the console's assisted reset, which is exactly what the demo is for.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from noc_console.demo.history import AuditPlan
from noc_console.demo.people import Names, phone_number
from noc_console.demo.plan import CustomerPlan
from noc_console.demo.tally import TableTally
from noc_console.models import portal_user_search_values
from noc_console.services.hashing import Hasher

PASSWORD_POOL_SIZE = 8
# Who reads the NOC's mail in English (portal_users.language; NULL is pt_BR): the first two
# users of the large customer (search "Preço Bom") and the very first user, so that a newcomer
# resetting them by link sees the English mail. Positions, not draws: the rest of the demo is
# the same rows as before.
ENGLISH_SPEAKERS = 2


def password_pool(hasher: Hasher) -> list[str]:
    """A few argon2id PHC strings of random, unknown passwords, shared by all portal users.

    Hashing a million passwords would take hours; hashing eight takes a moment and
    still gives rows that look (and verify) like real ones.
    """
    return [hasher.hash(secrets.token_urlsafe(18)) for _ in range(PASSWORD_POOL_SIZE)]


@dataclass
class UserState:
    """Per-run state of the user generator: login uniqueness and the showcase counter."""

    logins: dict[str, int] = field(default_factory=dict)
    global_index: int = 0


def draw_users(
    rng: random.Random,
    names: Names,
    plan: CustomerPlan,
    per_customer: int,
    now: datetime,
    pool: Sequence[str],
    state: UserState,
    ids: TableTally,
    audit: AuditPlan,
    sessions: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """A customer's portal users; their sessions are appended to ``sessions``."""
    rows = []
    emails: set[str] = set()
    for j in range(per_customer):
        g = state.global_index
        state.global_index += 1
        user_id = ids.portal_users
        ids.portal_users += 1
        full_name, first_f, last_f = names.draw(rng)
        base = f"{first_f}.{last_f}"
        seen = state.logins.get(base, 0)
        state.logins[base] = seen + 1
        login = base if not seen else f"{base}{seen + 1}"  # bases hold no digits: unique
        local = base if base not in emails else f"{base}{len(emails) + 1}"
        emails.add(local)
        email = f"{local}@{plan.domain}"
        # At least three days old, so sessions and temporary passwords come after it.
        created_at = plan.created_at + (now - timedelta(days=3) - plan.created_at) * rng.random()
        row: dict[str, Any] = {
            "id": user_id,
            "customer_id": plan.id,
            "full_name": full_name,
            "login": login,
            "email": email,
            "phone": phone_number(rng, plan.ddd) if rng.random() < 0.85 else None,
            "preposto_level": 1 if j == 0 else rng.choices((1, 2, 3), cum_weights=(15, 50, 100))[0],
            "is_active": True,
            "password_hash": pool[rng.randrange(len(pool))],
            "password_changed_at": created_at + (now - created_at) * rng.random(),
            "must_change_password": False,
            "temp_password_expires_at": None,
            "failed_login_count": 0,
            "locked_until": None,
            "created_at": created_at,
            "version": 1,
            "language": "en" if g == 0 or (plan.heavy and j < ENGLISH_SPEAKERS) else None,
            **portal_user_search_values(full_name, email),
        }
        # Showcase states at fixed positions (one of each in any demo), then random ones.
        state_draw = {1: 0.05, 2: 0.08, 3: 0.0}.get(g, rng.random() if j else 1.0)
        sessions_wanted = 0
        if state_draw < 0.03:
            row["is_active"] = False
        elif state_draw < 0.06:
            # Half follow the portal's 15-minute lockout; half are long locks, so a
            # demo database opened tomorrow still has locked users to unlock.
            minutes = rng.randint(3, 15) if rng.random() < 0.5 else rng.randint(1440, 43_200)
            row["locked_until"] = now + timedelta(minutes=minutes)
            row["failed_login_count"] = 5
            sessions_wanted = rng.randint(1, 2)
        elif state_draw < 0.09:
            row["must_change_password"] = True
            hours_left = rng.randint(-20, 23) if g != 2 else 20
            row["temp_password_expires_at"] = now + timedelta(hours=hours_left, minutes=7)
            row["password_changed_at"] = now + timedelta(hours=hours_left - 24, minutes=7)
        else:
            if rng.random() < 0.1:
                row["failed_login_count"] = rng.randint(1, 3)
            if rng.random() < 0.08:
                sessions_wanted = rng.randint(1, 2)
        if g == 1:
            sessions_wanted = 2
        for _ in range(sessions_wanted):
            sessions.append(session_row(rng, user_id, now, ids))
        if g in audit.wanted_users:
            audit.logins[g] = (user_id, login, email)
        rows.append(row)
    return rows


def session_row(rng: random.Random, user_id: int, now: datetime, ids: TableTally) -> dict[str, Any]:
    """An active portal session. The token is random (not from the seed): nobody can
    rebuild it, so a demo database never carries a usable session."""
    session_id = ids.portal_sessions
    ids.portal_sessions += 1
    created = now - timedelta(minutes=rng.randint(5, 600))
    return {
        "id": session_id,
        "portal_user_id": user_id,
        "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        "created_at": created,
        "last_seen_at": created + (now - created) * rng.random(),
        "expires_at": now + timedelta(minutes=rng.randint(30, 720)),
        "revoked_at": None,
        "revoked_reason": None,
    }
