"""What the state of a prescription around a write means, and what a write's outcome leads to.

The writer (``connector.run.writer``) does the I/O; these rules say what it found:
- before a resumed write, the prescription read again is still to realise, already realised by
  the connector, or changed by a counsellor (``before_resume``);
- a write I-Milo refused is kept for the next run when our access was refused, and planned
  afresh when the request itself was (``refused``);
- a prescription found changed goes to a counsellor (``review_after``); a conflict or a
  refusal forgets its intent (``drops_intent``); a failure or a refusal holds its campaign's
  cursor (``holds_cursor``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from connector.domain.matching import ReviewReason
from connector.domain.model import Prescription, PrescriptionStatus
from connector.domain.plan import PlannedWrite, Review
from connector.domain.rules import REALISED, can_realise

__all__ = [
    "Found",
    "Resumption",
    "WriteOutcome",
    "before_resume",
    "drops_intent",
    "holds_cursor",
    "refused",
    "review_after",
]


class WriteOutcome(enum.StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"  # a counsellor changed the prescription: left to review
    FAILED = "failed"  # interrupted: the intent stays pending, retried on the next run
    REFUSED = "refused"  # I-Milo refused the request itself: planned afresh on the next run
    PLANNED = "planned"  # a dry run: would have been applied


class Found(enum.Enum):
    """A pending write's prescription, read again before the write is resumed."""

    TO_REALISE = "to_realise"  # still realisable: write it, expecting the status found
    REALISED_BY_US = "realised_by_us"  # réalisé on the write's date: it went through
    CHANGED = "changed"  # anything else: a counsellor's decision, never overwritten


@dataclass(frozen=True, slots=True)
class Resumption:
    found: Found
    write: PlannedWrite  # expecting the status found, when it is still to realise


def before_resume(write: PlannedWrite, current: Prescription | None) -> Resumption:
    """What the prescription of an interrupted write, as I-Milo holds it now, says of it.

    Still realisable (``rules.can_realise``): the write goes on, expecting the status found.
    Réalisé on the write's own date: the connector's write went through before the
    interruption. Anything else (gone, realised on another date, closed): changed.
    """
    if current is not None and can_realise(current.statut):
        return Resumption(
            Found.TO_REALISE, replace(write, expected=PrescriptionStatus(current.statut))
        )
    if (
        current is not None
        and current.statut == REALISED
        and current.date_realisation == write.realisation_date
    ):
        return Resumption(Found.REALISED_BY_US, write)
    return Resumption(Found.CHANGED, write)


def refused(*, access_refused: bool) -> WriteOutcome:
    """I-Milo refused a write for good. Our access refused (the key, not the write) keeps the
    intent for the next run; the request itself refused cannot succeed when retried, so the
    participation is planned afresh on the next run."""
    return WriteOutcome.FAILED if access_refused else WriteOutcome.REFUSED


def drops_intent(outcome: WriteOutcome) -> bool:
    """Whether the ledger forgets the intent: a prescription changed meanwhile (its review
    takes over) or a request refused (planned afresh)."""
    return outcome in (WriteOutcome.CONFLICT, WriteOutcome.REFUSED)


def holds_cursor(outcome: WriteOutcome) -> bool:
    """Whether the campaign's cursor must stay, so that the record is read again: a write
    interrupted or refused is not durably handled."""
    return outcome in (WriteOutcome.FAILED, WriteOutcome.REFUSED)


def review_after(write: PlannedWrite, outcome: WriteOutcome) -> Review | None:
    """A prescription a counsellor changed between the read and the write (a conflict): a
    counsellor looks at the result. Any other outcome sends nothing to review."""
    if outcome is not WriteOutcome.CONFLICT:
        return None
    return Review(
        write.participation_id,
        write.campaign_id,
        write.structure_code,
        ReviewReason.PRESCRIPTION_CHANGED,
        write.dossier_id,
    )
