"""The supervisors' history as plain data: the period, and the sentences the figures make."""

from __future__ import annotations

from datetime import datetime, timedelta

from noc_console.i18n import _, ngettext
from noc_console.screens.runs.state import clock_text
from noc_console.services.escalation_runs.dto import CustomerStats, HistoryRow

PERIOD_DAYS = (30, 90, 365)


def period(now: datetime, days: int) -> tuple[datetime, datetime]:
    """The last ``days`` days up to now (end exclusive, a second ahead so now is in)."""
    return now - timedelta(days=days), now + timedelta(seconds=1)


def l1_sentence(stats: CustomerStats) -> str:
    """'level 1 answered 3 of 10 times'."""
    return ngettext(
        "level 1 answered {n} of {runs} time",
        "level 1 answered {n} of {runs} times",
        stats.runs,
    ).format(n=stats.acknowledged_at_l1, runs=stats.runs)


def median_text(seconds: int | None) -> str:
    return "—" if seconds is None else clock_text(seconds)


def answered_text(row: HistoryRow) -> str:
    if row.acknowledged_level is None:
        return _("not acknowledged")
    return _("L{level} after {time}").format(
        level=row.acknowledged_level, time=median_text(row.seconds_to_acknowledge)
    )
