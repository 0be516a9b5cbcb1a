"""The totals under the contract list: what the browser's totals panel shows.

Computed by the database (aggregates), never by adding up pages, so they are
right for a customer whose rows are never all loaded at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce

from noc_console.models import Contract, ContractStatus, Money
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.contracts.access import authorize, record_values_viewed
from noc_console.services.contracts.dto import (
    MONTHS_PER_YEAR,
    ContractSort,
    ContractTotals,
    StatusFilter,
    TotalLine,
)
from noc_console.services.contracts.query import require_customer, validated_query, where


def contract_totals(
    ctx: ServiceContext,
    viewer: Principal | PortalPrincipal,
    customer_id: int,
    *,
    status: StatusFilter = "all",
    text: str = "",
) -> ContractTotals:
    """Count and monthly/annual totals per status and currency, by SQL aggregates only.

    Sums are exact: Money makes SUM integer cents on SQLite and NUMERIC on
    PostgreSQL, both read back as Decimal. Without the right to see values only
    the counts are computed; the value column is not read at all.
    """
    access = authorize(ctx, viewer, customer_id)
    query = validated_query(access, customer_id, status, text, ContractSort.NUMBER, False)
    # count(*): PostgreSQL answers from ix_contracts_totals alone (no heap visit for id).
    cols: list[Any] = [Contract.status, Contract.currency, func.count()]
    if access.values_visible:
        cols.append(type_coerce(func.sum(Contract.monthly_value), Money()))
    stmt = (
        select(*cols)
        .where(*where(query))
        .group_by(Contract.status, Contract.currency)
        .order_by(Contract.status, Contract.currency)
    )
    with ctx.read_sessions() as session:
        require_customer(session, customer_id)
        result = session.execute(stmt).all()
    lines: list[TotalLine] = []
    for row in result:
        monthly: Decimal | None = row[3] if access.values_visible else None
        if access.values_visible and monthly is None:
            monthly = Decimal("0.00")
        lines.append(
            TotalLine(
                status=ContractStatus(row[0]),
                currency=row[1],
                count=int(row[2]),
                monthly=monthly,
                annual=None if monthly is None else monthly * MONTHS_PER_YEAR,
            )
        )
    if access.values_visible:
        record_values_viewed(
            ctx, access, customer_id, {"view": "totals", "status": query.status, "text": query.text}
        )
    return ContractTotals(lines=tuple(lines), values_visible=access.values_visible)
