"""Pix Orga CSV exports: one campaign's results read into participations or quarantined rows."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.domain.model import Participation, ParticipationStatus
from connector.domain.rules import realisation_date
from connector.errors import UsageError
from connector.pix.csv_export import (
    CsvExport,
    CsvExportError,
    read_export,
    reads_as_id_label,
    stable_participation_id,
)
from connector.pix.records import InvalidParticipation

BOM = "\ufeff"
HEADER = [
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
    "% de maitrise des acquis de la compétence Mener une recherche",
]
LEA = ["ML Nantes", "77", "QWERTY123", "Diagnostic ML", "Diagnostic initial", "Durand", "Léa"]
LEA += ["1234567", "1", "12/03/2026 10:00", "Oui", "12/03/2026 10:20", "0,62", "0,5"]
TOM = ["ML Nantes", "77", "QWERTY123", "Diagnostic ML", "Diagnostic initial", "Martin", "Tom"]
TOM += ["7654321", "0,4", "13/03/2026 09:15", "Non", "NA", "NA", "NA"]
PERSONAL = ("Durand", "Léa", "1234567")

# Verbatim as Pix writes it today: BOM, every cell quoted, decimal comma, NA, Oui/Non.
CURRENT = (
    BOM + '"Nom de l\'organisation";"ID Campagne";"Code";"Nom de la campagne";"Parcours";'
    '"Nom du Participant";"Prénom du Participant";"Numéro de dossier i-milo";"% de progression";'
    '"Date et heure de début (Europe/Paris)";"Partage (O/N)";'
    '"Date et heure du partage (Europe/Paris)";"% maitrise de l\'ensemble des acquis du profil"\n'
    '"ML Nantes";77;"QWERTY123";"Diagnostic ML";"Diagnostic initial";"Durand";"Léa";"1234567";1;'
    '"12/03/2026 10:00";"Oui";"12/03/2026 10:20";0,62\n'
).encode()

# An older export: former headers, no Code column, « Nom du Profil Cible », nothing quoted.
OLD = (
    BOM + "Nom de l'organisation;ID Campagne;Nom de la campagne;Nom du Profil Cible;"
    "Nom du Participant;Prénom du Participant;Adresse e-mail;% de progression;Date de début;"
    "Partage (O/N);Date du partage;% maitrise de l'ensemble des acquis du profil\n"
    "ML Nantes;77;Diagnostic ML;Parcours complet;Durand;Léa;lea@example.org;1;"
    "12/03/2026 10:00;Oui;12/03/2026 10:20;62 %\n"
).encode()


def build(rows: list[list[str]], header: list[str] = HEADER, *, quoted: bool = True) -> bytes:
    """An export as Pix writes it, from lists of cells."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    if quoted:
        writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows([header, *rows])
    return (BOM + out.getvalue()).encode()


def changed(row: list[str], **cells: str) -> list[str]:
    """A copy of ``row`` with some cells replaced, named as in ``names``."""
    names = {"nom": 5, "prenom": 6, "dossier": 7, "debut": 9, "partage": 10, "date_partage": 11}
    names |= {"maitrise": 12, "campagne": 1}
    copy = list(row)
    for name, value in cells.items():
        copy[names[name]] = value
    return copy


def only(export: CsvExport) -> Participation:
    (record,) = export.records
    assert isinstance(record, Participation), record
    return record


def test_a_current_export_is_read_into_a_campaign_and_participations() -> None:
    """Every field of today's format lands where it belongs, times in aware UTC."""
    export = read_export(CURRENT)
    assert export.campaign.id == 77
    assert export.campaign.code == "QWERTY123"
    assert export.campaign.name == "Diagnostic ML"
    assert export.campaign.target_profile_name == "Diagnostic initial"
    assert export.campaign.external_id_label == "Numéro de dossier i-milo"
    assert export.campaign.organisation_name == "ML Nantes"
    record = only(export)
    assert record.id < 0
    assert record.campaign_id == 77
    assert record.status is ParticipationStatus.SHARED
    assert record.is_shared
    assert record.created_at == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    assert record.shared_at == datetime(2026, 3, 12, 9, 20, tzinfo=UTC)
    assert record.participant_id is None
    assert record.mastery_rate == pytest.approx(0.62)
    assert (record.last_name, record.first_name, record.external_id) == PERSONAL


