"""The scale curve (issue 16): lookup p50/p95/p99 at 0.1 M, 1 M and 5 M portal users.

``make bench-scale`` (``python -m benchmarks.scale --db sqlite|postgresql``) builds
or reuses one dataset per size (``benchmarks.dataset.prepare``: the demo generator,
ten portal users per customer), then times the lookup on the issue-5 term mix
(``benchmarks.terms``) and on the typo queries of the labelled set
(``benchmarks.recall``), and prints the recall figures of the labelled set on the
largest size. The build time of each dataset is printed beside it: the issue asks
for the 5 M build within 15 minutes on the 2-core machine, or for the time it took.

Targets, as ratios where they exist: p95 <= 10 ms at 1 M; p95(5 M) <= 1.3 x
p95(1 M) (the cost grows with the log of the data); typo p95 <= 25 ms at 1 M.
``--quick`` runs the same machinery on 2,000 and 10,000 users in seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import dataset
from benchmarks.recall import labelled_queries, measure, report
from benchmarks.stats import percentile
from benchmarks.terms import draw_terms
from noc_console.demo.options import DemoOptions

DATA_DIR = Path(__file__).parent / "data"
RESULTS_DIR = Path(__file__).parent / "results"


def _profile(name: str, customers: int) -> dataset.Profile:
    # Ten users per customer as in issue 5's large dataset; one contract each keeps the
    # build on the users, which are what this curve is about.
    return dataset.Profile(
        name,
        DemoOptions(
            customers=customers,
            users_per_customer=10,
            contracts_per_customer=1,
            heavy_customer_contracts=0,
            seed=42,
            audit_days=3,
        ),
    )


# Every size is this curve's own dataset: issue 5's large one (1 M users too) belongs to
# `make bench`, and the curve must not migrate or rebuild it under the other benchmarks.
SIZES: tuple[dataset.Profile, ...] = (
    _profile("scale-100k", 10_000),
    _profile("scale-1m", 100_000),
    _profile("scale-5m", 500_000),
)
ONE_M, FIVE_M = "scale-1m", "scale-5m"
QUICK_SIZES: tuple[dataset.Profile, ...] = (
    _profile("scale-quick-2k", 200),
    _profile("scale-quick-10k", 1_000),
)


@dataclass
class Point:
    """One size of the curve."""

    profile: str
    users: int
    build_seconds: float | None
    built_in_this_run: bool
    lookup_ms: dict[str, float]
    typo_ms: dict[str, float]


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {f"p{p}": round(percentile(values, p), 3) for p in (50, 95, 99)}


def run_size(backend: str, profile: dataset.Profile, *, rounds: int, terms: int) -> Point:
    from benchmarks.consoles import service_session

    ready = dataset.prepare(backend, profile, DATA_DIR)
    engine, search = service_session(ready.url)
    try:
        mix = [t.text for t in draw_terms(engine, terms)]
        typos = [q.term for q in labelled_queries(engine, per_kind=60) if q.kind == "typo"]
        # One whole round unmeasured: the curve is about steady state, as issue 5's lookup
        # figure is. Twenty terms of the mix left the typo queries' pages on disk once a
        # larger dataset had been read since (2026-12-07: typo p95 65.7 ms cold, 16.6 warm).
        for term in [*mix, *typos]:
            search(term)
        lookup_ms: list[float] = []
        typo_ms: list[float] = []
        for _ in range(rounds):
            for term in mix:
                started = time.perf_counter()
                search(term)
                lookup_ms.append((time.perf_counter() - started) * 1000)
            for term in typos:
                started = time.perf_counter()
                search(term)
                typo_ms.append((time.perf_counter() - started) * 1000)
    finally:
        engine.dispose()
    return Point(
        profile=profile.name,
        users=profile.expected_counts["portal_users"],
        build_seconds=ready.build_seconds,
        built_in_this_run=ready.built_in_this_run,
        lookup_ms=_spread(lookup_ms),
        typo_ms=_spread(typo_ms),
    )


def verdicts(points: Sequence[Point], *, quick: bool) -> list[tuple[str, bool | None, str]]:
    """(target, met, figures) for the curve's targets; None when a size did not run."""
    one_m = next((p for p in points if p.profile == ONE_M), None)
    five_m = next((p for p in points if p.profile == FIVE_M), None)
    if quick and len(points) >= 2:  # the same arithmetic on the small sizes
        one_m, five_m = points[0], points[-1]
    out: list[tuple[str, bool | None, str]] = []
    if quick and one_m and five_m:  # say which sizes stand in for 1 M and 5 M
        out.append(
            (f"(quick: {one_m.users:,} users stand for 1 M, {five_m.users:,} for 5 M)", None, "")
        )
    if one_m:
        p95 = one_m.lookup_ms["p95"]
        out.append(("lookup p95 <= 10 ms at 1 M", p95 <= 10, f"{p95:.2f} ms"))
        typo = one_m.typo_ms["p95"]
        out.append(("typo p95 <= 25 ms at 1 M", typo <= 25, f"{typo:.2f} ms"))
    if one_m and five_m:
        ratio = five_m.lookup_ms["p95"] / one_m.lookup_ms["p95"]
        out.append(("p95(5 M) <= 1.3 x p95(1 M)", ratio <= 1.3, f"{ratio:.2f} x"))
    else:
        out.append(("p95(5 M) <= 1.3 x p95(1 M)", None, "a size did not run"))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 users")
    parser.add_argument(
        "--sizes", help="comma-separated profile names (default: all of the mode's sizes)"
    )
    parser.add_argument("--rounds", type=int, default=5)  # as issue 5's lookup figure
    parser.add_argument("--terms", type=int, default=200)
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        wanted = set(args.sizes.split(","))
        sizes = tuple(p for p in sizes if p.name in wanted)
    points: list[Point] = []
    for profile in sizes:
        try:
            point = run_size(args.db, profile, rounds=args.rounds, terms=args.terms)
        except dataset.DatasetRefused as err:
            print(f"{profile.name}: not run: {err}", file=sys.stderr)
            continue
        points.append(point)
        build = (
            f"built in {point.build_seconds:.0f} s"
            if point.built_in_this_run and point.build_seconds is not None
            else "reused"
        )
        print(
            f"{args.db:<10} {point.users:>9,} users  lookup p50 {point.lookup_ms['p50']:6.2f}"
            f"  p95 {point.lookup_ms['p95']:6.2f}  p99 {point.lookup_ms['p99']:6.2f} ms"
            f"  typo p95 {point.typo_ms['p95']:6.2f} ms  ({build})",
            flush=True,
        )
    if points:
        from benchmarks.consoles import service_session

        largest = max(sizes, key=lambda p: p.expected_counts["portal_users"])
        if any(p.profile == largest.name for p in points):
            engine, search = service_session(dataset.prepare(args.db, largest, DATA_DIR).url)
            try:
                for line in report(measure(search, labelled_queries(engine))):
                    print(f"recall ({largest.name}): {line}")
            finally:
                engine.dispose()
    counts = {"PASS": 0, "MISS": 0, "SKIP": 0}
    for target, met, figure in verdicts(points, quick=args.quick):
        status = ("INFO" if not figure else "SKIP") if met is None else ("PASS" if met else "MISS")
        counts[status] = counts.get(status, 0) + (status != "INFO")
        print(f"{status:<5} {target}: {figure}")
    print(f"{counts['PASS']} PASS, {counts['MISS']} MISS, {counts['SKIP']} SKIP")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {
        "backend": args.db,
        "quick": args.quick,
        "points": [vars(p) for p in points],
    }
    (RESULTS_DIR / f"scale-{args.db}{'-quick' if args.quick else ''}.json").write_text(
        json.dumps(out, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
