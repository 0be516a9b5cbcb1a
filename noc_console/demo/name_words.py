"""The demo's names into the lookup's word tables, block by block with the rows themselves.

The bulk loader writes with Core ``executemany``, past the mapper events that
keep ``name_words`` in step on every ORM write, so each block adds its words
here, in the block's transaction (a block that fails leaves no word behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from noc_console.models.identifier_suffixes import fill_suffixes
from noc_console.models.name_words import (
    fill_derived,
    insert_words,
    rows_for_contact,
    rows_for_customer,
    rows_for_user,
)


def add_block_words(
    conn: Connection,
    customers: Sequence[dict[str, Any]],
    users: Sequence[dict[str, Any]],
    chains: Sequence[dict[str, Any]],
    contacts: Sequence[dict[str, Any]],
) -> None:
    """The word rows (and typo keys) of one block's customers, portal users and contacts;
    their pairs and vocabulary come at the end (``add_derived_words``)."""
    owner = {int(chain["id"]): int(chain["customer_id"]) for chain in chains}
    rows: list[dict[str, Any]] = []
    for customer in customers:
        rows += rows_for_customer(customer)
    for user in users:
        rows += rows_for_user(user)
    for contact in contacts:
        rows += rows_for_contact(contact, owner[int(contact["chain_id"])])
    insert_words(conn, rows, derived=False)


def add_derived_words(conn: Connection) -> None:
    """The pairs and vocabulary of every loaded name, and the suffixes of every loaded
    identifier, once, after the last block: a sorted pass instead of millions of random
    inserts into their btrees."""
    fill_derived(conn)
    fill_suffixes(conn)


__all__ = ["add_block_words", "add_derived_words"]
