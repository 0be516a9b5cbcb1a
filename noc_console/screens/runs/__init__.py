"""The escalation board: every open run, what is due next, live (``screen`` over ``state``).

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
