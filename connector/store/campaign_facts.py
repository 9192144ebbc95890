"""What each Pix campaign a run read is: its structure, code, name, diagnostic and modality.

No personal data. The console's « Activité » joins the ledger, the review queue and the
quarantine to it, by campaign id, to count per structure, nature and diagnostic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from connector.store.schema import campaigns

__all__ = ["CampaignFact", "CampaignFacts"]


@dataclass(frozen=True, slots=True)
class CampaignFact:
    campaign_id: int
    structure_code: str
    code: str
    name: str
    diagnostic: str | None  # "short", "long", or None when unknown
    modality: str  # "individual", "group" or "autonomous"


class CampaignFacts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, facts: Sequence[CampaignFact], now: datetime) -> None:
        """Add or refresh the campaigns (the latest mappings win)."""
        if not facts:
            return
        with self._engine.begin() as conn:
            known = set(
                conn.execute(
                    select(campaigns.c.campaign_id).where(
                        campaigns.c.campaign_id.in_([f.campaign_id for f in facts])
                    )
                ).scalars()
            )
            for fact in {f.campaign_id: f for f in facts}.values():
                values = {
                    "structure_code": fact.structure_code,
                    "code": fact.code[:100],
                    "name": fact.name[:300],
                    "diagnostic": fact.diagnostic,
                    "modality": fact.modality,
                    "last_seen": now,
                }
                if fact.campaign_id in known:
                    conn.execute(
                        update(campaigns)
                        .where(campaigns.c.campaign_id == fact.campaign_id)
                        .values(**values)
                    )
                else:
                    conn.execute(insert(campaigns).values(campaign_id=fact.campaign_id, **values))

    def all(self) -> dict[int, CampaignFact]:
        with self._engine.begin() as conn:
            rows = conn.execute(select(campaigns)).all()
        return {
            row.campaign_id: CampaignFact(
                campaign_id=row.campaign_id,
                structure_code=row.structure_code,
                code=row.code,
                name=row.name,
                diagnostic=row.diagnostic,
                modality=row.modality,
            )
            for row in rows
        }
