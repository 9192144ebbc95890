"""State files are the owner's only (0600) whatever the umask: the ledger names people."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from connector.store.sql import SqlStateStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The loosest umask a host may have: nothing masked."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("permissive_umask")
def test_a_new_database_and_its_wal_files_are_created_0600(tmp_path: Path) -> None:
    database = tmp_path / "state" / "pix-imilo.db"
    store = SqlStateStore.open(f"sqlite:///{database}")
    try:
        # A write while the store is open: SQLite's -wal and -shm files exist now.
        with store.engine.begin() as connection:
            connection.execute(text("CREATE TABLE probe (id INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
        files = sorted(tmp_path.joinpath("state").iterdir())
        assert {f.name for f in files} >= {"pix-imilo.db", "pix-imilo.db-wal", "pix-imilo.db-shm"}
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.close()


@pytest.mark.usefixtures("permissive_umask")
def test_a_relative_database_url_is_created_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default URL, sqlite:///var/pix-imilo.db, is relative to the working directory."""
    monkeypatch.chdir(tmp_path)
    SqlStateStore.open("sqlite:///var/pix-imilo.db").close()
    assert _mode(tmp_path / "var" / "pix-imilo.db") == 0o600


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    """An operator who chose a mode (e.g. 0640 for a backup group) keeps it."""
    database = tmp_path / "pix-imilo.db"
    SqlStateStore.open(f"sqlite:///{database}").close()
    database.chmod(0o640)
    SqlStateStore.open(f"sqlite:///{database}").close()
    assert _mode(database) == 0o640


def test_an_in_memory_database_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    SqlStateStore.open("sqlite://").close()
    SqlStateStore.open("sqlite:///:memory:").close()
    assert list(tmp_path.iterdir()) == []
