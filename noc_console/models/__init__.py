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
from noc_console.models.escalation_runs import (
    Channel,
    EscalationAttempt,
    EscalationRun,
    Outcome,
    RunState,
)
from noc_console.models.identifier_suffixes import IdentifierSuffix, SuffixField
from noc_console.models.name_words import (
    NameKind,
    NameVocabulary,
    NameWord,
    NameWordKey,
    NameWordPair,
)
from noc_console.models.operator_factors import OperatorRecoveryCode
from noc_console.models.operators import DIRECTORY_PASSWORD, Operator, OperatorSource, Role
from noc_console.models.outbox import NotificationOutbox, OutboxState
from noc_console.models.portal_users import (
    PasswordHistory,
    PasswordPolicy,
    PasswordResetToken,
    PortalSession,
    PortalUser,
    portal_user_search_values,
)

__all__ = [
    "DIRECTORY_PASSWORD",
    "MAX_LEVEL",
    "AuditEvent",
    "Base",
    "Channel",
    "Contract",
    "ContractStatus",
    "Customer",
    "CustomerStatus",
    "EscalationAttempt",
    "EscalationChain",
    "EscalationContact",
    "EscalationRun",
    "IdentifierSuffix",
    "Money",
    "NameKind",
    "NameVocabulary",
    "NameWord",
    "NameWordKey",
    "NameWordPair",
    "NotificationOutbox",
    "Operator",
    "OperatorRecoveryCode",
    "OperatorSource",
    "OutboxState",
    "Outcome",
    "PasswordHistory",
    "PasswordPolicy",
    "PasswordResetToken",
    "PortalSession",
    "PortalUser",
    "Role",
    "RunState",
    "SuffixField",
    "UTCDateTime",
    "contact_search_values",
    "customer_search_values",
    "portal_user_search_values",
    "utcnow",
]
