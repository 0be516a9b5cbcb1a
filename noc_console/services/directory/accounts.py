"""Operators follow the directory: created on first sign-in, role refreshed, disabled when gone.

The directory is the source of truth for an ``ldap`` operator: its role is
whatever the groups grant at each sign-in (and at each ``operator sync``), an
account the directory no longer grants (out of every mapped group, disabled
there, or deleted) is disabled, and one granted again is enabled again. Every
change is audited with its before → after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.auth_settings import LdapSettings
from noc_console.models import DIRECTORY_PASSWORD, Operator, OperatorSource, Role
from noc_console.services import audit
from noc_console.services.context import ServiceContext
from noc_console.services.directory.client import DirectoryClient, DirectoryPerson
from noc_console.services.directory.roles import role_for
from noc_console.services.operators import USERNAME_RE

log = logging.getLogger(__name__)


class Refusal:
    """Why the directory does not let a person in (the audit's ``why``)."""

    NOT_IN_GROUPS = "not_in_groups"
    DISABLED = "disabled_in_directory"
    GONE = "not_in_directory"
    BAD_NAME = "unusable_directory_username"


def _record(session: Session, now: datetime, action: str, op: Operator, **details: object) -> None:
    audit.record(
        session,
        at=now,
        action=action,
        operator_id=op.id,
        subject=f"op:{op.username}",
        details={"by": "directory", **details},
    )


def disable(session: Session, op: Operator, why: str, now: datetime) -> bool:
    """Disable ``op`` because the directory no longer grants it; whether anything changed."""
    if not op.is_active:
        return False
    op.is_active = False
    _record(session, now, "operator_disabled", op, why=why, before=True, after=False)
    log.info("operator %s disabled: %s", op.username, why)
    return True


def refusal_for(person: DirectoryPerson, settings: LdapSettings) -> tuple[Role | None, str | None]:
    """The role granted, or why there is none."""
    if person.disabled:
        return None, Refusal.DISABLED
    role = role_for(person.groups, settings.roles)
    if role is None:
        return None, Refusal.NOT_IN_GROUPS
    return role, None


def follow(
    session: Session,
    op: Operator | None,
    person: DirectoryPerson,
    settings: LdapSettings,
    now: datetime,
    *,
    create: bool = True,
) -> tuple[Operator | None, str | None]:
    """Bring ``op`` in line with ``person`` (creating it if allowed); the operator or a refusal."""
    role, why = refusal_for(person, settings)
    if why is not None:
        if op is not None and op.source == OperatorSource.LDAP.value:
            disable(session, op, why, now)
        return op, why
    assert role is not None
    if op is None:
        if not create:
            return None, Refusal.GONE
        if not USERNAME_RE.match(person.username):
            return None, Refusal.BAD_NAME
        op = Operator(
            username=person.username,
            display_name=person.display_name or person.username,
            role=role.value,
            password_hash=DIRECTORY_PASSWORD,
            is_active=True,
            failed_login_count=0,
            created_at=now,
            source=OperatorSource.LDAP.value,
            directory_dn=person.dn,
            email=person.email,
            break_glass=False,
        )
        session.add(op)
        session.flush()
        _record(session, now, "operator_created", op, source="ldap", role=role.value)
        log.info("operator %s created from the directory (%s)", op.username, role.value)
        return op, None
    if op.source != OperatorSource.LDAP.value:
        # A local account the local policy no longer lets in: the directory takes it over.
        op.source = OperatorSource.LDAP.value
        op.password_hash = DIRECTORY_PASSWORD
        op.break_glass = False
        op.directory_dn = person.dn
        _record(session, now, "operator_linked_to_directory", op, before="local", after="ldap")
    op.directory_dn = person.dn
    op.display_name = person.display_name or op.display_name
    op.email = person.email
    if op.role != role.value:
        before = op.role
        op.role = role.value
        _record(session, now, "operator_role_changed", op, before=before, after=role.value)
        log.info("operator %s role %s -> %s (directory)", op.username, before, role.value)
    if not op.is_active:
        op.is_active = True
        op.failed_login_count = 0
        op.locked_until = None
        _record(session, now, "operator_enabled", op, before=False, after=True)
    return op, None


@dataclass(frozen=True)
class SyncReport:
    checked: int
    disabled: tuple[str, ...]
    role_changes: tuple[tuple[str, str, str], ...]
    enabled: tuple[str, ...]


def sync(ctx: ServiceContext, client: DirectoryClient) -> SyncReport:
    """``noc-console operator sync``: every directory operator checked against the directory now.

    All lookups first, then one transaction: a directory that fails half-way
    changes nothing.
    """
    with ctx.read_sessions() as session:
        targets = [
            (op.id, op.directory_dn or "")
            for op in session.scalars(
                select(Operator).where(Operator.source == OperatorSource.LDAP.value)
            )
        ]
    found = {op_id: client.lookup(dn) for op_id, dn in targets}
    disabled: list[str] = []
    enabled: list[str] = []
    changes: list[tuple[str, str, str]] = []
    now = ctx.clock.now()
    with ctx.sessions.begin() as session:
        for op_id, person in found.items():
            op = session.get_one(Operator, op_id)
            was_active, was_role = op.is_active, op.role
            if person is None:
                disable(session, op, Refusal.GONE, now)
            else:
                follow(session, op, person, client.settings, now, create=False)
            if was_active and not op.is_active:
                disabled.append(op.username)
            elif not was_active and op.is_active:
                enabled.append(op.username)
            if op.is_active and was_role != op.role:
                changes.append((op.username, was_role, op.role))
        audit.record(
            session,
            at=now,
            action="operator_sync",
            subject="directory",
            details={"checked": len(found), "disabled": len(disabled), "enabled": len(enabled)},
        )
    log.info("operator sync: %d checked, %d disabled", len(found), len(disabled))
    return SyncReport(
        checked=len(found),
        disabled=tuple(disabled),
        role_changes=tuple(changes),
        enabled=tuple(enabled),
    )
