"""Asking for a password on the terminal: never echoed, never without a terminal."""

from __future__ import annotations

import sys

from noc_console.cli.common import CliError


def interactive() -> bool:
    """Whether there is a terminal to ask on (a script or a pipe never waits for input)."""
    return sys.stdin is not None and sys.stdin.isatty()


def ask_password(prompt: str) -> str:
    """One password typed at ``prompt``; an empty answer is a refusal."""
    import getpass

    if not interactive():
        raise CliError("a password is needed and there is no terminal to ask it on")
    try:
        value = getpass.getpass(prompt)
    except EOFError:
        raise CliError("no password entered") from None
    if not value:
        raise CliError("no password entered")
    return value


def ask_new_password(what: str) -> str:
    """A new password typed twice, so a typo is caught before it is stored."""
    first = ask_password(f"New password for {what}: ")
    again = ask_password("Repeat it: ")
    if first != again:
        raise CliError("the two passwords do not match; nothing was changed")
    return first
