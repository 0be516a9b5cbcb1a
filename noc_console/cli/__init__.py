"""Command-line entry: opens the console, or runs one administrative command and exits.

Start-up time of the plain ``noc-console`` path is benchmarked, so this package
imports only argparse, the config loader and the standard library at import
time; SQLAlchemy, Alembic, rich and Textual are imported inside the functions
that need them.

Every failure a user can cause (bad URL, unreachable server, missing driver,
broken config file, refused input) ends as ONE line on stderr with exit code 2
and the database password masked; no traceback ever reaches the terminal (it
goes to the log file instead).

One module per command group (``db``, ``config``, ``demo``, ``operator``), each
with a ``register`` that adds its parser; a new group is a new module and one
line in ``build_parser``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from noc_console import __version__
from noc_console import config as app_config
from noc_console.cli import config as config_command
from noc_console.cli import db as db_command
from noc_console.cli import demo as demo_command
from noc_console.cli import operator as operator_command
from noc_console.cli.common import (
    EXIT_DIFFERENCES,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CliError,
    Handler,
    Run,
)
from noc_console.cli.console import cmd_open
from noc_console.config import ConfigError

__all__ = [
    "EXIT_DIFFERENCES",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "CliError",
    "Run",
    "build_parser",
    "main",
]

LANGS = ("pt_BR", "en")

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the global options, then each command group's parser."""
    # --db is accepted before or after the subcommand: the subcommand's copy
    # defaults to SUPPRESS so it only overrides the global one when given.
    db_after = argparse.ArgumentParser(add_help=False)
    db_after.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=_DB_HELP)

    parser = argparse.ArgumentParser(
        prog="noc-console",
        description="The NOC's terminal console over the customer Service Portal database.",
        epilog="Without a command, opens the console. Exit codes: 0 ok, 1 `db check` found "
        "differences, 2 usage, configuration, database or validation error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", metavar="URL", default=None, help=_DB_HELP)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the embedded demo database (created and filled on first use)",
    )
    parser.add_argument("--lang", choices=LANGS, default=None, help="interface language")
    parser.add_argument(
        "--read-only", action="store_true", help="open the console without any write action"
    )
    parser.set_defaults(handler=cmd_open, logging=True)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in (db_command, config_command, demo_command, operator_command):
        command.register(commands, db_after)
    from noc_console.cli import mail, mailer, portal  # the outbox mailer and its helpers

    for group in (mailer, mail, portal):
        group.register(commands, db_after)
    return parser


_DB_HELP = (
    "database URL, e.g. postgresql+psycopg://user@host/db (default: NOC_CONSOLE_DATABASE_URL,"
    " then [database] url in the config file, then the embedded demo database)"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one invocation and return its exit code; a failure is printed, never raised."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help/--version (0) or a usage error (2), already printed
        return stop.code if isinstance(stop.code, int) else EXIT_ERROR
    if args.demo and args.db:
        print(
            "noc-console: --demo uses the embedded demo database; do not combine it with --db",
            file=sys.stderr,
        )
        return EXIT_ERROR

    run = Run(args)
    handler: Handler = args.handler
    try:
        if args.logging:
            from noc_console import logs

            logs.setup_logging(app_config.app_paths().log_dir)
        return handler(run)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - turned into one line; the traceback goes to the log
        for line in _error_lines(run, err):
            print(run.scrub(line), file=sys.stderr)
        return EXIT_ERROR


def _error_lines(run: Run, err: Exception) -> list[str]:
    """What to tell the user about ``err``: one line, except one per validation message."""
    from sqlalchemy.exc import SQLAlchemyError

    from noc_console import db
    from noc_console.errors import DomainError, ValidationError

    if isinstance(err, CliError | ConfigError):
        return [f"noc-console: {err}"]
    if isinstance(err, ValidationError):
        if not err.fields:
            return [f"noc-console: {err}"]
        return [f"noc-console: {name}: {msg}" for name, msgs in err.fields.items() for msg in msgs]
    if isinstance(err, DomainError):
        return [f"noc-console: {err}"]
    if isinstance(err, OSError) and err.strerror:  # a folder we cannot create or write
        where = f": {err.filename}" if err.filename else ""
        return [f"noc-console: {err.strerror}{where}"]
    loaded = run.loaded_settings
    url = loaded.database_url if loaded else getattr(run.args, "db", None)
    if isinstance(err, SQLAlchemyError) and url:
        log.warning("database error: %s", run.scrub(str(err)))
        return [f"noc-console: {db.classify_error(err, url)}"]
    trace = "".join(traceback.format_exception(err))
    log.error("unexpected error\n%s", run.scrub(trace))
    first = (str(err).strip().splitlines() or [""])[0][:200]
    log_file = app_config.app_paths().log_file
    return [f"noc-console: unexpected error ({type(err).__name__}: {first}); see {log_file}"]
