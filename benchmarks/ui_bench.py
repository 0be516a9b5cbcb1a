"""UI figures: lookup as the user sees it, scrolling the contract browser, the idle console.

The measuring happens in child processes (``benchmarks.ui_child``), one per
app, so that memory and CPU figures are the app's own. Each console child
has a bare-Textual twin measured the same way in the same run: that twin is
the baseline, and it shows how much of a figure is Textual, the pilot and the
machine rather than the console.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.procinfo import CLOCK_TICKS, cpu_seconds, hwm_mb, rss_mb
from benchmarks.startup import child_env
from benchmarks.stats import Figure, judge, percentile, skipped, summary

REPO = Path(__file__).resolve().parent.parent

LOOKUP_TARGET_P95_MS = 150.0
SCROLL_RSS_TARGET_MB = 30.0
FRAME_STALL_TARGET_MS = 100.0
IDLE_CPU_TARGET_PCT = 1.0
IDLE_RSS_TARGET_MB = 150.0


@dataclass(frozen=True)
class UiRepetitions:
    lookup_terms: int = 20
    scroll_downs: int = 60
    idle_seconds: float = 60.0
    screen_pause_s: float = 0.3  # how long each visited screen stays up before the next

    @classmethod
    def quick(cls) -> UiRepetitions:
        return cls(lookup_terms=2, scroll_downs=5, idle_seconds=1.0, screen_pause_s=0.05)


class Children:
    """Spawns ``python -m benchmarks.ui_child`` (or ``module``) with private XDG folders;
    collects results."""

    def __init__(self, home: Path, module: str = "benchmarks.ui_child") -> None:
        self.home = home
        self.module = module
        self.env = child_env(home)
        self.env["PYTHONPATH"] = str(REPO)
        self.n = 0
        self.started: dict[tuple[str, ...], tuple[subprocess.Popen[bytes], Path, Path]] = {}

    def spawn(self, mode: str, *args: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
        self.n += 1
        out = self.home / f"{self.n:02d}-{mode}.json"
        err = self.home / f"{self.n:02d}-{mode}.stderr"
        with err.open("wb") as err_fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", self.module, mode, "--out", str(out), *args],
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err_fh,
            )
        return proc, out, err

    @staticmethod
    def collect(
        proc: subprocess.Popen[bytes], out: Path, err: Path, timeout: float
    ) -> dict[str, Any]:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return {"status": "error", "why": f"timed out after {timeout:.0f} s"}
        if out.exists():
            result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        else:
            tail = err.read_text(encoding="utf-8", errors="replace")[-1500:]
            result = {"status": "error", "why": f"exit {proc.returncode} without a result: {tail}"}
        return result

    def prestart(self, mode: str, *args: str) -> None:
        """Start a child now; a later ``run`` with the same arguments collects it."""
        self.started[(mode, *args)] = self.spawn(mode, *args)

    def run(self, mode: str, *args: str, timeout: float = 600) -> dict[str, Any]:
        started = self.started.pop((mode, *args), None)
        proc, out, err = started if started is not None else self.spawn(mode, *args)
        return self.collect(proc, out, err, timeout)


def _retries_note(result: dict[str, Any]) -> str:
    """The console's first connection failed and was retried (ctrl+r): say so, with why."""
    problems = result.get("connect_retries") or []
    if not problems:
        return ""
    return f"; the first connection failed {len(problems)}x and was retried: {problems[0][:120]}"


def child_problem(result: dict[str, Any]) -> str | None:
    """Why a child's result cannot make a figure (its skip reason or its error), or None."""
    if result.get("status") == "ok":
        return None
    why = str(result.get("why", "unknown"))
    return why if result.get("status") == "skip" else f"error: {why}"


# --------------------------------------------------------------------------- lookup


def _lookup_args(url: str, reps: UiRepetitions) -> list[tuple[str, ...]]:
    return [
        ("lookup", "--url", url, "--reps", str(reps.lookup_terms)),
        ("lookup-bare", "--reps", str(reps.lookup_terms)),
    ]


