"""A compact, commented scenario for sync tests: every rule of the vertical slice, once.

``write_scenario(dir)`` writes a simulator fixture directory and ``EXPECTED`` says what
I-Milo must hold after a correct run. Times are chosen around midnight in each time zone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from connector.simulators.fixture_writer import write_fixtures

PARIS, REUNION, CAYENNE = "75010S00", "97411S00", "97302S00"
PIX_OFFER = {
    "theme": "Projet professionnel",
    "acteService": "MER sur des prestations d'évaluation",
    "type": "AUTRE",
    "mesureNationale": "Evaluation compétences numériques",
    "partenaire": {"raisonSociale": "GIP PIX", "siret": "13002343500014"},
    "dateDebut": "2019-01-01",
    "dateFin": None,
}

STRUCTURES = [
    {"code": PARIS, "nomOfficiel": "ML Paris Centre", "timezone": "Europe/Paris"},
    {"code": REUNION, "nomOfficiel": "ML Nord Réunion", "timezone": "Indian/Reunion"},
    {"code": CAYENNE, "nomOfficiel": "ML Cayenne", "timezone": "America/Cayenne"},
]
OFFRES = [
    {"id": 1, "codeStructure": PARIS, "nom": "Evaluation PIX", **PIX_OFFER},
    {"id": 2, "codeStructure": PARIS, "nom": "Atelier CV", **PIX_OFFER},
    {"id": 3, "codeStructure": REUNION, "nom": "Evaluation PIX", **PIX_OFFER},
    {"id": 4, "codeStructure": CAYENNE, "nom": "Evaluation PIX", **PIX_OFFER},
]

# (idDossier, structure, nomNaissance, nomUsage, prenom)
PEOPLE = [
    (1000001, PARIS, "DURAND", None, "Léa"),  # shared 22:59 UTC in winter: same day in Paris
    (1000002, PARIS, "N'DIAYE", None, "Moussa"),  # shared 23:01 UTC in winter: next day
    (1000003, REUNION, "PAYET", None, "Kévin"),  # 19:59 UTC: same day in Réunion
    (1000004, REUNION, "HOARAU", "GRONDIN", "Maëlys"),  # 20:01 UTC: next day; typed usage name
    (1000005, CAYENNE, "JEAN-BAPTISTE", None, "Noé"),  # 02:59 UTC: previous day in Cayenne
    (1000006, CAYENNE, "BIRONNEAU", None, "Inès"),  # 03:01 UTC: same day in Cayenne
    (1000007, PARIS, "MARTIN", None, "Hugo"),  # group campaign: atelier
    (1000008, PARIS, "PETIT", None, "Chloé"),  # STARTED only
    (1000009, PARIS, "ROUX", None, "Adam"),  # profiles-collection campaign
    (1000010, PARIS, "FAURE", None, "Jade"),  # campaign mapped ignore: true
    (1000011, PARIS, "GIRARD", None, "Nolan"),  # organisation not mapped
    (1000012, PARIS, "BONNET", None, "Zoé"),  # already réalisé by a counsellor
    (1000013, PARIS, "LAMBERT", None, "Enzo"),  # refus jeune
    (1000014, PARIS, "FONTAINE", None, "Manon"),  # only an « Atelier CV » prescription
    (1000015, PARIS, "ROUSSEL", None, "Lina"),  # Pix + Atelier CV prescriptions
    (1000016, PARIS, "MOREL", None, "Louis"),  # two shared results: earliest wins
    (1000017, PARIS, "GARNIER", None, "Sarah"),  # someone typed her number by mistake
    (1000018, PARIS, "CHEVALIER", None, "Tom"),  # two open Pix prescriptions: oldest
    (1000019, PARIS, "ABANDON", None, "Rayan"),  # abandonné
    (1000020, PARIS, "REFUS", None, "Nina"),  # refus tiers
    (1000021, PARIS, "LEROY", None, "Emma"),  # two Emma LEROY, both prescribed:
    (1000022, PARIS, "LEROY", None, "Emma"),  # only an id or a counsellor can tell
    (1000023, PARIS, "LE BIHAN", None, "Jean-Pierre"),  # garbage id, names suffice
    (1000024, PARIS, "DUBOIS", None, "Nathan"),  # prescribed, but a namesake exists
    (1000025, PARIS, "DUBOIS", None, "Nathan"),  # … whose prescription is closed
]

# (id, idDossier, idOffre, statut, dateRealisation, datePrescription)
PRESCRIPTIONS = [
    (501, 1000001, 1, "ONGOING", None, "2026-02-01"),
    (502, 1000002, 1, "ONGOING", None, "2026-02-01"),
    (503, 1000003, 3, "ONGOING", None, "2026-02-01"),
    (504, 1000004, 3, "ONGOING", None, "2026-02-01"),
    (505, 1000005, 4, "ONGOING", None, "2026-02-01"),
    (506, 1000006, 4, "ONGOING", None, "2026-02-01"),
    (507, 1000007, 1, "ONGOING", None, "2026-02-01"),
    (508, 1000008, 1, "ONGOING", None, "2026-02-01"),
    (509, 1000009, 1, "ONGOING", None, "2026-02-01"),
    (510, 1000010, 1, "ONGOING", None, "2026-02-01"),
    (511, 1000011, 1, "ONGOING", None, "2026-02-01"),
    (512, 1000012, 1, "ACHIEVED", "2026-01-20", "2026-01-05"),
    (513, 1000013, 1, "REFUSAL_YOUNG", None, "2026-02-01"),
    (514, 1000014, 2, "ONGOING", None, "2026-02-01"),
    (515, 1000015, 1, "ONGOING", None, "2026-02-01"),
    (516, 1000015, 2, "ONGOING", None, "2026-02-01"),
    (517, 1000016, 1, "ONGOING", None, "2026-02-01"),
    (518, 1000017, 1, "ONGOING", None, "2026-02-01"),
    (519, 1000018, 1, "ONGOING", None, "2026-02-10"),
    (520, 1000018, 1, "ONGOING", None, "2026-01-10"),
    (521, 1000019, 1, "ABANDONED", None, "2026-02-01"),
    (522, 1000020, 1, "REFUSAL", None, "2026-02-01"),
    (523, 1000021, 1, "ONGOING", None, "2026-02-01"),
    (524, 1000022, 1, "ONGOING", None, "2026-02-01"),
    (525, 1000023, 1, "ONGOING", None, "2026-02-01"),
    (526, 1000024, 1, "ONGOING", None, "2026-02-01"),
    (527, 1000025, 1, "ACHIEVED", "2026-01-15", "2026-01-02"),
]

ORGANIZATIONS = [
    {"id": 1, "name": "ML Paris Centre", "externalId": PARIS},
    {"id": 2, "name": "ML Nord Réunion", "externalId": None},  # mapped in organisations.yaml
    {"id": 3, "name": "ML Cayenne", "externalId": CAYENNE},
    {"id": 4, "name": "Organisation sans correspondance", "externalId": None},
    {"id": 5, "name": "Lycée (code UAI, pas une Mission Locale)", "externalId": "0750001X"},
]
CAMPAIGNS = [
    (10, 1, "PARDIAG", "ASSESSMENT", "Diagnostic initial"),
    (11, 1, "PARATEL", "ASSESSMENT", "Parcours complet"),  # mapped modality: group
    (12, 1, "PARPROF", "PROFILES_COLLECTION", None),
    (13, 1, "PARIGNO", "ASSESSMENT", "Diagnostic initial"),  # mapped ignore: true
    (20, 2, "RUNDIAG", "ASSESSMENT", "Diagnostic initial"),
    (30, 3, "CAYDIAG", "ASSESSMENT", "Diagnostic initial"),
    (40, 4, "ORPHAN", "ASSESSMENT", "Diagnostic initial"),
    (50, 5, "LYCEE", "ASSESSMENT", "Diagnostic initial"),
]

# (id, campaignId, status, sharedAt, firstName, lastName, externalId)
PARTICIPATIONS = [
    (1, 10, "SHARED", "2026-03-12T22:59:00Z", "lea", "durand", "1000001"),
    (2, 10, "SHARED", "2026-03-12T23:01:00Z", "Moussa", "NDIAYE", " 1000002 "),
    (3, 20, "SHARED", "2026-03-12T19:59:00Z", "Kevin", "Payet", "1000003"),
    (4, 20, "SHARED", "2026-03-12T20:01:00Z", "Maelys", "Grondin", " Jeune.1000004@Example.org"),
    (5, 30, "SHARED", "2026-03-13T02:59:00Z", "Noe", "Jean Baptiste", "1000005"),
    (6, 30, "SHARED", "2026-03-13T03:01:00Z", "INES", "BIRONNEAU", "1000006"),
    (7, 11, "SHARED", "2026-04-02T09:00:00Z", "Hugo", "Martin", "1000007"),
    (8, 10, "STARTED", None, "Chloé", "Petit", "1000008"),
    (9, 12, "SHARED", "2026-04-02T09:00:00Z", "Adam", "Roux", "1000009"),
    (10, 13, "SHARED", "2026-04-02T09:00:00Z", "Jade", "Faure", "1000010"),
    (11, 40, "SHARED", "2026-04-02T09:00:00Z", "Nolan", "Girard", "1000011"),
    (12, 10, "SHARED", "2026-04-02T09:00:00Z", "Zoé", "Bonnet", "1000012"),
    (13, 10, "SHARED", "2026-04-02T09:00:00Z", "Enzo", "Lambert", "1000013"),
    (14, 10, "SHARED", "2026-04-02T09:00:00Z", "Manon", "Fontaine", "1000014"),
    (15, 10, "SHARED", "2026-04-02T09:00:00Z", "Lina", "Roussel", "1000015"),
    (16, 10, "SHARED", "2026-04-20T09:00:00Z", "Louis", "Morel", "1000016"),
    (17, 10, "SHARED", "2026-04-03T09:00:00Z", "Louis", "Morel", "1000016"),
    (18, 10, "SHARED", "2026-04-02T09:00:00Z", "Yanis", "Benali", "1000017"),
    (19, 10, "SHARED", "2026-04-02T09:00:00Z", "Tom", "Chevalier", "1000018"),
    (20, 10, "SHARED", "2026-04-02T09:00:00Z", "Rayan", "Abandon", "1000019"),
    (21, 10, "SHARED", "2026-04-02T09:00:00Z", "Nina", "Refus", "1000020"),
    # Sarah's own result, but through an organisation that is no Mission Locale: ignored.
    (22, 50, "SHARED", "2026-04-02T09:00:00Z", "Sarah", "Garnier", "1000017"),
    (23, 10, "SHARED", "2026-04-02T09:00:00Z", "Emma", "Leroy", "je sais pas"),
    (24, 10, "SHARED", "2026-04-02T09:00:00Z", "jean pierre", "lebihan", "??"),
    (25, 10, "SHARED", "2026-04-02T09:00:00Z", "Nathan", "Dubois", None),
]
HOMONYM_PARTICIPATION = 23  # the review item the tests resolve
HOMONYM_CHOICE = (1000022, 524)  # the dossier a counsellor picks, and its prescription
MALFORMED = [
    {
        "id": "not-a-number",
        "campaignId": 10,
        "status": "SHARED",
        "createdAt": "2026-04-01T00:00:00Z",
    },
    {
        "id": 99,
        "campaignId": 10,
        "status": "SHARED",
        "createdAt": "2026-02-30T00:00:00Z",
        "sharedAt": "2026-03-01T00:00:00Z",
        "participantFirstName": "X",
        "participantLastName": "Y",
    },
]

# prescription id -> (statut, dateRealisation) after a correct run; others are unchanged.
EXPECTED = {
    501: ("ACHIEVED", "2026-03-12"),
    502: ("ACHIEVED", "2026-03-13"),
    503: ("ACHIEVED", "2026-03-12"),
    504: ("ACHIEVED", "2026-03-13"),
    505: ("ACHIEVED", "2026-03-12"),
    506: ("ACHIEVED", "2026-03-13"),
    507: ("ACHIEVED", "2026-04-02"),
    515: ("ACHIEVED", "2026-04-02"),
    517: ("ACHIEVED", "2026-04-03"),
    520: ("ACHIEVED", "2026-04-02"),
    525: ("ACHIEVED", "2026-04-02"),
}
EXPECTED_NATURES = {507: "ATELIER"}  # every other actualité is an entretien individuel

# What identifies the young person behind each expected realisation, read from the data above
# as a careful counsellor would, not from the matcher: "id" (a dossier number typed in Pix,
# that dossier's names agreeing), "mail" (an e-mail typed in Pix that a dossier holds) or
# "names" (only the names: nothing typed, garbage, or an e-mail that no dossier holds).
EVIDENCE = {
    501: "id",  # lea durand, 1000001
    502: "id",  # " 1000002 ", spaces around
    503: "id",
    504: "names",  # Maëlys typed an e-mail, but no dossier holds one (mail: null): her names
    505: "id",
    506: "id",
    507: "id",
    515: "id",
    517: "id",  # the earlier of Louis MOREL's two results, 1000016 both times
    520: "id",  # Tom CHEVALIER, 1000018, the older of his two open prescriptions
    525: "names",  # Jean-Pierre LE BIHAN typed "??"
}
# Participations identified by their names only, and the prescription each would realise.
NAMES_ONLY = {4: 504, 24: 525}
# Participations a counsellor must see whatever the mode, with the reason in each mode.
REVIEWS = {
    "contract": {
        "names_disagree": 1,  # Yanis typed Sarah's number
        "no_open_prescription": 5,  # réalisé, refus jeune, refus tiers, abandonné, other offer
        "homonyms": 1,  # two Emma LEROY with open prescriptions
        "homonym_in_structure": 1,  # Nathan DUBOIS has a namesake whose prescription is closed
    },
    # No structure-wide search: a names-only match is never written. Nathan DUBOIS's namesake
    # cannot be seen; Maëlys and Jean-Pierre, written in contract mode, wait for a counsellor.
    "sessions": {
        "names_disagree": 1,
        "no_open_prescription": 5,
        "homonyms": 1,  # both Emma LEROY are registered: seen among the candidates
        "homonym_check_unavailable": 3,  # Maëlys GRONDIN, Jean-Pierre LE BIHAN, Nathan DUBOIS
    },
}


ORGANISATIONS_YAML = "organisations:\n  2: '97411S00'\n"
CAMPAIGNS_YAML = "campaigns:\n  PARATEL:\n    modality: group\n  PARIGNO:\n    ignore: true\n"
API_KEY = "scenario-key"
CLIENT_ID, CLIENT_SECRET = "scenario-client", "scenario-secret"


def mail(dossier_id: int) -> str:
    return f"jeune.{dossier_id}@example.org"


def birth_date(dossier_id: int) -> str:
    return f"2006-{1 + dossier_id % 12:02d}-{1 + dossier_id % 28:02d}"


def participant_id(user_id: int) -> str:
    """Pix's participantId: the SHA-1 of the user id and the API client's id, in hex
    (api/src/maddo/domain/models/CampaignParticipation.js)."""
    return hashlib.sha1(f"{user_id}_{CLIENT_ID}".encode()).hexdigest()  # noqa: S324


TUBES = [
    {
        "competenceId": "recsvLz0W2ShyfD63",
        "id": "recBbCIEKgrQi7eb6",
        "maxLevel": 4,
        "reachedLevel": 2,
        "practicalDescription": "Mener une recherche et une veille d'information",
        "practicalTitle": "Recherche d'information",
    },
    {
        "competenceId": "recIkYm646lrGvLNT",
        "id": "recs1vdbHxX8X55G9",
        "maxLevel": 3,
        "reachedLevel": 3,
        "practicalDescription": "Interagir par une messagerie",
        "practicalTitle": "Messagerie",
    },
]
BADGE = {
    "id": 311,
    "message": "Bravo ! Vous maîtrisez les bases du numérique.",
    "altMessage": "Badge Bases du numérique",
    "imageUrl": "https://images.pix.fr/badges/bases-numerique.svg",
    "key": "BASES_NUMERIQUE",
    "title": "Bases du numérique",
    "isAcquired": True,
    "acquisitionPercentage": 100,
}


def participation_records() -> list[dict[str, Any]]:
    """PARTICIPATIONS as the partner API serves them, every field of its model included,
    and one it may add later (``isImproved``). A person who took a campaign twice keeps the
    same user id, so the same participantId."""
    users: dict[tuple[str, str], int] = {}
    records = []
    for i, c, st, s, f, ln, e in PARTICIPATIONS:
        user = users.setdefault((f.lower(), ln.lower()), 9100 + i)
        records.append(
            {
                "id": i,
                "createdAt": (s or "2026-04-01T08:00:00Z").replace("Z", "")[:11] + "00:00:00Z",
                "sharedAt": s,
                "status": st,
                "participantFirstName": f,
                "participantLastName": ln,
                "participantExternalId": e,
                "participantId": participant_id(user),
                # null unless the young person came through an SSO
                "authenticationId": 880_000 + i if i % 5 == 0 else None,
                "organizationLearnerId": 7000 + i,
                "campaignId": c,
                "masteryRate": 0.5 if s else None,
                "pixScore": 96 + i if s else 0,
                "stages": {"reachedStage": 2, "numberOfStages": 4} if s else None,
                "badges": [BADGE] if s else None,
                "tubes": TUBES if s else [],
                "isImproved": False,
            }
        )
    return records


def initial_prescriptions() -> dict[int, tuple[str, str | None]]:
    return {p[0]: (p[3], p[4]) for p in PRESCRIPTIONS}


def expected(api: str = "contract") -> dict[int, tuple[str, str | None]]:
    """The prescriptions a correct run realises in I-Milo mode ``api``: every one in contract
    mode (the structure-wide search checks the names-only ones for homonyms); in sessions mode
    (no such search), those identified by a dossier number or an e-mail only."""
    if api == "contract":
        return dict(EXPECTED)
    if api != "sessions":
        raise ValueError(f"unknown I-Milo mode {api!r}")
    return {p: v for p, v in EXPECTED.items() if EVIDENCE[p] != "names"}


def expected_actualites(api: str = "contract") -> dict[int, tuple[str, str | None]]:
    """The prescriptions that get one actualité each: none in sessions mode (not served)."""
    return expected(api) if api == "contract" else {}


def expected_state(api: str = "contract") -> dict[int, tuple[str, str | None]]:
    """Every prescription after a correct run: the expected realisations, the rest as is."""
    return {**initial_prescriptions(), **expected(api)}


def writes_per_realisation(api: str = "contract") -> int:
    """Write requests per realisation: the status and the actualité; in sessions mode the
    registration's status only."""
    return 2 if api == "contract" else 1


