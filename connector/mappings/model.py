"""What the mappings say, as plain data with the defaults the charter implies."""

from __future__ import annotations

from dataclasses import dataclass, field

from connector.domain.model import (
    ClosedPolicy,
    DateSource,
    DiagnosticType,
    ExternalIdKind,
    Modality,
)
from connector.domain.rules import DEFAULT_COMMENT
from connector.imilo.codes import (
    DEFAULT_NATURE_CODES,
    DEFAULT_OFFER_NAME,
    DEFAULT_STATUS_CODES,
    ImiloCodes,
)

__all__ = [
    "COMMENT_PLACEHOLDERS",
    "DEFAULT_COMMENT",
    "DEFAULT_NATURE_CODES",
    "DEFAULT_OFFER_NAME",
    "DEFAULT_STATUS_CODES",
    "CampaignDefaults",
    "CampaignMapping",
    "ClosedPolicy",
    "DateSource",
    "ImiloCodes",
    "Mappings",
]

COMMENT_PLACEHOLDERS = ("date", "diagnostic", "mastery")


@dataclass(frozen=True, slots=True)
class CampaignMapping:
    modality: Modality = Modality.INDIVIDUAL
    diagnostic: DiagnosticType | None = None
    ignore: bool = False
    external_id: ExternalIdKind | None = None


@dataclass(frozen=True, slots=True)
class CampaignDefaults:
    realisation_date: DateSource = DateSource.SHARED_AT
    closed_prescription: ClosedPolicy = ClosedPolicy.REVIEW
    comment: str = DEFAULT_COMMENT


@dataclass(frozen=True, slots=True)
class Mappings:
    organisations: dict[int, str] = field(default_factory=dict)
    campaigns: dict[str, CampaignMapping] = field(default_factory=dict)
    defaults: CampaignDefaults = field(default_factory=CampaignDefaults)
    imilo: ImiloCodes = field(default_factory=ImiloCodes)

    def structure_code(self, organisation_id: int, external_id: str | None) -> str | None:
        """The mapping overrides the organisation's own ``externalId``."""
        return self.organisations.get(organisation_id) or external_id

    def campaign(self, code: str) -> CampaignMapping:
        return self.campaigns.get(code, CampaignMapping())