def _lookup(
    children: Children, url: str, reps: UiRepetitions
) -> tuple[list[Figure], dict[str, Any]]:
    title = f"Lookup as seen: last key -> results painted, p95 ({reps.lookup_terms} x 10 keys)"
    target = f"p95 <= {LOOKUP_TARGET_P95_MS:g} ms"
    console_args, bare_args = _lookup_args(url, reps)
    console = children.run(*console_args)
    bare = children.run(*bare_args)
    details = {"console": console, "bare": bare}
    problem = child_problem(console) or child_problem(bare)
    if problem:
        return [skipped("ui.lookup", title, target, "ms", problem)], details
    c_ms = [s["ms"] for s in console["samples"]]
    b_ms = [s["ms"] for s in bare["samples"]]
    value = percentile(c_ms, 95)
    parts = {
        part: summary([s[part] for s in console["samples"] if part in s])
        for part in ("before_query_ms", "query_ms", "delivery_ms", "paint_ms")
    }
    details["console_ms"] = summary(c_ms)
    details["bare_ms"] = summary(b_ms)
    details["console_breakdown_ms"] = parts
    timeouts = sum(1 for s in console["samples"] if s.get("timeout"))
    note = (
        "p50 breakdown: wait before the query {b:.0f} ms, query {q:.1f} ms, delivery {d:.1f} ms,"
        " paint {p:.1f} ms"
    ).format(
        b=parts["before_query_ms"].get("p50", float("nan")),
        q=parts["query_ms"].get("p50", float("nan")),
        d=parts["delivery_ms"].get("p50", float("nan")),
        p=parts["paint_ms"].get("p50", float("nan")),
    )
    gc_info = console.get("gc") or {}
    if gc_info:
        note += (
            f"; full GCs while typing {gc_info.get('full_collections', 0)}, longest"
            f" {gc_info.get('full_max_ms', 0):.0f} ms"
        )
    if timeouts:
        note += f"; {timeouts} term(s) never showed their results within 5 s"
    note += _retries_note(console)
    return [
        Figure(
            key="ui.lookup",
            title=title,
            target=target,
            unit="ms",
            value=value,
            baseline=percentile(b_ms, 95),
            baseline_label="bare Textual Input+DataTable, p95",
            status=judge(value <= LOOKUP_TARGET_P95_MS),
            note=note,
        )
    ], details


# --------------------------------------------------------------------------- scroll


def _scroll_args(
    home: Path, url: str, customer_id: int, reps: UiRepetitions
) -> list[tuple[str, ...]]:
    args = ("--url", url, "--customer-id", str(customer_id), "--downs", str(reps.scroll_downs))
    export_dir = home / "exports"
    export_dir.mkdir(exist_ok=True)
    return [("scroll", *args, "--export-dir", str(export_dir)), ("scroll-bare", *args)]


