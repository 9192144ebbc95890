"""Reads ``console.yaml``: who may see which structure in the web console.

``{admins: [<e-mail or group>…], structures: {<structure code>: [<e-mail or group>…]}}``.
An entry with ``@`` is an e-mail, any other a group (an ID-token claim value). The file is
optional: absent, nobody may use the console. It is read like the other mapping files
(``yaml_files``: same limits, problems as ``console.yaml:LINE: message``); an entry is never
quoted in a problem, since it may be someone's e-mail: its line says which it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connector.domain.access import ConsoleAccess, principal
from connector.domain.structure_codes import structure_code_problem
from connector.errors import ConfigurationError
from connector.mappings.loader import MappingsError
from connector.mappings.yaml_files import MappingFile, line_of

__all__ = ["CONSOLE_FILE", "load_console_access"]

CONSOLE_FILE = "console.yaml"
_KEYS = ("admins", "structures")


def _entries(file: MappingFile, parent: Any, key: Any, what: str) -> frozenset[str]:
    """A list of e-mails or groups, each checked: text, not empty, not given twice."""
    value = parent[key]
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        file.add(line_of(parent, key), f"{what} must be a list of e-mails or groups")
        return frozenset()
    found: dict[str, int] = {}
    for index, entry in enumerate(value):
        line = line_of(value, index)
        if not isinstance(entry, str):
            file.add(
                line,
                f"{what}: an entry must be an e-mail or a group name, as text ({_kind(entry)})",
            )
            continue
        compared = principal(entry)
        if not compared:
            file.add(line, f"{what}: an entry is empty; expected an e-mail or a group name")
        elif compared in found:
            file.add(line, f"{what}: an entry is given twice (first on line {found[compared]})")
        else:
            found[compared] = line
    return frozenset(found)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "another kind of value"


def _structures(file: MappingFile, raw: Any, document: dict[str, Any]) -> dict[str, frozenset[str]]:
    section = file.mapping(raw, "structures", document.get("structures"))
    result: dict[str, frozenset[str]] = {}
    first_lines: dict[str, int] = {}
    for key in section:
        line = line_of(section, key)
        code = key.strip() if isinstance(key, str) else key
        problem = structure_code_problem(code)
        if problem is not None:
            # The key is not quoted: it may be anything.
            file.add(line, f"structures: a key is not an I-Milo structure code: {problem}")
            continue
        if code in first_lines:
            file.add(line, f"structures: {code} is given twice (first on line {first_lines[code]})")
            continue
        first_lines[code] = line
        result[code] = _entries(file, section, key, f"structures: {code}")
    return result


def _console(file: MappingFile) -> ConsoleAccess:
    raw = file.load()  # kept for the sections' line numbers
    document = file.sections(raw, _KEYS)
    admins = _entries(file, raw, "admins", "admins") if "admins" in document else frozenset()
    return ConsoleAccess(admins=admins, structures=_structures(file, raw, document))


def _line_number(problem: str) -> int:
    return int(problem.split(":", 2)[1])


def load_console_access(directory: Path) -> ConsoleAccess:
    """Read and validate ``console.yaml``; raise ``MappingsError`` listing all its problems.

    An absent file means nobody may use the console.
    """
    if not directory.is_dir():
        raise ConfigurationError(
            f"CONNECTOR_MAPPINGS_DIR: '{directory}' is not a directory "
            "(point it at the folder holding console.yaml)"
        )
    file = MappingFile(directory, CONSOLE_FILE)
    access = ConsoleAccess()
    try:
        access = _console(file)
    except RecursionError:
        file.add(1, "not usable: nested too deeply")
    except Exception as error:  # the file's text stays out of the message
        file.add(1, f"could not be checked ({type(error).__name__})")
    if file.problems:
        raise MappingsError(sorted(file.problems, key=_line_number))
    return access
