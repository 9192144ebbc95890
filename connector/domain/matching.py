"""Who is this participant? Identification by the external id, confirmed by the names.

This first matcher is deliberately strict: the external id must be a dossier number and the
dossier's names must agree with the participant's. Anything else is left to a counsellor.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from connector.domain.model import Dossier, Participation
from connector.domain.names import names_agree

__all__ = ["Identified", "ReviewReason", "Unidentified", "dossier_number", "identify"]


class ReviewReason(enum.StrEnum):
    """Why a participation was left for a counsellor. The values are stable report keys."""

    NO_DOSSIER_NUMBER = "external_id_not_a_dossier_number"
    UNKNOWN_DOSSIER = "unknown_dossier"
    NAMES_DISAGREE = "names_disagree"
    NO_OPEN_PRESCRIPTION = "no_open_prescription"
    PRESCRIPTION_CHANGED = "prescription_changed_meanwhile"


@dataclass(frozen=True, slots=True)
class Identified:
    dossier: Dossier


@dataclass(frozen=True, slots=True)
class Unidentified:
    reason: ReviewReason
    dossier_id: int | None = None


def dossier_number(external_id: str | None) -> int | None:
    """The external id read as an I-Milo dossier number, if it is one."""
    if external_id is None:
        return None
    compact = "".join(external_id.split())
    if not compact.isascii() or not compact.isdigit() or len(compact) > 18:
        return None
    return int(compact)


def identify(
    participation: Participation, dossiers: Mapping[int, Dossier | None]
) -> Identified | Unidentified:
    """Identify the young person from the dossiers known for this structure and run.

    ``dossiers`` maps dossier numbers to what I-Milo holds (None: no such dossier).
    """
    number = dossier_number(participation.external_id)
    if number is None:
        return Unidentified(ReviewReason.NO_DOSSIER_NUMBER)
    dossier = dossiers.get(number)
    if dossier is None:
        return Unidentified(ReviewReason.UNKNOWN_DOSSIER)
    if not names_agree(participation.first_name, participation.last_name, dossier):
        # A typo in the id often designates another real young person: never trust it alone.
        return Unidentified(ReviewReason.NAMES_DISAGREE)
    return Identified(dossier)
