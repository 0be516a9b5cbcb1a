"""The customer detail behind a lookup hit: the customer, its users, its chain, its contracts.

One read, one permission check, frozen DTOs: the customer view shows what a
caller needs to be helped (who the portal users are and what state their
accounts are in, who is called at each escalation level) and only counts the
contracts, whose values need another permission.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noc_console.errors import NotFound
from noc_console.i18n import _
from noc_console.models import (
    Contract,
    ContractStatus,
    Customer,
    EscalationChain,
    EscalationContact,
    PortalUser,
)
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation.dto import Contact
from noc_console.services.frozen import freeze
from noc_console.services.permissions import Permission
from noc_console.text import format_cnpj

log = logging.getLogger(__name__)

_MAX_DB_ID = 2**63 - 1


class UserState(StrEnum):
    INACTIVE = "inactive"
    LOCKED = "locked"
    TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a state name
    TEMPORARY_EXPIRED = "temporary_expired"
    MUST_CHANGE = "must_change"
    ACTIVE = "active"


@dataclass(frozen=True)
class PortalUserInfo:
    id: int
    full_name: str
    login: str
    email: str
    phone: str | None
    preposto_level: int
    is_active: bool
    locked_until: datetime | None
    must_change_password: bool
    temp_password_expires_at: datetime | None
    password_changed_at: datetime | None
    failed_login_count: int
    version: int
    state: UserState


@dataclass(frozen=True)
class EscalationSummary:
    version: int
    updated_at: datetime
    updated_by: str | None
    levels: tuple[Contact, ...]


@dataclass(frozen=True)
class ContractCounts:
    """How many contracts, never what they are worth (values need another permission)."""

    active: int
    inactive: int

    @property
    def total(self) -> int:
        return self.active + self.inactive


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    legal_name: str
    trade_name: str | None
    cnpj: str
    cnpj_formatted: str
    status: str
    timezone: str
    created_at: datetime
    users: tuple[PortalUserInfo, ...]
    escalation: EscalationSummary | None
    contracts: ContractCounts


def user_state(
    *,
    is_active: bool,
    locked_until: datetime | None,
    must_change_password: bool,
    temp_password_expires_at: datetime | None,
    now: datetime,
) -> UserState:
    """The one word the Users tab shows; the first condition that holds wins."""
    if not is_active:
        return UserState.INACTIVE
    if locked_until is not None and locked_until > now:
        return UserState.LOCKED
    if must_change_password:
        if temp_password_expires_at is None:
            return UserState.MUST_CHANGE
        if temp_password_expires_at > now:
            return UserState.TEMPORARY_PASSWORD
        return UserState.TEMPORARY_EXPIRED
    return UserState.ACTIVE


def _user_info(user: PortalUser, now: datetime) -> PortalUserInfo:
    state = user_state(
        is_active=user.is_active,
        locked_until=user.locked_until,
        must_change_password=user.must_change_password,
        temp_password_expires_at=user.temp_password_expires_at,
        now=now,
    )
    return freeze(PortalUserInfo, user, state=state)


def _escalation(session: Session, customer_id: int) -> EscalationSummary | None:
    chain = session.scalars(
        select(EscalationChain).where(EscalationChain.customer_id == customer_id)
    ).one_or_none()
    if chain is None:
        return None
    contacts = session.scalars(
        select(EscalationContact)
        .where(EscalationContact.chain_id == chain.id)
        .order_by(EscalationContact.level)
    ).all()
    return freeze(EscalationSummary, chain, levels=tuple(freeze(Contact, c) for c in contacts))


def _contract_counts(session: Session, customer_id: int) -> ContractCounts:
    # One customer's contracts, counted on ix_contracts_totals (customer_id, status, ...).
    rows = session.execute(
        select(Contract.status, func.count())
        .where(Contract.customer_id == customer_id)
        .group_by(Contract.status)
    ).all()
    by_status = {status: int(n) for status, n in rows}
    return ContractCounts(
        active=by_status.get(ContractStatus.ACTIVE.value, 0),
        inactive=by_status.get(ContractStatus.INACTIVE.value, 0),
    )


def get_customer(ctx: ServiceContext, actor: Principal, customer_id: int) -> CustomerDetail:
    """The customer view: the customer, its portal users, its chain, its contract counts."""
    # The id is named in ``subject``, not ``customer_id``: a denial for an id that does
    # not exist must still be recordable (customer_id is a foreign key).
    permissions.require(ctx, actor, Permission.LOOKUP, subject=f"customer:{customer_id!s:.40}")
    if type(customer_id) is not int or not 1 <= customer_id <= _MAX_DB_ID:
        raise NotFound(_("customer not found"))
    now = ctx.clock.now()
    with ctx.read_sessions() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(_("customer not found"))
        users = session.scalars(
            select(PortalUser)
            .where(PortalUser.customer_id == customer_id)
            .order_by(PortalUser.preposto_level, PortalUser.name_norm, PortalUser.id)
        ).all()
        detail = freeze(
            CustomerDetail,
            customer,
            cnpj_formatted=format_cnpj(customer.cnpj),
            users=tuple(_user_info(u, now) for u in users),
            escalation=_escalation(session, customer_id),
            contracts=_contract_counts(session, customer_id),
        )
    log.debug("customer %d viewed by %s", customer_id, actor.label)
    return detail


__all__ = [
    "ContractCounts",
    "CustomerDetail",
    "EscalationSummary",
    "PortalUserInfo",
    "UserState",
    "get_customer",
    "user_state",
]
