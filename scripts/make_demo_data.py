"""Generate the bundled demo dataset: simulator fixtures for Pix and I-Milo, and admin mappings.

    python scripts/make_demo_data.py [--seed 2026] [--out connector/entrypoints/demo]

Deterministic (`random.Random(seed)`): rerunning it rewrites byte-identical files under
data/pix/, data/imilo/ (written by the simulators' own fixture writer,
connector/simulators/fixture_writer.py) and mappings/. All names, e-mails and ids are made up.

Two structures, one Pix organisation each:
  75010S00 « Mission Locale de Paris — Centre » (Europe/Paris), Pix organisation 1201, whose
           Pix externalId carries the structure code;
  97411S00 « Mission Locale Nord Réunion » (Indian/Reunion, UTC+4), Pix organisation 1202,
           without externalId, mapped in mappings/organisations.yaml.
Campaigns: PARDIAG26, PARCOMP26, PARATEL26 (group workshop, modality group) in Paris;
RUNDIAG26, RUNCOMP26 and RUNPROF26 (PROFILES_COLLECTION, ignore: true) in Réunion.

Most young people have an ONGOING « Evaluation PIX » prescription and one SHARED participation
whose external id is their idDossier (sometimes with spaces around) and whose names match up
to case, accents, apostrophes and hyphens: a first sync marks those ACHIEVED, dated with the
local date of sharedAt, and records an actualité (ATELIER for PARATEL26, else
ENTRETIEN_INDIVIDUEL). Two Réunion dossiers are real duplicates (same names, both « Kévin
PAYET »): each participation goes to the dossier its id names.

Teaching cases (participation id: what a first sync should do):
  310008  Paris, external id "je sais pas" (garbage): review; the person's own dossier stays
          ONGOING.
  310014  Paris, the participant (Yanis Benali) typed an idDossier with two digits swapped,
          which is Inès HADDAD's: names differ, so review; neither dossier is written.
  310023  Paris, status STARTED (sharedAt null): nothing happens.
  310004  Paris, prescription already ACHIEVED by a counsellor (2026-02-10): left alone,
          nothing is written.
  310012  Paris, prescription REFUSAL_YOUNG, yet the young person shared a result later: left
          alone, nothing is written (the status is a counsellor's decision).
  310005, 310006  Paris, one person, two SHARED participations in PARDIAG26 (a retry): the
          earliest sharedAt wins, dateRealisation 2026-03-03; the retry changes nothing.
  310016  Paris, sharedAt 2026-06-11T22:30:00Z = 00:30 next day in Paris (CEST, UTC+2):
          dateRealisation 2026-06-12.
  310001  Paris, sharedAt 2026-02-05T22:45:00Z = 23:45 the same day in Paris (CET, UTC+1):
          dateRealisation 2026-02-05 (a fixed +2 h offset would be wrong).
  310027  Paris, group workshop; the participant typed her usage name (dossier nomNaissance
          TRAORÉ, nomUsage CAMARA): names agree with the birth or the usage name, so ACHIEVED
          with an ATELIER actualité.
  310017  Réunion, external id is the young person's e-mail: not matched in this version,
          review.
  310013  Réunion, sharedAt 2026-05-07T21:15:00Z = 01:15 next day in Réunion (UTC+4):
          dateRealisation 2026-05-08.
  310019  Réunion, SHARED participation in RUNPROF26 (PROFILES_COLLECTION, ignore: true):
          nothing happens; the prescription stays ONGOING.
  310022  Réunion, the dossier has no « Evaluation PIX » prescription (only « Atelier CV »):
          review; the « Atelier CV » prescription is never touched.
Prescriptions left as they are: the « Atelier CV » offers, one dossier per structure with an
ONGOING prescription and no participation yet, and one ABANDONED prescription in Réunion.

Pix records have the partner API's shape (api/src/maddo in 1024pix/pix): participantId is the
SHA-1 of the user id and the API client's id, in hex; authenticationId is null unless the young
person came through an SSO; organizationLearnerId, pixScore, stages, badges and tubes are
filled; and isImproved stands for a field the connector does not know. Campaigns carry no
externalIdLabel: the partner API does not serve it. These extra fields come from the drawn
values, not from the random stream, so they leave every other value as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connector.simulators.fixture_writer import write_fixtures

DEFAULT_SEED = 2026
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "connector" / "entrypoints" / "demo"

FIRST_PARTICIPATION_ID = 310001
FIRST_PRESCRIPTION_ID = 70001
LAST_DAY = date(2026, 11, 20)

# Participation ids of the teaching cases, as listed in the docstring. The generator checks them,
# so a change of seed or of the plan below cannot silently make the docstring wrong.
CASE_IDS: dict[str, tuple[int, ...]] = {
    "garbage external id": (310008,),
    "id of another dossier": (310014,),
    "started": (310023,),
    "already achieved": (310004,),
    "refusal young": (310012,),
    "retry, earliest wins": (310005, 310006),
    "paris summer late evening": (310016,),
    "paris winter late evening": (310001,),
    "usage name": (310027,),
    "e-mail as external id": (310017,),
    "reunion late evening": (310013,),
    "profiles collection": (310019,),
    "no evaluation pix prescription": (310022,),
}


@dataclass(frozen=True)
class Structure:
    code: str
    name: str
    timezone: str
    organization_id: int
    organization_external_id: str | None
    pix_offer_id: int
    pix_offer_type: str
    other_offer_id: int
    zones: tuple[tuple[str, int], ...]


PARIS = Structure(
    code="75010S00",
    name="Mission Locale de Paris — Centre",
    timezone="Europe/Paris",
    organization_id=1201,
    organization_external_id="75010S00",
    pix_offer_id=3101,
    pix_offer_type="ANIMATION_COLLECTIVE",
    other_offer_id=3102,
    zones=(("QPV", 4), ("AUTRE", 6)),
)
REUNION = Structure(
    code="97411S00",
    name="Mission Locale Nord Réunion",
    timezone="Indian/Reunion",
    organization_id=1202,
    organization_external_id=None,
    pix_offer_id=3201,
    pix_offer_type="AUTRE",
    other_offer_id=3202,
    zones=(("QPV", 4), ("ZRR", 2), ("AUTRE", 4)),
)
STRUCTURES = (PARIS, REUNION)


@dataclass(frozen=True)
class Campaign:
    id: int
    structure: Structure
    code: str
    name: str
    type: str
    target_profile_name: str | None
    created_at: str
    modality: str
    diagnostic: str | None
    ignore: bool
    comment: str


CLIENT_ID = "demo-client"
CAMPAIGNS = (
    Campaign(8101, PARIS, "PARDIAG26", "Diagnostic initial — Paris Centre", "ASSESSMENT",
             target_profile_name="Diagnostic initial", created_at="2026-01-05T08:12:40Z",
             modality="individual", diagnostic="short", ignore=False,
             comment="short diagnostic, taken alone or with a counsellor"),
    Campaign(8102, PARIS, "PARCOMP26", "Parcours complet — Paris Centre", "ASSESSMENT",
             target_profile_name="Parcours complet", created_at="2026-01-05T08:20:03Z",
             modality="individual", diagnostic="long", ignore=False,
             comment="long assessment, after training"),
    Campaign(8103, PARIS, "PARATEL26", "Atelier numérique collectif — Paris Centre", "ASSESSMENT",
             target_profile_name="Diagnostic initial", created_at="2026-01-06T13:02:51Z",
             modality="group", diagnostic="short", ignore=False,
             comment="group workshops, so the actualité is « atelier »"),
    Campaign(8104, REUNION, "RUNDIAG26", "Diagnostic initial — Nord Réunion", "ASSESSMENT",
             target_profile_name="Diagnostic initial", created_at="2026-01-07T05:31:17Z",
             modality="individual", diagnostic="short", ignore=False,
             comment="short diagnostic"),
    Campaign(8105, REUNION, "RUNCOMP26", "Parcours complet — Nord Réunion", "ASSESSMENT",
             target_profile_name="Parcours complet", created_at="2026-01-07T05:40:09Z",
             modality="individual", diagnostic="long", ignore=False,
             comment="long assessment, after training"),
    Campaign(8106, REUNION, "RUNPROF26", "Collecte de profils — Nord Réunion",
             "PROFILES_COLLECTION", target_profile_name=None, created_at="2026-06-01T06:15:44Z",
             modality="individual", diagnostic=None, ignore=True,
             comment="a profiles collection, not an assessment"),
)  # fmt: skip
CAMPAIGN_BY_CODE = {campaign.code: campaign for campaign in CAMPAIGNS}

# Name pools: (first name, sexe) and last names in their usual written form. I-Milo holds
# birth names in upper case; Pix holds whatever the young person typed.
FIRST_NAMES = {
    PARIS.code: (
        ("Maëlys", "F"), ("Ophélie", "F"), ("Fatoumata", "F"), ("Chloé", "F"), ("Léa", "F"),
        ("Marie-Claire", "F"), ("Anne-Sophie", "F"), ("Yasmine", "F"), ("Zoé", "F"),
        ("Hélène", "F"), ("Jean-Pierre", "H"), ("Noé", "H"), ("Mamadou", "H"), ("Théo", "H"),
        ("Lucas", "H"), ("Mohamed", "H"), ("Jean-Baptiste", "H"), ("Rayan", "H"),
        ("Élias", "H"), ("Kylian", "H"),
    ),
    REUNION.code: (
        ("Sarah", "F"), ("Mélissa", "F"), ("Anaïs", "F"), ("Marie-Laure", "F"), ("Océane", "F"),
        ("Cindy", "F"), ("Noémie", "F"), ("Marie-Josée", "F"), ("Laetitia", "F"),
        ("Dylan", "H"), ("Loïc", "H"), ("Jean-Hugues", "H"), ("Jessy", "H"), ("Teddy", "H"),
        ("Jordan", "H"), ("Noé", "H"), ("Enzo", "H"), ("Jean-Marc", "H"), ("Ylan", "H"),
    ),
}  # fmt: skip
LAST_NAMES = {
    PARIS.code: (
        "Martin", "N'Diaye", "De La Fontaine", "Diallo", "Le Goff", "D'Almeida", "Nguyen",
        "Lefèvre", "Da Silva", "Coulibaly", "Fofana", "Moreau", "Chevalier", "Ben Youssef",
        "Bonnet-Prévost", "L'Hôte", "Rousseau", "Mendy", "Gauthier", "Kaya", "Dupré",
    ),
    REUNION.code: (
        "Grondin", "Técher", "Boyer", "Rivière", "Maillot", "Lebon", "Nativel",
        "Dijoux", "Sautron", "Clain", "Ah-Hot", "Mussard", "Lauret", "Turpin", "Baret",
        "Mouniama", "Ramassamy", "Fontaine", "D'Eurveilher", "Law-Yen",
    ),
}  # fmt: skip
MAIL_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass
class Person:
    """One young person: a dossier, and the participant names Pix will show for them."""

    structure: Structure
    id_dossier: int
    first: str
    last: str
    sexe: str
    birth: date
    nom_usage: str | None = None
    participant_id: int = 0  # Pix's user id; Pix serves its pseudonym, see participant_id()
    mail: str | None = None


@dataclass
class Builder:
    rng: random.Random
    people: list[Person] = field(default_factory=list)
    prescriptions: list[dict[str, Any]] = field(default_factory=list)
    participations: list[dict[str, Any]] = field(default_factory=list)
    # index in `participations` → teaching case
    cases: dict[int, str] = field(default_factory=dict)
    # Per structure: shuffled (first name, sexe) and last name pools, drawn without replacement.
    pools: dict[str, tuple[list[tuple[str, str]], list[str]]] = field(default_factory=dict)
    used_ids: set[int] = field(default_factory=set)
    used_participant_ids: set[int] = field(default_factory=set)

    # -- people --------------------------------------------------------------------------------

    def new_dossier_id(self) -> int:
        while True:
            candidate = self.rng.randrange(1_000_000, 10_000_000)
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def person(
        self,
        structure: Structure,
        *,
        first: str | None = None,
        sexe: str | None = None,
        last: str | None = None,
        id_dossier: int | None = None,
        nom_usage: str | None = None,
        birth: date | None = None,
    ) -> Person:
        """Add a young person; names not given are drawn from the structure's pools."""
        if first is None or last is None or sexe is None:
            first, sexe, last = self.draw_names(structure)
        if id_dossier is None:
            id_dossier = self.new_dossier_id()
        else:
            self.used_ids.add(id_dossier)
        if birth is None:
            birth = date(2001, 2, 1) + timedelta(days=self.rng.randrange(0, 3400))
        person = Person(structure, id_dossier, first, last, sexe, birth, nom_usage)
        while not person.participant_id or person.participant_id in self.used_participant_ids:
            person.participant_id = self.rng.randrange(20_000_000, 30_000_000)
        self.used_participant_ids.add(person.participant_id)
        if self.rng.random() < 0.8:
            suffix = str(self.rng.randrange(1, 100)) if self.rng.random() < 0.4 else ""
            local = f"{slug(first)}.{slug(nom_usage or last)}{suffix}"
            person.mail = f"{local}@{self.rng.choice(MAIL_DOMAINS)}"
        self.people.append(person)
        return person

    def draw_names(self, structure: Structure) -> tuple[str, str, str]:
        if structure.code not in self.pools:
            first_names = list(FIRST_NAMES[structure.code])
            last_names = list(LAST_NAMES[structure.code])
            self.rng.shuffle(first_names)
            self.rng.shuffle(last_names)
            self.pools[structure.code] = (first_names, last_names)
        first_names, last_names = self.pools[structure.code]
        first, sexe = first_names.pop()
        return first, sexe, last_names.pop()

    # -- I-Milo prescriptions ------------------------------------------------------------------

    def prescribe(
        self,
        person: Person,
        prescribed_on: date,
        statut: str = "ONGOING",
        realised_on: date | None = None,
        *,
        other_offer: bool = False,
    ) -> None:
        structure = person.structure
        self.prescriptions.append(
            {
                "idDossier": person.id_dossier,
                "idOffre": structure.other_offer_id if other_offer else structure.pix_offer_id,
                "statut": statut,
                "dateRealisation": realised_on.isoformat() if realised_on else None,
                "datePrescription": prescribed_on.isoformat(),
            }
        )

    # -- Pix participations --------------------------------------------------------------------

    def participate(
        self,
        person: Person,
        campaign_code: str,
        created_at: datetime,
        shared_at: datetime | None,
        *,
        external_id: str | None = None,
        names: tuple[str, str] | None = None,
        mastery_rate: float | None = None,
        scored: bool = True,
        case: str | None = None,
    ) -> None:
        campaign = CAMPAIGN_BY_CODE[campaign_code]
        if campaign.structure is not person.structure:
            raise ValueError(f"{campaign_code} is not a campaign of {person.structure.code}")
        first, last = names if names else self.typed_names(person)
        if shared_at is None or not scored:
            mastery_rate = None
        elif mastery_rate is None:
            mastery_rate = round(self.rng.uniform(0.18, 0.94), 2)
        if external_id is None:
            external_id = self.typed_external_id(person)
        if case is not None:
            self.cases[len(self.participations)] = case
        user = person.participant_id
        self.participations.append(
            {
                "campaignId": campaign.id,
                "createdAt": iso_utc(created_at),
                "sharedAt": iso_utc(shared_at) if shared_at else None,
                "status": "SHARED" if shared_at else "STARTED",
                "participantFirstName": first,
                "participantLastName": last,
                "participantExternalId": external_id,
                "participantId": participant_id(user),
                "authenticationId": 600_000 + user % 100_000 if user % 7 == 0 else None,
                "organizationLearnerId": 400_000 + user % 100_000,
                "masteryRate": mastery_rate,
                **results(mastery_rate),
                "isImproved": False,
            }
        )

    def typed_names(self, person: Person) -> tuple[str, str]:
        """Names as a young person types them: same person, different case, accents or marks."""
        first, last = person.first, person.last
        variant = self.rng.choice(("as is", "as is", "upper", "lower", "no accents", "marks"))
        if variant == "upper":
            return first, last.upper()
        if variant == "lower":
            return first.lower(), last.lower()
        if variant == "no accents":
            return strip_accents(first), strip_accents(last)
        if variant == "marks":
            # A phone's typographic apostrophe, or a space where I-Milo has a hyphen.
            return first.replace("-", " "), last.replace("'", "’")
        return first, last

    def typed_external_id(self, person: Person) -> str:
        spaces = self.rng.choice(("", "", "", " ", "  "))
        before = self.rng.random() < 0.5
        text = str(person.id_dossier)
        return f"{spaces}{text}" if before else f"{text}{spaces}"

    def ordinary_session(
        self, person: Person, campaign_code: str, prescribed_on: date, *, on: date | None = None
    ) -> None:
        """An ONGOING prescription, then a SHARED participation on a working day, in daytime."""
        self.prescribe(person, prescribed_on)
        day = on or working_day(prescribed_on + timedelta(days=self.rng.randrange(0, 22)))
        start = time(self.rng.randrange(9, 17), self.rng.randrange(0, 60), self.rng.randrange(60))
        created_at = local_to_utc(person.structure, day, start)
        minutes = 55 if CAMPAIGN_BY_CODE[campaign_code].diagnostic == "long" else 15
        shared_at = created_at + timedelta(
            minutes=minutes + self.rng.randrange(0, 25), seconds=self.rng.randrange(60)
        )
        self.participate(person, campaign_code, created_at, shared_at)


