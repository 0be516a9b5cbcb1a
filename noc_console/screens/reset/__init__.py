"""The assisted password reset wizard: screen, flow (``state``), words (``views``)."""

from noc_console.screens.reset.screen import ResetWizard
from noc_console.screens.reset.state import ResetOutcome

__all__ = ["ResetOutcome", "ResetWizard"]
