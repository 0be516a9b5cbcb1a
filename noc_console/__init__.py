"""noc-console: the NOC's terminal console over the customer Service Portal database."""

__version__ = "0.1.0"
