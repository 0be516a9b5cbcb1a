"""What a seeding is asked for, what it answers and how it refuses: the public shapes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[str, int, int], None]
"""(stage, done, total): "operators", "customers", "audit" and, on SQLite, "indexes" and
"search index"."""


@dataclass(frozen=True)
class DemoOptions:
    """What to generate; the defaults make the embedded demo database, built at first start."""

    customers: int = 120
    users_per_customer: int = 6
    contracts_per_customer: int = 10
    seed: int = 42
    heavy_customer_contracts: int = 0  # one extra customer with this many contracts
    audit_days: int = 21
    force: bool = False  # SQLite only: wipe the database and reseed


@dataclass(frozen=True)
class DemoReport:
    """What was written, for the CLI summary; ``operators`` carries the demo passwords."""

    customers: int
    portal_users: int
    contracts: int
    escalation_chains: int
    escalation_contacts: int
    audit_events: int
    operators: tuple[tuple[str, str, str], ...]  # (username, role, password)
    seconds: float


class DatabaseNotEmpty(Exception):
    """The target already holds data; seeding would mix demo rows with real ones."""
