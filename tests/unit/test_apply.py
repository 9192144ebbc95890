"""Carrying out planned writes: write-ahead intents, bounded concurrency, batched commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connector.domain.capabilities import CONTRACT
from connector.domain.model import (
    Actualite,
    Nature,
    NewActualite,
    Prescription,
    PrescriptionStatus,
)
from connector.domain.plan import PlannedWrite
from connector.run.apply import apply_writes
from connector.run.writer import RealisationWriter, WriteOutcome
from connector.store.sql import SqlStateStore


def planned(n: int) -> list[PlannedWrite]:
    return [
        PlannedWrite(
            participation_id=i,
            campaign_id=1,
            structure_code="X",
            dossier_id=1000 + i,
            prescription_id=2000 + i,
            realisation_date=date(2026, 3, 1),
            nature=Nature.ATELIER,
            comment="Pix",
        )
        for i in range(n)
    ]


class Ledger:
    """Records the commits and checks the write-ahead order."""

    def __init__(self, *, outcome: WriteOutcome = WriteOutcome.APPLIED, pause: float = 0.0):
        self.lock = threading.Lock()
        self.outcome = outcome
        self.pause = pause
        self.begun: set[int] = set()
        self.applied: set[int] = set()
        self.dropped: set[int] = set()
        self.begin_commits = 0
        self.settle_commits = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.raises_for: set[int] = set()
        self.stop_after: int | None = None
        self.stop = threading.Event()
        self.carried_out = 0

    def begin_writes(self, writes: Sequence[PlannedWrite]) -> None:
        with self.lock:
            self.begin_commits += 1
            self.begun.update(w.participation_id for w in writes)

    def carry_out(self, write: PlannedWrite) -> WriteOutcome:
        with self.lock:
            assert write.participation_id in self.begun  # the intent is committed first
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.pause)
        with self.lock:
            self.in_flight -= 1
            self.carried_out += 1
            if self.stop_after is not None and self.carried_out >= self.stop_after:
                self.stop.set()
        if write.participation_id in self.raises_for:
            raise RuntimeError("boom")
        return self.outcome

    def settle(
        self,
        done: Sequence[tuple[PlannedWrite, WriteOutcome]],
        never_started: Sequence[PlannedWrite],
    ) -> None:
        with self.lock:
            self.settle_commits += 1
            self.applied.update(w.participation_id for w, o in done if o is WriteOutcome.APPLIED)
            self.dropped.update(w.participation_id for w in never_started)


def test_every_write_is_carried_out_and_settled_with_two_commits_per_batch() -> None:
    ledger = Ledger()
    writes = planned(250)
    done = apply_writes(writes, ledger, concurrency=4, stopping=lambda: False, batch=100)
    assert sorted(w.participation_id for w, _ in done) == list(range(250))
    assert ledger.applied == set(range(250)) and not ledger.dropped
    assert ledger.begin_commits == 3
    assert ledger.settle_commits <= 4  # 100, 100, and the rest (which may come in two)


def test_no_more_writes_in_flight_than_the_concurrency() -> None:
    ledger = Ledger(pause=0.002)
    apply_writes(planned(40), ledger, concurrency=3, stopping=lambda: False, batch=10)
    assert ledger.most_in_flight == 3


def test_a_stop_lets_writes_in_flight_finish_and_forgets_the_intents_never_started() -> None:
    ledger = Ledger()
    ledger.stop_after = 1
    done = apply_writes(planned(50), ledger, concurrency=1, stopping=ledger.stop.is_set, batch=10)
    assert [w.participation_id for w, _ in done] == [0]
    assert ledger.applied == {0}
    assert ledger.dropped == ledger.begun - {0}  # committed, never started: nothing pending
    assert ledger.begun in (set(range(10)), set(range(20)))  # two batches at most were begun


def test_a_write_that_raises_stays_pending_and_the_error_surfaces_after_settling() -> None:
    ledger = Ledger()
    ledger.raises_for = {5}
    with pytest.raises(RuntimeError, match="boom"):
        apply_writes(planned(40), ledger, concurrency=1, stopping=lambda: False, batch=10)
    assert ledger.applied == set(range(5))  # no write starts after the one that raised
    assert 5 not in ledger.applied | ledger.dropped  # unknown outcome: left pending
    assert ledger.dropped == ledger.begun - set(range(6))


def test_the_pool_never_waits_for_the_next_batch() -> None:
    """The next batch is handed over before the current one ends: with batches of 2, four
    writes are in flight at once, two of each."""
    ledger = Ledger(pause=0.005)
    apply_writes(planned(12), ledger, concurrency=4, stopping=lambda: False, batch=2)
    assert ledger.most_in_flight == 4
    assert ledger.applied == set(range(12))


def test_nothing_to_write_commits_nothing() -> None:
    ledger = Ledger()
    assert apply_writes([], ledger, concurrency=4, stopping=lambda: False) == []
    assert ledger.begin_commits == ledger.settle_commits == 0


# --- RealisationWriter: what it sends to I-Milo --------------------------------------------


class RecordingIMilo:
    """The writer's side of the I-Milo port, in memory, recording every call."""

    capabilities = CONTRACT

    def __init__(self, statut: PrescriptionStatus = PrescriptionStatus.ONGOING) -> None:
        self.calls: list[str] = []
        self.statut: PrescriptionStatus | str = statut
        self.date_realisation: date | None = None
        self.recorded: list[Actualite] = []
        self.expected: list[PrescriptionStatus] = []

    def prescription(self, dossier_id: int, prescription_id: int) -> Prescription:
        self.calls.append("prescription")
        return self._current(dossier_id, prescription_id)

    def _current(self, dossier_id: int, prescription_id: int) -> Prescription:
        return Prescription(
            prescription_id, dossier_id, 1, self.statut, date(2026, 2, 1), self.date_realisation
        )

    def mark_realised(
        self,
        dossier_id: int,
        prescription_id: int,
        realisation_date: date,
        *,
        expected: PrescriptionStatus,
        comment: str,
        idempotency_key: str,
    ) -> Prescription:
        self.calls.append("mark_realised")
        self.expected.append(expected)
        self.statut, self.date_realisation = PrescriptionStatus.ACHIEVED, realisation_date
        return self._current(dossier_id, prescription_id)

    def actualites(self, dossier_id: int) -> list[Actualite]:
        self.calls.append("actualites")
        return list(self.recorded)

    def record_actualite(
        self, dossier_id: int, actualite: NewActualite, *, idempotency_key: str
    ) -> Actualite:
        self.calls.append("record_actualite")
        recorded = Actualite(
            len(self.recorded) + 1,
            dossier_id,
            actualite.prescription_id,
            actualite.nature.value,
            actualite.date,
            actualite.commentaire,
        )
        self.recorded.append(recorded)
        return recorded


