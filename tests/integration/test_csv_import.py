"""A Pix Orga CSV export goes through the same matching and idempotent writes as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.bootstrap import build
from connector.pix.csv_export import read_export
from connector.pix.csv_source import CsvExportPix
from connector.settings import load_imilo_settings, load_settings
from connector.sync import RunScope
from tests import scenario
from tests.conftest import Systems, start_systems
from tests.csv_exports import campaign_export

pytestmark = pytest.mark.integration


def outcome(systems: Systems) -> tuple[dict[int, Any], list[tuple[Any, ...]]]:
    state = systems.state()
    actualites = sorted(
        (a["idDossier"], a["idPrescription"], a["nature"], a["date"], a["commentaire"])
        for a in state["actualites"]
    )
    return systems.prescriptions(), actualites


def import_csv(systems: Systems, database_url: str, path: Path) -> Any:
    env = {k: v for k, v in systems.env(database_url).items() if not k.startswith("PIX_")}
    settings = load_imilo_settings(**env)
    source = CsvExportPix(read_export(path), scenario.PARIS)
    with build(settings, pix=source) as connector:
        return connector.sync.run_once(RunScope(checkpoint=False))


def test_a_csv_export_gives_the_same_writes_as_the_api_and_a_reimport_writes_nothing(
    tmp_path: Path,
) -> None:
    """Same prescriptions, dates, natures and comments; importing twice writes nothing."""
    export = tmp_path / "export.csv"
    export.write_bytes(campaign_export(10))
    with start_systems(tmp_path / "api") as api:
        settings = load_settings(**api.env(f"sqlite:///{tmp_path / 'api.db'}"))
        with build(settings) as connector:
            connector.sync.run_once(RunScope(campaign_code="PARDIAG"))
        by_api = outcome(api)
    with start_systems(tmp_path / "csv") as csv:
        database_url = f"sqlite:///{tmp_path / 'csv.db'}"
        report = import_csv(csv, database_url, export)
        assert report.completed and report.updated > 0
        assert outcome(csv) == by_api
        writes = csv.state()["writes"]
        again = import_csv(csv, database_url, export)
        assert again.updated == 0 and csv.state()["writes"] == writes
