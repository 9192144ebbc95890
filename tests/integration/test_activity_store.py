"""The console's « Activité » read from a real store: what is read, and the structure filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from connector.store.activity import Realised, Waiting, read_activity
from connector.store.schema import campaigns, ledger, quarantine, review
from connector.store.sql import SqlStateStore

pytestmark = pytest.mark.integration

PARIS, LYON = "75101S00", "69001S00"
T0 = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def ledger_row(participation: int, campaign: int, structure: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "participation_id": participation,
        "campaign_id": campaign,
        "structure_code": structure,
        "dossier_id": 1000 + participation,
        "prescription_id": 2000 + participation,
        "realisation_date": "2026-11-02",
        "nature": "ENTRETIEN_INDIVIDUEL",
        "comment": "Pix",
        "state": "applied",
        "run_id": "run-1",
        "planned_at": T0,
        "applied_at": T0,
    }
    row.update(extra)
    return row


def review_row(participation: int, structure: str, status: str, seen: datetime) -> dict[str, Any]:
    return {
        "participation_id": participation,
        "campaign_id": 10,
        "structure_code": structure,
        "reason": "homonyms",
        "ranked": [],
        "status": status,
        "created_at": seen,
        "first_name": "Emma",
        "last_name": "LEROY",
        "first_seen": seen,
        "last_seen": seen,
    }


def campaign_row(campaign: int, structure: str, diagnostic: str | None) -> dict[str, Any]:
    return {
        "campaign_id": campaign,
        "structure_code": structure,
        "code": f"CODE{campaign}",
        "name": f"Campagne {campaign}",
        "diagnostic": diagnostic,
        "modality": "individual",
        "last_seen": T0,
    }


def quarantine_row(key: str, campaign: int, seen: datetime) -> dict[str, Any]:
    return {
        "record_key": key,
        "campaign_id": campaign,
        "reason": "unreadable",
        "record": {},
        "first_seen": seen,
        "last_seen": seen,
    }


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = SqlStateStore.open("sqlite:///" + str(tmp_path / "state.db"))
    with store.engine.begin() as conn:
        conn.execute(
            insert(campaigns),
            [campaign_row(10, PARIS, "short"), campaign_row(20, LYON, "long")],
        )
        conn.execute(
            insert(ledger),
            [
                ledger_row(1, 10, PARIS),
                ledger_row(2, 10, PARIS, nature=None, realisation_date="2026-10-31"),
                ledger_row(3, 99, PARIS, nature="ATELIER"),  # campaign unknown
                ledger_row(4, 20, LYON),
                ledger_row(5, 10, PARIS, state="pending", applied_at=None),
            ],
        )
        conn.execute(
            insert(review),
            [
                review_row(6, PARIS, "open", T0),
                review_row(7, PARIS, "dismissed", T0),
                review_row(8, LYON, "open", T0),
            ],
        )
        conn.execute(
            insert(quarantine),
            [
                quarantine_row("q-paris", 10, T0),
                quarantine_row("q-lyon", 20, T0),
                quarantine_row("q-unknown", 99, T0),
            ],
        )
    yield store.engine
    store.close()


def test_every_structure_is_read_when_no_filter_is_given(engine: Engine) -> None:
    realised, waiting = read_activity(engine, None)
    assert sorted(
        realised, key=lambda r: (r.structure_code, r.realisation_date, r.nature or "")
    ) == [
        Realised(LYON, date(2026, 11, 2), T0, "ENTRETIEN_INDIVIDUEL", "long"),
        Realised(PARIS, date(2026, 10, 31), T0, None, "short"),
        Realised(PARIS, date(2026, 11, 2), T0, "ATELIER", None),
        Realised(PARIS, date(2026, 11, 2), T0, "ENTRETIEN_INDIVIDUEL", "short"),
    ]
    assert all(r.applied_at.tzinfo is not None for r in realised)
    assert sorted(waiting, key=lambda w: (w.kind, w.structure_code or "")) == [
        Waiting(None, T0, "quarantine"),
        Waiting(LYON, T0, "quarantine"),
        Waiting(PARIS, T0, "quarantine"),
        Waiting(LYON, T0, "review"),
        Waiting(PARIS, T0, "review"),
    ]


def test_a_structure_filter_leaves_out_every_other_structures_rows(engine: Engine) -> None:
    realised, waiting = read_activity(engine, [PARIS])
    assert {r.structure_code for r in realised} == {PARIS}
    assert len(realised) == 3
    assert sorted((w.kind, w.structure_code) for w in waiting) == [
        ("quarantine", PARIS),
        ("review", PARIS),
    ]


def test_an_empty_filter_reads_nothing(engine: Engine) -> None:
    assert read_activity(engine, []) == ([], [])
    assert read_activity(engine, {"13001S00"}) == ([], [])
