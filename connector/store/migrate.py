"""Schema creation and upgrades with Alembic, the same scripts for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from connector.errors import ConfigurationError

__all__ = [
    "check_schema",
    "current_revision",
    "head_revision",
    "previous_revision",
    "upgrade_schema",
]

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same for every replica.
_ADVISORY_LOCK = 7_402_191_605


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


def previous_revision(revision: str) -> str | None:
    """The revision just before ``revision`` (None before the first one)."""
    down = ScriptDirectory(str(_SCRIPTS)).get_revision(revision).down_revision
    assert down is None or isinstance(down, str)  # noqa: S101 - no merge revisions
    return down


def head_revision() -> str:
    head = ScriptDirectory(str(_SCRIPTS)).get_current_head()
    assert head is not None  # noqa: S101 - there is always a migration
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine, where: str) -> str:
    """The schema's revision, checked to be this code's head without changing anything (no
    table, no row): a missing store or one at another revision is a ``ConfigurationError``."""
    head = head_revision()
    with engine.connect() as connection:
        current = current_revision(connection)
        connection.rollback()
    if current == head:
        return current
    upgrade = "upgrade it with `pix-imilo db upgrade` (or start the worker, which does it)"
    if current is None:
        raise ConfigurationError(
            f"CONNECTOR_DATABASE_URL: {where} holds no state store (no schema revision found; "
            f"this connector expects revision {head}): check the URL, or create the store "
            "with `pix-imilo db upgrade` (or start the worker, which does it)"
        )
    known = {s.revision for s in ScriptDirectory(str(_SCRIPTS)).walk_revisions()}
    if current not in known:
        raise ConfigurationError(
            f"CONNECTOR_DATABASE_URL: {where} is at schema revision {current}, newer than "
            f"this connector's {head}: use the newer pix-imilo image"
        )
    raise ConfigurationError(
        f"CONNECTOR_DATABASE_URL: {where} is at schema revision {current}, this connector "
        f"expects revision {head}: {upgrade}"
    )


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest revision (or ``revision``), once, whatever the number
    of replicas."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends: a second replica waits, then finds it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
        current = current_revision(connection)
        known = {s.revision for s in ScriptDirectory(str(_SCRIPTS)).walk_revisions()}
        if current is not None and current not in known:
            raise ConfigurationError(
                f"CONNECTOR_DATABASE_URL: the state store is at schema revision {current}, "
                "newer than this connector knows: upgrade pix-imilo"
            )
        config = _config(connection)
        if current is None and "ledger" in inspect(connection).get_table_names():
            # A store created before migrations existed holds the first revision's tables.
            command.stamp(config, "0001")
        command.upgrade(config, revision)
