"""The generated world: the cases and their shares, the fixed ids and labels, and the
objects the generator builds (structures, campaigns, dossiers, participations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bench.matching.names_pool import Pool
from bench.matching.text import core, name_key, one_edit

CASE_SHARES: dict[str, float] = {
    "exact": 0.34,
    "id_spaces_padding": 0.06,
    "id_email": 0.05,
    "id_garbage": 0.06,
    "id_typo_other_person": 0.02,
    "id_typo_nonexistent": 0.03,
    "hyphen_space": 0.05,
    "usage_name": 0.03,
    "swapped": 0.02,
    "compound_partial": 0.02,
    "typo_one_letter": 0.04,
    "typo_no_id": 0.06,
    "typo_confusable": 0.005,
    "homonym": 0.02,
    "homonym_with_id": 0.02,
    "closed_prescription": 0.05,
    "no_prescription": 0.03,
    "not_shared": 0.03,
    "no_dossier": 0.016,
    "near_miss_no_dossier": 0.004,
    "near_miss_no_prescription": 0.005,
    "different_first_name": 0.015,
    "duplicate_dossiers": 0.025,
}

# Within a structure, cases that need scarce people or add dossiers go first: later cases then
# check their preconditions against the final set of names.
CASE_ORDER = (
    "homonym",
    "homonym_with_id",
    "duplicate_dossiers",
    "different_first_name",
    "near_miss_no_dossier",
    "near_miss_no_prescription",
    "typo_confusable",
    "id_typo_other_person",
    "id_garbage",
    "id_typo_nonexistent",
    "usage_name",
    "hyphen_space",
    "compound_partial",
    "swapped",
    "typo_one_letter",
    "typo_no_id",
    "id_email",
    "closed_prescription",
    "no_prescription",
    "not_shared",
    "id_spaces_padding",
    "exact",
    "no_dossier",
)
# Name noise that only an id can confirm (the others fold away, see the label rules).
FUZZY = ("swapped", "compound_partial")
# Whether the counsellor is certain depends on who else the final world holds.
BY_WORLD = ("typo_one_letter", "typo_no_id", "typo_confusable")
# A person with no dossier, so any write is wrong, even where the counsellor would be fooled
# by a one-letter neighbour (a dossier the typed names designate, give or take one slip).
NO_DOSSIER = ("no_dossier", "near_miss_no_dossier", "different_first_name")
NUMBER_CASES = (
    "exact",
    "id_spaces_padding",
    "id_typo_other_person",
    "id_typo_nonexistent",
    "homonym_with_id",
    "not_shared",
)
TYPO_ON_LAST_NAME = 0.8  # names-alone typos: mostly in the last name
NO_TIMEZONE = 0.25  # structures served without a time zone, as by the real gateway
MIN_SLIP = 4  # a slip is believed in names of at least four letters
PIX_CLIENT_ID = "bench-client"
GARBAGE_WITH_NAME_NOISE = 0.10

DEFAULT_SEED = 2026
DOSSIER_LABEL = "Numéro de dossier i-milo"
EMAIL_LABEL = "Adresse e-mail"
PIX_OFFER = "Evaluation PIX"
CV_OFFER = "Atelier CV"
FIRST_PARTICIPATION_ID = 1_000_001
FIRST_PRESCRIPTION_ID = 700_001
FIRST_OFFER_ID = 30_001
FIRST_ORGANIZATION_ID = 2_001
FIRST_CAMPAIGN_ID = 50_001
FIRST_SHARED_DAY = date(2026, 1, 5)
LAST_SHARED_DAY = date(2026, 11, 30)

# --- The world's objects ---------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Dossier:
    id: int
    structure: Structure
    prenom: str  # as I-Milo holds it: capitalised
    nom: str  # birth name in its usual written form; I-Milo holds it upper-cased
    usage: str | None
    sexe: str
    birth: date
    mail: str | None
    niveau: str
    zone: str
    accompagnement: str
    kind: str = "base"  # base | twin | homonym | lookalike | fresh
    twin: Dossier | None = None
    plan: str = "other"  # ongoing | closed | none (true persons), victim, other
    shared_on: date | None = None

    def last_keys(self) -> list[str]:
        keys = [name_key(self.nom)]
        if self.usage:
            keys.append(name_key(self.usage))
        return keys

    def row(self) -> dict[str, Any]:
        return {
            "idDossier": self.id,
            "codeStructure": self.structure.code,
            "nomNaissance": self.nom.upper(),
            "nomUsage": self.usage.upper() if self.usage else None,
            "prenom": self.prenom,
            "dateNaissance": self.birth.isoformat(),
            "mail": self.mail,
            "sexe": self.sexe,
            "niveau": self.niveau,
            "zone": self.zone,
            "accompagnement": self.accompagnement,
        }


class Index:
    """A structure's dossiers by the keys the careful counsellor compares."""

    def __init__(self) -> None:
        self.strict: dict[tuple[str, str], list[Dossier]] = {}
        self.birth: dict[tuple[str, str], list[Dossier]] = {}
        self.first: dict[str, list[Dossier]] = {}
        self.born: dict[str, list[Dossier]] = {}
        self.last: dict[str, int] = {}
        self.cores: set[str] = set()
        self.cored: dict[tuple[str, str], list[Dossier]] = {}
        self.mail: dict[str, list[Dossier]] = {}

    def add(self, d: Dossier) -> None:
        fk = name_key(d.prenom)
        for lk in d.last_keys():
            self.strict.setdefault((fk, lk), []).append(d)
            self.last[lk] = self.last.get(lk, 0) + 1
        for name in (d.nom, d.usage):
            if name:
                self.cores.add(core(name))
                self.cored.setdefault((fk, core(name)), []).append(d)
        self.birth.setdefault((fk, name_key(d.nom)), []).append(d)
        self.born.setdefault(name_key(d.nom), []).append(d)
        self.first.setdefault(fk, []).append(d)
        if d.mail:
            self.mail.setdefault(d.mail.casefold(), []).append(d)

    def agree(self, fk: str, lk: str) -> list[Dossier]:
        return self.strict.get((fk, lk), [])

    def alone(self, d: Dossier, first: str, last: str) -> bool:
        """d is the only dossier with these names, even with the last name's particles dropped."""
        strict = self.agree(name_key(first), name_key(last))
        cored = self.cored.get((name_key(first), core(last)), [])
        return all(o is d for o in strict) and all(o is d for o in cored)

    def near_last(self, lk: str) -> bool:
        """Some dossier's birth or usage name is lk or one edit away from it."""
        return lk in self.last or any(one_edit(lk, other) for other in self.last)


