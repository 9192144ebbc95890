"""Dry runs, the charter gate on offers, and the worker's hot reload of mappings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.bootstrap import build
from connector.entrypoints.worker import Worker
from connector.settings import Settings, load_settings
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems, rewrite_fixture, start_systems

pytestmark = pytest.mark.integration


def rename_cayenne_offer(data: Path) -> None:
    def rename(offres: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for offre in offres:
            if offre["codeStructure"] == scenario.CAYENNE:
                offre["nom"] = "Évaluation PIX"
        return offres

    rewrite_fixture(data, "imilo/offres.json", rename)


def store_is_empty(settings: Settings) -> bool:
    store = SqlStateStore.open(settings.database_url)
    try:
        return not (
            store.ledger_entries()
            or store.reviews.entries(status=None)
            or store.quarantine_count()
            or any(store.cursor(c[0]) for c in scenario.CAMPAIGNS)
        )
    finally:
        store.close()


def test_a_dry_run_writes_nothing_and_the_next_run_does_exactly_its_plan(
    systems: Systems, settings: Settings
) -> None:
    """Nothing in I-Milo, nothing in the store; then updated == planned, same prescriptions."""
    with build(settings) as connector:
        dry = connector.sync.run_once(dry_run=True)
    assert systems.state()["writes"] == 0
    assert store_is_empty(settings)
    assert {w.prescription_id for w in dry.planned} == set(scenario.expected(systems.api))
    assert dry.as_json()["planned"] == len(scenario.expected(systems.api))
    with build(settings) as connector:
        real = connector.sync.run_once()
    assert real.updated == len(dry.planned)
    assert {w.prescription_id for w in real.applied} == {w.prescription_id for w in dry.planned}


def test_a_structure_without_a_conformant_offer_is_reported_not_guessed(
    tmp_path: Path, database_url: str, imilo_api: str
) -> None:
    """Cayenne's offer named « Évaluation PIX »: skipped with a reason, nothing written there."""
    with start_systems(tmp_path, rename_cayenne_offer, api=imilo_api) as systems:
        settings = load_settings(**systems.env(database_url))
        with build(settings) as connector:
            report = connector.sync.run_once()
        assert scenario.CAYENNE in report.skipped_structures
        assert "charte check" in report.skipped_structures[scenario.CAYENNE]
        prescriptions = systems.prescriptions()
        assert prescriptions[505] == ("ONGOING", None) and prescriptions[506] == ("ONGOING", None)
        assert prescriptions[501][0] == "ACHIEVED"  # other structures go on


@pytest.mark.contract_only("sees the mappings used through an actualité's nature: none in sessions")
def test_the_worker_reloads_mappings_and_keeps_the_last_good_ones_on_a_broken_edit(
    systems: Systems, settings: Settings
) -> None:
    """A broken edit: logged, metric at 0, shown by /readyz; the run goes on with the old."""
    worker = Worker(settings)
    campaigns = systems.mappings_dir / "campaigns.yaml"
    with build(settings, metrics=worker.metrics) as connector:
        campaigns.write_text("campaigns:\n  PARATEL:\n    modality: grup\n", encoding="utf-8")
        worker._run(connector)
        assert worker.metrics.mappings_valid._value.get() == 0
        _, body = worker.readiness.check()
        # A count, never the problems' text (a file's content could be quoted there).
        assert "1 problem(s)" in body["mappings"]
        assert "grup" not in body["mappings"]
        # The last good mappings (PARATEL as a group) were used.
        natures = {a["idPrescription"]: a["nature"] for a in systems.state()["actualites"]}
        assert natures[507] == "ATELIER"
        campaigns.write_text(scenario.CAMPAIGNS_YAML, encoding="utf-8")
        worker._run(connector)
        assert worker.metrics.mappings_valid._value.get() == 1
        assert "mappings" not in worker.readiness.check()[1]
