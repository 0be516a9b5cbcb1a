"""Figures, percentiles and the printed table.

Why ratios: the benchmark machine is shared (other people's test runs, two
cores), so an absolute millisecond figure moves from run to run. Each figure
therefore carries a baseline measured in the same run, interleaved with it
where possible, and the ratio between the two; the absolute target of the
issue is still what decides PASS or MISS when the issue states one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

Status = Literal["PASS", "MISS", "INFO", "SKIP", "ERROR"]
T = TypeVar("T")


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), p in [0, 100]."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/min/max/mean of a sample, rounded for the JSON file."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "min": round(min(values), 4),
        "p50": round(percentile(values, 50), 4),
        "p95": round(percentile(values, 95), 4),
        "p99": round(percentile(values, 99), 4),
        "max": round(max(values), 4),
        "mean": round(sum(values) / len(values), 4),
    }


def timed_ms(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall time of one call in milliseconds (perf_counter: monotonic, high resolution)."""
    started = time.perf_counter_ns()
    result = fn()
    return (time.perf_counter_ns() - started) / 1e6, result


@dataclass
class Figure:
    """One line of the table: a measured value beside a same-run baseline.

    ``ratio`` is value / baseline unless ``ratio_kind`` is "speedup" (baseline /
    value: how many times faster than the baseline). ``status`` is PASS/MISS
    when the issue sets a target for this figure, INFO when it is only there to
    explain another figure, SKIP when it could not be measured (``note`` says why),
    ERROR when the benchmark code itself failed.
    """

    key: str
    title: str
    target: str
    unit: str
    value: float | None
    baseline: float | None
    baseline_label: str
    ratio_kind: Literal["ratio", "speedup"] = "ratio"
    status: Status = "INFO"
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.baseline is None:
            return None
        if self.ratio_kind == "speedup":
            return self.baseline / self.value if self.value > 0 else math.inf
        return self.value / self.baseline if self.baseline > 0 else math.inf

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        ratio = self.ratio
        data["ratio"] = None if ratio is None or math.isinf(ratio) else round(ratio, 3)
        for key in ("value", "baseline"):
            if isinstance(data[key], float):
                data[key] = round(data[key], 4)
        return data


def judge(passed: bool | None) -> Status:
    if passed is None:
        return "INFO"
    return "PASS" if passed else "MISS"


def skipped(
    key: str, title: str, target: str, unit: str, why: str, status: Status = "SKIP"
) -> Figure:
    """A figure that could not be measured; ``why`` is printed in the notes."""
    return Figure(
        key=key,
        title=title,
        target=target,
        unit=unit,
        value=None,
        baseline=None,
        baseline_label="-",
        status=status,
        note=why,
    )


# --------------------------------------------------------------------------- table


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if math.isinf(value) or math.isnan(value):
        return str(value)
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "%":
        return f"{value:.2f} %"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:g} {unit}".strip()


def fmt_ratio(fig: Figure) -> str:
    ratio = fig.ratio
    if ratio is None:
        return "-"
    if math.isinf(ratio):
        return "inf"
    text = f"{ratio:.2f}x" if ratio < 100 else f"{ratio:.0f}x"
    return f"{text} faster" if fig.ratio_kind == "speedup" else text


def table(figures: Sequence[Figure]) -> str:
    """A plain-text table (also valid Markdown), one figure per line."""
    header = ("Figure", "Target", "Measured", "Baseline (same run)", "Ratio", "Result")
    rows = [header]
    for fig in figures:
        baseline = (
            "-"
            if fig.baseline is None
            else f"{fmt_value(fig.baseline, fig.unit)} ({fig.baseline_label})"
        )
        rows.append(
            (
                fig.title,
                fig.target,
                fmt_value(fig.value, fig.unit),
                baseline,
                fmt_ratio(fig),
                fig.status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {f.title}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)
