"""Operators (NOC staff): creation and listing. Login lives in services/auth."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noc_console.clock import Clock
from noc_console.models import Operator, Role
from noc_console.services.errors import ConflictError, ValidationError
from noc_console.services.hashing import Hasher

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
            "use 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter"
        ]
    if role not in {r.value for r in Role}:
        errors["role"] = ["role must be analyst, operator or supervisor"]
    if len(password) < MIN_OPERATOR_PASSWORD:
        errors["password"] = [f"use at least {MIN_OPERATOR_PASSWORD} characters"]
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
        raise ConflictError(f"operator '{username}' already exists")
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
