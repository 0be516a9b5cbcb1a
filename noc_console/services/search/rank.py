"""How a matched value ranks against the term: equal, starts with, contains, or not at all.

Ranks are decided in Python from the value itself, so a hit's rank does not
depend on which sub-query found the row, and a row that does not literally
match (a trigram false positive) is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from noc_console.services.search.dto import RANK_EXACT, RANK_PREFIX, RANK_SUBSTRING

Ranker = Callable[[str | None], int | None]


@runtime_checkable
class Graded(Protocol):
    """A ranker that also tells, within a rank, how close a value is to the term (0:
    closest); a name's (``names.NameRanker``). Other rankers' values are all 0."""

    def __call__(self, value: str | None) -> int | None: ...

    def closeness(self, value: str) -> int: ...


def _level(_value: str) -> int:
    return 0


def closeness_of(rank_of: Ranker) -> Callable[[str], int]:
    """How close a value is to the term within its rank, by ``rank_of``'s measure (asked
    once per ranker: a protocol check per matched row would cost more than the rank)."""
    return rank_of.closeness if isinstance(rank_of, Graded) else _level


def ranker(
    probe: str,
    *,
    ident: bool,
    allow_substring: bool,
    transform: Callable[[str], str] | None = None,
) -> Ranker:
    """The rank of a value against ``probe`` (None: no match); an identifier's equality is
    exact, a name's only a prefix match."""
    on_equal = RANK_EXACT if ident else RANK_PREFIX

    def rank(value: str | None) -> int | None:
        if not value:
            return None
        if transform is not None:
            value = transform(value)
        if value == probe:
            return on_equal
        if value.startswith(probe):
            return RANK_PREFIX
        if allow_substring and probe in value:
            return RANK_SUBSTRING
        return None

    return rank


__all__ = ["Graded", "Ranker", "closeness_of", "ranker"]
