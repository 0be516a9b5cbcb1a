"""Reliability and security guarantees of issue 6, proven on SQLite and PostgreSQL."""
