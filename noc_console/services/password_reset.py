"""Assisted password reset: what an analyst does for a customer on the phone.

The analyst first proves who is calling (the caller's name matches the user,
the caller confirmed the company's CNPJ, optionally a call-back to the number
on record), then either issues a temporary password to read out, sends a
reset link to the registered e-mail, or only unlocks the account. Everything
happens in one transaction with one audit event. Secrets exist in clear in
exactly two places: the ``ResetResult`` handed back once (its repr hides the
password) and the outbox row the portal's mailer reads; everything else sees
hashes or nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CursorResult,
    Select,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from noc_console.errors import ConflictError, NotFound, RateLimited, ValidationError
from noc_console.i18n import _, ngettext
from noc_console.models import (
    AuditEvent,
    Customer,
    NotificationOutbox,
    PasswordHistory,
    PasswordPolicy,
    PasswordResetToken,
    PortalSession,
    PortalUser,
)
from noc_console.services import audit, permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.permissions import Permission
from noc_console.services.policy import (
    PasswordPolicyDTO,
    check_password,
    load_policy,
    normalize_password,
    user_context_words,
)
from noc_console.services.validation import clean_text, format_phone
from noc_console.text import format_cnpj

log = logging.getLogger(__name__)

ACTION = "password_reset"
OUTBOX_KIND = "password_reset_link"
RATE_WINDOW = timedelta(hours=1)
TICKET_MIN, TICKET_MAX = 3, 64
REASON_MAX = 500
# Passwords older than the policy's history are kept a little longer, so raising
# history_count later still finds some; older ones are deleted.
HISTORY_KEEP_EXTRA = 2
POLICY_ROW_ID = 1  # the one password_policy row (load_policy reads the same)

# Read out over the phone and copied by eye: no character that looks or sounds
# like another (0/O/o, 1/l/I/i, 5/S/s, 2/Z/z, 8/B/b, 6/G, 9/g/q).
UPPER = "ACDEFHJKMNPRTUVWXY"
LOWER = "acdefhjkmnprtuvwxy"
DIGITS = "34679"
ALPHABET = UPPER + LOWER + DIGITS
GROUP = 4
SEPARATOR = "-"
MIN_GROUPS = 4  # 16 characters from 41: about 85 bits, whatever the policy's minimum
GENERATION_ATTEMPTS = 50

PasswordGenerator = Callable[[PasswordPolicyDTO], str]


class ResetMethod(StrEnum):
    TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a method name
    RESET_LINK = "reset_link"
    UNLOCK_ONLY = "unlock_only"


@dataclass(frozen=True)
class IdentityChecks:
    """What the analyst confirmed about the caller; name and CNPJ are required."""

    name_matches: bool
    cnpj_confirmed: bool
    callback_done: bool = False

    def as_details(self) -> dict[str, bool]:
        return {
            "name_matches": bool(self.name_matches),
            "cnpj_confirmed": bool(self.cnpj_confirmed),
            "callback_done": bool(self.callback_done),
        }


@dataclass(frozen=True)
class ResetResult:
    """What the wizard shows once. ``temporary_password`` is left out of repr and str."""

    user_id: int
    login: str
    full_name: str
    customer_id: int
    method: ResetMethod
    unlocked: bool
    sessions_ended: int
    version: int
    audit_event_id: int
    temp_password_expires_at: datetime | None = None
    email_masked: str | None = None
    link_expires_at: datetime | None = None
    temporary_password: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ResetPreview:
    """Everything the reset wizard shows before the analyst commits to a reset."""

    user_id: int
    full_name: str
    login: str
    customer_id: int
    company_name: str
    legal_name: str
    cnpj_formatted: str
    email_masked: str
    phone_formatted: str | None
    is_active: bool
    locked_until: datetime | None
    failed_login_count: int
    must_change_password: bool
    temp_password_expires_at: datetime | None
    active_sessions: int
    version: int
    temp_password_ttl_hours: int
    reset_token_ttl_minutes: int
    max_resets_per_hour: int
    resets_left_this_hour: int
    next_reset_at: datetime | None  # when resets_left_this_hour is 0


class ResetRateLimited(RateLimited):
    """Too many resets of one user within the hour; ``retry_at`` says when the next is allowed."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


