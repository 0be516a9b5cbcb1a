"""The shell's name for the screen after login: the customer lookup.

The app and the tests ask for "the main screen" without caring which screen
plays that part; today it is the lookup (``noc_console.screens.lookup``).
"""

from noc_console.screens.lookup.screen import LookupScreen

MainScreen = LookupScreen

__all__ = ["LookupScreen", "MainScreen"]
