"""The seeding entry: plan, load, history, then the marker that says the demo is complete."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from noc_console.clock import Clock, SystemClock
from noc_console.demo.bulk import next_ids, sync_sequences
from noc_console.demo.escalation_runs import seed_runs
from noc_console.demo.guards import ensure_empty, validate
from noc_console.demo.history import plan_audit
from noc_console.demo.history_writer import write_audit
from noc_console.demo.load import load_data
from noc_console.demo.name_words import add_derived_words
from noc_console.demo.operators import DEMO_OPERATORS
from noc_console.demo.options import DemoOptions, DemoReport, Progress
from noc_console.demo.plan import plan_customers
from noc_console.demo.portal_users import password_pool
from noc_console.demo.sqlite_load import bulk_load_mode
from noc_console.demo.tally import TableTally
from noc_console.services import audit
from noc_console.services.demo_marker import DEMO_SEEDED_ACTION
from noc_console.services.hashing import Hasher

# The tally's tables that the report names (sessions are not worth a line).
REPORTED = (
    "customers",
    "portal_users",
    "contracts",
    "escalation_chains",
    "escalation_contacts",
    "audit_events",
)


def seed_demo(
    engine: Engine,
    options: DemoOptions = DemoOptions(),  # noqa: B008 - frozen, so a shared default is safe
    *,
    clock: Clock | None = None,
    hasher: Hasher | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Fill an already-migrated, empty database with demo data and return what was written.

    Raises DatabaseNotEmpty when customers (or the demo operators) already exist,
    unless ``options.force`` is set and the database is SQLite, in which case it
    is wiped first (see ``sqlite_load.wipe_sqlite``).
    """
    validate(options)
    started = time.perf_counter()
    clock = clock or SystemClock()
    hasher = hasher or Hasher()
    report_progress: Progress = progress or (lambda _stage, _done, _total: None)
    now = clock.now()
    if now.tzinfo is None:
        raise ValueError("the clock must return an aware datetime")
    now = now.astimezone(UTC)

    ensure_empty(engine, options)
    counts = TableTally()
    with engine.connect() as conn:
        with bulk_load_mode(conn, report_progress):
            ids = next_ids(conn)
            pool = password_pool(hasher)
            plans = plan_customers(options, now, ids.customers)
            history = plan_audit(options, now, plans)
            operator_ids = load_data(
                conn, options, now, hasher, pool, plans, history, ids, counts, report_progress
            )
            write_audit(conn, history, operator_ids, ids, counts, report_progress)
            with conn.begin():
                add_derived_words(conn)
        sync_sequences(conn)
        seed_runs(conn, now)  # escalation runs (issue 13), after the bulk load
        # Last of all, once the search index and the sequences are right too: its
        # presence is what "this is a complete demo database" means.
        with conn.begin():
            session = Session(bind=conn)
            try:
                audit.record(
                    session,
                    at=now,
                    action=DEMO_SEEDED_ACTION,
                    subject="demo",
                    details=asdict(options),
                )
                session.flush()
            finally:
                session.close()
        counts.audit_events += 1
    return DemoReport(
        **{table: getattr(counts, table) for table in REPORTED},
        operators=tuple((user, role, password) for user, _name, role, password in DEMO_OPERATORS),
        seconds=time.perf_counter() - started,
    )
