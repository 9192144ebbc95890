"""Hostile and broken CSV exports: quotes left open, files too large or not files, formulas.

Every file-level problem is a ``CsvExportError`` (exit 2) naming the file, the line or the
limit, never a cell; every output showing a value from a cell shows it with Pix's guard.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from connector.domain.matching import ReviewReason
from connector.domain.model import Nature
from connector.domain.plan import PlannedWrite, Review
from connector.entrypoints import cli
from connector.pix import csv_file
from connector.pix.csv_export import (
    MAX_EXPORT_BYTES,
    CsvExportError,
    guarded,
    parse_export,
    read_export,
)
from connector.pix.records import InvalidParticipation
from connector.run.plan_output import print_plan
from connector.run.report import RunReport
from connector.store.sql import SqlStateStore
from tests.unit.test_csv_export import HEADER, LEA, TOM, build, changed

FORMULA = "=cmd|' /C calc'!A0"
# Nine participants, as an older export writes them: nothing quoted.
NINE = [changed(TOM, nom=f"Nom{i}", prenom=f"Prenom{i}", dossier=f"100{i}") for i in range(9)]


def unquoted(rows: list[list[str]]) -> list[str]:
    """The lines of an export, nothing quoted (header first, line 1)."""
    return build(rows, quoted=False).decode("utf-8").split("\n")


def joined(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


def refused(content: bytes | Path, match: str) -> str:
    with pytest.raises(CsvExportError, match=match) as caught:
        read_export(content)
    message = str(caught.value)
    for cells in NINE:  # no name, first name or dossier number in the message
        for value in cells[5:8]:
            assert value not in message
    return message


def test_an_unbalanced_quote_that_closes_rows_later_is_an_error_naming_its_line(
    tmp_path: Path,
) -> None:
    """The issue's case: a quote opened in row 4 (line 5) closes cleanly in row 7; the rows in
    between were merged into one record with exit 0. Now the file is refused, naming its line."""
    lines = unquoted(NINE)
    lines[4] = lines[4].replace(";Nom3;", ';"Nom3;')
    lines[7] = lines[7].replace(";Prenom6;", ';Prenom6";')
    content = joined(lines)
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    message = refused(path, "unbalanced quote")
    assert message.startswith(f"{path}:5: unbalanced quote")
    assert "line 8" in message
    assert refused(content, "unbalanced quote").startswith("the CSV export, line 5:")


def test_a_quote_never_closed_is_an_error_naming_its_line() -> None:
    """Opened in the last row, it would swallow the rest of the file."""
    lines = unquoted(NINE)
    lines[9] = lines[9].replace(";Nom8;", ';"Nom8;')
    message = refused(joined(lines), "never closed")
    assert message.startswith("the CSV export, line 10: unbalanced quote")


def test_text_after_a_closing_quote_is_an_error_naming_its_line() -> None:
    """« "Nom"2 »: a quote that is not doubled, in a quoted file."""
    lines = build(NINE).decode("utf-8").split("\n")
    lines[3] = lines[3].replace('"Nom2"', '"Nom"2"')
    message = refused(joined(lines), "not doubled")
    assert message.startswith("the CSV export, line 4: unbalanced quote")


def test_a_quote_opened_in_the_header_is_an_error() -> None:
    lines = unquoted(NINE)
    lines[0] = lines[0].replace(";Code;", ';"Code;')
    lines[2] = lines[2].replace(";Nom1;", ';Nom1";')
    message = refused(joined(lines), "header")
    assert message.startswith("the CSV export, line 1: unbalanced quote")


def test_a_quoted_line_break_swallowing_a_separator_is_refused() -> None:
    """A cell with a line break and a ';' is what an open quote makes of the next row."""
    content = build([changed(LEA, nom="Durand\n;Léa"), TOM])
    message = refused(content, "unbalanced quote")
    assert message.startswith("the CSV export, line 2:") and "line 3" in message
    assert "Durand" not in message and "Léa" not in message


def test_well_quoted_cells_still_read() -> None:
    """Doubled quotes, quoted separators, a quoted line break in a name (a bad row, not a bad
    file), and a quote inside an unquoted cell are no unbalanced quotes."""
    rows = [
        changed(LEA, nom='Du "Grand" ; Durand'),
        changed(TOM, nom="Mar\ntin"),
        changed(TOM, nom="O'Neil", prenom='Jo"e', dossier="55"),
    ]
    quoted = read_export(build(rows)).records
    assert [type(r).__name__ for r in quoted] == [
        "Participation",
        "InvalidParticipation",
        "Participation",
    ]
    bad = quoted[1]
    assert isinstance(bad, InvalidParticipation)
    assert bad.redacted["_line"] == 3  # the line the record starts on
    bare = unquoted([changed(TOM, prenom='Jo"e')])
    assert len(read_export(joined(bare)).records) == 1


def test_all_nine_rows_of_a_good_file_are_read() -> None:
    assert len(read_export(joined(unquoted(NINE))).records) == 9


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """50 MB: the message names the file and the limit. A sparse file: nothing is written."""
    assert MAX_EXPORT_BYTES == 50 * 1024 * 1024
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(MAX_EXPORT_BYTES + 1)
    message = refused(path, "larger than 50 MB")
    assert str(path) in message
    with path.open("wb") as file:
        file.truncate(MAX_EXPORT_BYTES)  # at the limit: read (and found to be no CSV)
    with pytest.raises(CsvExportError) as caught:
        read_export(path)
    assert "larger than" not in str(caught.value)


def test_bytes_or_text_larger_than_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_file, "MAX_EXPORT_BYTES", 1000)
    content = build(NINE)
    assert len(content) > 1000
    refused(content, "larger than 50 MB")
    refused(content.decode("utf-8")[1:], "larger than 50 MB")  # type: ignore[arg-type]


def test_a_file_growing_past_the_limit_after_the_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most the limit (and one byte) is read, whatever ``stat`` said."""
    path = tmp_path / "export.csv"
    path.write_bytes(build(NINE))
    real_stat = os.stat

    def small(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        found = real_stat(target, *args, **kwargs)
        return os.stat_result((found.st_mode, *found[1:6], 10, *found[7:]))

    monkeypatch.setattr(csv_file, "MAX_EXPORT_BYTES", 1000)
    monkeypatch.setattr("os.stat", small)
    refused(path, "larger than 50 MB")


def returns_soon(action: Any) -> Any:
    """``action()``, failing the test (not hanging it) if it takes more than 10 s."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = action()
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "export.csv"
    os.mkfifo(path)
    yield path
    # Should the open have blocked, a writer releases it.
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    os.close(fd)


def test_a_fifo_is_refused_without_hanging(fifo: Path) -> None:
    with pytest.raises(CsvExportError, match="not a regular file") as caught:
        returns_soon(lambda: read_export(fifo))
    assert str(fifo) in str(caught.value)


def test_a_directory_or_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CsvExportError, match="is a directory"):
        read_export(tmp_path)
    with pytest.raises(CsvExportError, match="not a regular file"):
        returns_soon(lambda: read_export(Path("/dev/zero")))


def test_control_characters_in_a_file_name_are_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b[2Jb.csv"
    with pytest.raises(CsvExportError) as caught:
        read_export(path)
    assert "\x1b" not in str(caught.value) and "a?[2Jb.csv" in str(caught.value)


def import_csv(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["import-csv", str(path), "--structure", "75010S00"])
    return code, capsys.readouterr().err


def test_import_csv_refuses_broken_files_with_exit_2_before_any_setting(
    tmp_path: Path, fifo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory, a FIFO, a file over the limit, an unbalanced quote: exit 2, one line,
    no traceback, and no I-Milo setting needed to say so."""
    for variable in ("IMILO_API_URL", "IMILO_API_KEY", "CONNECTOR_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.truncate(MAX_EXPORT_BYTES + 1)
    lines = unquoted(NINE)
    lines[4] = lines[4].replace(";Nom3;", ';"Nom3;')
    lines[7] = lines[7].replace(";Prenom6;", ';Prenom6";')
    quote = tmp_path / "quote.csv"
    quote.write_bytes(joined(lines))
    cases = [
        (tmp_path, "is a directory"),
        (fifo, "not a regular file"),
        (huge, f"'{huge}' (50 MB) is larger than 50 MB"),
        (quote, f"{quote}:5: unbalanced quote"),
    ]
    for path, expected in cases:
        code, err = returns_soon(lambda path=path: import_csv(path, capsys))
        assert code == 2, err
        assert err.startswith("pix-imilo: error: ") and expected in err
        assert "Traceback" not in err and "Nom3" not in err


def test_a_file_is_parsed_once_then_read_in_any_zone() -> None:
    """``parse_export`` checks the file once; ``export`` reads its rows in a zone."""
    parsed = parse_export(build([LEA, TOM]))
    assert parsed.export("Europe/Paris") == read_export(build([LEA, TOM]))
    cayenne = parsed.export("America/Cayenne")
    assert cayenne.campaign == parsed.campaign
    with pytest.raises(CsvExportError, match="unknown time zone"):
        parsed.export("Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (FORMULA, "'" + FORMULA),
        ("+33612345678", "'+33612345678"),
        ("-Durand", "'-Durand"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Léa", "Léa"),
        ("'=already guarded", "'=already guarded"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_guarded_puts_pixs_quote_before_a_formula(text: str, shown: str) -> None:
    assert guarded(text) == shown


def test_a_formula_cell_is_read_without_its_guard_for_matching() -> None:
    """The guard is Pix's, not the participant's: names are matched as typed."""
    row = changed(LEA, nom="'" + FORMULA, dossier="'+33612345678")
    (record,) = read_export(build([row])).records
    assert record.last_name == FORMULA  # type: ignore[union-attr]


def formula_texts(value: Any) -> list[str]:
    """Every text in a JSON document (keys included) that a spreadsheet would run."""
    if isinstance(value, str):
        return [value] if value[:1] in "=+-@\t\r" and value else []
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in formula_texts(k) + formula_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in formula_texts(v)]
    return []


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlStateStore]:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", url)
    opened = SqlStateStore.open(url)
    yield opened
    opened.close()


def queue_formula_item(store: SqlStateStore) -> int:
    """A review item whose participant typed formulas, read from a CSV export."""
    row = changed(LEA, nom="'" + FORMULA, prenom="'-Léa", dossier="'@1234567")
    (participation,) = read_export(build([row])).records
    assert not isinstance(participation, InvalidParticipation)
    item = Review(participation.id, 77, "75010S00", ReviewReason.HOMONYMS, None, ((1000021, 0.9),))
    store.reviews.put([(item, participation)], datetime.now(UTC))
    return participation.id


def test_review_show_prints_formula_cells_with_their_guard(
    store: SqlStateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """`review show`, as text and JSON: « '=cmd|… », never « =cmd|… » at the start of a value."""
    item = queue_formula_item(store)
    assert cli.main(["review", "show", str(item)]) == 0
    text = capsys.readouterr().out
    assert f"Participant   : '-Léa '{FORMULA}" in text
    assert "Id. externe   : '@1234567" in text
    assert cli.main(["review", "show", str(item), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["participant"] == {
        "first_name": "'-Léa",
        "last_name": "'" + FORMULA,
        "external_id": "'@1234567",
    }
    assert formula_texts(shown) == []
    assert cli.main(["review", "list", "--json"]) == 0
    assert formula_texts(json.loads(capsys.readouterr().out)) == []
    # The store keeps what was typed, for matching and for carrying out a resolution.
    assert store.reviews.get(item).last_name == FORMULA


def test_quarantine_list_shows_formula_cells_with_their_guard(
    store: SqlStateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row quarantined for its formula cells: the listing (JSON and table) guards them, the
    header used as a key included."""
    header = changed(HEADER, dossier="'=N° dossier")
    row = changed(LEA, dossier="12\x0734", maitrise="'=1+2")
    (bad,) = read_export(build([row], header)).records
    assert isinstance(bad, InvalidParticipation)
    store.put_quarantine(bad, datetime.now(UTC))
    assert cli.main(["quarantine", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 1 and formula_texts(listed) == []
    assert listed[0]["reason"] == "'=N° dossier holds control characters"
    assert "'=N° dossier" in listed[0]["record"]
    assert cli.main(["quarantine", "list"]) == 0
    table = capsys.readouterr().out
    assert "| =" not in table and "| -" not in table


def test_the_dry_run_plan_guards_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    report = RunReport(run_id="r1", dry_run=True)
    report.planned.append(
        PlannedWrite(1, 77, "=STRUCT", 1000021, 501, date(2026, 3, 12), Nature.ATELIER, "c", "=ev")
    )
    report.skipped_structures["+CODE"] = "-why"
    print_plan(report)
    out = capsys.readouterr().out
    assert "'=STRUCT" in out and "'=ev" in out and "Structure '+CODE skipped: '-why" in out
