"""Console start-up: process start -> login screen painted, against a bare Textual app.

Both are started the same way (``python -c``, same interpreter, same
environment, headless, 120x40), and both exit right after their first paint:
a hook runs ``call_after_refresh`` from the first screen's mount, which fires
once the compositor has refreshed that screen. The child writes the moment
of the paint (``time.monotonic``, a system-wide clock on Linux, so the parent
can subtract its own spawn time), its CPU time so far and the modules loaded
at that moment.

The console is started through ``noc_console.cli.main`` with ``--db URL`` (the
benchmark database), so everything ``noc-console`` does before its first
paint is counted: argument parsing, settings, the password lookup for a
server database, building the app, composing the login screen. Only
``App.run`` is wrapped, to make it headless.

Runs alternate console/bare, after one warm-up of each (cold .pyc and page
cache are not what an operator sees twice a day), and the p50s are compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import Figure, judge, percentile, summary

STARTUP_RATIO_TARGET = 1.3
FORBIDDEN_AT_PAINT = ("alembic", "psycopg")
INFO_MODULES = ("sqlalchemy", "sqlite3", "psycopg2", "argon2", "babel", "phonenumbers")

_HOOK = r"""
import json, sys, time

def _report(path, extra=None):
    painted_at, cpu_s = time.monotonic(), time.process_time()
    data = {"painted_at": painted_at, "cpu_s": cpu_s, "modules": sorted(sys.modules)}
    data.update(extra() if extra is not None else {})
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
"""

_CONSOLE_MAIN = r"""
from noc_console import cli
from noc_console.app import NocApp
from noc_console.screens.login import LoginScreen

_out, _url = sys.argv[1], sys.argv[2]
_run = NocApp.run

def run(self, *args, **kwargs):
    kwargs["headless"] = True
    kwargs.setdefault("size", (120, 40))
    return _run(self, *args, **kwargs)

NocApp.run = run
_mount = LoginScreen.on_mount

def on_mount(self):
    _mount(self)
    def painted():
        _report(_out, lambda: {"widgets": sorted({type(w).__name__ for w in self.walk_children()})})
        self.app.exit()
    self.call_after_refresh(painted)

LoginScreen.on_mount = on_mount
sys.exit(cli.main(["--db", _url]))
"""


def console_child(swap: str = "") -> str:
    """The console's start-up child; ``swap`` is code run before the console is imported
    (``benchmarks.stand_ins`` puts a stock Textual part in place of a console widget)."""
    return _HOOK + swap + _CONSOLE_MAIN


CONSOLE_CHILD = console_child()

BARE_CHILD = (
    _HOOK
    + r"""
from textual.app import App
from textual.widgets import Label

_out = sys.argv[1]

class Bare(App):
    def compose(self):
        yield Label("NOC Console")

    def on_mount(self):
        def painted():
            _report(_out)
            self.exit()
        self.call_after_refresh(painted)

