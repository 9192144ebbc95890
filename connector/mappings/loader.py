"""Reads the mapping files with line numbers (ruamel.yaml) and validates them strictly.

Every problem is reported as ``FILE:LINE: message``; an unknown key is an error with a
"did you mean" hint, because a silently ignored typo would send results to the wrong place.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import string
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import YAMLError

from connector.domain.model import DiagnosticType, ExternalIdKind, Modality
from connector.domain.structure_codes import structure_code_problem
from connector.domain.timezones import is_valid_timezone
from connector.errors import ConfigurationError
from connector.mappings.model import (
    COMMENT_PLACEHOLDERS,
    DEFAULT_NATURE_CODES,
    DEFAULT_STATUS_CODES,
    CampaignDefaults,
    CampaignMapping,
    ClosedPolicy,
    DateSource,
    ImiloCodes,
    Mappings,
)

__all__ = ["MAPPING_FILES", "MappingsError", "load_mappings"]

ORGANISATIONS_FILE = "organisations.yaml"
CAMPAIGNS_FILE = "campaigns.yaml"
IMILO_FILE = "imilo.yaml"
MAPPING_FILES = (ORGANISATIONS_FILE, CAMPAIGNS_FILE, IMILO_FILE)
_CAMPAIGN_KEYS = ("modality", "diagnostic", "ignore", "external_id")
_DEFAULTS_KEYS = ("realisation_date", "closed_prescription", "comment")
_IMILO_KEYS = ("statuts", "natures", "offre", "timezones")
_T = TypeVar("_T")
# A mapping file is a regular file under 1 MB, and its aliases stay few and small.
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 10_000
MAX_ALIASES = 100
MAX_EXPANDED_VALUES = 100_000
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


class MappingsError(ConfigurationError):
    """One or more mapping files are invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid mappings:\n" + "\n".join(problems))


class _File:
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


def _given_twice(file: _File, first_lines: dict[Any, int], key: Any, line: int, what: str) -> bool:
    """Whether ``key`` (trimmed, or read as a number) was given earlier in the section: then
    it is reported at ``line``, naming the first one's line."""
    if key in first_lines:
        file.add(line, f"{what} is given twice (first on line {first_lines[key]})")
        return True
    first_lines[key] = line
    return False


def _organisations(file: _File) -> dict[int, str]:
    document = file.sections(file.load(), ("organisations",))
    section = file.mapping(document, "organisations", document.get("organisations"))
    result: dict[int, str] = {}
    first_lines: dict[int, int] = {}
    for key, value in section.items():
        line = line_of(section, key)
        text_key = str(key).strip()
        if isinstance(key, bool) or not text_key.isdigit():
            file.add(line, f"organisation id must be a Pix organisation number (got '{key}')")
            continue
        number = int(text_key)
        if _given_twice(file, first_lines, number, line, f"organisation {number}"):
            continue
        if not isinstance(value, str) or not value.strip():
            file.add(line, f"organisation {key}: the structure code must be non-empty text")
            continue
        problem = structure_code_problem(value.strip())
        if problem is not None:
            file.add(
                line, f"organisation {number}: the value is not an I-Milo structure code: {problem}"
            )
            continue
        result[int(text_key)] = value.strip()
    return result


def _campaign(file: _File, section: Any, code: Any) -> CampaignMapping | None:
    settings = section[code]
    if settings is None:
        return CampaignMapping()
    if not isinstance(settings, dict):
        file.add(line_of(section, code), f"campaign {code}: expected a mapping of settings")
        return None
    for key in settings:
        if key not in _CAMPAIGN_KEYS:
            file.unknown(settings, key, _CAMPAIGN_KEYS, f"campaign {code}: ")
    modality, diagnostic, ignore = Modality.INDIVIDUAL, None, False
    if "modality" in settings:
        chosen = file.choice(settings, "modality", [m.value for m in Modality])
        modality = Modality(chosen) if chosen else modality
    if "diagnostic" in settings:
        chosen = file.choice(settings, "diagnostic", [d.value for d in DiagnosticType])
        diagnostic = DiagnosticType(chosen) if chosen else None
    if "ignore" in settings:
        if isinstance(settings["ignore"], bool):
            ignore = settings["ignore"]
        else:
            file.add(
                line_of(settings, "ignore"),
                f"ignore must be true or false (got '{settings['ignore']}')",
            )
    external_id = None
    if "external_id" in settings:
        chosen = file.choice(settings, "external_id", [k.value for k in ExternalIdKind])
        external_id = ExternalIdKind(chosen) if chosen else None
    return CampaignMapping(modality, diagnostic, ignore, external_id)