# -- helpers ---------------------------------------------------------------------------------


def participant_id(user_id: int) -> str:
    """Pix's participantId: sha1(`${userId}_${clientId}`) in hex (CampaignParticipation.js)."""
    return hashlib.sha1(f"{user_id}_{CLIENT_ID}".encode()).hexdigest()  # noqa: S324


def results(mastery_rate: float | None) -> dict[str, Any]:
    """pixScore, stages, badges and tubes, from the mastery rate (none before sharing)."""
    if mastery_rate is None:
        return {"pixScore": 0, "stages": None, "badges": None, "tubes": []}
    return {
        "pixScore": round(mastery_rate * 512),
        "stages": {"reachedStage": 1 + int(mastery_rate * 4), "numberOfStages": 5},
        "badges": [
            {
                "id": 311,
                "message": "Bravo ! Vous maîtrisez les bases du numérique.",
                "altMessage": "Badge Bases du numérique",
                "imageUrl": "https://images.pix.fr/badges/bases-numerique.svg",
                "key": "BASES_NUMERIQUE",
                "title": "Bases du numérique",
                "isAcquired": mastery_rate >= 0.5,
                "acquisitionPercentage": min(100, round(mastery_rate * 200)),
            }
        ],
        "tubes": [
            {
                "competenceId": "recsvLz0W2ShyfD63",
                "id": "recBbCIEKgrQi7eb6",
                "maxLevel": 4,
                "reachedLevel": round(mastery_rate * 4),
                "practicalDescription": "Mener une recherche et une veille d'information",
                "practicalTitle": "Recherche d'information",
            },
            {
                "competenceId": "recIkYm646lrGvLNT",
                "id": "recs1vdbHxX8X55G9",
                "maxLevel": 3,
                "reachedLevel": round(mastery_rate * 3),
                "practicalDescription": "Interagir par une messagerie",
                "practicalTitle": "Messagerie",
            },
        ],
    }


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    return "".join(c for c in strip_accents(text).lower() if c.isalnum() or c == "-")


