"""The assisted password reset wizard: ``screen`` over its flow (``state``, ``failure``)
and its words (``views``).

This package imports nothing itself, so the flow loads, and is unit-tested, without Textual.
"""
