"""The second factor's rules over the database: enrol, check a code, reset (all audited).

Every function here runs inside the caller's transaction (``session``), so a
sign-in's code check, its lockout count and its audit row commit together.
The secret crosses this module only encrypted (``Vault``); audit details say
what happened, never a code or a secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from noc_console.errors import NotFound, ValidationError
from noc_console.i18n import _
from noc_console.models import Operator, OperatorRecoveryCode
from noc_console.services import audit
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.hashing import Hasher
from noc_console.services.permissions import Permission, require
from noc_console.services.totp import codes
from noc_console.services.vault import Vault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EnrolmentOffer:
    """A new secret, shown once: the only DTO that ever carries it (never printed by ``repr``)."""

    username: str
    secret: str = field(repr=False)

    @property
    def uri(self) -> str:
        return codes.provisioning_uri(self.secret, self.username)

    @property
    def grouped_secret(self) -> str:
        return codes.grouped(self.secret)

    def qr(self) -> list[str]:
        from noc_console.services.totp.qr import qr_lines

        return qr_lines(self.uri)


@dataclass(frozen=True)
class RecoveryCodes:
    """The ten codes, shown once after enrolment; only their hashes are stored."""

    codes: tuple[str, ...] = field(repr=False)


class CodeKind(StrEnum):
    TOTP = "totp"
    RECOVERY = "recovery"


def new_offer(username: str) -> EnrolmentOffer:
    return EnrolmentOffer(username=username, secret=codes.new_secret())


def is_enrolled(op: Operator) -> bool:
    return op.totp_secret is not None


def check_code(
    session: Session, op: Operator, vault: Vault, hasher: Hasher, code: str, now: datetime
) -> CodeKind | None:
    """Accept ``code`` (a TOTP code, or an unused recovery code) and spend it; None if wrong.

    A TOTP code moves ``totp_last_step`` forward, so the same code (or an older
    one) is refused from then on; a recovery code gets its ``used_at``.
    """
    if op.totp_secret is None:
        return None
    if codes.looks_like_totp(code):
        secret = vault.decrypt(op.totp_secret)
        step = codes.matching_step(secret, code, now, op.totp_last_step)
        if step is None:
            return None
        op.totp_last_step = step
        return CodeKind.TOTP
    if codes.looks_like_recovery(code):
        typed = codes.normalise_code(code)
        unused = session.scalars(
            select(OperatorRecoveryCode).where(
                OperatorRecoveryCode.operator_id == op.id, OperatorRecoveryCode.used_at.is_(None)
            )
        ).all()
        for row in unused:
            if hasher.verify(row.code_hash, typed):
                row.used_at = now
                return CodeKind.RECOVERY
    return None


def recovery_codes_left(session: Session, operator_id: int) -> int:
    return len(
        session.scalars(
            select(OperatorRecoveryCode.id).where(
                OperatorRecoveryCode.operator_id == operator_id,
                OperatorRecoveryCode.used_at.is_(None),
            )
        ).all()
    )


def enrol(
    session: Session,
    op: Operator,
    *,
    vault: Vault,
    hasher: Hasher,
    offer: EnrolmentOffer,
    code: str,
    now: datetime,
) -> RecoveryCodes:
    """Take the new secret once ``code`` proves the operator's app has it; ValidationError if not.

    Replaces any earlier factor and its recovery codes. Audited.
    """
    if offer.username != op.username:
        raise ValidationError({"code": [_("this enrolment belongs to another operator")]})
    step = codes.matching_step(offer.secret, code, now, None)
    if step is None:
        raise ValidationError(
            {"code": [_("that code does not match; check the phone's clock and try the next one")]}
        )
    replaced = op.totp_secret is not None
    op.totp_secret = vault.encrypt(offer.secret)
    op.totp_enrolled_at = now
    op.totp_last_step = step
    session.execute(delete(OperatorRecoveryCode).where(OperatorRecoveryCode.operator_id == op.id))
    plain = codes.new_recovery_codes()
    for value in plain:
        session.add(
            OperatorRecoveryCode(
                operator_id=op.id,
                code_hash=hasher.hash(codes.normalise_code(value)),
                created_at=now,
            )
        )
    audit.record(
        session,
        at=now,
        action="operator_totp_enrolled",
        operator_id=op.id,
        subject=f"op:{op.username}",
        details={"replaced": replaced, "recovery_codes": len(plain)},
    )
    log.info("second factor enrolled for %s", op.username)
    return RecoveryCodes(codes=tuple(plain))


def clear_factor(session: Session, op: Operator) -> bool:
    """Remove the factor and its recovery codes; whether there was one."""
    had = op.totp_secret is not None
    op.totp_secret = None
    op.totp_enrolled_at = None
    op.totp_last_step = None
    session.execute(delete(OperatorRecoveryCode).where(OperatorRecoveryCode.operator_id == op.id))
    return had


def reset_factor(ctx: ServiceContext, actor: Principal, username: str) -> bool:
    """A supervisor removes another operator's factor (a lost phone): they enrol again at sign-in.

    Whether there was a factor to remove. Audited with who did it.
    """
    username = username.strip().lower()
    require(ctx, actor, Permission.MANAGE_OPERATORS, subject=f"op:{username[:60]}")
    if username == actor.username:
        raise ValidationError(
            {"operator": [_("you cannot reset your own second factor; ask another supervisor")]}
        )
    with ctx.sessions.begin() as session:
        had = reset_in_session(session, username, now=ctx.clock.now(), by=actor.operator_id)
    log.info("second factor of %s reset by %s", username, actor.username)
    return had


def reset_in_session(session: Session, username: str, *, now: datetime, by: int | None) -> bool:
    """The reset itself, for the console (``reset_factor``) and the command line (``by`` None)."""
    op = session.scalars(select(Operator).where(Operator.username == username)).one_or_none()
    if op is None:
        raise NotFound(_("no operator named {username}").format(username=username[:64]))
    had = clear_factor(session, op)
    audit.record(
        session,
        at=now,
        action="operator_totp_reset",
        operator_id=by,
        subject=f"op:{op.username}",
        details={"had_factor": had, "via": "console" if by is not None else "command line"},
    )
    return had
