"""The review queue end to end: queued once, decided by a counsellor, applied once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.bootstrap import build
from connector.run.report import RunReport
from connector.settings import Settings
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems

pytestmark = pytest.mark.integration

ITEM = scenario.HOMONYM_PARTICIPATION
DOSSIER, PRESCRIPTION = scenario.HOMONYM_CHOICE


def run(settings: Settings) -> RunReport:
    with build(settings) as connector:
        return connector.sync.run_once()


def store(settings: Settings) -> SqlStateStore:
    return SqlStateStore.open(settings.database_url)


def test_homonyms_are_queued_with_ranked_candidates_and_no_names_in_the_summary(
    systems: Systems, settings: Settings
) -> None:
    """The item lists both Emma LEROY dossiers by id and score."""
    run(settings)
    entry = store(settings).reviews.get(ITEM)
    assert entry.reason == "homonyms"
    assert {d for d, _ in entry.ranked} >= {1000021, 1000022}
    assert entry.first_name == "Emma"  # kept for `review show`, for the counsellor


def test_an_item_is_not_queued_twice(systems: Systems, settings: Settings) -> None:
    """Seen again by the next run, an item is refreshed, not duplicated."""
    run(settings)
    first = store(settings).reviews.entries()
    run(settings)
    again = store(settings).reviews.entries()
    assert [e.participation_id for e in again] == [e.participation_id for e in first]


def test_a_resolution_is_applied_exactly_once_by_the_next_sync(
    systems: Systems, settings: Settings
) -> None:
    """Resolved to one of the homonyms, the next sync writes that dossier, once."""
    run(settings)
    writes = systems.state()["writes"]
    store(settings).reviews.resolve(ITEM, DOSSIER, datetime.now(UTC))
    # The cursor has moved past this participation: the resolution is carried out anyway.
    report = run(settings)
    assert report.updated == 1
    state = systems.state()
    assert systems.prescriptions()[PRESCRIPTION] == ("ACHIEVED", "2026-04-02")
    assert systems.prescriptions()[523] == ("ONGOING", None)  # the other Emma LEROY
    actualites = [a["idPrescription"] for a in state["actualites"]].count(PRESCRIPTION)
    assert actualites == (1 if systems.api == "contract" else 0)
    per_write = scenario.writes_per_realisation(systems.api)
    assert state["writes"] == writes + per_write
    entry = store(settings).reviews.get(ITEM)
    assert entry.status == "applied"
    assert entry.first_name is None  # what was typed is erased once decided
    run(settings)
    assert systems.state()["writes"] == writes + per_write


def test_a_dismissed_item_is_never_written_nor_queued_again(
    systems: Systems, settings: Settings
) -> None:
    """Dismissed, the item stays closed through later runs."""
    run(settings)
    store(settings).reviews.dismiss(ITEM, datetime.now(UTC))
    writes = systems.state()["writes"]
    report = run(settings)
    assert systems.state()["writes"] == writes
    assert report.reviews_by_reason.get("homonyms", 0) == 0
    assert store(settings).reviews.get(ITEM).status == "dismissed"
