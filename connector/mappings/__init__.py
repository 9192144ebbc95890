"""The admin-edited YAML mappings: which organisation is which structure, how to read each
campaign, the run's defaults, and I-Milo's codes. Validated strictly, with line numbers."""

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
    "DEFAULT_COMMENT",
    "CampaignDefaults",
    "CampaignMapping",
    "ClosedPolicy",
    "DateSource",
    "ImiloCodes",
    "Mappings",
    "MappingsError",
    "load_mappings",
]
