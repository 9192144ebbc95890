"""What an I-Milo structure code looks like, checked wherever a code comes in.

The rule: **2 to 16 characters, each a capital letter A–Z or a digit 0–9** (ASCII only), as
``STRUCTURE_CODE`` spells it. Real codes are 8 characters: a department (``65``, ``974``,
``2A``), a commune or office number and a suffix, e.g. ``65440S00``, ``2A004S00``,
``97411S00``. The rule is looser than that shape (other codes, e.g. ``0750001X``, are seen) but
tight enough for what matters:

- a code is put in the path of I-Milo requests (``structures/{code}/…``) and in the store's
  keys: with letters and digits only it cannot carry ``/``, ``..``, ``?``, ``#``, ``%``, spaces
  or control characters, so it can never send a request, API key included, to another route;
- 16 characters stay within the store's ``structure_code`` column (20);
- capitals only, because I-Milo writes its codes in capitals: ``65440s00`` would name no
  structure, and would be a second key for the same one in the ledger and the review queue.

It applies to the mappings (``organisations.yaml``, ``imilo.yaml`` ``timezones:``), to the
``externalId`` of a Pix organisation used as its code, and to the ``--structure`` options.
A value that breaks it may be anything, hostile or personal: a problem describes it by its
length and kind of character, never by its text.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "RULE",
    "STRUCTURE_CODE",
    "is_structure_code",
    "structure_code_problem",
]

MIN_LENGTH = 2
MAX_LENGTH = 16
STRUCTURE_CODE = re.compile(rf"[0-9A-Z]{{{MIN_LENGTH},{MAX_LENGTH}}}")
STRUCTURE_CODE_CHARACTERS = re.compile(r"[0-9A-Z]*")
RULE = f"{MIN_LENGTH} to {MAX_LENGTH} capitals A-Z and digits 0-9, e.g. 65440S00"


def is_structure_code(text: object) -> bool:
    """Whether ``text`` is an I-Milo structure code, as it stands (no trimming)."""
    return isinstance(text, str) and STRUCTURE_CODE.fullmatch(text) is not None


def structure_code_problem(text: object) -> str | None:
    """None for a valid code, else what is wrong with it, without quoting it."""
    if is_structure_code(text):
        return None
    if not isinstance(text, str):
        return f"not text ({_kind(text)}); expected {RULE}"
    if not text:
        return f"empty; expected {RULE}"
    problems = []
    if len(text) > MAX_LENGTH:
        problems.append(f"{len(text)} characters long, at most {MAX_LENGTH}")
    elif len(text) < MIN_LENGTH:
        problems.append(f"{len(text)} character long, at least {MIN_LENGTH}")
    if STRUCTURE_CODE_CHARACTERS.fullmatch(text) is None:
        problems.append(_wrong_characters(text))
    return f"{', '.join(problems)}; expected {RULE}"


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number; quote a code made of digits only"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "another kind of value"


def _wrong_characters(text: str) -> str:
    """The kinds of character that do not belong in a code, in a fixed order."""
    kinds = []
    if any(c.isascii() and c.islower() for c in text):
        kinds.append("lowercase letters")
    if any(c.isspace() for c in text):
        kinds.append("spaces")
    if any(not c.isascii() and not c.isspace() for c in text):
        kinds.append("characters outside ASCII")
    if any(c.isascii() and not c.isalnum() and not c.isspace() for c in text):
        kinds.append("punctuation or control characters")
    return "has " + ", ".join(kinds) if kinds else "has characters other than A-Z and 0-9"
