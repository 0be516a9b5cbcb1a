"""Before writing: refuse options that make no sense, and data a seeding would mix with.

``force`` wipes a SQLite database in place, atomically; on PostgreSQL it is
refused: dropping a server database is the DBA's call.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from noc_console.demo.operators import DEMO_OPERATORS
from noc_console.demo.options import DatabaseNotEmpty, DemoOptions
from noc_console.demo.sqlite_load import wipe_sqlite
from noc_console.models import Customer, Operator


def validate(options: DemoOptions) -> None:
    """Counts are sizes: a negative one is a caller's mistake, said before anything is written."""
    for name in (
        "customers",
        "users_per_customer",
        "contracts_per_customer",
        "heavy_customer_contracts",
        "audit_days",
    ):
        if getattr(options, name) < 0:
            raise ValueError(f"{name} must not be negative")


def ensure_empty(engine: Engine, options: DemoOptions) -> None:
    """Refuse to mix demo rows into a database that holds data; wipe SQLite on force."""
    usernames = [op[0] for op in DEMO_OPERATORS]
    with engine.execution_options(sqlite_begin="DEFERRED").connect() as conn:
        customers = conn.scalar(select(func.count()).select_from(Customer)) or 0
        operators = list(
            conn.scalars(select(Operator.username).where(Operator.username.in_(usernames)))
        )
        conn.rollback()
    if not customers and not operators:
        return
    held = (
        f"{customers:,} customers"
        if customers
        else f"the demo operator(s) {', '.join(sorted(operators))}"
    )
    if not options.force:
        hint = (
            "use an empty database, or pass force (--force) to wipe this SQLite database"
            " and seed it again"
            if engine.dialect.name == "sqlite"
            else "use an empty database (drop and recreate it, then run 'db upgrade')"
        )
        raise DatabaseNotEmpty(f"the database already holds {held}; {hint}")
    if engine.dialect.name != "sqlite":
        raise DatabaseNotEmpty(
            f"the database already holds {held}; force (wipe and reseed) is allowed on SQLite"
            " only: on PostgreSQL drop and recreate the database, run 'db upgrade', then seed"
        )
    wipe_sqlite(engine)
