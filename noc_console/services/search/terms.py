"""The search term: what the operator typed, checked, and the forms each field compares.

One box takes names, CNPJs, logins, e-mails, contract numbers and phones, so
the term is read once here into every form a field needs, and classified by
its shape (a CNPJ fragment? a phone? an e-mail domain? an identifier?) so the
stages only ask the indexes that can hold it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.models.name_words import split_words
from noc_console.services.search.limits import (
    MAX_TERM_LENGTH,
    MAX_TERM_WORDS,
    MIN_SUBSTRING_LENGTH,
)
from noc_console.services.validation import clean_text, normalize_phone
from noc_console.text import digits, fold

# A phone number has at most 15 digits (E.164); a trunk prefix may add two.
_MAX_PHONE_DIGITS = 17
_CNPJ_CHARS = frozenset("0123456789./- ")
_PHONE_CHARS = frozenset("0123456789+-(). ")
# Three letters or digits in a row: the least a pg_trgm index can look up.
_TRIGRAM_RUN = re.compile(r"[^\W_]{3}")
# Shaped like (the start of) an e-mail domain: 'empresa.com.br', 'padaria.co'.
_DOMAIN = re.compile(r"[^@\s.]+(\.[^@\s.]*)+")
# Shaped like an identifier, not like a name: no space; a digit or one of @ . - _
_IDENTIFIER = re.compile(r"(?=.*[\d@._-])\S+")


@dataclass(frozen=True)
class Term:
    """The forms of one search term each source compares against."""

    cleaned: str  # what the operator typed, trimmed (returned in SearchPage.term)
    folded: str  # case- and accent-folded: names, logins, e-mails
    upper: str  # contract numbers are stored upper-case
    lower: str  # logins are stored lower()-ed, not folded
    cnpj: str | None  # digits, when the term looks like a CNPJ (fragment)
    phone_digits: str | None  # digits, when the term looks like a phone (fragment)
    phone_e164: str | None  # the term as a complete phone number
    words: tuple[str, ...] = ()  # its distinct words, as names are split (MAX_TERM_WORDS at most)

    @property
    def short(self) -> bool:
        """Too short for substrings: only equalities and prefix ranges can serve it."""
        return len(self.folded) < MIN_SUBSTRING_LENGTH

    @property
    def has_trigram(self) -> bool:
        """Three letters or digits in a row: a trigram index has something to look up."""
        return _TRIGRAM_RUN.search(self.folded) is not None

    @property
    def domain_shaped(self) -> bool:
        """Shaped like (the start of) an e-mail domain."""
        return _DOMAIN.fullmatch(self.folded) is not None

    @property
    def identifier_shaped(self) -> bool:
        """Shaped like an identifier (no space; a digit or one of ``@ . - _``), not a name."""
        return _IDENTIFIER.fullmatch(self.folded) is not None


def clean_term(term: object) -> str:
    """The term as typed, trimmed; a ValidationError for what is not searchable text."""
    if term is None:
        return ""
    if not isinstance(term, str):
        raise ValidationError({"term": [_("the search term must be text")]})
    if any(unicodedata.category(ch) == "Cs" for ch in term):
        raise ValidationError({"term": [_("contains characters that are not valid text")]})
    try:
        return clean_text(term, max_length=MAX_TERM_LENGTH)
    except ValueError as err:
        raise ValidationError({"term": [str(err)]}) from None


def parse_term(cleaned: str) -> Term:
    """Every form of a cleaned term, the CNPJ and phone forms only when it is shaped so."""
    folded = fold(cleaned)
    term_digits = digits(cleaned)
    chars = set(cleaned)
    cnpj: str | None = None
    long_enough = len(term_digits) >= MIN_SUBSTRING_LENGTH or len(folded) < MIN_SUBSTRING_LENGTH
    if term_digits and chars <= _CNPJ_CHARS and long_enough and len(term_digits) <= 14:
        cnpj = term_digits
    phone_digits: str | None = None
    phone_e164: str | None = None
    if (
        chars <= _PHONE_CHARS
        and MIN_SUBSTRING_LENGTH <= len(term_digits) <= _MAX_PHONE_DIGITS
        and len(folded) >= MIN_SUBSTRING_LENGTH
    ):
        phone_digits = term_digits
        try:
            phone_e164 = normalize_phone(cleaned)
        except ValueError:
            phone_e164 = None
    return Term(
        cleaned=cleaned,
        folded=folded,
        upper=folded.upper(),
        lower=cleaned.lower(),
        cnpj=cnpj,
        phone_digits=phone_digits,
        phone_e164=phone_e164,
        words=_telling_words(folded),
    )


def _telling_words(folded: str) -> tuple[str, ...]:
    """The distinct words of the term, in order; past MAX_TERM_WORDS the longest of them:
    a company's whole legal name ('logistica e armazens gerais santa cecilia de
    florianopolis ltda') is told apart by its long words, not by its first six."""
    words = tuple(dict.fromkeys(split_words(folded)))
    if len(words) <= MAX_TERM_WORDS:
        return words
    keep = set(sorted(range(len(words)), key=lambda i: (-len(words[i]), i))[:MAX_TERM_WORDS])
    return tuple(w for i, w in enumerate(words) if i in keep)


__all__ = ["Term", "clean_term", "parse_term"]
