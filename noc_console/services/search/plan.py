"""The plan of one lookup: its two stages, how each field ranks, and when stage 2 runs.

Stage 1 (equalities and prefix ranges, a btree range each, and the names
holding every typed word) is cheap and runs for every term; stage 2 (names
holding only some words or one typo away, the term inside values through the
trigram objects) is the costly one and runs only when stage 1 has not filled
the page. Every field stage 2 searches has a stage-1 branch on the same
normalised value its ranker compares, so stage 2 can only add matches that
rank below everything stage 1 finds.
"""

from __future__ import annotations

from collections.abc import Sequence

from noc_console.services.search import identifiers, names
from noc_console.services.search.dto import RANK_EXACT, RANK_PREFIX, MatchField
from noc_console.services.search.limits import MIN_SUBSTRING_LENGTH
from noc_console.services.search.merge import Candidate
from noc_console.services.search.query import Branch, QueryBuilder
from noc_console.services.search.rank import Ranker
from noc_console.services.search.terms import Term

# One trigram probe per table, over the searched columns it indexes.
_CUSTOMER_COLUMNS = (MatchField.LEGAL_NAME, MatchField.TRADE_NAME, MatchField.CNPJ)
_USER_COLUMNS = (MatchField.USER_NAME, MatchField.LOGIN, MatchField.USER_EMAIL)
_CONTACT_COLUMNS = (MatchField.CONTACT_NAME, MatchField.CONTACT_PHONE, MatchField.CONTACT_EMAIL)


def direct(builder: QueryBuilder) -> list[Branch]:
    """Stage 1: equalities and prefix ranges, identifiers' and names'."""
    first = len(builder.branches)
    identifiers.add_direct(builder)
    names.add_direct(builder)
    return builder.branches[first:]


def substrings(builder: QueryBuilder) -> list[Branch]:
    """Stage 2: names holding some of the words or one typo away from them (``names``),
    and the term anywhere in a value, through the trigram objects and the identifiers'
    suffixes."""
    first = len(builder.branches)
    t = builder.term
    folded = t.folded
    if t.short:
        return []
    names.add_more(builder)
    if " " in folded and not t.phone_digits and not t.cnpj:
        # Words of a name: every one is already looked for by itself (``names``); the
        # phrase inside an identifier is nothing an analyst types.
        return builder.branches[first:]
    cnpj = t.cnpj if t.cnpj and len(t.cnpj) >= MIN_SUBSTRING_LENGTH else None
    # Text is searched inside values only when it has three letters or digits in a row:
    # pg_trgm finds no trigram to look up in '%_%', '@.' or 'a b' and its GIN scan
    # would return every row for a recheck. SQLite follows the same rule so that both
    # backends find the same customers.
    words = t.has_trigram
    # Digits alone are a fragment of a CNPJ, a phone or a contract number, which the
    # suffix ranges below find; digit trigrams are shared by every CNPJ and phone, so a
    # trigram probe of those tables would read postings that grow with the data. Names
    # hold digits as words, found by ``names``; logins and e-mails keep their probe.
    digits_only = folded.isdigit()
    # One probe per table, the same plan on both backends: SQLite an FTS5 phrase,
    # PostgreSQL its table's one trigram index; Python tells the columns apart.
    if words:
        tables = (
            (_USER_COLUMNS,)
            if digits_only
            else (_CUSTOMER_COLUMNS, _USER_COLUMNS, _CONTACT_COLUMNS)
        )
        for columns in tables:
            builder.trigram(columns, folded)
    # Inside an identifier: a range of its suffixes (models.identifier_suffixes), in the
    # form each one is stored.
    builder.suffix(MatchField.CONTRACT_NUMBER, t.upper)
    if cnpj:
        builder.suffix(MatchField.CNPJ, cnpj)
    if t.phone_digits:
        builder.suffix(MatchField.CONTACT_PHONE, t.phone_digits)
    return builder.branches[first:]


def rankers(term: Term) -> dict[MatchField, Ranker]:
    """How to rank a matched value of each field the term can match."""
    return {**names.rankers(term), **identifiers.rankers(term)}


def needs_substrings(
    term: Term, ranked: Sequence[Candidate], limit: int, *, domain_found: bool
) -> bool:
    """Whether the page needs stage 2, the trigram scans (the costliest part of a lookup).

    Not when the exact and prefix matches already fill the page and tell that
    another one follows: a substring match ranks below all of them, so it could
    only appear on a later page, which runs this stage itself. Not when a term
    shaped like an identifier (no space; a digit or one of ``@ . - _``: an
    e-mail address, a login, a contract number, a CNPJ, a phone) equals one:
    the analyst typed the exact thing read from an invoice or heard on the
    phone, and the values that merely contain it are noise (and the costliest
    search of all: every address shares '.com.br', every contract '2024').
    Likewise an address typed from its start ('julia@transp') that begins
    someone's address, and a company's domain ('padaria.com.br') that begins
    the domain of some addresses. A plain word that equals a login ('joao')
    still searches names: 'Padaria São João' is only found as a substring.
    """
    if term.short or len(ranked) > limit or domain_found:
        return False
    if not term.identifier_shaped:
        return True
    best = [c.best[0] for c in ranked if c.best is not None]
    if "@" in term.folded:
        return not any(rank <= RANK_PREFIX for rank in best)
    return RANK_EXACT not in best


__all__ = ["direct", "needs_substrings", "rankers", "substrings"]