def test_an_old_export_with_former_headers_is_read() -> None:
    """« Date de début », « Date du partage », « Nom du Profil Cible » and no Code still read."""
    export = read_export(OLD)
    assert export.campaign.code == ""
    assert export.campaign.target_profile_name == "Parcours complet"
    assert export.campaign.external_id_label == "Adresse e-mail"
    record = only(export)
    assert record.shared_at == datetime(2026, 3, 12, 9, 20, tzinfo=UTC)
    assert record.mastery_rate == pytest.approx(0.62)
    assert record.external_id == "lea@example.org"


def test_quoted_and_unquoted_cells_read_the_same() -> None:
    """Quoting is the csv module's business: the same data gives the same participations."""
    quoted = read_export(build([LEA, TOM]))
    bare = read_export(build([LEA, TOM], quoted=False))
    assert quoted == bare
    assert b'"' not in build([LEA, TOM], quoted=False)
    assert only(read_export(CURRENT)) == quoted.records[0]


@pytest.mark.parametrize(
    ("cell", "rate"),
    [
        ("0,62", 0.62),
        ("0.62", 0.62),
        ("62", 0.62),
        ("62 %", 0.62),
        ("62,5 %", 0.625),
        ("62,5\u202f%", 0.625),
        ("100 %", 1.0),
        ("1", 1.0),
        ("0", 0.0),
        ("0,5 %", 0.005),
        ("NA", None),
        ("", None),
    ],
)
def test_mastery_reads_ratios_and_percentages(cell: str, rate: float | None) -> None:
    """A % sign or a value above 1 is a percentage; NA is no value."""
    record = only(read_export(build([changed(LEA, maitrise=cell)])))
    assert record.mastery_rate == (None if rate is None else pytest.approx(rate))


def test_a_participation_not_shared_is_started_with_na_for_missing_values() -> None:
    """« Non » with NA share date and mastery gives a STARTED participation without them."""
    record = only(read_export(build([TOM])))
    assert record.status is ParticipationStatus.STARTED
    assert record.shared_at is None
    assert record.mastery_rate is None
    assert not record.is_shared


def test_na_as_external_id_is_no_external_id() -> None:
    """Pix writes NA when the participant gave no external id."""
    assert only(read_export(build([changed(LEA, dossier="NA")]))).external_id is None


def test_the_anti_formula_quote_is_removed_only_before_a_formula_character() -> None:
    """'- '@ '= '+ lose their quote; any other leading quote is the participant's."""
    row = changed(LEA, nom="'-Durand", prenom="'Léa", dossier="'+33612345678")
    record = only(read_export(build([row])))
    assert record.last_name == "-Durand"
    assert record.first_name == "'Léa"
    assert record.external_id == "+33612345678"


@pytest.mark.parametrize(
    "label",
    [
        "Numéro de dossier i-milo",
        "Identifiant I-Milo (7 chiffres)",
        "Adresse e-mail",
        "email",
        "N° dossier",
        "Nº de dossier",
        "NUMERO DOSSIER IMILO",
        "Courriel",
        "Matricule",
        "ID jeune",
        "Référence",
    ],
)
def test_the_external_id_column_is_found_by_a_header_reading_as_an_id_label(label: str) -> None:
    """The campaign's label is free text: any wording of an identifier is recognised."""
    export = read_export(build([LEA], changed(HEADER, dossier=label)))
    assert export.campaign.external_id_label == label
    assert only(export).external_id == "1234567"


@pytest.mark.parametrize(
    "header",
    [
        "hobby",
        "Service",
        "Site",
        "Code postal",
        "Date de naissance",
        "Numéro de téléphone",
        "Tél. portable",
        "Numéro de sécurité sociale",
        "Adresse",
        "Idée de métier",
        "",
    ],
)
def test_headers_that_do_not_read_as_an_id_label(header: str) -> None:
    """An organisation's own columns name other things; a phone, a postal code, a birth date or
    a social-security number is never an external id, whatever else the header says."""
    assert not reads_as_id_label(header)


