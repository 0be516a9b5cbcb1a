"""The labelled query set: what an analyst types for a caller, with the customer it must find.

Generated from whatever demo data a database holds (the test suite's small
seed, or the benchmark's millions), so the suite and the benchmark measure the
same thing: names out of order, without accents, one typo per word, truncated
words, and identifiers with and without punctuation. A query is only made from
a name that belongs to one customer alone (two customers with the same
"Maria Silva" are a tie no engine can break), so a miss is the engine's: alone
among portal users *and* escalation contacts (the lookup finds both), and for
a query with its words shuffled, alone in any order of its words ("Glória
Marques Alves" typed for "Glória Alves Marques" is the very name of another
customer's contact).

``python -m benchmarks.recall --db URL`` prints recall and latency per kind.
"""

from __future__ import annotations

import argparse
import itertools
import random
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, text

from noc_console.text import fold, format_cnpj

KINDS = ("out_of_order", "no_accents", "typo", "truncated", "identifier")
MIN_QUERIES = 300
TOP = 5


@dataclass(frozen=True)
class LabelledQuery:
    """A term as typed and the customer it is about."""

    kind: str
    term: str
    customer_id: int


@dataclass
class Recall:
    """Where the expected customer came, query by query, and how long each lookup took."""

    positions: list[tuple[str, int | None]] = field(default_factory=list)  # kind, 0-based
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)

    def share(self, within: int, kind: str | None = None) -> float:
        rows = [p for k, p in self.positions if kind is None or k == kind]
        hits = sum(1 for p in rows if p is not None and p < within)
        return hits / len(rows) if rows else 0.0

    @property
    def first(self) -> float:
        return self.share(1)

    @property
    def top5(self) -> float:
        return self.share(TOP)

    def misses(self, queries: Sequence[LabelledQuery]) -> list[tuple[LabelledQuery, int | None]]:
        return [
            (q, p) for q, (_k, p) in zip(queries, self.positions, strict=True) if p is None or p
        ]


def _typo(rng: random.Random, word: str) -> str:
    """One edit (insert, delete, substitute, swap of neighbours) that leaves 4+ letters."""
    letters = string.ascii_lowercase
    while True:
        i = rng.randrange(len(word))
        edit = rng.choice(("insert", "delete", "substitute", "swap"))
        if edit == "insert":
            out = word[:i] + rng.choice(letters) + word[i:]
        elif edit == "delete" and len(word) > 4:
            out = word[:i] + word[i + 1 :]
        elif edit == "substitute":
            out = word[:i] + rng.choice(letters) + word[i + 1 :]
        elif edit == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            continue
        if out != word:
            return out


def _words(name: str) -> list[str]:
    return name.split()


def _out_of_order(rng: random.Random, name: str) -> str:
    words = _words(name)
    for _ in range(5):
        rng.shuffle(words)
        if words != _words(name):
            break
    return " ".join(words)


