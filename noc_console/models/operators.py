from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow


class Role(StrEnum):
    ANALYST = "analyst"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"


class Operator(Base):
    """NOC staff who log in to the console (not portal users)."""

    __tablename__ = "operators"
    __table_args__ = (
        CheckConstraint("role IN ('analyst', 'operator', 'supervisor')", name="role"),
        CheckConstraint("username = lower(username)", name="username_lower"),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id PHC string
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
