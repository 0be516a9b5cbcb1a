"""One customer's view: ``screen`` (Textual) over ``state`` (its rules, no Textual) and ``views``.

This package imports nothing itself, so ``state`` loads, and is unit-tested, without Textual.
"""
