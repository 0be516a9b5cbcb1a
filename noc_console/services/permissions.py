"""Who may do what: one explicit table, checked by every service function.

Hiding a button is UX; ``require`` raising PermissionDenied is the security.
A denial is audited in its own transaction so it survives the failed call.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from noc_console.errors import PermissionDenied
from noc_console.i18n import N_, _
from noc_console.models import Customer, Role
from noc_console.services import audit
from noc_console.services.context import PortalPrincipal, Principal, ServiceContext

log = logging.getLogger(__name__)


class Permission(StrEnum):
    LOOKUP = "lookup"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a permission name
    EDIT_ESCALATION = "edit_escalation"
    VIEW_CONTRACTS = "view_contracts"
    VIEW_CONTRACT_VALUES = "view_contract_values"
    VIEW_AUDIT = "view_audit"
    MANAGE_OPERATORS = "manage_operators"
    VIEW_OPERATORS = "view_operators"
    RUN_ESCALATION = "run_escalation"
    VIEW_RUN_HISTORY = "view_run_history"


ROLE_LABELS: dict[Role, str] = {
    Role.ANALYST: N_("analyst"),
    Role.OPERATOR: N_("operator"),
    Role.SUPERVISOR: N_("supervisor"),
}

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.LOOKUP: N_("look customers up"),
    Permission.RESET_PASSWORD: N_("reset portal passwords"),
    Permission.EDIT_ESCALATION: N_("edit escalation chains"),
    Permission.VIEW_CONTRACTS: N_("see contracts"),
    Permission.VIEW_CONTRACT_VALUES: N_("see contract values"),
    Permission.VIEW_AUDIT: N_("read the audit log"),
    Permission.MANAGE_OPERATORS: N_("manage operators"),
    Permission.VIEW_OPERATORS: N_("list operators"),
    Permission.RUN_ESCALATION: N_("run escalations"),
    Permission.VIEW_RUN_HISTORY: N_("see the escalation history"),
}

_ANALYST = frozenset({Permission.LOOKUP, Permission.RESET_PASSWORD, Permission.VIEW_CONTRACTS})
_ANALYST |= {Permission.RUN_ESCALATION}  # escalation runs (issue 13)
_OPERATOR = _ANALYST | {Permission.EDIT_ESCALATION}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ANALYST: _ANALYST,
    Role.OPERATOR: _OPERATOR,
    Role.SUPERVISOR: frozenset(Permission),
}

# Refused in a read-only session whatever the role.
WRITE_PERMISSIONS = frozenset(
    {Permission.RESET_PASSWORD, Permission.EDIT_ESCALATION, Permission.MANAGE_OPERATORS}
)
WRITE_PERMISSIONS |= {Permission.RUN_ESCALATION}  # escalation runs (issue 13)


def allowed(role: Role, permission: Permission, *, read_only: bool = False) -> bool:
    if read_only and permission in WRITE_PERMISSIONS:
        return False
    return permission in ROLE_PERMISSIONS[role]


def portal_allowed(user: PortalPrincipal, permission: Permission) -> bool:
    """Portal users: only level-1 prepostos see contract values (the portal's own rule)."""
    if permission is Permission.VIEW_CONTRACT_VALUES:
        return user.preposto_level == 1
    return permission is Permission.VIEW_CONTRACTS


def require(
    ctx: ServiceContext,
    actor: Principal,
    permission: Permission,
    *,
    customer_id: int | None = None,
    subject: str | None = None,
) -> None:
    """Raise PermissionDenied (and audit it) unless the actor may do this now."""
    if allowed(actor.role, permission, read_only=ctx.read_only):
        return
    read_only_block = ctx.read_only and permission in WRITE_PERMISSIONS
    reason = "read_only" if read_only_block else "role"
    details: dict[str, object] = {"permission": permission.value, "role": actor.role.value}
    details["why"] = reason
    with ctx.sessions.begin() as session:
        # An id typed or forged by the caller may not exist: keep it in details, not as a key.
        known = customer_id is not None and session.get(Customer, customer_id) is not None
        if customer_id is not None and not known:
            details["customer_id"] = customer_id
        audit.record(
            session,
            at=ctx.clock.now(),
            action="permission_denied",
            operator_id=actor.operator_id,
            customer_id=customer_id if known else None,
            subject=subject,
            details=details,
        )
    log.info("permission denied: %s %s (%s)", actor.label, permission.value, reason)
    if read_only_block:
        raise PermissionDenied(_("this console is in read-only mode: changes are disabled"))
    raise PermissionDenied(
        _("the {role} role may not do this ({permission})").format(
            role=_(ROLE_LABELS[actor.role]), permission=_(PERMISSION_LABELS[permission])
        )
    )
