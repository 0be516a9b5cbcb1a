"""The escalation editor: ``screen`` (the Textual screen) over ``state`` (its flow, no Textual).

``EscalationEditor`` is imported on first use, so ``state`` and the modules
beside it load, and are unit-tested, without Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from noc_console.screens.escalation.screen import EscalationEditor

__all__ = ["EscalationEditor"]


def __getattr__(name: str) -> Any:
    if name == "EscalationEditor":
        from noc_console.screens.escalation.screen import EscalationEditor

        return EscalationEditor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
