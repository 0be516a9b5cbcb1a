"""Identifier matching: CNPJ, contract number, login, e-mails and contact phones.

An identifier is typed from an invoice or heard on the phone, so it is
matched as stored: equal (the exact hit) or by prefix, each in the form its
column holds (digits, upper case, lower case, E.164, an e-mail's domain).
"""

from __future__ import annotations

from noc_console.services.search.dto import RANK_EXACT, MatchField
from noc_console.services.search.limits import MIN_SUBSTRING_LENGTH
from noc_console.services.search.query import QueryBuilder
from noc_console.services.search.rank import Ranker, ranker
from noc_console.services.search.sources import SOURCES
from noc_console.services.search.terms import Term
from noc_console.text import digits

# Compared on the folded term, like names (but equality is an exact hit).
_FOLDED = (MatchField.LOGIN, MatchField.USER_EMAIL, MatchField.CONTACT_EMAIL)
_EMAILS = (MatchField.USER_EMAIL, MatchField.CONTACT_EMAIL)


def add_direct(builder: QueryBuilder) -> None:
    """Stage 1: the equalities and prefix ranges the term's shape allows."""
    t = builder.term
    folded = t.folded
    if t.cnpj:
        builder.prefix(MatchField.CNPJ, t.cnpj, digits_only=True)
    if " " in folded:
        # Words of a name, or a CNPJ or phone typed in groups: no login, e-mail or
        # contract number holds a space, so only those forms are asked for.
        if t.phone_e164:
            builder.equal(MatchField.CONTACT_PHONE, t.phone_e164)
        if t.phone_digits:
            builder.prefix(MatchField.CONTACT_PHONE, "+" + t.phone_digits)
        return
    # A value equal to the term is the first of its prefix range (the range is walked in
    # the column's order and the term sorts before every longer value), so a prefix branch
    # also finds the exact hit: no equality branch beside it (each one more to plan).
    if t.lower != folded:  # logins are lower()-ed, not folded: 'joão' is no prefix of 'joao'
        builder.equal(MatchField.LOGIN, t.lower)
    builder.prefix(MatchField.LOGIN, folded)
    builder.prefix(MatchField.CONTRACT_NUMBER, t.upper)
    if t.short:
        return
    if t.phone_e164:
        builder.equal(MatchField.CONTACT_PHONE, t.phone_e164)
    for field in _EMAILS:
        builder.prefix(field, folded)
    if t.phone_digits:
        # Phones are stored as E.164: '+' and the digits the ranker compares.
        builder.prefix(MatchField.CONTACT_PHONE, "+" + t.phone_digits)
    if t.cnpj is None and t.domain_shaped:
        for field in _EMAILS:
            builder.domain(field, folded)


def rankers(term: Term) -> dict[MatchField, Ranker]:
    """Each identifier ranks in its stored form; a CNPJ or a phone only for a term shaped so."""
    substring = not term.short
    found: dict[MatchField, Ranker] = {
        field: ranker(term.folded, ident=SOURCES[field].ident, allow_substring=substring)
        for field in _FOLDED
    }
    if term.lower != term.folded:  # logins are lower()-ed, not folded: 'joão' stays 'joão'
        by_fold, by_lower = found[MatchField.LOGIN], term.lower

        def login(value: str | None) -> int | None:
            return RANK_EXACT if value == by_lower else by_fold(value)

        found[MatchField.LOGIN] = login
    found[MatchField.CONTRACT_NUMBER] = ranker(
        term.upper, ident=True, allow_substring=substring, transform=str.upper
    )
    if term.cnpj:
        found[MatchField.CNPJ] = ranker(
            term.cnpj,
            ident=True,
            allow_substring=substring and len(term.cnpj) >= MIN_SUBSTRING_LENGTH,
        )
    if term.phone_digits:
        by_digits = ranker(
            term.phone_digits, ident=True, allow_substring=substring, transform=digits
        )
        e164 = term.phone_e164

        def phone(value: str | None) -> int | None:
            return RANK_EXACT if e164 and value == e164 else by_digits(value)

        found[MatchField.CONTACT_PHONE] = phone
    return found


__all__ = ["add_direct", "rankers"]