# An organisation with a generic learner import: its own columns come right after the names,
# before the campaign's external-id label (Pix's campaign-assessment-export.js, #buildHeader).
ORG_COLUMNS = ["Service", "Code postal", "Date de naissance"]
ORG_CELLS = ["Accueil jeunes", "44000", "04/05/2006"]


def test_the_label_is_found_after_the_organisations_own_columns() -> None:
    """« Service », « Code postal » (five digits, like a number) sit between the names and the
    label: the label is still the external id, not the column after the first name."""
    header = [*HEADER[:7], *ORG_COLUMNS, *HEADER[7:]]
    export = read_export(build([[*LEA[:7], *ORG_CELLS, *LEA[7:]]], header))
    assert export.campaign.external_id_label == "Numéro de dossier i-milo"
    assert only(export).external_id == "1234567"


def test_the_organisations_own_columns_without_a_label_give_no_external_id() -> None:
    """Without a label column, neither « Code postal » nor « hobby » is taken for one."""
    header = [*HEADER[:7], "hobby", *ORG_COLUMNS, *HEADER[8:]]
    row = [*LEA[:7], "piano", *ORG_CELLS, *LEA[8:]]
    export = read_export(build([row], header))
    assert export.campaign.external_id_label is None
    record = only(export)
    assert record.external_id is None
    assert record.mastery_rate == pytest.approx(0.62)  # the other columns are still found


def test_of_several_id_labels_the_one_nearest_before_the_progression_wins() -> None:
    """An organisation's own « Identifiant » column and the campaign's label: Pix writes the
    label last, right before « % de progression »."""
    header = [*HEADER[:7], "Identifiant ENT", "Service", *HEADER[7:]]
    row = [*LEA[:7], "ent-42", "Accueil", *LEA[7:]]
    export = read_export(build([row], header))
    assert export.campaign.external_id_label == "Numéro de dossier i-milo"
    assert only(export).external_id == "1234567"


def test_school_columns_before_the_label_are_skipped() -> None:
    """« Classe », « Groupe », « Numéro Étudiant » are Pix's own, even with « Numéro »."""
    header = [*HEADER[:7], "Groupe", "Numéro Étudiant", *HEADER[7:]]
    row = [*LEA[:7], "L1", "20261234", *LEA[7:]]
    assert only(read_export(build([row], header))).external_id == "1234567"


def test_headers_after_the_progression_are_never_the_external_id() -> None:
    """Badges and competences follow « % de progression »: « Identifiant numérique obtenu
    (O/N) » is a badge, and without a label there is no external id."""
    header = [*HEADER[:7], *HEADER[8:12], "Identifiant numérique obtenu (O/N)", *HEADER[12:]]
    row = [*LEA[:7], *LEA[8:12], "Oui", *LEA[12:]]
    export = read_export(build([row], header))
    assert export.campaign.external_id_label is None
    assert only(export).external_id is None


def test_a_label_that_reads_as_no_id_is_no_external_id_unless_named() -> None:
    """A label such as « Votre code » is not recognised; ``external_id_column`` names it."""
    header = changed(HEADER, dossier="Votre code")
    assert only(read_export(build([LEA], header))).external_id is None
    named = read_export(build([LEA], header), external_id_column="votre code")
    assert named.campaign.external_id_label == "Votre code"
    assert only(named).external_id == "1234567"


def test_an_export_without_progression_finds_the_label_before_the_start() -> None:
    """Without « % de progression », the label is the last id label before the start."""
    header = [*HEADER[:7], "Code postal", HEADER[7], *HEADER[9:]]
    row = [*LEA[:7], "44000", LEA[7], *LEA[9:]]
    assert only(read_export(build([row], header))).external_id == "1234567"


def test_no_external_id_column_when_the_campaign_asks_none() -> None:
    """Without a label column, the participation has no external id."""
    header = HEADER[:7] + HEADER[8:]
    export = read_export(build([LEA[:7] + LEA[8:]], header))
    assert export.campaign.external_id_label is None
    assert only(export).external_id is None


@pytest.mark.parametrize("school", ["Classe", "Groupe", "Numéro Étudiant"])
def test_school_columns_after_the_first_name_are_not_an_external_id(school: str) -> None:
    """« Classe », « Groupe », « Numéro Étudiant » are Pix's own columns."""
    header = [*HEADER[:7], school, *HEADER[8:]]
    export = read_export(build([LEA], header))
    assert export.campaign.external_id_label is None


