"""The admin-edited YAML mappings: which organisation is which structure, how to read each
campaign, the run's defaults, I-Milo's codes, and who sees which structure in the web console.
Validated strictly, with line numbers."""

from connector.mappings.console_access import CONSOLE_FILE, load_console_access
from connector.mappings.loader import MappingsError, load_mappings
from connector.mappings.model import (
    DEFAULT_COMMENT,
    CampaignDefaults,
    CampaignMapping,
    ClosedPolicy,
    DateSource,
    ImiloCodes,
    Mappings,
)

__all__ = [
    "CONSOLE_FILE",
    "DEFAULT_COMMENT",
    "CampaignDefaults",
    "CampaignMapping",
    "ClosedPolicy",
    "DateSource",
    "ImiloCodes",
    "Mappings",
    "MappingsError",
    "load_console_access",
    "load_mappings",
]
