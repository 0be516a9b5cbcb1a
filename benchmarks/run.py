"""``python -m benchmarks.run --db sqlite|postgresql``: the issue 5 benchmark suite.

Builds (or reuses) the large dataset, measures every figure beside a baseline
measured in the same run, prints one table with PASS/MISS against the issue's
targets, and writes the figures as JSON (and the table as Markdown) to
``benchmarks/results/``. Targets are reported, never asserted: the exit code
is 0 unless the benchmark code itself failed (a figure in ERROR), so a MISS
is a finding to explain, not a broken build.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import dataset
from benchmarks.stats import Figure, judge, skipped, table

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BUILD_TARGET_S = 180.0
STARTUP_RUNS = 15
STARTUP_RUNS_QUICK = 1

GROUPS = (
    "build", "lookup", "startup", "contracts", "reset", "ui-lookup", "ui-scroll", "ui-idle",
    "stand-ins", "board",
)  # fmt: skip


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def machine_info(url: str | None, backend: str) -> dict[str, Any]:
    """What the figures depend on: cores, memory, CPU, versions, load while measuring."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info: dict[str, Any] = {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gib": mem_gib,
        "cpu_model": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {
            name: _version(name) for name in ("textual", "sqlalchemy", "psycopg", "argon2-cffi")
        },
        "loadavg_start": os.getloadavg(),
    }
    if backend == "postgresql" and url:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                info["postgresql"] = conn.scalar(text("SHOW server_version"))
        finally:
            engine.dispose()
    return info


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def build_figure(ds: dataset.Dataset) -> Figure:
    """The build time: measured when built in this run, else the recorded one."""
    title = f"Build the {ds.profile.name} dataset (migrate + seed)"
    applies = ds.backend == "sqlite" and ds.profile.name == dataset.LARGE.name
    target = f"<= {BUILD_TARGET_S / 60:g} min" if applies else "- (SQLite large only)"
    if ds.build_seconds is None:
        return skipped(
            "build", title, target, "s", "not built in this run and no build time recorded"
        )
    when = "built in this run" if ds.built_in_this_run else f"recorded build of {ds.built_at}"
    if ds.analyze_seconds:
        when += f"; VACUUM ANALYZE after it {ds.analyze_seconds:.0f} s"
    return Figure(
        key="build",
        title=title,
        target=target,
        unit="s",
        value=float(ds.build_seconds),
        baseline=BUILD_TARGET_S,
        baseline_label="the 3-minute budget (no measured baseline)",
        status=judge(ds.build_seconds <= BUILD_TARGET_S) if applies else "INFO",
        note=f"{when}; {ds.counts.get('customers', 0):,} customers,"
        f" {ds.counts.get('portal_users', 0):,} portal users,"
        f" {ds.counts.get('contracts', 0):,} contracts,"
        f" {ds.counts.get('escalation_chains', 0):,} escalation chains",
    )


