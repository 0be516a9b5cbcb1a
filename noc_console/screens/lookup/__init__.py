"""The customer lookup: the screen, its rules (``state.py``) and its words (``texts.py``)."""

from noc_console.screens.lookup.screen import LookupScreen

__all__ = ["LookupScreen"]
