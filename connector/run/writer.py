"""Carries planned realisations into I-Milo, exactly once, even across crashes.

The order is what makes it safe:
1. the intents of a batch are committed to the ledger as *pending* (write-ahead), in one commit;
2. for each, the prescription is set to réalisé, guarded by ``statutAttendu`` (the status the
   plan expects to find, ``PlannedWrite.expected``) and an idempotency key derived from the
   participation and the prescription;
3. the actualité is recorded, with its own derived key, unless the plan says there is none
   (a test taken alone, ``modality: autonomous``: the charter asks for no actualité) or
   I-Milo cannot record one (``domain.writes.records_actualite``: the comment went with the
   réalisé, and the run counts the actualité as not recorded);
4. the batch is settled in one commit: the intents carried out become *applied*; those never
   started (a stop request) or refused are forgotten; those interrupted stay *pending*.

A crash anywhere leaves pending entries; the next run resumes them by reading I-Milo first
(``resume``), so nothing is written twice and nothing is lost. Committing per batch instead of
per write costs, after a crash, two reads for each intent of the batch that was not finished.

What a status found before or after a write means is the domain's (``domain.writes``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog

from connector.domain.model import NewActualite
from connector.domain.plan import PlannedWrite
from connector.domain.writes import (
    Found,
    WriteOutcome,
    before_resume,
    drops_intent,
    records_actualite,
    refused,
)
from connector.errors import ApiError, FatalApiError, PrescriptionConflict
from connector.imilo.port import IMilo
from connector.store.sql import LedgerEntry, SqlStateStore

__all__ = ["RealisationWriter", "WriteOutcome", "idempotency_key"]

log = structlog.get_logger("connector.writer")
_ACCESS_REFUSED = (401, 403)


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

    def begin(self, writes: Sequence[PlannedWrite]) -> None:
        """Commit the intents of a batch, before any of its I-Milo writes."""
        self._store.begin_writes(writes, self._run_id, self._clock())

    def carry_out(self, write: PlannedWrite) -> WriteOutcome:
        """The I-Milo writes of a fresh plan item, whose intent ``begin`` committed. Safe to
        call from several threads at once; the ledger is left to ``settle``."""
        return self._carry_out(write, resuming=False)

    def settle(
        self,
        done: Sequence[tuple[PlannedWrite, WriteOutcome]],
        never_started: Sequence[PlannedWrite] = (),
    ) -> None:
        """Record the outcomes of a batch in one commit."""
        applied = [w for w, outcome in done if outcome is WriteOutcome.APPLIED]
        dropped = [w.participation_id for w, o in done if drops_intent(o)]
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
        outcome = self._carry_out(write, resuming=True)
        self.settle([(write, outcome)])
        return outcome

    def _carry_out(self, entry: PlannedWrite, *, resuming: bool) -> WriteOutcome:
        """A fresh plan item's prescription was just read in the status it expects; a resumed
        one is read again first, and the domain says what its status means."""
        ids = {
            "participation_id": entry.participation_id,
            "dossier_id": entry.dossier_id,
            "prescription_id": entry.prescription_id,
        }
        try:
            found = Found.TO_REALISE
            if resuming:
                current = self._imilo.prescription(entry.dossier_id, entry.prescription_id)
                resumption = before_resume(entry, current)
                found, entry = resumption.found, resumption.write
                if found is Found.CHANGED:
                    raise PrescriptionConflict("imilo", "the prescription changed meanwhile")
            if found is Found.TO_REALISE:
                self._imilo.mark_realised(
                    entry.dossier_id,
                    entry.prescription_id,
                    entry.realisation_date,
                    expected=entry.expected,
                    comment=entry.comment,
                    idempotency_key=idempotency_key(
                        entry.participation_id, entry.prescription_id, "realisation"
                    ),
                )
            nature = entry.nature
            if (
                nature is not None
                and records_actualite(entry, self._imilo.capabilities)
                and (not resuming or not self._actualite_exists(entry))
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
            outcome = refused(access_refused=error.status in _ACCESS_REFUSED)
            if outcome is WriteOutcome.FAILED:
                log.warning("write_not_authorised", error=str(error), **ids)
            else:
                log.warning("write_refused", error=str(error), **ids)
            return outcome
        except ApiError as error:
            log.warning("write_interrupted", error=str(error), **ids)
            return WriteOutcome.FAILED
        return WriteOutcome.APPLIED

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