def _comment(file: _File, node: Any) -> str | None:
    template = node["comment"]
    line = line_of(node, "comment")
    if not isinstance(template, str) or not template.strip():
        file.add(line, "comment must be non-empty text")
        return None
    try:
        fields = [f for _, f, spec, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        file.add(line, "comment: unbalanced { or } (write {{ or }} for a brace)")
        return None
    for name in fields:
        if name not in COMMENT_PLACEHOLDERS:
            close = difflib.get_close_matches(name, COMMENT_PLACEHOLDERS, n=1)
            hint = f" (did you mean '{{{close[0]}}}'?)" if close else ""
            allowed = ", ".join("{" + p + "}" for p in COMMENT_PLACEHOLDERS)
            file.add(line, f"comment: unknown placeholder '{{{name}}}'{hint}; use {allowed}")
            return None
    return template


def _defaults(file: _File, node: Any) -> CampaignDefaults:
    if not node:
        return CampaignDefaults()
    for key in node:
        if key not in _DEFAULTS_KEYS:
            file.unknown(node, key, _DEFAULTS_KEYS, "defaults: ")
    found = CampaignDefaults()
    source, policy, comment = found.realisation_date, found.closed_prescription, found.comment
    if "realisation_date" in node:
        chosen = file.choice(node, "realisation_date", [d.value for d in DateSource])
        source = DateSource(chosen) if chosen else source
    if "closed_prescription" in node:
        chosen = file.choice(node, "closed_prescription", [p.value for p in ClosedPolicy])
        policy = ClosedPolicy(chosen) if chosen else policy
    if "comment" in node:
        comment = _comment(file, node) or comment
    return CampaignDefaults(source, policy, comment)


def _campaigns(file: _File) -> tuple[dict[str, CampaignMapping], CampaignDefaults]:
    document = file.sections(file.load(), ("defaults", "campaigns"))
    section = file.mapping(document, "campaigns", document.get("campaigns"))
    result: dict[str, CampaignMapping] = {}
    first_lines: dict[str, int] = {}
    for code in section:
        name, line = str(code).strip(), line_of(section, code)
        if _given_twice(file, first_lines, name, line, f"campaign {name}"):
            continue
        mapping = _campaign(file, section, code)
        if mapping is not None:
            result[name] = mapping
    defaults = _defaults(file, file.mapping(document, "defaults", document.get("defaults")))
    return result, defaults


def _codes(file: _File, node: dict[Any, Any], known: dict[str, Any], what: str) -> dict[Any, str]:
    codes = {member: code for member, code in known.values()}
    for key, value in node.items():
        if key not in known:
            file.unknown(node, key, tuple(known), f"{what}: ")
        elif not isinstance(value, str) or not value.strip():
            file.add(line_of(node, key), f"{what}: {key} must be a non-empty code")
        else:
            codes[known[key][0]] = value.strip()
    if len(set(codes.values())) < len(codes):
        file.add(
            1 if not node else line_of(node, next(iter(node))), f"{what}: two entries share a code"
        )
    return codes


def _imilo(file: _File) -> ImiloCodes:
    document = file.sections(file.load(), _IMILO_KEYS)
    statuses = _codes(
        file,
        file.mapping(document, "statuts", document.get("statuts")),
        DEFAULT_STATUS_CODES,
        "statuts",
    )
    natures = _codes(
        file,
        file.mapping(document, "natures", document.get("natures")),
        DEFAULT_NATURE_CODES,
        "natures",
    )
    offer = ImiloCodes().offer_name
    if document.get("offre") is not None:
        value = document["offre"]
        if isinstance(value, str) and value.strip():
            offer = value.strip()
        else:
            file.add(line_of(document, "offre"), "offre must be the offer's name, as text")
    timezones = _timezones(file, file.mapping(document, "timezones", document.get("timezones")))
    return ImiloCodes(statuses=statuses, natures=natures, offer_name=offer, timezones=timezones)


def _timezones(file: _File, node: dict[Any, Any]) -> dict[str, str]:
    """``timezones:``: structure code → IANA zone, for structures whose zone neither I-Milo
    nor the code's department gives right."""
    zones: dict[str, str] = {}
    for key, value in node.items():
        line = line_of(node, key)
        code = key.strip() if isinstance(key, str) else key
        problem = structure_code_problem(code)
        if problem is not None:
            # The key is not quoted: it may be anything.
            file.add(line, f"timezones: a key is not an I-Milo structure code: {problem}")
            continue
        if not isinstance(value, str) or not value.strip():
            file.add(line, f"timezones: {code}: the zone must be an IANA name, e.g. Indian/Reunion")
            continue
        zone = value.strip()
        if not is_valid_timezone(zone):
            close = difflib.get_close_matches(zone, _known_zones(), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else " (e.g. Indian/Reunion)"
            file.add(line, f"timezones: {code}: unknown time zone '{zone}'{hint}")
            continue
        if code in zones:
            file.add(line, f"timezones: {code} is given twice")
            continue
        zones[code] = zone
    return zones


def _known_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _line_number(problem: str) -> int:
    return int(problem.split(":", 2)[1])


def _guarded(file: _File, read: Callable[[_File], _T], empty: _T) -> _T:
    """One file read and checked; an unexpected failure is one more problem, not a traceback."""
    try:
        return read(file)
    except RecursionError:
        file.add(1, "not usable: nested too deeply")
    except Exception as error:  # the file's text stays out of the message
        file.add(1, f"could not be checked ({type(error).__name__})")
    return empty


def load_mappings(directory: Path) -> Mappings:
    """Read and validate every mapping file; raise ``MappingsError`` listing all problems.

    A missing file means its defaults.
    """
    if not directory.is_dir():
        raise ConfigurationError(
            f"CONNECTOR_MAPPINGS_DIR: '{directory}' is not a directory "
            "(point it at the folder holding organisations.yaml and campaigns.yaml)"
        )
    files = {name: _File(directory, name) for name in MAPPING_FILES}
    organisations: dict[int, str] = _guarded(files[ORGANISATIONS_FILE], _organisations, {})
    no_campaigns: dict[str, CampaignMapping] = {}
    campaigns, defaults = _guarded(
        files[CAMPAIGNS_FILE], _campaigns, (no_campaigns, CampaignDefaults())
    )
    codes = _guarded(files[IMILO_FILE], _imilo, ImiloCodes())
    problems = [p for f in files.values() for p in sorted(f.problems, key=_line_number)]
    if problems:
        raise MappingsError(problems)
    return Mappings(
        organisations=organisations, campaigns=campaigns, defaults=defaults, imilo=codes
    )
