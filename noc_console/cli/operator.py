"""``noc-console operator``: NOC staff accounts, made through the same service as in the console."""

from __future__ import annotations

import argparse

from noc_console.cli import operator_identity
from noc_console.cli.common import EXIT_OK, Commands, Run, command_group
from noc_console.cli.connecting import connected, require_schema
from noc_console.cli.prompts import ask_new_password

ROLES = ("analyst", "operator", "supervisor")


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``operator`` command and its actions."""
    op_actions = command_group(commands, "operator", "NOC staff accounts")
    p = op_actions.add_parser(
        "add", parents=[db_after], help="create an operator (password asked twice)"
    )
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--name", default="", metavar='"Display Name"')
    p.set_defaults(handler=cmd_operator_add)
    p = op_actions.add_parser("list", parents=[db_after], help="list operators")
    p.set_defaults(handler=cmd_operator_list)
    operator_identity.register_actions(op_actions, db_after)


def cmd_operator_add(run: Run) -> int:
    from noc_console import db
    from noc_console.clock import SystemClock
    from noc_console.services.hashing import Hasher
    from noc_console.services.operators import create_operator

    settings = run.settings()
    with connected(run) as engine:
        require_schema(engine)
        password = ask_new_password(f"operator {run.args.username}")
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
        require_schema(engine)
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
