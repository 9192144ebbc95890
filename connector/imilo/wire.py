"""Translation between I-Milo's JSON and the domain's plain data.

Kept apart from the HTTP code so that a field renamed by I-Milo (it has happened) is one
edit here. A missing or malformed field raises ``MalformedResponse`` naming the field only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connector.domain.model import (
    Actualite,
    Candidate,
    Dossier,
    Offre,
    Prescription,
    ServedStructure,
)
from connector.errors import MalformedResponse
from connector.imilo.codes import ImiloCodes

__all__ = [
    "actualite_from",
    "candidate_from",
    "dossier_from",
    "offre_from",
    "prescription_from",
    "structure_from",
]


def _field(item: Any, name: str, what: str) -> Any:
    if not isinstance(item, dict) or item.get(name) is None:
        raise MalformedResponse("imilo", f"{what}: field {name} is missing")
    return item[name]


def _int(item: Any, name: str, what: str) -> int:
    value = _field(item, name, what)
    if isinstance(value, bool):
        raise MalformedResponse("imilo", f"{what}: field {name} is not a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MalformedResponse("imilo", f"{what}: field {name} is not a number") from None


def _date(item: dict[str, Any], name: str, what: str) -> date | None:
    value = item.get(name)
    if value is None:
        return None
    try:
        # I-Milo date-times are "yyyy-MM-dd HH:mm:ss": the date part is what we need.
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise MalformedResponse("imilo", f"{what}: field {name} is not a date") from None


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value)


def structure_from(item: Any) -> ServedStructure:
    """The structure as served. ``timezone`` is optional (the real gateway serves none) and
    kept as served, unchecked: the sync resolves the zone (``connector.domain.timezones``),
    so that one structure's odd zone never fails the reading of the others."""
    what = "structure"
    zone = item.get("timezone") if isinstance(item, dict) else None
    return ServedStructure(
        code=str(_field(item, "code", what)),
        name=str(item.get("nomOfficiel") or ""),
        timezone=zone if isinstance(zone, str) else None,
    )


def offre_from(item: Any) -> Offre:
    what = "offre"
    partenaire = item.get("partenaire") if isinstance(item, dict) else None
    partenaire = partenaire if isinstance(partenaire, dict) else {}
    return Offre(
        id=_int(item, "id", what),
        structure_code=str(item.get("codeStructure") or ""),
        nom=str(_field(item, "nom", what)),
        theme=_text(item, "theme"),
        acte_service=_text(item, "acteService"),
        type=_text(item, "type"),
        mesure_nationale=_text(item, "mesureNationale"),
        partenaire_raison_sociale=_text(partenaire, "raisonSociale"),
        partenaire_siret=_text(partenaire, "siret"),
        date_debut=_date(item, "dateDebut", what),
        date_fin=_date(item, "dateFin", what),
    )


def prescription_from(item: Any, codes: ImiloCodes) -> Prescription:
    what = "prescription"
    return Prescription(
        id=_int(item, "id", what),
        dossier_id=_int(item, "idDossier", what),
        offre_id=_int(item, "idOffre", what),
        statut=codes.status_from(str(_field(item, "statut", what))),
        date_prescription=_date(item, "datePrescription", what),
        date_realisation=_date(item, "dateRealisation", what),
    )


def candidate_from(item: Any, structure_code: str, codes: ImiloCodes) -> Candidate:
    what = "inscrit"
    dossier_id = _int(item, "idDossier", what)
    return Candidate(
        prescription=Prescription(
            id=_int(item, "idPrescription", what),
            dossier_id=dossier_id,
            offre_id=_int(item, "idOffre", what),
            statut=codes.status_from(str(_field(item, "statut", what))),
            date_prescription=_date(item, "datePrescription", what),
            date_realisation=_date(item, "dateRealisation", what),
        ),
        dossier=Dossier(
            id=dossier_id,
            structure_code=structure_code,
            nom_naissance=str(item.get("nomNaissance") or ""),
            nom_usage=_text(item, "nomUsage"),
            prenom=str(item.get("prenom") or ""),
            mail=_text(item, "mail"),
            date_naissance=_date(item, "dateNaissance", what),
        ),
    )


def dossier_from(item: Any) -> Dossier:
    what = "dossier"
    rattachement = item.get("structureRattachement") if isinstance(item, dict) else None
    code = rattachement.get("codeStructure") if isinstance(rattachement, dict) else None
    return Dossier(
        id=_int(item, "idDossier", what),
        structure_code=None if code is None else str(code),
        nom_naissance=str(item.get("nomNaissance") or ""),
        nom_usage=_text(item, "nomUsage"),
        prenom=str(item.get("prenom") or ""),
        mail=_text(item, "mail"),
        date_naissance=_date(item, "dateNaissance", what),
    )


def actualite_from(item: Any, codes: ImiloCodes) -> Actualite:
    what = "actualite"
    prescription = item.get("idPrescription") if isinstance(item, dict) else None
    day = _date(item, "date", what)
    if day is None:
        raise MalformedResponse("imilo", f"{what}: field date is missing")
    return Actualite(
        id=_int(item, "id", what),
        dossier_id=_int(item, "idDossier", what),
        prescription_id=None if prescription is None else int(prescription),
        nature=str(codes.nature_from(str(_field(item, "nature", what)))),
        date=day,
        commentaire=str(item.get("commentaire") or ""),
    )