def _scroll(
    children: Children, url: str, customer_id: int, reps: UiRepetitions
) -> tuple[list[Figure], dict[str, Any]]:
    console_args, bare_args = _scroll_args(children.home, url, customer_id, reps)
    console = children.run(*console_args)
    bare = children.run(*bare_args)
    rss_title = "Scroll all contracts in the browser: peak RSS growth"
    stall_title = "Scroll all contracts: slowest key -> frame"
    lists = ("steps_ms", "steps_with_page_ms", "steps_without_page_ms", "add_page_ms")
    details: dict[str, Any] = {
        "console": {k: v for k, v in console.items() if k not in lists},
        "bare": {k: v for k, v in bare.items() if k not in lists},
    }
    problem = child_problem(console) or child_problem(bare)
    if problem:
        return [
            skipped("ui.scroll_rss", rss_title, f"<= {SCROLL_RSS_TARGET_MB:g} MB", "MB", problem),
            skipped(
                "ui.scroll_stall", stall_title, f"<= {FRAME_STALL_TARGET_MS:g} ms", "ms", problem
            ),
        ], details
    c_steps, b_steps = console["steps_ms"], bare["steps_ms"]
    for key in lists:
        for name, result in (("console", console), ("bare", bare)):
            if key in result:
                details[name][key] = summary(result[key])
    c_growth = console["rss_peak_mb"] - console["rss_start_mb"]
    b_growth = bare["rss_peak_mb"] - bare["rss_start_mb"]
    c_max, b_max = max(c_steps), max(b_steps)
    slow = sum(1 for ms in c_steps if ms > FRAME_STALL_TARGET_MS)
    slow_bare = sum(1 for ms in b_steps if ms > FRAME_STALL_TARGET_MS)
    reached = f"{console['rows_reached']:,}/{console['rows_total']:,} rows"
    return [
        Figure(
            key="ui.scroll_rss",
            title=f"{rss_title} ({reached})",
            target=f"<= {SCROLL_RSS_TARGET_MB:g} MB",
            unit="MB",
            value=c_growth,
            baseline=b_growth,
            baseline_label="bare DataTable, all rows loaded at once",
            status=judge(c_growth <= SCROLL_RSS_TARGET_MB),
            note=f"RSS {console['rss_start_mb']:.0f} -> peak {console['rss_peak_mb']:.0f} MB;"
            f" page size {console.get('page_size')}; {len(console['data_waits_ms'])} waits for"
            " a page at the end of the loaded rows",
        ),
        Figure(
            key="ui.scroll_stall",
            title=f"{stall_title} ({console['keys']} keys)",
            target=f"<= {FRAME_STALL_TARGET_MS:g} ms (no stall)",
            unit="ms",
            value=c_max,
            baseline=b_max,
            baseline_label="bare DataTable, same keys",
            status=judge(c_max <= FRAME_STALL_TARGET_MS),
            note=f"p50 {percentile(c_steps, 50):.0f} ms, p99 {percentile(c_steps, 99):.0f} ms,"
            f" {slow} key(s) over {FRAME_STALL_TARGET_MS:g} ms (bare: p50"
            f" {percentile(b_steps, 50):.0f} ms, {slow_bare} over); keys during which a page"
            f" landed: {len(console['steps_with_page_ms'])}, slowest"
            f" {max(console['steps_with_page_ms'], default=0):.0f} ms; adding a page of rows"
            f" p50 {percentile(console['add_page_ms'], 50):.0f} ms; event loop max gap"
            f" {console['max_loop_gap_ms']:.0f} ms (bare {bare['max_loop_gap_ms']:.0f} ms);"
            f" full GCs {console['gc']['full_collections']}, longest"
            f" {console['gc']['full_max_ms']:.0f} ms (bare {bare['gc']['full_collections']},"
            f" {bare['gc']['full_max_ms']:.0f} ms)",
        ),
    ], details


# --------------------------------------------------------------------------- idle


