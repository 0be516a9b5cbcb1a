"""Every suffix of the identifiers searched inside: a substring is a prefix of some suffix.

An analyst reads out "the CNPJ has 345678 in it", "the contract ending in
010432", "a number with 98765": a fragment from the middle of a CNPJ, a
contract number or a phone. A trigram index answers that by reading the
postings of each of the fragment's trigrams, and digit trigrams are few (a
thousand) and shared by every CNPJ and phone: the postings grow with the data
(five times the rows at 5 M users, five times the time). Here each stored
value's suffixes of MIN_LENGTH characters or more are rows of one btree, so a
fragment is one range of it that ``LIMIT`` stops: its cost grows with the
log of the data, not with it.

Kept in step by the mapper events at the end of this module (every ORM write:
the console's and the portal's, which share these models), by the demo's bulk
load (``fill_suffixes`` once at its end) and, for rows written before the
table existed, by migration 0011.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Connection,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base
from noc_console.models.contracts import Contract
from noc_console.models.customers import Customer
from noc_console.models.escalation import EscalationChain, EscalationContact

# A fragment of fewer characters is searched by prefix only (MIN_SUBSTRING_LENGTH).
MIN_LENGTH = 3
# The longest stored value (a contract number).
SUFFIX_LENGTH = 40


class SuffixField(IntEnum):
    """Which identifier a suffix is of (``record_id`` is that record's id)."""

    CNPJ = 1  # customers.cnpj, 14 digits
    CONTRACT_NUMBER = 2  # contracts.number, upper case
    CONTACT_PHONE = 3  # escalation_contacts.phone, E.164 ('+' and digits)


class IdentifierSuffix(Base):
    """One suffix of one identifier, and the customer it leads to."""

    __tablename__ = "identifier_suffixes"
    __table_args__ = (
        PrimaryKeyConstraint("field", "suffix", "record_id"),
        CheckConstraint("field BETWEEN 1 AND 3", name="field"),
        {"sqlite_with_rowid": False},
    )

    field: Mapped[int] = mapped_column(SmallInteger)
    # Collation "C" on PostgreSQL: the primary key's btree orders by code point, so a prefix
    # range (>=, <) is served by it whatever the database's collation.
    suffix: Mapped[str] = mapped_column(
        String(SUFFIX_LENGTH).with_variant(String(SUFFIX_LENGTH, collation="C"), "postgresql")
    )
    record_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)


_SUFFIXES: Table = IdentifierSuffix.__table__  # type: ignore[assignment]


def suffixes(value: str | None) -> list[str]:
    """The value's suffixes of MIN_LENGTH characters or more, the value itself first."""
    if not value:
        return []
    return [value[i:] for i in range(len(value) - MIN_LENGTH + 1)]


def suffix_rows(
    field: SuffixField, record_id: int, customer_id: int, value: str | None
) -> list[dict[str, Any]]:
    return [
        {"field": int(field), "suffix": s, "record_id": record_id, "customer_id": customer_id}
        for s in suffixes(value)
    ]


# Each searched value, as its field stores it: (field, table, value, record id, customer id).
_SOURCES = (
    (SuffixField.CNPJ, "customers x", "x.cnpj", "x.id", "x.id"),
    (SuffixField.CONTRACT_NUMBER, "contracts x", "upper(x.number)", "x.id", "x.customer_id"),
    (
        SuffixField.CONTACT_PHONE,
        "escalation_contacts x JOIN escalation_chains h ON h.id = x.chain_id",
        "x.phone",
        "x.id",
        "h.customer_id",
    ),
)


def fill_suffixes(conn: Connection) -> None:
    """Every suffix of every stored identifier into the (empty) table, sorted as its
    primary key: one pass that appends to the btree. After a bulk load, and in the
    migration that added the table."""
    if conn.dialect.name == "postgresql":
        # Millions of rows: past the console's statement timeout (for an operator waiting).
        conn.execute(text("SET LOCAL statement_timeout = 0"))
    length = "length" if conn.dialect.name == "sqlite" else "char_length"
    for field, table, value, record, customer in _SOURCES:
        conn.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"  # noqa: S608
                f" WHERE i < {SUFFIX_LENGTH})"
                " INSERT INTO identifier_suffixes (field, suffix, record_id, customer_id)"
                f" SELECT {int(field)}, substr({value}, n.i), {record}, {customer}"
                f" FROM {table} JOIN n ON n.i <= {length}({value}) - {MIN_LENGTH - 1}"
                f" WHERE {value} IS NOT NULL ORDER BY 2, 3"
            )
        )


