"""Starting an escalation run from an incident: ticket, reason, the open-run warning.

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
