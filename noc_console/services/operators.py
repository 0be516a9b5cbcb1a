"""Operators (NOC staff): creation, listing, the break-glass flag. Sign-in: services/signin."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noc_console.clock import Clock
from noc_console.errors import ConflictError, NotFound, ValidationError
from noc_console.i18n import _
from noc_console.models import Operator, OperatorSource, Role
from noc_console.services import audit
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.hashing import Hasher
from noc_console.services.permissions import Permission, require

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
MIN_OPERATOR_PASSWORD = 12


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def to_info(op: Operator) -> OperatorInfo:
    return OperatorInfo(
        id=op.id,
        username=op.username,
        display_name=op.display_name,
        role=Role(op.role),
        is_active=op.is_active,
        locked_until=op.locked_until,
        last_login_at=op.last_login_at,
    )


def validate_new_operator(username: str, role: str, password: str) -> None:
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [
            _("use 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter")
        ]
    if role not in {r.value for r in Role}:
        errors["role"] = [_("role must be analyst, operator or supervisor")]
    if len(password) < MIN_OPERATOR_PASSWORD:
        errors["password"] = [_("use at least {n} characters").format(n=MIN_OPERATOR_PASSWORD)]
    if errors:
        raise ValidationError(errors)


def create_operator(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    hasher: Hasher,
    clock: Clock,
) -> OperatorInfo:
    """Bootstrap path (CLI, demo): runs inside the caller's transaction."""
    username = username.strip().lower()
    validate_new_operator(username, role, password)
    exists = session.scalar(select(func.count()).where(Operator.username == username))
    if exists:
        raise ConflictError(_("operator '{username}' already exists").format(username=username))
    now = clock.now()
    op = Operator(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hasher.hash(password),
        is_active=True,
        failed_login_count=0,
        created_at=now,
        password_changed_at=now,
    )
    session.add(op)
    session.flush()
    return to_info(op)


def list_operators(session: Session) -> list[OperatorInfo]:
    return [to_info(op) for op in session.scalars(select(Operator).order_by(Operator.username))]


def add_operator(
    ctx: ServiceContext,
    actor: Principal,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
) -> OperatorInfo:
    """A supervisor creates another operator from the console (audited)."""
    require(ctx, actor, Permission.MANAGE_OPERATORS, subject=f"op:{username[:60]}")
    with ctx.sessions.begin() as session:
        info = create_operator(
            session,
            username=username,
            display_name=display_name,
            role=role,
            password=password,
            hasher=ctx.hasher,
            clock=ctx.clock,
        )
        audit.record(
            session,
            at=ctx.clock.now(),
            action="operator_created",
            operator_id=actor.operator_id,
            subject=f"op:{info.username}",
            details={"role": info.role.value},
        )
    log.info("operator %s created %s (%s)", actor.username, info.username, info.role.value)
    return info


def set_operator_active(
    ctx: ServiceContext, actor: Principal, operator_id: int, *, active: bool
) -> OperatorInfo:
    """Disable (or re-enable) an operator; disabling also clears any lock. Audited."""
    require(ctx, actor, Permission.MANAGE_OPERATORS, subject=f"op_id:{operator_id}")
    if operator_id == actor.operator_id and not active:
        raise ValidationError({"operator": [_("you cannot disable your own account")]})
    with ctx.sessions.begin() as session:
        op = session.get(Operator, operator_id)
        if op is None:
            raise NotFound(_("no operator with this id"))
        op.is_active = active
        op.failed_login_count = 0
        op.locked_until = None
        audit.record(
            session,
            at=ctx.clock.now(),
            action="operator_enabled" if active else "operator_disabled",
            operator_id=actor.operator_id,
            subject=f"op:{op.username}",
        )
        info = to_info(op)
    log.info("operator %s set %s active=%s", actor.username, info.username, active)
    return info


def list_all(ctx: ServiceContext, actor: Principal) -> list[OperatorInfo]:
    """The operator list for a supervisor's console screen (a read: allowed when read-only)."""
    require(ctx, actor, Permission.VIEW_OPERATORS)
    with ctx.read_sessions() as session:
        return list_operators(session)


def set_break_glass(ctx: ServiceContext, username: str, *, on: bool) -> bool:
    """Flag a local operator as break-glass (or not); what the flag was before. Audited.

    The way in when the directory is down (``[auth] local = "break-glass"``), so
    only a local account can carry it: a directory account has no password here
    to fall back on. Set from the command line, by whoever holds the database,
    hence no principal (the audit row has no operator, like the CLI's other writes).
    """
    username = username.strip().lower()
    with ctx.sessions.begin() as session:
        op = session.scalars(select(Operator).where(Operator.username == username)).one_or_none()
        if op is None:
            raise NotFound(_("no operator named {username}").format(username=username))
        if op.source != OperatorSource.LOCAL.value:
            raise ValidationError(
                message=_("{username} signs in through the directory: only local accounts").format(
                    username=username
                )
            )
        before, op.break_glass = op.break_glass, on
        audit.record(
            session,
            at=ctx.clock.now(),
            action="operator_break_glass_set",
            subject=f"op:{username}",
            details={"before": before, "after": on, "via": "command line"},
        )
    log.info("break-glass of %s set %s from the command line", username, "on" if on else "off")
    return before
