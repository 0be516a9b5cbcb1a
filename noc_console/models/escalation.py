from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from noc_console.models.base import NORM_LENGTH, Base, BigIntPK, UTCDateTime, utcnow
from noc_console.text import fold

MAX_LEVEL = 3


class EscalationChain(Base):
    """One per customer; ``version`` makes concurrent editors see each other (optimistic lock)."""

    __tablename__ = "escalation_chains"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(120))

    contacts: Mapped[list[EscalationContact]] = relationship(
        back_populates="chain",
        order_by="EscalationContact.level",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class EscalationContact(Base):
    __tablename__ = "escalation_contacts"
    __table_args__ = (
        UniqueConstraint("chain_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
        CheckConstraint(
            "(level = 1 AND delay_minutes = 0) OR (level > 1 AND delay_minutes BETWEEN 1 AND 1440)",
            name="delay_minutes",
        ),
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_channel"),
        Index(
            "ix_escalation_contacts_name_norm",
            "name_norm",
            postgresql_ops={"name_norm": "text_pattern_ops"},
        ),
        Index(
            "ix_escalation_contacts_phone", "phone", postgresql_ops={"phone": "text_pattern_ops"}
        ),
        Index(
            "ix_escalation_contacts_email_norm",
            "email_norm",
            postgresql_ops={"email_norm": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("escalation_chains.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str | None] = mapped_column(String(120))
    # E.164. The old number is loaded before a change: its suffixes go by it.
    phone: Mapped[str | None] = mapped_column(String(20), active_history=True)
    email: Mapped[str | None] = mapped_column(String(254))
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    name_norm: Mapped[str] = mapped_column(String(200), default="")
    email_norm: Mapped[str | None] = mapped_column(String(254))

    chain: Mapped[EscalationChain] = relationship(back_populates="contacts")


def contact_search_values(name: str, email: str | None) -> dict[str, str | None]:
    return {"name_norm": fold(name)[:NORM_LENGTH], "email_norm": fold(email)[:254] or None}


@event.listens_for(EscalationContact, "before_insert")
@event.listens_for(EscalationContact, "before_update")
def _contact_search(_mapper: object, _conn: object, target: EscalationContact) -> None:
    for key, value in contact_search_values(target.name, target.email).items():
        setattr(target, key, value)