def test_the_external_id_column_can_be_named_by_the_caller() -> None:
    """The caller's column wins over the one found by its header."""
    header = [*HEADER[:7], "hobby", "Adresse e-mail", *HEADER[8:]]
    row = [*LEA[:7], "piano", "lea@example.org", *LEA[8:]]
    found = read_export(build([row], header))
    assert found.campaign.external_id_label == "Adresse e-mail"
    assert only(found).external_id == "lea@example.org"
    export = read_export(build([row], header), external_id_column="HOBBY")
    assert export.campaign.external_id_label == "hobby"
    assert only(export).external_id == "piano"


def test_an_empty_external_id_column_name_says_there_is_none() -> None:
    """``external_id_column=""`` turns detection off."""
    export = read_export(build([LEA]), external_id_column="")
    assert export.campaign.external_id_label is None
    assert only(export).external_id is None


def test_an_external_id_column_absent_from_the_file_is_refused() -> None:
    """Naming a column the file does not have is a usage error."""
    with pytest.raises(CsvExportError, match="no column «Adresse e-mail»"):
        read_export(build([LEA]), external_id_column="Adresse e-mail")


@pytest.mark.parametrize(
    ("local", "instant"),
    [
        ("29/03/2025 12:00", "2025-03-29T11:00"),  # winter time, UTC+1
        ("30/03/2025 01:59", "2025-03-30T00:59"),  # just before spring forward
        ("30/03/2025 02:30", "2025-03-30T01:30"),  # does not exist: the offset before, +1
        ("30/03/2025 03:00", "2025-03-30T01:00"),  # summer time, UTC+2
        ("26/10/2025 01:59", "2025-10-25T23:59"),
        ("26/10/2025 02:30", "2025-10-26T00:30"),  # happens twice: the first one, +2
        ("26/10/2025 03:00", "2025-10-26T02:00"),  # winter time again
    ],
)
def test_paris_times_around_dst_changes_become_the_right_utc_instant(
    local: str, instant: str
) -> None:
    """Europe/Paris wall times, skipped and repeated ones included, convert deterministically."""
    row = changed(LEA, debut=local, partage="Non", date_partage="NA")
    record = only(read_export(build([row])))
    assert record.created_at == datetime.fromisoformat(instant).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/Cayenne", "Indian/Reunion", "Pacific/Noumea"]
)
@pytest.mark.parametrize(
    ("start", "share"), [("12/03/2026", "12/03/2026"), ("2026-03-12", "2026-03-12")]
)
def test_a_date_only_cell_is_that_date_in_the_structures_zone(
    zone: str, start: str, share: str
) -> None:
    """« 12/03/2026 » is 12 March for a counsellor in Cayenne, Réunion or Nouméa alike: the
    date of realisation, computed in the structure's zone, is the date typed."""
    record = only(
        read_export(build([changed(LEA, debut=start, date_partage=share)]), local_zone=zone)
    )
    assert record.shared_at is not None
    assert realisation_date(record.shared_at, zone) == date(2026, 3, 12)
    assert realisation_date(record.created_at, zone) == date(2026, 3, 12)
    # Noon there: another zone within twelve hours would still read 12 March.
    assert record.shared_at.astimezone(ZoneInfo(zone)).hour == 12


def test_a_date_only_cell_read_in_paris_keeps_its_date_in_cayenne() -> None:
    """Read as noon in Paris (the default), the date survives being dated in Cayenne; read as
    midnight, as before, it became 11 March there."""
    record = only(read_export(build([changed(LEA, debut="12/03/2026", date_partage="12/03/2026")])))
    assert record.shared_at == datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
    assert realisation_date(record.shared_at, "America/Cayenne") == date(2026, 3, 12)


def test_a_cell_with_a_time_stays_a_paris_instant_whatever_the_zone() -> None:
    """The header says Europe/Paris: ``local_zone`` changes date-only cells only."""
    record = only(read_export(build([LEA]), local_zone=ZoneInfo("America/Cayenne")))
    assert record.created_at == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    assert record.shared_at == datetime(2026, 3, 12, 9, 20, tzinfo=UTC)


