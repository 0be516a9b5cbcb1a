"""Text normalisation shared by writes (search columns) and reads (search terms).

Both sides must fold text the same way or a lookup silently misses rows, so the
one function lives here, free of any database or UI import.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"[^0-9]+")


def fold(value: str | None) -> str:
    """Case- and accent-insensitive form: 'São  JOÃO' -> 'sao joao'.

    NFKD splits accents from letters so they can be dropped; casefold handles
    'ß' and friends; control characters are removed so a pasted escape sequence
    can never be matched or stored in an index column.
    """
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return _SPACES.sub(" ", kept.casefold()).strip()


def digits(value: str | None) -> str:
    """Only the ASCII digits of a value: '12.345.678/0001-95' -> '12345678000195'."""
    if not value:
        return ""
    return _NON_DIGITS.sub("", unicodedata.normalize("NFKC", value))


def format_cnpj(cnpj: str) -> str:
    """'12345678000195' -> '12.345.678/0001-95' (unchanged if not 14 digits)."""
    d = digits(cnpj)
    if len(d) != 14:
        return cnpj
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"
