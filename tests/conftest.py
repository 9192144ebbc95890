"""Shared fixtures: the scenario's simulators on loopback, and settings pointing at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.settings import Settings, load_settings
from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from tests import scenario


@dataclass
class Systems:
    """Both simulators, running."""

    pix_url: str
    imilo_url: str
    data_dir: Path
    mappings_dir: Path

    def state(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.imilo_url}/_sim/state", timeout=10).json()
        return body

    def prescriptions(self) -> dict[int, tuple[str, str | None]]:
        return {p["id"]: (p["statut"], p["dateRealisation"]) for p in self.state()["prescriptions"]}

    def env(self, database_url: str) -> dict[str, str]:
        return {
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


@contextmanager
def start_systems(root: Path, edit: Callable[[Path], None] | None = None) -> Iterator[Systems]:
    """Write the scenario under ``root``, let ``edit`` change its files, serve it."""
    data_dir = scenario.write_scenario(root)
    if edit is not None:
        edit(data_dir)
    with (
        running(create_pix_app(load_pix_data(data_dir))) as pix_url,
        running(create_imilo_app(load_imilo_data(data_dir))) as imilo_url,
    ):
        yield Systems(pix_url, imilo_url, data_dir, root / "mappings")


@pytest.fixture
def systems(tmp_path: Path) -> Iterator[Systems]:
    with start_systems(tmp_path) as started:
        yield started


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'pix-imilo.db'}"


@pytest.fixture
def settings(systems: Systems, database_url: str) -> Settings:
    return load_settings(**systems.env(database_url))
