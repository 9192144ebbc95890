"""Everything a run changes: what ``Effects`` asks I-Milo and records in the store, what each
answer leads to, and ``DryRun`` changing nothing anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from connector.domain.matching import ReviewReason
from connector.domain.model import (
    Actualite,
    Dossier,
    Nature,
    NewActualite,
    Participation,
    ParticipationStatus,
    Prescription,
    PrescriptionStatus,
)
from connector.domain.plan import PlannedWrite, Review
from connector.errors import FatalApiError, TransientApiError
from connector.pix.records import InvalidParticipation
from connector.run.effects import DryRun, Effects
from connector.run.writer import WriteOutcome, idempotency_key
from connector.store.schema import runs
from connector.store.sql import SqlStateStore
from tests.fakes import FakeIMilo

NOW = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
DAY = date(2026, 3, 12)
DOSSIER, PRESCRIPTION, PARTICIPATION, CAMPAIGN = 1000001, 501, 1, 10
WRITE = PlannedWrite(
    participation_id=PARTICIPATION,
    campaign_id=CAMPAIGN,
    structure_code="75010S00",
    dossier_id=DOSSIER,
    prescription_id=PRESCRIPTION,
    realisation_date=DAY,
    nature=Nature.ENTRETIEN_INDIVIDUEL,
    comment="Pix",
)
REALISATION_KEY = idempotency_key(PARTICIPATION, PRESCRIPTION, "realisation")
ACTUALITE_KEY = idempotency_key(PARTICIPATION, PRESCRIPTION, "actualite")


def imilo_with(status: PrescriptionStatus = PrescriptionStatus.ONGOING) -> FakeIMilo:
    realised = DAY if status is PrescriptionStatus.ACHIEVED else None
    return FakeIMilo(
        dossiers=[Dossier(DOSSIER, "75010S00", "DURAND", None, "Léa")],
        prescriptions=[Prescription(PRESCRIPTION, DOSSIER, 1, status, date(2026, 2, 1), realised)],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = SqlStateStore.open(f"sqlite:///{tmp_path}/s.db")
    yield opened
    opened.close()


def effects(imilo: FakeIMilo, store: SqlStateStore, kind: type[Effects] = Effects) -> Effects:
    return kind(imilo, store, lambda: NOW, "run-1")


def written(store: SqlStateStore) -> list[tuple[int, str]]:
    return [(e.participation_id, e.state) for e in store.ledger_entries()]


def test_a_write_realises_then_records_the_actualite_under_derived_keys(
    store: SqlStateStore,
) -> None:
    imilo = imilo_with()
    real = effects(imilo, store)
    real.begin_writes([WRITE])
    assert written(store) == [(PARTICIPATION, "pending")]  # the intent before any write
    assert imilo.calls == []
    assert real.carry_out(WRITE) is WriteOutcome.APPLIED
    actualite = NewActualite(PRESCRIPTION, Nature.ENTRETIEN_INDIVIDUEL, DAY, "Pix")
    assert imilo.calls == [
        (
            "mark_realised",
            (DOSSIER, PRESCRIPTION, DAY, WRITE.expected, "Pix", REALISATION_KEY),
        ),
        ("record_actualite", (DOSSIER, actualite, ACTUALITE_KEY)),
    ]
    assert imilo.statuses()[PRESCRIPTION] == ("ACHIEVED", DAY)
    real.settle([(WRITE, WriteOutcome.APPLIED)], [])
    assert written(store) == [(PARTICIPATION, "applied")]
    assert store.applied_participations([PARTICIPATION]) == {PARTICIPATION}


def test_a_test_taken_alone_records_no_actualite(store: SqlStateStore) -> None:
    imilo = imilo_with()
    real = effects(imilo, store)
    alone = replace(WRITE, nature=None)
    real.begin_writes([alone])
    assert real.carry_out(alone) is WriteOutcome.APPLIED
    assert [c.method for c in imilo.calls] == ["mark_realised"]


def test_a_prescription_changed_meanwhile_is_a_conflict_and_its_intent_forgotten(
    store: SqlStateStore,
) -> None:
    """A counsellor closed it after the read: never overwritten, no actualité."""
    imilo = imilo_with(PrescriptionStatus.REFUSAL_YOUNG)
    real = effects(imilo, store)
    real.begin_writes([WRITE])
    assert real.carry_out(WRITE) is WriteOutcome.CONFLICT
    assert [c.method for c in imilo.calls] == ["mark_realised"]
    assert imilo.statuses()[PRESCRIPTION] == ("REFUSAL_YOUNG", None)
    real.settle([(WRITE, WriteOutcome.CONFLICT)], [])
    assert written(store) == []


@pytest.mark.parametrize(
    ("error", "outcome", "kept"),
    [
        (TransientApiError("imilo", "unavailable", 503), WriteOutcome.FAILED, True),
        (FatalApiError("imilo", "forbidden", 403), WriteOutcome.FAILED, True),  # our key
        (FatalApiError("imilo", "bad request", 400), WriteOutcome.REFUSED, False),
    ],
)
def test_a_failed_write_is_kept_or_planned_afresh(
    store: SqlStateStore, error: Exception, outcome: WriteOutcome, kept: bool
) -> None:
    imilo = imilo_with()
    imilo.fail("mark_realised", error, call=1)
    real = effects(imilo, store)
    real.begin_writes([WRITE])
    assert real.carry_out(WRITE) is outcome
    assert imilo.asked("record_actualite") == []
    real.settle([(WRITE, outcome)], [])
    assert written(store) == ([(PARTICIPATION, "pending")] if kept else [])


def test_writes_never_started_are_forgotten(store: SqlStateStore) -> None:
    other = replace(WRITE, participation_id=2, prescription_id=502)
    real = effects(imilo_with(), store)
    real.begin_writes([WRITE, other])
    real.carry_out(WRITE)
    real.settle([(WRITE, WriteOutcome.APPLIED)], [other])
    assert written(store) == [(PARTICIPATION, "applied")]


def test_resuming_after_the_realisation_adds_only_the_missing_actualite(
    store: SqlStateStore,
) -> None:
    """The last run died between the two writes: I-Milo is read first, then only the
    actualité is recorded."""
    imilo = imilo_with(PrescriptionStatus.ACHIEVED)
    real = effects(imilo, store)
    real.begin_writes([WRITE])
    [entry] = real.pending_writes()
    assert real.resume(entry) is WriteOutcome.APPLIED
    assert [c.method for c in imilo.calls] == ["prescription", "actualites", "record_actualite"]
    assert written(store) == [(PARTICIPATION, "applied")]


def test_resuming_a_write_that_went_through_writes_nothing(store: SqlStateStore) -> None:
    imilo = imilo_with(PrescriptionStatus.ACHIEVED)
    imilo.actualites_list.append(
        Actualite(1, DOSSIER, PRESCRIPTION, Nature.ENTRETIEN_INDIVIDUEL.value, DAY, "Pix")
    )
    real = effects(imilo, store)
    real.begin_writes([WRITE])
    [entry] = real.pending_writes()
    assert real.resume(entry) is WriteOutcome.APPLIED
    assert imilo.writes() == []
    assert written(store) == [(PARTICIPATION, "applied")]


def test_resuming_a_write_a_counsellor_overtook_is_a_conflict(store: SqlStateStore) -> None:
    imilo = imilo_with(PrescriptionStatus.ABANDONED)
    real = effects(imilo, store)
    real.begin_writes([WRITE])
    [entry] = real.pending_writes()
    assert real.resume(entry) is WriteOutcome.CONFLICT
    assert imilo.writes() == []
    assert written(store) == []


def participation() -> Participation:
    return Participation(
        id=PARTICIPATION,
        campaign_id=CAMPAIGN,
        status=ParticipationStatus.SHARED,
        created_at=NOW,
        shared_at=NOW,
        participant_id=None,
        mastery_rate=0.5,
        first_name="Léa",
        last_name="Durand",
        external_id=None,
    )


REVIEW = Review(PARTICIPATION, CAMPAIGN, "75010S00", ReviewReason.HOMONYMS)
INVALID = InvalidParticipation("line-2", CAMPAIGN, "createdAt is missing", {"id": "line-2"})


def run_everything(effect: Effects) -> None:
    """Every effect of a run, in its order."""
    effect.start_run()
    effect.quarantine(INVALID)
    effect.begin_writes([WRITE])
    outcome = effect.carry_out(WRITE)
    effect.settle([(WRITE, outcome)], [])
    effect.put_reviews([(REVIEW, participation())])
    effect.advance_cursors({CAMPAIGN: NOW})
    effect.finish_run("completed", {"updated": 1})


def run_rows(store: SqlStateStore) -> list[tuple[str, str | None]]:
    with store.engine.connect() as conn:
        return [(r.run_id, r.outcome) for r in conn.execute(select(runs))]


def test_a_real_run_records_everything(store: SqlStateStore) -> None:
    imilo = imilo_with()
    run_everything(effects(imilo, store))
    assert [c.method for c in imilo.calls] == ["mark_realised", "record_actualite"]
    assert written(store) == [(PARTICIPATION, "applied")]
    assert store.quarantine_count() == 1
    assert store.reviews.open_count() == 1
    assert store.cursor(CAMPAIGN) is not None
    assert run_rows(store) == [("run-1", "completed")]


def test_a_dry_run_writes_nothing_anywhere(store: SqlStateStore) -> None:
    """Not to I-Milo, not to the ledger, the cursors, the review queue, the quarantine or
    the runs; each write is only planned."""
    imilo = imilo_with()
    dry = effects(imilo, store, DryRun)
    assert dry.dry_run
    run_everything(dry)
    assert dry.carry_out(WRITE) is WriteOutcome.PLANNED
    assert imilo.calls == []
    assert imilo.statuses()[PRESCRIPTION] == ("ONGOING", None)
    assert written(store) == []
    assert store.quarantine_count() == 0
    assert store.reviews.open_count() == 0
    assert store.cursor(CAMPAIGN) is None
    assert run_rows(store) == []


def test_a_dry_run_reads_the_pending_writes_but_resumes_none(store: SqlStateStore) -> None:
    """An interrupted write is listed as planned: the dry run neither reads I-Milo about it
    nor settles it."""
    effects(imilo_with(), store).begin_writes([WRITE])
    imilo = imilo_with()
    dry = effects(imilo, store, DryRun)
    [entry] = dry.pending_writes()
    assert dry.resume(entry) is WriteOutcome.PLANNED
    assert imilo.calls == []
    assert written(store) == [(PARTICIPATION, "pending")]
