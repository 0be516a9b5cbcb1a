"""Escalation chains and contacts: full, partial, empty and missing chains, as customers leave them.

Issue #13's open escalation runs belong beside this, in a module of their own.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from noc_console.demo.people import Names, phone_number
from noc_console.demo.plan import CustomerPlan
from noc_console.demo.tally import TableTally
from noc_console.demo.vocabulary import CONTACT_ROLES, LEVEL2_DELAYS, LEVEL3_DELAYS
from noc_console.models import contact_search_values

DEMO_UPDATED_BY = "demo"


def _chain_kind(rng: random.Random, index: int, heavy: bool) -> int:
    """Levels registered: 3 full, 1-2 partial, 0 empty chain row, -1 no chain row at all."""
    showcase = {0: 3, 1: 2, 2: 0, 3: 1, 4: -1}
    if heavy:
        return 3
    if index in showcase:
        return showcase[index]
    return rng.choices((3, 2, 1, 0, -1), cum_weights=(55, 70, 80, 95, 100))[0]


def draw_escalation(
    rng: random.Random,
    names: Names,
    plan: CustomerPlan,
    now: datetime,
    ids: TableTally,
    chains: list[dict[str, Any]],
    contacts: list[dict[str, Any]],
) -> None:
    """The customer's chain row and contacts, appended to ``chains`` and ``contacts``."""
    levels = _chain_kind(rng, plan.index, plan.heavy)
    if levels < 0:
        return
    chain_id = ids.escalation_chains
    ids.escalation_chains += 1
    chains.append(
        {
            "id": chain_id,
            "customer_id": plan.id,
            "version": 1,
            "updated_at": now - timedelta(days=rng.randint(1, 700), seconds=rng.randrange(86_400)),
            "updated_by": DEMO_UPDATED_BY,
        }
    )
    for level in range(1, levels + 1):
        name, first_f, last_f = names.draw(rng)
        channel = rng.random()
        phone = phone_number(rng, plan.ddd) if channel < 0.9 else None
        email = f"{first_f}.{last_f}@{plan.domain}" if channel >= 0.7 or phone is None else None
        delay = 0 if level == 1 else rng.choice(LEVEL2_DELAYS if level == 2 else LEVEL3_DELAYS)
        contacts.append(
            {
                "id": ids.escalation_contacts,
                "chain_id": chain_id,
                "level": level,
                "name": name,
                "role_title": rng.choice(CONTACT_ROLES),
                "phone": phone,
                "email": email,
                "delay_minutes": delay,
                **contact_search_values(name, email),
            }
        )
        ids.escalation_contacts += 1