@dataclass(eq=False)
class Campaign:
    id: int
    organization_id: int
    name: str
    code: str
    profile: str
    label: str
    created: datetime


@dataclass(eq=False)
class Structure:
    code: str
    name: str
    city: str
    timezone: str
    zone: ZoneInfo
    organization_id: int
    pix_offer: int
    pix_offer_type: str
    pix_offer_start: str
    cv_offer: int | None
    campaigns: list[Campaign]
    regional: Pool | None
    serves_timezone: bool = True
    dossiers: list[Dossier] = field(default_factory=list)
    free: list[Dossier] = field(default_factory=list)
    index: Index = field(default_factory=Index)
    typed_keys: set[tuple[str, str]] = field(default_factory=set)
    reserved_lasts: set[str] = field(default_factory=set)


@dataclass(eq=False)
class Part:
    case: str
    structure: Structure
    campaign: Campaign
    first: str
    last: str
    external_id: str | None
    true: Dossier | None
    intended: Dossier | None
    shared: datetime | None  # None: not shared (STARTED or TO_SHARE)
    created: datetime
    mastery: float | None
    status: str = "SHARED"
    # The labels decide from the final world whether the counsellor is certain (intended is
    # then only what the case aims at): names-alone typos, certain unless someone is alike.
    by_world: bool = False
    id: int = 0
    participant_id: str = ""
