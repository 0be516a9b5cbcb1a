from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, Money, UTCDateTime, utcnow


class ContractStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
        CheckConstraint("monthly_value >= 0", name="monthly_value_non_negative"),
        # SQLite stores integer cents (see Money): refuse a REAL slipped in by raw SQL.
        CheckConstraint("typeof(monthly_value) = 'integer'", name="monthly_value_cents").ddl_if(
            dialect="sqlite"
        ),
        CheckConstraint("length(currency) = 3 AND currency = upper(currency)", name="currency"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        # Keyset pagination: one index per sort order, id as the tie-breaker.
        Index("ix_contracts_customer_number", "customer_id", "number"),
        Index("ix_contracts_customer_service", "customer_id", "service_name", "id"),
        Index("ix_contracts_customer_start", "customer_id", "start_date", "id"),
        Index("ix_contracts_customer_end", "customer_id", "end_date", "id"),
        Index("ix_contracts_customer_value", "customer_id", "monthly_value", "id"),
        # Totals read this index only (status, currency, value), never the rows.
        Index("ix_contracts_totals", "customer_id", "status", "currency", "monthly_value"),
        Index(
            "ix_contracts_number_prefix", "number", postgresql_ops={"number": "text_pattern_ops"}
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    # The old number is loaded before a change: its suffixes (identifier_suffixes) go by it.
    number: Mapped[str] = mapped_column(String(40), unique=True, active_history=True)
    service_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=ContractStatus.ACTIVE.value)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # NULL = open-ended
    monthly_value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="BRL")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