def working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return min(day, LAST_DAY)


def local_to_utc(structure: Structure, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(structure.timezone)).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def swap_two_digits(number: int, position: int) -> int:
    digits = list(str(number))
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    return int("".join(digits))


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(0, (last - first).days + 1))


# -- the plan --------------------------------------------------------------------------------


def build(seed: int) -> Builder:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    b = Builder(rng)
    build_paris(b)
    build_reunion(b)
    return b


def build_paris(b: Builder) -> None:
    rng = b.rng
    # Ordinary: 3 short diagnostics, 2 long assessments, 3 in group workshops.
    for campaign_code in ("PARDIAG26", "PARDIAG26", "PARDIAG26", "PARCOMP26", "PARCOMP26"):
        person = b.person(PARIS)
        b.ordinary_session(person, campaign_code, random_day(rng, date(2026, 1, 12), LAST_DAY))
    workshops = (date(2026, 4, 9), date(2026, 4, 9), date(2026, 10, 6))
    for workshop in workshops:
        person = b.person(PARIS)
        prescribed = workshop - timedelta(days=rng.randrange(3, 30))
        b.ordinary_session(person, "PARATEL26", prescribed, on=workshop)
    # « Atelier CV » prescriptions that the connector must leave alone.
    b.prescribe(b.people[0], date(2026, 1, 20), other_offer=True)
    b.prescribe(b.people[3], date(2026, 2, 2), "ACHIEVED", date(2026, 2, 16), other_offer=True)

    # Prescribed, not taken yet.
    b.prescribe(b.person(PARIS), date(2026, 11, 9))

    # Garbage external id.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 3, 25))
    created = utc("2026-04-02T12:41:07+00:00")
    b.participate(
        person,
        "PARDIAG26",
        created,
        created + timedelta(minutes=19),
        external_id="je sais pas",
        case="garbage external id",
    )

    # Yanis typed Inès's idDossier (two digits swapped); Inès has not taken it.
    yanis = b.person(PARIS, first="Yanis", sexe="H", last="Benali")
    ines_id = swap_two_digits(yanis.id_dossier, 3)
    if ines_id == yanis.id_dossier or ines_id in b.used_ids:
        ines_id = swap_two_digits(yanis.id_dossier, 4)
    ines = b.person(PARIS, first="Inès", sexe="F", last="Haddad", id_dossier=ines_id)
    b.prescribe(yanis, date(2026, 5, 4))
    b.prescribe(ines, date(2026, 5, 6))
    created = utc("2026-05-19T08:03:55+00:00")
    b.participate(
        yanis,
        "PARCOMP26",
        created,
        created + timedelta(minutes=62),
        external_id=f" {ines.id_dossier}",
        names=("Yanis", "BENALI"),
        case="id of another dossier",
    )

    # Started, never shared.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 9, 1))
    b.participate(person, "PARDIAG26", utc("2026-09-14T08:05:12+00:00"), None, case="started")

    # Already ACHIEVED by a counsellor.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 1, 26), "ACHIEVED", date(2026, 2, 10))
    created = utc("2026-02-10T10:21:38+00:00")
    b.participate(
        person, "PARDIAG26", created, created + timedelta(minutes=18), case="already achieved"
    )

    # Refused, then took it anyway.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 3, 2), "REFUSAL_YOUNG")
    created = utc("2026-04-15T13:02:40+00:00")
    b.participate(
        person, "PARCOMP26", created, created + timedelta(minutes=71), case="refusal young"
    )

    # A retry in the same campaign: two SHARED participations.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 2, 23))
    first_try = utc("2026-03-03T09:58:02+00:00")
    b.participate(
        person,
        "PARDIAG26",
        first_try,
        first_try + timedelta(minutes=16),
        mastery_rate=0.38,
        case="retry, earliest wins",
    )
    retry = utc("2026-03-24T14:10:47+00:00")
    b.participate(
        person,
        "PARDIAG26",
        retry,
        retry + timedelta(minutes=21),
        mastery_rate=0.61,
        case="retry, earliest wins",
    )

    # Late evening UTC in summer: the next day in Paris.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 5, 28))
    shared = utc("2026-06-11T22:30:00+00:00")
    b.participate(
        person,
        "PARCOMP26",
        shared - timedelta(minutes=64),
        shared,
        case="paris summer late evening",
    )

    # Late evening UTC in winter: still the same day in Paris.
    person = b.person(PARIS)
    b.prescribe(person, date(2026, 1, 29))
    shared = utc("2026-02-05T22:45:00+00:00")
    b.participate(
        person,
        "PARDIAG26",
        shared - timedelta(minutes=17),
        shared,
        case="paris winter late evening",
    )

    # Known in Pix under her usage name.
    person = b.person(
        PARIS, first="Aïcha", sexe="F", last="Traoré", nom_usage="Camara", birth=date(2002, 7, 14)
    )
    b.prescribe(person, date(2026, 9, 28))
    created = local_to_utc(PARIS, date(2026, 10, 6), time(14, 4, 31))
    b.participate(
        person,
        "PARATEL26",
        created,
        created + timedelta(minutes=22),
        names=("Aicha", "Camara"),
        case="usage name",
    )


