"""What Alembic's autogenerate compares: the objects it cannot see are checked elsewhere."""

from __future__ import annotations

from typing import Any

# Objects that exist only on one backend and that Alembic cannot compare:
# SQLite FTS5 trigram tables (and their shadow tables), PostgreSQL trigram and prefix indexes.
SEARCH_OBJECT_PREFIXES = ("fts_", "trgm_", "pfx_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name and name.startswith(SEARCH_OBJECT_PREFIXES))
