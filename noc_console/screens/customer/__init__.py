"""One customer's view: the screen, its rules (``state.py``) and its rich pieces (``views.py``)."""

from noc_console.screens.customer.screen import CustomerScreen

__all__ = ["CustomerScreen"]