def build_reunion(b: Builder) -> None:
    rng = b.rng
    # Real duplicates: two « Kévin PAYET », each with his own dossier.
    for birth in (date(2004, 3, 18), date(2007, 11, 2)):
        person = b.person(REUNION, first="Kévin", sexe="H", last="Payet", birth=birth)
        b.ordinary_session(person, "RUNDIAG26", random_day(rng, date(2026, 1, 12), LAST_DAY))
    # Ordinary: short diagnostics and long assessments.
    for campaign_code in ("RUNDIAG26",) * 5 + ("RUNCOMP26",) * 4:
        person = b.person(REUNION)
        b.ordinary_session(person, campaign_code, random_day(rng, date(2026, 1, 12), LAST_DAY))
    b.prescribe(b.people[-3], date(2026, 2, 9), other_offer=True)

    # Prescribed, not taken yet; and one the counsellor recorded as abandoned.
    b.prescribe(b.person(REUNION), date(2026, 10, 19))
    b.prescribe(b.person(REUNION), date(2026, 2, 16), "ABANDONED")

    # The e-mail typed as external id.
    person = b.person(REUNION, first="Maëva", sexe="F", last="Hoarau")
    person.mail = "maeva.hoarau974@example.com"
    b.prescribe(person, date(2026, 6, 15))
    created = local_to_utc(REUNION, date(2026, 6, 23), time(10, 12, 9))
    b.participate(
        person,
        "RUNDIAG26",
        created,
        created + timedelta(minutes=17),
        external_id=person.mail,
        case="e-mail as external id",
    )

    # Late evening UTC: the next day in Réunion.
    person = b.person(REUNION)
    b.prescribe(person, date(2026, 4, 27))
    shared = utc("2026-05-07T21:15:00+00:00")
    b.participate(
        person, "RUNCOMP26", shared - timedelta(minutes=58), shared, case="reunion late evening"
    )

    # A profiles collection is not an assessment.
    person = b.person(REUNION)
    b.prescribe(person, date(2026, 6, 22))
    created = local_to_utc(REUNION, date(2026, 7, 1), time(9, 40, 26))
    b.participate(
        person,
        "RUNPROF26",
        created,
        created + timedelta(minutes=9),
        scored=False,
        case="profiles collection",
    )

    # Took the test without an « Evaluation PIX » prescription (only « Atelier CV »).
    person = b.person(REUNION)
    b.prescribe(person, date(2026, 8, 3), other_offer=True)
    created = local_to_utc(REUNION, date(2026, 8, 18), time(15, 30, 2))
    b.participate(
        person,
        "RUNDIAG26",
        created,
        created + timedelta(minutes=14),
        case="no evaluation pix prescription",
    )


