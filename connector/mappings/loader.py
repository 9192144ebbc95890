"""Reads the mapping files and validates them strictly into ``Mappings``.

Each file is read safely, with line numbers, by ``yaml_files``; here its documents become
organisations, campaigns, defaults and I-Milo's codes. Every problem is reported as
``FILE:LINE: message``; an unknown key is an error with a "did you mean" hint, because a
silently ignored typo would send results to the wrong place.
"""

from __future__ import annotations

import difflib
import string
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from connector.domain.model import DiagnosticType, ExternalIdKind, Modality
from connector.domain.structure_codes import structure_code_problem
from connector.domain.timezones import is_valid_timezone
from connector.errors import ConfigurationError
from connector.imilo.codes import DEFAULT_STATUS_LABELS
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
from connector.mappings.yaml_files import (
    MAX_ALIASES,
    MAX_EXPANDED_VALUES,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MappingFile,
    line_of,
)

__all__ = ["MAPPING_FILES", "MappingsError", "load_mappings"]
# The limits of a mapping file, read where they are kept (yaml_files).
__all__ += ["MAX_ALIASES", "MAX_EXPANDED_VALUES", "MAX_FILE_BYTES", "MAX_LINE_CHARS"]

ORGANISATIONS_FILE = "organisations.yaml"
CAMPAIGNS_FILE = "campaigns.yaml"
IMILO_FILE = "imilo.yaml"
MAPPING_FILES = (ORGANISATIONS_FILE, CAMPAIGNS_FILE, IMILO_FILE)
_CAMPAIGN_KEYS = ("modality", "diagnostic", "ignore", "external_id")
_DEFAULTS_KEYS = ("realisation_date", "closed_prescription", "comment")
_IMILO_KEYS = ("statuts", "libelles", "natures", "offre", "timezones")
_T = TypeVar("_T")


class MappingsError(ConfigurationError):
    """One or more mapping files are invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid mappings:\n" + "\n".join(problems))


def _given_twice(
    file: MappingFile, first_lines: dict[Any, int], key: Any, line: int, what: str
) -> bool:
    """Whether ``key`` (trimmed, or read as a number) was given earlier in the section: then
    it is reported at ``line``, naming the first one's line."""
    if key in first_lines:
        file.add(line, f"{what} is given twice (first on line {first_lines[key]})")
        return True
    first_lines[key] = line
    return False


def _organisations(file: MappingFile) -> dict[int, str]:
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


def _campaign(file: MappingFile, section: Any, code: Any) -> CampaignMapping | None:
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


def _comment(file: MappingFile, node: Any) -> str | None:
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


def _defaults(file: MappingFile, node: Any) -> CampaignDefaults:
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


def _campaigns(file: MappingFile) -> tuple[dict[str, CampaignMapping], CampaignDefaults]:
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


def _codes(
    file: MappingFile, node: dict[Any, Any], known: dict[str, Any], what: str
) -> dict[Any, str]:
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


def _imilo(file: MappingFile) -> ImiloCodes:
    document = file.sections(file.load(), _IMILO_KEYS)
    statuses = _codes(
        file,
        file.mapping(document, "statuts", document.get("statuts")),
        DEFAULT_STATUS_CODES,
        "statuts",
    )
    labels = _codes(
        file,
        file.mapping(document, "libelles", document.get("libelles")),
        DEFAULT_STATUS_LABELS,
        "libelles",
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
    return ImiloCodes(
        statuses=statuses, labels=labels, natures=natures, offer_name=offer, timezones=timezones
    )


def _timezones(file: MappingFile, node: dict[Any, Any]) -> dict[str, str]:
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


def _guarded(file: MappingFile, read: Callable[[MappingFile], _T], empty: _T) -> _T:
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
    files = {name: MappingFile(directory, name) for name in MAPPING_FILES}
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
