"""Reading Pix Orga CSV exports of campaign results, for structures without API access.

One file holds one campaign's results: UTF-8 with a BOM, ``;``-separated, decimal comma,
``NA`` for a missing value, ``Oui``/``Non``, dates ``DD/MM/YYYY HH:mm`` in Europe/Paris, and a
``'`` before any cell starting with ``- @ = +`` (Pix's guard against spreadsheet formulas).
A file-level problem raises ``CsvExportError``; a bad row becomes an ``InvalidParticipation``
whose reason names the column, never the value.

The export carries no participation id, so one is derived from the row (see
``stable_participation_id``): re-importing the same file, or a later export of the same
campaign with more rows (or with a participation shared since), gives each participation the
same id, hence no duplicate writes. The id changes if the participant's names, external id or
start time are edited in Pix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connector.domain.model import Participation, ParticipationStatus
from connector.errors import UsageError
from connector.pix.records import MAX_TEXT_LENGTH, InvalidParticipation, redact_record

__all__ = ["COLUMNS", "CsvCampaign", "CsvExport", "CsvExportError", "read_export"]
__all__ += ["stable_participation_id"]

PARIS = ZoneInfo("Europe/Paris")

# The fields read, each with the headers Pix has used for it, current one first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("Nom de l'organisation",),
    "campaign_id": ("ID Campagne",),
    "code": ("Code",),  # absent from exports made before campaign codes were exported
    "campaign_name": ("Nom de la campagne",),
    "target_profile": ("Parcours", "Nom du Profil Cible"),
    "last_name": ("Nom du Participant",),
    "first_name": ("Prénom du Participant",),
    "progression": ("% de progression",),  # recognised (not an external id), not read
    "started_at": ("Date et heure de début (Europe/Paris)", "Date de début"),
    "shared": ("Partage (O/N)",),
    "shared_at": ("Date et heure du partage (Europe/Paris)", "Date du partage"),
    "mastery": ("% maitrise de l'ensemble des acquis du profil",),
}
_OPTIONAL = frozenset({"code", "target_profile", "progression", "mastery"})
# What Pix writes after the first name for school and university organisations: not an external id.
_OTHER_HEADERS = ("Classe", "Groupe", "Numéro Étudiant")
_PERSONAL = frozenset({"last_name", "first_name", "external_id"})
_GUARDED = frozenset("-@=+")
_YES, _NO = frozenset({"oui", "o"}), frozenset({"non", "n"})
_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_NUMBER = re.compile(r"([0-9]{1,3}(?:[.,][0-9]+)?)[\s\u202f]*(%?)")
# The same rule as for API records: C0/C1 controls (tab excepted) and lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_ID_BITS = 62  # ids lie in [-2**62, -1]: negative, and inside a signed 63-bit integer


class CsvExportError(UsageError):
    """The file as a whole cannot be read; the message says why, without personal data."""


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


def _unguard(value: str) -> str:
    """A cell as typed: without the surrounding blanks and Pix's anti-formula quote."""
    value = value.strip()
    if len(value) >= 2 and value[0] == "'" and value[1] in _GUARDED:
        return value[1:]
    return value