# -- output ----------------------------------------------------------------------------------


def assign_ids(
    b: Builder,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, list[int]]]:
    """Number prescriptions and participations in time order, as the real systems would."""
    order = sorted(
        range(len(b.participations)),
        key=lambda i: (b.participations[i]["createdAt"], b.participations[i]["participantId"]),
    )
    participations: list[dict[str, Any]] = []
    case_ids: dict[str, list[int]] = {}
    for number, index in enumerate(order):
        participation_id = FIRST_PARTICIPATION_ID + number
        participations.append({"id": participation_id, **b.participations[index]})
        if index in b.cases:
            case_ids.setdefault(b.cases[index], []).append(participation_id)
    prescriptions = [
        {
            "id": FIRST_PRESCRIPTION_ID + number,
            "idDossier": row["idDossier"],
            "idOffre": row["idOffre"],
            "statut": row["statut"],
            "dateRealisation": row["dateRealisation"],
            "datePrescription": row["datePrescription"],
        }
        for number, row in enumerate(
            sorted(b.prescriptions, key=lambda r: (r["datePrescription"], r["idDossier"]))
        )
    ]
    return participations, prescriptions, case_ids


def level(rng: random.Random) -> str:
    return rng.choices(("III", "IV", "V", "VI"), weights=(1, 4, 4, 2))[0]


