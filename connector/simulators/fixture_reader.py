"""Reading fixture JSON arrays with typed field access and errors that name file and item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["FixtureError", "FixtureItem", "check_unique", "items", "read_array"]


class FixtureError(Exception):
    """A fixture file is unreadable or malformed; the message names the file and the problem."""


def read_array(path: Path) -> list[Any]:
    """The JSON array in ``path``; an absent file is an empty list."""
    if not path.exists():
        return []
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(value, list):
        raise FixtureError(f"{path}: expected a JSON array, got {type(value).__name__}")
    return value


class FixtureItem:
    """One object of a fixture array, with typed field access that reports where it failed."""

    def __init__(self, where: str, raw: Any) -> None:
        self._where = where
        if not isinstance(raw, dict):
            raise FixtureError(f"{self._where}: expected an object, got {type(raw).__name__}")
        self._raw: dict[str, Any] = raw

    def _fail(self, key: str, expected: str) -> FixtureError:
        return FixtureError(f"{self._where}: field '{key}' must be {expected}")

    def int_(self, key: str) -> int:
        value = self._raw.get(key)
        # bool is an int subclass; a `true` id is a fixture mistake.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer")
        return value

    def str_(self, key: str) -> str:
        value = self._raw.get(key)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self._raw.get(key)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string or null")
        return value

    def str_list(self, key: str) -> list[str]:
        value = self._raw.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return list(value)

    def int_list(self, key: str) -> list[int]:
        value = self._raw.get(key)
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise self._fail(key, "a list of integers")
        return list(value)

    def opt_object(self, key: str) -> FixtureItem | None:
        value = self._raw.get(key)
        if value is None:
            return None
        return FixtureItem(f"{self._where}, field '{key}'", value)


def items(path: Path) -> list[FixtureItem]:
    return [FixtureItem(f"{path}: item {i}", raw) for i, raw in enumerate(read_array(path))]


def check_unique(path: Path, ids: list[Any], name: str) -> None:
    """Duplicate keys would make lookups silently pick one record; refuse them up front."""
    seen: set[Any] = set()
    for value in ids:
        if value in seen:
            raise FixtureError(f"{path}: duplicate {name} {value!r}")
        seen.add(value)
