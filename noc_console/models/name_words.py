"""The words of every searched name, and the one-deletion keys that forgive a typo in one.

An analyst types what a caller says: names out of order, truncated,
misspelled. A btree over the *words* of the names lets a lookup find
"Padaria São José" from ``jose padar`` with one index range per word that
``LIMIT`` stops early, so a common word costs no more than a rare one; and a
btree over each word's one-deletion variants (symmetric delete) finds the
words one edit away from a typed one (``padria`` -> ``padaria``) with an
equality lookup, on both backends, never a scan.

A word common to a million names ("maria", "silva") makes a name of several
common words costly to find by one word's range: the range walks every
holder of the word to keep the few holding the others too. So each name's
ordered *pairs* of words are stored as well (``name_word_pairs``): two typed
words are one btree range of the names holding both, whatever either word's
frequency, and the stored words each typed word may stand for (its longer
forms, from ``name_vocabulary``, and its typo forms) are named as values.

The tables are kept in step with the names by the mapper events at the end
of this module (every ORM write: the console's and the portal's, which share
these models), by the demo's bulk loader (``rows_for_*`` + ``insert_words``)
and, for rows written before they existed, by migrations 0009 and 0010.
``name_word_keys`` and ``name_vocabulary`` only ever grow: a word left behind
by a renamed record is one no name holds any more, which finds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import IntEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Connection,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    bindparam,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base
from noc_console.models.customers import Customer
from noc_console.models.escalation import EscalationChain, EscalationContact
from noc_console.models.portal_users import PortalUser
from noc_console.text import fold

# A stored word is cut to this many characters: prefix matching still works on the cut.
WORD_LENGTH = 64
# Typos are forgiven in words of at least this many letters (typed or stored): shorter
# ones ('sa', 'de') are one edit away from too many others to say anything.
MIN_TYPO_WORD = 3
# Letters and digits in a row: what a word of a name is ('São-José Ltda.' -> sao, jose, ltda).
_WORD = re.compile(r"[^\W_]+")


class NameKind(IntEnum):
    """Which name of which record a word belongs to (``record_id`` is that record's id)."""

    LEGAL_NAME = 1  # customers.legal_name
    TRADE_NAME = 2  # customers.trade_name
    USER_NAME = 3  # portal_users.full_name
    CONTACT_NAME = 4  # escalation_contacts.name


class NameWord(Base):
    """One distinct word of one name: the customer it leads to is carried along."""

    __tablename__ = "name_words"
    __table_args__ = (
        PrimaryKeyConstraint("kind", "record_id", "word"),
        CheckConstraint("kind BETWEEN 1 AND 4", name="kind"),
        # The lookup's range: word order (code points on PostgreSQL, as ~<~ sorts), then kind,
        # so a company whose name holds the word comes before the people who share it.
        Index(
            "ix_name_words_word",
            "word",
            "kind",
            "record_id",
            postgresql_ops={"word": "text_pattern_ops"},
        ),
    )

    kind: Mapped[int] = mapped_column(SmallInteger)
    record_id: Mapped[int] = mapped_column(BigInteger)
    word: Mapped[str] = mapped_column(String(WORD_LENGTH))
    customer_id: Mapped[int] = mapped_column(BigInteger)


class NameWordKey(Base):
    """A word and each of its one-deletion variants, pointing at the word (symmetric delete)."""

    __tablename__ = "name_word_keys"
    __table_args__ = (PrimaryKeyConstraint("key", "word"),)

    key: Mapped[str] = mapped_column(String(WORD_LENGTH))
    word: Mapped[str] = mapped_column(String(WORD_LENGTH))


class NameWordPair(Base):
    """Two distinct words of one name, in both orders: the names holding both typed words
    are one btree range, however common each word is."""

    __tablename__ = "name_word_pairs"
    __table_args__ = (
        PrimaryKeyConstraint("word", "other", "kind", "record_id"),
        CheckConstraint("kind BETWEEN 1 AND 4", name="kind"),
        {"sqlite_with_rowid": False},
    )

    word: Mapped[str] = mapped_column(String(WORD_LENGTH))
    other: Mapped[str] = mapped_column(String(WORD_LENGTH))
    kind: Mapped[int] = mapped_column(SmallInteger)
    record_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)


