"""A whole sync over participations in the shape the real partner API serves them: SHA-1
participantId, null (or SSO) authenticationId, stages, badges, tubes and fields the connector
does not know. The right prescriptions are written, and nothing goes to quarantine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.bootstrap import build
from connector.settings import load_settings
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems, rewrite_fixture, start_systems
from tests.integration.test_sync import assert_correct_final_state

pytestmark = pytest.mark.integration


def real_shapes_only(data_dir: Path) -> None:
    """The scenario without its malformed records, with the variants Pix's code and its route
    documentation allow (api/src/maddo: CampaignParticipation.js, campaigns-routes.js,
    get-campaign-participations.js)."""

    def reshape(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = [r for r in records if r not in scenario.MALFORMED]
        for row in rows:
            if row["id"] % 3 == 0:
                row["authenticationId"] = f"sso-{row['id']}"  # an SSO's externalIdentifier
                row["authenticationRequestedData"] = {"family_name": None}
            if row["id"] % 4 == 0:
                row.pop("organizationLearnerId")  # the model does not keep it
            row["nextGeneration"] = {"certifiable": None, "levels": [1, 2]}
        assert all(len(r["participantId"]) == 40 for r in rows)
        return rows

    rewrite_fixture(data_dir, "pix/participations.json", reshape)


@pytest.fixture
def real(tmp_path: Path) -> Iterator[Systems]:
    with start_systems(tmp_path, real_shapes_only) as systems:
        yield systems


@pytest.mark.contract_only("Pix's shapes: the I-Milo mode changes nothing")
def test_a_sync_over_real_shapes_writes_and_quarantines_nothing(
    real: Systems, database_url: str
) -> None:
    settings = load_settings(**real.env(database_url))
    with build(settings) as connector:
        report = connector.sync.run_once()
    assert report.completed
    assert report.quarantined == 0
    assert report.updated == len(scenario.EXPECTED)
    assert_correct_final_state(real)
    store = SqlStateStore.open(database_url)
    try:
        assert store.quarantine_entries() == []
    finally:
        store.close()
