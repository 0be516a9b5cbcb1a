"""Who may see a customer's contracts, and whether with values: resolved once per call.

Operators follow their role; portal users are re-read on every call, so a
preposto level changed since login applies at once. A refusal and every
viewing of values leave an audit event (never an amount).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from noc_console.errors import PermissionDenied
from noc_console.i18n import _
from noc_console.models import PortalUser
from noc_console.services import audit, permissions
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext
from noc_console.services.permissions import Permission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    """Who is looking, resolved once per call: audit identity and the value rule."""

    operator_id: int | None
    portal_user_id: int | None
    values_visible: bool

    def actor(self) -> dict[str, Any]:
        """The audit event's actor columns for this viewer."""
        return {"operator_id": self.operator_id, "portal_user_id": self.portal_user_id}


def authorize(ctx: ServiceContext, viewer: Principal | PortalPrincipal, customer_id: int) -> Access:
    if isinstance(viewer, Principal):
        permissions.require(ctx, viewer, Permission.VIEW_CONTRACTS, customer_id=customer_id)
        visible = permissions.allowed(
            viewer.role, Permission.VIEW_CONTRACT_VALUES, read_only=ctx.read_only
        )
        return Access(viewer.operator_id, None, visible)
    if isinstance(viewer, PortalPrincipal):
        return _authorize_portal(ctx, viewer, customer_id)
    raise PermissionDenied(_("unknown kind of user; contracts are not shown"))


def _authorize_portal(ctx: ServiceContext, viewer: PortalPrincipal, customer_id: int) -> Access:
    """The preposto level is re-read: a level changed since login applies at once."""
    with ctx.read_sessions() as session:
        user = session.get(PortalUser, viewer.portal_user_id)
        current = (
            replace(viewer, preposto_level=user.preposto_level, customer_id=user.customer_id)
            if user is not None and user.is_active
            else None
        )
    why: str | None = None
    if current is None:
        why = "inactive"
    elif current.customer_id != viewer.customer_id:
        why = "customer_changed"
    elif not permissions.portal_allowed(current, Permission.VIEW_CONTRACTS):
        why = "role"
    elif customer_id != current.customer_id:
        why = "other_customer"
    if why is None and current is not None:
        visible = permissions.portal_allowed(current, Permission.VIEW_CONTRACT_VALUES)
        return Access(None, current.portal_user_id, visible)
    audit.record_now(
        ctx,
        action="permission_denied",
        portal_user_id=viewer.portal_user_id,
        customer_id=customer_id,
        subject=viewer.label,
        details={"permission": Permission.VIEW_CONTRACTS.value, "why": why},
    )
    log.info(
        "permission denied: %s view contracts of customer %s (%s)", viewer.label, customer_id, why
    )
    if why == "other_customer":
        raise PermissionDenied(_("you may only see your own company's contracts"))
    raise PermissionDenied(_("this portal user may not see contracts"))


def record_values_viewed(
    ctx: ServiceContext, access: Access, customer_id: int, details: dict[str, Any]
) -> None:
    audit.record_now(
        ctx,
        action="contract_values_viewed",
        customer_id=customer_id,
        details=details,
        **access.actor(),
    )
