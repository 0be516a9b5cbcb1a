"""Stand-ins: what each of the console's replacements for a stock Textual part buys.

The console replaces four stock parts with its own (``LightButton``,
``TextSpinner``, ``LineTable``, ``gc_policy``), each for a benchmark figure.
Here each figure is measured again with the stand-in and with the stock part
in the same run, alternated, as a ratio (stand-in / stock: below 1 is what
the stand-in buys), so a part stays only while its figure says so
(benchmarks/RESULTS.md, "Stand-ins: what each one buys").

* ``LightButton`` vs ``Button`` and ``TextSpinner`` vs ``LoadingIndicator``:
  start-up to the login screen's first paint, ``benchmarks.startup``'s child
  with the stock class put in place before the console is imported; rounds
  alternate the console as shipped, each swap and the bare app. The child's
  CPU time is reported beside the wall time: other processes on the machine
  move it less.
* ``LineTable`` vs ``DataTable``: drawing pages of contract cells never drawn
  before, and measuring the widths of a page of new rows, offscreen in this
  process, alternated; then the contract browser's scroll and the lookup's
  paint with LineTable's overrides removed (``benchmarks.stand_in_child``).
* ``gc_policy`` vs Python's collector: the same scroll and lookup with the app
  built with ``gc_policy=False``. These UI children need a dataset's worth of
  rows to mean anything, so ``--quick`` skips them.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.startup import BARE_CHILD, child_env, console_child, run_child
from benchmarks.stats import Figure, judge, percentile, skipped, summary
from benchmarks.ui_bench import Children, UiRepetitions, child_problem

Log = Callable[[str], None]
Result = tuple[list[Figure], dict[str, Any]]

CHEAPER = "< 1x (stand-in cheaper)"

SWAP_BUTTON = r"""
import noc_console.widgets.light_button as _light_button
from textual.widgets import Button as _StockButton

_light_button.LightButton = _StockButton
"""

SWAP_SPINNER = r"""
import noc_console.widgets.text_spinner as _text_spinner
from textual.widgets import LoadingIndicator as _LoadingIndicator

class StockSpinner(_LoadingIndicator):
    def spin(self, active):
        self.display = active