def replace_suffixes(
    conn: Connection,
    field: SuffixField,
    record_id: int,
    old: str | None,
    new: str | None,
    customer_id: int | None,
) -> None:
    """The record's suffixes become those of ``new`` (none: deleted), deleted by primary
    key from the ``old`` value's (an index by record would be a second copy of the table)."""
    gone = suffixes(old)
    if gone:
        t = _SUFFIXES.c
        conn.execute(
            delete(_SUFFIXES).where(
                t.field == int(field), t.record_id == record_id, t.suffix.in_(gone)
            )
        )
    if new and customer_id is not None:
        conn.execute(insert(_SUFFIXES), suffix_rows(field, record_id, customer_id, new))


# -- kept in step on every ORM write ---------------------------------------------------------


def _before(target: object, attr: str) -> tuple[bool, Any]:
    """Whether the attribute changed in this flush, and its value before the flush (loaded:
    ``active_history``)."""
    history = inspect(target).attrs[attr].history
    if not history.has_changes():
        return False, getattr(target, attr)
    return True, history.deleted[0] if history.deleted else None


@event.listens_for(Customer, "after_insert")
def _customer_inserted(_mapper: object, conn: Connection, target: Customer) -> None:
    replace_suffixes(conn, SuffixField.CNPJ, target.id, None, target.cnpj, target.id)


@event.listens_for(Customer, "after_update")
def _customer_updated(_mapper: object, conn: Connection, target: Customer) -> None:
    changed, old = _before(target, "cnpj")
    if changed:
        replace_suffixes(conn, SuffixField.CNPJ, target.id, old, target.cnpj, target.id)


@event.listens_for(Customer, "after_delete")
def _customer_deleted(_mapper: object, conn: Connection, target: Customer) -> None:
    replace_suffixes(conn, SuffixField.CNPJ, target.id, target.cnpj, None, None)


def _number(value: str | None) -> str | None:
    return value.upper() if value else None


@event.listens_for(Contract, "after_insert")
def _contract_inserted(_mapper: object, conn: Connection, target: Contract) -> None:
    number = _number(target.number)
    replace_suffixes(conn, SuffixField.CONTRACT_NUMBER, target.id, None, number, target.customer_id)


@event.listens_for(Contract, "after_update")
def _contract_updated(_mapper: object, conn: Connection, target: Contract) -> None:
    renumbered, old = _before(target, "number")
    moved, _owner_before = _before(target, "customer_id")
    if renumbered or moved:
        number = _number(target.number)
        field = SuffixField.CONTRACT_NUMBER
        replace_suffixes(conn, field, target.id, _number(old), number, target.customer_id)


@event.listens_for(Contract, "after_delete")
def _contract_deleted(_mapper: object, conn: Connection, target: Contract) -> None:
    number = _number(target.number)
    replace_suffixes(conn, SuffixField.CONTRACT_NUMBER, target.id, number, None, None)


def _owner(conn: Connection, chain_id: int) -> int | None:
    chains = EscalationChain.__table__
    found = conn.scalar(select(chains.c.customer_id).where(chains.c.id == chain_id))
    return int(found) if found is not None else None


@event.listens_for(EscalationContact, "after_insert")
def _contact_inserted(_mapper: object, conn: Connection, target: EscalationContact) -> None:
    if target.phone:
        owner = _owner(conn, target.chain_id)
        replace_suffixes(conn, SuffixField.CONTACT_PHONE, target.id, None, target.phone, owner)


@event.listens_for(EscalationContact, "after_update")
def _contact_updated(_mapper: object, conn: Connection, target: EscalationContact) -> None:
    rephoned, old = _before(target, "phone")
    moved, _chain_before = _before(target, "chain_id")
    if rephoned or moved:
        owner = _owner(conn, target.chain_id)
        replace_suffixes(conn, SuffixField.CONTACT_PHONE, target.id, old, target.phone, owner)


@event.listens_for(EscalationContact, "after_delete")
def _contact_deleted(_mapper: object, conn: Connection, target: EscalationContact) -> None:
    replace_suffixes(conn, SuffixField.CONTACT_PHONE, target.id, target.phone, None, None)


__all__ = [
    "MIN_LENGTH",
    "IdentifierSuffix",
    "SuffixField",
    "fill_suffixes",
    "replace_suffixes",
    "suffix_rows",
    "suffixes",
]
