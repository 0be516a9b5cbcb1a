"""The reset wizard's first screen: who the user is, their state, what a reset may do.

A read (LOOKUP permission), so a read-only console may open the wizard; the
reset itself is refused there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from noc_console.errors import NotFound
from noc_console.i18n import _
from noc_console.models import Customer, PortalUser
from noc_console.services import permissions
from noc_console.services.context import Principal, ServiceContext
from noc_console.services.escalation.timeline import customer_zone
from noc_console.services.password_reset.counts import RATE_WINDOW, reset_counts
from noc_console.services.permissions import Permission
from noc_console.services.policy import PasswordPolicyDTO, load_policy
from noc_console.services.validation import format_phone
from noc_console.text import format_cnpj


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
    timezone: str  # the customer's: the wizard says the link's times as the Users tab does


def mask_email(email: str | None) -> str:
    """'joao.silva@empresa.com.br' -> 'j***@empresa.com.br': enough to recognise, not to use."""
    if not email or "@" not in email:
        return "***"
    local, _sep, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def build_preview(
    session: Session, user: PortalUser, policy: PasswordPolicyDTO, now: datetime
) -> ResetPreview:
    customer = session.get(Customer, user.customer_id)
    assert customer is not None  # a foreign key guarantees it
    counts = reset_counts(session, user.id, now)
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
        timezone=customer_zone(customer.timezone).key,
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
        return build_preview(session, user, load_policy(session), now)
