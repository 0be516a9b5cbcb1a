"""Portal users and the tables of their credentials: history, sessions, reset tokens, policy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from noc_console.models.base import NORM_LENGTH, Base, BigIntPK, UTCDateTime, utcnow
from noc_console.text import fold

PORTAL_USERS_FILLFACTOR = 90
"""PostgreSQL leaves 10 % of each page free so a row rewritten by a login, a lockout or a
reset stays on its page and touches no index (a HOT update; migration 0005)."""


class PortalUser(Base):
    __tablename__ = "portal_users"
    __table_args__ = (
        CheckConstraint("preposto_level BETWEEN 1 AND 3", name="preposto_level"),
        CheckConstraint("login = lower(login)", name="login_lower"),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
        CheckConstraint("language IS NULL OR language IN ('pt_BR', 'en')", name="language"),
        Index("ix_portal_users_customer_id", "customer_id"),
        Index(
            "ix_portal_users_name_norm",
            "name_norm",
            postgresql_ops={"name_norm": "text_pattern_ops"},
        ),
        Index(
            "ix_portal_users_email_norm",
            "email_norm",
            postgresql_ops={"email_norm": "text_pattern_ops"},
        ),
        {"postgresql_with": {"fillfactor": PORTAL_USERS_FILLFACTOR}},
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    login: Mapped[str] = mapped_column(String(120), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    preposto_level: Mapped[int] = mapped_column(Integer, default=3)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id PHC string
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    temp_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    name_norm: Mapped[str] = mapped_column(String(200), default="")
    email_norm: Mapped[str] = mapped_column(String(254), default="")
    # The language of the mail the portal and the NOC send this user; NULL: pt_BR (issue 14).
    language: Mapped[str | None] = mapped_column(String(8))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def portal_user_search_values(full_name: str, email: str) -> dict[str, str]:
    """Search columns for a portal user; bulk loaders call this too."""
    return {"name_norm": fold(full_name)[:NORM_LENGTH], "email_norm": fold(email)[:254]}


@event.listens_for(PortalUser, "before_insert")
@event.listens_for(PortalUser, "before_update")
def _portal_user_search(_mapper: object, _conn: object, target: PortalUser) -> None:
    target.login = target.login.strip().lower()
    for key, value in portal_user_search_values(target.full_name, target.email).items():
        setattr(target, key, value)


class PasswordHistory(Base):
    __tablename__ = "password_history"
    __table_args__ = (Index("ix_password_history_user_created", "portal_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PortalSession(Base):
    __tablename__ = "portal_sessions"
    __table_args__ = (Index("ix_portal_sessions_user_revoked", "portal_user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(64))


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"
    __table_args__ = (Index("ix_password_reset_tokens_user", "portal_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex, never the token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class PasswordPolicy(Base):
    """The one row of rules both the portal and the console enforce (NIST SP 800-63B rev 4)."""

    __tablename__ = "password_policy"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            "min_length >= 8 AND max_length >= 64 AND max_length >= min_length", name="lengths"
        ),
        CheckConstraint(
            "max_resets_per_hour >= 1 AND max_failed_logins >= 1 AND lockout_minutes >= 1"
            " AND history_count >= 0 AND temp_password_ttl_hours >= 1"
            " AND reset_token_ttl_minutes >= 1",
            name="positive_limits",
        ),
        CheckConstraint(
            "escalation_min_delay_minutes >= 1 AND escalation_max_delay_minutes <= 1440"
            " AND escalation_min_delay_minutes <= escalation_max_delay_minutes",
            name="escalation_delays",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    min_length: Mapped[int] = mapped_column(Integer, default=15, server_default=text("15"))
    max_length: Mapped[int] = mapped_column(Integer, default=128, server_default=text("128"))
    require_lower: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    require_upper: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    require_digit: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    require_symbol: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    history_count: Mapped[int] = mapped_column(Integer, default=5, server_default=text("5"))
    max_failed_logins: Mapped[int] = mapped_column(Integer, default=5, server_default=text("5"))
    lockout_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default=text("15"))
    temp_password_ttl_hours: Mapped[int] = mapped_column(
        Integer, default=24, server_default=text("24")
    )
    reset_token_ttl_minutes: Mapped[int] = mapped_column(
        Integer, default=30, server_default=text("30")
    )
    max_resets_per_hour: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    escalation_min_delay_minutes: Mapped[int] = mapped_column(
        Integer, default=1, server_default=text("1")
    )
    escalation_max_delay_minutes: Mapped[int] = mapped_column(
        Integer, default=1440, server_default=text("1440")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
