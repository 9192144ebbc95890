"""Reading Pix Orga CSV exports of campaign results, for structures without API access.

One file holds one campaign's results: UTF-8 with a BOM, ``;``-separated, decimal comma,
``NA`` for a missing value, ``Oui``/``Non``, dates ``DD/MM/YYYY HH:mm`` in Europe/Paris, and a
``'`` before any cell starting with ``- @ = +`` (Pix's guard against spreadsheet formulas).
A file-level problem raises ``CsvExportError``; a bad row becomes an ``InvalidParticipation``
whose reason names the column, never the value.

The file is read in ``csv_file`` (only a regular file, at most ``MAX_EXPORT_BYTES``, quoting
strict), its columns found by their headers in ``csv_columns`` (the external-id column too),
and Pix's guard against formulas taken off its cells in ``formula_guard``: every output
showing a value from a cell shows it through ``guarded``, with the guard back. Here, the rows
become participations.

**Dates.** A cell with a time is an Europe/Paris wall time, as its header says, converted to
an instant. A date-only cell (``DD/MM/YYYY`` or ``YYYY-MM-DD``, from older exports) is a
calendar date of the structure: it is read as noon in ``local_zone`` (the structure's time
zone), so that the date of realisation, computed in that zone, is the date typed. Noon
rather than midnight: both give the typed date in that zone, but noon keeps it in any zone
within twelve hours of it, should another zone ever date the instant, where midnight would
fall on the day before in every zone west of it.

The export carries no participation id, so one is derived from the row (see
``stable_participation_id``): re-importing the same file, or a later export of the same
campaign with more rows (or with a participation shared since), gives each participation the
same id, hence no duplicate writes. The id changes if the participant's names, external id or
start time are edited in Pix. It does not depend on ``local_zone``: a date-only start is
hashed as midnight in Europe/Paris, as earlier versions read it, so ids stay those of any
earlier import of the same file.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.domain.model import Participation, ParticipationStatus
from connector.pix.csv_columns import COLUMNS, Layout, find_layout, reads_as_id_label
from connector.pix.csv_file import MAX_EXPORT_BYTES, CsvExportError, export_records, export_text
from connector.pix.formula_guard import guarded
from connector.pix.records import MAX_TEXT_LENGTH, InvalidParticipation, redact_record

__all__ = ["COLUMNS", "CsvCampaign", "CsvExport", "CsvExportError", "read_export"]
__all__ += ["MAX_EXPORT_BYTES", "ParsedExport", "guarded", "parse_export"]
__all__ += ["reads_as_id_label", "stable_participation_id"]

PARIS = ZoneInfo("Europe/Paris")

_PERSONAL = frozenset({"last_name", "first_name", "external_id"})
_YES, _NO = frozenset({"oui", "o"}), frozenset({"non", "n"})
_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_DAY_FORMATS = frozenset({"%d/%m/%Y", "%Y-%m-%d"})  # date-only: a calendar date of the structure
_LOCAL_NOON = time(12)
_NUMBER = re.compile(r"([0-9]{1,3}(?:[.,][0-9]+)?)[\s\u202f]*(%?)")
# The same rule as for API records: C0/C1 controls (tab excepted) and lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_ID_BITS = 62  # ids lie in [-2**62, -1]: negative, and inside a signed 63-bit integer


@dataclass(frozen=True, slots=True)
class CsvCampaign:
    id: int
    code: str
    name: str
    target_profile_name: str | None
    external_id_label: str | None
    organisation_name: str


@dataclass(frozen=True, slots=True)
class CsvExport:
    campaign: CsvCampaign
    records: list[Participation | InvalidParticipation]


class _Invalid(ValueError):
    pass


_Record = Participation | InvalidParticipation


def _text(value: str, header: str, *, required: bool) -> str | None:
    if not value or (not required and value == "NA"):
        if required:
            raise _Invalid(f"{header} is missing")
        return None
    if len(value) > MAX_TEXT_LENGTH:
        raise _Invalid(f"{header} is longer than {MAX_TEXT_LENGTH} characters")
    if _FORBIDDEN.search(value):
        raise _Invalid(f"{header} holds control characters")
    return value


@dataclass(frozen=True, slots=True)
class _Moment:
    """A date cell: its instant (aware, UTC) and, for a date-only cell, the date typed."""

    at: datetime
    day: date | None

    def local_day(self, zone: ZoneInfo) -> date:
        return self.day if self.day is not None else self.at.astimezone(zone).date()

    def id_instant(self) -> datetime:
        # What the participation id hashes: a date-only cell as midnight in Paris, as earlier
        # versions read it, so that ids depend neither on the zone nor on this version.
        if self.day is None:
            return self.at
        return datetime.combine(self.day, time(0), PARIS).astimezone(UTC)


def _moment(value: str, header: str, zone: ZoneInfo, *, required: bool) -> _Moment | None:
    if value in ("", "NA"):
        if required:
            raise _Invalid(f"{header} is missing")
        return None
    for pattern in _DATE_FORMATS:  # the last ones are older exports' forms
        try:
            local = datetime.strptime(value, pattern)
        except ValueError:
            continue
        if not 2000 <= local.year <= 2100:
            raise _Invalid(f"{header} is out of range")
        if pattern in _DAY_FORMATS:
            # A calendar date of the structure: noon there (see the module's docstring).
            noon = datetime.combine(local.date(), _LOCAL_NOON, zone)
            return _Moment(noon.astimezone(UTC), local.date())
        # fold=0: a wall time that DST skips or repeats takes the offset in force before the
        # change, so one cell always gives one instant.
        return _Moment(local.replace(tzinfo=PARIS, fold=0).astimezone(UTC), None)
    raise _Invalid(f"{header} is not a DD/MM/YYYY HH:mm date")


def _mastery(value: str, header: str) -> float | None:
    if value in ("", "NA"):
        return None
    match = _NUMBER.fullmatch(value)
    if match is None:
        raise _Invalid(f"{header} is not a number")
    number = float(match[1].replace(",", "."))
    # Pix has written both a ratio (0,62) and a percentage (62, 62 %): a % sign or a value
    # above 1 means a percentage.
    if match[2] or number > 1:
        number /= 100
    if not (math.isfinite(number) and 0 <= number <= 1):
        raise _Invalid(f"{header} is not between 0 and 100 %")
    return number


def stable_participation_id(
    campaign_id: int,
    last_name: str,
    first_name: str,
    external_id: str | None,
    started_at: datetime,
) -> int:
    """A negative id for an exported participation, the same in every export of it.

    Negative so that it never collides with Pix's own (positive) ids; SHA-256 over what
    identifies the participation, with names compared as Pix users edit them (case, blanks).
    """

    def name(text: str) -> str:
        return unicodedata.normalize("NFC", text).strip().casefold()

    parts = [str(campaign_id), name(last_name), name(first_name), (external_id or "").strip()]
    parts.append(started_at.astimezone(UTC).isoformat())
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    return -(int.from_bytes(digest[:8], "big") >> (64 - _ID_BITS)) - 1


def _redacted(cells: list[str], line: int, layout: Layout) -> dict[str, Any]:
    # Only the recognised columns: the rest (skills, badges, school columns) is not needed
    # to understand why a row was refused.
    # Of those, only the non-personal ones are kept in clear: redact_record masks the others.
    copy: dict[str, str | int | None] = {"_line": line}
    for name in layout.index:
        copy[layout.header(name)] = layout.cell(cells, name) or None
    clear_columns = ("campaign_id", "started_at", "shared", "shared_at", "mastery")
    clear = {"_line"} | {layout.header(n) for n in clear_columns if n in layout.index}
    return redact_record(copy, frozenset(clear))


def _row(cells: list[str], layout: Layout, campaign_id: int, zone: ZoneInfo) -> Participation:
    """One data row as a participation, or ``_Invalid`` naming the first column at fault."""

    def get(name: str) -> str:
        return layout.cell(cells, name)

    if len(cells) <= max(layout.index.values()):
        raise _Invalid("row has fewer cells than the header")
    if not get("campaign_id"):
        raise _Invalid(f"{layout.header('campaign_id')} is missing")
    last_name = _text(get("last_name"), layout.header("last_name"), required=True) or ""
    first_name = _text(get("first_name"), layout.header("first_name"), required=True) or ""
    start = _moment(get("started_at"), layout.header("started_at"), zone, required=True)
    assert start is not None  # noqa: S101 - required=True
    if get("shared").casefold() not in _YES | _NO:
        raise _Invalid(f"{layout.header('shared')} is neither Oui nor Non")
    shared = get("shared").casefold() in _YES
    shared_header = layout.header("shared_at")
    share = _moment(get("shared_at"), shared_header, zone, required=False)
    if shared and share is None:
        raise _Invalid(f"{shared_header} is missing for a shared participation")
    if not shared and share is not None:
        raise _Invalid(f"{shared_header} is set for a participation not shared")
    started_at, shared_at = start.at, None if share is None else share.at
    if share is not None and share.at < start.at:
        # A date-only cell is a whole day: on the day of a timed cell it is not earlier, and
        # takes the timed cell's instant (never shared before started, as from the API).
        timed_both = share.day is None and start.day is None
        if timed_both or share.local_day(zone) < start.local_day(zone):
            raise _Invalid(f"{shared_header} is before the start")
        if share.day is not None:
            shared_at = start.at
        else:
            started_at = share.at
    # An absent optional column reads as empty cells: no external id, no mastery.
    external_id = _text(get("external_id"), layout.header("external_id"), required=False)
    mastery = _mastery(get("mastery"), layout.header("mastery"))
    return Participation(
        id=stable_participation_id(
            campaign_id, last_name, first_name, external_id, start.id_instant()
        ),
        campaign_id=campaign_id,
        status=ParticipationStatus.SHARED if shared else ParticipationStatus.STARTED,
        created_at=started_at,
        shared_at=shared_at,
        participant_id=None,
        mastery_rate=mastery,
        first_name=first_name,
        last_name=last_name,
        external_id=external_id,
    )


def _invalid(cells: list[str], line: int, layout: Layout, cid: int, why: str) -> _Record:
    digest = hashlib.sha256("\x1f".join(cells).encode("utf-8", "surrogatepass")).hexdigest()
    return InvalidParticipation(
        key=f"{cid}:sha256:{digest[:24]}",
        campaign_id=cid,
        reason=why,
        redacted=_redacted(cells, line, layout),
    )


def _campaign(body: list[tuple[int, list[str]]], layout: Layout) -> CsvCampaign:
    ids = {value for _, cells in body if (value := layout.cell(cells, "campaign_id"))}
    if not ids:
        raise CsvExportError("the CSV export has no row with an «ID Campagne»: nothing to import")
    if len(ids) > 1:
        raise CsvExportError(
            f"the CSV export holds {len(ids)} campaigns (several «ID Campagne»): "
            "export one campaign per file"
        )
    (raw,) = ids
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19 and int(raw) > 0):
        raise CsvExportError("«ID Campagne» is not a campaign number")
    first = next(cells for _, cells in body if layout.cell(cells, "campaign_id") == raw)
    profile = layout.cell(first, "target_profile")
    return CsvCampaign(
        id=int(raw),
        code=layout.cell(first, "code"),
        name=layout.cell(first, "campaign_name"),
        target_profile_name=None if profile in ("", "NA") else profile,
        external_id_label=layout.header("external_id") if "external_id" in layout.index else None,
        organisation_name=layout.cell(first, "organisation"),
    )


def _zone(local_zone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(local_zone, ZoneInfo):
        return local_zone
    try:
        return ZoneInfo(local_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CsvExportError(f"unknown time zone {local_zone!r}") from None


@dataclass(frozen=True, slots=True)
class ParsedExport:
    """An export read and checked once (file, quoting, header, campaign), before its cells
    are read: ``export`` reads them, in the structure's zone once it is known."""

    campaign: CsvCampaign
    layout: Layout
    body: list[tuple[int, list[str]]]

    def export(self, local_zone: str | ZoneInfo = "Europe/Paris") -> CsvExport:
        """The participations (or quarantined rows), date-only cells read in ``local_zone``.
        Rows repeating an earlier one exactly are dropped."""
        zone = _zone(local_zone)
        campaign, layout = self.campaign, self.layout
        records: list[_Record] = []
        seen: dict[int, Participation] = {}
        for line, cells in self.body:
            try:
                record = _row(cells, layout, campaign.id, zone)
            except _Invalid as problem:
                records.append(_invalid(cells, line, layout, campaign.id, str(problem)))
                continue
            earlier = seen.setdefault(record.id, record)
            if earlier is record:
                records.append(record)
            elif earlier != record:  # an identical repeat is dropped: it is one participation
                why = "row has the participant and start of an earlier row with other results"
                records.append(_invalid(cells, line, layout, campaign.id, why))
        return CsvExport(campaign=campaign, records=records)


