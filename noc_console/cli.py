"""Command-line entry: opens the console, or runs one administrative command and exits.

Start-up time of the plain ``noc-console`` path is benchmarked, so this module
imports only argparse, the config loader and the standard library at import
time; SQLAlchemy, Alembic, rich and Textual are imported inside the functions
that need them.

Every failure a user can cause (bad URL, unreachable server, missing driver,
broken config file, refused input) ends as ONE line on stderr with exit code 2
and the database password masked; no traceback ever reaches the terminal (it
goes to the log file instead).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from noc_console import __version__, config
from noc_console.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from noc_console.demo import DemoReport

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

LANGS = ("pt_BR", "en")
ROLES = ("analyst", "operator", "supervisor")

log = logging.getLogger(__name__)

# Last line of defence for text we did not write ourselves (driver messages):
# anything shaped like the password part of a URL is masked.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")

Handler = Callable[["Run"], int]


class CliError(Exception):
    """A refusal the user can act on: printed as one line, exit code 2."""


@dataclass
class Run:
    """One invocation: its arguments, its settings (loaded once) and the secrets it saw.

    The secrets are remembered only so that any error text can be scrubbed of
    them before it is printed; they are never stored anywhere.
    """

    args: argparse.Namespace
    secrets: list[str] = field(default_factory=list)
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = config.load_settings(
                db_flag=self.args.db,
                demo=self.args.demo,
                lang_flag=self.args.lang,
                read_only_flag=self.args.read_only,
            )
        return self._settings

    def remember(self, secret: str | None) -> None:
        if secret:
            self.secrets.append(secret)

    def scrub(self, text: str) -> str:
        urls = [getattr(self.args, "db", None), getattr(self.args, "url", None)]
        if self._settings is not None:
            urls.append(self._settings.database_url)
        candidates = [*self.secrets, *(p for u in urls if u and (p := _url_password(u)))]
        for secret in sorted(set(candidates), key=len, reverse=True):
            text = text.replace(secret, "***")
        return _URL_PASSWORD.sub(r"\1***@", text)


def _url_password(url: str) -> str | None:
    from noc_console import db

    try:
        return db.parse_url(url).password
    except Exception:  # noqa: BLE001 - an unparsable URL has no password we can find
        return None


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
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

    db_cmd = commands.add_parser("db", help="schema migrations and database credentials")
    db_actions = db_cmd.add_subparsers(title="actions", metavar="ACTION", required=True)
    p = db_actions.add_parser(
        "upgrade", parents=[db_after], help="migrate the database to this version's schema"
    )
    p.set_defaults(handler=cmd_db_upgrade)
    p = db_actions.add_parser(
        "current", parents=[db_after], help="show the database's revision and the code's head"
    )
    p.set_defaults(handler=cmd_db_current)
    p = db_actions.add_parser(
        "check",
        parents=[db_after],
        help="compare the database with the models (exit 1 when they differ)",
    )
    p.set_defaults(handler=cmd_db_check)
    p = db_actions.add_parser(
        "set-password",
        help="store a PostgreSQL password in the system keyring (asked, never echoed)",
    )
    p.add_argument("url", metavar="URL", help="the database URL, without a password")
    p.set_defaults(handler=cmd_db_set_password)

    cfg_cmd = commands.add_parser("config", help="where the console keeps its files")
    cfg_actions = cfg_cmd.add_subparsers(title="actions", metavar="ACTION", required=True)
    p = cfg_actions.add_parser(
        "path", parents=[db_after], help="show every path and the database URL in effect"
    )
    p.set_defaults(handler=cmd_config_path, logging=False)

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

    op_cmd = commands.add_parser("operator", help="NOC staff accounts")
    op_actions = op_cmd.add_subparsers(title="actions", metavar="ACTION", required=True)
    p = op_actions.add_parser(
        "add", parents=[db_after], help="create an operator (password asked twice)"
    )
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--name", default="", metavar='"Display Name"')
    p.set_defaults(handler=cmd_operator_add)
    p = op_actions.add_parser("list", parents=[db_after], help="list operators")
    p.set_defaults(handler=cmd_operator_list)
    return parser


_DB_HELP = (
    "database URL, e.g. postgresql+psycopg://user@host/db (default: NOC_CONSOLE_DATABASE_URL,"
    " then [database] url in the config file, then the embedded demo database)"
)


def _count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
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

            logs.setup_logging(config.app_paths().log_dir)
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
    url = run._settings.database_url if run._settings else getattr(run.args, "db", None)
    if isinstance(err, SQLAlchemyError) and url:
        log.warning("database error: %s", run.scrub(str(err)))
        return [f"noc-console: {db.classify_error(err, url)}"]
    trace = "".join(traceback.format_exception(err))
    log.error("unexpected error\n%s", run.scrub(trace))
    first = (str(err).strip().splitlines() or [""])[0][:200]
    log_file = config.app_paths().log_file
    return [f"noc-console: unexpected error ({type(err).__name__}: {first}); see {log_file}"]


# --------------------------------------------------------------------------- open the console


def cmd_open(run: Run) -> int:
    settings = run.settings()
    if settings.is_embedded:
        state = embedded_state(settings.paths.embedded_db)
        if state == "incomplete":
            raise CliError(_incomplete_demo(settings.paths.embedded_db))
        if state == "new":
            _create_embedded_demo(settings)
        else:
            _upgrade_embedded_if_behind(settings)
    # The console's connect worker reads the keyring itself, after the first paint:
    # reading it here would cost every start SQLAlchemy and keyring on the main thread.
    return _launch(settings, db_password=None)


def _launch(settings: Settings, *, db_password: str | None) -> int:
    """The only place the TUI starts (tests replace it)."""
    from noc_console.app import make_app

    app = make_app(settings, db_password=db_password)
    app.run()
    return int(app.return_code or 0)


# Written by demo.seed_demo as its very last act (demo.DEMO_SEEDED_ACTION; a test keeps
# the two equal): importing demo here would cost every start SQLAlchemy.
DEMO_SEEDED_ACTION = "demo_seeded"

EmbeddedState = Literal["new", "ready", "incomplete"]


def embedded_state(path: Path) -> EmbeddedState:
    """Whether the embedded demo database must be created, is ready, or was left half-made.

    "new": no file, no schema or no customers yet (first run). "incomplete":
    customers but no end-of-seeding marker, i.e. an earlier first run was
    interrupted; opening it would show partial data. Uses the standard sqlite3
    module on purpose: this runs on every start and must not pay for SQLAlchemy
    or Alembic when the demo database is ready.
    """
    import sqlite3

    if not path.exists():
        return "new"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
        try:
            marker = conn.execute(
                "SELECT 1 FROM audit_events WHERE action = ? LIMIT 1", (DEMO_SEEDED_ACTION,)
            ).fetchone()
            customer = conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return "new"  # no schema yet; a file that is no database fails in the migration
    if marker is not None:
        return "ready"
    return "new" if customer is None else "incomplete"


def _upgrade_embedded_if_behind(settings: Settings) -> None:
    """The embedded demo database is ours: bring it to the code's schema by itself.

    Revisions are numbered (0001_, 0002_, ...), so the newest file name is the head;
    reading it and the database's revision with sqlite3 keeps Alembic out of the
    normal start. A database given by URL is never migrated without `db upgrade`.
    """
    import sqlite3

    from noc_console.migrate import MIGRATIONS_DIR

    files = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    head = files[-1].split("_", 1)[0] if files else None
    conn = sqlite3.connect(f"{settings.paths.embedded_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        conn.close()
    if head is None or (row is not None and row[0] == head):
        return
    from noc_console import db, migrate

    print("Updating the demo database to the new schema", file=sys.stderr)
    engine = db.create_db_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def _incomplete_demo(path: Path) -> str:
    return (
        f"the demo database at {path} is incomplete (an earlier first run stopped half-way):"
        " rebuild it with `noc-console --demo demo --force`"
    )


def _create_embedded_demo(settings: Settings) -> None:
    from noc_console import db, demo, migrate

    path = settings.paths.embedded_db
    print(f"First run: creating the demo database at {path}", file=sys.stderr)
    engine = db.create_db_engine(
        settings.database_url, db.EngineOptions(statement_timeout_ms=settings.statement_timeout_ms)
    )
    try:
        migrate.upgrade(engine)
        with _progress_bar() as progress:
            report = demo.seed_demo(engine, demo.DemoOptions(), progress=progress)
    except demo.DatabaseNotEmpty:
        raise CliError(_incomplete_demo(path)) from None
    finally:
        engine.dispose()
    print(f"Demo database ready ({report.customers} customers). Demo logins:", file=sys.stderr)
    _print_logins(report, file=sys.stderr)


# --------------------------------------------------------------------------- connecting


def connect(run: Run) -> Engine:
    """An engine that has connected once, with the password rules of every DB command.

    Order: the URL's own password; else the keyring's; else none at all (trust,
    peer and ~/.pgpass must just work). Only when the server then demands a
    password is one asked for, once, and only on a terminal.
    """
    from noc_console import db, secrets
    from noc_console.errors import DatabaseUnavailable

    settings = run.settings()
    parsed = db.parse_url(settings.database_url)
    options = db.EngineOptions(statement_timeout_ms=settings.statement_timeout_ms)
    stored: str | None = None
    if parsed.get_backend_name() == "postgresql" and not parsed.password:
        stored = secrets.get_db_password(parsed)
        run.remember(stored)
    engine = db.create_db_engine(parsed, options, password=stored)
    try:
        db.check_connection(engine)
        return engine
    except DatabaseUnavailable as err:
        engine.dispose()
        if not err.needs_password or parsed.password:
            raise

    masked = db.mask_url(parsed)
    if not _interactive():
        raise CliError(
            f"the server at {masked} asks for a password and there is no terminal to ask it on;"
            " store it with `noc-console db set-password URL` or in ~/.pgpass"
        )
    if stored:
        print(f"The password stored in the keyring for {masked} was refused.", file=sys.stderr)
    typed = _ask_password(f"Password for {secrets.db_account(parsed)}: ")
    run.remember(typed)
    engine = db.create_db_engine(parsed, options, password=typed)
    try:
        db.check_connection(engine)
    except DatabaseUnavailable:
        engine.dispose()
        raise
    return engine


@contextmanager
def connected(run: Run) -> Iterator[Engine]:
    engine = connect(run)
    try:
        yield engine
    finally:
        engine.dispose()


def _require_schema(engine: Engine) -> None:
    from noc_console import db, migrate

    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current is None:
        raise CliError(
            f"{db.mask_url(engine.url)} has no schema yet: run `noc-console db upgrade` first"
        )
    if current != head:
        raise CliError(
            f"{db.mask_url(engine.url)} is at revision {current}, this version needs {head}:"
            " run `noc-console db upgrade` first"
        )


# --------------------------------------------------------------------------- prompts


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask_password(prompt: str) -> str:
    import getpass

    if not _interactive():
        raise CliError("a password is needed and there is no terminal to ask it on")
    try:
        value = getpass.getpass(prompt)
    except EOFError:
        raise CliError("no password entered") from None
    if not value:
        raise CliError("no password entered")
    return value


def _ask_new_password(what: str) -> str:
    first = _ask_password(f"New password for {what}: ")
    again = _ask_password("Repeat it: ")
    if first != again:
        raise CliError("the two passwords do not match; nothing was changed")
    return first


# --------------------------------------------------------------------------- db


def cmd_db_upgrade(run: Run) -> int:
    from noc_console import db, migrate

    with connected(run) as engine:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        masked = db.mask_url(engine.url)
    if before == after:
        print(f"{masked} is already at revision {after}")
    else:
        print(f"upgraded {masked} from {before or 'none'} to revision {after}")
    return EXIT_OK


def cmd_db_current(run: Run) -> int:
    from noc_console import migrate

    with connected(run) as engine:
        current = migrate.current_revision(engine)
    head = migrate.head_revision()
    print(f"current: {current or 'none'}")
    print(f"head:    {head}")
    if current != head:
        print("the database needs `noc-console db upgrade`", file=sys.stderr)
    return EXIT_OK


def cmd_db_check(run: Run) -> int:
    from noc_console import db, migrate

    with connected(run) as engine:
        diffs = migrate.differences(engine)
        masked = db.mask_url(engine.url)
    head = migrate.head_revision()
    if not diffs:
        print(f"ok: schema matches revision {head}")
        return EXIT_OK
    for line in diffs:
        print(line)
    print(f"{len(diffs)} difference(s) between {masked} and revision {head}", file=sys.stderr)
    return EXIT_DIFFERENCES


def cmd_db_set_password(run: Run) -> int:
    from noc_console import db, secrets

    parsed = db.parse_url(run.args.url)
    masked = db.mask_url(parsed)
    if parsed.get_backend_name() != "postgresql":
        raise CliError(f"only PostgreSQL databases take a password, not {masked}")
    if parsed.password:
        raise CliError(f"give the URL without its password ({masked}); it is asked for instead")
    account = secrets.db_account(parsed)
    unavailable = (
        f"no system keyring is available here, so nothing was stored: the password for"
        f" {account} will be asked at connect time instead"
    )
    if not secrets.keyring_available():
        raise CliError(unavailable)
    password = _ask_new_password(account)
    run.remember(password)
    try:
        secrets.set_db_password(parsed, password)
    except secrets.KeyringUnavailable as err:
        raise CliError(f"{err}; the password for {account} will be asked at connect time") from None
    print(f"password for {account} stored in the system keyring")
    return EXIT_OK


# --------------------------------------------------------------------------- config


def cmd_config_path(run: Run) -> int:
    from noc_console import db

    paths = config.app_paths()
    problem: ConfigError | None = None
    try:
        settings: Settings | None = run.settings()
    except ConfigError as err:
        settings, problem = None, err

    def state(path: Path, missing: str = "not created yet") -> str:
        return f"{path} ({'exists' if path.exists() else missing})"

    rows = [
        ("config file", state(paths.config_file, "not found")),
        ("data dir", state(paths.data_dir)),
        ("log dir", state(paths.log_dir)),
        ("log file", state(paths.log_file)),
        ("embedded database", state(paths.embedded_db)),
    ]
    if settings is None:
        rows.append(("database URL", "unknown: the configuration has an error"))
    else:
        embedded = ", embedded demo database" if settings.is_embedded else ""
        rows.append(
            (
                "database URL",
                f"{db.mask_url(settings.database_url)}"
                f" (source: {settings.database_source}{embedded})",
            )
        )
    width = max(len(name) for name, _ in rows) + 1
    for name, value in rows:
        print(f"{name + ':':<{width}} {value}")
    if problem is not None:
        raise problem
    return EXIT_OK


# --------------------------------------------------------------------------- demo


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
            with _progress_bar() as progress:
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
        _print_logins(report, file=sys.stdout)
    return EXIT_OK


def _print_logins(report: DemoReport, *, file: Any) -> None:
    width = max((len(username) for username, _role, _pw in report.operators), default=0)
    for username, role, password in report.operators:
        print(f"  {role:<11} {username:<{width}}  password: {password}", file=file)


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, fed by the generator's (stage, done, total) callback."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:  # logs and pipes get the summary only
        yield lambda _stage, _done, _total: None
        return
    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update


# --------------------------------------------------------------------------- operators


def cmd_operator_add(run: Run) -> int:
    from noc_console import db
    from noc_console.clock import SystemClock
    from noc_console.services.hashing import Hasher
    from noc_console.services.operators import create_operator

    settings = run.settings()
    with connected(run) as engine:
        _require_schema(engine)
        password = _ask_new_password(f"operator {run.args.username}")
        run.remember(password)
        with db.session_factory(engine).begin() as session:
            info = create_operator(
                session,
                username=run.args.username,
                display_name=run.args.name,
                role=run.args.role,
                password=password,
                hasher=Hasher(settings.argon2),
                clock=SystemClock(),
            )
    print(f"operator {info.username} ({info.role.value}) created")
    return EXIT_OK


def cmd_operator_list(run: Run) -> int:
    from noc_console import db
    from noc_console.clock import SystemClock
    from noc_console.services.operators import list_operators

    with connected(run) as engine:
        _require_schema(engine)
        # Read-only: on SQLite this does not take the write lock.
        with db.read_session_factory(engine).begin() as session:
            operators = list_operators(session)
    if not operators:
        print("no operators yet: add one with `noc-console operator add USERNAME --role ROLE`")
        return EXIT_OK
    now = SystemClock().now()
    rows = [("USERNAME", "NAME", "ROLE", "ACTIVE", "LOCKED")]
    for op in operators:
        locked = (
            f"until {op.locked_until:%Y-%m-%d %H:%M} UTC"
            if op.locked_until is not None and op.locked_until > now
            else "no"
        )
        rows.append(
            (op.username, op.display_name, op.role.value, "yes" if op.is_active else "no", locked)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK
