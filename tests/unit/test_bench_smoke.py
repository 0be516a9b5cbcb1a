"""Smoke run of the benchmark suite (issue 5): ``--quick`` on a tiny SQLite dataset.

Why: ``make bench`` is not part of ``make test`` (it needs minutes and a large
dataset), so without this test the benchmark code could rot unnoticed. It
checks the machinery only: the run ends, prints the table, writes the JSON,
and every figure that was measured carries a same-run baseline and a ratio.
It never asserts a target: timings are not tested, they are recorded in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_quick_benchmark_produces_table_and_json(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOC_CONSOLE_")}
    env["PYTHONPATH"] = str(REPO)
    results = tmp_path / "results"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--db",
            "sqlite",
            "--quick",
            "--data-dir",
            str(tmp_path / "data"),
            "--results-dir",
            str(results),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        # About 30 s on an idle 2-core machine; the bound only stops a hung run, and a
        # loaded machine (the whole suite on every core) can take several times that.
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    # The printed table: a header and one line per figure, each with a result.
    assert "| Figure" in proc.stdout
    assert "Baseline (same run)" in proc.stdout

    data = json.loads((results / "sqlite-quick.json").read_text(encoding="utf-8"))
    assert (results / "sqlite-quick.md").exists()
    assert data["backend"] == "sqlite"
    assert data["profile"] == "quick"
    assert data["dataset"]["counts"]["customers"] == 201
    for key in ("nproc", "cpu_model", "python", "sqlite", "date_utc"):
        assert data["machine"][key]

    figures = data["figures"]
    keys = {f["key"] for f in figures}
    # Every group of the suite produced its figures (measured or skipped with a reason).
    for key in (
        "build",
        "lookup.p95",
        "lookup.vs_naive",
        "startup.paint",
        "startup.imports",
        "contracts.view",
        "contracts.next_page",
        "contracts.position",
        "reset.temporary_password",
        "ui.lookup",
        "ui.scroll_rss",
        "ui.scroll_stall",
        "ui.idle_cpu",
        "ui.idle_rss",
        "stand_ins.light_button",
        "stand_ins.text_spinner",
        "stand_ins.line_table_paint",
        "stand_ins.line_table_widths",
        "stand_ins.gc_policy_scroll",
    ):
        assert key in keys, f"{key} missing from {sorted(keys)}"
    for fig in figures:
        assert fig["status"] in ("PASS", "MISS", "INFO", "SKIP"), fig
        assert fig["title"] in proc.stdout
        if fig["status"] == "SKIP":
            assert fig["note"], f"{fig['key']} skipped without saying why"
            continue
        assert fig["value"] is not None, fig
        assert fig["baseline"] is not None and fig["baseline_label"], fig
        assert fig["ratio"] is not None, fig


def test_stand_in_swaps_take_effect() -> None:
    """The stand-in UI figures (full runs only) compare the console with these swaps."""
    code = """
from textual.widgets import DataTable

from benchmarks import stand_in_child, ui_child
from noc_console.widgets.line_table import LineTable

stand_in_child.SWAPS["datatable"]()
assert LineTable._render_cell is DataTable._render_cell
assert LineTable._update_dimensions is DataTable._update_dimensions
stand_in_child.SWAPS["gc-off"]()
assert ui_child.console_app("sqlite://").gc_policy.enabled is False
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOC_CONSOLE_")}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
