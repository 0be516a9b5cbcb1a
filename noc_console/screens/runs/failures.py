"""A failed database call of the run screens as one line (never a traceback).

The words come from ``describe_problem``, as on the list screens; only the
shape differs, because the run screens have one error line and no retry key:
the database's reason is prefixed, and a refused input lists its messages
rather than naming its fields.
"""

from __future__ import annotations

from noc_console.i18n import _
from noc_console.screens.problem import describe_problem


def describe(err: BaseException) -> str:
    problem = describe_problem(err)
    if problem.database_down:
        return _("Database unavailable: {reason}").format(reason=problem.message)
    if problem.fields:
        return " ".join(m for messages in problem.fields.values() for m in messages)
    return problem.message
