"""I-Milo's codes for prescription states and actualité natures, and the offer's name.

The connector reasons with its own statuses (``PrescriptionStatus``, ``Nature``); the HTTP
adapter translates them with these codes, which admins may change in ``mappings/imilo.yaml``
should the real API use others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connector.domain.model import Nature, PrescriptionStatus

__all__ = ["DEFAULT_NATURE_CODES", "DEFAULT_OFFER_NAME", "DEFAULT_STATUS_CODES", "ImiloCodes"]

DEFAULT_OFFER_NAME = "Evaluation PIX"  # the charter's exact spelling, without accents
# Keys of imilo.yaml (the charter's words) → the connector's statuses and natures.
DEFAULT_STATUS_CODES = {
    "prescrit": (PrescriptionStatus.ONGOING, "ONGOING"),
    "realise": (PrescriptionStatus.ACHIEVED, "ACHIEVED"),
    "refus_jeune": (PrescriptionStatus.REFUSAL_YOUNG, "REFUSAL_YOUNG"),
    "refus_tiers": (PrescriptionStatus.REFUSAL, "REFUSAL"),
    "abandonne": (PrescriptionStatus.ABANDONED, "ABANDONED"),
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

    def nature_from(self, code: str) -> Nature | str:
        for nature, known in self.natures.items():
            if known == code:
                return nature
        return code
