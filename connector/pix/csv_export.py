"""Reading Pix Orga CSV exports of campaign results, for structures without API access.

One file holds one campaign's results: UTF-8 with a BOM, ``;``-separated, decimal comma,
``NA`` for a missing value, ``Oui``/``Non``, dates ``DD/MM/YYYY HH:mm`` in Europe/Paris, and a
``'`` before any cell starting with ``- @ = +`` (Pix's guard against spreadsheet formulas).
A file-level problem raises ``CsvExportError``; a bad row becomes an ``InvalidParticipation``
whose reason names the column, never the value.

**The external-id column** is found by its header, not by its place. Pix writes, in this
order: its own columns up to « Prénom du Participant », then the organisation's own columns
(from its learner import: « Service », « Site », « Date de naissance »…), « Classe »,
« Groupe », « Numéro Étudiant » for schools and universities, then the campaign's
external-id label (free text typed by the organisation) if it has one, then « % de
progression » and Pix's results. So the external id is, among the headers before « % de
progression » (« Date et heure de début » in exports without it) that are not Pix's own,
one that reads as an identifier label: a word such as dossier, i-milo/imilo/milo,
identifiant, id, mail/e-mail/courriel, numéro/n°, matricule or référence, compared without
accents or case (``reads_as_id_label``). A header also naming a telephone, postal code,
birth date or social-security number is never one. If several headers qualify, the one
nearest before « % de progression » wins: that is where Pix puts the label. If none does,
there is no external id, and names alone identify the young person: a « hobby » or « Code
postal » column is never taken for one (a postal code would read as a dossier number). The
caller can still name the column (``external_id_column``), or say there is none (``""``).

**Dates.** A cell with a time is an Europe/Paris wall time, as its header says, converted to
an instant. A date-only cell (``DD/MM/YYYY`` or ``YYYY-MM-DD``, from older exports) is a
calendar date of the structure: it is read as noon in ``local_zone`` (the structure's time
zone), so that the date of realisation, computed in that zone, is the date typed. Noon
rather than midnight: both give the typed date in that zone, but noon keeps it in any zone
within twelve hours of it, should another zone ever date the instant, where midnight would
fall on the day before in every zone west of it.

**Hostile or broken files.** Only a regular file is read (a directory, a FIFO or a device is
refused before it is opened, so nothing hangs), and one larger than ``MAX_EXPORT_BYTES``
(50 MB) is refused before it is parsed: a campaign's export is a few MB at most (a row is
about 1 KB with every competence column), and parsing takes many times the file's size in
memory. Quoting is strict: Pix quotes every text cell and doubles the quotes in it, so a
quote left open, or one followed by more text in its cell, is an error naming the line
(``export.csv:5: unbalanced quote…``), never a record silently merged with the rows after
it. A record that spans lines is one only if its quoted line break swallows no ``;`` and
its cells are as many as the header's: Pix writes no line break in the cells read here, and
a quote never closed takes in whole rows, separators included. Messages name lines and
columns, never cell contents.

**Formulas.** Cells are read without Pix's guard (names are matched as typed), so every
output showing a value from a cell shows it through ``guarded``, with the guard back.

The export carries no participation id, so one is derived from the row (see
``stable_participation_id``): re-importing the same file, or a later export of the same
campaign with more rows (or with a participation shared since), gives each participation the
same id, hence no duplicate writes. The id changes if the participant's names, external id or
start time are edited in Pix. It does not depend on ``local_zone``: a date-only start is
hashed as midnight in Europe/Paris, as earlier versions read it, so ids stay those of any
earlier import of the same file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.domain.model import Participation, ParticipationStatus
from connector.errors import UsageError
from connector.pix.records import MAX_TEXT_LENGTH, InvalidParticipation, redact_record

__all__ = ["COLUMNS", "CsvCampaign", "CsvExport", "CsvExportError", "read_export"]
__all__ += ["MAX_EXPORT_BYTES", "ParsedExport", "guarded", "parse_export"]
__all__ += ["reads_as_id_label", "stable_participation_id"]

# The largest export read (see the module's docstring): 50 MB.
MAX_EXPORT_MB = 50
MAX_EXPORT_BYTES = MAX_EXPORT_MB * 1024 * 1024

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
    "progression": ("% de progression",),  # not read: the external-id label comes before it
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
# What a spreadsheet may take for a formula at the start of a cell (OWASP's list, and a line
# feed): ``guarded`` puts a quote before it.
_FORMULA_START = frozenset("=+-@\t\r\n")
_LINE_BREAK = re.compile(r"[\r\n]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_YES, _NO = frozenset({"oui", "o"}), frozenset({"non", "n"})
_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_DAY_FORMATS = frozenset({"%d/%m/%Y", "%Y-%m-%d"})  # date-only: a calendar date of the structure
_LOCAL_NOON = time(12)
# Words of an identifier label, accents and case folded (a trailing plural s is dropped), and
# words that make a header something else: a phone or social-security number, a postal code,
# a birth date are no external id, whatever else the header says.
_ID_WORDS = frozenset(
    {"dossier", "imilo", "milo", "identifiant", "ident", "id", "mail", "email", "courriel"}
    | {"numero", "num", "matricule", "reference", "ref"}
)
_NOT_ID_WORDS = frozenset(
    {"telephone", "tel", "portable", "mobile", "postal", "naissance", "date", "securite", "secu"}
    | {"nir", "insee", "iban"}
)
_NUMBER_SIGN = re.compile(r"(?<![a-z0-9])n\s*°")  # « N° », « n° » (« Nº » is folded to °)
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


def guarded(text: str) -> str:
    """``text`` safe to paste into a spreadsheet: with a leading ``'`` (Pix's guard) if it
    starts like a formula (``= + - @``, tab, CR or LF). Every output showing a value that
    came from a cell shows it so: ``'=cmd|…`` is text, ``=cmd|…`` would run."""
    return "'" + text if text[:1] in _FORMULA_START else text


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


