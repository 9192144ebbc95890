"""Reading a structure's campaigns from Pix: each mapped assessment campaign's participations
since its cursor, less an overlap.

It reads Pix and the cursors and changes nothing, so it can run ahead in a background thread
while another structure is decided: what it found (records, counts, invalid records, errors)
is taken into the run when the structure's turn comes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from connector.domain.model import Campaign, CampaignType, Organisation, Participation
from connector.domain.plan import CampaignRules
from connector.domain.records import InvalidParticipation
from connector.domain.rules import diagnostic_type
from connector.errors import ApiError, UnsettledRead
from connector.mappings import Mappings
from connector.pix.port import PixSource
from connector.store.sql import SqlStateStore

__all__ = ["DEFAULT_OVERLAP", "CampaignBatch", "CampaignReader", "Extraction"]

log = structlog.get_logger("connector.sync")  # its events were the sync's: same logger name

# Pix's ``since`` compares server timestamps; re-reading a window behind the cursor catches
# rows committed late or stamped by a skewed clock. The ledger makes the re-read harmless.
DEFAULT_OVERLAP = timedelta(hours=1)


@dataclass
class CampaignBatch:
    """One campaign's participations as read, and how far its cursor may move (``newest``).

    ``failed``: the cursor must not move this run. Either a page failed (``participations`` is
    empty: nothing is handled, the whole window is read again), or the read never settled
    (``unsettled``: Pix kept changing while its pages were read, so a row may have been
    skipped; what was read is handled, and the ledger makes the re-read harmless)."""

    campaign: Campaign
    rules: CampaignRules
    participations: list[Participation] = field(default_factory=list)
    newest: datetime | None = None
    failed: bool = False
    unsettled: bool = False


@dataclass
class Extraction:
    """What Pix gave for one structure's campaigns."""

    batches: list[CampaignBatch] = field(default_factory=list)
    fetched: int = 0
    duplicates: int = 0  # the same row twice: pages shift while Pix is written to
    invalid: list[InvalidParticipation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


class CampaignReader:
    def __init__(
        self, pix: PixSource, store: SqlStateStore, overlap: timedelta = DEFAULT_OVERLAP
    ) -> None:
        self._pix = pix
        self._store = store
        self._overlap = overlap

    def read(
        self,
        organisations: list[Organisation],
        mappings: Mappings,
        *,
        campaign_code: str | None = None,
        since: datetime | None = None,
    ) -> Extraction:
        """The organisations' mapped assessment campaigns (or only ``campaign_code``), from
        their cursors, or from ``since`` for a replay."""
        started = time.perf_counter()
        extraction = Extraction()
        for organisation in organisations:
            try:
                campaigns = list(self._pix.campaigns(organisation.id))
            except ApiError as error:
                extraction.errors.append(f"organisation {organisation.id}: {error}")
                log.error("campaigns_failed", organisation_id=organisation.id, error=str(error))
                continue
            for campaign in campaigns:
                mapping = mappings.campaign(campaign.code)
                if campaign.type != CampaignType.ASSESSMENT or mapping.ignore:
                    continue
                if campaign_code not in (None, campaign.code):
                    continue
                rules = CampaignRules(
                    modality=mapping.modality,
                    diagnostic=diagnostic_type(campaign.target_profile_name, mapping.diagnostic),
                    external_id=mapping.external_id,
                )
                extraction.batches.append(self._fetch(campaign, rules, since, extraction))
        extraction.seconds = time.perf_counter() - started
        return extraction

    def _fetch(
        self,
        campaign: Campaign,
        rules: CampaignRules,
        replay_since: datetime | None,
        extraction: Extraction,
    ) -> CampaignBatch:
        batch = CampaignBatch(campaign, rules)
        cursor = self._store.cursor(campaign.id)
        since = cursor - self._overlap if cursor is not None else None
        if replay_since is not None:
            since = replay_since  # a replay: cursors never move back, the ledger dedups
        # Each record is handled as it comes, page by page; what is counted is merged into
        # the extraction only once the read succeeded (or was unsettled), as before.
        fetched, duplicates = 0, 0
        invalid: list[InvalidParticipation] = []
        seen: set[int] = set()
        try:
            for record in self._pix.participations(campaign, since):
                fetched += 1
                if isinstance(record, InvalidParticipation):
                    invalid.append(record)
                    continue
                if record.id in seen:
                    duplicates += 1
                    continue
                seen.add(record.id)
                batch.participations.append(record)
                if batch.newest is None or record.last_change > batch.newest:
                    batch.newest = record.last_change
        except UnsettledRead:
            # Every row read is handled; the cursor stays so that a skipped row comes next run.
            batch.failed = batch.unsettled = True
            log.warning("participations_unsettled", campaign_id=campaign.id, records=fetched)
        except ApiError as error:
            # A page missing means the campaign is incomplete: handle none of it this time.
            batch.failed = True
            batch.participations.clear()
            batch.newest = None
            extraction.errors.append(f"campaign {campaign.id}: {error}")
            log.error("participations_failed", campaign_id=campaign.id, error=str(error))
            return batch
        extraction.fetched += fetched
        extraction.duplicates += duplicates
        for record in invalid:
            extraction.invalid.append(record)
            log.warning("participation_quarantined", campaign_id=campaign.id, reason=record.reason)
        return batch
