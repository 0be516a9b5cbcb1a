"""Name matching: company, portal-user and contact names, by folded prefix.

Names are where a lookup is fuzzy (the operator types what they heard), so
their matching lives apart from the identifiers': it can change (by word, with
typos forgiven) without touching how a CNPJ or an e-mail is found.
"""

from __future__ import annotations

from noc_console.services.search.dto import MatchField
from noc_console.services.search.query import QueryBuilder
from noc_console.services.search.rank import Ranker, ranker
from noc_console.services.search.sources import SOURCES
from noc_console.services.search.terms import Term

NAME_FIELDS = (
    MatchField.LEGAL_NAME,
    MatchField.TRADE_NAME,
    MatchField.USER_NAME,
    MatchField.CONTACT_NAME,
)
# Company names are searched from the first character; people's names from three.
_COMPANY_NAMES = (MatchField.LEGAL_NAME, MatchField.TRADE_NAME)
_PEOPLE_NAMES = (MatchField.USER_NAME, MatchField.CONTACT_NAME)


def add_direct(builder: QueryBuilder) -> None:
    """Stage 1: a prefix range on each name the term is long enough for."""
    term = builder.term
    for field in _COMPANY_NAMES:
        builder.prefix(field, term.folded)
    if not term.short:
        for field in _PEOPLE_NAMES:
            builder.prefix(field, term.folded)


def rankers(term: Term) -> dict[MatchField, Ranker]:
    """A name ranks on its folded form: a prefix match, or a substring for longer terms."""
    substring = not term.short
    return {
        field: ranker(term.folded, ident=SOURCES[field].ident, allow_substring=substring)
        for field in NAME_FIELDS
    }


__all__ = ["NAME_FIELDS", "add_direct", "rankers"]
