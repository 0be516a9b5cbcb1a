"""``noc-console operator sync | reset-totp | break-glass | directory-password`` (issue 15).

The identity actions of the ``operator`` group, in a module of their own so
``operator.py`` keeps its account basics: ``sync`` for cron (every directory
operator checked against the directory; the ones it no longer grants are
disabled), a second factor reset for a lost phone, the break-glass flag, and
the directory service account's password, stored in the system keyring.
"""

from __future__ import annotations

import argparse

from noc_console.cli.common import EXIT_OK, CliError, Commands, Run
from noc_console.cli.connecting import connected, require_schema
from noc_console.cli.prompts import ask_password


def register_actions(op_actions: Commands, db_after: argparse.ArgumentParser) -> None:
    """Adds the identity actions to the ``operator`` command."""
    p = op_actions.add_parser(
        "sync",
        parents=[db_after],
        help="disable every directory operator the directory no longer grants (for cron)",
    )
    p.set_defaults(handler=cmd_operator_sync)
    p = op_actions.add_parser(
        "reset-totp",
        parents=[db_after],
        help="remove an operator's second factor (lost phone); they enrol again at sign-in",
    )
    p.add_argument("username", metavar="USERNAME")
    p.set_defaults(handler=cmd_operator_reset_totp)
    p = op_actions.add_parser(
        "break-glass",
        parents=[db_after],
        help='flag a local operator as break-glass ([auth] local = "break-glass")',
    )
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--off", action="store_true", help="remove the flag instead")
    p.set_defaults(handler=cmd_operator_break_glass)
    p = op_actions.add_parser(
        "directory-password",
        help="store the [auth.ldap] service account's password in the system keyring",
    )
    p.set_defaults(handler=cmd_directory_password, logging=True)


def _directory(run: Run) -> object:
    from noc_console.services.directory.client import DirectoryClient, service_password

    ldap = run.settings().auth.ldap
    if ldap is None:
        raise CliError("no [auth.ldap] table in the config file: there is no directory to ask")
    return DirectoryClient(ldap, service_password(ldap))


def cmd_operator_sync(run: Run) -> int:
    from noc_console.clock import SystemClock
    from noc_console.errors import DomainError
    from noc_console.services.context import ServiceContext
    from noc_console.services.directory import accounts
    from noc_console.services.directory.client import DirectoryClient

    client = _directory(run)
    assert isinstance(client, DirectoryClient)
    with connected(run) as engine:
        require_schema(engine)
        ctx = ServiceContext(engine, clock=SystemClock())
        try:
            report = accounts.sync(ctx, client)
        except DomainError as err:
            raise CliError(f"operator sync: nothing changed: {err}") from None
    print(f"{report.checked} directory operators checked")
    for username in report.disabled:
        print(f"disabled: {username}")
    for username in report.enabled:
        print(f"enabled: {username}")
    for username, before, after in report.role_changes:
        print(f"role: {username} {before} -> {after}")
    return EXIT_OK


def cmd_operator_reset_totp(run: Run) -> int:
    from noc_console import db
    from noc_console.clock import SystemClock
    from noc_console.errors import NotFound
    from noc_console.services.totp import factor

    with connected(run) as engine:
        require_schema(engine)
        try:
            with db.session_factory(engine).begin() as session:
                had = factor.reset_in_session(
                    session, run.args.username.strip().lower(), now=SystemClock().now(), by=None
                )
        except NotFound as err:
            raise CliError(str(err)) from None
    state = "removed" if had else "was not set up"
    print(f"second factor of {run.args.username}: {state}; they enrol again at next sign-in")
    return EXIT_OK


def cmd_operator_break_glass(run: Run) -> int:
    from noc_console.clock import SystemClock
    from noc_console.services.context import ServiceContext
    from noc_console.services.operators import set_break_glass

    username = run.args.username.strip().lower()
    flag = not run.args.off
    with connected(run) as engine:
        require_schema(engine)
        set_break_glass(ServiceContext(engine, clock=SystemClock()), username, on=flag)
    print(f"{username}: break-glass {'on' if flag else 'off'}")
    return EXIT_OK


def cmd_directory_password(run: Run) -> int:
    from noc_console import secrets

    ldap = run.settings().auth.ldap
    if ldap is None or ldap.service_dn is None:
        raise CliError("[auth.ldap] service_dn is not set in the config file")
    password = ask_password(f"Password of {ldap.service_dn}: ")
    run.remember(password)
    try:
        secrets.set_secret(ldap.keyring_account, password)
    except secrets.KeyringUnavailable as err:
        raise CliError(
            f"{err}; on a machine without a keyring, set NOC_CONSOLE_LDAP_BIND_PASSWORD"
            " in the environment of the cron job instead"
        ) from None
    print(f"password of {ldap.service_dn} stored in the system keyring")
    return EXIT_OK
