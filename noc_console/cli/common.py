"""One invocation and its refusals: what every command shares (exit codes, settings, scrubbing).

Every failure a user can cause ends as ONE line on stderr with exit code 2 and
the database password masked; the pieces here are what makes that possible
without any command repeating it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from noc_console import config
from noc_console.config import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The ``commands`` subparsers each command group adds its parser to."""

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

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
        """The settings of this invocation, loaded on first use (flags > env > file)."""
        if self._settings is None:
            self._settings = config.load_settings(
                db_flag=self.args.db,
                demo=self.args.demo,
                lang_flag=self.args.lang,
                read_only_flag=self.args.read_only,
            )
        return self._settings

    @property
    def loaded_settings(self) -> Settings | None:
        """The settings if a command loaded them; an error report must not load them itself."""
        return self._settings

    def remember(self, secret: str | None) -> None:
        """Keep a secret this run saw, so that no error text can print it."""
        if secret:
            self.secrets.append(secret)

    def scrub(self, text: str) -> str:
        """``text`` with every secret and URL password of this run masked."""
        urls = [getattr(self.args, "db", None), getattr(self.args, "url", None)]
        if self._settings is not None:
            urls.append(self._settings.database_url)
        candidates = [*self.secrets, *(p for u in urls if u and (p := _url_password(u)))]
        for secret in sorted(set(candidates), key=len, reverse=True):
            text = text.replace(secret, "***")
        return _URL_PASSWORD.sub(r"\1***@", text)


def command_group(commands: Commands, name: str, help_text: str) -> Commands:
    """A command made of actions (``db upgrade``, ``operator add``): where its actions go."""
    group = commands.add_parser(name, help=help_text)
    return group.add_subparsers(title="actions", metavar="ACTION", required=True)


def _url_password(url: str) -> str | None:
    from noc_console import db

    try:
        return db.parse_url(url).password
    except Exception:  # noqa: BLE001 - an unparsable URL has no password we can find
        return None
