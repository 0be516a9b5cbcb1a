"""The labelled query set (issue 16): 350 queries generated from the demo data, each with
the customer it must find; recall and ranking asserted on both backends.

The generator is ``benchmarks.recall``, so the benchmark prints the same figures on the
large dataset.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Engine

from benchmarks.recall import KINDS, MIN_QUERIES, LabelledQuery, Recall, labelled_queries, measure
from noc_console.clock import FixedClock
from noc_console.demo import seed_demo
from noc_console.demo.options import DemoOptions
from noc_console.models import Role
from noc_console.services.context import ServiceContext
from noc_console.services.search import lookup
from tests.support.factories import FAST_HASHER, make_operator

DEMO = DemoOptions(customers=120, users_per_customer=6, contracts_per_customer=2, audit_days=1)


@pytest.fixture
def labelled(engine: Engine, clock: FixedClock) -> tuple[list[LabelledQuery], Recall]:
    seed_demo(engine, DEMO, clock=clock, hasher=FAST_HASHER)
    ctx = ServiceContext(engine, clock=clock, hasher=FAST_HASHER)
    with ctx.sessions.begin() as s:
        actor = make_operator(s, Role.ANALYST)

    def search(term: str) -> Sequence[int]:
        return [h.customer_id for h in lookup.search(ctx, actor, term, limit=10).hits]

    queries = labelled_queries(engine)
    return queries, measure(search, queries)


def test_the_set_covers_every_kind(labelled: tuple[list[LabelledQuery], Recall]) -> None:
    queries, _recall = labelled
    assert len(queries) >= MIN_QUERIES
    counts = {kind: sum(1 for q in queries if q.kind == kind) for kind in KINDS}
    assert all(n >= 50 for n in counts.values()), counts
    typos = [q for q in queries if q.kind == "typo"]
    assert all(q.term.isascii() for q in typos)  # typed without accents, misspelled


def test_recall_and_ranking(labelled: tuple[list[LabelledQuery], Recall]) -> None:
    queries, recall = labelled
    missed = recall.misses(queries)
    detail = [(q.kind, q.term, position) for q, position in missed[:20]]
    assert recall.top5 >= 0.97, detail
    assert recall.first >= 0.90, detail
    for kind in KINDS:  # no kind hides behind the others
        assert recall.share(5, kind) >= 0.9, (kind, detail)
