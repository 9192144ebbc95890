"""Writes a Pix Orga CSV export of the scenario's campaign, as Pix Orga would."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests import scenario

PARIS = ZoneInfo("Europe/Paris")
HEADERS = [
    "Nom de l'organisation",
    "ID Campagne",
    "Code",
    "Nom de la campagne",
    "Parcours",
    "Nom du Participant",
    "Prénom du Participant",
    "Numéro de dossier i-milo",
    "% de progression",
    "Date et heure de début (Europe/Paris)",
    "Partage (O/N)",
    "Date et heure du partage (Europe/Paris)",
    "% maitrise de l'ensemble des acquis du profil",
    "Compétence 1.1 : Mener une recherche",
]


def _local(iso: str | None) -> str:
    if iso is None:
        return "NA"
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(PARIS)
    return moment.strftime("%d/%m/%Y %H:%M")


def _cell(value: str) -> str:
    # Pix Orga guards spreadsheet formulas, and quotes cells holding the separator.
    if value[:1] in ("-", "@", "=", "+"):
        value = "'" + value
    return f'"{value}"' if ";" in value or '"' in value else value


def campaign_export(campaign_id: int) -> bytes:
    """The export of one scenario campaign, BOM, ';' and decimal comma included."""
    [(cid, _, code, _, profile)] = [c for c in scenario.CAMPAIGNS if c[0] == campaign_id]
    rows = [HEADERS]
    for _pid, camp, status, shared_at, first, last, external in scenario.PARTICIPATIONS:
        if camp != cid:
            continue
        created = (shared_at or "2026-04-01T08:00:00Z").replace("Z", "")[:11] + "00:00:00Z"
        rows.append(
            [
                "ML Paris Centre",
                str(cid),
                code,
                f"Campagne {code}",
                profile or "NA",
                last,
                first,
                "NA" if external is None else external,
                "1" if shared_at else "0,5",
                _local(created),
                "Oui" if status == "SHARED" else "Non",
                _local(shared_at),
                "0,5" if shared_at else "NA",
                "NA",
            ]
        )
    text = "\r\n".join(";".join(_cell(c) for c in row) for row in rows) + "\r\n"
    return "\ufeff".encode() + text.encode("utf-8")
