"""Time zones never stop a run: a structure served with a wrong zone, or none, over loopback.

The scenario, edited: Paris is served « Mars/Olympus » (its code names department 75),
Cayenne is served no zone at all (as by the real gateway), and La Réunion's structure gets a
code that names no department (ZZ411S00) with « Mars/Olympus ».
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.bootstrap import build
from connector.run.report import RunReport
from connector.settings import Settings, load_settings
from tests import scenario
from tests.conftest import Systems, rewrite_fixture, start_systems
from tests.e2e.test_cli import clean_env, cli, last_json_line

pytestmark = pytest.mark.integration

NOWHERE = "ZZ411S00"  # La Réunion's structure, under a code that names no department
REUNION_PRESCRIPTIONS = (503, 504)


def odd_zones(data: Path) -> None:
    """Paris served « Mars/Olympus », Cayenne served no zone, La Réunion renamed NOWHERE and
    served « Mars/Olympus »."""

    def zones(structures: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for structure in structures:
            if structure["code"] == scenario.PARIS:
                structure["timezone"] = "Mars/Olympus"
            elif structure["code"] == scenario.CAYENNE:
                del structure["timezone"]
            elif structure["code"] == scenario.REUNION:
                structure["code"] = NOWHERE
                structure["timezone"] = "Mars/Olympus"
        return structures

    def moved(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            if row["codeStructure"] == scenario.REUNION:
                row["codeStructure"] = NOWHERE
        return rows

    rewrite_fixture(data, "imilo/structures.json", zones)
    rewrite_fixture(data, "imilo/offres.json", moved)
    rewrite_fixture(data, "imilo/dossiers.json", moved)
    mapping = data.parent / "mappings" / "organisations.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace(scenario.REUNION, NOWHERE), encoding="utf-8")


def set_zone_of_nowhere(systems: Systems, zone: str) -> None:
    (systems.mappings_dir / "imilo.yaml").write_text(
        f"timezones:\n  {NOWHERE}: {zone}\n", encoding="utf-8"
    )


def run(settings: Settings) -> RunReport:
    with build(settings) as connector:
        return connector.sync.run_once()


def expected_without_reunion(api: str) -> dict[int, tuple[str, str | None]]:
    expected = scenario.expected_state(api)
    for prescription in REUNION_PRESCRIPTIONS:
        expected[prescription] = scenario.initial_prescriptions()[prescription]
    return expected


def realised_in_reunion(api: str) -> set[int]:
    """La Réunion's expected realisations in mode ``api`` (in sessions mode, Maëlys GRONDIN
    is identified by her names only: not written)."""
    return set(REUNION_PRESCRIPTIONS) & set(scenario.expected(api))


@pytest.fixture
def odd(tmp_path: Path, imilo_api: str) -> Iterator[Systems]:
    with start_systems(tmp_path, odd_zones, api=imilo_api) as systems:
        yield systems


@pytest.mark.contract_only("the contract API's structure route; the session routes serve no zone")
def test_the_simulator_serves_the_zone_as_it_is_or_none(odd: Systems) -> None:
    def served(code: str) -> dict[str, object]:
        body: dict[str, object] = httpx.get(
            f"{odd.imilo_url}/operateurs/structures/{code}",
            headers={"X-Gravitee-Api-Key": scenario.API_KEY},
            timeout=10,
        ).json()
        return body

    assert served(scenario.PARIS)["timezone"] == "Mars/Olympus"
    assert "timezone" not in served(scenario.CAYENNE)


def test_a_structure_with_no_zone_found_is_skipped_and_the_others_are_synced(
    odd: Systems, database_url: str
) -> None:
    """Paris falls back to Europe/Paris, Cayenne to America/Cayenne; NOWHERE is skipped,
    reported, and nothing is written there. The run completes."""
    report = run(load_settings(**odd.env(database_url)))
    assert list(report.skipped_structures) == [NOWHERE]
    reason = report.skipped_structures[NOWHERE]
    assert "no French department" in reason and "timezones:" in reason
    assert report.errors == []
    assert report.completed
    realised = scenario.expected(odd.api)
    assert report.updated == len(realised) - len(realised_in_reunion(odd.api))
    assert odd.prescriptions() == expected_without_reunion(odd.api)
    # Dated in each structure's own zone: 22:59 / 23:01 UTC in Paris, 02:59 / 03:01 UTC in
    # Cayenne (the day before, then the same day), with no zone served there.
    prescriptions = odd.prescriptions()
    assert prescriptions[501] == ("ACHIEVED", "2026-03-12")
    assert prescriptions[502] == ("ACHIEVED", "2026-03-13")
    assert prescriptions[505] == ("ACHIEVED", "2026-03-12")
    assert prescriptions[506] == ("ACHIEVED", "2026-03-13")
    actualites = {a["idPrescription"] for a in odd.state()["actualites"]}
    assert not actualites & set(REUNION_PRESCRIPTIONS)


def test_a_zone_set_in_imilo_yaml_brings_the_skipped_structure_in(
    odd: Systems, database_url: str
) -> None:
    """Nothing is lost while a structure is skipped: once its zone is set, the next run
    realises its results, dated in that zone (20:01 UTC is the next day in La Réunion)."""
    settings = load_settings(**odd.env(database_url))
    run(settings)
    set_zone_of_nowhere(odd, "Indian/Reunion")
    report = run(settings)
    assert report.skipped_structures == {}
    assert report.updated == len(realised_in_reunion(odd.api))
    prescriptions = odd.prescriptions()
    assert prescriptions[503] == ("ACHIEVED", "2026-03-12")
    if odd.api == "contract":
        assert prescriptions[504] == ("ACHIEVED", "2026-03-13")
    assert prescriptions == scenario.expected_state(odd.api)


@pytest.mark.contract_only("its one case, Maëlys GRONDIN, is identified by names only")
def test_an_override_wins_over_the_served_zone(odd: Systems, database_url: str) -> None:
    """La Réunion's structure set to Cayenne's zone: 20:01 UTC is then still 12 March."""
    set_zone_of_nowhere(odd, "America/Cayenne")
    run(load_settings(**odd.env(database_url)))
    assert odd.prescriptions()[504] == ("ACHIEVED", "2026-03-12")


def test_the_cli_run_exits_0_and_reports_the_skipped_structure(
    odd: Systems, tmp_path: Path
) -> None:
    """``pix-imilo sync --once --json``: exit 0, the skipped structure in the JSON, the
    others written; the logs name the structure, not what I-Milo served."""
    env = clean_env(odd.env(f"sqlite:///{tmp_path / 'cli-state' / 'pix-imilo.db'}"))
    result = cli(["sync", "--once", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    body = last_json_line(result.stdout)
    assert body["outcome"] == "completed"
    assert list(body["skipped_structures"]) == [NOWHERE]
    realised = scenario.expected(odd.api)
    assert body["updated"] == len(realised) - len(realised_in_reunion(odd.api))
    assert odd.prescriptions() == expected_without_reunion(odd.api)
    events = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    skipped = [e for e in events if e.get("event") == "structure_skipped"]
    assert [e["structure"] for e in skipped] == [NOWHERE]
    fallback = [e for e in events if e.get("event") == "structure_timezone_unknown"]
    # Paris's « Mars/Olympus » is refused for its department's zone; the session routes
    # serve no zone at all, so the department's is the one to use, silently.
    served_wrong = [(scenario.PARIS, "Europe/Paris")] if odd.api == "contract" else []
    assert [(e["structure"], e["timezone"]) for e in fallback] == served_wrong
    assert "Mars/Olympus" not in result.stderr
