"""Carries one planned realisation into I-Milo, exactly once, even across crashes.

The order is what makes it safe:
1. the intent is committed to the ledger as *pending* (write-ahead);
2. the prescription is set to réalisé, guarded by ``statutAttendu=ONGOING`` and an
   idempotency key derived from the participation and the prescription;
3. the actualité is recorded, with its own derived key;
4. the ledger entry becomes *applied*.

A crash anywhere leaves a pending entry; the next run resumes it by reading I-Milo first
(``resume``), so nothing is written twice and nothing is lost.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
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
    FAILED = "failed"  # retried on the next run
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


class RealisationWriter:
    def __init__(
        self, imilo: IMilo, store: SqlStateStore, clock: Callable[[], datetime], run_id: str
    ) -> None:
        self._imilo = imilo
        self._store = store
        self._clock = clock
        self._run_id = run_id

    def apply(self, write: PlannedWrite) -> WriteOutcome:
        """Carry out a fresh plan item."""
        self._store.begin_write(write, self._run_id, self._clock())
        return self._carry_out(write, prescription_known_open=True)

    def resume(self, entry: LedgerEntry) -> WriteOutcome:
        """Finish an intent left pending by an interrupted run."""
        return self._carry_out(resumed_write(entry), prescription_known_open=False)

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
            if prescription_known_open or not self._actualite_exists(entry):
                self._imilo.record_actualite(
                    entry.dossier_id,
                    NewActualite(
                        prescription_id=entry.prescription_id,
                        nature=entry.nature,
                        date=entry.realisation_date,
                        commentaire=entry.comment,
                    ),
                    idempotency_key=idempotency_key(
                        entry.participation_id, entry.prescription_id, "actualite"
                    ),
                )
        except PrescriptionConflict:
            self._store.abandon_write(entry.participation_id)
            log.info("prescription_changed_meanwhile", **ids)
            return WriteOutcome.CONFLICT
        except FatalApiError as error:
            if error.status in _ACCESS_REFUSED:
                # Our key, not the write, was refused: keep the intent for the next run.
                log.warning("write_not_authorised", error=str(error), **ids)
                return WriteOutcome.FAILED
            # The request itself was refused: retrying it cannot help, so plan afresh next run.
            self._store.abandon_write(entry.participation_id)
            log.warning("write_refused", error=str(error), **ids)
            return WriteOutcome.FAILED
        except ApiError as error:
            log.warning("write_interrupted", error=str(error), **ids)
            return WriteOutcome.FAILED
        self._store.complete_write(entry.participation_id, self._clock())
        log.info("realisation_applied", realisation_date=entry.realisation_date.isoformat(), **ids)
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
        return any(
            a.prescription_id == entry.prescription_id
            and a.nature == entry.nature.value
            and a.date == entry.realisation_date
            for a in self._imilo.actualites(entry.dossier_id)
        )
