"""``noc-console db``: schema migrations and the database password in the keyring."""

from __future__ import annotations

import argparse
import sys

from noc_console.cli.common import EXIT_DIFFERENCES, EXIT_OK, CliError, Commands, Run, command_group
from noc_console.cli.connecting import connected
from noc_console.cli.prompts import ask_new_password


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``db`` command and its actions."""
    db_actions = command_group(commands, "db", "schema migrations and database credentials")
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
    password = ask_new_password(account)
    run.remember(password)
    try:
        secrets.set_db_password(parsed, password)
    except secrets.KeyringUnavailable as err:
        raise CliError(f"{err}; the password for {account} will be asked at connect time") from None
    print(f"password for {account} stored in the system keyring")
    return EXIT_OK
