"""The contract list as a CSV file: complete or absent, and without values unless allowed.

Without the right to see values the value columns are absent from the file
(not blanked), so it stays machine-readable and holds no amount at all.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from noc_console.i18n import _
from noc_console.services import audit
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.contracts.access import authorize
from noc_console.services.contracts.cursor import Position
from noc_console.services.contracts.dto import ContractRow, ContractSort, StatusFilter
from noc_console.services.contracts.paging import page
from noc_console.services.contracts.query import Query, require_customer, validated_query
from noc_console.services.csv_files import (
    CSV_ENCODING,
    path_error,
    prepare_target,
    publish,
    safe_cell,
)

log = logging.getLogger(__name__)

EXPORT_PAGE_SIZE = 500
CSV_COLUMNS: tuple[str, ...] = (
    "number",
    "service_name",
    "status",
    "start_date",
    "end_date",
    "currency",
    "days_to_end",
    "ends_within_days",
)
CSV_VALUE_COLUMNS: tuple[str, ...] = ("monthly_value", "annual_value")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    values_included: bool


def _csv_record(row: ContractRow, with_values: bool) -> list[str]:
    record = [
        safe_cell(row.number),
        safe_cell(row.service_name),
        row.status.value,
        row.start_date.isoformat(),
        row.end_date.isoformat() if row.end_date else "",
        row.currency,
        "" if row.days_to_end is None else str(row.days_to_end),
        "" if row.ends_within_days is None else str(row.ends_within_days),
    ]
    if with_values:
        record += [
            "" if row.monthly_value is None else f"{row.monthly_value:f}",
            "" if row.annual_value is None else f"{row.annual_value:f}",
        ]
    return record


def _iter_pages(
    ctx: ServiceContext, query: Query, today: date
) -> Iterator[tuple[ContractRow, ...]]:
    """Every contract of the list, one keyset page at a time (never all rows in memory)."""
    after: Position | None = None
    with ctx.read_sessions() as session:
        require_customer(session, query.customer_id)
        while True:
            rows, after = page(session, query, after, EXPORT_PAGE_SIZE, today)
            if rows:
                yield rows
            if after is None:
                return


def export_csv(
    ctx: ServiceContext,
    viewer: Principal | PortalPrincipal,
    customer_id: int,
    path: Path,
    *,
    status: StatusFilter = "all",
    text: str = "",
    sort: ContractSort = ContractSort.NUMBER,
    descending: bool = False,
    overwrite: bool = False,
) -> ExportResult:
    """Write the list as CSV (RFC 4180, comma, UTF-8 with BOM, ISO dates, '.' decimals).

    Without the right to see values the value columns are absent from the file
    (not blanked), so it stays machine-readable and holds no amount at all.
    The file appears complete or not at all: it is written beside the target
    under a temporary name and moved into place only after the audit event is
    recorded.
    """
    access = authorize(ctx, viewer, customer_id)
    query = validated_query(access, customer_id, status, text, sort, descending)
    target = prepare_target(path, overwrite)
    today = ctx.clock.now().date()
    header = CSV_COLUMNS + (CSV_VALUE_COLUMNS if query.with_values else ())
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise path_error(_("cannot write here: {why}").format(why=err.strerror or err)) from None
    tmp = Path(tmp_name)
    count = 0
    published = False
    try:
        with os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            for rows in _iter_pages(ctx, query, today):
                writer.writerows(_csv_record(r, query.with_values) for r in rows)
                count += len(rows)
            handle.flush()
            os.fsync(handle.fileno())
        with ctx.sessions.begin() as session:
            audit.record(
                session,
                at=ctx.clock.now(),
                action="contracts_exported",
                customer_id=customer_id,
                subject=target.name[:200],
                details={
                    "rows": count,
                    "values_included": query.with_values,
                    "status": query.status,
                    "sort": query.sort.value,
                    "text": query.text,
                },
                **access.actor(),
            )
            session.flush()
            publish(tmp, target, overwrite)
            published = True
    except BaseException as err:
        if published:  # the audit event did not commit: no unaudited file may remain
            target.unlink(missing_ok=True)
        if isinstance(err, OSError):
            why = err.strerror or err
            raise path_error(_("cannot write here: {why}").format(why=why)) from None
        raise
    finally:
        tmp.unlink(missing_ok=True)
    log.info(
        "contracts of customer %s exported by %s: %d rows, values %s",
        customer_id,
        viewer.label,
        count,
        "included" if query.with_values else "omitted",
    )
    return ExportResult(path=target, rows=count, values_included=query.with_values)
