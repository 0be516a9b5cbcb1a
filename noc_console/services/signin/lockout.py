"""One sign-in's transaction: the audit rows, the lockout count and the answer, all together.

Wrong passwords and wrong codes count toward the same lockout, and the count
is reset only when the whole sign-in succeeds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from noc_console.i18n import _
from noc_console.models import Operator, Role
from noc_console.services import audit
from noc_console.services.auth import LOCKOUT_MINUTES, MAX_FAILED_LOGINS, WRONG_CREDENTIALS
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.signin.identity import SOURCE_LOCAL, Identity
from noc_console.services.signin.outcome import SecondFactorNeeded, SignInOutcome, log
from noc_console.services.totp import factor
from noc_console.services.vault import mask_username


def find_operator(session: Session, username: str) -> Operator | None:
    return session.scalars(select(Operator).where(Operator.username == username)).one_or_none()


def count_wrong(op: Operator, now: datetime) -> bool:
    """One more wrong password or code toward the lockout; whether it locked the account.

    The idle lock's wrong codes count here too: the password alone must not buy a
    second budget of codes to try.
    """
    op.failed_login_count += 1
    if op.failed_login_count < MAX_FAILED_LOGINS:
        return False
    op.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
    op.failed_login_count = 0
    return True


class Attempt:
    """One sign-in's transaction: the audit rows, the lockout and the answer, all together."""

    def __init__(self, ctx: ServiceContext, identity: Identity, session: Session, typed: str):
        self.ctx = ctx
        self.identity = identity
        self.session = session
        self.typed = typed
        self.now = ctx.clock.now()

    def subject(self, op: Operator | None) -> str:
        if op is not None:
            return f"op:{op.username}"
        return f"op?:{mask_username(self.identity.vault, self.typed)}"

    def fail(self, op: Operator | None, why: str, message: str, **extra: object) -> str:
        audit.record(
            self.session,
            at=self.now,
            action="operator_login_failed",
            operator_id=op.id if op else None,
            subject=self.subject(op),
            details={"why": why, **extra},
        )
        log.info("login failed for %s: %s", self.subject(op), why)
        return message

    def count_failure(self, op: Operator, why: str) -> str:
        """A wrong password or code: counted toward the lockout."""
        if count_wrong(op, self.now):
            return self.fail(
                op,
                why,
                _("too many failed attempts; locked for {minutes} minutes").format(
                    minutes=LOCKOUT_MINUTES
                ),
                locked_minutes=LOCKOUT_MINUTES,
            )
        wrong = _("wrong code") if why == "wrong_code" else _(WRONG_CREDENTIALS)
        return self.fail(op, why, wrong)

    def blocked(self, op: Operator) -> str | None:
        if not op.is_active:
            return self.fail(
                op, "inactive", _("this operator account is disabled; ask a supervisor")
            )
        if op.locked_until is not None and op.locked_until > self.now:
            return self.fail(
                op,
                "locked",
                _("too many failed attempts; locked until {time} UTC").format(
                    time=f"{op.locked_until:%H:%M}"
                ),
            )
        return None

    def succeed(self, op: Operator, source: str, *, second_factor: str | None = None) -> Principal:
        op.failed_login_count = 0
        op.locked_until = None
        op.last_login_at = self.now
        break_glass = source == SOURCE_LOCAL and self.identity.auth.local == "break-glass"
        details: dict[str, object] = {"source": source}
        if break_glass:
            details["break_glass"] = True
        if second_factor:
            details["second_factor"] = second_factor
        audit.record(
            self.session,
            at=self.now,
            action="operator_login",
            operator_id=op.id,
            subject=f"op:{op.username}",
            details=details,
        )
        if break_glass:
            log.warning("break-glass login %s", op.username)
        log.info("login %s (%s, %s)", op.username, op.role, source)
        return Principal(
            operator_id=op.id,
            username=op.username,
            display_name=op.display_name,
            role=Role(op.role),
            source=source,
            break_glass=break_glass,
        )

    def password_ok(self, op: Operator, source: str) -> SignInOutcome:
        """After the password: a principal now, or the second factor first."""
        role = Role(op.role)
        if factor.is_enrolled(op) or self.identity.requires_code(role):
            return SecondFactorNeeded(
                operator_id=op.id,
                username=op.username,
                display_name=op.display_name,
                role=role,
                source=source,
                break_glass=source == SOURCE_LOCAL and self.identity.auth.local == "break-glass",
                enrolled=factor.is_enrolled(op),
                checked_at=self.now,
            )
        return self.succeed(op, source)
