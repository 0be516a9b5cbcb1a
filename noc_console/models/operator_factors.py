"""Recovery codes of the operators' second factor (issue 15): argon2 hashes, each used once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow


class OperatorRecoveryCode(Base):
    """One single-use recovery code; ``used_at`` set means spent (rows are kept as a record)."""

    __tablename__ = "operator_recovery_codes"
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