ALONE = PlannedWrite(
    participation_id=7,
    campaign_id=12,
    structure_code="75010S00",
    dossier_id=1000001,
    prescription_id=501,
    realisation_date=date(2026, 3, 12),
    nature=None,
    comment="Évaluation PIX réalisée le 12/03/2026 — mise à jour automatique",
)
NOW = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = SqlStateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def writer_for(imilo: RecordingIMilo, store: SqlStateStore) -> RealisationWriter:
    return RealisationWriter(imilo, store, lambda: NOW, "run-1")  # type: ignore[arg-type]


def test_a_test_taken_alone_is_realised_with_no_actualite(store: SqlStateStore) -> None:
    """modality: autonomous: réalisé, and not one actualité call; the ledger entry is applied
    with no nature."""
    imilo = RecordingIMilo()
    writer = writer_for(imilo, store)
    writer.begin([ALONE])
    outcome = writer.carry_out(ALONE)
    writer.settle([(ALONE, outcome)])
    assert outcome is WriteOutcome.APPLIED
    assert imilo.calls == ["mark_realised"]
    assert imilo.statut is PrescriptionStatus.ACHIEVED and imilo.recorded == []
    [entry] = store.ledger_entries()
    assert (entry.state, entry.nature) == ("applied", None)


def test_a_pending_entry_taken_alone_resumes_without_an_actualite(store: SqlStateStore) -> None:
    """Interrupted before the réalisé: the resume reads the prescription, writes it, and
    neither reads nor records an actualité."""
    store.begin_writes([ALONE], "run-0", NOW)
    [pending] = store.pending_writes()
    assert pending.nature is None
    imilo = RecordingIMilo()
    assert writer_for(imilo, store).resume(pending) is WriteOutcome.APPLIED
    assert imilo.calls == ["prescription", "mark_realised"]
    assert imilo.recorded == []
    assert store.pending_writes() == []


