"""Reset links queued the way the console queues them (the real reset service)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from noc_console.models import NotificationOutbox, PortalUser, Role
from noc_console.services import password_reset
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.password_reset import IdentityChecks, ResetMethod
from tests.support.factories import make_customer, make_operator, make_portal_user

TICKET = "INC-2026-0777"


@dataclass(frozen=True)
class Queued:
    user_id: int
    outbox_id: int
    url: str
    analyst: Principal

    @property
    def token(self) -> str:
        return self.url.rsplit("token=", 1)[1]


def queue_link(
    ctx: ServiceContext,
    *,
    language: str | None = None,
    email: str | None = None,
    analyst: Principal | None = None,
    user_id: int | None = None,
) -> Queued:
    """A reset by link, as the analyst does it in the wizard; the outbox row it queued."""
    with ctx.sessions.begin() as s:
        if analyst is None:
            analyst = make_operator(s, Role.ANALYST)
        if user_id is None:
            customer = make_customer(s, "Transportes Andorinha Ltda")
            user = make_portal_user(s, customer, full_name="Maria Souza", email=email)
            user.language = language
            user_id = user.id
    password_reset.reset(
        ctx,
        analyst,
        user_id,
        ticket_ref=TICKET,
        reason="cliente sem acesso",
        identity_checks=IdentityChecks(name_matches=True, cnpj_confirmed=True),
        method=ResetMethod.RESET_LINK,
    )
    with ctx.sessions() as s:
        row = s.scalars(
            select(NotificationOutbox)
            .where(NotificationOutbox.portal_user_id == user_id)
            .order_by(NotificationOutbox.id.desc())
        ).first()
        assert row is not None
        return Queued(user_id, row.id, str(row.payload["url"]), analyst)


def outbox_row(ctx: ServiceContext, outbox_id: int) -> NotificationOutbox:
    with ctx.sessions() as s:
        return s.get_one(NotificationOutbox, outbox_id)


def user_row(ctx: ServiceContext, user_id: int) -> PortalUser:
    with ctx.sessions() as s:
        return s.get_one(PortalUser, user_id)
