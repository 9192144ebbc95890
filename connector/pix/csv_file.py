"""A Pix Orga CSV export as a file: read safely, then split into records with their lines.

One file holds one campaign's results: UTF-8 with a BOM, ``;``-separated. A file-level
problem raises ``CsvExportError``, whose message names the file, the line or the limit, never
a cell's content.

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
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat

from connector.errors import UsageError

__all__ = ["MAX_EXPORT_BYTES", "MAX_EXPORT_MB", "CsvExportError", "export_records", "export_text"]

# The largest export read (see the module's docstring): 50 MB.
MAX_EXPORT_MB = 50
MAX_EXPORT_BYTES = MAX_EXPORT_MB * 1024 * 1024

_LINE_BREAK = re.compile(r"[\r\n]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CsvExportError(UsageError):
    """The file as a whole cannot be read; the message says why, without personal data."""


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


def export_text(source: str | bytes | os.PathLike[str]) -> tuple[str, str | None]:
    """The export's text, and the file's name (as messages show it) when it is read from a
    file. A ``str`` is the file's text if it looks like CSV (or is blank), otherwise a path;
    a ``Path`` is never mistaken. Anything over ``MAX_EXPORT_BYTES`` is refused."""
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


def export_records(text: str, name: str | None) -> list[tuple[int, list[str]]]:
    """The non-blank records of the export's ``text``, each with the line it starts on
    (the header first); quoting checked strictly (see the module's docstring). ``name`` is
    the file's, for messages, or None for text given as such."""
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
