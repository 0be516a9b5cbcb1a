"""``noc-console mail``: the SMTP password in the system keyring (never in the config file)."""

from __future__ import annotations

import argparse

from noc_console.cli.common import EXIT_OK, CliError, Commands, Run, command_group
from noc_console.cli.prompts import ask_new_password


def register(commands: Commands, db_after: argparse.ArgumentParser) -> None:
    """The ``mail`` command and its actions."""
    actions = command_group(commands, "mail", "the mailer's SMTP credentials")
    p = actions.add_parser(
        "set-password",
        help="store the SMTP password of [mail] username in the system keyring (never echoed)",
    )
    p.set_defaults(handler=cmd_mail_set_password, logging=False)


def cmd_mail_set_password(run: Run) -> int:
    from noc_console import secrets

    mail = run.settings().mail
    if not mail.username:
        raise CliError("[mail] username is not set in the config file: no password to store")
    account = mail.password_account
    if not secrets.keyring_available():
        raise CliError(
            "no system keyring is available here, so nothing was stored: set"
            " NOC_CONSOLE_SMTP_PASSWORD in the mailer's environment instead"
        )
    password = ask_new_password(account)
    run.remember(password)
    try:
        secrets.set_secret(account, password)
    except secrets.KeyringUnavailable as err:
        raise CliError(f"{err}; set NOC_CONSOLE_SMTP_PASSWORD instead") from None
    print(f"SMTP password for {account} stored in the system keyring")
    return EXIT_OK
