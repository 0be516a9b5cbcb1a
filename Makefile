# Two commands matter: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: demo test lint contract typecheck pytest bench bench-pg bench-scale bench-smoke clean snapshots-update help docs

help:
	@echo "make demo   - set up and open the console on the embedded demo database"
	@echo "make test   - set up and run the whole suite (ruff, import contract, pytest)"
	@echo "make bench  - run the benchmarks (builds the large dataset on first run)"
	@echo "make bench-pg - the same on the PostgreSQL named by NOC_CONSOLE_BENCH_POSTGRES_URL"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/noc-console --demo

lint: $(TSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

contract: $(TSTAMP)
	$(BIN)/lint-imports

# One worker per core plus one; each worker gets its own databases (see tests/conftest.py).
# The extra worker fills the time the others spend waiting (PostgreSQL, subprocesses, pilot
# pauses): on the 2-core CI machine the suite took 5:06 at -n 2 and 3:30 at -n 3.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
PYTEST_ARGS ?= -n $(PYTEST_WORKERS)

pytest: $(TSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

typecheck: $(TSTAMP)
	$(BIN)/mypy noc_console

test: lint contract typecheck pytest

snapshots-update: $(TSTAMP)
	$(BIN)/python -m pytest tests/ui --snapshot-update

bench: $(TSTAMP)
	$(BIN)/python -m benchmarks.run --db sqlite $(BENCH_ARGS)

# Needs NOC_CONSOLE_BENCH_POSTGRES_URL (the database is created if missing).
bench-pg: $(TSTAMP)
	$(BIN)/python -m benchmarks.run --db postgresql $(BENCH_ARGS)

# Issue 16: lookup p50/p95/p99 at 0.1 M, 1 M and 5 M portal users, on SQLite and (with
# NOC_CONSOLE_BENCH_POSTGRES_URL) PostgreSQL; builds the missing datasets (the 5 M ones
# take long). BENCH_SCALE_ARGS=--quick runs the same on 2,000 and 10,000 users.
bench-scale: $(TSTAMP)
	$(BIN)/python -m benchmarks.scale --db sqlite $(BENCH_SCALE_ARGS)
	@if [ -n "$$NOC_CONSOLE_BENCH_POSTGRES_URL" ]; then \
		$(BIN)/python -m benchmarks.scale --db postgresql $(BENCH_SCALE_ARGS); \
	else echo "PostgreSQL: not run (set NOC_CONSOLE_BENCH_POSTGRES_URL)"; fi

bench-smoke: $(TSTAMP)
	$(BIN)/python -m benchmarks.run --db sqlite --quick --results-dir benchmarks/data/results-quick

# README screenshots are the snapshot tests' SVGs (Textual's own export): refresh after changes.
docs: $(TSTAMP)
	$(BIN)/python -m pytest tests/ui/test_snapshots_lookup.py tests/ui/test_snapshots_escalation.py -q
	cp tests/ui/__snapshots__/test_snapshots_lookup/test_lookup_with_results_en.svg docs/lookup.svg
	cp tests/ui/__snapshots__/test_snapshots_escalation/test_escalation_editor_with_timeline_pt_br.svg docs/escalation.svg
	$(BIN)/python -m pytest tests/ui/test_snapshots_runs.py -q
	cp tests/ui/__snapshots__/test_snapshots_runs/test_board_due_overdue_acknowledged_pt_br.svg docs/board.svg

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
