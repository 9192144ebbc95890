"""In-memory, lock-guarded state of the I-Milo simulator: reads, writes and idempotency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from connector.domain.name_search import SearchIndex
from connector.simulators.fixtures import Dossier, ImiloData, Offre, Structure
from connector.simulators.imilo_model import (
    NATURES,
    STATUTS,
    Actualite,
    Answer,
    ImiloError,
    PrescriptionRow,
    dossier_json,
    is_date,
    json_object,
    offre_json,
    optional_date,
    optional_statut,
    optional_str,
    page_of,
)
from connector.simulators.imilo_search import ByName, DossierFilter

__all__ = ["ImiloState"]


def _integer(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ImiloError(422, f"{key} must be an integer")
    return value


@dataclass(frozen=True)
class _Stored:
    fingerprint: str
    answer: Answer


class ImiloState:
    """A mutable copy of the fixture, guarded by ``lock``.

    Reads and :meth:`idempotent` take the lock; the write actions run inside :meth:`idempotent`.
    """

    def __init__(self, data: ImiloData) -> None:
        self.lock = threading.Lock()
        self.api_keys = data.api_keys
        self.writes = 0
        self._structures = {s.code: s for s in data.structures}
        self._dossiers = {d.id_dossier: d for d in data.dossiers}
        # Dossiers never change in the simulator: index them by structure once, in id order,
        # so a search costs the structure's size, not the country's.
        self._dossiers_by_structure: dict[str, list[Any]] = {}
        for id_dossier in sorted(self._dossiers):
            dossier = self._dossiers[id_dossier]
            self._dossiers_by_structure.setdefault(dossier.code_structure, []).append(dossier)
        self._search_indexes: dict[str, SearchIndex] = {}
        self._offres = {o.id: o for o in data.offres}
        self._prescriptions = {p.id: PrescriptionRow.of(p) for p in data.prescriptions}
        # Each offer's prescriptions, by id; only ``open_prescription`` (a /_sim control
        # route) adds one, at the end, with an id above every other.
        self._prescriptions_by_offre: dict[int, list[PrescriptionRow]] = {}
        for row in sorted(self._prescriptions.values(), key=lambda p: p.id):
            self._prescriptions_by_offre.setdefault(row.id_offre, []).append(row)
        self._actualites: list[Actualite] = []
        self._idempotency: dict[str, _Stored] = {}

    # --- reads -------------------------------------------------------------------------------

    def structure(self, code: str) -> dict[str, Any]:
        s = self._structures.get(code)
        if s is None:
            raise ImiloError(404, "structure not found")
        served: dict[str, Any] = {"code": s.code, "nomOfficiel": s.nom_officiel}
        if s.timezone is not None:  # served as it is; none at all, like the real gateway
            served["timezone"] = s.timezone
        return served

    def offres(self, code: str) -> list[dict[str, Any]]:
        self.structure(code)
        return [
            offre_json(o)
            for o in sorted(self._offres.values(), key=lambda o: o.id)
            if o.code_structure == code
        ]

    def inscrits(
        self, code: str, id_offre: int, statuts: frozenset[str], page: int, taille: int
    ) -> dict[str, Any]:
        """One page of the offer's prescriptions in one of ``statuts`` (empty: every one)."""
        self.structure(code)
        offre = self._offres.get(id_offre)
        if offre is None or offre.code_structure != code:
            raise ImiloError(404, "offer not found in this structure")
        with self.lock:
            rows = [
                p
                for p in self._prescriptions_by_offre.get(id_offre, [])
                if not statuts or p.statut in statuts
            ]
            selected, meta = page_of(rows, page, taille)
            return {"inscrits": [self._inscrit_json(p) for p in selected], "page": meta}

    def dossiers(self, code: str, query: DossierFilter, page: int, taille: int) -> dict[str, Any]:
        """The structure's dossiers that ``query`` matches, ordered by idDossier, one page."""
        structure = self._structures.get(code)
        if structure is None:
            raise ImiloError(404, "structure not found")
        dossiers = self._dossiers_by_structure.get(code, [])
        if isinstance(query, ByName):
            rows = query.select(dossiers, self._search_index(code))
        else:
            rows = [d for d in dossiers if query.matches(d)]
        selected, meta = page_of(rows, page, taille)
        return {"dossiers": [dossier_json(d, structure) for d in selected], "page": meta}

    def _search_index(self, code: str) -> SearchIndex:
        """The structure's dossiers indexed for name searches, built on first use."""
        with self.lock:
            index = self._search_indexes.get(code)
            if index is None:
                index = SearchIndex(self._dossiers_by_structure.get(code, []))
                self._search_indexes[code] = index
            return index

    def dossier(self, id_dossier: int) -> dict[str, Any]:
        d = self._dossier(id_dossier)
        return dossier_json(d, self._structures.get(d.code_structure))

    def prescription(self, id_dossier: int, id_prescription: int) -> dict[str, Any]:
        with self.lock:
            return self._prescription(id_dossier, id_prescription).json()

    def actualites(self, id_dossier: int) -> list[dict[str, Any]]:
        self._dossier(id_dossier)
        with self.lock:
            return [a.json() for a in self._actualites if a.id_dossier == id_dossier]

    def snapshot(self) -> dict[str, Any]:
        """The ``GET /_sim/state`` body."""
        with self.lock:
            prescriptions = [
                {
                    "id": p.id,
                    "idDossier": p.id_dossier,
                    "idOffre": p.id_offre,
                    "statut": p.statut,
                    "dateRealisation": p.date_realisation,
                }
                for p in sorted(self._prescriptions.values(), key=lambda p: p.id)
            ]
            actualites = [a.json() for a in self._actualites]
            return {"prescriptions": prescriptions, "actualites": actualites, "writes": self.writes}

    # --- writes ------------------------------------------------------------------------------

    def idempotent(
        self, key: str, print_: str, action: Callable[[], Answer]
    ) -> tuple[Answer, bool]:
        """Run ``action`` once per key; returns the answer and whether it is a replay."""
        with self.lock:
            stored = self._idempotency.get(key)
            if stored is not None:
                if stored.fingerprint == print_:
                    return stored.answer, True
                conflict = ImiloError(422, "Idempotency-Key reused for another request")
                return conflict.answer(), False
            try:
                answer = action()
            except ImiloError as exc:
                answer = exc.answer()
            # Error answers are stored too: the contract replays "the first answer".
            self._idempotency[key] = _Stored(print_, answer)
            return answer, False

    def update_prescription(self, id_dossier: int, id_prescription: int, raw: bytes) -> Answer:
        """PUT a prescription's status. Call inside :meth:`idempotent` (lock held)."""
        row = self._prescription(id_dossier, id_prescription)
        body = json_object(raw)
        statut = body.get("statut")
        if statut not in STATUTS:
            raise ImiloError(422, f"statut must be one of {', '.join(sorted(STATUTS))}")
        expected = optional_statut(body, "statutAttendu")
        date_realisation = optional_date(body, "dateRealisation")
        optional_str(body, "commentaire")
        if statut == "ACHIEVED" and date_realisation is None:
            raise ImiloError(422, "dateRealisation is required with ACHIEVED")
        if expected is not None and expected != row.statut:
            raise ImiloError(409, f"current statut is {row.statut}, not {expected}")
        row.statut = statut
        # Only a realised prescription carries a date of realisation.
        row.date_realisation = date_realisation if statut == "ACHIEVED" else None
        return 200, row.json()

    def add_actualite(self, id_dossier: int, raw: bytes) -> Answer:
        """POST an actualite. Call inside :meth:`idempotent` (lock held)."""
        self._dossier(id_dossier)
        body = json_object(raw)
        nature = body.get("nature")
        if nature not in NATURES:
            raise ImiloError(422, f"nature must be one of {', '.join(sorted(NATURES))}")
        if not is_date(body.get("date")):
            raise ImiloError(422, "date must be a date yyyy-MM-dd")
        commentaire = optional_str(body, "commentaire")
        id_prescription = body.get("idPrescription")
        if id_prescription is not None:
            if not isinstance(id_prescription, int) or isinstance(id_prescription, bool):
                raise ImiloError(422, "idPrescription must be an integer")
            self._prescription(id_dossier, id_prescription)
        actualite = Actualite(
            id=len(self._actualites) + 1,
            id_dossier=id_dossier,
            id_prescription=id_prescription,
            nature=nature,
            date=body["date"],
            commentaire=commentaire,
        )
        self._actualites.append(actualite)
        return 201, actualite.json()

    # --- the gateway's session routes (imilo_sessions.py) --------------------------------------

    def structure_record(self, code: str) -> Structure:
        s = self._structures.get(code)
        if s is None:
            raise ImiloError(404, "structure not found")
        return s

    def offre_records(self, code: str) -> list[Offre]:
        """The structure's offers, by id."""
        offres = [o for o in self._offres.values() if o.code_structure == code]
        return sorted(offres, key=lambda o: o.id)

    def offre_record(self, id_offre: int) -> Offre | None:
        return self._offres.get(id_offre)

    def registrations(self, id_offre: int) -> list[tuple[PrescriptionRow, Dossier | None]]:
        """A copy of the offer's prescriptions, by id, each with its dossier (if known)."""
        with self.lock:
            rows = [replace(p) for p in self._prescriptions_by_offre.get(id_offre, [])]
        return [(row, self._dossiers.get(row.id_dossier)) for row in rows]

    def write_registration(self, id_dossier: int, id_prescription: int, raw: bytes) -> None:
        """The gateway's write of a registration ``{statut, dateDebutReelle, commentaire?}``:
        as :meth:`update_prescription`, with no conditional guard and no idempotency key."""
        with self.lock:
            row = self._prescription(id_dossier, id_prescription)
            body = json_object(raw)
            statut = body.get("statut")
            if statut not in STATUTS:
                raise ImiloError(422, f"statut must be one of {', '.join(sorted(STATUTS))}")
            date_debut_reelle = optional_date(body, "dateDebutReelle")
            optional_str(body, "commentaire")
            if statut == "ACHIEVED" and date_debut_reelle is None:
                raise ImiloError(422, "dateDebutReelle is required with ACHIEVED")
            row.statut = statut
            row.date_realisation = date_debut_reelle if statut == "ACHIEVED" else None

    # --- control (/_sim) ---------------------------------------------------------------------

    def open_prescription(self, raw: bytes) -> dict[str, Any]:
        """A counsellor prescribes: a new *prescrit* prescription, as ``POST
        /_sim/prescriptions`` ``{idDossier, idOffre, datePrescription?}`` asks."""
        body = json_object(raw)
        id_dossier, id_offre = _integer(body, "idDossier"), _integer(body, "idOffre")
        dossier = self._dossier(id_dossier)
        offre = self._offres.get(id_offre)
        if offre is None or offre.code_structure != dossier.code_structure:
            raise ImiloError(404, "offer not found in the dossier's structure")
        date_prescription = optional_date(body, "datePrescription")
        with self.lock:
            row = PrescriptionRow(
                id=max(self._prescriptions, default=0) + 1,
                id_dossier=id_dossier,
                id_offre=id_offre,
                statut="ONGOING",
                date_prescription=date_prescription,
                date_realisation=None,
            )
            self._prescriptions[row.id] = row
            self._prescriptions_by_offre.setdefault(id_offre, []).append(row)
            return row.json()

    # --- helpers (fixture maps are never mutated, so they are read without the lock) --------

    def _dossier(self, id_dossier: int) -> Dossier:
        d = self._dossiers.get(id_dossier)
        if d is None:
            raise ImiloError(404, "dossier not found")
        return d

    def _prescription(self, id_dossier: int, id_prescription: int) -> PrescriptionRow:
        p = self._prescriptions.get(id_prescription)
        if p is None or p.id_dossier != id_dossier:
            raise ImiloError(404, "prescription not found for this dossier")
        return p

    def _inscrit_json(self, p: PrescriptionRow) -> dict[str, Any]:
        d = self._dossiers.get(p.id_dossier)
        return {
            "idPrescription": p.id,
            "idDossier": p.id_dossier,
            "idOffre": p.id_offre,
            "statut": p.statut,
            "datePrescription": p.date_prescription,
            "dateRealisation": p.date_realisation,
            "nomNaissance": d.nom_naissance if d else None,
            "nomUsage": d.nom_usage if d else None,
            "prenom": d.prenom if d else None,
            "dateNaissance": d.date_naissance if d else None,
            "mail": d.mail if d else None,
        }
