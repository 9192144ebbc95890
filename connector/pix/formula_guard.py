"""Pix's guard against spreadsheet formulas, taken off when a cell is read, put back on show.

Pix writes a ``'`` before any cell starting with ``- @ = +``. Cells are read without it
(``unguard``: names are matched as typed), so every output showing a value from a cell shows
it through ``guarded``, with the guard back.
"""

from __future__ import annotations

__all__ = ["guarded", "unguard"]

# What Pix guards with a leading quote.
_GUARDED = frozenset("-@=+")
# What a spreadsheet may take for a formula at the start of a cell (OWASP's list, and a line
# feed): ``guarded`` puts a quote before it.
_FORMULA_START = frozenset("=+-@\t\r\n")


def guarded(text: str) -> str:
    """``text`` safe to paste into a spreadsheet: with a leading ``'`` (Pix's guard) if it
    starts like a formula (``= + - @``, tab, CR or LF). Every output showing a value that
    came from a cell shows it so: ``'=cmd|…`` is text, ``=cmd|…`` would run."""
    return "'" + text if text[:1] in _FORMULA_START else text


def unguard(value: str) -> str:
    """A cell as typed: without the surrounding blanks and Pix's anti-formula quote."""
    value = value.strip()
    if len(value) >= 2 and value[0] == "'" and value[1] in _GUARDED:
        return value[1:]
    return value
