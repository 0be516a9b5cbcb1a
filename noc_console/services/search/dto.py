"""What a customer lookup returns: frozen hits and pages, never live ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The rank of a hit, best first:
RANK_EXACT = 0  # an identifier equals the term
RANK_WORDS = 1  # every typed word is a whole word of one name
RANK_PREFIX = 2  # an identifier starts with the term; every typed word starts a word of a name
RANK_SIMILAR = 3  # every typed word found in one name, some only one typo away
RANK_PARTIAL = 4  # some typed words found in one name, not all
RANK_SUBSTRING = 5  # a value contains the term


class MatchField(StrEnum):
    """Which field of which record made a customer match (shown as the reason)."""

    CNPJ = "customer.cnpj"
    LEGAL_NAME = "customer.legal_name"
    TRADE_NAME = "customer.trade_name"
    CONTRACT_NUMBER = "contract.number"
    LOGIN = "portal_user.login"
    USER_EMAIL = "portal_user.email"
    USER_NAME = "portal_user.full_name"
    CONTACT_PHONE = "escalation_contact.phone"
    CONTACT_EMAIL = "escalation_contact.email"
    CONTACT_NAME = "escalation_contact.name"


@dataclass(frozen=True)
class CustomerHit:
    """One customer in the results, with the best reason it matched.

    ``rank`` is one of the RANK_* above (RANK_EXACT: an identifier equals
    the term: CNPJ, contract number, login, an e-mail or a contact's phone).
    ``match_value`` is the matched value as stored (the user's login, the
    contact's name, the formatted CNPJ...), never a secret;
    ``match_record_id`` is the id of the record that matched (the customer, the
    portal user, the contract or the escalation contact). ``similar_to`` is,
    for a RANK_SIMILAR hit, the word of ``match_value`` a typed word was taken
    for (the operator sees what the typo was read as).
    """

    customer_id: int
    legal_name: str
    trade_name: str | None
    cnpj: str
    status: str
    match_field: MatchField
    match_value: str
    rank: int
    match_record_id: int | None = None
    similar_to: str | None = None


@dataclass(frozen=True)
class SearchPage:
    """One page of hits in rank order, and the opaque marker of the next one."""

    term: str
    hits: tuple[CustomerHit, ...]
    next_cursor: str | None
    # A source filled its candidate window: more customers may match than the
    # pages can show; a longer term narrows the search.
    truncated: bool = False


__all__ = [
    "RANK_EXACT",
    "RANK_PARTIAL",
    "RANK_PREFIX",
    "RANK_SIMILAR",
    "RANK_SUBSTRING",
    "RANK_WORDS",
    "CustomerHit",
    "MatchField",
    "SearchPage",
]
