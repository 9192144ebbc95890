"""I-Milo simulator records, their JSON shapes, and validation of write bodies."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from connector.simulators.fixtures import Dossier, Offre, Prescription, Structure

__all__ = [
    "NATURES",
    "STATUTS",
    "TAILLE_MAX",
    "Actualite",
    "Answer",
    "ImiloError",
    "PrescriptionRow",
    "dossier_json",
    "fingerprint",
    "is_date",
    "json_object",
    "offre_json",
    "optional_date",
    "optional_statut",
    "optional_str",
    "page_of",
]

STATUTS = frozenset({"ONGOING", "ACHIEVED", "REFUSAL_YOUNG", "REFUSAL", "ABANDONED"})
NATURES = frozenset({"ENTRETIEN_INDIVIDUEL", "ATELIER"})
TAILLE_MAX = 150
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_Row = TypeVar("_Row")

# (HTTP status, JSON body) of a write, as stored for idempotent replay.
Answer = tuple[int, Any]


class ImiloError(Exception):
    """An error answer, ``{"message": …}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def answer(self) -> Answer:
        return self.status, {"message": self.message}


@dataclass
class PrescriptionRow:
    id: int
    id_dossier: int
    id_offre: int
    statut: str
    date_prescription: str | None
    date_realisation: str | None

    @classmethod
    def of(cls, p: Prescription) -> PrescriptionRow:
        return cls(
            p.id, p.id_dossier, p.id_offre, p.statut, p.date_prescription, p.date_realisation
        )

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "idDossier": self.id_dossier,
            "idOffre": self.id_offre,
            "statut": self.statut,
            "datePrescription": self.date_prescription,
            "dateRealisation": self.date_realisation,
        }


@dataclass(frozen=True)
class Actualite:
    id: int
    id_dossier: int
    id_prescription: int | None
    nature: str
    date: str
    commentaire: str | None

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "idDossier": self.id_dossier,
            "idPrescription": self.id_prescription,
            "nature": self.nature,
            "date": self.date,
            "commentaire": self.commentaire,
        }


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Identity of a write request; JSON bodies compare by content, not by byte layout."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        canonical = body.hex()
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def is_date(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ImiloError(400, "body is not valid JSON") from None
    if not isinstance(value, dict):
        raise ImiloError(422, "body must be a JSON object")
    return value


def optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ImiloError(422, f"{key} must be a string")
    return value


def optional_date(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not is_date(value):
        raise ImiloError(422, f"{key} must be a date yyyy-MM-dd")
    return value


def optional_statut(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and value not in STATUTS:
        raise ImiloError(422, f"{key} must be one of {', '.join(sorted(STATUTS))}")
    return value


def offre_json(o: Offre) -> dict[str, Any]:
    partenaire = o.partenaire
    return {
        "id": o.id,
        "codeStructure": o.code_structure,
        "nom": o.nom,
        "theme": o.theme,
        "acteService": o.acte_service,
        "type": o.type,
        "mesureNationale": o.mesure_nationale,
        "partenaire": (
            {"raisonSociale": partenaire.raison_sociale, "siret": partenaire.siret}
            if partenaire is not None
            else None
        ),
        "dateDebut": o.date_debut,
        "dateFin": o.date_fin,
    }


def dossier_json(d: Dossier, structure: Structure | None) -> dict[str, Any]:
    """A dossier as ``GET /sue/dossiers/{idDossier}`` (in both modes) and the contract's
    dossier search answer it: what the connector reads (``_dossier_read``), and the rest of the
    public ``DossierMiloDto`` (``_dossier_rest``), which a client must ignore."""
    served = _dossier_read(d, structure)
    served.update(_dossier_rest(d, structure))
    served["structureRattachement"]["nomUsuel"] = (
        structure.nom_officiel if structure is not None else None
    )
    return served


def _dossier_read(d: Dossier, structure: Structure | None) -> dict[str, Any]:
    return {
        "idDossier": d.id_dossier,
        "nomNaissance": d.nom_naissance,
        "nomUsage": d.nom_usage,
        "prenom": d.prenom,
        "dateNaissance": d.date_naissance,
        "mail": d.mail,
        "sexe": d.sexe,
        "niveau": d.niveau,
        "zone": d.zone,
        "accompagnement": d.accompagnement,
        "structureRattachement": {
            "codeStructure": d.code_structure,
            "nomOfficiel": structure.nom_officiel if structure is not None else None,
        },
    }


def _dossier_rest(d: Dossier, structure: Structure | None) -> dict[str, Any]:
    """The fields of ``DossierMiloDto`` (``SocialGouv/pass-emploi-api``,
    ``src/infrastructure/repositories/dto/milo.dto.ts``) the connector does not read, with
    made-up values derived from the dossier's number."""
    code = d.code_structure
    cej = (d.accompagnement or "").strip().upper() == "CEJ"
    return {
        "idJeune": f"13{d.id_dossier:017d}",
        "numeroDE": f"{d.id_dossier % 10_000_000:07d}{chr(ord('A') + d.id_dossier % 26)}",
        "adresse": {
            "numero": str(1 + d.id_dossier % 99),
            "libelleVoie": "rue de la République",
            "complement": "",
            "codePostal": code[:5] if code[:5].isdigit() else "75001",
            "commune": structure.nom_officiel if structure is not None else "",
        },
        "accompagnementCEJ": {
            "accompagnementCEJ": cej,
            "dateDebut": "2025-09-01" if cej else None,
            "dateFinPrevue": "2026-08-31" if cej else None,
            "dateFinReelle": None,
            "premierAccompagnement": None,
        },
        "situations": [
            {
                "etat": "EN_COURS",
                "dateFin": None,
                "categorieSituation": "Demandeur d'emploi",
                "codeRomeMetierPrepare": None,
                "codeRomePremierMetier": "M1805",
                "codeRomeMetierExerce": None,
            }
        ],
    }


def page_of(rows: Sequence[_Row], page: int, taille: int) -> tuple[Sequence[_Row], dict[str, int]]:
    """Page ``page`` (from 1) of ``rows``, ``taille`` capped at 150, with its ``page`` object."""
    taille = min(taille, TAILLE_MAX)
    meta = {
        "numero": page,
        "taille": taille,
        "nombrePages": math.ceil(len(rows) / taille),
        "total": len(rows),
    }
    return rows[(page - 1) * taille : page * taille], meta
