"""One escalation run: its contacts to call, attempts and actions (``screen`` over ``state``).

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
