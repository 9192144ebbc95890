"""A Pix Orga CSV export goes through the same matching and idempotent writes as the API."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from connector.bootstrap import build
from connector.domain.model import ServedStructure
from connector.entrypoints.cli import _csv_structure_zone
from connector.errors import TransientApiError, UsageError
from connector.pix.csv_export import read_export
from connector.pix.csv_source import CsvExportPix
from connector.run.sync import RunScope
from connector.settings import load_imilo_settings, load_settings
from tests import scenario
from tests.conftest import Systems, start_systems
from tests.csv_exports import campaign_export
from tests.e2e.test_cli import clean_env, cli

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
    tmp_path: Path, imilo_api: str
) -> None:
    """Same prescriptions, dates, natures and comments; importing twice writes nothing."""
    export = tmp_path / "export.csv"
    export.write_bytes(campaign_export(10))
    with start_systems(tmp_path / "api", api=imilo_api) as api:
        settings = load_settings(**api.env(f"sqlite:///{tmp_path / 'api.db'}"))
        with build(settings) as connector:
            connector.sync.run_once(RunScope(campaign_code="PARDIAG"))
        by_api = outcome(api)
    with start_systems(tmp_path / "csv", api=imilo_api) as csv:
        database_url = f"sqlite:///{tmp_path / 'csv.db'}"
        report = import_csv(csv, database_url, export)
        assert report.completed and report.updated > 0
        assert outcome(csv) == by_api
        writes = csv.state()["writes"]
        again = import_csv(csv, database_url, export)
        assert again.updated == 0 and csv.state()["writes"] == writes


def run_import_csv(
    systems: Systems, tmp_path: Path, export: bytes, structure: str
) -> subprocess.CompletedProcess[str]:
    """``pix-imilo import-csv`` as a process, with the I-Milo settings only."""
    path = tmp_path / "export.csv"
    path.write_bytes(export)
    database = f"sqlite:///{tmp_path / 'state.db'}"
    env = clean_env({k: v for k, v in systems.env(database).items() if not k.startswith("PIX_")})
    return cli(["import-csv", str(path), "--structure", structure, "--json"], env, tmp_path)


def test_import_csv_dates_a_date_only_export_in_the_structures_zone(
    systems: Systems, tmp_path: Path
) -> None:
    """An older export with date-only cells, for a structure in Cayenne (UTC-3): « 12/03/2026 »
    is realised on 12 March there, not on the 11th (midnight in Paris is 20:00 the day before
    in Cayenne). The organisation's own columns before the label change nothing."""
    extra = [("Service", "Accueil"), ("Code postal", "97300")]
    export = campaign_export(30, extra=extra, day_in="America/Cayenne")
    assert b";12/03/2026;Oui;12/03/2026;" in export  # as typed, no time
    done = run_import_csv(systems, tmp_path, export, scenario.CAYENNE)
    assert done.returncode == 0, done.stderr
    assert '"event": "csv_dates_zone"' in done.stderr
    assert '"timezone": "America/Cayenne"' in done.stderr
    prescriptions = systems.prescriptions()
    assert prescriptions[505] == ("ACHIEVED", "2026-03-12")
    assert prescriptions[506] == ("ACHIEVED", "2026-03-13")
    dates = {a["idPrescription"]: a["date"] for a in systems.state()["actualites"]}
    if systems.api == "contract":
        assert dates[505].startswith("2026-03-12")
    else:
        assert dates == {}  # no actualités on the session routes


def test_import_csv_without_a_zone_for_the_structure_is_a_usage_error(
    systems: Systems, tmp_path: Path
) -> None:
    """A code I-Milo does not know and that names no department: no zone to read the dates
    in, so exit 2 with the setting to fix, no traceback, nothing written."""
    done = run_import_csv(systems, tmp_path, campaign_export(30), "ZZ001S00")
    assert done.returncode == 2
    assert "structure ZZ001S00 has no time zone" in done.stderr
    assert "`timezones:` in imilo.yaml" in done.stderr
    assert "Traceback" not in done.stderr
    assert systems.state()["writes"] == 0


class _IMiloServing:
    def __init__(self, served: ServedStructure | Exception | None) -> None:
        self.served = served

    def structure(self, code: str) -> ServedStructure | None:
        if isinstance(self.served, Exception):
            raise self.served
        return self.served


@pytest.mark.parametrize(
    ("served", "overrides", "zone"),
    [
        (ServedStructure("97302S00", "ML", "America/Cayenne"), {}, "America/Cayenne"),
        (ServedStructure("97302S00", "ML", None), {}, "America/Cayenne"),  # its department
        (ServedStructure("97302S00", "ML", "Mars/Olympus"), {}, "America/Cayenne"),
        (None, {}, "America/Cayenne"),  # unknown to I-Milo: the run reports it
        (TransientApiError("imilo", "unreachable", 503), {}, "America/Cayenne"),
        (ServedStructure("97302S00", "ML", None), {"97302S00": "Europe/Paris"}, "Europe/Paris"),
    ],
)
def test_the_zone_of_the_export_is_the_one_the_sync_resolves(
    served: ServedStructure | Exception | None, overrides: dict[str, str], zone: str
) -> None:
    """imilo.yaml's zone, else I-Milo's when valid, else the department's, even when the
    structure cannot be read."""
    assert _csv_structure_zone(_IMiloServing(served), overrides, "97302S00") == zone  # type: ignore[arg-type]


def test_no_zone_at_all_names_the_setting_to_fix() -> None:
    """Nothing served and no department: a usage error pointing at imilo.yaml."""
    with pytest.raises(UsageError, match="timezones:"):
        _csv_structure_zone(_IMiloServing(None), {}, "ZZ001S00")  # type: ignore[arg-type]
