"""How much one lookup may ask for and look at: the bounds every stage and cursor share."""

from __future__ import annotations

from noc_console.errors import ValidationError
from noc_console.i18n import _

MAX_TERM_LENGTH = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Substring (trigram) matching needs three characters: a trigram index cannot
# answer fewer, and '%ab%' would be a table scan.
MIN_SUBSTRING_LENGTH = 3
# Name words a term is matched by: a caller gives a name, not a paragraph; each word is an
# index probe, so the count is bounded (the words after these are ignored).
MAX_TERM_WORDS = 6
# Typed words this long or longer are forgiven one typo (shorter ones are one edit away
# from too many names to mean anything).
MIN_TYPO_LENGTH = 4
# The stored words a typed word may stand for, named one by one in a lookup of several
# words (``name_word_pairs``): beyond this many ('ma' starts hundreds), the lookup walks
# the range of the typed word instead.
FORMS_CAP = 100
# Candidates per source = WINDOW_FACTOR x limit (at least MIN_WINDOW).
WINDOW_FACTOR = 2
MIN_WINDOW = 20
MAX_WINDOW = WINDOW_FACTOR * MAX_LIMIT


def check_limit(limit: object) -> int:
    """The page size asked for, refused unless it is an int within 1..MAX_LIMIT."""
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(
            {"limit": [_("ask for between 1 and {n} results per page").format(n=MAX_LIMIT)]}
        )
    return limit


def window_for(limit: int) -> int:
    """Candidates each source may contribute for a page of ``limit`` hits."""
    return max(MIN_WINDOW, WINDOW_FACTOR * limit)


def narrow_window(window: int) -> int:
    """Rows a branch of the lowest name rank may bring back: the page the window was
    sized for, and one more to tell that another page follows."""
    return window // WINDOW_FACTOR + 1


__all__ = [
    "DEFAULT_LIMIT",
    "FORMS_CAP",
    "MAX_LIMIT",
    "MAX_TERM_LENGTH",
    "MAX_TERM_WORDS",
    "MAX_WINDOW",
    "MIN_SUBSTRING_LENGTH",
    "MIN_TYPO_LENGTH",
    "MIN_WINDOW",
    "WINDOW_FACTOR",
    "check_limit",
    "narrow_window",
    "window_for",
]
