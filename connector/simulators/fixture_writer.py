"""Writing a simulator fixture directory: the files ``fixtures.py`` reads, and no others.

One writer for every producer of fixtures (the matcher benchmark's generator, the demo data
script, the tests' scenario), so that what they write is what the simulators load::

    write_fixtures(directory, {"pix/participations.json": [...], "imilo/dossiers.json": [...]})

Files are named by their path relative to the fixture directory (``FIXTURE_FILES``); a name
the simulators do not read is refused. Of a system given some of its files, the others are
written as empty arrays, so that no stale file from an earlier run is left to be read.

Two layouts, both UTF-8 with the characters as they are (no ``\\u`` escapes):

- ``indent=None`` (the default): one item per line, ``[`` and ``]`` on their own lines,
  readable, diffable and fast to write for large data sets;
- ``indent=N``: ``json.dumps(rows, indent=N)``, for small hand-read data sets.

Both end with a newline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from connector.simulators.fixtures import FIXTURE_FILES, IMILO_FILES, PIX_FILES

__all__ = ["FIXTURE_FILES", "IMILO_FILES", "PIX_FILES", "write_array", "write_fixtures"]


def write_array(path: Path, rows: Sequence[Any], *, indent: int | None = None) -> None:
    """One JSON array file, in one of the two layouts (see the module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        if indent is not None:
            out.write(json.dumps(rows, ensure_ascii=False, indent=indent) + "\n")
            return
        out.write("[" if rows else "[]\n")
        for i, row in enumerate(rows):
            out.write(",\n" if i else "\n")
            out.write(json.dumps(row, ensure_ascii=False))
        if rows:
            out.write("\n]\n")


def write_fixtures(
    directory: str | Path,
    files: Mapping[str, Sequence[Any]],
    *,
    indent: int | None = None,
) -> list[Path]:
    """Write ``files`` (relative path → rows) under ``directory``; return the paths written.

    Raise ValueError for a name the simulators do not read. Every other file of a system
    (``pix/`` or ``imilo/``) some of whose files are given is written as an empty array.
    """
    unknown = sorted(set(files) - set(FIXTURE_FILES))
    if unknown:
        raise ValueError(f"not a simulator fixture file: {', '.join(unknown)}")
    systems = [names for names in (PIX_FILES, IMILO_FILES) if any(n in files for n in names)]
    base = Path(directory)
    written = []
    for names in systems:
        for name in names:
            path = base / name
            write_array(path, files.get(name, ()), indent=indent)
            written.append(path)
    return written
