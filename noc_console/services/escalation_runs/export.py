"""The history of a period as CSV: complete or absent, audited, safe to open in a spreadsheet.

Same shape as the contract export (temporary file, audit event, then moved
into place); it holds no secret, only tickets, levels and durations.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

from noc_console.errors import ValidationError
from noc_console.i18n import _
from noc_console.services import audit
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.csv_files import CSV_ENCODING, prepare_target, publish, safe_cell
from noc_console.services.escalation_runs.dto import ExportResult, HistoryRow
from noc_console.services.escalation_runs.history import period_runs

log = logging.getLogger(__name__)

ACTION = "escalation_history_exported"
CSV_COLUMNS = (
    "run_id",
    "customer_id",
    "customer",
    "ticket_ref",
    "state",
    "started_at",
    "started_by",
    "acknowledged_level",
    "seconds_to_acknowledge",
    "attempts",
    "closed_at",
)


def _record(row: HistoryRow) -> list[str]:
    return [
        str(row.id),
        str(row.customer_id),
        safe_cell(row.customer_name),
        safe_cell(row.ticket_ref),
        row.state.value,
        row.started_at.isoformat(),
        safe_cell(row.started_by),
        "" if row.acknowledged_level is None else str(row.acknowledged_level),
        "" if row.seconds_to_acknowledge is None else str(row.seconds_to_acknowledge),
        str(row.attempts_count),
        row.closed_at.isoformat() if row.closed_at else "",
    ]


def export_history_csv(
    ctx: ServiceContext,
    actor: Principal,
    path: Path,
    start: datetime,
    end: datetime,
    *,
    customer_id: int | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Every run started in [start, end) (of one customer, or all) as CSV (RFC 4180, UTF-8 BOM)."""
    rows = period_runs(ctx, actor, start, end, customer_id=customer_id)
    target = prepare_target(path, overwrite)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise ValidationError(
            {"path": [_("cannot write here: {why}").format(why=err.strerror or err)]}
        ) from None
    tmp = Path(tmp_name)
    published = False
    try:
        with os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows(_record(r) for r in rows)
            handle.flush()
            os.fsync(handle.fileno())
        with ctx.sessions.begin() as session:
            audit.record(
                session,
                at=ctx.clock.now(),
                action=ACTION,
                operator_id=actor.operator_id,
                customer_id=customer_id,
                subject=target.name[:200],
                details={"rows": len(rows), "start": start.isoformat(), "end": end.isoformat()},
            )
            session.flush()
            publish(tmp, target, overwrite)
            published = True
    except BaseException as err:
        if published:
            target.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise ValidationError(
                {"path": [_("cannot write here: {why}").format(why=err.strerror or err)]}
            ) from None
        raise
    finally:
        tmp.unlink(missing_ok=True)
    log.info("escalation history exported by %s: %d rows", actor.label, len(rows))
    return ExportResult(path=target, rows=len(rows))
