"""Escalation chains: who the NOC calls, level by level, and when.

The portal and the console edit the same chain with the same rules, so the
rules live here once: ``validation`` (pure, run by the editor on every
keystroke), ``store`` (reading and saving under the chain's version) and
``timeline`` (the one function that says when each level is due).
"""

from noc_console.services.escalation.dto import (
    CONTACT_FIELDS,
    DEFAULT_BOUNDS,
    DEFAULT_MAX_DELAY,
    DEFAULT_MIN_DELAY,
    ChainView,
    Contact,
    ContactInput,
    DelayBounds,
    SaveResult,
)
from noc_console.services.escalation.store import AUDIT_ACTION, get_chain, save_chain
from noc_console.services.escalation.timeline import TimelineStep, timeline, timeline_text
from noc_console.services.escalation.validation import (
    EMAIL_MAX,
    NAME_MAX,
    ROLE_TITLE_MAX,
    validate_levels,
)

__all__ = [
    "AUDIT_ACTION",
    "CONTACT_FIELDS",
    "DEFAULT_BOUNDS",
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MIN_DELAY",
    "EMAIL_MAX",
    "NAME_MAX",
    "ROLE_TITLE_MAX",
    "ChainView",
    "Contact",
    "ContactInput",
    "DelayBounds",
    "SaveResult",
    "TimelineStep",
    "get_chain",
    "save_chain",
    "timeline",
    "timeline_text",
    "validate_levels",
]