class NameVocabulary(Base):
    """Every distinct word of every name: the stored words a typed prefix stands for."""

    __tablename__ = "name_vocabulary"
    __table_args__ = (
        # A prefix range (code points on PostgreSQL, as ~<~ sorts).
        Index(
            "ix_name_vocabulary_word",
            "word",
            postgresql_ops={"word": "text_pattern_ops"},
        ),
        {"sqlite_with_rowid": False},
    )

    word: Mapped[str] = mapped_column(String(WORD_LENGTH), primary_key=True)


_WORDS: Table = NameWord.__table__  # type: ignore[assignment]
_KEYS: Table = NameWordKey.__table__  # type: ignore[assignment]
_PAIRS: Table = NameWordPair.__table__  # type: ignore[assignment]
_VOCABULARY: Table = NameVocabulary.__table__  # type: ignore[assignment]


# ASCII text: every character but a letter or a digit becomes a space (what _WORD keeps).
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def split_words(folded: str) -> list[str]:
    """The words of a folded text, in order, each cut to WORD_LENGTH.

    Folded names are nearly always ASCII: for them a translate and a split give the
    same words as the regular expression in a third of the time (a lookup splits
    every name it ranks)."""
    if folded.isascii():
        return [w[:WORD_LENGTH] for w in folded.translate(_ASCII_SEPARATORS).split()]
    return [w[:WORD_LENGTH] for w in _WORD.findall(folded)]


def name_words(name: str | None) -> list[str]:
    """The distinct words of a name as stored (folded), in order of first appearance."""
    return list(dict.fromkeys(split_words(fold(name))))


def deletion_keys(word: str) -> set[str]:
    """The word and every string one deletion away from it.

    Two words are within one edit (insert, delete, substitute, swap of
    neighbours) only if their key sets meet; the converse is not guaranteed,
    so a match is re-checked (``services.search.names``).
    """
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def word_rows(
    kind: NameKind, record_id: int, customer_id: int, name: str | None
) -> list[dict[str, Any]]:
    """The ``name_words`` rows of one name."""
    return [
        {"kind": int(kind), "record_id": record_id, "word": w, "customer_id": customer_id}
        for w in name_words(name)
    ]


def rows_for_customer(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Word rows of a customer row (``id``, ``legal_name``, ``trade_name``)."""
    cid = int(row["id"])
    return word_rows(NameKind.LEGAL_NAME, cid, cid, row["legal_name"]) + word_rows(
        NameKind.TRADE_NAME, cid, cid, row.get("trade_name")
    )


def rows_for_user(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Word rows of a portal-user row (``id``, ``customer_id``, ``full_name``)."""
    return word_rows(NameKind.USER_NAME, int(row["id"]), int(row["customer_id"]), row["full_name"])


def rows_for_contact(row: Mapping[str, Any], customer_id: int) -> list[dict[str, Any]]:
    """Word rows of an escalation-contact row (``id``, ``name``) of ``customer_id``'s chain."""
    return word_rows(NameKind.CONTACT_NAME, int(row["id"]), customer_id, row["name"])


def key_rows(words: Iterable[str]) -> list[dict[str, str]]:
    """The ``name_word_keys`` rows of the words long enough to forgive a typo in.

    Sorted: two transactions adding overlapping keys then take the unique index's
    locks in the same order, so they queue instead of deadlocking (PostgreSQL).
    """
    pairs = {
        (key, word)
        for word in set(words)
        if len(word) >= MIN_TYPO_WORD
        for key in deletion_keys(word)
    }
    return [{"key": key, "word": word} for key, word in sorted(pairs)]


def pair_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``name_word_pairs`` rows of word rows: every ordered pair of two distinct words
    of one name (n words make n(n-1) rows; a name's words are few)."""
    names: dict[tuple[int, int], tuple[int, list[str]]] = {}
    for row in rows:
        key = (int(row["kind"]), int(row["record_id"]))
        names.setdefault(key, (int(row["customer_id"]), []))[1].append(row["word"])
    out: list[dict[str, Any]] = []
    for (kind, record_id), (customer_id, words) in names.items():
        out += [
            {
                "word": a,
                "other": b,
                "kind": kind,
                "record_id": record_id,
                "customer_id": customer_id,
            }
            for a in words
            for b in words
            if a != b
        ]
    return out


def _insert_ignoring_duplicates(
    conn: Connection, rows: Sequence[Mapping[str, Any]], table: Table = _KEYS
) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(table).on_conflict_do_nothing(), list(rows))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))