def _guard(
    name: str,
    fn: Callable[[], tuple[list[Figure], dict[str, Any]]],
    figures: list[Figure],
    details: dict[str, Any],
) -> None:
    """Run one group; a crash becomes an ERROR figure so the other groups still run."""
    started = time.perf_counter()
    try:
        figs, det = fn()
    except Exception as err:  # noqa: BLE001 - reported in the table and the JSON
        _log(traceback.format_exc())
        figs = [skipped(name, f"{name} (benchmark failed)", "-", "", f"{type(err).__name__}: {err}",
                        status="ERROR")]  # fmt: skip
        det = {"error": traceback.format_exc()[-4000:]}
    det["seconds"] = round(time.perf_counter() - started, 1)
    figures += figs
    details[name] = det


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description="NOC console benchmarks (issue 5)"
    )
    parser.add_argument("--db", required=True, choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=dataset.DEFAULT_DATA_DIR,
        help="where the SQLite dataset and the build records live (default benchmarks/data)",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--rebuild", action="store_true", help="build the dataset even if present")
    parser.add_argument(
        "--quick", action="store_true", help="tiny dataset, few repetitions (the smoke test)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        metavar="NAME",
        help=f"run only these groups (repeatable): {', '.join(GROUPS)}",
    )
    ns = parser.parse_args(argv)
    which = set(ns.only or GROUPS)
    profile = dataset.QUICK if ns.quick else dataset.LARGE

    from benchmarks import service_bench, stand_ins, startup, ui_bench
    from noc_console.config import load_settings

    started = time.perf_counter()
    try:
        ds = dataset.prepare(ns.db, profile, ns.data_dir, rebuild=ns.rebuild, log=_log)
    except dataset.DatasetRefused as err:
        print(f"benchmarks: {err}", file=sys.stderr)
        return 2
    machine = machine_info(ds.url, ns.db)
    # The console's configured argon2 parameters (defaults unless a config file says otherwise).
    argon2 = load_settings(db_flag=ds.url).argon2
    reps = service_bench.Repetitions.quick() if ns.quick else service_bench.Repetitions()
    ui_reps = ui_bench.UiRepetitions.quick() if ns.quick else ui_bench.UiRepetitions()
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    if "build" in which:
        figures.append(build_figure(ds))
    if "lookup" in which:
        _log("lookup")
        _guard(
            "lookup", lambda: service_bench.bench_lookup(ds.url, argon2, reps, _log), figures,
            details,
        )  # fmt: skip
    if "startup" in which:
        _log("start-up")
        runs = STARTUP_RUNS_QUICK if ns.quick else STARTUP_RUNS
        _guard(
            "startup",
            lambda: startup.bench_startup(ds.url, runs, _log, warm_up=not ns.quick),
            figures,
            details,
        )
    if "contracts" in which:
        _log("contracts")
        _guard(
            "contracts",
            lambda: service_bench.bench_contracts(ds.url, argon2, ds.heavy_customer_id, reps, _log),
            figures,
            details,
        )
    if "reset" in which:
        _log("assisted reset")
        _guard("reset", lambda: service_bench.bench_reset(ds.url, argon2, reps, _log), figures,
               details)  # fmt: skip
    ui_groups = which & {"ui-lookup", "ui-scroll", "ui-idle"}
    if ui_groups:
        _log("UI")
        _guard(
            "ui",
            lambda: ui_bench.bench_ui(
                ui_groups, ds.url, ds.heavy_customer_id, ui_reps, _log, parallel=ns.quick
            ),
            figures,
            details,
        )
    if "stand-ins" in which:
        _log("stand-ins")
        _guard(
            "stand-ins",
            lambda: stand_ins.bench_stand_ins(
                ds.url, ds.heavy_customer_id, ui_reps, _log, quick=ns.quick
            ),
            figures,
            details,
        )
    if "board" in which:  # escalation runs board (issue 13): benchmarks/board.py
        from benchmarks import board

        _log("board")
        _guard("board", lambda: board.bench_board(ds.url, ns.db, _log, quick=ns.quick), figures,
               details)  # fmt: skip
    machine["loadavg_end"] = os.getloadavg()
    elapsed = time.perf_counter() - started

    printed = table(figures)
    print()
    print(
        f"noc-console benchmarks on {ns.db} ({profile.name} dataset, {ds.location}),"
        f" {machine['date_utc']}, {machine['nproc']} cores, load {machine['loadavg_start'][0]:.1f}"
    )
    print(printed)
    counts = {
        s: sum(1 for f in figures if f.status == s) for s in ("PASS", "MISS", "SKIP", "ERROR")
    }
    print(
        f"\n{counts['PASS']} PASS, {counts['MISS']} MISS, {counts['SKIP']} SKIP,"
        f" {counts['ERROR']} ERROR in {elapsed:.0f} s"
    )
    for verdict in ("MISS", "SKIP", "ERROR"):  # the targets behind each count that is not a pass
        keys = [f.key for f in figures if f.status == verdict]
        if keys:
            print(f"{verdict}: {', '.join(keys)}")

    ns.results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{ns.db}-quick" if ns.quick else ns.db
    payload = {
        "backend": ns.db,
        "profile": profile.name,
        "machine": machine,
        "dataset": ds.summary(),
        "groups": sorted(which),
        "seconds": round(elapsed, 1),
        "figures": [f.as_json() for f in figures],
        "details": details,
    }
    json_path = ns.results_dir / f"{stem}.json"
    json_path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    md_path = ns.results_dir / f"{stem}.md"
    md_path.write_text(_markdown(ns.db, machine, ds, printed), encoding="utf-8")
    print(f"results: {json_path} and {md_path}")
    if ns.quick and ns.db == "postgresql":
        # The quick database is rebuilt in a second: leave no litter on the server.
        dataset.drop_postgres(ds.url, ns.data_dir, profile)
    return 1 if counts["ERROR"] else 0


def _markdown(backend: str, machine: dict[str, Any], ds: dataset.Dataset, printed: str) -> str:
    """The section RESULTS.md takes for this backend."""
    server = f", PostgreSQL {machine['postgresql']}" if machine.get("postgresql") else ""
    return (
        f"### {backend} — {ds.profile.name} dataset, {machine['date_utc']}\n\n"
        f"Machine: {machine['nproc']} cores, {machine['memory_gib']} GiB, {machine['cpu_model']};"
        f" Python {machine['python']}, SQLite {machine['sqlite']}{server};"
        f" load average {machine['loadavg_start'][0]:.2f} at start,"
        f" {machine['loadavg_end'][0]:.2f} at end.\n"
        f"Dataset: {ds.location} ({ds.size_bytes / 1e9:.2f} GB).\n\n"
        f"{printed}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
