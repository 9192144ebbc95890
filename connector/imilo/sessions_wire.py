"""Translation between the gateway's session routes' JSON and plain data
(docs/imilo-gateway.md, ``IMILO_API=sessions``).

A missing or malformed field raises ``MalformedResponse`` naming the field only, never a
value (names and e-mails are personal data).

The offer's ``type``: the gateway serves ``WORKSHOP`` or ``COLLECTIVE_INFORMATION``, the
kinds of a collective offer, whose sessions are what these routes serve. The charter
(``connector.domain.charter``) expects « Animation collective » or « Autre »: an offer
served with sessions is a collective animation in I-Milo's referential, so both kinds are
given as « Animation collective »; any other value is kept as served, and the charter's
check then says it is wrong.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from connector.domain.model import Dossier, Offre
from connector.errors import MalformedResponse
from connector.imilo.wire import _date, _field, _int, _text  # one reading of the fields

__all__ = [
    "COLLECTIVE_TYPE",
    "Inscrit",
    "SessionRow",
    "dossier_of_inscrit",
    "inscrits_from",
    "months_later",
    "session_from",
    "sessions_page",
]

COLLECTIVE_TYPE = "Animation collective"
_COLLECTIVE_KINDS = frozenset({"WORKSHOP", "COLLECTIVE_INFORMATION"})


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A session of the structure, with the offer it belongs to."""

    id: int
    start: date | None
    offre: Offre


@dataclass(frozen=True, slots=True)
class Inscrit:
    """A registration in a session. ``realised_on`` is served by some gateways only."""

    dossier_id: int
    instance_id: int
    nom: str
    prenom: str
    statut: str
    realised_on: date | None = None


def sessions_page(body: Any, what: str) -> tuple[int, list[Any]]:
    """``nbSessions`` and the page's rows."""
    rows = body.get("sessions") if isinstance(body, dict) else None
    total = body.get("nbSessions") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not isinstance(total, int) or isinstance(total, bool):
        raise MalformedResponse("imilo", f"{what}: no sessions list or nbSessions")
    return total, rows


def _offre_type(value: str | None) -> str | None:
    if value is not None and value.strip().upper() in _COLLECTIVE_KINDS:
        return COLLECTIVE_TYPE
    return value


def session_from(item: Any, structure_code: str) -> SessionRow:
    """A row of the structure's session list: ``{session: {…}, offre: {…}}``. The charter's
    fields the gateway does not serve (acte de service, mesure nationale, SIRET, start
    date) are None: unknown."""
    what = "session"
    session = _field(item, "session", what)
    offre = _field(item, "offre", what)
    if not isinstance(session, dict) or not isinstance(offre, dict):
        raise MalformedResponse("imilo", f"{what}: session or offre is not an object")
    return SessionRow(
        id=_int(session, "id", what),
        start=_date(session, "dateHeureDebut", what),
        offre=Offre(
            id=_int(offre, "id", "offre"),
            structure_code=structure_code,
            nom=str(_field(offre, "nom", "offre")),
            theme=_text(offre, "theme"),
            type=_offre_type(_text(offre, "type")),
            partenaire_raison_sociale=_text(offre, "nomPartenaire"),
        ),
    )


def inscrits_from(body: Any, what: str) -> list[Inscrit]:
    """A session's registrations."""
    if not isinstance(body, list):
        raise MalformedResponse("imilo", f"{what}: expected a list")
    found = []
    for item in body:
        found.append(
            Inscrit(
                dossier_id=_int(item, "idDossier", what),
                instance_id=_int(item, "idInstanceSession", what),
                nom=str(item.get("nom") or ""),
                prenom=str(item.get("prenom") or ""),
                statut=str(_field(item, "statut", what)),
                realised_on=_date(item, "dateDebutReelle", what)
                or _date(item, "dateRealisation", what),
            )
        )
    return found


def dossier_of_inscrit(inscrit: Inscrit, structure_code: str) -> Dossier:
    """What a registration says of its young person, when the dossier cannot be read."""
    return Dossier(
        id=inscrit.dossier_id,
        structure_code=structure_code,
        nom_naissance=inscrit.nom,
        nom_usage=None,
        prenom=inscrit.prenom,
    )


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), on the month's last day if it is shorter."""
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
