"""What the state of a prescription around a write means, and what a write's outcome leads to.

The writer (``connector.run.writer``) does the I/O; these rules say what it found:
- before a resumed write, the prescription read again is still to realise, already realised by
  the connector, or changed by a counsellor (``before_resume``);
- a write I-Milo refused is kept for the next run when our access was refused, and planned
  afresh when the request itself was (``refused``);
- a prescription found changed goes to a counsellor (``review_after``); a conflict or a
  refusal forgets its intent (``drops_intent``); a failure or a refusal holds its campaign's
  cursor (``holds_cursor``);
- an actualité is recorded when the plan asks for one and I-Milo can record it
  (``records_actualite``); one it cannot is counted, never waited for
  (``actualite_not_recorded``): the counsellor's comment goes with the réalisé anyway.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from connector.domain.capabilities import Capabilities
from connector.domain.matching import ReviewReason
from connector.domain.model import Prescription, PrescriptionStatus
from connector.domain.plan import PlannedWrite, Review
from connector.domain.rules import REALISED, can_realise

__all__ = [
    "Found",
    "Resumption",
    "WriteOutcome",
    "actualite_not_recorded",
    "before_resume",
    "drops_intent",
    "holds_cursor",
    "records_actualite",
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
    interruption. Réalisé with no date at all (the gateway's registrations carry a status,
    not a date): nothing says it is not the connector's own write, whose intent names that
    very prescription; taken as such, and nothing is written. Anything else (gone, realised
    on another date, closed): changed.
    """
    if current is not None and can_realise(current.statut):
        return Resumption(
            Found.TO_REALISE, replace(write, expected=PrescriptionStatus(current.statut))
        )
    if (
        current is not None
        and current.statut == REALISED
        and current.date_realisation in (write.realisation_date, None)
    ):
        return Resumption(Found.REALISED_BY_US, write)
    return Resumption(Found.CHANGED, write)


def records_actualite(write: PlannedWrite, capabilities: Capabilities) -> bool:
    """Whether an actualité follows the réalisé: the plan asks for one (``nature``: none for
    a test taken alone) and I-Milo can record it. A resumed write then looks for it first."""
    return write.nature is not None and capabilities.actualites


def actualite_not_recorded(write: PlannedWrite, capabilities: Capabilities) -> bool:
    """An actualité the plan asks for, which this I-Milo cannot record: counted by the run
    (``not_recorded``), never retried nor waited for; the comment went with the réalisé."""
    return write.nature is not None and not capabilities.actualites


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