def dossiers(b: Builder) -> list[dict[str, Any]]:
    rows = []
    for person in b.people:
        zones, weights = zip(*person.structure.zones, strict=True)
        rows.append(
            {
                "idDossier": person.id_dossier,
                "codeStructure": person.structure.code,
                "nomNaissance": person.last.upper(),
                "nomUsage": person.nom_usage.upper() if person.nom_usage else None,
                "prenom": person.first,
                "dateNaissance": person.birth.isoformat(),
                "mail": person.mail,
                "sexe": person.sexe,
                "niveau": level(b.rng),
                "zone": b.rng.choices(zones, weights=weights)[0],
                "accompagnement": b.rng.choices(
                    ("PREMIER_ACCUEIL", "DEJA_ACCOMPAGNE", "CEJ"), weights=(3, 4, 3)
                )[0],
            }
        )
    return sorted(rows, key=lambda row: (row["codeStructure"], row["idDossier"]))


def offers() -> list[dict[str, Any]]:
    rows = []
    for structure in STRUCTURES:
        rows.append(
            {
                "id": structure.pix_offer_id,
                "codeStructure": structure.code,
                # The charter: exactly this name, without accents.
                "nom": "Evaluation PIX",
                "theme": "Projet professionnel",
                "acteService": "MER sur des prestations d'évaluation",
                "type": structure.pix_offer_type,
                "mesureNationale": "Evaluation compétences numériques",
                "partenaire": {"raisonSociale": "GIP PIX", "siret": "13002343500014"},
                "dateDebut": "2019-01-01",
                "dateFin": None,
            }
        )
        rows.append(
            {
                "id": structure.other_offer_id,
                "codeStructure": structure.code,
                "nom": "Atelier CV",
                "theme": "Accès à l'emploi",
                "acteService": "Atelier de techniques de recherche d'emploi",
                "type": "ANIMATION_COLLECTIVE",
                "mesureNationale": None,
                "partenaire": None,
                "dateDebut": "2024-09-02",
                "dateFin": None,
            }
        )
    return rows


