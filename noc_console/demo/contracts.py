"""Contracts: services, statuses and end dates that cover every state the browser shows.

Money is built from integer cents, so a value is never a float on the way.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from noc_console.demo.plan import CustomerPlan
from noc_console.demo.tally import TableTally
from noc_console.demo.vocabulary import CENTS, SERVICE_CHOICE


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A price like 1499.90: built from integer cents, so never a float on the way."""
    cents = rng.randint(low, high) * 100 + rng.choice(CENTS)
    return Decimal(cents).scaleb(-2)


def draw_contracts(
    rng: random.Random, plan: CustomerPlan, today: date, ids: TableTally, count: int
) -> Iterator[dict[str, Any]]:
    """A customer's contracts, lazily: the heavy customer's are written chunk by chunk."""
    for k in range(count):
        n = ids.contracts
        ids.contracts += 1
        service, low, high, currency, _weight = rng.choices(*SERVICE_CHOICE)[0]
        if plan.heavy:
            service = f"{service} – Loja {k % 2_000 + 1:04d}"
        # Showcase: the first contracts cover every state the browser must show.
        shape = k if plan.index == 0 and k < 5 else None
        draw = rng.random()
        if shape == 2 or (shape is None and draw >= 0.75):
            status = "inactive"
            ended = today - timedelta(days=rng.randint(1, 1_500))
            start = ended - timedelta(days=rng.randint(90, 1_800))
            end: date | None = ended
        else:
            status = "active"
            start = today - timedelta(days=rng.randint(30, 2_500))
            bucket = rng.random()
            if shape == 0:
                bucket = 0.0
            elif shape == 1:
                bucket = 0.40
            elif shape == 3:
                bucket = 0.55
            if bucket < 0.35:
                end = None  # open-ended
            elif bucket < 0.45:
                end = today + timedelta(days=rng.randint(1, 30))
            elif bucket < 0.53:
                end = today + timedelta(days=rng.randint(31, 60))
            elif bucket < 0.60:
                end = today + timedelta(days=rng.randint(61, 90))
            else:
                end = today + timedelta(days=rng.randint(91, 1_100))
        if shape == 4:
            service, low, high, currency = "Trânsito IP Internacional 1 Gbps", 800, 3_000, "USD"
        yield {
            "id": n,
            "customer_id": plan.id,
            "number": f"CT-{start.year}-{n:06d}",
            "service_name": service,
            "status": status,
            "start_date": start,
            "end_date": end,
            "monthly_value": _money(rng, low, high),
            "currency": currency,
            "created_at": datetime(start.year, start.month, start.day, 12, tzinfo=UTC),
        }
