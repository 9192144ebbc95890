"""Shared fixtures: the scenario's simulators on loopback, and settings pointing at them."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from connector.settings import Settings, load_settings
from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from connector.simulators.fixture_writer import FIXTURE_FILES, write_array
from tests import scenario

# Property tests check behaviour, not speed (speed is measured in bench/): on a shared 2-core
# machine running the suite on two workers, a draw may take seconds, so Hypothesis' timing
# checks (a per-example deadline, "input generation is slow") would fail at random.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

IMILO_APIS = ("contract", "sessions")
SIM_OPERATEUR, SIM_CLIENT_ID, SIM_CLIENT_SECRET = "APPLICATION_CEJ", "pix-imilo", "sim-secret"


@dataclass
class Systems:
    """Both simulators, running; I-Milo's in mode ``api`` (``contract`` or ``sessions``)."""

    pix_url: str
    imilo_url: str
    data_dir: Path
    mappings_dir: Path
    api: str = "contract"

    def state(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.imilo_url}/_sim/state", timeout=10).json()
        return body

    def prescriptions(self) -> dict[int, tuple[str, str | None]]:
        return {p["id"]: (p["statut"], p["dateRealisation"]) for p in self.state()["prescriptions"]}

    def env(self, database_url: str) -> dict[str, str]:
        env = {
            "PIX_API_URL": self.pix_url,
            "PIX_CLIENT_ID": scenario.CLIENT_ID,
            "PIX_CLIENT_SECRET": scenario.CLIENT_SECRET,
            "IMILO_API_URL": self.imilo_url,
            "IMILO_API_KEY": scenario.API_KEY,
            "CONNECTOR_DATABASE_URL": database_url,
            "CONNECTOR_MAPPINGS_DIR": str(self.mappings_dir),
            # The simulators need no protection: keep tests fast.
            "IMILO_MAX_RPS": "0",
        }
        if self.api == "sessions":
            env.update(
                {
                    "IMILO_API": "sessions",
                    "IMILO_OPERATEUR": SIM_OPERATEUR,
                    "IMILO_TOKEN_URL": f"{self.imilo_url}/oauth/token",
                    "IMILO_CLIENT_ID": SIM_CLIENT_ID,
                    "IMILO_CLIENT_SECRET": SIM_CLIENT_SECRET,
                }
            )
        return env


@contextmanager
def start_systems(
    root: Path, edit: Callable[[Path], None] | None = None, *, api: str = "contract"
) -> Iterator[Systems]:
    """Write the scenario under ``root``, let ``edit`` change its files, serve it (I-Milo in
    mode ``api``)."""
    data_dir = scenario.write_scenario(root)
    if edit is not None:
        edit(data_dir)
    with (
        running(create_pix_app(load_pix_data(data_dir))) as pix_url,
        running(create_imilo_app(load_imilo_data(data_dir), api=api)) as imilo_url,
    ):
        yield Systems(pix_url, imilo_url, data_dir, root / "mappings", api)


def rewrite_fixture(
    directory: Path, name: str, change: Callable[[list[Any]], Sequence[Any]]
) -> None:
    """Rewrite one of the simulators' files under ``directory`` (``name`` relative to it,
    e.g. ``"imilo/offres.json"``) as ``change`` of its rows, through the shared fixture
    writer, in the layout ``scenario.write_scenario`` uses. The other files stay as they
    are; a name the simulators do not read is refused, as by ``write_fixtures``."""
    if name not in FIXTURE_FILES:
        raise ValueError(f"not a simulator fixture file: {name}")
    path = directory / name
    rows: list[Any] = json.loads(path.read_text(encoding="utf-8"))
    write_array(path, change(rows), indent=1)


@pytest.fixture
def imilo_api(request: pytest.FixtureRequest) -> str:
    """The I-Milo mode: both, for the integration and end-to-end tests that ask for it (through
    ``systems`` or directly) and are not marked ``contract_only``; else ``contract``."""
    api: str = getattr(request, "param", "contract")
    return api


@pytest.fixture
def systems(tmp_path: Path, imilo_api: str) -> Iterator[Systems]:
    with start_systems(tmp_path, api=imilo_api) as started:
        yield started


POSTGRES_URL = os.environ.get("PIX_IMILO_TEST_POSTGRES", "postgresql+psycopg://127.0.0.1:5432/test")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Integration tests run on both backends; end-to-end tests on the default, SQLite.

    Integration and end-to-end tests that ask for ``imilo_api`` (``systems`` does) run in both
    I-Milo modes, unless marked ``contract_only("why")``."""
    parts = metafunc.definition.path.parts
    if "database_url" in metafunc.fixturenames:
        integration = "integration" in str(metafunc.definition.path)
        backends = ["sqlite", "postgresql"] if integration else ["sqlite"]
        metafunc.parametrize("database_url", backends, indirect=True)
    if "imilo_api" in metafunc.fixturenames and ("integration" in parts or "e2e" in parts):
        only = metafunc.definition.get_closest_marker("contract_only")
        if only is not None:
            if not (only.args and str(only.args[0]).strip()):
                raise pytest.UsageError(f"{metafunc.definition.nodeid}: contract_only needs a why")
            return
        metafunc.parametrize("imilo_api", IMILO_APIS, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'pix-imilo.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test PostgreSQL, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"pix_imilo_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip("PostgreSQL is not reachable (set PIX_IMILO_TEST_POSTGRES)")
    try:
        yield str(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(systems: Systems, database_url: str) -> Settings:
    return load_settings(**systems.env(database_url))