def pix_files(participations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "organizations.json": [
            {"id": s.organization_id, "name": s.name, "externalId": s.organization_external_id}
            for s in STRUCTURES
        ],
        "campaigns.json": [
            {
                "id": c.id,
                "organizationId": c.structure.organization_id,
                "name": c.name,
                "code": c.code,
                "type": c.type,
                "targetProfileName": c.target_profile_name,
                "createdAt": c.created_at,
                "archivedAt": None,
            }
            for c in CAMPAIGNS
        ],
        "participations.json": participations,
        "clients.json": [
            {
                "clientId": CLIENT_ID,
                "clientSecret": "demo-secret",
                "scopes": ["meta", "campaigns"],
                "organizationIds": [s.organization_id for s in STRUCTURES],
            }
        ],
    }


def organisations_yaml() -> str:
    lines = [
        "# Which I-Milo structure each Pix organisation reports to.",
        "#",
        "# There are two ways to say it:",
        "#   1. In Pix: the organisation's `externalId` holds the I-Milo structure code. Pix sets",
        "#      it on request; nothing to write here. The Paris organisation does it this way:",
    ]
    for s in STRUCTURES:
        if s.organization_external_id:
            lines.append(f"#        {s.organization_id} ({s.name}) has externalId {s.code}.")
    lines += [
        '#   2. Here: `<Pix organisation id>: "<I-Milo structure code>"`, for an organisation',
        "#      whose externalId is empty or wrong. An entry here wins over Pix's externalId.",
        "# An organisation named in neither place is not synchronised.",
        "organisations:",
    ]
    for s in STRUCTURES:
        if not s.organization_external_id:
            lines.append(f"  # {s.name}: no externalId in Pix.")
            lines.append(f'  {s.organization_id}: "{s.code}"')
    return "\n".join(lines) + "\n"


