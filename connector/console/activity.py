"""The console's « Activité »: what the connector did, per I-Milo structure and month.

Pure: given what the store read (``connector.store.activity``) and each structure's time
zone, it counts the realisations by nature and diagnostic, the items waiting « à vérifier »
and in quarantine, and the median days from the test to its realisation in I-Milo. The
national view sums the structures; its median is over all the realisations underneath.

Counts from 1 to 4 are shown as « < 5 » (a young person could be singled out), on the page
and in the CSV alike; a median over fewer than 5 realisations is shown as « — ».
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from connector.domain.model import Nature
from connector.domain.timezones import METROPOLITAN_TIMEZONE
from connector.store.activity import Realised, Waiting

__all__ = [
    "COLUMNS",
    "NATIONAL",
    "SMALLEST_SHOWN",
    "UNKNOWN_STRUCTURE",
    "ActivityLine",
    "activity_csv",
    "activity_lines",
    "displayed_row",
    "national_lines",
    "shown",
    "shown_median",
]

NATIONAL = "national"
# A quarantined record whose campaign is unknown: its structure is too. Only an unfiltered
# (admin) read loads such records.
UNKNOWN_STRUCTURE = "inconnue"
SMALLEST_SHOWN = 5
SUPPRESSED = "< 5"
NO_MEDIAN = "—"

COLUMNS: list[tuple[str, str]] = [
    ("month", "Mois"),
    ("structure", "Structure"),
    ("realised", "Réalisées"),
    ("individual", "Entretien individuel"),
    ("group", "Atelier"),
    ("autonomous", "En autonomie"),
    ("short", "Diagnostic court"),
    ("long", "Parcours long"),
    ("unknown_diagnostic", "Diagnostic inconnu"),
    ("in_review", "À vérifier"),
    ("quarantined", "En quarantaine"),
    ("median_days", "Délai médian (jours)"),
]
_TEXT = ("month", "structure")


@dataclass(frozen=True, slots=True)
class ActivityLine:
    structure: str  # a structure code, UNKNOWN_STRUCTURE, or NATIONAL
    month: str  # "2026-11"
    realised: int
    individual: int
    group: int
    autonomous: int
    short: int
    long: int
    unknown_diagnostic: int
    in_review: int
    quarantined: int
    median_days: float | None


@dataclass(slots=True)
class _Tally:
    individual: int = 0
    group: int = 0
    autonomous: int = 0
    short: int = 0
    long: int = 0
    unknown_diagnostic: int = 0
    in_review: int = 0
    quarantined: int = 0
    delays: list[int] = field(default_factory=list)

    def line(self, structure: str, month: str) -> ActivityLine:
        return ActivityLine(
            structure=structure,
            month=month,
            realised=len(self.delays),
            individual=self.individual,
            group=self.group,
            autonomous=self.autonomous,
            short=self.short,
            long=self.long,
            unknown_diagnostic=self.unknown_diagnostic,
            in_review=self.in_review,
            quarantined=self.quarantined,
            median_days=float(statistics.median(self.delays)) if self.delays else None,
        )


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _zone(code: str | None, zone_of: Callable[[str], ZoneInfo]) -> ZoneInfo:
    return ZoneInfo(METROPOLITAN_TIMEZONE) if code is None else zone_of(code)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _tallies(
    realised: Iterable[Realised],
    waiting: Iterable[Waiting],
    zone_of: Callable[[str], ZoneInfo],
    structure: Callable[[str | None], str],
) -> dict[tuple[str, str], _Tally]:
    """Tallies by (structure, month), the structure named by ``structure``."""
    tallies: dict[tuple[str, str], _Tally] = {}
    for item in realised:
        key = (structure(item.structure_code), _month(item.realisation_date))
        tally = tallies.setdefault(key, _Tally())
        applied = _local_day(item.applied_at, zone_of(item.structure_code))
        tally.delays.append(max(0, (applied - item.realisation_date).days))
        if item.nature == Nature.ENTRETIEN_INDIVIDUEL:
            tally.individual += 1
        elif item.nature == Nature.ATELIER:
            tally.group += 1
        elif item.nature is None:
            tally.autonomous += 1
        if item.diagnostic == "short":
            tally.short += 1
        elif item.diagnostic == "long":
            tally.long += 1
        else:
            tally.unknown_diagnostic += 1
    for entry in waiting:
        day = _local_day(entry.first_seen, _zone(entry.structure_code, zone_of))
        tally = tallies.setdefault((structure(entry.structure_code), _month(day)), _Tally())
        if entry.kind == "review":
            tally.in_review += 1
        else:
            tally.quarantined += 1
    return tallies


def _ordered(tallies: dict[tuple[str, str], _Tally]) -> list[ActivityLine]:
    """Newest month first, then by structure."""
    keys = sorted(tallies, key=lambda key: key[0])
    keys.sort(key=lambda key: key[1], reverse=True)
    return [tallies[key].line(*key) for key in keys]


def activity_lines(
    realised: Sequence[Realised],
    waiting: Sequence[Waiting],
    zone_of: Callable[[str], ZoneInfo],
) -> list[ActivityLine]:
    """One line per structure and month, newest month first, then by structure code."""
    return _ordered(_tallies(realised, waiting, zone_of, lambda code: code or UNKNOWN_STRUCTURE))


def national_lines(
    realised: Sequence[Realised],
    waiting: Sequence[Waiting],
    zone_of: Callable[[str], ZoneInfo],
) -> list[ActivityLine]:
    """One line per month, every structure summed (structure ``NATIONAL``), newest first;
    the median is over all the month's realisations."""
    return _ordered(_tallies(realised, waiting, zone_of, lambda code: NATIONAL))


def shown(count: int) -> str:
    """A count as displayed: « 0 », « < 5 » from 1 to 4, else the number."""
    return SUPPRESSED if 0 < count < SMALLEST_SHOWN else str(count)


def shown_median(line: ActivityLine) -> str:
    """The median delay in days, « 1,5 » (French decimal comma), or « — » under 5."""
    if line.median_days is None or line.realised < SMALLEST_SHOWN:
        return NO_MEDIAN
    text = f"{line.median_days:.1f}".removesuffix(".0")
    return text.replace(".", ",")


def displayed_row(line: ActivityLine) -> list[str]:
    """The line's cells as displayed, in ``COLUMNS`` order."""
    cells: list[str] = []
    for key, _ in COLUMNS:
        if key in _TEXT:
            cells.append(str(getattr(line, key)))
        elif key == "median_days":
            cells.append(shown_median(line))
        else:
            cells.append(shown(getattr(line, key)))
    return cells


def activity_csv(lines: Sequence[ActivityLine]) -> bytes:
    """The lines as a CSV for French spreadsheets: UTF-8 with a BOM, « ; » separated."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS])
    writer.writerows(displayed_row(line) for line in lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