_text_spinner.TextSpinner = StockSpinner
"""

# Start-up variant -> (child code, needs the database URL, classes it must paint, must not).
START_UPS: dict[str, tuple[str, bool, tuple[str, ...], tuple[str, ...]]] = {
    "as-shipped": (console_child(), True, ("LightButton", "TextSpinner"), ()),
    "button": (console_child(SWAP_BUTTON), True, ("Button", "TextSpinner"), ("LightButton",)),
    "spinner": (
        console_child(SWAP_SPINNER), True, ("LightButton", "StockSpinner"), ("TextSpinner",)
    ),
    "bare": (BARE_CHILD, False, (), ()),
}  # fmt: skip


def _ratio_note(a: Sequence[float], b: Sequence[float]) -> str:
    """How often the stand-in (``a``) beat the stock part (``b``) in paired samples."""
    paired = [x / y for x, y in zip(a, b, strict=True) if y > 0]
    wins = sum(1 for r in paired if r < 1)
    return (
        f"stand-in cheaper in {wins}/{len(paired)} pairs, median pair {percentile(paired, 50):.2f}x"
    )


def _figure(key: str, title: str, unit: str, value: float, baseline: float, label: str,
            note: str) -> Figure:  # fmt: skip
    return Figure(
        key=f"stand_ins.{key}",
        title=title,
        target=CHEAPER,
        unit=unit,
        value=value,
        baseline=baseline,
        baseline_label=label,
        status=judge(value < baseline),
        note=note,
    )


# --------------------------------------------------------------------------- start-up


def _rotated(names: list[str], by: int) -> list[str]:
    by %= len(names)
    return names[by:] + names[:by]


def _check_swaps(runs: dict[str, list[dict[str, Any]]]) -> None:
    """A swap that did not take (the screen imports its widget some other way) is an error,
    not a figure comparing the console with itself."""
    for name, (_code, _url, shown, absent) in START_UPS.items():
        widgets = set(runs[name][-1]["widgets"]) if runs[name] else set()
        if name != "bare" and (not set(shown) <= widgets or widgets & set(absent)):
            raise RuntimeError(f"start-up {name}: painted {sorted(widgets)}; wanted {shown}")


def _startup(url: str, rounds: int, log: Log, *, warm_up: bool) -> Result:
    names = list(START_UPS)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    log(f"  stand-ins, start-up: {rounds} rounds of {', '.join(names)}")
    with tempfile.TemporaryDirectory(prefix="noc-bench-stand-ins-") as tmp:
        home = Path(tmp)
        env = child_env(home)
        out = home / "paint.json"
        for n in range(-1 if warm_up else 0, rounds):
            for name in _rotated(names, n):
                code, needs_url, _shown, _absent = START_UPS[name]
                result = run_child(code, [url] if needs_url else [], env, out)
                if n >= 0:
                    runs[name].append(result)
    _check_swaps(runs)
    details = {
        name: {"ms": summary([r["ms"] for r in rs]), "cpu_ms": summary([r["cpu_ms"] for r in rs])}
        for name, rs in runs.items()
    }
    bare = percentile([r["ms"] for r in runs["bare"]], 50)
    figures = []
    for key, variant, stand_in, stock in (
        ("light_button", "button", "LightButton", "Button"),
        ("text_spinner", "spinner", "TextSpinner", "LoadingIndicator"),
    ):
        a = [r["ms"] for r in runs["as-shipped"]]
        b = [r["ms"] for r in runs[variant]]
        cpu_a = percentile([r["cpu_ms"] for r in runs["as-shipped"]], 50)
        cpu_b = percentile([r["cpu_ms"] for r in runs[variant]], 50)
        a50, b50 = percentile(a, 50), percentile(b, 50)
        note = (
            f"child CPU time p50 {cpu_a:.0f} vs {cpu_b:.0f} ms ({cpu_a / cpu_b:.2f}x);"
            f" {_ratio_note(a, b)}; bare app {bare:.0f} ms: {a50 / bare:.2f}x as shipped,"
            f" {b50 / bare:.2f}x with {stock}"
        )
        title = f"Start-up to login painted, p50: {stand_in} vs {stock} ({rounds} rounds)"
        figures.append(_figure(key, title, "ms", a50, b50, f"stock {stock}, p50", note))
    return figures, details


# --------------------------------------------------------------------------- LineTable offscreen

COLUMNS = (("Number", 16), ("Service", 24), ("Status", None), ("Start", None), ("End", None),
           ("Monthly", None), ("Annual", None), ("Ends in", None))  # fmt: skip
SERVICES = (
    "Link dedicado 200 Mbps — São Paulo / Campinas",
    "Colocation rack 42U",
    "SD-WAN gerenciado",
    "Backup em nuvem 5 TB",
    "Firewall gerenciado — matriz e filiais",
)
PAGE_ROWS = 36  # the rows a page-down brings into the contract browser at 120x40
WIDTH_ROWS = 100  # the contract browser's page size


def contract_like_cells(n: int) -> tuple[Any, ...]:
    """Cells shaped like the contract browser's (same builders, same styles), without a DTO."""
    from rich.text import Text

    from noc_console.widgets.cells import literal
    from noc_console.widgets.money import money_cell

    active = n % 4 != 0
    monthly = Decimal(100_000 + n * 3_719 % 9_000_000) / 100
    day = f"{n % 28 + 1:02d}/{n % 12 + 1:02d}"
    return (
        literal(f"CT-{2020 + n % 6}-{n:06d}", limit=16, style="bold"),
        literal(SERVICES[n % len(SERVICES)], limit=24),
        Text("● ativo" if active else "○ inativo", style="green" if active else "dim", end=""),
        Text(f"{day}/2024", end=""),
        Text("sem fim", style="dim", end="") if n % 3 == 0 else Text(f"{day}/2027", end=""),
        money_cell(monthly, "BRL"),
        money_cell(monthly * 12, "BRL"),
        Text(f"⚠ {n % 90} d", style="bold red" if n % 90 <= 30 else "yellow", end="")
        if n % 5 == 0
        else Text("", end=""),
    )


def _paint_ms(table: Any, pages: int) -> float:
    """Milliseconds per page to draw ``pages`` pages of rows never drawn (caches emptied)."""
    table._clear_caches()  # private DataTable API: what a page of new rows starts from
    table._pseudo_class_state = table.get_pseudo_class_state()
    style, width, header = table.rich_style, table.size.width, table.header_height
    gc.collect()
    started = time.perf_counter()
    for y in range(pages * PAGE_ROWS):
        table._render_line(y + header, 0, width, style)
    return (time.perf_counter() - started) * 1000 / pages


def _widths_ms(table: Any, first: int) -> float:
    """Milliseconds to measure a page of new rows' widths (DataTable does it on idle)."""
    keys = table.add_rows(contract_like_cells(n) for n in range(first, first + WIDTH_ROWS))
    gc.collect()
    started = time.perf_counter()
    table._update_dimensions(keys)
    return (time.perf_counter() - started) * 1000


