"""The generated world as files: the simulators' fixture (``pix/*.json``, ``imilo/*.json``,
written by ``connector.simulators.fixture_writer``) and ``labels.json``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.matching.draws import Draws
from bench.matching.world import CV_OFFER, PIX_CLIENT_ID, PIX_OFFER, Part, Structure
from connector.simulators.fixture_writer import FIXTURE_FILES, write_array, write_fixtures


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def records(draws: Draws, parts: Sequence[Part]) -> list[dict[str, Any]]:
    """The participations as the Pix partner API serves them, extra fields included (this
    draws from the generator's random stream: call it once, after the labels)."""
    learners = draws.rng.sample(range(100_000, 1_000_000), len(parts))
    rows = []
    for part, learner in zip(parts, learners, strict=True):
        shared = part.shared is not None
        mastery = part.mastery if shared else None
        stages = None
        if shared and draws.chance(0.7):
            count = draws.pick((3, 4, 5, 6))
            stages = {
                "reachedStage": 1 + round((mastery or 0) * (count - 1)),
                "numberOfStages": count,
            }
        badges = []
        if shared and draws.chance(0.3):
            badge_id, key, title = draws.pick(BADGES)
            badges.append(
                {
                    "id": badge_id,
                    "key": key,
                    "title": title,
                    "altMessage": f"Badge {title}",
                    "isAcquired": (mastery or 0) >= 0.5,
                    "acquisitionPercentage": round(100 * (mastery or 0)),
                }
            )
        tubes = []
        if shared:
            for competence, tube, title, top in draws.rng.sample(TUBES, draws.pick((1, 2, 3))):
                tubes.append(
                    {
                        "competenceId": competence,
                        "id": tube,
                        "maxLevel": top,
                        "reachedLevel": draws.rng.randint(0, top),
                        "practicalTitle": title,
                    }
                )
        rows.append(
            {
                "id": part.id,
                "campaignId": part.campaign.id,
                "createdAt": utc(part.created),
                "sharedAt": utc(part.shared) if part.shared is not None else None,
                "status": part.status,
                "participantFirstName": part.first,
                "participantLastName": part.last,
                "participantExternalId": part.external_id,
                "participantId": part.participant_id,
                "authenticationId": (
                    draws.rng.randrange(10**8, 10**9) if draws.chance(0.05) else None
                ),
                "organizationLearnerId": learner,
                "masteryRate": mastery,
                "pixScore": round((mastery or 0) * draws.rng.randint(120, 640)) if shared else None,
                "stages": stages,
                "badges": badges,
                "tubes": tubes,
                "isImproved": False,  # a field the connector does not know: ignored
            }
        )
    return rows


def files(
    structures: Sequence[Structure],
    participations: list[dict[str, Any]],
    prescriptions: Sequence[dict[str, Any]],
    labels: Sequence[dict[str, Any]],
) -> dict[str, list[Any]]:
    """Every file of the data set, by path relative to the output directory, as JSON values:
    the simulators' fixture files, and ``labels.json``."""
    return {
        "pix/organizations.json": [
            {"id": st.organization_id, "name": st.name, "externalId": st.code} for st in structures
        ],
        "pix/campaigns.json": [
            {
                "id": c.id,
                "organizationId": c.organization_id,
                "name": c.name,
                "code": c.code,
                "type": "ASSESSMENT",
                "targetProfileName": c.profile,
                "createdAt": utc(c.created),
                "archivedAt": None,
            }
            for st in structures
            for c in st.campaigns
        ],
        "pix/participations.json": participations,
        "pix/clients.json": [
            {
                "clientId": PIX_CLIENT_ID,
                "clientSecret": "bench-secret",
                "scopes": ["meta", "campaigns"],
                "organizationIds": [st.organization_id for st in structures],
            }
        ],
        "imilo/structures.json": [
            {"code": st.code, "nomOfficiel": st.name}
            | ({"timezone": st.timezone} if st.serves_timezone else {})
            for st in structures
        ],
        "imilo/dossiers.json": sorted(
            (d.row() for st in structures for d in st.dossiers),
            key=lambda row: row["idDossier"],
        ),
        "imilo/offres.json": [offer for st in structures for offer in offers(st)],
        "imilo/prescriptions.json": list(prescriptions),
        "imilo/api_keys.json": ["bench-key"],
        "labels.json": list(labels),
    }


TUBES = (
    ("recsvLz0W2ShyfD63", "recBbCIEKgrQi7eb6", "Recherche d'information", 4),
    ("recsvLz0W2ShyfD63", "recPgkHUdzk0HPGt1", "Évaluer l'information", 3),
    ("recIkYm646lrGvLNT", "recs1vdbHxX8X55G9", "Messagerie", 3),
    ("recIkYm646lrGvLNT", "recAY0W6xt9fXbfTq", "Partage et publication", 4),
    ("recDH19F7kKrfL3Ii", "recR9yCEqgedB0LYQ", "Traitement de texte", 5),
    ("recOdC9UDVJbAXHAm", "recFpYXCKcyhLI3Nu", "Protection des données", 4),
)
BADGES = (
    (311, "BASES_NUMERIQUE", "Bases du numérique"),
    (312, "PRET_EMPLOI", "Prêt pour l'emploi"),
)


def offers(st: Structure) -> list[dict[str, Any]]:
    offers = [
        {
            "id": st.pix_offer,
            "codeStructure": st.code,
            "nom": PIX_OFFER,
            "theme": "Projet professionnel",
            "acteService": "MER sur des prestations d'évaluation",
            "type": st.pix_offer_type,
            "mesureNationale": "Evaluation compétences numériques",
            "partenaire": {"raisonSociale": "GIP PIX", "siret": "13002343500014"},
            "dateDebut": st.pix_offer_start,
            "dateFin": None,
        }
    ]
    if st.cv_offer is not None:
        offers.append(
            {
                "id": st.cv_offer,
                "codeStructure": st.code,
                "nom": CV_OFFER,
                "theme": "Accès à l'emploi",
                "acteService": "Atelier de techniques de recherche d'emploi",
                "type": "ANIMATION_COLLECTIVE",
                "mesureNationale": None,
                "partenaire": None,
                "dateDebut": "2024-09-02",
                "dateFin": None,
            }
        )
    return offers


def write(out: str | Path, data: Mapping[str, Sequence[Any]]) -> None:
    """Write what ``files`` returns under ``out``: the fixture with the simulators' own
    writer, the labels beside it in the same layout (one item per line)."""
    write_fixtures(out, {name: rows for name, rows in data.items() if name in FIXTURE_FILES})
    for name, rows in data.items():
        if name not in FIXTURE_FILES:
            write_array(Path(out) / name, rows)