def campaigns_yaml() -> str:
    lines = [
        "# How the connector treats each Pix campaign, keyed by campaign code.",
        "#   modality:    individual → réalisé, and an actualité « entretien individuel »;",
        "#                group      → réalisé, and an actualité « atelier » (group workshops);",
        "#                autonomous → réalisé only: the young person took the test alone, and",
        "#                             the charter asks for no actualité.",
        "#   diagnostic:  short (« Diagnostic initial », 15–20 min) or long (« Parcours complet »,",
        "#                about an hour). Pix's target profile name says it too; this file is the",
        "#                admin's word on it.",
        "#   external_id: dossier or email → what the campaign's external id holds. Left out, each",
        "#                value is read for what it looks like.",
        "#   ignore:      true → the campaign's results never reach I-Milo (test campaigns,",
        "#                profile collections, campaigns of another programme).",
        "campaigns:",
    ]
    for c in CAMPAIGNS:
        lines += [
            f"  # {c.name}: {c.comment}.",
            f"  {c.code}:",
            f"    modality: {c.modality}",
        ]
        if c.diagnostic:
            lines.append(f"    diagnostic: {c.diagnostic}")
        lines.append(f"    ignore: {'true' if c.ignore else 'false'}")
    return "\n".join(lines) + "\n"


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    b = build(args.seed)
    participations, prescriptions, case_ids = assign_ids(b)
    found = {case: tuple(ids) for case, ids in case_ids.items()}
    if found != CASE_IDS:
        print(
            "Teaching-case participation ids changed; update CASE_IDS and the docstring:",
            file=sys.stderr,
        )
        for case, ids in sorted(found.items()):
            print(f"  {case}: {', '.join(map(str, ids))}", file=sys.stderr)
        return 1

    out: Path = args.out
    files = {f"pix/{name}": data for name, data in pix_files(participations).items()}
    imilo = {
        # Served without a time zone, as the real gateway serves them: the connector takes
        # each structure's zone from its department (75: Europe/Paris, 974: Indian/Reunion).
        "structures.json": [{"code": s.code, "nomOfficiel": s.name} for s in STRUCTURES],
        "dossiers.json": dossiers(b),
        "offres.json": offers(),
        "prescriptions.json": prescriptions,
        "api_keys.json": ["demo-imilo-key"],
    }
    files |= {f"imilo/{name}": data for name, data in imilo.items()}
    # The simulators' fixture files, by their own writer; indented, to be read by people.
    write_fixtures(out / "data", files, indent=2)
    write_text(out / "mappings" / "organisations.yaml", organisations_yaml())
    write_text(out / "mappings" / "campaigns.yaml", campaigns_yaml())
    print(
        f"Wrote {len(b.people)} dossiers, {len(prescriptions)} prescriptions and "
        f"{len(participations)} participations under {out}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