def parse_export(
    path_or_text: str | bytes | os.PathLike[str], *, external_id_column: str | None = None
) -> ParsedExport:
    """Read and check one campaign's export (see ``read_export``), without reading its rows'
    cells yet: every file-level problem is raised here, as ``CsvExportError``."""
    text, name = export_text(path_or_text)
    rows = export_records(text, name)
    if not rows:
        raise CsvExportError("the CSV export is empty")
    (_, header), body = rows[0], rows[1:]
    layout = find_layout(header, external_id_column)
    return ParsedExport(_campaign(body, layout), layout, body)


def read_export(
    path_or_text: str | bytes | os.PathLike[str],
    *,
    external_id_column: str | None = None,
    local_zone: str | ZoneInfo = "Europe/Paris",
) -> CsvExport:
    """Read one campaign's export: a path (a ``Path`` is never mistaken), its bytes, or its text.

    ``external_id_column`` names the external-id column; ``None`` finds it by its header
    (``csv_columns`` says how), ``""`` says there is none. ``local_zone`` is the structure's
    time zone: a date-only cell is that date there. Rows repeating an earlier one exactly are
    dropped. A file is read only if it is a regular file of at most ``MAX_EXPORT_BYTES``.
    """
    zone = _zone(local_zone)
    return parse_export(path_or_text, external_id_column=external_id_column).export(zone)