Bare().run(headless=True, size=(120, 40))
"""
)


def child_env(home: Path) -> dict[str, str]:
    """The user's environment minus anything that would change what the console does:
    private XDG folders (no config file, no log of the user's), no NOC_CONSOLE_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOC_CONSOLE_")}
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        env[var] = str(home / sub)
    env.setdefault("TERM", "xterm-256color")
    # Bytecode as on a user's machine: written by the warm-up run, read by the measured
    # ones. A shell with PYTHONDONTWRITEBYTECODE=1 (CI images, this benchmark machine)
    # would make every console start recompile the project (~13 ms) while the bare
    # app's Textual comes precompiled from site-packages. Into the run's own folder, so
    # the checkout stays clean.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


def run_child(code: str, args: list[str], env: dict[str, str], out: Path) -> dict[str, Any]:
    """Start one child, wait for it; its paint time from the parent's spawn, its CPU time."""
    out.unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    ended = time.monotonic()
    if not out.exists():
        raise RuntimeError(
            f"start-up child exited {proc.returncode} without painting:"
            f" {proc.stderr.decode(errors='replace')[-800:]}"
        )
    data = json.loads(out.read_text(encoding="utf-8"))
    return {
        "ms": (data["painted_at"] - started) * 1000,
        "exit_ms": (ended - started) * 1000,
        "cpu_ms": data["cpu_s"] * 1000,
        "modules": data["modules"],
        "widgets": data.get("widgets", []),
        "returncode": proc.returncode,
    }


def bench_startup(
    url: str, runs: int, log: Any, *, warm_up: bool = True
) -> tuple[list[Figure], dict[str, Any]]:
    console: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="noc-bench-startup-") as tmp:
        home = Path(tmp)
        env = child_env(home)
        out = home / "paint.json"
        log(f"  start-up: {runs} console + {runs} bare runs (after one warm-up each)")
        if warm_up:
            run_child(CONSOLE_CHILD, [url], env, out)
            run_child(BARE_CHILD, [], env, out)
        for _ in range(runs):
            console.append(run_child(CONSOLE_CHILD, [url], env, out))
            bare.append(run_child(BARE_CHILD, [], env, out))

    c_ms = [r["ms"] for r in console]
    b_ms = [r["ms"] for r in bare]
    c50, b50 = percentile(c_ms, 50), percentile(b_ms, 50)
    forbidden_roots = sorted(
        {
            mod.split(".")[0]
            for r in console
            for mod in r["modules"]
            if mod.split(".")[0] in FORBIDDEN_AT_PAINT
        }
    )
    runs_with_forbidden = sum(
        1 for r in console if any(m.split(".")[0] in FORBIDDEN_AT_PAINT for m in r["modules"])
    )
    info_loaded = {name: sum(1 for r in console if name in r["modules"]) for name in INFO_MODULES}
    c_mods = percentile([float(len(r["modules"])) for r in console], 50)
    b_mods = percentile([float(len(r["modules"])) for r in bare], 50)
    details = {
        "console_ms": summary(c_ms),
        "bare_ms": summary(b_ms),
        "console_exit_ms": summary([r["exit_ms"] for r in console]),
        "console_returncodes": sorted({r["returncode"] for r in console}),
        "modules_at_paint_console_p50": c_mods,
        "modules_at_paint_bare_p50": b_mods,
        "forbidden_at_paint": forbidden_roots,
        "runs_with_forbidden": runs_with_forbidden,
        "runs": runs,
        "loaded_at_paint_in_n_runs": info_loaded,
        "console_only_modules_sample": sorted(
            {m.split(".")[0] for m in console[-1]["modules"]}
            - {m.split(".")[0] for m in bare[-1]["modules"]}
        ),
    }
    note = (
        "none of " + ", ".join(FORBIDDEN_AT_PAINT) + " loaded at first paint"
        if not forbidden_roots
        else f"{', '.join(forbidden_roots)} loaded before the first paint in"
        f" {runs_with_forbidden}/{runs} runs"
    )
    loaded = [name for name, n in info_loaded.items() if n]
    if loaded:
        note += f"; also loaded at paint: {', '.join(loaded)}"
    figures = [
        Figure(
            key="startup.paint",
            title=f"Start-up to login screen painted, p50 ({runs} runs)",
            target=f"<= {STARTUP_RATIO_TARGET:g}x bare Textual app",
            unit="ms",
            value=c50,
            baseline=b50,
            baseline_label="bare Textual app, 1 label, p50",
            status=judge(c50 <= STARTUP_RATIO_TARGET * b50),
            note=f"p95 console {percentile(c_ms, 95):.0f} ms vs bare {percentile(b_ms, 95):.0f} ms",
        ),
        Figure(
            key="startup.imports",
            title="Modules loaded at first paint",
            target="no Alembic, no DB driver",
            unit="count",
            value=c_mods,
            baseline=b_mods,
            baseline_label="bare Textual app",
            status=judge(not forbidden_roots),
            note=note,
        ),
    ]
    return figures, details
