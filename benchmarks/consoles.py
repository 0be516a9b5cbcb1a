"""Many consoles on one PostgreSQL (issue 16): lookup p95 under load and the connections used.

Each simulated console is its own process (as a real console is) with its own
engine of at most two connections (``pool_size=1`` + one overflow), logged in
through the service like the login screen, typing names at a person's pace:
a lookup every few keystrokes as the debounce would send it, then opening the
customer, then a pause. The same loop with one console is the same-run
baseline. While they run, the server's connections are counted from
``pg_stat_activity``.

Targets: lookup p95 under load <= 2 x the single console's p95; <= 100 server
connections in all; zero errors. ``--pooling`` runs the consoles through a
PgBouncer URL (``?pooling=transaction``) given by ``--url``.

``python -m benchmarks.consoles --url URL [--consoles 50] [--seconds 60]``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from benchmarks.stats import percentile

ANALYST = "ana.analista"
KEY_PAUSE_S = (0.12, 0.25)  # between keystrokes
THINK_S = (1.0, 3.0)  # reading the customer before the next call
MAX_CONNECTIONS_PER_CONSOLE = 2


def analyst(url: str, *, pool_size: int = 5) -> tuple[Engine, Any, Any]:
    """(engine, service context, the demo analyst logged in through the service)."""
    from benchmarks.service_bench import _password
    from noc_console.config import Argon2Params
    from noc_console.db import EngineOptions, create_db_engine
    from noc_console.services import auth
    from noc_console.services.context import ServiceContext
    from noc_console.services.hashing import Hasher

    engine = create_db_engine(url, EngineOptions(pool_size=pool_size))
    ctx = ServiceContext(engine=engine, hasher=Hasher(Argon2Params()))
    return engine, ctx, auth.login(ctx, ANALYST, _password(ANALYST))


def service_session(url: str, *, pool_size: int = 5) -> tuple[Engine, Callable[[str], list[int]]]:
    """An engine and a ``search(term) -> customer ids`` as the demo analyst, through the
    service (permissions, ranking and all), as a console after login."""
    from noc_console.services.search import lookup

    engine, ctx, actor = analyst(url, pool_size=pool_size)

    def search(term: str) -> list[int]:
        return [h.customer_id for h in lookup.search(ctx, actor, term).hits]

    return engine, search


def _console(url: str, terms: Sequence[str], seconds: float, seed: int, out: Any) -> None:
    """One console: type, look up, open, think; report (latencies, opened, errors)."""
    from noc_console.services.customers import get_customer

    rng = random.Random(seed)
    latencies: list[float] = []
    errors: list[str] = []
    opened = 0
    try:
        engine, ctx, actor = analyst(url, pool_size=1)  # at most 2 connections
    except Exception as err:  # noqa: BLE001 - counted, never silent
        out.put(([], 0, [f"{type(err).__name__}: {err}"]))
        return
    from noc_console.services.search import lookup

    def search(term: str) -> list[int]:
        return [h.customer_id for h in lookup.search(ctx, actor, term).hits]

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        term = rng.choice(terms)
        ids: list[int] = []
        for end in range(3, len(term) + 1, 2):  # the debounce sends every other key
            time.sleep(rng.uniform(*KEY_PAUSE_S) * 2)
            started = time.perf_counter()
            try:
                ids = search(term[:end])
            except Exception as err:  # noqa: BLE001
                errors.append(f"{type(err).__name__}: {err}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)
        if ids:
            try:
                get_customer(ctx, actor, ids[0])
                opened += 1
            except Exception as err:  # noqa: BLE001
                errors.append(f"{type(err).__name__}: {err}")
        time.sleep(rng.uniform(*THINK_S))
    engine.dispose()
    out.put((latencies, opened, errors))


def _count_connections(admin_url: str, stop: threading.Event, peak: list[int]) -> None:
    engine = create_engine(admin_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            while not stop.is_set():
                n = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
                conn.rollback()
                peak[0] = max(peak[0], int(n))
                stop.wait(0.2)
    finally:
        engine.dispose()


def run(
    url: str, admin_url: str, terms: Sequence[str], consoles: int, seconds: float
) -> dict[str, Any]:
    """``consoles`` processes for ``seconds``; the merged figures."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_console, args=(url, terms, seconds, 1000 + i, out))
        for i in range(consoles)
    ]
    stop, peak = threading.Event(), [0]
    counter = threading.Thread(target=_count_connections, args=(admin_url, stop, peak))
    counter.start()
    for proc in procs:
        proc.start()
    results = [out.get(timeout=seconds + 300) for _ in procs]
    for proc in procs:
        proc.join()
    stop.set()
    counter.join()
    latencies = [t for r in results for t in r[0]]
    errors = [e for r in results for e in r[2]]
    return {
        "consoles": consoles,
        "lookups": len(latencies),
        "opened": sum(r[1] for r in results),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "server_connections_peak": peak[0],
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the database (or PgBouncer) URL")
    parser.add_argument("--admin-url", help="the server itself, to count connections")
    parser.add_argument("--consoles", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)
    admin = args.admin_url or args.url.split("?")[0]
    engine, _search = service_session(args.url, pool_size=1)
    try:
        from benchmarks.terms import draw_terms

        terms = [t.text for t in draw_terms(engine, 200) if len(t.text) >= 3]
    finally:
        engine.dispose()
    single = run(args.url, admin, terms, 1, args.seconds)
    many = run(args.url, admin, terms, args.consoles, args.seconds)
    ratio = many["p95_ms"] / single["p95_ms"] if single["p95_ms"] else float("nan")
    for label, fig in (("1 console", single), (f"{args.consoles} consoles", many)):
        print(
            f"{label:<12} {fig['lookups']:>6} lookups  p50 {fig['p50_ms']:6.2f} ms"
            f"  p95 {fig['p95_ms']:6.2f} ms  peak server connections"
            f" {fig['server_connections_peak']}  errors {fig['errors']}"
        )
    checks = (
        ("lookup p95 under load <= 2 x single", ratio <= 2, f"{ratio:.2f} x"),
        (
            "server connections <= 100",
            many["server_connections_peak"] <= 100,
            str(many["server_connections_peak"]),
        ),
        (
            "zero errors",
            many["errors"] == 0 and single["errors"] == 0,
            "; ".join(many["first_errors"]) or "0",
        ),
        (
            f"<= {MAX_CONNECTIONS_PER_CONSOLE} connections per console",
            many["server_connections_peak"] <= MAX_CONNECTIONS_PER_CONSOLE * args.consoles + 1,
            f"{many['server_connections_peak']} for {args.consoles}",
        ),
    )
    for target, met, figure in checks:
        print(f"{'PASS' if met else 'MISS':<5} {target}: {figure}")
    passed = sum(1 for _t, met, _f in checks if met)
    print(f"{passed} PASS, {len(checks) - passed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
