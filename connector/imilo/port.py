"""The port through which the sync reads and writes I-Milo, in I-Milo's own words."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Protocol

from connector.domain.capabilities import Capabilities
from connector.domain.model import (
    Actualite,
    Candidate,
    Dossier,
    NewActualite,
    Offre,
    Prescription,
    PrescriptionStatus,
    ServedStructure,
)

__all__ = ["IMilo"]


class IMilo(Protocol):
    """What the connector needs of I-Milo. Writes carry an idempotency key.

    ``capabilities`` says what this adapter can do (``connector.domain.capabilities``): a
    method it cannot serve answers with nothing (an empty list), and the domain decides
    knowing it."""

    capabilities: Capabilities

    def structure(self, code: str) -> ServedStructure | None:
        """The structure (Mission Locale) with the time zone it is served with, if any, or
        None if unknown."""
        ...

    def offres(self, structure_code: str) -> list[Offre]:
        """The structure's service offers."""
        ...

    def candidates(
        self, structure_code: str, offre_id: int, statuses: Collection[PrescriptionStatus]
    ) -> list[Candidate]:
        """Every prescription on the offer in one of ``statuses``, with the young person's
        dossier. Which statuses the connector may realise is the domain's to say
        (``connector.domain.rules.REALISABLE``); this reads whatever it is asked for."""
        ...

    def structure_dossiers(
        self, structure_code: str, *, numbers: Sequence[int] = (), mails: Sequence[str] = ()
    ) -> list[Dossier]:
        """The structure's dossiers bearing these numbers, or these e-mails, fetched in bulk."""
        ...

    def search_names(self, structure_code: str, last_names: Sequence[str]) -> list[Dossier]:
        """Every dossier of the structure findable by one of these typed last names
        (``connector.domain.name_search``), searched for in batches.

        It may return more than needed: the caller scores the results itself.
        """
        ...

    def dossier(self, dossier_id: int) -> Dossier | None:
        """A young person's dossier, or None if there is none with that number."""
        ...

    def prescription(self, dossier_id: int, prescription_id: int) -> Prescription | None:
        """A prescription's current state, or None if the dossier has no such prescription."""
        ...

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
        """Set the prescription to *réalisé* if it is still in the ``expected`` status (the
        plan's ``PlannedWrite.expected``); raises ``PrescriptionConflict`` if it is not."""
        ...

    def actualites(self, dossier_id: int) -> list[Actualite]:
        """The dossier's actualités."""
        ...

    def record_actualite(
        self, dossier_id: int, actualite: NewActualite, *, idempotency_key: str
    ) -> Actualite:
        """Add an actualité to the dossier."""
        ...

    def close(self) -> None: ...
