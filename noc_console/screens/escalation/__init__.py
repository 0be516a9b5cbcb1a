"""The escalation editor: ``screen`` (the Textual screen) over ``state`` (its flow, no Textual).

This package imports nothing itself, so ``state`` and the modules beside it load, and are
unit-tested, without Textual.
"""