def test_a_pending_entry_taken_alone_already_realised_writes_nothing(
    store: SqlStateStore,
) -> None:
    """Interrupted after I-Milo's answer, before the ledger's commit: nothing is left to do."""
    store.begin_writes([ALONE], "run-0", NOW)
    [pending] = store.pending_writes()
    imilo = RecordingIMilo(PrescriptionStatus.ACHIEVED)
    imilo.date_realisation = ALONE.realisation_date
    assert writer_for(imilo, store).resume(pending) is WriteOutcome.APPLIED
    assert imilo.calls == ["prescription"]
    assert [e.state for e in store.ledger_entries()] == ["applied"]


def test_a_pending_entry_with_a_nature_still_gets_its_missing_actualite(
    store: SqlStateStore,
) -> None:
    """The usual case is unchanged: réalisé already written, the actualité is added."""
    with_nature = replace(ALONE, nature=Nature.ENTRETIEN_INDIVIDUEL)
    store.begin_writes([with_nature], "run-0", NOW)
    [pending] = store.pending_writes()
    imilo = RecordingIMilo(PrescriptionStatus.ACHIEVED)
    imilo.date_realisation = with_nature.realisation_date
    assert writer_for(imilo, store).resume(pending) is WriteOutcome.APPLIED
    assert imilo.calls == ["prescription", "actualites", "record_actualite"]
    assert [a.nature for a in imilo.recorded] == ["ENTRETIEN_INDIVIDUEL"]


def test_a_write_sends_the_status_its_plan_expects(store: SqlStateStore) -> None:
    """The guard is the plan's: the writer sends ``PlannedWrite.expected`` as it is."""
    imilo = RecordingIMilo()
    writer = writer_for(imilo, store)
    expecting = replace(ALONE, expected=PrescriptionStatus.ABANDONED)
    writer.begin([expecting])
    assert writer.carry_out(expecting) is WriteOutcome.APPLIED
    assert imilo.expected == [PrescriptionStatus.ABANDONED]


def test_a_resumed_write_expects_the_status_it_finds(store: SqlStateStore) -> None:
    """The ledger keeps no expected status: a resumed write expects the one it reads, when
    the domain says it may be realised; another one is a conflict, and nothing is written."""
    store.begin_writes([ALONE], "run-0", NOW)
    [pending] = store.pending_writes()
    imilo = RecordingIMilo()
    assert writer_for(imilo, store).resume(pending) is WriteOutcome.APPLIED
    assert imilo.expected == [PrescriptionStatus.ONGOING]
    store.begin_writes([replace(ALONE, participation_id=8)], "run-0", NOW)
    [closed] = store.pending_writes()
    refusing = RecordingIMilo(PrescriptionStatus.REFUSAL_YOUNG)
    assert writer_for(refusing, store).resume(closed) is WriteOutcome.CONFLICT
    assert refusing.calls == ["prescription"]
