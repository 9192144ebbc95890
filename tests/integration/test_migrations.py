"""The Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from connector.store.migrate import head_revision
from connector.store.schema import metadata
from connector.store.sql import SqlStateStore

pytestmark = pytest.mark.integration


def test_migrations_match_the_declared_schema(database_url: str) -> None:
    """No drift between migrations/versions and store/schema.py."""
    SqlStateStore.open(database_url).close()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == head_revision()
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_opening_twice_is_harmless(database_url: str) -> None:
    """Replicas and restarts open an up-to-date store: nothing to do, no error."""
    SqlStateStore.open(database_url).close()
    SqlStateStore.open(database_url).close()