def mask_email(email: str | None) -> str:
    """'joao.silva@empresa.com.br' -> 'j***@empresa.com.br': enough to recognise, not to use."""
    if not email or "@" not in email:
        return "***"
    local, _sep, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def token_digest(token: str) -> str:
    """SHA-256 hex of a token: what the database holds instead of the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def generate_temporary_password(policy: PasswordPolicyDTO) -> str:
    """Groups of four unambiguous characters joined by '-' ('Kx7m-Pq9r-Tz4w-Hb2n').

    The dashes are part of the password (the user types them), so they count
    toward the length: at least four groups, more if the policy's minimum asks,
    the last group shortened if the policy's maximum would be exceeded.
    """
    groups = MIN_GROUPS
    while groups * (GROUP + 1) - 1 < policy.min_length:
        groups += 1
    length = min(groups * (GROUP + 1) - 1, policy.max_length)
    chars = [secrets.choice(ALPHABET) for _ in range(groups * GROUP)]
    grouped = SEPARATOR.join("".join(chars[i : i + GROUP]) for i in range(0, len(chars), GROUP))
    return grouped[:length].rstrip(SEPARATOR)


def _active_sessions(
    user_id: int | BindParameter[int], now: datetime | BindParameter[datetime]
) -> list[ColumnElement[bool]]:
    return [
        PortalSession.portal_user_id == user_id,
        PortalSession.revoked_at.is_(None),
        PortalSession.expires_at > now,
    ]


def _build_preview(
    session: Session, user: PortalUser, policy: PasswordPolicyDTO, now: datetime
) -> ResetPreview:
    customer = session.get(Customer, user.customer_id)
    assert customer is not None  # a foreign key guarantees it
    counts = _reset_counts(session, user.id, now)
    used, oldest, sessions = counts.resets_in_window, counts.oldest_reset, counts.active_sessions
    left = max(policy.max_resets_per_hour - used, 0)
    locked = user.locked_until if user.locked_until and user.locked_until > now else None
    return ResetPreview(
        user_id=user.id,
        full_name=user.full_name,
        login=user.login,
        customer_id=customer.id,
        company_name=customer.trade_name or customer.legal_name,
        legal_name=customer.legal_name,
        cnpj_formatted=format_cnpj(customer.cnpj),
        email_masked=mask_email(user.email),
        phone_formatted=format_phone(user.phone) if user.phone else None,
        is_active=user.is_active,
        locked_until=locked,
        failed_login_count=user.failed_login_count,
        must_change_password=user.must_change_password,
        temp_password_expires_at=user.temp_password_expires_at,
        active_sessions=int(sessions or 0),
        version=user.version,
        temp_password_ttl_hours=policy.temp_password_ttl_hours,
        reset_token_ttl_minutes=policy.reset_token_ttl_minutes,
        max_resets_per_hour=policy.max_resets_per_hour,
        resets_left_this_hour=left,
        next_reset_at=(oldest + RATE_WINDOW) if left == 0 and oldest else None,
    )


def reset_preview(ctx: ServiceContext, operator: Principal, user_id: int) -> ResetPreview:
    """The wizard's first screen. A read (LOOKUP): read-only consoles may open the wizard,
    the reset itself is refused there."""
    permissions.require(ctx, operator, Permission.LOOKUP, subject=f"portal_user_id:{user_id}")
    now = ctx.clock.now()
    with ctx.read_sessions() as session:
        user = session.get(PortalUser, user_id)
        if user is None:
            raise NotFound(_("portal user not found"))
        return _build_preview(session, user, load_policy(session), now)


def validate_request(
    ticket_ref: str | None,
    reason: str | None,
    checks: IdentityChecks,
    method: ResetMethod | str,
) -> tuple[str, str, ResetMethod]:
    errors: dict[str, list[str]] = {}
    ticket = ""
    try:
        ticket = clean_text(ticket_ref if isinstance(ticket_ref, str) else None, TICKET_MAX)
        if not ticket:
            errors["ticket_ref"] = [_("enter the ticket reference (for example INC-2026-0042)")]
        elif len(ticket) < TICKET_MIN:
            errors["ticket_ref"] = [
                _("a ticket reference has at least {n} characters").format(n=TICKET_MIN)
            ]
    except ValueError as err:
        errors["ticket_ref"] = [str(err)]
    why = ""
    try:
        why = clean_text(reason if isinstance(reason, str) else None, REASON_MAX)
        if not why:
            errors["reason"] = [_("say why the password is being reset")]
    except ValueError as err:
        errors["reason"] = [str(err)]
    if not isinstance(checks, IdentityChecks) or checks.name_matches is not True:
        errors["name_matches"] = [_("confirm that the caller's name matches the user")]
    if not isinstance(checks, IdentityChecks) or checks.cnpj_confirmed is not True:
        errors["cnpj_confirmed"] = [_("confirm that the caller gave the company's CNPJ")]
    chosen = ResetMethod.UNLOCK_ONLY
    try:
        chosen = ResetMethod(method)
    except ValueError:
        errors["method"] = [_("choose a temporary password, a reset link or unlock only")]
    if errors:
        raise ValidationError(errors)
    return ticket, why, chosen


# Built once, like _COUNTS below.
_LOCK_USER = (
    select(PortalUser, Customer, PasswordPolicy)
    .join(Customer, Customer.id == PortalUser.customer_id)
    .outerjoin(PasswordPolicy, PasswordPolicy.id == POLICY_ROW_ID)
    .where(PortalUser.id == bindparam("user_id"))
    .with_for_update(of=PortalUser)
)


def _lock_user(session: Session, user_id: int) -> tuple[PortalUser, Customer, PasswordPolicyDTO]:
    """Take the user's row lock before anything is counted: concurrent resets queue here
    (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).

    The customer and the policy come in the same round trip. Only the user row is
    locked (the other two are not written here); the locked row is the latest
    version even after a wait, but anything else that must include what the lock
    waited for is counted by a later statement (``_reset_counts``).
    """
    row = session.execute(_LOCK_USER, {"user_id": user_id}).one_or_none()
    if row is None:
        raise NotFound(_("portal user not found"))
    user, customer, _policy_row = row
    # While the policy row is referenced here it is in the session's identity map, so
    # load_policy reads it without SQL (and still gives the defaults when it is missing).
    policy = load_policy(session)
    return user, customer, policy


@dataclass(frozen=True)
class _Counts:
    """What the reset is about to change, counted under the user's row lock."""

    resets_in_window: int
    oldest_reset: datetime | None
    unused_links: int
    active_sessions: int
    history_rows: int


