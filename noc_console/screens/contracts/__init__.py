"""The contract browser: ``screen`` (Textual) over ``state`` (plain rules, no Textual)."""

from noc_console.screens.contracts.screen import ContractBrowser
from noc_console.screens.contracts.state import ContractQuery

__all__ = ["ContractBrowser", "ContractQuery"]
