"""Why a load or a save came back empty-handed, sorted so each kind is shown its own way.

A refused permission turns the editor view-only, a conflict opens the
conflict panel, a refused form marks its fields, a lost database raises the
app's banner; anything else is logged by type (never its text, which may
hold typed data) and named on screen without a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from noc_console.errors import (
    ConflictError,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from noc_console.i18n import _
from noc_console.services.escalation.dto import ChainView

log = logging.getLogger(__name__)


class FailureKind(StrEnum):
    DENIED = "denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID = "invalid"
    DATABASE = "database"
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class Failure:
    """A failed call: its kind, a line for the screen, and what a conflict or a refusal carried."""

    kind: FailureKind
    message: str
    current: ChainView | None = None
    """The chain as another operator saved it (conflicts only)."""
    fields: dict[str, list[str]] = field(default_factory=dict)
    """The service's per-field messages (refused forms only)."""


_KINDS: tuple[tuple[type[Exception], FailureKind], ...] = (
    (PermissionDenied, FailureKind.DENIED),
    (NotFound, FailureKind.NOT_FOUND),
    (ConflictError, FailureKind.CONFLICT),
    (ValidationError, FailureKind.INVALID),
    (DatabaseUnavailable, FailureKind.DATABASE),
)


def classify(err: Exception) -> Failure:
    """Sort an exception from the service into a kind and a line for the screen."""
    for error_type, kind in _KINDS:
        if isinstance(err, error_type):
            current = err.current if isinstance(err, ConflictError) else None
            return Failure(
                kind,
                str(err),
                current=current if isinstance(current, ChainView) else None,
                fields=dict(err.fields) if isinstance(err, ValidationError) else {},
            )
    log.error("unexpected error in the escalation editor: %s", type(err).__name__)
    return Failure(
        FailureKind.UNEXPECTED,
        _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__),
    )