def _how_many(model: type[Any], *where: ColumnElement[bool]) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _counts_statement() -> Select[Any]:
    """Built once: composing it took longer than running it (SQLite) on every reset."""
    # Untyped parameters take each compared column's type (UTCDateTime for the times).
    user_id: BindParameter[int] = bindparam("user_id")
    now: BindParameter[datetime] = bindparam("now")
    # The rate window is the statement's own aggregate (one row whatever matches), the
    # other counts ride along as scalar subqueries.
    return select(
        func.count(),
        func.min(AuditEvent.occurred_at),  # keeps UTCDateTime: an aware datetime on both
        _how_many(
            PasswordResetToken,
            PasswordResetToken.portal_user_id == user_id,
            PasswordResetToken.used_at.is_(None),
        ),
        _how_many(PortalSession, *_active_sessions(user_id, now)),
        _how_many(PasswordHistory, PasswordHistory.portal_user_id == user_id),
    ).where(
        AuditEvent.action == ACTION,
        AuditEvent.portal_user_id == user_id,
        AuditEvent.occurred_at > bindparam("since"),
    )


_COUNTS = _counts_statement()


def _reset_counts(session: Session, user_id: int, now: datetime) -> _Counts:
    """The rate window and the rows the reset would touch, in one round trip (the
    wizard's preview shows the same counts, without the lock).

    In ``reset`` it runs as its own statement after ``_lock_user`` so that its snapshot includes
    whatever the previous holder of the lock committed. Everything that adds a
    session, a reset link or a history row of this user (portal login, password
    change, reset, completed reset) holds that same lock, so a zero here stays
    zero until we commit and the matching UPDATE/DELETE can be skipped.
    """
    used, oldest, links, sessions, history = session.execute(
        _COUNTS, {"user_id": user_id, "now": now, "since": now - RATE_WINDOW}
    ).one()
    return _Counts(int(used or 0), oldest, int(links or 0), int(sessions or 0), int(history or 0))


