"""Hypothesis strategies for what a hostile (or merely careless) person types or pastes.

Text is built from fragments known to break things — NUL and other control
characters, terminal escape sequences, Rich markup, right-to-left overrides
and scripts, combining marks, zero-width and format characters, line
separators, SQL and LIKE metacharacters, look-alike Unicode, argon2-looking
strings, lone surrogates — mixed with arbitrary Unicode, and now and then
repeated to about 100 KB (what a paste of a log file gives).
"""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

CONTROL = ["\x00", "\x07", "\x08", "\t", "\n", "\r", "\r\n", "\x7f", "\x85", "\x9b"]
TERMINAL = [
    "\x1b[2J",  # clear screen
    "\x1b[H",
    "\x1b[31m",
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1bP+q\x1b\\",  # DCS
]
MARKUP = [
    "[bold]",
    "[/]",
    "[/bold]",
    "[red]alarme[/red]",
    "[link=https://evil.example]x[/link]",
    "[@click=app.quit]",
]
BIDI = ["\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u2069", "שלום", "مرحبا", "\u0627\u0644"]
COMBINING = ["e\u0301", "\u0301", "a" + "\u0300\u0301\u0302\u0303" * 5, "\u0e49\u0e49"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00a0", "\u2028", "\u2029", "\u180e"]
SQL = [
    "'",
    '"',
    "`",
    ";",
    "--",
    "/*",
    "*/",
    "' OR '1'='1",
    "'; DROP TABLE customers; --",
    "\\",
    "%",
    "_",
    "%%",
    "\\%",
    "[a-z]",
    "*",
    "?",
    "^",
    "$",
    "NULL",
    "E'\\x00'",
    '""',
]
UNICODE = [
    "São João",
    "ÇÃO",
    "ß",
    "İ",
    "ﬁ",
    "Ａｂｃ",
    "𝔘𝔫𝔦",
    "😀",
    "👩\u200d💻",
    "\U0010ffff",
    "\ufffd",
]
SHAPES = [
    "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA",
    "+55 11 91234-5678",
    "(11) 9",
    "@",
    "a@b.c",
    "x@empresa.com.br",
    "..",
    "0",
    "-1",
    "+15",
    "999999999999",
    "1e9",
    "١٥",  # Arabic-Indic digits
    "INC-2026-0042",
    "11.222.333/0001-81",
]
SURROGATES = ["\ud800", "\udfff", "a\udc80b"]

FRAGMENTS = CONTROL + TERMINAL + MARKUP + BIDI + COMBINING + INVISIBLE + SQL + UNICODE + SHAPES
LONG_SIZE = 100_000


def has_surrogate(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cs" for ch in value)


def hostile_text(*, surrogates: bool = True, long_every: int = 20) -> st.SearchStrategy[str]:
    """Mixed hostile text; about one example in ``long_every`` is a ~100 KB paste (0: never).

    The long pastes are rare on purpose: the services handle them in tens of
    milliseconds each, and a property needs only enough of them to prove it.
    """
    fragments = FRAGMENTS + (SURROGATES if surrogates else [])
    chars = st.characters(exclude_categories=[] if surrogates else ["Cs"])
    piece = st.one_of(st.sampled_from(fragments), st.text(chars, max_size=6))
    short = st.lists(piece, max_size=10).map("".join)
    if not long_every:
        return short
    paste = st.tuples(short, st.integers(LONG_SIZE - 5_000, LONG_SIZE + 5_000)).map(
        lambda pair: ((pair[0] or "a") * (pair[1] // max(len(pair[0]), 1) + 1))[: pair[1]]
    )
    return st.integers(1, long_every).flatmap(lambda n: paste if n == 1 else short)


def hostile_minutes() -> st.SearchStrategy[object]:
    """A wait as a form field gives it (text) or as a careless caller passes it (anything)."""
    return st.one_of(
        hostile_text(),
        st.integers().map(str),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
        st.sampled_from([" 15 ", "+15", "015", "15.0", "15,5", "1_5", "0x1f", "1e3", "-0", "１５"]),
    )
