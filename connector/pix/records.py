"""Validation of participation records as Pix serves them.

Pix data is typed by people and carried through years of schema changes: every record is
checked here, and a bad one becomes an ``InvalidParticipation`` with a reason and a redacted
copy, bound for quarantine. Reasons name fields, never values.

Only the fields the connector uses can send a record to quarantine. ``participantId`` is opaque
text (Pix serves the SHA-1 of the user and client ids, although its route documentation says
"number"), and ``authenticationId``, ``organizationLearnerId``, ``pixScore``, ``stages``,
``badges``, ``tubes`` and any field Pix adds later are ignored.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from connector.domain.model import Participation, ParticipationStatus
from connector.domain.records import InvalidParticipation, ParticipationRecord

__all__ = [
    "CLEAR_KEYS",
    "MAX_ID",
    "REDACTED",
    "InvalidParticipation",
    "ParticipationRecord",
    "parse_participation",
    "redact_record",
]

MAX_TEXT_LENGTH = 200
MAX_ID = 2**63 - 1  # a signed 64-bit integer, as the store keeps ids
# The only keys whose values the quarantine keeps in clear: none of them says who took the
# test. Every other value (names, e-mails, external ids, birth dates, participantId,
# authenticationId, organizationLearnerId, and any key Pix adds or a broken record holds) is
# masked, whatever its key.
CLEAR_KEYS = frozenset(
    {
        "_line",
        "_type",
        "id",
        "campaignId",
        "status",
        "createdAt",
        "sharedAt",
        "masteryRate",
        "pixScore",
        "stages",
        "badges",
        "tubes",
    }
)
REDACTED = "<redacted>"
# C0/C1 controls (tab excepted) and lone surrogates have no place in a name.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


class _Invalid(ValueError):
    pass


def _integer(raw: dict[str, Any], name: str, *, required: bool) -> int | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise _Invalid(f"{name} is missing")
        return None
    if isinstance(value, bool):
        raise _Invalid(f"{name} is not a number")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if not isinstance(value, int):
        raise _Invalid(f"{name} is not a number")
    if not 1 <= value <= MAX_ID:
        raise _Invalid(f"{name} is outside 1..2^63-1")
    return value


def _timestamp(raw: dict[str, Any], name: str, *, required: bool) -> datetime | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise _Invalid(f"{name} is missing")
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise _Invalid(f"{name} is not an ISO 8601 timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid(f"{name} is not a valid ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise _Invalid(f"{name} has no time zone")
    if not 2000 <= parsed.year <= 2100:
        raise _Invalid(f"{name} is out of range")
    return parsed.astimezone(UTC)


def _text(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and name.endswith("Id"):
        return str(value)  # an external id typed as digits may arrive as a JSON number
    if not isinstance(value, str):
        raise _Invalid(f"{name} is not text")
    if len(value) > MAX_TEXT_LENGTH:
        raise _Invalid(f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    if _FORBIDDEN.search(value):
        raise _Invalid(f"{name} holds control characters")
    return value


def _participant_id(raw: dict[str, Any]) -> str | None:
    """Opaque text, never a reason to quarantine: a string as served, a number as its digits,
    and anything else (or a string no id could be: too long, or holding control characters)
    None."""
    value = raw.get("participantId")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else str(value)
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH and not _FORBIDDEN.search(value):
        return value
    return None


def _mastery(raw: dict[str, Any]) -> float | None:
    value = raw.get("masteryRate")
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _Invalid("masteryRate is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid("masteryRate is not a number")
    if not 0 <= value <= 1:
        raise _Invalid("masteryRate is not between 0 and 1")
    return float(value)


def _status(raw: dict[str, Any]) -> ParticipationStatus:
    value = raw.get("status")
    if value is None:
        raise _Invalid("status is missing")
    try:
        return ParticipationStatus(str(value))
    except ValueError:
        raise _Invalid("status is unknown") from None


def redact_record(raw: object, clear: frozenset[str] = CLEAR_KEYS) -> dict[str, Any]:
    """A copy fit for the quarantine table: the values of the ``clear`` keys (text cut), every
    other value masked (``None`` stays ``None``), keys cut to 60 characters."""
    if not isinstance(raw, dict):
        return {"_type": type(raw).__name__}
    copy: dict[str, Any] = {}
    for key, value in list(raw.items())[:50]:
        name = _FORBIDDEN.sub("\N{REPLACEMENT CHARACTER}", str(key)[:60])
        if not isinstance(key, str) or key not in clear:
            copy[name] = None if value is None else REDACTED
        elif isinstance(value, str):
            copy[name] = _FORBIDDEN.sub("\N{REPLACEMENT CHARACTER}", value[:60])
        elif value is None or isinstance(value, bool | int | float):
            copy[name] = value
        else:
            copy[name] = f"<{type(value).__name__}>"
    return copy


def _record_key(raw: object, campaign_id: int) -> str:
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
            return f"{campaign_id}:{value}"
    try:
        canonical = json.dumps(raw, sort_keys=True, ensure_ascii=True, default=str)
    except ValueError:
        canonical = repr(raw)
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{campaign_id}:sha256:{digest}"


def parse_participation(raw: object, campaign_id: int) -> ParticipationRecord:
    """Read one record of campaign ``campaign_id``, or say precisely why it cannot be read."""
    try:
        if not isinstance(raw, dict):
            raise _Invalid("record is not an object")
        record_id = _integer(raw, "id", required=True)
        record_campaign = _integer(raw, "campaignId", required=False)
        if record_campaign is not None and record_campaign != campaign_id:
            raise _Invalid("campaignId is not the campaign being read")
        status = _status(raw)
        created_at = _timestamp(raw, "createdAt", required=True)
        shared_at = _timestamp(raw, "sharedAt", required=status is ParticipationStatus.SHARED)
        assert record_id is not None and created_at is not None  # noqa: S101
        if shared_at is not None and shared_at < created_at:
            raise _Invalid("sharedAt is before createdAt")
        return Participation(
            id=record_id,
            campaign_id=campaign_id,
            status=status,
            created_at=created_at,
            shared_at=shared_at,
            participant_id=_participant_id(raw),
            mastery_rate=_mastery(raw),
            first_name=_text(raw, "participantFirstName") or "",
            last_name=_text(raw, "participantLastName") or "",
            external_id=_text(raw, "participantExternalId"),
        )
    except _Invalid as problem:
        return InvalidParticipation(
            key=_record_key(raw, campaign_id),
            campaign_id=campaign_id,
            reason=str(problem),
            redacted=redact_record(raw),
        )
