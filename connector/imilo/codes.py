"""I-Milo's codes for prescription states and actualité natures, and the offer's name.

The connector reasons with its own statuses (``PrescriptionStatus``, ``Nature``); the HTTP
adapters translate them with these codes, which admins may change in ``mappings/imilo.yaml``
should the real API use others.

The gateway's session routes (``IMILO_API=sessions``) answer a registration's status either
as a code (``ONGOING``) or as a French label (``Prescrit``): both are read
(``status_from_either``), the labels under ``libelles:`` in imilo.yaml. The contract adapter
reads codes only, as before.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from connector.domain.model import Nature, PrescriptionStatus

__all__ = [
    "DEFAULT_NATURE_CODES",
    "DEFAULT_OFFER_NAME",
    "DEFAULT_STATUS_CODES",
    "DEFAULT_STATUS_LABELS",
    "ImiloCodes",
]

DEFAULT_OFFER_NAME = "Evaluation PIX"  # the charter's exact spelling, without accents
# Keys of imilo.yaml (the charter's words) → the connector's statuses and natures.
DEFAULT_STATUS_CODES = {
    "prescrit": (PrescriptionStatus.ONGOING, "ONGOING"),
    "realise": (PrescriptionStatus.ACHIEVED, "ACHIEVED"),
    "refus_jeune": (PrescriptionStatus.REFUSAL_YOUNG, "REFUSAL_YOUNG"),
    "refus_tiers": (PrescriptionStatus.REFUSAL, "REFUSAL"),
    "abandonne": (PrescriptionStatus.ABANDONED, "ABANDONED"),
}
# The French labels the gateway answers with on some routes (a young person's own sessions).
DEFAULT_STATUS_LABELS = {
    "prescrit": (PrescriptionStatus.ONGOING, "Prescrit"),
    "realise": (PrescriptionStatus.ACHIEVED, "Réalisé"),
    "refus_jeune": (PrescriptionStatus.REFUSAL_YOUNG, "Refus jeune"),
    "refus_tiers": (PrescriptionStatus.REFUSAL, "Refus tiers"),
}
DEFAULT_NATURE_CODES = {
    "entretien_individuel": (Nature.ENTRETIEN_INDIVIDUEL, "ENTRETIEN_INDIVIDUEL"),
    "atelier": (Nature.ATELIER, "ATELIER"),
}


@dataclass(frozen=True, slots=True)
class ImiloCodes:
    """I-Milo's codes, should the real API use others than the connector's defaults."""

    statuses: dict[PrescriptionStatus, str] = field(
        default_factory=lambda: {s: code for s, code in DEFAULT_STATUS_CODES.values()}
    )
    natures: dict[Nature, str] = field(
        default_factory=lambda: {n: code for n, code in DEFAULT_NATURE_CODES.values()}
    )
    labels: dict[PrescriptionStatus, str] = field(
        default_factory=lambda: {s: label for s, label in DEFAULT_STATUS_LABELS.values()}
    )
    offer_name: str = DEFAULT_OFFER_NAME
    # imilo.yaml ``timezones:``: structure code → IANA zone, over what I-Milo serves and
    # what the structure's department says (connector.domain.timezones).
    timezones: dict[str, str] = field(default_factory=dict)

    def status_from(self, code: str) -> PrescriptionStatus | str:
        """The connector's status for an I-Milo code; an unknown code is kept as is."""
        for status, known in self.statuses.items():
            if known == code:
                return status
        return code

    def status_from_either(self, value: str) -> PrescriptionStatus | str:
        """The connector's status for a code or a label (``Réalisé`` as well as ``réalisé``
        or ``REALISE``, whatever the case, accents and spacing); an unknown value is kept."""
        status = self.status_from(value)
        if isinstance(status, PrescriptionStatus):
            return status
        folded = _fold(value)
        for known, label in self.labels.items():
            if _fold(label) == folded:
                return known
        return value

    def nature_from(self, code: str) -> Nature | str:
        for nature, known in self.natures.items():
            if known == code:
                return nature
        return code


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.replace("_", " ").casefold().split())
