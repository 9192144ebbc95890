"""The Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from connector.domain.model import Nature
from connector.domain.plan import PlannedWrite
from connector.store.migrate import _config, head_revision
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
    """Replicas and restarts open an up-to-date store: nothing to do, no error. The second
    opening changes no table and no revision, and what the first one stored is kept."""
    store = SqlStateStore.open(database_url)
    store.advance_cursors({10: datetime(2026, 3, 12, tzinfo=UTC)}, datetime.now(UTC))
    store.close()
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        again = SqlStateStore.open(database_url)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    try:
        changes = [
            s
            for s in statements
            if s.lstrip().split(None, 1)[0].upper()
            in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"}
        ]
        assert statements and changes == []  # it looked, and found nothing to do
        with again.engine.connect() as conn:
            assert conn.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalars().all() == [head_revision()]
        assert again.cursor(10) is not None
    finally:
        again.close()


def _at_revision(database_url: str, revision: str) -> None:
    """A fresh store as an older connector left it: upgraded to ``revision`` only."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)
    engine.dispose()


def test_upgrading_from_0002_keeps_the_ledger_and_allows_no_nature(database_url: str) -> None:
    """A store written by the previous version: its ledger rows survive the change of the
    nature column (SQLite copies the table), and a realisation without an actualité can then
    be stored and read back."""
    _at_revision(database_url, "0002")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ledger (participation_id, campaign_id, structure_code, dossier_id,"
                " prescription_id, realisation_date, nature, comment, state, run_id,"
                " planned_at, applied_at) VALUES (1, 10, '75010S00', 1000001, 501,"
                " '2026-03-12', 'ATELIER', 'Pix', 'applied', 'run-0',"
                " '2026-03-13T08:00:00.000000+00:00', '2026-03-13T08:00:01.000000+00:00')"
            )
        )
    engine.dispose()

    store = SqlStateStore.open(database_url)
    try:
        [kept] = store.ledger_entries()
        assert (kept.participation_id, kept.nature, kept.state) == (1, Nature.ATELIER, "applied")
        assert kept.realisation_date == date(2026, 3, 12)
        alone = PlannedWrite(
            participation_id=2,
            campaign_id=12,
            structure_code="75010S00",
            dossier_id=1000002,
            prescription_id=502,
            realisation_date=date(2026, 3, 13),
            nature=None,
            comment="Pix",
        )
        store.begin_writes([alone], "run-1", datetime(2026, 3, 14, tzinfo=UTC))
        [pending] = store.pending_writes()
        assert (pending.participation_id, pending.nature) == (2, None)
        with store.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            columns = {c["name"]: c for c in inspect(conn).get_columns("ledger")}
            indexes = {i["name"] for i in inspect(conn).get_indexes("ledger")}
        assert columns["nature"]["nullable"] is True
        assert {"ix_ledger_campaign_id", "ix_ledger_dossier_id", "ix_ledger_state"} <= indexes
    finally:
        store.close()
