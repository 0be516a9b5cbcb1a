"""One number per table the demo writes: the next free id, or the rows written so far.

Explicit ids let children refer to their parents without a round trip; the same
shape counts what was written for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class TableTally:
    """A number per table, named after the table."""

    customers: int = 0
    portal_users: int = 0
    portal_sessions: int = 0
    escalation_chains: int = 0
    escalation_contacts: int = 0
    contracts: int = 0
    audit_events: int = 0


TABLES: tuple[str, ...] = tuple(f.name for f in fields(TableTally))
