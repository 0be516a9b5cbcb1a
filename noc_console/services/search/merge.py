"""Rows of the UNION merged into one candidate per customer, with its best reason.

A customer found through several fields and records keeps the best of them
(rank, then how close a name is to what was typed, then field priority, then
value, then record id); candidates sort by rank, closeness, then folded legal
name -- so 'Água' sorts with 'agua', not after 'Zeta' -- then legal name, then
id: a total order the cursor can resume from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from noc_console.services.frozen import freeze
from noc_console.services.search.dto import CustomerHit, MatchField
from noc_console.services.search.query import (
    BRANCH,
    CNPJ,
    CUSTOMER,
    LEGAL,
    NAME_NORM,
    PAIRS,
    RECORD,
    STATUS,
    TRADE,
    TRADE_NORM,
    Branch,
)
from noc_console.services.search.rank import Ranker, closeness_of
from noc_console.services.search.sources import SOURCES, Source
from noc_console.text import format_cnpj

# rank, closeness (names: NameRanker.closeness), folded legal name, legal name, customer id
SortKey = tuple[int, int, str, str, int]


@dataclass(slots=True)
class Candidate:
    """A customer some row matched, and the best reason seen so far."""

    customer_id: int
    legal_name: str
    trade_name: str | None
    cnpj: str
    status: str
    name_norm: str
    best: tuple[int, int, int, str, int] | None = None  # rank, closeness, priority, value, id
    display: str = ""
    field: MatchField = MatchField.LEGAL_NAME

    def offer(
        self, source: Source, rank: int, close: int, norm: str, display: str, record_id: int
    ) -> None:
        key = (rank, close, source.priority, norm, record_id)
        if self.best is None or key < self.best:
            self.best = key
            self.field = source.field
            self.display = display

    @property
    def sort_key(self) -> SortKey:
        assert self.best is not None
        return (self.best[0], self.best[1], self.name_norm, self.legal_name, self.customer_id)

    def hit(self) -> CustomerHit:
        assert self.best is not None
        cnpj = self.field is MatchField.CNPJ
        return freeze(
            CustomerHit,
            self,
            match_field=self.field,
            match_value=format_cnpj(self.display) if cnpj else self.display,
            rank=self.best[0],
            match_record_id=self.best[4],
            similar_to=None,  # named by lookup, which has the term
        )


def merge(
    rows: Sequence[Row[Any]], branches: Sequence[Branch], rankers: Mapping[MatchField, Ranker]
) -> list[Candidate]:
    """One candidate per customer that some value literally matches."""
    # Per branch: (source, ranker, closeness, position of its normalised value) for the
    # fields that can match.
    plans = [
        [
            (source, rankers[source.field], closeness_of(rankers[source.field]), PAIRS + 2 * i)
            for i, source in enumerate(branch.sources)
            if source.field in rankers
        ]
        for branch in branches
    ]
    own = [
        (SOURCES[field], rankers[field], closeness_of(rankers[field]), norm, display)
        for field, norm, display in (
            (MatchField.CNPJ, CNPJ, CNPJ),
            (MatchField.LEGAL_NAME, NAME_NORM, LEGAL),
            (MatchField.TRADE_NAME, TRADE_NORM, TRADE),
        )
        if field in rankers
    ]
    candidates: dict[int, Candidate] = {}
    for row in rows:
        cid = row[CUSTOMER]
        cand = candidates.get(cid)
        if cand is None:
            cand = Candidate(
                customer_id=cid,
                legal_name=row[LEGAL],
                trade_name=row[TRADE],
                cnpj=row[CNPJ],
                status=row[STATUS],
                name_norm=row[NAME_NORM] or "",
            )
            candidates[cid] = cand
            # The customer's own fields are in hand: rank them too, whatever found it.
            for source, rank_of, close_of, norm, display in own:
                rank = rank_of(row[norm])
                if rank is not None:
                    close = close_of(row[norm])
                    cand.offer(source, rank, close, row[norm], row[display] or "", cid)
        for source, rank_of, close_of, pos in plans[row[BRANCH]]:
            rank = rank_of(row[pos])
            if rank is not None:
                close = close_of(row[pos])
                cand.offer(source, rank, close, row[pos], row[pos + 1] or "", row[RECORD])
    return [c for c in candidates.values() if c.best is not None]


def ranked(
    rows: Sequence[Row[Any]],
    branches: Sequence[Branch],
    rankers: Mapping[MatchField, Ranker],
    after: SortKey | None,
) -> list[Candidate]:
    """The candidates in rank order, from just after ``after`` (a cursor's last hit)."""
    found = sorted(merge(rows, branches, rankers), key=lambda c: c.sort_key)
    if after is not None:
        found = [c for c in found if c.sort_key > after]
    return found


__all__ = ["Candidate", "SortKey", "merge", "ranked"]