def reads_as_id_label(header: str) -> bool:
    """Whether a header reads as the label of an identifier: « Numéro de dossier i-milo »,
    « Identifiant I-Milo (7 chiffres) », « Adresse e-mail », « N° dossier » do; « hobby »,
    « Service », « Code postal », « Numéro de téléphone », « Date de naissance » do not."""
    text = _norm(header.replace("\u00ba", "\u00b0"))
    words = {w[:-1] if len(w) > 2 and w.endswith("s") else w for w in re.findall("[a-z0-9]+", text)}
    if words & _NOT_ID_WORDS:
        return False
    electronic_address = {"adresse", "electronique"} <= words
    return bool(words & _ID_WORDS) or electronic_address or bool(_NUMBER_SIGN.search(text))


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
        # Pix writes the campaign's external-id label last before « % de progression », after
        # the organisation's own columns: the nearest header before it that reads as an id
        # label (see the module's docstring). An empty string from the caller says the
        # campaign asks for none.
        anchor = layout.index.get("progression", layout.index["started_at"])
        labels = [
            i
            for i in range(anchor)
            if names[i] and names[i] not in _KNOWN and reads_as_id_label(header[i])
        ]
        if labels:
            layout.index["external_id"] = labels[-1]
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


def _redacted(cells: list[str], line: int, layout: _Layout) -> dict[str, Any]:
    # Only the recognised columns: the rest (skills, badges, school columns) is not needed
    # to understand why a row was refused.
    # Of those, only the non-personal ones are kept in clear: redact_record masks the others.
    copy: dict[str, str | int | None] = {"_line": line}
    for name in layout.index:
        copy[layout.header(name)] = layout.cell(cells, name) or None
    clear_columns = ("campaign_id", "started_at", "shared", "shared_at", "mastery")
    clear = {"_line"} | {layout.header(n) for n in clear_columns if n in layout.index}
    return redact_record(copy, frozenset(clear))


def _row(cells: list[str], layout: _Layout, campaign_id: int, zone: ZoneInfo) -> Participation:
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


def _shown(path: str | os.PathLike[str]) -> str:
    # A file name as messages show it: control characters would forge lines in a terminal.
    return _UNPRINTABLE.sub("?", os.fsdecode(path))


def _too_large(what: str) -> CsvExportError:
    return CsvExportError(
        f"{what} is larger than {MAX_EXPORT_MB} MB, the limit for a CSV export: "
        "export one campaign per file"
    )


