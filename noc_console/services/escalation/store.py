"""Reading and saving a customer's chain, guarded by the chain's version.

A save replaces the whole chain in one transaction and is guarded by the
chain's version (optimistic lock): two operators editing the same customer
during an incident must see each other's work, never silently overwrite it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from noc_console.errors import ConflictError, NotFound
from noc_console.i18n import _
from noc_console.models import Customer, EscalationChain, EscalationContact, PasswordPolicy
from noc_console.services import audit, permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation.dto import (
    CONTACT_FIELDS,
    DEFAULT_BOUNDS,
    ChainView,
    Contact,
    ContactInput,
    DelayBounds,
    SaveResult,
)
from noc_console.services.escalation.timeline import customer_zone
from noc_console.services.escalation.validation import same_person, validate_levels
from noc_console.services.permissions import Permission

log = logging.getLogger(__name__)

AUDIT_ACTION = "escalation_chain_saved"


# ------------------------------------------------------------------------ reading


def _bounds(session: Session) -> DelayBounds:
    policy = session.get(PasswordPolicy, 1)
    if policy is None:
        return DEFAULT_BOUNDS
    return DelayBounds(policy.escalation_min_delay_minutes, policy.escalation_max_delay_minutes)


def _fields(contact: Contact | EscalationContact) -> dict[str, Any]:
    """A level's fields, to copy between the row and the DTO (which hold the same ones)."""
    return {"level": contact.level, **{name: getattr(contact, name) for name in CONTACT_FIELDS}}


def chain_view(
    customer: Customer, chain: EscalationChain | None, bounds: DelayBounds = DEFAULT_BOUNDS
) -> ChainView:
    """The frozen view of a chain read in the caller's session.

    Public because starting an escalation run snapshots the chain inside its
    own transaction, and must copy exactly what the editor shows.
    """
    return ChainView(
        customer_id=customer.id,
        customer_name=customer.legal_name,
        timezone=customer_zone(customer.timezone).key,
        version=chain.version if chain else 0,
        updated_at=chain.updated_at if chain else None,
        updated_by=chain.updated_by if chain else None,
        contacts=tuple(
            sorted((Contact(**_fields(c)) for c in chain.contacts), key=lambda c: c.level)
        )
        if chain
        else (),
        bounds=bounds,
    )


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("customer not found"))
    return customer


def _current(ctx: ServiceContext, customer_id: int) -> ChainView:
    with ctx.read_sessions() as session:
        customer = _customer(session, customer_id)
        chain = session.scalars(
            select(EscalationChain).where(EscalationChain.customer_id == customer_id)
        ).one_or_none()
        return chain_view(customer, chain, _bounds(session))


def get_chain(ctx: ServiceContext, actor: Principal, customer_id: int) -> ChainView:
    """The chain as committed now; version 0 and no contacts when none was saved."""
    permissions.require(ctx, actor, Permission.LOOKUP, customer_id=customer_id)
    return _current(ctx, customer_id)


# ------------------------------------------------------------------------- saving


def _diff(before: Sequence[Contact], after: Sequence[Contact]) -> dict[str, Any]:
    """Per level: added / removed / changed, with old -> new for each changed field."""
    old = {c.level: c for c in before}
    new = {c.level: c for c in after}
    levels: dict[str, Any] = {}
    for level in sorted(old.keys() | new.keys()):
        a, b = old.get(level), new.get(level)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        fields: dict[str, Any] = {}
        for name in CONTACT_FIELDS:
            va = getattr(a, name) if a else None
            vb = getattr(b, name) if b else None
            if va != vb:
                fields[name] = {"old": va, "new": vb}
        levels[str(level)] = {"change": change, "fields": fields}
    return levels


def _conflict(current: ChainView) -> ConflictError:
    if current.version == 0:
        message = _("the escalation chain was removed meanwhile; reload it and save again")
    else:
        message = _(
            "{who} saved this escalation chain first (version {version}); "
            "reload it or re-apply your changes on top"
        ).format(who=current.updated_by or _("someone else"), version=current.version)
    return ConflictError(message, current=current)


def save_chain(
    ctx: ServiceContext,
    operator: Principal,
    customer_id: int,
    levels: Sequence[ContactInput],
    expected_version: int,
) -> SaveResult:
    """Replace the whole chain if it is still at ``expected_version`` (0: none yet).

    The chain row is locked (PostgreSQL) or the database write lock is held
    (SQLite, BEGIN IMMEDIATE) while the version is compared; the ORM's version
    column is the last guard (UPDATE ... WHERE version = old). A race between
    two creators ends on the unique customer_id. Each loser gets ConflictError
    with what the winner saved; nothing of theirs is written.
    """
    permissions.require(ctx, operator, Permission.EDIT_ESCALATION, customer_id=customer_id)
    now = ctx.clock.now()
    try:
        with ctx.sessions.begin() as session:
            customer = _customer(session, customer_id)
            bounds = _bounds(session)
            contacts, warnings = validate_levels(levels, bounds)
            chain = session.scalars(
                select(EscalationChain)
                .where(EscalationChain.customer_id == customer_id)
                .with_for_update()
            ).one_or_none()
            if (chain.version if chain else 0) != expected_version:
                raise _conflict(chain_view(customer, chain, bounds))
            before = chain_view(customer, chain, bounds).contacts
            if chain is None:
                chain = EscalationChain(customer_id=customer_id, updated_at=now)
                session.add(chain)
            else:
                # Old rows go first: UNIQUE(chain_id, level) would refuse the new ones.
                chain.contacts.clear()
            chain.updated_at = now
            chain.updated_by = operator.label
            # Always an UPDATE, so the version moves even when only contacts changed
            # (or the clock did not move, as in tests).
            flag_modified(chain, "updated_by")
            session.flush()
            chain.contacts.extend(EscalationContact(**_fields(c)) for c in contacts)
            session.flush()
            view = chain_view(customer, chain, bounds)
            same = [
                [a.level, b.level]
                for i, a in enumerate(contacts)
                for b in contacts[i + 1 :]
                if same_person([a, b])
            ]
            audit.record(
                session,
                at=now,
                action=AUDIT_ACTION,
                operator_id=operator.operator_id,
                customer_id=customer_id,
                subject=customer.legal_name[:200],
                details={
                    "version": {"old": expected_version, "new": view.version},
                    "levels": _diff(before, view.contacts),
                    "contacts": len(view.contacts),
                    "same_person_warnings": same,
                },
            )
    except StaleDataError:
        raise _conflict(_current(ctx, customer_id)) from None
    except IntegrityError:
        # Two creators at once: the unique customer_id lets one through.
        current = _current(ctx, customer_id)
        if current.version == expected_version:
            raise  # not a race: a real bug must stay visible
        raise _conflict(current) from None
    log.info(
        "escalation chain saved by %s: customer %s version %s (%d contacts)",
        operator.label,
        customer_id,
        view.version,
        len(view.contacts),
    )
    return SaveResult(chain=view, warnings=warnings)
