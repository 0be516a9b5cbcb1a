from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import NORM_LENGTH, Base, BigIntPK, UTCDateTime, utcnow
from noc_console.text import fold

DEFAULT_TIMEZONE = "America/Sao_Paulo"


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended', 'closed')", name="status"),
        CheckConstraint("length(cnpj) = 14", name="cnpj_length"),
        # Digits only; check digits are validated by the service (python-stdnum).
        CheckConstraint("cnpj NOT GLOB '*[^0-9]*'", name="cnpj_digits").ddl_if(dialect="sqlite"),
        CheckConstraint("cnpj ~ '^[0-9]{14}$'", name="cnpj_digits").ddl_if(dialect="postgresql"),
        Index(
            "ix_customers_name_norm", "name_norm", postgresql_ops={"name_norm": "text_pattern_ops"}
        ),
        Index(
            "ix_customers_trade_name_norm",
            "trade_name_norm",
            postgresql_ops={"trade_name_norm": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    trade_name: Mapped[str | None] = mapped_column(String(200))
    # The old CNPJ is loaded before a change: its suffixes (identifier_suffixes) go by it.
    cnpj: Mapped[str] = mapped_column(String(14), unique=True, active_history=True)
    status: Mapped[str] = mapped_column(String(16), default=CustomerStatus.ACTIVE.value)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Search columns: folded copies kept in step on every ORM write (see below).
    name_norm: Mapped[str] = mapped_column(String(200), default="")
    trade_name_norm: Mapped[str] = mapped_column(String(200), default="")


def customer_search_values(legal_name: str, trade_name: str | None) -> dict[str, str]:
    """Search columns for a customer; bulk loaders call this too."""
    return {
        "name_norm": fold(legal_name)[:NORM_LENGTH],
        "trade_name_norm": fold(trade_name)[:NORM_LENGTH],
    }


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _customer_search(_mapper: object, _conn: object, target: Customer) -> None:
    for key, value in customer_search_values(target.legal_name, target.trade_name).items():
        setattr(target, key, value)
