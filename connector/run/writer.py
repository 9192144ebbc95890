"""Carries planned realisations into I-Milo, exactly once, even across crashes.

The order is what makes it safe:
1. the intents of a batch are committed to the ledger as *pending* (write-ahead), in one commit;
2. for each, the prescription is set to réalisé, guarded by ``statutAttendu=ONGOING`` and an
   idempotency key derived from the participation and the prescription;
3. the actualité is recorded, with its own derived key, unless the plan says there is none
   (a test taken alone, ``modality: autonomous``: the charter asks for no actualité);
4. the batch is settled in one commit: the intents carried out become *applied*; those never
   started (a stop request) or refused are forgotten; those interrupted stay *pending*.

A crash anywhere leaves pending entries; the next run resumes them by reading I-Milo first
(``resume``), so nothing is written twice and nothing is lost. Committing per batch instead of
per write costs, after a crash, two reads for each intent of the batch that was not finished.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import datetime

import structlog

from connector.domain.model import NewActualite, PrescriptionStatus
from connector.domain.plan import PlannedWrite
from connector.errors import ApiError, FatalApiError, PrescriptionConflict
from connector.imilo.port import IMilo
from connector.store.sql import LedgerEntry, SqlStateStore

__all__ = ["RealisationWriter", "WriteOutcome", "idempotency_key"]

log = structlog.get_logger("connector.writer")
_ACCESS_REFUSED = (401, 403)


class WriteOutcome(enum.StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"  # a counsellor changed the prescription: left to review
    FAILED = "failed"  # interrupted: the intent stays pending, retried on the next run
    REFUSED = "refused"  # I-Milo refused the request itself: planned afresh on the next run
    PLANNED = "planned"  # a dry run: would have been applied


def resumed_write(entry: LedgerEntry) -> PlannedWrite:
    """A pending ledger entry, as the plan item it came from."""
    return PlannedWrite(
        participation_id=entry.participation_id,
        campaign_id=entry.campaign_id,
        structure_code=entry.structure_code,
        dossier_id=entry.dossier_id,
        prescription_id=entry.prescription_id,
        realisation_date=entry.realisation_date,
        nature=entry.nature,
        comment=entry.comment,
        evidence="resume",
    )


def idempotency_key(participation_id: int, prescription_id: int, step: str) -> str:
    """Stable across runs and replicas, so that a replayed write is recognised by I-Milo."""
    return f"pix-imilo:{participation_id}:{prescription_id}:{step}"


_DROPPED = (WriteOutcome.CONFLICT, WriteOutcome.REFUSED)


class RealisationWriter:
    def __init__(
        self, imilo: IMilo, store: SqlStateStore, clock: Callable[[], datetime], run_id: str
    ) -> None:
        self._imilo = imilo
        self._store = store
        self._clock = clock
        self._run_id = run_id

    def begin(self, writes: Sequence[PlannedWrite]) -> None:
        """Commit the intents of a batch, before any of its I-Milo writes."""
        self._store.begin_writes(writes, self._run_id, self._clock())

    def carry_out(self, write: PlannedWrite) -> WriteOutcome:
        """The I-Milo writes of a fresh plan item, whose intent ``begin`` committed. Safe to
        call from several threads at once; the ledger is left to ``settle``."""
        return self._carry_out(write, prescription_known_open=True)

    def settle(
        self,
        done: Sequence[tuple[PlannedWrite, WriteOutcome]],
        never_started: Sequence[PlannedWrite] = (),
    ) -> None:
        """Record the outcomes of a batch in one commit."""
        applied = [w for w, outcome in done if outcome is WriteOutcome.APPLIED]
        dropped = [w.participation_id for w, o in done if o in _DROPPED]
        dropped += [w.participation_id for w in never_started]
        self._store.settle_writes((w.participation_id for w in applied), dropped, self._clock())
        for write in applied:
            log.info(
                "realisation_applied",
                realisation_date=write.realisation_date.isoformat(),
                participation_id=write.participation_id,
                dossier_id=write.dossier_id,
                prescription_id=write.prescription_id,
            )

    def resume(self, entry: LedgerEntry) -> WriteOutcome:
        """Finish an intent left pending by an interrupted run."""
        write = resumed_write(entry)
        outcome = self._carry_out(write, prescription_known_open=False)
        self.settle([(write, outcome)])
        return outcome

    def _carry_out(self, entry: PlannedWrite, *, prescription_known_open: bool) -> WriteOutcome:
        ids = {
            "participation_id": entry.participation_id,
            "dossier_id": entry.dossier_id,
            "prescription_id": entry.prescription_id,
        }
        try:
            if prescription_known_open or self._still_to_realise(entry):
                self._imilo.mark_realised(
                    entry.dossier_id,
                    entry.prescription_id,
                    entry.realisation_date,
                    comment=entry.comment,
                    idempotency_key=idempotency_key(
                        entry.participation_id, entry.prescription_id, "realisation"
                    ),
                )
            nature = entry.nature
            if nature is not None and (
                prescription_known_open or not self._actualite_exists(entry)
            ):
                self._imilo.record_actualite(
                    entry.dossier_id,
                    NewActualite(
                        prescription_id=entry.prescription_id,
                        nature=nature,
                        date=entry.realisation_date,
                        commentaire=entry.comment,
                    ),
                    idempotency_key=idempotency_key(
                        entry.participation_id, entry.prescription_id, "actualite"
                    ),
                )
        except PrescriptionConflict:
            log.info("prescription_changed_meanwhile", **ids)
            return WriteOutcome.CONFLICT
        except FatalApiError as error:
            if error.status in _ACCESS_REFUSED:
                # Our key, not the write, was refused: keep the intent for the next run.
                log.warning("write_not_authorised", error=str(error), **ids)
                return WriteOutcome.FAILED
            # The request itself was refused: retrying it cannot help, so plan afresh next run.
            log.warning("write_refused", error=str(error), **ids)
            return WriteOutcome.REFUSED
        except ApiError as error:
            log.warning("write_interrupted", error=str(error), **ids)
            return WriteOutcome.FAILED
        return WriteOutcome.APPLIED

    def _still_to_realise(self, entry: PlannedWrite) -> bool:
        current = self._imilo.prescription(entry.dossier_id, entry.prescription_id)
        if current is not None and current.statut == PrescriptionStatus.ONGOING:
            return True
        if (
            current is not None
            and current.statut == PrescriptionStatus.ACHIEVED
            and current.date_realisation == entry.realisation_date
        ):
            return False  # our own write went through before the interruption
        raise PrescriptionConflict("imilo", "the prescription is no longer prescrit")

    def _actualite_exists(self, entry: PlannedWrite) -> bool:
        """Whether the actualité of ``entry`` is already recorded. An entry without one (a
        test taken alone) has nothing to record: I-Milo is not read."""
        if entry.nature is None:
            return True
        return any(
            a.prescription_id == entry.prescription_id
            and a.nature == entry.nature.value
            and a.date == entry.realisation_date
            for a in self._imilo.actualites(entry.dossier_id)
        )
