"""Writes a Pix Orga CSV export of the scenario's campaign, as Pix Orga would."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from tests import scenario

PARIS = ZoneInfo("Europe/Paris")
LABEL = "Numéro de dossier i-milo"
HEADERS = [
    "Nom de l'organisation",
    "ID Campagne",
    "Code",
    "Nom de la campagne",
    "Parcours",
    "Nom du Participant",
    "Prénom du Participant",
    LABEL,
    "% de progression",
    "Date et heure de début (Europe/Paris)",
    "Partage (O/N)",
    "Date et heure du partage (Europe/Paris)",
    "% maitrise de l'ensemble des acquis du profil",
    "Compétence 1.1 : Mener une recherche",
]


def _local(iso: str | None, day_in: ZoneInfo | None) -> str:
    """A date cell: Paris wall time, or with ``day_in`` the date alone, as older exports."""
    if iso is None:
        return "NA"
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if day_in is not None:
        return moment.astimezone(day_in).strftime("%d/%m/%Y")
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def _cell(value: str) -> str:
    # Pix Orga guards spreadsheet formulas, and quotes cells holding the separator.
    if value[:1] in ("-", "@", "=", "+"):
        value = "'" + value
    return f'"{value}"' if ";" in value or '"' in value else value


def campaign_export(
    campaign_id: int,
    *,
    extra: Sequence[tuple[str, str]] = (),
    label: str | None = LABEL,
    day_in: str | None = None,
) -> bytes:
    """The export of one scenario campaign, BOM, ';' and decimal comma included.

    ``extra`` adds the organisation's own columns (header, value of every row) after the
    names, where Pix writes them; ``label`` is the external-id column's header (``None``: the
    campaign has none); ``day_in`` writes date-only cells, each the date in that zone, as
    older exports did.
    """
    [(cid, org, code, _, profile)] = [c for c in scenario.CAMPAIGNS if c[0] == campaign_id]
    [organisation] = [o["name"] for o in scenario.ORGANIZATIONS if o["id"] == org]
    zone = None if day_in is None else ZoneInfo(day_in)
    names_end = HEADERS.index(LABEL)
    header = [*HEADERS[:names_end], *(h for h, _ in extra)]
    header += [*([label] if label is not None else []), *HEADERS[names_end + 1 :]]
    rows = [header]
    for _pid, camp, status, shared_at, first, last, external in scenario.PARTICIPATIONS:
        if camp != cid:
            continue
        created = (shared_at or "2026-04-01T08:00:00Z").replace("Z", "")[:11] + "00:00:00Z"
        row = [str(organisation), str(cid), code, f"Campagne {code}", profile or "NA", last, first]
        row += [value for _, value in extra]
        if label is not None:
            row.append("NA" if external is None else external)
        row += [
            "1" if shared_at else "0,5",
            _local(created, zone),
            "Oui" if status == "SHARED" else "Non",
            _local(shared_at, zone),
            "0,5" if shared_at else "NA",
            "NA",
        ]
        rows.append(row)
    text = "\r\n".join(";".join(_cell(c) for c in row) for row in rows) + "\r\n"
    return "\ufeff".encode() + text.encode("utf-8")
