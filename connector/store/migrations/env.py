"""Alembic environment: always run from ``SqlStateStore.upgrade`` with a connection."""

from __future__ import annotations

from alembic import context

from connector.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite alters tables by copying them: batch mode does that for us.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
