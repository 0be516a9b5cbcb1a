"""Keyset pages of a customer's contracts, and ``list_contracts`` which serves them.

Pages are keyset pages over the (customer_id, <sort column>, id) indexes, so
a page deep into a very large customer's list costs what the first does.
For a viewer who may not see values the value column is never selected.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from noc_console.models import Contract, ContractStatus
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.contracts.access import authorize, record_values_viewed
from noc_console.services.contracts.cursor import Position, decode_cursor, encode_cursor
from noc_console.services.contracts.dto import (
    MONTHS_PER_YEAR,
    ContractPage,
    ContractRow,
    ContractSort,
    StatusFilter,
)
from noc_console.services.contracts.query import (
    DEFAULT_PAGE_SIZE,
    Query,
    check_page_size,
    require_customer,
    validated_query,
    where,
)

# Flags for contracts about to end, nearest first: (days, bucket).
ENDING_BUCKETS: tuple[int, ...] = (30, 60, 90)

_SORT_COLUMN: dict[ContractSort, InstrumentedAttribute[Any]] = {
    ContractSort.NUMBER: Contract.number,
    ContractSort.SERVICE: Contract.service_name,
    ContractSort.START_DATE: Contract.start_date,
    ContractSort.END_DATE: Contract.end_date,
    ContractSort.VALUE: Contract.monthly_value,
}


def _columns(with_values: bool) -> list[Any]:
    """The value column is only selected for a viewer who may see it."""
    cols: list[Any] = [
        Contract.id,
        Contract.number,
        Contract.service_name,
        Contract.status,
        Contract.start_date,
        Contract.end_date,
        Contract.currency,
    ]
    if with_values:
        cols.append(Contract.monthly_value)
    return cols


def _segments(query: Query, after: Position | None) -> list[list[ColumnElement[bool]]]:
    """The list after ``after`` as consecutive ranges of the (customer_id, sort, id) index.

    Each range is a plain index seek on both backends (equality, then one range
    bound), so a page costs the same wherever it starts. A row-value comparison
    ``(sort, id) > (k, i)`` would be shorter, but SQLite seeks on ``sort > k``
    only and then walks every tie before the cursor. Open-ended contracts (NULL
    end date) come after every dated one ascending and first descending; each
    backend orders NULLs its own way, so they are a range of their own.
    """
    col = _SORT_COLUMN[query.sort]
    nullable = query.sort is ContractSort.END_DATE
    desc = query.descending

    def beyond(left: InstrumentedAttribute[Any], right: Any) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], left < right if desc else left > right)

    if after is None:
        if not nullable:
            return [[]]
        dated: list[ColumnElement[bool]] = [col.is_not(None)]
        undated: list[ColumnElement[bool]] = [col.is_(None)]
        return [undated, dated] if desc else [dated, undated]
    if after.key is None:  # inside the open-ended block
        rest = [[col.is_(None), beyond(Contract.id, after.id)]]
        return [*rest, [col.is_not(None)]] if desc else rest
    bound = literal(after.key, type_=col.type)
    segments: list[list[ColumnElement[bool]]] = []
    if query.sort is not ContractSort.NUMBER:  # numbers are unique: no ties to finish
        segments.append([col == bound, beyond(Contract.id, after.id)])
    segments.append([beyond(col, bound)])  # also excludes NULLs, which compare to nothing
    if nullable and not desc:
        segments.append([col.is_(None)])
    return segments


def _fetch(session: Session, query: Query, after: Position | None, limit: int) -> list[Row[Any]]:
    """Up to ``limit`` rows after ``after`` in the list order, range by range."""
    col = _SORT_COLUMN[query.sort]
    # The number is unique (and its index has no id column): it is a total order alone.
    keys = (col,) if query.sort is ContractSort.NUMBER else (col, Contract.id)
    order = [k.desc() if query.descending else k.asc() for k in keys]
    rows: list[Row[Any]] = []
    for extra in _segments(query, after):
        if len(rows) >= limit:
            break
        stmt = (
            select(*_columns(query.with_values))
            .where(*where(query), *extra)
            .order_by(*order)
            .limit(limit - len(rows))
        )
        rows += session.execute(stmt).all()
    return rows


def _sort_key(query: Query, row: Row[Any]) -> Any:
    return {
        ContractSort.NUMBER: row.number,
        ContractSort.SERVICE: row.service_name,
        ContractSort.START_DATE: row.start_date,
        ContractSort.END_DATE: row.end_date,
        ContractSort.VALUE: row.monthly_value if query.with_values else None,
    }[query.sort]


def _ending_bucket(status: str, days_to_end: int | None) -> int | None:
    if status != ContractStatus.ACTIVE or days_to_end is None or days_to_end < 0:
        return None
    for bucket in ENDING_BUCKETS:
        if days_to_end <= bucket:
            return bucket
    return None


def _to_row(row: Row[Any], with_values: bool, today: date) -> ContractRow:
    days = (row.end_date - today).days if row.end_date is not None else None
    monthly: Decimal | None = row.monthly_value if with_values else None
    return ContractRow(
        id=row.id,
        number=row.number,
        service_name=row.service_name,
        status=ContractStatus(row.status),
        start_date=row.start_date,
        end_date=row.end_date,
        monthly_value=monthly,
        annual_value=None if monthly is None else monthly * MONTHS_PER_YEAR,
        currency=row.currency,
        ends_within_days=_ending_bucket(row.status, days),
        days_to_end=days,
    )


def page(
    session: Session, query: Query, after: Position | None, page_size: int, today: date
) -> tuple[tuple[ContractRow, ...], Position | None]:
    """One page after ``after``, and where the next one starts (None: this was the last)."""
    fetched = _fetch(session, query, after, page_size + 1)
    more = len(fetched) > page_size
    fetched = fetched[:page_size]
    rows = tuple(_to_row(r, query.with_values, today) for r in fetched)
    last = fetched[-1] if more else None
    position = None if last is None else Position(_sort_key(query, last), last.id)
    return rows, position


def list_contracts(
    ctx: ServiceContext,
    viewer: Principal | PortalPrincipal,
    customer_id: int,
    *,
    status: StatusFilter = "all",
    text: str = "",
    sort: ContractSort = ContractSort.NUMBER,
    descending: bool = False,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ContractPage:
    """One page of a customer's contracts; pass ``next_cursor`` back for the next one.

    A first page shown with values is audited ('contract_values_viewed'); the
    pages after it continue the same viewing and are not.
    """
    access = authorize(ctx, viewer, customer_id)
    query = validated_query(access, customer_id, status, text, sort, descending)
    check_page_size(page_size)
    after = None if cursor is None else decode_cursor(query, cursor)
    today = ctx.clock.now().date()
    with ctx.read_sessions() as session:
        require_customer(session, customer_id)
        rows, position = page(session, query, after, page_size, today)
    if access.values_visible and cursor is None:
        record_values_viewed(
            ctx,
            access,
            customer_id,
            {"view": "list", "status": query.status, "sort": query.sort.value, "text": query.text},
        )
    return ContractPage(
        rows=rows,
        next_cursor=None if position is None else encode_cursor(query, position),
        values_visible=access.values_visible,
    )
