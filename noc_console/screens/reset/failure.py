"""A refused or failed service call of the reset wizard, as plain data, and what it means.

Workers hand a ``Failure`` to the UI instead of the exception: a traceback
keeps the service's frames (and their locals, such as a just-generated
password) alive for as long as the exception object lives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from noc_console import errors
from noc_console.i18n import _, format_time
from noc_console.services.password_reset import ResetRateLimited

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """What went wrong, sorted by ``kind``, with the service's per-field messages if any."""

    kind: str  # validation, rate_limited, conflict, permission, not_found, database, other
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    retry_at: datetime | None = None


KINDS: tuple[tuple[type[Exception], str], ...] = (
    (errors.RateLimited, "rate_limited"),
    (errors.ConflictError, "conflict"),
    (errors.PermissionDenied, "permission"),
    (errors.NotFound, "not_found"),
    (errors.DatabaseUnavailable, "database"),
    (errors.DomainError, "other"),
)
"""Each domain error's kind; the first match wins, so the general ``DomainError`` is last."""


def describe_failure(err: BaseException) -> Failure:
    """Sort an exception from a service call into what the wizard shows."""
    if isinstance(err, errors.ValidationError):
        return Failure("validation", str(err), fields=dict(err.fields))
    if isinstance(err, ResetRateLimited):
        return Failure("rate_limited", str(err), retry_at=err.retry_at)
    for kind_of, kind in KINDS:
        if isinstance(err, kind_of):
            return Failure(kind, str(err))
    log.error("unexpected error in the reset wizard: %s", type(err).__name__)
    return Failure(
        "other", _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__)
    )


def reloads_preview(failure: Failure) -> bool:
    """After these the data on screen is stale: the preview is loaded again.

    A rate limit then shows 0 resets left and blocks confirmation; a conflict
    shows what another analyst changed.
    """
    return failure.kind in ("rate_limited", "conflict")


def failure_line(failure: Failure) -> str:
    """The message line for a failure that is not about one field."""
    if failure.kind == "rate_limited":
        text = failure.message
        if failure.retry_at is not None:
            text += " — " + _("in local time: {time}").format(time=format_time(failure.retry_at))
        return text
    if failure.kind == "conflict":
        return failure.message + " " + _("The data below was reloaded: check it and confirm again.")
    return failure.message
