"""Plain data the connector reasons about, named in the two systems' own words.

Fields holding personal data are left out of ``repr`` so that an object printed by
accident (a log line, an assertion message) does not leak a young person's identity.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = [
    "STATUS_WORDS",
    "Actualite",
    "Campaign",
    "CampaignType",
    "Candidate",
    "ClosedPolicy",
    "DateSource",
    "DiagnosticType",
    "Dossier",
    "ExternalIdKind",
    "Modality",
    "Nature",
    "NewActualite",
    "Offre",
    "Organisation",
    "Participation",
    "ParticipationStatus",
    "Prescription",
    "PrescriptionStatus",
    "ServedStructure",
    "Structure",
]


class ParticipationStatus(enum.StrEnum):
    STARTED = "STARTED"
    TO_SHARE = "TO_SHARE"  # removed from Pix in 2026, still present in old data
    SHARED = "SHARED"


class CampaignType(enum.StrEnum):
    ASSESSMENT = "ASSESSMENT"
    EXAM = "EXAM"
    PROFILES_COLLECTION = "PROFILES_COLLECTION"


class PrescriptionStatus(enum.StrEnum):
    """I-Milo codes of a prescription's state (the charter's words in comments)."""

    ONGOING = "ONGOING"  # prescrit
    ACHIEVED = "ACHIEVED"  # réalisé
    REFUSAL_YOUNG = "REFUSAL_YOUNG"  # refus jeune
    REFUSAL = "REFUSAL"  # refus tiers
    ABANDONED = "ABANDONED"  # abandonné (no public code; ours)


# The charter's words for each status, as a counsellor reads them.
STATUS_WORDS: Mapping[str, str] = {
    PrescriptionStatus.ONGOING: "prescrit",
    PrescriptionStatus.ACHIEVED: "réalisé",
    PrescriptionStatus.REFUSAL_YOUNG: "refus jeune",
    PrescriptionStatus.REFUSAL: "refus tiers",
    PrescriptionStatus.ABANDONED: "abandonné",
}


class Nature(enum.StrEnum):
    """Nature of the actualité recorded with a realisation."""

    ENTRETIEN_INDIVIDUEL = "ENTRETIEN_INDIVIDUEL"
    ATELIER = "ATELIER"


class Modality(enum.StrEnum):
    """How the young person took the test (campaigns.yaml ``modality``)."""

    INDIVIDUAL = "individual"  # at the Mission Locale, one to one: entretien individuel
    GROUP = "group"  # at the Mission Locale, in a group: atelier
    AUTONOMOUS = "autonomous"  # alone: réalisé, and no actualité (the charter asks for none)


class ExternalIdKind(enum.StrEnum):
    """What a campaign's external id holds (campaigns.yaml ``external_id``). Without it, the
    kind is read from each value: digits and separators are a dossier number, an ``@`` an
    e-mail."""

    DOSSIER = "dossier"
    EMAIL = "email"


class DiagnosticType(enum.StrEnum):
    SHORT = "short"  # « Diagnostic initial », 15–20 min
    LONG = "long"  # « Parcours complet », about an hour


class DateSource(enum.StrEnum):
    """Which Pix timestamp dates the realisation."""

    SHARED_AT = "shared_at"  # when the young person shared the result (default)
    STARTED_AT = "started_at"  # when they started the assessment


class ClosedPolicy(enum.StrEnum):
    """What to do with an identified young person whose prescription is not *prescrit*."""

    REVIEW = "review"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str = field(repr=False)
    external_id: str | None


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    organization_id: int
    code: str
    type: CampaignType | str
    target_profile_name: str | None
    external_id_label: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Participation:
    """One validated Pix campaign participation."""

    id: int
    campaign_id: int
    status: ParticipationStatus
    created_at: datetime
    shared_at: datetime | None
    participant_id: str | None  # opaque: Pix serves a SHA-1 hex digest, never a number
    mastery_rate: float | None
    first_name: str = field(repr=False)
    last_name: str = field(repr=False)
    external_id: str | None = field(repr=False)

    @property
    def is_shared(self) -> bool:
        return self.status is ParticipationStatus.SHARED and self.shared_at is not None

    @property
    def last_change(self) -> datetime:
        """The latest of its timestamps: what Pix's ``since`` filter compares."""
        if self.shared_at is not None and self.shared_at > self.created_at:
            return self.shared_at
        return self.created_at


@dataclass(frozen=True, slots=True)
class Structure:
    """A Mission Locale, with the zone its dates follow (``timezone``, a valid IANA name
    resolved by ``connector.domain.timezones``)."""

    code: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ServedStructure:
    """A structure as I-Milo serves it: ``timezone`` is what it served, unchecked, or None
    (the real gateway serves none). ``in_zone`` gives the ``Structure`` once resolved."""

    code: str
    name: str
    timezone: str | None = None

    def in_zone(self, zone: str) -> Structure:
        return Structure(code=self.code, name=self.name, timezone=zone)


@dataclass(frozen=True, slots=True)
class Offre:
    id: int
    structure_code: str
    nom: str
    theme: str | None = None
    acte_service: str | None = None
    type: str | None = None
    mesure_nationale: str | None = None
    partenaire_raison_sociale: str | None = None
    partenaire_siret: str | None = None
    date_debut: date | None = None
    date_fin: date | None = None


@dataclass(frozen=True, slots=True)
class Dossier:
    """A young person's file in I-Milo."""

    id: int
    structure_code: str | None
    nom_naissance: str = field(repr=False)
    nom_usage: str | None = field(repr=False)
    prenom: str = field(repr=False)
    mail: str | None = field(default=None, repr=False)
    date_naissance: date | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Prescription:
    id: int
    dossier_id: int
    offre_id: int
    statut: PrescriptionStatus | str
    date_prescription: date | None
    date_realisation: date | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A young person registered on the offer: a prescription together with its dossier."""

    prescription: Prescription
    dossier: Dossier


@dataclass(frozen=True, slots=True)
class NewActualite:
    prescription_id: int
    nature: Nature
    date: date
    commentaire: str


@dataclass(frozen=True, slots=True)
class Actualite:
    id: int
    dossier_id: int
    prescription_id: int | None
    nature: str
    date: date
    commentaire: str
