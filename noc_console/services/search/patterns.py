"""A term as a literal SQL pattern or index range bound, with no metacharacter left live.

User text only ever reaches the database as bound parameters; these make sure
that, once bound, it also means itself: a literal LIKE pattern, a literal FTS5
phrase, or the bounds of a btree prefix range.
"""

from __future__ import annotations

_LIKE_SPECIAL = frozenset("\\%_")
_MAX_CHAR = 0x10FFFF


def escape_like(value: str) -> str:
    """Backslash is PostgreSQL's default LIKE escape: '%', '_' and '\\' become literal."""
    return "".join("\\" + ch if ch in _LIKE_SPECIAL else ch for ch in value)


def fts_phrase(value: str) -> str:
    """An FTS5 string: everything between double quotes is literal ('"' is doubled)."""
    return '"' + value.replace('"', '""') + '"'


def successor(value: str) -> str | None:
    """The smallest string greater than every string starting with ``value``
    (code-point order, which is SQLite's BINARY and PostgreSQL's ~<~ order)."""
    stripped = value.rstrip(chr(_MAX_CHAR))
    if not stripped:
        return None
    nxt = ord(stripped[-1]) + 1
    if 0xD800 <= nxt <= 0xDFFF:  # surrogates cannot be stored; skip to the next scalar
        nxt = 0xE000
    return stripped[:-1] + chr(nxt)


def digits_successor(value: str) -> str | None:
    """'123' -> '124', '129' -> '130': a bound that orders right under any collation,
    since CNPJs are digits only (None when every digit is 9: no upper bound)."""
    if not value or set(value) == {"9"}:
        return None
    return str(int(value) + 1).zfill(len(value))


__all__ = ["digits_successor", "escape_like", "fts_phrase", "successor"]
