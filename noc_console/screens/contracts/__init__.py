"""The contract browser: ``screen`` (Textual) over ``state`` (plain rules, no Textual).

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