async def _offscreen(pages: int, reps: int) -> dict[str, dict[str, list[float]]]:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from noc_console.widgets.line_table import LineTable

    class TwoTables(App[None]):
        CSS = "DataTable { height: 1fr; }"

        def compose(self) -> ComposeResult:
            yield LineTable(id="line", zebra_stripes=True, cursor_type="row")
            yield DataTable(id="stock", zebra_stripes=True, cursor_type="row")

    app = TwoTables()
    times: dict[str, dict[str, list[float]]] = {
        "line": {"paint": [], "widths": []},
        "stock": {"paint": [], "widths": []},
    }
    async with app.run_test(size=(120, 40)) as pilot:
        tables = {name: app.query_one(f"#{name}", DataTable) for name in times}
        for table in tables.values():
            for label, width in COLUMNS:
                table.add_column(Text(label, end=""), width=width)
            table.add_rows(contract_like_cells(n) for n in range(pages * PAGE_ROWS))
        await pilot.pause()
        first = pages * PAGE_ROWS
        for rep in range(reps):
            for name in _rotated(list(tables), rep):
                times[name]["paint"].append(_paint_ms(tables[name], pages))
            for name in _rotated(list(tables), rep):
                times[name]["widths"].append(_widths_ms(tables[name], first))
            first += WIDTH_ROWS
    return times


def _line_table_offscreen(pages: int, reps: int, log: Log) -> Result:
    log(f"  stand-ins, LineTable offscreen: {reps} x {pages} pages, alternated with DataTable")
    times = asyncio.run(_offscreen(pages, reps))
    line, stock = times["line"], times["stock"]
    cells = PAGE_ROWS * len(COLUMNS)
    paint_a, paint_b = percentile(line["paint"], 50), percentile(stock["paint"], 50)
    width_a, width_b = percentile(line["widths"], 50), percentile(stock["widths"], 50)
    figures = [
        _figure(
            "line_table_paint",
            f"Draw a page of new contract cells ({PAGE_ROWS} rows), p50: LineTable vs DataTable",
            "ms", paint_a, paint_b, "DataTable's own cells, p50",
            f"{paint_a * 1000 / cells:.0f} vs {paint_b * 1000 / cells:.0f} µs a cell;"
            f" {reps} samples of {pages} pages each; {_ratio_note(line['paint'], stock['paint'])}",
        ),
        _figure(
            "line_table_widths",
            f"Column widths of {WIDTH_ROWS} new rows, p50: LineTable vs DataTable",
            "ms", width_a, width_b, "DataTable's own measure, p50",
            _ratio_note(line["widths"], stock["widths"]),
        ),
    ]  # fmt: skip
    details = {name: {k: summary(v) for k, v in t.items()} for name, t in times.items()}
    return figures, details


# --------------------------------------------------------------------------- UI children

SWAPS = ("as-shipped", "gc-off", "datatable")


def _gc_note(on: dict[str, Any], off: dict[str, Any]) -> str:
    g_on, g_off = on["gc"], off["gc"]
    return (
        f"full collections {g_on['full_collections']} (longest {g_on['full_max_ms']:.0f} ms) vs"
        f" {g_off['full_collections']} ({g_off['full_max_ms']:.0f} ms) with Python's collector"
    )


def _over(steps: Iterable[float], limit: float = 100.0) -> int:
    return sum(1 for ms in steps if ms > limit)


