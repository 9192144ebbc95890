"""Which time zone a structure's calendar follows: the one I-Milo serves when it is valid,
else the one its department implies, unless an admin says otherwise (``imilo.yaml``
``timezones:``).

The real I-Milo gateway serves no time zone for a structure (``../shared/docs/DOMAIN.md``),
so the department is the usual source. An I-Milo structure code starts with the postal code
of its seat (« 97411S00 » is in La Réunion): overseas departments and collectivities have
three-digit codes (971–978, 986–988), metropolitan France two (01–95, 2A/2B for Corsica).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEPARTMENT_TIMEZONES",
    "METROPOLITAN_TIMEZONE",
    "StructureZone",
    "department_timezone",
    "is_valid_timezone",
    "structure_timezone",
]

METROPOLITAN_TIMEZONE = "Europe/Paris"
# Overseas departments, regions and collectivities, by the first three digits of the code.
DEPARTMENT_TIMEZONES: dict[str, str] = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",  # Guyane
    "974": "Indian/Reunion",
    "975": "America/Miquelon",  # Saint-Pierre-et-Miquelon
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",  # Saint-Martin
    "986": "Pacific/Wallis",  # Wallis-et-Futuna
    "987": "Pacific/Tahiti",  # Polynésie française (its main islands)
    "988": "Pacific/Noumea",  # Nouvelle-Calédonie
}


@lru_cache(maxsize=1024)
def is_valid_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows."""
    if not name or not name.isascii() or name != name.strip() or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def department_timezone(structure_code: str) -> str | None:
    """The zone of the department a structure code starts with, or None if the code does
    not start with a French department."""
    code = structure_code.strip().upper()
    if code[:3] in DEPARTMENT_TIMEZONES:
        return DEPARTMENT_TIMEZONES[code[:3]]
    head = code[:2]
    if head in ("2A", "2B"):
        return METROPOLITAN_TIMEZONE
    if head.isascii() and head.isdigit() and 1 <= int(head) <= 95:
        return METROPOLITAN_TIMEZONE
    return None


@dataclass(frozen=True, slots=True)
class StructureZone:
    """The zone a structure follows (``zone``), where it comes from (``source``: mapping,
    imilo or department), or why there is none (``problem``)."""

    zone: str | None
    source: str | None = None
    problem: str | None = None


def structure_timezone(
    structure_code: str, served: str | None, overrides: Mapping[str, str]
) -> StructureZone:
    """The admin's override, else I-Milo's zone when it is served and valid, else the
    department's. ``problem`` says why none fits; the zone names nobody's personal data."""
    override = overrides.get(structure_code)
    if override is None:  # a code typed in lower case, or padded, in Pix
        override = overrides.get(structure_code.strip().upper())
    if override is not None:
        if is_valid_timezone(override):
            return StructureZone(override, "mapping")
        return StructureZone(None, problem=f"imilo.yaml gives it an unknown time zone {override!r}")
    if served is not None and is_valid_timezone(served):
        return StructureZone(served, "imilo")
    by_department = department_timezone(structure_code)
    if by_department is not None:
        return StructureZone(by_department, "department")
    served_note = "an unknown time zone" if served else "no time zone"
    return StructureZone(
        None,
        problem=(
            f"I-Milo serves {served_note} for it and its code names no French department: "
            "set its zone under `timezones:` in imilo.yaml"
        ),
    )