def insert_words(
    conn: Connection, rows: Sequence[Mapping[str, Any]], *, derived: bool = True
) -> None:
    """Add word rows and the keys of their words, in the caller's transaction; with
    ``derived``, their pairs and vocabulary too (a bulk load fills those once at its end,
    ``fill_derived``: millions of pairs inserted in index order, not at random)."""
    if not rows:
        return
    conn.execute(insert(_WORDS), list(rows))
    keys = key_rows(r["word"] for r in rows)
    for start in range(0, len(keys), 10_000):
        _insert_ignoring_duplicates(conn, keys[start : start + 10_000])
    if not derived:
        return
    pairs = pair_rows(rows)
    for start in range(0, len(pairs), 20_000):
        conn.execute(insert(_PAIRS), pairs[start : start + 20_000])
    # Sorted, as the keys: concurrent writers take the index's locks in one order.
    vocabulary = [{"word": w} for w in sorted({r["word"] for r in rows})]
    _insert_ignoring_duplicates(conn, vocabulary, _VOCABULARY)


# Every pair and word of name_words, sorted as the primary keys: one pass that appends
# to each btree instead of millions of inserts at random places.
_FILL_PAIRS = (
    "INSERT INTO name_word_pairs (word, other, kind, record_id, customer_id)"
    " SELECT a.word, b.word, a.kind, a.record_id, a.customer_id FROM name_words a"
    " JOIN name_words b ON b.kind = a.kind AND b.record_id = a.record_id AND b.word <> a.word"
    " ORDER BY a.word, b.word, a.kind, a.record_id"
)
_FILL_VOCABULARY = (
    "INSERT INTO name_vocabulary (word) SELECT DISTINCT word FROM name_words ORDER BY word"
)


def fill_derived(conn: Connection) -> None:
    """Fill the (empty) pairs and vocabulary from ``name_words``: after a bulk load, and in
    the migration that added them."""
    if conn.dialect.name == "postgresql":
        # One statement over every name: minutes at millions of users, past the console's
        # statement timeout (which is for an operator waiting, not for a bulk load).
        conn.execute(text("SET LOCAL statement_timeout = 0"))
    conn.execute(text(_FILL_PAIRS))
    conn.execute(text(_FILL_VOCABULARY))


def replace_words(
    conn: Connection, kinds: Sequence[NameKind], record_id: int, rows: Sequence[Mapping[str, Any]]
) -> None:
    """The words of a record's names become ``rows`` (the record's other names untouched)."""
    table = _WORDS
    which = (table.c.kind.in_([int(k) for k in kinds]), table.c.record_id == record_id)
    # The old pairs are deleted by their primary key, from the old words: an index on
    # (kind, record_id) would cost the pairs table a second copy of itself.
    old = conn.execute(
        select(table.c.kind, table.c.record_id, table.c.word, table.c.customer_id).where(*which)
    ).mappings()
    old_pairs = pair_rows([dict(r) for r in old])
    if old_pairs:
        p = _PAIRS.c
        conn.execute(
            delete(_PAIRS).where(
                p.word == bindparam("b_word"),
                p.other == bindparam("b_other"),
                p.kind == bindparam("b_kind"),
                p.record_id == bindparam("b_record_id"),
            ),
            [{f"b_{k}": v for k, v in row.items() if k != "customer_id"} for row in old_pairs],
        )
    conn.execute(delete(table).where(*which))
    insert_words(conn, rows)