def _ui_figures(results: dict[tuple[str, str], dict[str, Any]]) -> list[Figure]:
    scroll = {swap: results[("scroll", swap)] for swap in SWAPS}
    lookup = {swap: results[("lookup", swap)] for swap in SWAPS}
    steps = {swap: r["steps_ms"] for swap, r in scroll.items()}
    typed = {swap: [s["ms"] for s in r["samples"]] for swap, r in lookup.items()}
    paint = {
        swap: [s["paint_ms"] for s in r["samples"] if "paint_ms" in s] for swap, r in lookup.items()
    }
    keys = scroll["as-shipped"]["keys"]
    terms = len(typed["as-shipped"])

    def scroll_note(other: str) -> str:
        return (
            f"p99 {percentile(steps['as-shipped'], 99):.0f} vs {percentile(steps[other], 99):.0f}"
            f" ms; keys over 100 ms {_over(steps['as-shipped'])} vs {_over(steps[other])};"
            f" rows reached {scroll['as-shipped']['rows_reached']:,} vs"
            f" {scroll[other]['rows_reached']:,} of {scroll[other]['rows_total']:,}"
        )

    return [
        _figure(
            "line_table_scroll",
            f"Scroll the contract browser, slowest key -> frame ({keys} keys): LineTable vs"
            " DataTable",
            "ms", max(steps["as-shipped"]), max(steps["datatable"]),
            "LineTable's overrides removed", scroll_note("datatable"),
        ),
        _figure(
            "line_table_lookup",
            f"Lookup results painted, p50 ({terms} terms): LineTable vs DataTable",
            "ms", percentile(paint["as-shipped"], 50), percentile(paint["datatable"], 50),
            "LineTable's overrides removed",
            f"last key -> frame p95 {percentile(typed['as-shipped'], 95):.0f} vs"
            f" {percentile(typed['datatable'], 95):.0f} ms",
        ),
        _figure(
            "gc_policy_scroll",
            f"Scroll the contract browser, slowest key -> frame ({keys} keys): GC policy vs"
            " Python's collector",
            "ms", max(steps["as-shipped"]), max(steps["gc-off"]), "gc_policy=False",
            f"{scroll_note('gc-off')}; {_gc_note(scroll['as-shipped'], scroll['gc-off'])}",
        ),
        _figure(
            "gc_policy_lookup",
            f"Lookup as seen, last key -> frame, p95 ({terms} terms): GC policy vs Python's"
            " collector",
            "ms", percentile(typed["as-shipped"], 95), percentile(typed["gc-off"], 95),
            "gc_policy=False", _gc_note(lookup["as-shipped"], lookup["gc-off"]),
        ),
    ]  # fmt: skip


def _ui(url: str, customer_id: int, reps: UiRepetitions, log: Log) -> Result:
    results: dict[tuple[str, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="noc-bench-stand-ins-ui-") as tmp:
        children = Children(Path(tmp), module="benchmarks.stand_in_child")
        export_dir = children.home / "exports"
        export_dir.mkdir()
        modes = {
            "scroll": ("--url", url, "--customer-id", str(customer_id),
                       "--downs", str(reps.scroll_downs), "--export-dir", str(export_dir)),
            "lookup": ("--url", url, "--reps", str(reps.lookup_terms)),
        }  # fmt: skip
        for mode, args in modes.items():
            for swap in SWAPS:
                log(f"  stand-ins, UI: {mode} with {swap}")
                results[(mode, swap)] = children.run(mode, *args, "--swap", swap)
    problems = {f"{m} {s}": p for (m, s), r in results.items() if (p := child_problem(r))}
    details = {
        f"{mode} {swap}": {k: v for k, v in r.items() if k not in ("steps_ms", "samples")}
        for (mode, swap), r in results.items()
    }
    if problems:
        why = f"error: {problems}"
        return [replace(f, status="ERROR") for f in _ui_skipped(why)[0]], details
    return _ui_figures(results), details


def _ui_skipped(why: str) -> Result:
    return [
        skipped(f"stand_ins.{key}", title, CHEAPER, "ms", why)
        for key, title in (
            ("line_table_scroll", "Scroll the contract browser: LineTable vs DataTable"),
            ("line_table_lookup", "Lookup results painted: LineTable vs DataTable"),
            ("gc_policy_scroll", "Scroll the contract browser: GC policy vs Python's collector"),
            ("gc_policy_lookup", "Lookup as seen: GC policy vs Python's collector"),
        )
    ], {"skipped": why}


# --------------------------------------------------------------------------- entry point


def bench_stand_ins(
    url: str, customer_id: int, reps: UiRepetitions, log: Log, *, quick: bool
) -> Result:
    """Every stand-in against its stock part; ``quick`` (the smoke test) keeps the cheap ones.
    A part whose benchmark fails becomes one ERROR figure; the other parts still run."""
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    parts: dict[str, Callable[[], Result]] = {
        "startup": lambda: _startup(url, 1 if quick else 15, log, warm_up=not quick),
        "line_table": lambda: _line_table_offscreen(2 if quick else 20, 1 if quick else 9, log),
        "ui": lambda: (
            _ui_skipped("not in --quick: it needs a large dataset's scroll and lookup")
            if quick
            else _ui(url, customer_id, reps, log)
        ),
    }
    for name, run in parts.items():
        try:
            figs, det = run()
        except Exception as err:  # noqa: BLE001 - reported in the table and the JSON
            why = f"{type(err).__name__}: {err}"
            figs = [skipped(f"stand_ins.{name}", f"stand-ins {name} (failed)", "-", "", why,
                            status="ERROR")]  # fmt: skip
            det = {"error": traceback.format_exc()[-4000:]}
        figures += figs
        details[name] = det
    return figures, details
