"""The customer lookup: ``screen`` (Textual) over ``state`` (its rules, no Textual) and ``texts``.

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
