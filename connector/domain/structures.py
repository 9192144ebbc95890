"""What it means when I-Milo does not know a structure code, and which cursors may move."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from datetime import datetime

__all__ = ["UnknownStructure", "cursors_to_advance", "unknown_structure"]


class UnknownStructure(enum.Enum):
    MAPPING_ERROR = "mapping_error"  # an admin mapped an organisation to it: to fix
    NOT_A_MISSION_LOCALE = "not_a_mission_locale"  # only a Pix externalId says so


def unknown_structure(mapped_by_an_admin: bool) -> UnknownStructure:
    """A structure code I-Milo does not know. An admin's mapping to it is an error to fix; a
    Pix ``externalId`` that is no I-Milo code (Pix organisations also serve schools and other
    partners) only means the organisation is not a Mission Locale."""
    if mapped_by_an_admin:
        return UnknownStructure.MAPPING_ERROR
    return UnknownStructure.NOT_A_MISSION_LOCALE


def cursors_to_advance(
    newest: Mapping[int, datetime | None], failed_campaigns: Collection[int]
) -> dict[int, datetime]:
    """Each campaign's cursor moves past the records durably handled, and no further: not at
    all for a campaign that had a failure (its records are read again), nor for one that
    brought nothing."""
    return {
        campaign_id: moment
        for campaign_id, moment in newest.items()
        if campaign_id not in failed_campaigns and moment is not None
    }