def push_history(
    session: Session,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    now: datetime,
    *,
    existing: int | None = None,
) -> None:
    """Move the current hash into password_history and trim what is no longer needed.

    Trimming is one DELETE of everything past the newest ones that stay beside
    the row being added; ``existing`` (the user's history rows, counted under
    the user's lock) lets a caller skip it when nothing is past them. The DELETE
    runs before the new row is added, so it never counts among the rows it trims.
    Needs no flush (callers keep autoflush off so the user row is updated once).
    """
    keep = max(policy.history_count, 0) + HISTORY_KEEP_EXTRA
    if user.password_hash:
        keep -= 1  # the row added below is one of them
    keep = max(keep, 0)
    if existing is None or existing > keep:
        stale = (
            select(PasswordHistory.id)
            .where(PasswordHistory.portal_user_id == user.id)
            .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
            .offset(keep)
        )
        # ids from a subquery (SQLAlchemy gives SQLite the LIMIT -1 its OFFSET needs); no
        # session objects to synchronise: history rows are never loaded as entities.
        session.execute(
            delete(PasswordHistory)
            .where(PasswordHistory.id.in_(stale.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )
    if user.password_hash:
        session.add(
            PasswordHistory(
                portal_user_id=user.id, password_hash=user.password_hash, created_at=now
            )
        )


def _cursor(result: object) -> CursorResult[Any]:
    """DML results carry rowcount; the ORM's execute() is typed more loosely."""
    return cast(CursorResult[Any], result)


def invalidate_reset_links(session: Session, user_id: int, now: datetime) -> int:
    """Earlier unused links stop working (marked used) once a newer credential exists."""
    result = _cursor(
        session.execute(
            update(PasswordResetToken)
            .where(
                PasswordResetToken.portal_user_id == user_id, PasswordResetToken.used_at.is_(None)
            )
            .values(used_at=now)
        )
    )
    return int(result.rowcount or 0)


def revoke_sessions(
    session: Session, user_id: int, now: datetime, reason: str, *, keep_hash: str | None = None
) -> int:
    """End every active portal session of the user (but the one being kept); how many."""
    conditions = _active_sessions(user_id, now)
    if keep_hash is not None:
        conditions.append(PortalSession.token_hash != keep_hash)
    result = _cursor(
        session.execute(
            update(PortalSession).where(*conditions).values(revoked_at=now, revoked_reason=reason)
        )
    )
    return int(result.rowcount or 0)


def _generate_checked(
    user: PortalUser,
    customer: Customer | None,
    policy: PasswordPolicyDTO,
    generate: PasswordGenerator,
) -> str:
    """A generated password the policy accepts (regenerated until it is).

    A fresh random value cannot match a stored hash, so the history (one argon2
    verification per entry) is not checked: the reset costs about one hash.
    """
    words = user_context_words(user, customer)
    for _attempt in range(GENERATION_ATTEMPTS):
        candidate = generate(policy)
        if isinstance(candidate, str) and not check_password(
            policy, candidate, context_words=words
        ):
            return candidate
    raise ValidationError(
        {
            "method": [
                _(
                    "could not generate a temporary password that satisfies the password"
                    " policy; send a reset link instead"
                )
            ]
        }
    )


def _issue_reset_link(
    session: Session,
    ctx: ServiceContext,
    operator: Principal,
    user: PortalUser,
    policy: PasswordPolicyDTO,
    now: datetime,
    unused_links: int,
) -> tuple[datetime, int]:
    """A new link (outbox row) replacing the earlier ones; ``unused_links`` was counted
    under the user's lock, so none means there is nothing to mark used."""
    if not user.email or "@" not in user.email:
        raise ValidationError(
            {"method": [_("this user has no registered e-mail address: use a temporary password")]}
        )
    invalidated = invalidate_reset_links(session, user.id, now) if unused_links else 0
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=policy.reset_token_ttl_minutes)
    session.add(
        PasswordResetToken(
            portal_user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=expires,
            created_by_operator_id=operator.operator_id,
        )
    )
    session.add(
        NotificationOutbox(
            created_at=now,
            kind=OUTBOX_KIND,
            recipient=user.email,
            portal_user_id=user.id,
            payload={
                "url": ctx.portal_reset_url.format(token=token),
                "expires_at": expires.isoformat(),
                "login": user.login,
            },
            attempts=0,
        )
    )
    return expires, invalidated


def reset(
    ctx: ServiceContext,
    operator: Principal,
    user_id: int,
    *,
    ticket_ref: str,
    reason: str,
    identity_checks: IdentityChecks,
    method: ResetMethod,
    unlock: bool = True,
    end_sessions: bool = True,
    expected_version: int | None = None,
    generate: PasswordGenerator | None = None,
) -> ResetResult:
    """Reset a portal user's access after the caller's identity was checked.

    ``generate`` replaces the temporary-password generator (tests and snapshots
    fix the password with it); the result is still checked against the policy.
    """
    permissions.require(
        ctx, operator, Permission.RESET_PASSWORD, subject=f"portal_user_id:{user_id}"
    )
    ticket, why, chosen = validate_request(ticket_ref, reason, identity_checks, method)
    if chosen is ResetMethod.UNLOCK_ONLY:
        unlock = True  # unlocking is the whole point of this method
    now = ctx.clock.now()
    password: str | None = None
    temp_expires: datetime | None = None
    link_expires: datetime | None = None
    email_masked: str | None = None
    try:
        with ctx.sessions.begin() as session:
            user, customer, policy = _lock_user(session, user_id)
            if expected_version is not None and user.version != expected_version:
                raise ConflictError(
                    _(
                        "this user was changed by someone else since you opened it;"
                        " review the current state and try again"
                    ),
                    current=_build_preview(session, user, policy, now),
                )
            if not user.is_active:
                raise ValidationError(
                    {
                        "user": [
                            _(
                                "this portal user is deactivated: a password reset is not"
                                " possible; the customer must reactivate the account first"
                            )
                        ]
                    }
                )
            counts = _reset_counts(session, user.id, now)
            used = counts.resets_in_window
            if used >= policy.max_resets_per_hour:
                retry_at = (counts.oldest_reset or now) + RATE_WINDOW
                minutes = max(int((retry_at - now).total_seconds() // 60) + 1, 1)
                raise ResetRateLimited(
                    ngettext(
                        "this user's access was already reset {n} time in the last hour;"
                        " the next reset is possible in {minutes} min (at {time} UTC)",
                        "this user's access was already reset {n} times in the last hour;"
                        " the next reset is possible in {minutes} min (at {time} UTC)",
                        used,
                    ).format(n=used, minutes=minutes, time=f"{retry_at:%H:%M}"),
                    retry_at=retry_at,
                )
            was_locked = bool(user.locked_until and user.locked_until > now)
            details: dict[str, object] = {"method": chosen.value}
            new_hash: str | None = None
            if chosen is ResetMethod.TEMPORARY_PASSWORD:
                # Checked against this (locked) row's context words and the policy, so it is
                # generated and hashed here, before the writes; the hash precedes the commit.
                password = _generate_checked(
                    user, customer, policy, generate or generate_temporary_password
                )
                temp_expires = now + timedelta(hours=policy.temp_password_ttl_hours)
                new_hash = ctx.hasher.hash(normalize_password(password))
                details["expires_at"] = temp_expires.isoformat()
            with session.no_autoflush:  # the user row is written once, at the flush below
                if chosen is ResetMethod.TEMPORARY_PASSWORD:
                    push_history(session, user, policy, now, existing=counts.history_rows)
                    if counts.unused_links:
                        invalidate_reset_links(session, user.id, now)
                    user.password_hash = new_hash
                    user.password_changed_at = now
                    user.must_change_password = True
                    user.temp_password_expires_at = temp_expires
                elif chosen is ResetMethod.RESET_LINK:
                    link_expires, invalidated = _issue_reset_link(
                        session, ctx, operator, user, policy, now, counts.unused_links
                    )
                    email_masked = mask_email(user.email)
                    details["expires_at"] = link_expires.isoformat()
                    details["earlier_links_invalidated"] = invalidated
                    details["email_masked"] = email_masked
                ended = (
                    revoke_sessions(session, user.id, now, "assisted_reset")
                    if end_sessions and counts.active_sessions
                    else 0
                )
                if unlock:
                    user.failed_login_count = 0
                    user.locked_until = None
            event = audit.record(
                session,
                at=now,
                action=ACTION,
                operator_id=operator.operator_id,
                customer_id=user.customer_id,
                portal_user_id=user.id,
                subject=f"portal:{user.login}",
                ticket_ref=ticket,
                reason=why,
                details={
                    **details,
                    "checks": identity_checks.as_details(),
                    "unlock": unlock,
                    "was_locked": was_locked,
                    "end_sessions": end_sessions,
                    "sessions_ended": ended,
                },
            )
            # One flush writes the user row (its version checked and bumped: a concurrent
            # writer raises StaleDataError here), the history row and the audit event (its id).
            session.flush()
            result = ResetResult(
                user_id=user.id,
                login=user.login,
                full_name=user.full_name,
                customer_id=user.customer_id,
                method=chosen,
                unlocked=unlock,
                sessions_ended=ended,
                version=user.version,
                audit_event_id=event.id,
                temp_password_expires_at=temp_expires,
                email_masked=email_masked,
                link_expires_at=link_expires,
                temporary_password=password,
            )
    except StaleDataError:
        raise ConflictError(
            _("this user was changed by someone else at the same time; review and try again")
        ) from None
    log.info(
        "password reset of %s by %s: method=%s unlock=%s sessions_ended=%d ticket=%s",
        result.login,
        operator.label,
        chosen.value,
        unlock,
        result.sessions_ended,
        ticket,
    )
    return result