def test_ids_of_date_only_rows_depend_neither_on_the_zone_nor_on_this_version() -> None:
    """A date-only start is hashed as Paris midnight, as it was read before: re-importing an
    old export, or with another zone, finds the same participations in the ledger."""
    row = changed(LEA, debut="12/03/2026", date_partage="12/03/2026")
    ids = {
        only(read_export(build([row]), local_zone=zone)).id
        for zone in ("Europe/Paris", "America/Cayenne", "Pacific/Noumea")
    }
    former = datetime(2026, 3, 11, 23, 0, tzinfo=UTC)  # midnight in Paris
    assert ids == {stable_participation_id(77, "Durand", "Léa", "1234567", former)}


def test_a_date_only_share_on_the_day_of_a_later_timed_start_is_accepted() -> None:
    """A date-only cell is the whole day: shared « 12/03/2026 » is not before a start at 18:00
    that day; it takes the start's instant, so shared is never before started."""
    row = changed(LEA, debut="12/03/2026 18:00", date_partage="12/03/2026")
    record = only(read_export(build([row]), local_zone="America/Cayenne"))
    assert record.shared_at == record.created_at == datetime(2026, 3, 12, 17, 0, tzinfo=UTC)
    assert realisation_date(record.shared_at, "America/Cayenne") == date(2026, 3, 12)
    start = changed(LEA, debut="12/03/2026", date_partage="12/03/2026 09:00")
    record = only(read_export(build([start])))
    assert record.created_at == record.shared_at == datetime(2026, 3, 12, 8, 0, tzinfo=UTC)


def test_a_date_only_share_on_a_day_before_the_start_is_quarantined() -> None:
    """The day before the start is still before it."""
    row = changed(LEA, debut="12/03/2026 10:00", date_partage="11/03/2026")
    (bad,) = read_export(build([row]), local_zone="Indian/Reunion").records
    assert isinstance(bad, InvalidParticipation)
    assert bad.reason.endswith("is before the start")


def test_an_unknown_zone_is_a_usage_error() -> None:
    """``local_zone`` must be an IANA zone."""
    with pytest.raises(CsvExportError, match="unknown time zone"):
        read_export(build([LEA]), local_zone="Mars/Olympus")


def test_ids_are_stable_across_reexports_reorders_and_appended_rows() -> None:
    """Re-importing, reordering or exporting again with more rows never changes an id."""
    first = [r.id for r in read_export(build([LEA, TOM])).records if isinstance(r, Participation)]
    again = read_export(build([LEA, TOM])).records
    reordered = read_export(build([TOM, LEA])).records
    newcomer = changed(TOM, nom="Petit", prenom="Inès", dossier="1111111")
    longer = read_export(build([LEA, TOM, newcomer])).records
    assert [r.id for r in again if isinstance(r, Participation)] == first
    assert sorted(r.id for r in reordered if isinstance(r, Participation)) == sorted(first)
    assert [r.id for r in longer if isinstance(r, Participation)][:2] == first
    assert len(set(first)) == 2


def test_ids_ignore_case_and_surrounding_blanks_in_names() -> None:
    """A name retyped « DURAND » or « durand  » keeps the same participation id."""
    base = only(read_export(build([LEA]))).id
    assert only(read_export(build([changed(LEA, nom=" DURAND ", prenom="LÉA")]))).id == base
    assert only(read_export(build([changed(LEA, debut="12/03/2026 10:01")]))).id != base


def test_a_retry_is_another_participation() -> None:
    """The same person starting again later gets another id."""
    retry = changed(LEA, debut="20/03/2026 14:00", date_partage="20/03/2026 14:30")
    records = read_export(build([LEA, retry])).records
    assert len({r.id for r in records if isinstance(r, Participation)}) == 2


@given(
    campaign_id=st.integers(min_value=1, max_value=2**62),
    last=st.text(),
    first=st.text(),
    external=st.none() | st.text(),
    started=st.datetimes(timezones=st.just(UTC)),
)
def test_ids_are_negative_and_fit_in_a_signed_63_bit_integer(
    campaign_id: int, last: str, first: str, external: str | None, started: datetime
) -> None:
    """Never a Pix id (positive), always storable as a BIGINT."""
    value = stable_participation_id(campaign_id, last, first, external, started)
    assert -(2**62) <= value <= -1


