"""``noc-console demo``: migrate a database and fill it with demo data."""

from __future__ import annotations

import argparse
import sys

from noc_console.cli.common import EXIT_OK, CliError, Commands, Run
from noc_console.cli.connecting import connected
from noc_console.cli.seeding import print_logins, progress_bar


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``demo`` command: its sizes default to the embedded demo database's."""
    p = commands.add_parser(
        "demo", parents=[db_after], help="migrate a database and fill it with demo data"
    )
    p.add_argument("--customers", type=_count, metavar="N")
    p.add_argument("--users-per-customer", type=_count, metavar="N")
    p.add_argument("--contracts-per-customer", type=_count, metavar="N")
    p.add_argument("--heavy-customer-contracts", type=_count, metavar="N")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (same seed, same data)")
    p.add_argument(
        "--force",
        action="store_true",
        help="SQLite only: wipe a database that already holds data and seed it again",
    )
    p.set_defaults(handler=cmd_demo)


def _count(raw: str) -> int:
    """argparse type of a size: a whole number, zero or more."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def cmd_demo(run: Run) -> int:
    from noc_console import db, demo, migrate

    given = {
        name: getattr(run.args, name)
        for name in (
            "customers",
            "users_per_customer",
            "contracts_per_customer",
            "heavy_customer_contracts",
            "seed",
        )
        if getattr(run.args, name) is not None
    }
    options = demo.DemoOptions(**given, force=run.args.force)
    with connected(run) as engine:
        masked = db.mask_url(engine.url)
        migrate.upgrade(engine)
        try:
            with progress_bar() as progress:
                report = demo.seed_demo(engine, options, progress=progress)
        except demo.DatabaseNotEmpty as err:
            raise CliError(f"not seeding {masked}: {err or 'it already holds data'}") from None
        from noc_console.services.demo_marker import is_demo_database

        with db.read_session_factory(engine).begin() as session:
            show_logins = is_demo_database(session)

    print(f"demo data written to {masked} in {report.seconds:.1f} s:")
    for label, value in (
        ("customers", report.customers),
        ("portal users", report.portal_users),
        ("contracts", report.contracts),
        ("escalation chains", report.escalation_chains),
        ("escalation contacts", report.escalation_contacts),
        ("audit events", report.audit_events),
    ):
        print(f"  {label:<20} {value:>8}")
    if show_logins:
        print("demo logins (demo database only; never reuse these passwords):")
        print_logins(report, file=sys.stdout)
    return EXIT_OK