def _truncated(_rng: random.Random, name: str) -> str:
    return " ".join(w if len(w) <= 4 else w[: max(3, (len(w) * 2 + 2) // 3)] for w in _words(name))


def _typos(rng: random.Random, name: str) -> str:
    return " ".join(_typo(rng, w) if len(w) >= 5 else w for w in _words(fold(name)))


# Names that lead to one customer only: (customer id, name as stored).
_PEOPLE = (
    "SELECT min(u.customer_id), min(u.full_name) FROM portal_users u"
    " GROUP BY u.name_norm HAVING count(DISTINCT u.customer_id) = 1"
    " AND count(*) = 1 AND min(u.name_norm) LIKE '% %' ORDER BY 1 LIMIT :n"
)
_COMPANIES = (
    "SELECT min(c.id), min(c.legal_name) FROM customers c"
    " GROUP BY c.name_norm HAVING count(*) = 1 ORDER BY 1 LIMIT :n"
)


# How many customers hold a person (user or contact) of one of these folded names.
_HOLDERS = text(
    "SELECT count(DISTINCT owner) FROM ("
    " SELECT u.customer_id AS owner FROM portal_users u WHERE u.name_norm IN :names"
    " UNION ALL SELECT h.customer_id FROM escalation_contacts e"
    " JOIN escalation_chains h ON h.id = e.chain_id WHERE e.name_norm IN :names) AS holders"
).bindparams(bindparam("names", expanding=True))
# Past this many words the orders are too many to ask for (120 for five words).
_MAX_SHUFFLED_WORDS = 5


def _alone(conn: Connection, name: str, *, any_order: bool) -> bool:
    """Whether one customer alone holds a person of this name (in any order of its words)."""
    words = fold(name).split()
    names = {fold(name)}
    if any_order and len(words) <= _MAX_SHUFFLED_WORDS:
        names |= {" ".join(order) for order in itertools.permutations(words)}
    return conn.execute(_HOLDERS, {"names": sorted(names)}).scalar_one() == 1


def _sample(engine: Engine, sql: str, n: int, rng: random.Random) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # Names unique in the whole table: a GROUP BY over every user (5 M: longer
            # than the console's statement timeout, which is for an operator waiting).
            conn.execute(text("SET LOCAL statement_timeout = 0"))
        rows = [(int(r[0]), str(r[1])) for r in conn.execute(text(sql), {"n": n * 20}).all()]
    return rng.sample(rows, min(n, len(rows)))


def _identifiers(engine: Engine, n: int, rng: random.Random) -> list[LabelledQuery]:
    with engine.connect() as conn:
        customers = conn.execute(
            text("SELECT id, cnpj FROM customers ORDER BY id LIMIT :n"), {"n": n * 4}
        ).all()
        users = conn.execute(
            text("SELECT customer_id, login, email FROM portal_users ORDER BY id LIMIT :n"),
            {"n": n * 4},
        ).all()
        contracts = conn.execute(
            text("SELECT customer_id, number FROM contracts ORDER BY id LIMIT :n"), {"n": n * 4}
        ).all()
        phones = conn.execute(
            text(
                "SELECT h.customer_id, e.phone FROM escalation_contacts e"
                " JOIN escalation_chains h ON h.id = e.chain_id"
                " WHERE e.phone IS NOT NULL ORDER BY e.id LIMIT :n"
            ),
            {"n": n * 4},
        ).all()
    makers: list[Callable[[], LabelledQuery]] = []
    for cid, cnpj in customers:
        makers.append(lambda c=cid, v=cnpj: LabelledQuery("identifier", format_cnpj(v), c))
        makers.append(lambda c=cid, v=cnpj: LabelledQuery("identifier", v, c))
    for cid, login, email in users:
        makers.append(lambda c=cid, v=login: LabelledQuery("identifier", v, c))
        makers.append(lambda c=cid, v=email: LabelledQuery("identifier", v.upper(), c))
    for cid, number in contracts:
        makers.append(lambda c=cid, v=number: LabelledQuery("identifier", v.lower(), c))
    for cid, phone in phones:
        local = phone[3:]  # +55 and the rest: '(47) 99496-9051', as read from a card
        spoken = f"({local[:2]}) {local[2:-4]}-{local[-4:]}"
        makers.append(lambda c=cid, v=spoken: LabelledQuery("identifier", v, c))
        makers.append(lambda c=cid, v=phone: LabelledQuery("identifier", v, c))
    return [make() for make in rng.sample(makers, min(n, len(makers)))]


def labelled_queries(engine: Engine, per_kind: int = 70, seed: int = 16) -> list[LabelledQuery]:
    """``per_kind`` queries of each kind (5 kinds), from the names and identifiers stored."""
    rng = random.Random(seed)
    people = _sample(engine, _PEOPLE, per_kind * 6, rng)
    companies = _sample(engine, _COMPANIES, per_kind, rng)
    queries: list[LabelledQuery] = []
    pick = iter(people)
    with engine.connect() as conn:
        for kind, shape in (
            ("out_of_order", _out_of_order),
            ("typo", _typos),
            ("truncated", _truncated),
        ):
            made = 0
            for cid, name in pick:
                if _alone(conn, name, any_order=kind == "out_of_order"):
                    queries.append(LabelledQuery(kind, shape(rng, name), cid))
                    made += 1
                    if made == per_kind:
                        break
    for cid, name in companies:
        queries.append(LabelledQuery("no_accents", fold(name), cid))
    queries += _identifiers(engine, per_kind, rng)
    return queries


def measure(search: Callable[[str], Sequence[int]], queries: Sequence[LabelledQuery]) -> Recall:
    """Run every query through ``search`` (term -> customer ids in rank order)."""
    recall = Recall()
    for query in queries:
        started = time.perf_counter()
        ids = list(search(query.term))
        elapsed = (time.perf_counter() - started) * 1000
        recall.latencies_ms.setdefault(query.kind, []).append(elapsed)
        position = ids.index(query.customer_id) if query.customer_id in ids else None
        recall.positions.append((query.kind, position))
    return recall


def report(recall: Recall) -> list[str]:
    """One line per kind and one for all: the share first, the share in the first five."""
    from benchmarks.stats import percentile

    lines = []
    for kind in (*KINDS, None):
        rows = [p for k, p in recall.positions if kind is None or k == kind]
        times = [
            t for k, ts in recall.latencies_ms.items() if kind is None or k == kind for t in ts
        ]
        if not rows:
            continue
        lines.append(
            f"{kind or 'all':<13} {len(rows):>4} queries  first {recall.share(1, kind):6.1%}"
            f"  top-5 {recall.share(TOP, kind):6.1%}"
            f"  p50 {percentile(times, 50):6.2f} ms  p95 {percentile(times, 95):6.2f} ms"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="database URL holding demo data")
    parser.add_argument("--per-kind", type=int, default=70)
    args = parser.parse_args(argv)
    from benchmarks.consoles import service_session

    engine, search = service_session(args.db)
    queries = labelled_queries(engine, args.per_kind)
    recall = measure(search, queries)
    for line in report(recall):
        print(line)
    print(f"targets: first >= 90 %: {recall.first >= 0.90}; top-5 >= 97 %: {recall.top5 >= 0.97}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