def test_an_identical_repeated_row_is_one_participation() -> None:
    """The same line twice (a copy-paste) is not two participations."""
    assert len(read_export(build([LEA, LEA])).records) == 1


def test_a_repeated_participant_and_start_with_other_results_is_quarantined() -> None:
    """Two rows claiming the same participation but disagreeing cannot both be right."""
    records = read_export(build([LEA, changed(LEA, maitrise="0,9")])).records
    assert isinstance(records[0], Participation)
    assert isinstance(records[1], InvalidParticipation)
    assert records[1].reason.startswith("row has the participant and start")


def test_two_campaigns_in_one_file_are_refused() -> None:
    """Distinct « ID Campagne » values mean several campaigns: one file, one campaign."""
    with pytest.raises(CsvExportError, match="2 campaigns"):
        read_export(build([LEA, changed(TOM, campagne="78")]))


def test_missing_required_columns_are_named() -> None:
    """The message lists each missing column by its current name."""
    header = [h for h in HEADER if h not in ("Partage (O/N)", "Nom du Participant")]
    with pytest.raises(CsvExportError) as caught:
        read_export(build([], header))
    assert "«Nom du Participant»" in str(caught.value)
    assert "«Partage (O/N)»" in str(caught.value)
    assert isinstance(caught.value, UsageError)


def test_a_comma_separated_file_gets_a_hint_about_the_separator() -> None:
    """A file resaved with commas has a single header cell."""
    with pytest.raises(CsvExportError, match="separated by ';'"):
        read_export((BOM + ",".join(HEADER) + "\n").encode())


def test_a_file_that_is_not_utf8_is_refused() -> None:
    """A spreadsheet resave in Windows-1252 is refused, not misread."""
    with pytest.raises(CsvExportError, match="not UTF-8"):
        read_export(build([LEA]).decode("utf-8").encode("cp1252", "replace"))


@pytest.mark.parametrize("content", [b"", BOM.encode(), b"\n\n", b";;;\n", build([])])
def test_an_empty_file_or_one_without_participations_is_refused(content: bytes) -> None:
    """Nothing to import, and no campaign to name: a file-level error."""
    with pytest.raises(CsvExportError):
        read_export(content)


def test_an_unreadable_campaign_id_is_refused() -> None:
    """« ID Campagne » must be a campaign number."""
    with pytest.raises(CsvExportError, match="not a campaign number"):
        read_export(build([changed(LEA, campagne="soixante-dix-sept")]))


def test_a_path_text_and_bytes_read_the_same(tmp_path: Path) -> None:
    """The export can be given as a Path, a str path, its bytes or its text."""
    path = tmp_path / "export.csv"
    path.write_bytes(CURRENT)
    expected = read_export(CURRENT)
    assert read_export(path) == expected
    assert read_export(str(path)) == expected
    assert read_export(CURRENT.decode("utf-8")) == expected


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """The message says the file cannot be read."""
    with pytest.raises(CsvExportError, match="cannot read"):
        read_export(tmp_path / "absent.csv")
    with pytest.raises(CsvExportError, match="cannot read"):
        read_export("absent\x00.csv")


