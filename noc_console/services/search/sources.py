"""The searched fields: for each, its table, its indexed column and its way back to the customer.

Every source is its own index-served sub-query with its own LIMIT (no OR
across tables, no scan); this table is the one place that says which column
of which table serves a field, so the SQL is built from these constants only.
"""

from __future__ import annotations

from dataclasses import dataclass

from noc_console.services.search.dto import MatchField


@dataclass(frozen=True)
class Source:
    """One searched field: where it is stored and how its rows reach their customer."""

    field: MatchField
    table: str
    alias: str
    joins: str  # from ``alias`` to the table holding the customer's id
    customer: str  # the customer's id, qualified (customers are joined once, outside)
    column: str  # the indexed (folded or canonical) column, unqualified
    display: str  # the column shown as match_value, unqualified
    ident: bool  # equality is an exact (rank 0) match
    priority: int  # which reason to show when two fields tie on rank

    @property
    def norm(self) -> str:
        return f"{self.alias}.{self.column}"

    def from_clause(self) -> str:
        return f"{self.table} {self.alias}{self.joins}"

    @property
    def fts_table(self) -> str:
        return f"fts_{self.table}"

    def fts_from_clause(self) -> str:
        # No alias on the FTS table: MATCH needs its hidden column, named after the table.
        return (
            f"{self.fts_table} JOIN {self.table} {self.alias}"
            f" ON {self.alias}.id = {self.fts_table}.rowid{self.joins}"
        )


_CONTACT_JOIN = " JOIN escalation_chains h ON h.id = e.chain_id"


SOURCES: dict[MatchField, Source] = {}
# In priority order: when two fields tie on rank, the earlier one is the reason shown.
for _priority, _args in enumerate((
    (MatchField.CNPJ, "customers", "c", "", "c.id", "cnpj", "cnpj", True),
    (MatchField.CONTRACT_NUMBER, "contracts", "k", "", "k.customer_id", "number", "number",
     True),
    (MatchField.LOGIN, "portal_users", "u", "", "u.customer_id", "login", "login", True),
    (MatchField.LEGAL_NAME, "customers", "c", "", "c.id", "name_norm", "legal_name", False),
    (MatchField.TRADE_NAME, "customers", "c", "", "c.id", "trade_name_norm", "trade_name",
     False),
    (MatchField.USER_EMAIL, "portal_users", "u", "", "u.customer_id", "email_norm", "email",
     True),
    (MatchField.USER_NAME, "portal_users", "u", "", "u.customer_id", "name_norm", "full_name",
     False),
    (MatchField.CONTACT_PHONE, "escalation_contacts", "e", _CONTACT_JOIN, "h.customer_id",
     "phone", "phone", True),
    (MatchField.CONTACT_EMAIL, "escalation_contacts", "e", _CONTACT_JOIN, "h.customer_id",
     "email_norm", "email", True),
    (MatchField.CONTACT_NAME, "escalation_contacts", "e", _CONTACT_JOIN, "h.customer_id",
     "name_norm", "name", False),
)):  # fmt: skip
    SOURCES[_args[0]] = Source(*_args, priority=_priority)
del _priority, _args

# Sources whose PostgreSQL btree is a text_pattern_ops index (prefix by ~>=~ / ~<~):
# the models' indexes and pfx_portal_users_login in migrations.search_objects.
PATTERN_OPS = frozenset(
    {
        MatchField.LEGAL_NAME,
        MatchField.TRADE_NAME,
        MatchField.CONTRACT_NUMBER,
        MatchField.LOGIN,
        MatchField.USER_NAME,
        MatchField.USER_EMAIL,
        MatchField.CONTACT_NAME,
        MatchField.CONTACT_EMAIL,
        MatchField.CONTACT_PHONE,
    }
)


__all__ = ["PATTERN_OPS", "SOURCES", "Source"]
