"""A worker's failure as words a screen can show: no traceback ever reaches the user.

The list screens (contracts, audit log) run their queries in thread workers;
the exception becomes this plain value there and travels back in a message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from noc_console.errors import DatabaseUnavailable, DomainError, ValidationError
from noc_console.i18n import _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """A worker's failure in words; ``fields`` keeps ValidationError's per-field messages."""

    message: str
    fields: dict[str, list[str]]
    database_down: bool = False


def describe_problem(err: BaseException) -> Problem:
    """Domain errors become their own (translated) words; anything else only its type name."""
    if isinstance(err, ValidationError):
        return Problem(str(err), err.fields)
    if isinstance(err, DatabaseUnavailable):
        return Problem(str(err), {}, database_down=True)
    if isinstance(err, DomainError):
        return Problem(str(err), {})
    log.error("unexpected error in a worker: %s", type(err).__name__)
    return Problem(
        _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__), {}
    )


def problem_words(problem: Problem, *, before: Sequence[str] = ()) -> str:
    """``⚠ <what happened>``, with the retry key when the database is down: one message line."""
    lines = [*before, problem.message]
    if problem.database_down:
        lines.append(_("Press ctrl+r to try again."))
    return "⚠ " + " ".join(lines)
