"""Escalation history for supervisors: who answered, how fast, and its CSV export.

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
