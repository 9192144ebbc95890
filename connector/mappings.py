"""The admin-edited YAML mappings, read with line numbers and validated strictly.

Every problem is reported as ``FILE:LINE: message``; an unknown key is an error with a
"did you mean" hint, because a silently ignored typo would send results to the wrong place.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from connector.domain.model import DiagnosticType, Modality
from connector.errors import ConfigurationError

__all__ = ["CampaignMapping", "Mappings", "MappingsError", "load_mappings"]

ORGANISATIONS_FILE = "organisations.yaml"
CAMPAIGNS_FILE = "campaigns.yaml"
_CAMPAIGN_KEYS = ("modality", "diagnostic", "ignore")


class MappingsError(ConfigurationError):
    """One or more mapping files are invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid mappings:\n" + "\n".join(problems))


@dataclass(frozen=True, slots=True)
class CampaignMapping:
    modality: Modality = Modality.INDIVIDUAL
    diagnostic: DiagnosticType | None = None
    ignore: bool = False


@dataclass(frozen=True, slots=True)
class Mappings:
    organisations: dict[int, str] = field(default_factory=dict)
    campaigns: dict[str, CampaignMapping] = field(default_factory=dict)

    def structure_code(self, organisation_id: int, external_id: str | None) -> str | None:
        """The mapping overrides the organisation's own ``externalId``."""
        return self.organisations.get(organisation_id) or external_id

    def campaign(self, code: str) -> CampaignMapping:
        return self.campaigns.get(code, CampaignMapping())


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.lines.append(f"{self.file}:{line}: {message}")


def _line_of(node: Any, key: Any) -> int:
    try:
        return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return int(getattr(getattr(node, "lc", None), "line", 0) or 0) + 1


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _load(path: Path, problems: _Problems) -> Any:
    if not path.exists():
        return None
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.add(line, f"not valid YAML: {getattr(error, 'problem', None) or 'syntax error'}")
    except UnicodeDecodeError:
        problems.add(1, "not UTF-8 text")
    return None


def _section(document: Any, name: str, problems: _Problems) -> dict[Any, Any]:
    if document is None:
        return {}
    if not isinstance(document, dict):
        problems.add(1, f"expected a mapping with a '{name}:' section")
        return {}
    for key in document:
        if key != name:
            problems.add(
                _line_of(document, key), f"unknown key '{key}'{_suggest(str(key), (name,))}"
            )
    section = document.get(name)
    if section is None:
        return {}
    if not isinstance(section, dict):
        problems.add(_line_of(document, name), f"'{name}' must be a mapping")
        return {}
    return section


def _organisations(path: Path, problems: _Problems) -> dict[int, str]:
    section = _section(_load(path, problems), "organisations", problems)
    result: dict[int, str] = {}
    for key, value in section.items():
        line = _line_of(section, key)
        text_key = str(key).strip()
        if isinstance(key, bool) or not text_key.isdigit():
            problems.add(line, f"organisation id must be a Pix organisation number (got '{key}')")
            continue
        if not isinstance(value, str) or not value.strip():
            problems.add(line, f"organisation {key}: the structure code must be non-empty text")
            continue
        result[int(text_key)] = value.strip()
    return result


def _enum_value(
    value: Any, kind: type[Modality] | type[DiagnosticType], name: str, line: int, p: _Problems
) -> Any:
    choices = tuple(member.value for member in kind)
    if value in choices:
        return kind(value)
    p.add(line, f"{name} must be one of {', '.join(choices)} (got '{value}')")
    return None


def _campaigns(path: Path, problems: _Problems) -> dict[str, CampaignMapping]:
    section = _section(_load(path, problems), "campaigns", problems)
    result: dict[str, CampaignMapping] = {}
    for code, settings in section.items():
        line = _line_of(section, code)
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            problems.add(line, f"campaign {code}: expected a mapping of settings")
            continue
        for key in settings:
            if key not in _CAMPAIGN_KEYS:
                problems.add(
                    _line_of(settings, key),
                    f"campaign {code}: unknown key '{key}'{_suggest(str(key), _CAMPAIGN_KEYS)}",
                )
        modality, diagnostic, ignore = Modality.INDIVIDUAL, None, False
        if "modality" in settings:
            found = _enum_value(
                settings["modality"], Modality, "modality", _line_of(settings, "modality"), problems
            )
            modality = found or modality
        if "diagnostic" in settings:
            diagnostic = _enum_value(
                settings["diagnostic"],
                DiagnosticType,
                "diagnostic",
                _line_of(settings, "diagnostic"),
                problems,
            )
        if "ignore" in settings:
            if isinstance(settings["ignore"], bool):
                ignore = settings["ignore"]
            else:
                problems.add(
                    _line_of(settings, "ignore"),
                    f"ignore must be true or false (got '{settings['ignore']}')",
                )
        result[str(code).strip()] = CampaignMapping(modality, diagnostic, ignore)
    return result


def load_mappings(directory: Path) -> Mappings:
    """Read and validate every mapping file; raise ``MappingsError`` listing all problems."""
    if not directory.is_dir():
        raise ConfigurationError(
            f"CONNECTOR_MAPPINGS_DIR: '{directory}' is not a directory "
            "(point it at the folder holding organisations.yaml and campaigns.yaml)"
        )
    org_problems = _Problems(ORGANISATIONS_FILE)
    campaign_problems = _Problems(CAMPAIGNS_FILE)
    organisations = _organisations(directory / ORGANISATIONS_FILE, org_problems)
    campaigns = _campaigns(directory / CAMPAIGNS_FILE, campaign_problems)
    problems = org_problems.lines + campaign_problems.lines
    if problems:
        raise MappingsError(problems)
    return Mappings(organisations=organisations, campaigns=campaigns)
