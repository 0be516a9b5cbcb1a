"""Escalation runs ("acionamentos"): the NOC works an incident through the customer's chain.

One idea per module: ``dto`` (frozen views), ``schedule`` (due times: the
editor's timeline from the run's anchor; pure), ``start``, ``attempts``,
``transitions`` (acknowledge, escalate now, resolve, cancel), ``queries``
(board, one run), ``presence`` (who is calling), ``history`` and ``export``
(supervisors), ``changes`` (hearing of changes from other consoles).
"""

from noc_console.services.escalation_runs.attempts import record_attempt
from noc_console.services.escalation_runs.dto import (
    AttemptView,
    BoardView,
    CustomerStats,
    ExportResult,
    HistoryRow,
    Outcome,
    RunDetail,
    RunState,
    RunSummary,
    StartResult,
)
from noc_console.services.escalation_runs.export import export_history_csv
from noc_console.services.escalation_runs.history import (
    customer_history,
    period_runs,
    period_stats,
    summarize,
)
from noc_console.services.escalation_runs.presence import set_working, working_now
from noc_console.services.escalation_runs.queries import board, run_detail
from noc_console.services.escalation_runs.schedule import Position, Stage, position, run_schedule
from noc_console.services.escalation_runs.start import open_runs_for, start_run
from noc_console.services.escalation_runs.transitions import (
    acknowledge,
    cancel,
    escalate_now,
    resolve,
)

__all__ = [
    "AttemptView",
    "BoardView",
    "CustomerStats",
    "ExportResult",
    "HistoryRow",
    "Outcome",
    "Position",
    "RunDetail",
    "RunState",
    "RunSummary",
    "Stage",
    "StartResult",
    "acknowledge",
    "board",
    "cancel",
    "customer_history",
    "escalate_now",
    "export_history_csv",
    "open_runs_for",
    "period_runs",
    "period_stats",
    "position",
    "record_attempt",
    "resolve",
    "run_detail",
    "run_schedule",
    "set_working",
    "start_run",
    "summarize",
    "working_now",
]