def write_scenario(root: Path) -> Path:
    """Write the fixture directory and the mappings next to it; return the fixture dir."""
    data = root / "data"
    files: dict[str, list[Any]] = {
        "imilo/structures.json": STRUCTURES,
        "imilo/offres.json": OFFRES,
        "imilo/api_keys.json": [API_KEY],
        "imilo/dossiers.json": [
            {
                "idDossier": d,
                "codeStructure": s,
                "nomNaissance": n,
                "nomUsage": u,
                "prenom": p,
                "dateNaissance": "2006-05-04",
                "mail": None,
                "sexe": "F",
                "niveau": "IV",
                "zone": "AUTRE",
                "accompagnement": "CEJ",
            }
            for d, s, n, u, p in PEOPLE
        ],
        "imilo/prescriptions.json": [
            {
                "id": i,
                "idDossier": d,
                "idOffre": o,
                "statut": s,
                "dateRealisation": r,
                "datePrescription": p,
            }
            for i, d, o, s, r, p in PRESCRIPTIONS
        ],
        "pix/organizations.json": ORGANIZATIONS,
        "pix/campaigns.json": [
            {
                "id": i,
                "organizationId": o,
                "name": f"Campagne {c}",
                "code": c,
                "type": t,
                "targetProfileName": tp,
                "createdAt": "2026-01-01T00:00:00Z",
                "archivedAt": None,
            }
            for i, o, c, t, tp in CAMPAIGNS
        ],
        "pix/participations.json": participation_records() + MALFORMED,
        "pix/clients.json": [
            {
                "clientId": CLIENT_ID,
                "clientSecret": CLIENT_SECRET,
                "scopes": ["meta", "campaigns"],
                "organizationIds": [1, 2, 3, 4, 5],
            }
        ],
    }
    write_fixtures(data, files, indent=1)
    mappings = root / "mappings"
    mappings.mkdir(exist_ok=True)
    (mappings / "organisations.yaml").write_text(ORGANISATIONS_YAML, encoding="utf-8")
    (mappings / "campaigns.yaml").write_text(CAMPAIGNS_YAML, encoding="utf-8")
    return data