def _norm(header: str) -> str:
    # Headers compare as people retype them: blanks, case, accents and apostrophes vary.
    text = unicodedata.normalize("NFKD", _unguard(header).replace("\u2019", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split()).casefold()


_KNOWN = frozenset(_norm(h) for h in (*_OTHER_HEADERS, *(a for v in COLUMNS.values() for a in v)))


@dataclass(frozen=True, slots=True)
class _Layout:
    headers: list[str]
    index: dict[str, int] = field(default_factory=dict)

    def cell(self, cells: list[str], name: str) -> str:
        index = self.index.get(name)
        return _unguard(cells[index]) if index is not None and index < len(cells) else ""

    def header(self, name: str) -> str:
        return self.headers[self.index[name]] if name in self.index else name


def _layout(header: list[str], external_id_column: str | None) -> _Layout:
    names = [_norm(h) for h in header]
    layout = _Layout(headers=[_unguard(h) for h in header])
    for name, aliases in COLUMNS.items():
        found = [names.index(_norm(a)) for a in aliases if _norm(a) in names]
        if found:
            layout.index[name] = found[0]
    missing = [v[0] for k, v in COLUMNS.items() if k not in layout.index and k not in _OPTIONAL]
    if missing:
        listed = ", ".join(f"«{m}»" for m in missing)
        hint = " (is it separated by ';'?)" if len(header) == 1 else ""
        raise CsvExportError(f"the CSV export lacks the column(s) {listed}{hint}")
    if external_id_column:
        if _norm(external_id_column) not in names:
            raise CsvExportError(f"the CSV export has no column «{external_id_column}»")
        layout.index["external_id"] = names.index(_norm(external_id_column))
    elif external_id_column is None:
        # Pix puts the campaign's external-id label right after the first name. An empty
        # string from the caller says the campaign asks for none.
        after = layout.index["first_name"] + 1
        if after < len(names) and names[after] and names[after] not in _KNOWN:
            layout.index["external_id"] = after
    return layout


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


def _moment(value: str, header: str, *, required: bool) -> datetime | None:
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
        # fold=0: a wall time that DST skips or repeats takes the offset in force before the
        # change, so one cell always gives one instant.
        return local.replace(tzinfo=PARIS, fold=0).astimezone(UTC)
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


def _redacted(cells: list[str], line: int, layout: _Layout) -> dict[str, Any]:
    # Only the recognised columns: the rest (skills, badges, school columns) is not needed
    # to understand why a row was refused.
    copy: dict[str, str | int | None] = {"_line": line}
    for name in layout.index:
        value = layout.cell(cells, name)
        copy[layout.header(name)] = value
        if name in _PERSONAL:
            copy[layout.header(name)] = "<redacted>" if value else None
    return redact_record(copy)


def _row(cells: list[str], layout: _Layout, campaign_id: int) -> Participation:
    """One data row as a participation, or ``_Invalid`` naming the first column at fault."""

    def get(name: str) -> str:
        return layout.cell(cells, name)

    if len(cells) <= max(layout.index.values()):
        raise _Invalid("row has fewer cells than the header")
    if not get("campaign_id"):
        raise _Invalid(f"{layout.header('campaign_id')} is missing")
    last_name = _text(get("last_name"), layout.header("last_name"), required=True) or ""
    first_name = _text(get("first_name"), layout.header("first_name"), required=True) or ""
    started_at = _moment(get("started_at"), layout.header("started_at"), required=True)
    assert started_at is not None  # noqa: S101 - required=True
    if get("shared").casefold() not in _YES | _NO:
        raise _Invalid(f"{layout.header('shared')} is neither Oui nor Non")
    shared = get("shared").casefold() in _YES
    shared_header = layout.header("shared_at")
    shared_at = _moment(get("shared_at"), shared_header, required=False)
    if shared and shared_at is None:
        raise _Invalid(f"{shared_header} is missing for a shared participation")
    if not shared and shared_at is not None:
        raise _Invalid(f"{shared_header} is set for a participation not shared")
    if shared_at is not None and shared_at < started_at:
        raise _Invalid(f"{shared_header} is before the start")
    # An absent optional column reads as empty cells: no external id, no mastery.
    external_id = _text(get("external_id"), layout.header("external_id"), required=False)
    mastery = _mastery(get("mastery"), layout.header("mastery"))
    return Participation(
        id=stable_participation_id(campaign_id, last_name, first_name, external_id, started_at),
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


def _invalid(cells: list[str], line: int, layout: _Layout, cid: int, why: str) -> _Record:
    digest = hashlib.sha256("\x1f".join(cells).encode("utf-8", "surrogatepass")).hexdigest()
    return InvalidParticipation(
        key=f"{cid}:sha256:{digest[:24]}",
        campaign_id=cid,
        reason=why,
        redacted=_redacted(cells, line, layout),
    )


def _campaign(body: list[tuple[int, list[str]]], layout: _Layout) -> CsvCampaign:
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


def _decode(source: str | bytes | os.PathLike[str]) -> str:
    # A str is the file's text if it looks like CSV (or is blank), otherwise a path.
    if isinstance(source, str) and (not source.strip() or "\n" in source or ";" in source):
        return source.removeprefix("\ufeff")
    if isinstance(source, bytes):
        data = source
    else:
        try:
            data = Path(source).read_bytes()
        except (OSError, ValueError) as error:  # ValueError: a NUL or surrogate in the path
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise CsvExportError(f"cannot read the CSV export: {reason}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvExportError(
            "the CSV export is not UTF-8 text: download it again from Pix Orga "
            "and import it without saving it from a spreadsheet"
        ) from None


def read_export(
    path_or_text: str | bytes | os.PathLike[str], *, external_id_column: str | None = None
) -> CsvExport:
    """Read one campaign's export: a path (a ``Path`` is never mistaken), its bytes, or its text.

    ``external_id_column`` names the external-id column; ``None`` finds it after the first
    name, ``""`` says there is none. Rows repeating an earlier one exactly are dropped.
    """
    reader = csv.reader(
        io.StringIO(_decode(path_or_text), newline=""), delimiter=";", quotechar='"'
    )
    try:
        rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except csv.Error:
        raise CsvExportError(f"the CSV export is malformed near line {reader.line_num}") from None
    if not rows:
        raise CsvExportError("the CSV export is empty")
    (_, header), body = rows[0], rows[1:]
    layout = _layout(header, external_id_column)
    campaign = _campaign(body, layout)
    records: list[_Record] = []
    seen: dict[int, Participation] = {}
    for line, cells in body:
        try:
            record = _row(cells, layout, campaign.id)
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
