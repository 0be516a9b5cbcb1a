"""A failed database call of the run screens as one line (never a traceback)."""

from __future__ import annotations

import logging

from noc_console.errors import DatabaseUnavailable, DomainError, ValidationError
from noc_console.i18n import _

log = logging.getLogger(__name__)


def describe(err: BaseException) -> str:
    if isinstance(err, DatabaseUnavailable):
        return _("Database unavailable: {reason}").format(reason=err)
    if isinstance(err, ValidationError) and err.fields:
        return " ".join(m for messages in err.fields.values() for m in messages)
    if isinstance(err, DomainError):
        return str(err)
    log.error("escalation run call failed: %s", type(err).__name__)
    return _("unexpected error ({kind}); see the log file").format(kind=type(err).__name__)
