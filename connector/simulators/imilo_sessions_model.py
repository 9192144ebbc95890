"""How the I-Milo simulator's gateway mode turns prescriptions into sessions and registrations.

An offer's prescriptions are the registrations (``inscrits``) of its sessions: one session per
offer and month of prescription (``datePrescription``; an undated prescription goes to the
month the simulator started in). A session's id is ``idOffre * 1_000_000 + yyyymm``, so it is
stable and needs no table; a registration's ``idInstanceSession`` is the prescription's id.
Every offer with prescriptions has sessions, « Evaluation PIX » or not, as on the real
gateway, where the client keeps the sessions of the offer it wants.

Shapes: ``SocialGouv/pass-emploi-api``, ``src/infrastructure/clients/dto/milo.dto.ts``
(``SessionDto``, ``OffreDto``, ``InscritSessionMiloDto``); see docs/imilo-gateway.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connector.simulators.fixtures import Dossier, Offre, Structure
from connector.simulators.imilo_model import ImiloError, PrescriptionRow, is_date
from connector.simulators.imilo_state import ImiloState

__all__ = [
    "PAGE_MAX",
    "SESSION_ID_BASE",
    "SessionsView",
    "inscrit_json",
    "month_of",
    "offre_json",
    "session_id",
    "session_json",
]

PAGE_MAX = 50  # the gateway's page, whatever taillePage asks
SESSION_ID_BASE = 1_000_000
_ANIMATEUR = "Conseiller numérique"


def month_of(row: PrescriptionRow, undated: str) -> str:
    """The ``yyyy-MM`` of the row's session. Only ``datePrescription`` counts: the date of
    realisation changes with writes, and a registration never moves to another session."""
    value = row.date_prescription
    return value[:7] if value is not None and is_date(value) else undated


def session_id(id_offre: int, month: str) -> int:
    return id_offre * SESSION_ID_BASE + int(month[:4]) * 100 + int(month[5:7])


def _decode(id_session: int) -> tuple[int, str] | None:
    """The offer and the month of a session id, if it can be one."""
    id_offre, yyyymm = divmod(id_session, SESSION_ID_BASE)
    year, month = divmod(yyyymm, 100)
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    return id_offre, f"{year:04d}-{month:02d}"


def _offre_type(offre: Offre) -> str:
    """``OffreTypeCode``: an « Information collective » is one, every other offer a workshop."""
    folded = (offre.type or "").casefold().replace("_", " ")
    return "COLLECTIVE_INFORMATION" if "information" in folded else "WORKSHOP"


def offre_json(offre: Offre) -> dict[str, Any]:
    """``OffreDto``."""
    return {
        "id": offre.id,
        "nom": offre.nom,
        "theme": offre.theme,
        "type": _offre_type(offre),
        "description": None,
        "nomPartenaire": offre.partenaire.raison_sociale if offre.partenaire else None,
    }


def session_json(offre: Offre, month: str, structure: Structure | None) -> dict[str, Any]:
    """``SessionDto``: the first day of the month, 09:00 to 12:00, local to the structure."""
    return {
        "id": session_id(offre.id, month),
        "nom": f"{offre.nom} - {month}",
        "dateHeureDebut": f"{month}-01 09:00:00",
        "dateHeureFin": f"{month}-01 12:00:00",
        "dateMaxInscription": None,
        "animateur": _ANIMATEUR,
        "lieu": structure.nom_officiel if structure is not None else "Mission Locale",
        "nbPlacesDisponibles": None,
        "commentaire": None,
    }


def inscrit_json(row: PrescriptionRow, dossier: Dossier | None) -> dict[str, Any]:
    """``InscritSessionMiloDto``; ``nom`` is the name in use, else the birth name."""
    return {
        "idDossier": row.id_dossier,
        "idInstanceSession": row.id,
        "nom": (dossier.nom_usage or dossier.nom_naissance) if dossier else "",
        "prenom": dossier.prenom if dossier else "",
        "statut": row.statut,
    }


class SessionsView:
    """The sessions and registrations of an :class:`ImiloState`, computed on each read so
    that they follow its writes and ``/_sim/prescriptions``."""

    def __init__(self, state: ImiloState, undated_month: str) -> None:
        self._state = state
        self._undated = undated_month

    def listing(self, code: str, start: date | None, end: date | None) -> list[dict[str, Any]]:
        """The structure's sessions starting within ``[start, end]`` (bounds optional), by
        start then id, each as ``{session, offre}``."""
        structure = self._state.structure_record(code)
        found: list[tuple[str, int, dict[str, Any]]] = []
        for offre in self._state.offre_records(code):
            months = {
                month_of(row, self._undated) for row, _ in self._state.registrations(offre.id)
            }
            for month in months:
                first = date.fromisoformat(f"{month}-01")
                if (start is not None and first < start) or (end is not None and first > end):
                    continue
                detail = {
                    "session": session_json(offre, month, structure),
                    "offre": offre_json(offre),
                }
                found.append((month, offre.id, detail))
        found.sort(key=lambda item: (item[0], item[1]))
        return [detail for _, _, detail in found]

    def detail(self, id_session: int) -> dict[str, Any]:
        """``{session, offre}``; 404 if no prescription makes it."""
        offre, month, _ = self._session(id_session)
        try:
            structure: Structure | None = self._state.structure_record(offre.code_structure)
        except ImiloError:
            structure = None  # an offer of a structure the fixture does not list
        return {"session": session_json(offre, month, structure), "offre": offre_json(offre)}

    def inscrits(self, id_session: int) -> list[dict[str, Any]]:
        """The session's registrations, by idInstanceSession; 404 for an unknown session."""
        _, _, rows = self._session(id_session)
        return [inscrit_json(row, dossier) for row, dossier in rows]

    def _session(
        self, id_session: int
    ) -> tuple[Offre, str, list[tuple[PrescriptionRow, Dossier | None]]]:
        decoded = _decode(id_session)
        offre = self._state.offre_record(decoded[0]) if decoded is not None else None
        if decoded is None or offre is None:
            raise ImiloError(404, "session not found")
        month = decoded[1]
        rows = [
            (row, dossier)
            for row, dossier in self._state.registrations(offre.id)
            if month_of(row, self._undated) == month
        ]
        if not rows:
            raise ImiloError(404, "session not found")
        return offre, month, rows
