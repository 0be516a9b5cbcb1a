"""The customer plan: who the customers are before any row is built, and the random streams.

Why up front: every child row (users, chains, contracts) needs its customer's id
and a few traits; deciding them first keeps memory flat for 100k customers and
makes a seed reproduce the same database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from noc_console.demo.options import DemoOptions


@dataclass(slots=True)
class CustomerPlan:
    """What children of a customer need to know about it, kept small for 100k customers."""

    index: int
    id: int
    domain: str
    ddd: str
    created_at: datetime
    contracts: int
    heavy: bool


def plan_customers(options: DemoOptions, now: datetime, first_id: int) -> list[CustomerPlan]:
    """Decide each customer's id, domain, area code and contract count up front."""
    total = options.customers + (1 if options.heavy_customer_contracts else 0)
    return [
        CustomerPlan(
            index=i,
            id=first_id + i,
            domain="",
            ddd="",
            created_at=now,
            contracts=options.contracts_per_customer
            if i < options.customers
            else options.heavy_customer_contracts,
            heavy=i >= options.customers,
        )
        for i in range(total)
    ]


def random_stream(seed: int, stream: str) -> random.Random:
    """One independent stream per kind of row, so e.g. users_per_customer never changes
    the customers drawn for a seed (string seeds are stable across runs and platforms)."""
    return random.Random(f"noc-console-demo/{seed}/{stream}")
