"""Alembic environment. Always run through noc_console.migrate, which hands us a connection."""

from __future__ import annotations

from alembic import context

from noc_console.migrations.filters import include_object
from noc_console.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by noc_console.migrate
    raise RuntimeError("run migrations through 'noc-console db upgrade'")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
