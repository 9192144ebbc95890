"""A mapping file read safely, with line numbers (ruamel.yaml): the limits it must keep, the
YAML it must be, and its problems, each as ``FILE:LINE: message``.

Only a regular file under ``MAX_FILE_BYTES`` is opened (a FIFO would block), with lines of at
most ``MAX_LINE_CHARS``; aliases stay few (``MAX_ALIASES``) and small (``MAX_EXPANDED_VALUES``
values once expanded, against "billion laughs"). YAML errors are reported by position and
kind, never with the file's text, and a link to a file outside the folder never has its text
quoted in a message.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import YAMLError

__all__ = ["MAX_ALIASES", "MAX_EXPANDED_VALUES", "MAX_FILE_BYTES", "MAX_LINE_CHARS"]
__all__ += ["MappingFile", "line_of"]

# A mapping file is a regular file under 1 MB, and its aliases stay few and small.
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 10_000
MAX_ALIASES = 100
MAX_EXPANDED_VALUES = 100_000
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


class MappingFile:
    """One mapping file being read: its problems, each with its line."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.path = directory / name
        self.problems: list[str] = []
        # A link to a file outside the folder: its text is never quoted in a message.
        self.foreign = False

    def add(self, line: int, message: str) -> None:
        if self.foreign:
            message = _QUOTED.sub("…", message)
        self.problems.append(f"{self.name}:{line}: {message}")

    def load(self) -> Any:
        """The file's YAML document, or None (a problem is added if it cannot be used).

        Only a regular file under ``MAX_FILE_BYTES`` is opened (a FIFO would block); YAML
        errors are reported by position and kind, never with the file's text.
        """
        text = self._read()
        if text is None:
            return None
        try:
            document = YAML(typ="rt").load(text)
        except YAMLError as error:
            self.add(*_yaml_problem(error))
            return None
        except RecursionError:
            self.add(1, "not usable: nested too deeply")
            return None
        except Exception as error:  # any parser failure is one problem, no traceback
            self.add(1, f"not valid YAML ({type(error).__name__})")
            return None
        try:
            _check_expansion(document)
        except _TooLarge as error:
            self.add(error.line, error.message)
            return None
        except RecursionError:
            self.add(1, "not usable: nested too deeply")
            return None
        return document

    def _read(self) -> str | None:
        try:
            os.lstat(self.path)
        except FileNotFoundError:
            return None  # a missing file means its defaults
        except OSError as error:
            self.add(1, f"cannot be read ({os.strerror(error.errno or 0)})")
            return None
        try:
            real = Path(os.path.realpath(self.path))
            self.foreign = real.parent != Path(os.path.realpath(self.path.parent))
            info = os.stat(self.path)
            if not stat.S_ISREG(info.st_mode):
                self.add(1, "not a regular file (a folder, a pipe or a device); expected YAML")
                return None
            if info.st_size >= MAX_FILE_BYTES:
                self.add(1, "too large: a mapping file must be under 1 MB")
                return None
            descriptor = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            try:
                if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                    self.add(1, "not a regular file (a folder, a pipe or a device); expected YAML")
                    return None
                with os.fdopen(descriptor, "rb", closefd=False) as stream:
                    data = stream.read(MAX_FILE_BYTES)
            finally:
                os.close(descriptor)
        except FileNotFoundError:
            self.add(1, "a link to a file that does not exist")
            return None
        except OSError as error:
            self.add(1, f"cannot be read ({os.strerror(error.errno or 0)})")
            return None
        if len(data) >= MAX_FILE_BYTES:
            self.add(1, "too large: a mapping file must be under 1 MB")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.add(data[: error.start].count(b"\n") + 1, "not UTF-8 text")
            return None
        for number, line in enumerate(text.split("\n"), 1):
            if len(line) > MAX_LINE_CHARS:  # the YAML reader slows down on very long lines
                self.add(number, f"line too long (more than {MAX_LINE_CHARS} characters)")
                return None
        return text

    def sections(self, document: Any, allowed: Sequence[str]) -> dict[str, Any]:
        """The document's top-level sections; unknown ones are reported."""
        if document is None:
            return {}
        if not isinstance(document, dict):
            self.add(1, f"expected a mapping with sections {', '.join(allowed)}")
            return {}
        for key in document:
            if key not in allowed:
                self.unknown(document, key, allowed)
        return {k: document[k] for k in allowed if k in document}

    def mapping(self, parent: Any, key: str, value: Any) -> dict[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(line_of(parent, key), f"'{key}' must be a mapping")
            return {}
        return value

    def unknown(self, node: Any, key: Any, allowed: Sequence[str], where: str = "") -> None:
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.add(line_of(node, key), f"{where}unknown key '{key}'{hint}")

    def choice(self, node: Any, key: str, choices: Sequence[str]) -> str | None:
        value = node[key]
        if value in choices:
            return str(value)
        self.add(line_of(node, key), f"{key} must be one of {', '.join(choices)} (got '{value}')")
        return None


def _yaml_problem(error: YAMLError) -> tuple[int, str]:
    """Position and kind of a YAML error, without the quoted text of the file."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    if isinstance(error, DuplicateKeyError):
        first = getattr(error, "context_mark", None)
        where = f" (first on line {first.line + 1})" if first is not None else ""
        return line, f"a key is given twice{where}"
    problem = str(getattr(error, "problem", None) or "syntax error")
    problem = _QUOTED.sub("…", problem)
    column = f" at column {mark.column + 1}" if mark is not None else ""
    return line, f"not valid YAML{column}: {problem}"


class _TooLarge(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _check_expansion(document: Any) -> None:
    """Refuse many aliases, or aliases that expand to a huge document ("billion laughs").

    Aliases load as shared objects: the sizes are counted once per object, so this walk
    stays as small as the file.
    """
    sizes: dict[int, int] = {}
    walking: set[int] = set()
    aliases = 0

    def size(node: Any) -> int:
        nonlocal aliases
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes or key in walking:
            aliases += 1
            if key in walking:
                raise _TooLarge(_line(node), "an alias refers to the value that holds it")
            if aliases > MAX_ALIASES:
                raise _TooLarge(_line(node), f"more than {MAX_ALIASES} aliases (*name)")
            return sizes[key]
        walking.add(key)
        total = 1
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_VALUES:
                raise _TooLarge(
                    _line(node), f"aliases expand to more than {MAX_EXPANDED_VALUES} values"
                )
        walking.discard(key)
        sizes[key] = total
        return total

    size(document)


def _line(node: Any) -> int:
    return int(getattr(getattr(node, "lc", None), "line", 0) or 0) + 1


def line_of(node: Any, key: Any) -> int:
    try:
        return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return int(getattr(getattr(node, "lc", None), "line", 0) or 0) + 1
