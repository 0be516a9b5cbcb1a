"""The audit log: ``screen`` (Textual) over ``state`` (plain rules, no Textual), and its dialog.

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
