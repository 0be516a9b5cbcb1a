"""The audit log: ``screen`` (Textual) over ``state`` (plain rules, no Textual), and its dialog."""

from noc_console.screens.audit.details import AuditDetailsScreen
from noc_console.screens.audit.screen import AuditLogScreen
from noc_console.screens.audit.state import FilterInput, parse_filters, preset_dates

__all__ = ["AuditDetailsScreen", "AuditLogScreen", "FilterInput", "parse_filters", "preset_dates"]
