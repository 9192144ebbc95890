"""What a source of participations gives: a participation read whole, or one that could not
be read and goes to the quarantine. Each adapter (the partner API, a CSV export) builds
them; the run and the store only handle them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.domain.model import Participation

__all__ = ["InvalidParticipation", "ParticipationRecord"]


@dataclass(frozen=True, slots=True)
class InvalidParticipation:
    """A record that could not be read; ``key`` identifies it without personal data, and
    ``redacted`` keeps only what may be kept (see ``connector.pix.records.redact_record``)."""

    key: str
    campaign_id: int
    reason: str
    redacted: dict[str, Any]


ParticipationRecord = Participation | InvalidParticipation
