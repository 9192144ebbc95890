"""What the console's « Activité » counts, read from the store: read-only, no personal data.

The realisations the connector applied (ledger, with each campaign's diagnostic), the review
items still open and the quarantined records. Names and external ids are never read. A
structure filter is applied in SQL: a counsellor's read never loads another structure's rows,
nor the quarantined records of a campaign whose structure is unknown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select

from connector.store.schema import campaigns, ledger, quarantine, review

__all__ = ["Realised", "Waiting", "read_activity"]

APPLIED = "applied"
OPEN = "open"


@dataclass(frozen=True, slots=True)
class Realised:
    """A prescription the connector set to réalisé."""

    structure_code: str
    realisation_date: date  # the structure's local date of the test
    applied_at: datetime  # aware, UTC
    nature: str | None  # ENTRETIEN_INDIVIDUEL, ATELIER, or None: taken alone
    diagnostic: str | None  # "short", "long", or None: unknown


@dataclass(frozen=True, slots=True)
class Waiting:
    """An open review item (kind "review") or a quarantined record (kind "quarantine")."""

    structure_code: str | None  # None: a quarantined record of an unknown campaign
    first_seen: datetime  # aware, UTC
    kind: str


def read_activity(
    engine: Engine, structures: Collection[str] | None
) -> tuple[list[Realised], list[Waiting]]:
    """The realisations and waiting items of ``structures`` (None: every structure)."""
    if structures is not None and not structures:
        return [], []
    realised_query = (
        select(
            ledger.c.structure_code,
            ledger.c.realisation_date,
            ledger.c.applied_at,
            ledger.c.nature,
            campaigns.c.diagnostic,
        )
        .select_from(ledger.outerjoin(campaigns, campaigns.c.campaign_id == ledger.c.campaign_id))
        .where(ledger.c.state == APPLIED, ledger.c.applied_at.is_not(None))
    )
    review_query = select(review.c.structure_code, review.c.first_seen).where(
        review.c.status == OPEN
    )
    quarantine_query = select(campaigns.c.structure_code, quarantine.c.first_seen).select_from(
        quarantine.outerjoin(campaigns, campaigns.c.campaign_id == quarantine.c.campaign_id)
    )
    if structures is not None:
        codes = sorted(set(structures))
        realised_query = realised_query.where(ledger.c.structure_code.in_(codes))
        review_query = review_query.where(review.c.structure_code.in_(codes))
        quarantine_query = quarantine_query.where(campaigns.c.structure_code.in_(codes))
    with engine.connect() as conn:
        realised = [
            Realised(
                structure_code=row.structure_code,
                realisation_date=date.fromisoformat(row.realisation_date),
                applied_at=row.applied_at,
                nature=row.nature,
                diagnostic=row.diagnostic,
            )
            for row in conn.execute(realised_query)
        ]
        waiting = [
            Waiting(structure_code=row.structure_code, first_seen=row.first_seen, kind="review")
            for row in conn.execute(review_query)
        ]
        waiting += [
            Waiting(structure_code=row.structure_code, first_seen=row.first_seen, kind="quarantine")
            for row in conn.execute(quarantine_query)
        ]
    return realised, waiting