def _read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file of at most ``MAX_EXPORT_BYTES``; checked with ``stat``
    before it is opened (a FIFO would block the open), and again once open."""
    name = _shown(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise CsvExportError(f"cannot read the CSV export '{name}': it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise CsvExportError(
                f"cannot read the CSV export '{name}': not a regular file "
                "(a FIFO, a device or a socket)"
            )
        if info.st_size > MAX_EXPORT_BYTES:
            raise _too_large(f"'{name}' ({info.st_size // (1024 * 1024)} MB)")
        # O_NONBLOCK: should a FIFO take the file's place after the check, the open returns.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with open(os.open(path, flags), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise CsvExportError(f"cannot read the CSV export '{name}': not a regular file")
            data = file.read(MAX_EXPORT_BYTES + 1)
    except (OSError, ValueError) as error:  # ValueError: a NUL or surrogate in the path
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise CsvExportError(f"cannot read the CSV export '{name}': {reason}") from None
    if len(data) > MAX_EXPORT_BYTES:  # it grew since
        raise _too_large(f"'{name}'")
    return data


def _decode(source: str | bytes | os.PathLike[str]) -> tuple[str, str | None]:
    """The export's text, and the file's name when it is read from a file."""
    # A str is the file's text if it looks like CSV (or is blank), otherwise a path.
    if isinstance(source, str) and (not source.strip() or "\n" in source or ";" in source):
        if len(source) > MAX_EXPORT_BYTES:  # a character is at least a byte
            raise _too_large("the CSV export")
        return source.removeprefix("\ufeff"), None
    name = None
    if isinstance(source, bytes):
        if len(source) > MAX_EXPORT_BYTES:
            raise _too_large("the CSV export")
        data = source
    else:
        data, name = _read_file(source), _shown(source)
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        raise CsvExportError(
            "the CSV export is not UTF-8 text: download it again from Pix Orga "
            "and import it without saving it from a spreadsheet"
        ) from None


def _where(name: str | None, line: int) -> str:
    return f"{name}:{line}" if name else f"the CSV export, line {line}"


def _quote_problem(error: csv.Error, where: str, start: int, end: int) -> CsvExportError:
    # The csv module's messages hold no cell content, but are worded for programmers.
    text = str(error)
    runs = f" (the record runs to line {end})" if end > start else ""
    if "end of data" in text:
        why = "unbalanced quote: a quoted cell opened on this line is never closed"
    elif "expected after" in text:
        why = (
            "unbalanced quote: a quote in a cell is not doubled, or text follows a closing "
            f"quote{runs}"
        )
    elif "field limit" in text:
        why = f"a cell is longer than {csv.field_size_limit()} characters (an unbalanced quote?)"
    else:
        why = f"malformed CSV{runs}"
    return CsvExportError(f"{where}: {why}; fix the file or export it again from Pix Orga")


def _rows(text: str, name: str | None) -> list[tuple[int, list[str]]]:
    """The non-blank records, each with the line it starts on; quoting checked strictly (see
    the module's docstring)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    rows: list[tuple[int, list[str]]] = []
    width: int | None = None  # the header's
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            raise _quote_problem(error, _where(name, start), start, reader.line_num) from None
        if not any(c.strip() for c in cells):
            continue
        end = reader.line_num
        if end > start and (
            width is None
            or len(cells) != width
            or any(";" in c and _LINE_BREAK.search(c) for c in cells)
        ):
            what = "header" if width is None else "record"
            raise CsvExportError(
                f"{_where(name, start)}: unbalanced quote: a quoted cell opened on this line "
                f"runs on to line {end}, swallowing what follows (the {what} would merge "
                "rows); fix the file or export it again from Pix Orga"
            )
        width = len(cells) if width is None else width
        rows.append((start, cells))


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
    layout: _Layout
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
    text, name = _decode(path_or_text)
    rows = _rows(text, name)
    if not rows:
        raise CsvExportError("the CSV export is empty")
    (_, header), body = rows[0], rows[1:]
    layout = _layout(header, external_id_column)
    return ParsedExport(_campaign(body, layout), layout, body)


def read_export(
    path_or_text: str | bytes | os.PathLike[str],
    *,
    external_id_column: str | None = None,
    local_zone: str | ZoneInfo = "Europe/Paris",
) -> CsvExport:
    """Read one campaign's export: a path (a ``Path`` is never mistaken), its bytes, or its text.

    ``external_id_column`` names the external-id column; ``None`` finds it by its header (the
    module's docstring says how), ``""`` says there is none. ``local_zone`` is the structure's
    time zone: a date-only cell is that date there. Rows repeating an earlier one exactly are
    dropped. A file is read only if it is a regular file of at most ``MAX_EXPORT_BYTES``.
    """
    zone = _zone(local_zone)
    return parse_export(path_or_text, external_id_column=external_id_column).export(zone)
