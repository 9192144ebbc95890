"""Only the right commands change the store: reading commands (and `review resolve`) never
create it nor migrate it; a missing store, or one at another revision, is exit 2 and changes
nothing. Alembic says nothing at INFO."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from connector.store.migrate import head_revision, previous_revision, upgrade_schema
from tests.conftest import Systems
from tests.e2e.test_cli import clean_env, cli

# The commands that must never create nor migrate the store.
NON_MIGRATING = [
    ["review", "list"],
    ["review", "show", "1"],
    ["review", "resolve", "1", "--dismiss"],
    ["quarantine", "list"],
    ["quarantine", "retry", "--all"],
    ["status"],
    ["status", "--json"],
]


@contextmanager
def engine_on(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def snapshot(url: str) -> tuple[set[str], str | None]:
    """The tables, and the revision alembic_version holds."""
    with engine_on(url) as engine, engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in tables:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return tables, revision


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(str(parsed.database)) if parsed.get_backend_name() == "sqlite" else None


def test_review_list_on_a_missing_sqlite_path_exits_2_and_creates_nothing(tmp_path: Path) -> None:
    """A mistyped path: exit 2, a message naming the revision and `db upgrade`, no file, no
    folder."""
    folder = tmp_path / "typo"
    env = clean_env({"CONNECTOR_DATABASE_URL": f"sqlite:///{folder / 'pix-imilo.db'}"})
    result = cli(["review", "list"], env, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pix-imilo db upgrade" in result.stderr and head_revision() in result.stderr
    assert "The review queue is empty" not in result.stdout
    assert not folder.exists()


def test_every_non_migrating_command_refuses_a_missing_store(
    database_url: str, tmp_path: Path
) -> None:
    """No SQLite file, or a PostgreSQL database without alembic_version: exit 2, and nothing
    is created (no file, no table)."""
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url})
    for command in NON_MIGRATING:
        result = cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "pix-imilo db upgrade" in result.stderr, result.stderr
    path = sqlite_path(database_url)
    if path is not None:
        assert not path.parent.exists()
    else:
        assert snapshot(database_url) == (set(), None)


def test_a_store_one_revision_behind_exits_2_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    """The store at head-1: every non-migrating command says which revision is expected,
    which is found and how to upgrade; alembic_version and the tables stay as they were.
    `db upgrade` then brings it to the head, and `review list` works."""
    head = head_revision()
    behind = previous_revision(head)
    assert behind is not None
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    with engine_on(database_url) as engine:
        upgrade_schema(engine, behind)
    before = snapshot(database_url)
    assert before[1] == behind
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url})
    for command in NON_MIGRATING:
        result = cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert f"revision {behind}" in result.stderr and f"revision {head}" in result.stderr
        assert "pix-imilo db upgrade" in result.stderr
        assert snapshot(database_url) == before
    assert cli(["db", "upgrade"], env, tmp_path).returncode == 0
    assert snapshot(database_url)[1] == head
    listing = cli(["review", "list"], env, tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "The review queue is empty" in listing.stdout


def test_a_store_newer_than_the_code_asks_for_the_newer_image(
    database_url: str, tmp_path: Path
) -> None:
    """A revision this code does not know: exit 2, use the newer image; nothing changes."""
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url})
    assert cli(["db", "upgrade"], env, tmp_path).returncode == 0
    with engine_on(database_url) as engine, engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    before = snapshot(database_url)
    for command in (["review", "list"], ["status"]):
        result = cli(command, env, tmp_path)
        assert result.returncode == 2, result.stderr
        assert "revision ffff" in result.stderr and "newer pix-imilo image" in result.stderr
    assert snapshot(database_url) == before


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_alembic_speaks_at_info_only_in_debug(
    level: str, database_url: str, tmp_path: Path
) -> None:
    """`db upgrade` and `review list` print no Alembic INFO line, unless
    CONNECTOR_LOG_LEVEL=DEBUG."""
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url, "CONNECTOR_LOG_LEVEL": level})
    upgrade = cli(["db", "upgrade"], env, tmp_path)
    listing = cli(["review", "list"], env, tmp_path)
    assert upgrade.returncode == 0 and listing.returncode == 0, upgrade.stderr + listing.stderr
    said = upgrade.stderr + listing.stderr
    if level == "DEBUG":
        assert "Context impl" in said
    else:
        assert "alembic" not in said and "Context impl" not in said, said


@pytest.mark.contract_only("the store is checked before any API is read")
def test_charte_check_refuses_a_missing_store(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """`charte check` reads the store too: a missing one is exit 2, and stays missing."""
    result = cli(["charte", "check"], clean_env(systems.env(database_url)), tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pix-imilo db upgrade" in result.stderr
    path = sqlite_path(database_url)
    if path is not None:
        assert not path.parent.exists()
    else:
        assert snapshot(database_url) == (set(), None)