def test_windows_line_endings_and_trailing_blank_rows_are_tolerated() -> None:
    """A file that went through a spreadsheet keeps its rows."""
    content = build([LEA, TOM]).replace(b"\n", b"\r\n") + b";;;;\r\n\r\n"
    assert len(read_export(content).records) == 2


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"debut": "31/02/2026 10:00"}, "Date et heure de début (Europe/Paris) is not a"),
        ({"debut": ""}, "Date et heure de début (Europe/Paris) is missing"),
        ({"debut": "12/03/1999 10:00"}, "Date et heure de début (Europe/Paris) is out of range"),
        ({"partage": "Peut-être"}, "Partage (O/N) is neither Oui nor Non"),
        ({"nom": ""}, "Nom du Participant is missing"),
        ({"prenom": "  "}, "Prénom du Participant is missing"),
        ({"nom": "Du\x00rand"}, "Nom du Participant holds control characters"),
        ({"prenom": "x" * 300}, "Prénom du Participant is longer than 200 characters"),
        ({"dossier": "12\x0734"}, "Numéro de dossier i-milo holds control characters"),
        ({"date_partage": "NA"}, "is missing for a shared participation"),
        ({"partage": "Non"}, "is set for a participation not shared"),
        ({"date_partage": "12/03/2026 09:00"}, "is before the start"),
        ({"maitrise": "beaucoup"}, "% maitrise de l'ensemble des acquis du profil is not a number"),
        ({"maitrise": "150 %"}, "is not between 0 and 100 %"),
        ({"campagne": ""}, "ID Campagne is missing"),
    ],
)
def test_a_bad_row_is_quarantined_with_a_reason_and_no_personal_data(
    cells: dict[str, str], reason: str
) -> None:
    """The reason names the column; the redacted copy and the repr hide names and ids."""
    export = read_export(build([changed(LEA, **cells), TOM]))
    bad, good = export.records
    assert isinstance(good, Participation)
    assert isinstance(bad, InvalidParticipation)
    assert reason in bad.reason
    assert bad.campaign_id == 77
    assert bad.key.startswith("77:sha256:")
    assert bad.redacted["_line"] == 2
    assert bad.redacted["Nom du Participant"] in ("<redacted>", None)
    assert bad.redacted["Numéro de dossier i-milo"] == "<redacted>"
    for value in (*PERSONAL, "Du\x00rand", "12\x0734"):
        assert value not in repr(bad)
        assert value not in bad.reason
    assert "Mener une recherche" not in repr(bad)  # unrecognised columns are left out


def test_a_short_row_is_quarantined() -> None:
    """A row cut before the last column read cannot be trusted."""
    (bad,) = read_export(build([LEA[:9]])).records
    assert isinstance(bad, InvalidParticipation)
    assert bad.reason == "row has fewer cells than the header"


def test_the_invalid_key_is_stable() -> None:
    """The same bad row gets the same quarantine key in every import."""
    row = changed(LEA, partage="?")
    (alone,) = read_export(build([row])).records
    after = read_export(build([TOM, row])).records[1]
    assert isinstance(alone, InvalidParticipation)
    assert isinstance(after, InvalidParticipation)
    assert (alone.key, alone.reason) == (after.key, after.reason)


cell_text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200)
@given(
    cells=st.fixed_dictionaries(
        {
            name: cell_text | st.sampled_from(["NA", "Oui", "Non", "12/03/2026 10:00", "62 %"])
            for name in ("nom", "prenom", "dossier", "debut", "partage", "date_partage", "maitrise")
        }
    )
)
def test_any_row_of_text_yields_a_participation_or_an_invalid_one(cells: dict[str, str]) -> None:
    """Whatever the cells hold, the row gives exactly one record and never an exception,
    except a cell with a line break and a ';': what a quote never closed looks like, so the
    file is refused, naming the line and no cell."""
    content = build([changed(LEA, **cells)])
    if any(";" in v and ("\n" in v or "\r" in v) for v in cells.values()):
        with pytest.raises(CsvExportError, match=r"^the CSV export, line 2: unbalanced quote"):
            read_export(content)
        return
    (record,) = read_export(content).records
    assert isinstance(record, Participation | InvalidParticipation)
    if isinstance(record, InvalidParticipation):
        assert record.campaign_id == 77


@settings(max_examples=200)
@given(line=st.text(st.characters(codec="utf-8"), max_size=200))
def test_any_line_of_text_gives_an_export_or_a_usage_error(line: str) -> None:
    """A raw line appended to a good file never escapes as anything but CsvExportError."""
    content = build([LEA]) + line.encode("utf-8")
    try:
        export = read_export(content)
    except CsvExportError:
        return
    assert all(isinstance(r, Participation | InvalidParticipation) for r in export.records)


def test_rows_in_any_order_give_the_same_set_of_records() -> None:
    """Order does not matter to what is read."""
    rows = [LEA, TOM, changed(TOM, nom="Petit", dossier="NA"), changed(LEA, partage="?")]
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)

    def summary(export: CsvExport) -> set[object]:
        return {r.id if isinstance(r, Participation) else (r.key, r.reason) for r in export.records}

    assert summary(read_export(build(rows))) == summary(read_export(build(shuffled)))