# -- kept in step on every ORM write ---------------------------------------------------------


def _changed(target: object, *attrs: str) -> bool:
    state = inspect(target)
    return any(state.attrs[a].history.has_changes() for a in attrs)


def _customer_rows(target: Customer) -> list[dict[str, Any]]:
    return rows_for_customer(
        {"id": target.id, "legal_name": target.legal_name, "trade_name": target.trade_name}
    )


@event.listens_for(Customer, "after_insert")
def _customer_inserted(_mapper: object, conn: Connection, target: Customer) -> None:
    insert_words(conn, _customer_rows(target))


@event.listens_for(Customer, "after_update")
def _customer_updated(_mapper: object, conn: Connection, target: Customer) -> None:
    if _changed(target, "legal_name", "trade_name"):
        rows = _customer_rows(target)
        replace_words(conn, (NameKind.LEGAL_NAME, NameKind.TRADE_NAME), target.id, rows)


@event.listens_for(Customer, "after_delete")
def _customer_deleted(_mapper: object, conn: Connection, target: Customer) -> None:
    replace_words(conn, (NameKind.LEGAL_NAME, NameKind.TRADE_NAME), target.id, [])


def _user_rows(target: PortalUser) -> list[dict[str, Any]]:
    return rows_for_user(
        {"id": target.id, "customer_id": target.customer_id, "full_name": target.full_name}
    )


@event.listens_for(PortalUser, "after_insert")
def _user_inserted(_mapper: object, conn: Connection, target: PortalUser) -> None:
    insert_words(conn, _user_rows(target))


@event.listens_for(PortalUser, "after_update")
def _user_updated(_mapper: object, conn: Connection, target: PortalUser) -> None:
    # A login, a lockout or a reset rewrites the row too: only a new name or owner counts.
    if _changed(target, "full_name", "customer_id"):
        replace_words(conn, (NameKind.USER_NAME,), target.id, _user_rows(target))


@event.listens_for(PortalUser, "after_delete")
def _user_deleted(_mapper: object, conn: Connection, target: PortalUser) -> None:
    replace_words(conn, (NameKind.USER_NAME,), target.id, [])


def _contact_rows(conn: Connection, target: EscalationContact) -> list[dict[str, Any]]:
    chains = EscalationChain.__table__
    customer_id = conn.scalar(select(chains.c.customer_id).where(chains.c.id == target.chain_id))
    if customer_id is None:  # pragma: no cover - the foreign key forbids it
        return []
    return rows_for_contact({"id": target.id, "name": target.name}, int(customer_id))


@event.listens_for(EscalationContact, "after_insert")
def _contact_inserted(_mapper: object, conn: Connection, target: EscalationContact) -> None:
    insert_words(conn, _contact_rows(conn, target))


@event.listens_for(EscalationContact, "after_update")
def _contact_updated(_mapper: object, conn: Connection, target: EscalationContact) -> None:
    if _changed(target, "name", "chain_id"):
        replace_words(conn, (NameKind.CONTACT_NAME,), target.id, _contact_rows(conn, target))


@event.listens_for(EscalationContact, "after_delete")
def _contact_deleted(_mapper: object, conn: Connection, target: EscalationContact) -> None:
    replace_words(conn, (NameKind.CONTACT_NAME,), target.id, [])


__all__ = [
    "MIN_TYPO_WORD",
    "WORD_LENGTH",
    "NameKind",
    "NameVocabulary",
    "NameWord",
    "NameWordKey",
    "NameWordPair",
    "deletion_keys",
    "fill_derived",
    "insert_words",
    "key_rows",
    "name_words",
    "pair_rows",
    "replace_words",
    "rows_for_contact",
    "rows_for_customer",
    "rows_for_user",
    "split_words",
    "word_rows",
]
