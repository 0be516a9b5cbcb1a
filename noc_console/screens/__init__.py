"""Screens: thin views over the services; blocking work runs in their thread workers."""
