"""The customer lookup: one search box over every field an analyst may be given.

Searches are not audited (one per keystroke would drown the audit log) and
their terms are never logged: a term is often a person's name, e-mail or
phone. Only its length and the hit count go to the debug log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.permissions import Permission
from noc_console.services.search import names, plan
from noc_console.services.search.cursors import decode_cursor, encode_cursor
from noc_console.services.search.dto import RANK_SIMILAR, CustomerHit, SearchPage
from noc_console.services.search.limits import (
    DEFAULT_LIMIT,
    FORMS_CAP,
    check_limit,
    narrow_window,
    window_for,
)
from noc_console.services.search.merge import SortKey, ranked
from noc_console.services.search.query import BRANCH, Branch, QueryBuilder
from noc_console.services.search.terms import Term, clean_term, parse_term

log = logging.getLogger(__name__)


def _run(
    session: Session, builder: QueryBuilder, branches: Sequence[Branch], window: int
) -> list[Row[Any]]:
    """One round trip: the branches glued with UNION ALL (none when no branch could find
    anything: a typed word no stored word stands for)."""
    if not branches:
        return []
    sql, params = builder.statement(branches, window)
    return list(session.execute(text(sql), params).all())


def _resolve(session: Session, builder: QueryBuilder) -> None:
    """The stored words the typed ones may stand for, before a stage names them (once per
    lookup, one round trip on btrees): those one typo from each forgiven word and, for a
    term of several words, those starting with each word."""
    if builder.resolved:
        return
    builder.resolved = True
    typos = names.typo_words(builder.term)
    prefixes = names.pair_words(builder.term)
    statement = builder.resolve_statement(typos, prefixes)
    if statement is None:
        return
    sql, params = statement
    rows = session.execute(text(sql), params).all()
    if typos:
        builder.similar = names.similar_sets(typos, [(r[1], r[2]) for r in rows if r[0] == 0])
    for i, prefix in enumerate(prefixes):
        found = tuple(r[2] for r in rows if r[0] == i + 1)
        builder.forms[prefix] = None if len(found) > FORMS_CAP else found


def _explained(term: Term, hit: CustomerHit) -> CustomerHit:
    """A typo match says which word of the name the typed word was taken for."""
    if hit.rank != RANK_SIMILAR:
        return hit
    return replace(hit, similar_to=names.similar_word(term, hit.match_value))


def search(
    ctx: ServiceContext,
    actor: Principal,
    term: str,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> SearchPage:
    """Find customers by name, CNPJ, portal user, contract number or escalation contact."""
    permissions.require(ctx, actor, Permission.LOOKUP)
    cleaned = clean_term(term)
    limit = check_limit(limit)
    if not cleaned:
        return SearchPage(term="", hits=(), next_cursor=None)
    parsed = parse_term(cleaned)
    if not parsed.folded:  # only accents / format characters: nothing to look for
        return SearchPage(term=cleaned, hits=(), next_cursor=None)
    window = window_for(limit)
    after: SortKey | None = None
    if cursor is not None:
        window, after = decode_cursor(cursor, parsed)

    started = time.perf_counter()
    rankers = plan.rankers(parsed)
    builder = QueryBuilder(parsed, ctx.engine.dialect.name)
    with ctx.read_sessions() as session:
        if len(parsed.words) > 1:  # stage 1 forgives a typo in the words besides the driver
            _resolve(session, builder)
        branches = plan.direct(builder)
        rows = _run(session, builder, branches, window)
        found = ranked(rows, builder.branches, rankers, after)
        domain_found = any(row[BRANCH] in builder.domain_branches for row in rows)
        if plan.needs_substrings(parsed, found, limit, domain_found=domain_found):
            _resolve(session, builder)
            more = plan.substrings(builder)
            if more:
                branches += more
                rows += _run(session, builder, more, window)
                found = ranked(rows, builder.branches, rankers, after)

    counts = [0] * len(builder.branches)
    for row in rows:
        counts[row[BRANCH]] += 1
    truncated = any(
        n >= (narrow_window(window) if b.narrow else window)
        for n, b in zip(counts, builder.branches, strict=True)
    )
    page = found[:limit]
    next_cursor = encode_cursor(parsed, window, page[-1].sort_key) if len(found) > limit else None
    log.debug(
        "lookup by %s: term of %d characters, %d sub-queries, %d rows, %d hits%s, %.1f ms",
        actor.label,
        len(cleaned),
        len(branches),
        len(rows),
        len(page),
        " (window full)" if truncated else "",
        (time.perf_counter() - started) * 1000,
    )
    return SearchPage(
        term=cleaned,
        hits=tuple(_explained(parsed, c.hit()) for c in page),
        next_cursor=next_cursor,
        truncated=truncated,
    )


__all__ = ["search"]
