"""The shared model set: the portal and the console map the same tables with these classes."""

from noc_console.models.audit import AuditEvent
from noc_console.models.base import Base, Money, UTCDateTime, utcnow
from noc_console.models.contracts import Contract, ContractStatus
from noc_console.models.customers import Customer, CustomerStatus, customer_search_values
from noc_console.models.escalation import (
    MAX_LEVEL,
    EscalationChain,
    EscalationContact,
    contact_search_values,
)
from noc_console.models.operators import Operator, Role
from noc_console.models.outbox import NotificationOutbox
from noc_console.models.portal_users import (
    PasswordHistory,
    PasswordPolicy,
    PasswordResetToken,
    PortalSession,
    PortalUser,
    portal_user_search_values,
)

__all__ = [
    "MAX_LEVEL",
    "AuditEvent",
    "Base",
    "Contract",
    "ContractStatus",
    "Customer",
    "CustomerStatus",
    "EscalationChain",
    "EscalationContact",
    "Money",
    "NotificationOutbox",
    "Operator",
    "PasswordHistory",
    "PasswordPolicy",
    "PasswordResetToken",
    "PortalSession",
    "PortalUser",
    "Role",
    "UTCDateTime",
    "contact_search_values",
    "customer_search_values",
    "portal_user_search_values",
    "utcnow",
]
