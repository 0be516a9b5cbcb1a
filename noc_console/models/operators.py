from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import Base, BigIntPK, UTCDateTime, utcnow


class Role(StrEnum):
    ANALYST = "analyst"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"


class OperatorSource(StrEnum):
    """Who vouches for the password: the console's own table, or the company directory."""

    LOCAL = "local"
    LDAP = "ldap"


DIRECTORY_PASSWORD = "!directory"  # noqa: S105 - a marker that no password matches
"""``password_hash`` of a directory account: not a PHC string, so no password ever matches it."""


class Operator(Base):
    """NOC staff who log in to the console (not portal users)."""

    __tablename__ = "operators"
    __table_args__ = (
        CheckConstraint("role IN ('analyst', 'operator', 'supervisor')", name="role"),
        CheckConstraint("username = lower(username)", name="username_lower"),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
        CheckConstraint("source IN ('local', 'ldap')", name="source"),
        CheckConstraint(
            "(source = 'ldap' AND directory_dn IS NOT NULL)"
            " OR (source = 'local' AND directory_dn IS NULL)",
            name="directory_dn",
        ),
        CheckConstraint("break_glass = false OR source = 'local'", name="break_glass_local"),
        CheckConstraint(
            "(totp_secret IS NULL AND totp_enrolled_at IS NULL)"
            " OR (totp_secret IS NOT NULL AND totp_enrolled_at IS NOT NULL)",
            name="totp_enrolled",
        ),
        CheckConstraint("totp_last_step IS NULL OR totp_last_step >= 0", name="totp_last_step"),
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
    # Issue 15: where the account comes from, and its second factor.
    source: Mapped[str] = mapped_column(String(8), default=OperatorSource.LOCAL.value)
    email: Mapped[str | None] = mapped_column(String(254))
    directory_dn: Mapped[str | None] = mapped_column(String(1024))
    break_glass: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(512))
    """Encrypted (services/totp/vault.py); never the secret itself."""
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    """The time step of the last accepted code: a code of that step or earlier is a replay."""