def _wait_ready(ready: Path, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready.exists() and ready.stat().st_size:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def _idle(
    children: Children, url: str, customer_id: int, reps: UiRepetitions, log: Callable[[str], None]
) -> tuple[list[Figure], dict[str, Any]]:
    cpu_title = f"Idle console CPU over {reps.idle_seconds:g} s"
    rss_title = "Console RSS after visiting every screen"
    hold = reps.idle_seconds + 120
    export_dir = children.home / "exports"
    export_dir.mkdir(exist_ok=True)
    ready_c, ready_b = children.home / "idle-console.ready", children.home / "idle-bare.ready"
    proc_c, out_c, err_c = children.spawn(
        "idle",
        "--url", url, "--customer-id", str(customer_id), "--ready", str(ready_c),
        "--hold", str(hold), "--export-dir", str(export_dir), "--pause", str(reps.screen_pause_s),
    )  # fmt: skip
    proc_b, out_b, err_b = children.spawn("idle-bare", "--ready", str(ready_b), "--hold", str(hold))
    details: dict[str, Any] = {}
    try:
        ok_c = _wait_ready(ready_c, proc_c, 300)
        ok_b = _wait_ready(ready_b, proc_b, 120)
        if not (ok_c and ok_b):
            proc_c.terminate()
            proc_b.terminate()
            res_c = children.collect(proc_c, out_c, err_c, 30)
            res_b = children.collect(proc_b, out_b, err_b, 30)
            why = child_problem(res_c) or child_problem(res_b) or "a child never became ready"
            details = {"console": res_c, "bare": res_b}
            return [
                skipped("ui.idle_cpu", cpu_title, f"< {IDLE_CPU_TARGET_PCT:g} %", "%", why),
                skipped("ui.idle_rss", rss_title, f"<= {IDLE_RSS_TARGET_MB:g} MB", "MB", why),
            ], details
        visited = json.loads(ready_c.read_text(encoding="utf-8"))
        log(f"  idle: both apps ready, sampling CPU for {reps.idle_seconds:g} s")
        t0 = time.monotonic()
        c0, b0 = cpu_seconds(proc_c.pid), cpu_seconds(proc_b.pid)
        time.sleep(reps.idle_seconds)
        c1, b1 = cpu_seconds(proc_c.pid), cpu_seconds(proc_b.pid)
        wall = time.monotonic() - t0
        rss_c, rss_b = rss_mb(proc_c.pid), rss_mb(proc_b.pid)
        hwm_c, hwm_b = hwm_mb(proc_c.pid), hwm_mb(proc_b.pid)
    finally:
        for proc in (proc_c, proc_b):
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    cpu_c = (c1 - c0) / wall * 100
    cpu_b = (b1 - b0) / wall * 100
    bare_label = "bare Textual app, same window"
    if b1 - b0 <= 0:
        # Below the resolution of /proc/<pid>/stat: count it as one clock tick, so the
        # ratio stays finite and errs on the console's side.
        cpu_b = 100 / CLOCK_TICKS / wall
        bare_label = "bare Textual app: 0 ticks, counted as 1 tick"
    screens = visited.get("visited", {})
    skipped_screens = [name for name, state in screens.items() if not state.startswith("ok")]
    details = {
        "wall_s": wall,
        "cpu_console_s": c1 - c0,
        "cpu_bare_s": b1 - b0,
        "rss_console_mb": rss_c,
        "rss_bare_mb": rss_b,
        "hwm_console_mb": hwm_c,
        "hwm_bare_mb": hwm_b,
        "visited": screens,
        "idle_screen": visited.get("screen"),
        "connect_retries": visited.get("connect_retries", []),
    }
    visited_note = (
        f"visited: {', '.join(n for n in screens if n not in skipped_screens)}"
        + (f"; not available: {', '.join(skipped_screens)}" if skipped_screens else "")
        + f"; peak RSS {hwm_c:.0f} MB"
    )
    return [
        Figure(
            key="ui.idle_cpu",
            title=cpu_title,
            target=f"< {IDLE_CPU_TARGET_PCT:g} %",
            unit="%",
            value=cpu_c,
            baseline=cpu_b,
            baseline_label=bare_label,
            status=judge(cpu_c < IDLE_CPU_TARGET_PCT),
            note=f"idle on {visited.get('screen')} after visiting every screen"
            + _retries_note(visited),
        ),
        Figure(
            key="ui.idle_rss",
            title=rss_title,
            target=f"<= {IDLE_RSS_TARGET_MB:g} MB",
            unit="MB",
            value=rss_c,
            baseline=rss_b,
            baseline_label="bare Textual app",
            status=judge(rss_c <= IDLE_RSS_TARGET_MB),
            note=visited_note,
        ),
    ], details


# --------------------------------------------------------------------------- entry points


def bench_ui(
    which: set[str],
    url: str,
    customer_id: int,
    reps: UiRepetitions,
    log: Callable[[str], None],
    *,
    parallel: bool = False,
) -> tuple[list[Figure], dict[str, Any]]:
    """The UI figures; ``parallel`` (the quick mode) starts every child at once, which
    makes the run short and its timings meaningless."""
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="noc-bench-ui-") as tmp:
        children = Children(Path(tmp))
        if parallel:
            planned: list[tuple[str, ...]] = []
            if "ui-lookup" in which:
                planned += _lookup_args(url, reps)
            if "ui-scroll" in which:
                planned += _scroll_args(children.home, url, customer_id, reps)
            for args in planned:
                children.prestart(*args)
        if "ui-lookup" in which:
            log(f"  UI lookup: {reps.lookup_terms} terms typed at 20 keys/s")
            f, d = _lookup(children, url, reps)
            figures += f
            details["lookup"] = d
        if "ui-scroll" in which:
            log(f"  UI scroll: customer {customer_id}, console then bare DataTable")
            f, d = _scroll(children, url, customer_id, reps)
            figures += f
            details["scroll"] = d
        if "ui-idle" in which:
            log("  UI idle: console (every screen visited) and bare app side by side")
            f, d = _idle(children, url, customer_id, reps, log)
            figures += f
            details["idle"] = d
    return figures, details
