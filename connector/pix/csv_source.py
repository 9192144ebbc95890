"""``CsvExportPix``: a Pix Orga CSV export as a ``PixSource``.

Many Missions Locales have no API access, only the export of Pix Orga. This source presents
one export as one organisation with one campaign, so that the very same sync (matching,
plan, idempotent writes) carries it into I-Milo.

A date-only cell of the export is a date of the structure's calendar, so the export is read
with the structure's time zone. ``import-csv`` learns that zone from I-Milo once the connector
is built: it parses the file once before (``parse_export``), builds the source with the
campaign alone, then reads the rows' cells in that zone and hands them over with ``use``,
before the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from connector.domain.model import Campaign, CampaignType, Organisation
from connector.domain.records import ParticipationRecord
from connector.pix.csv_export import CsvExport

__all__ = ["CSV_ORGANISATION_ID", "CsvExportPix"]

# No Pix organisation has id 0: the export's organisation can never clash with a mapping.
CSV_ORGANISATION_ID = 0


class CsvExportPix:
    unreadable_organisations = 0  # the file's one organisation is always readable

    def __init__(self, export: CsvExport, structure_code: str) -> None:
        self._export = export
        self._structure_code = structure_code

    def use(self, export: CsvExport) -> None:
        """Serve ``export`` from now on: the same campaign, its rows read (in another zone)."""
        if export.campaign != self._export.campaign:
            raise ValueError("use: the export is another campaign's")
        self._export = export

    def organisations(self) -> list[Organisation]:
        return [
            Organisation(
                id=CSV_ORGANISATION_ID,
                name=self._export.campaign.organisation_name,
                external_id=self._structure_code,
            )
        ]

    def campaigns(self, organisation_id: int) -> Iterator[Campaign]:
        campaign = self._export.campaign
        # Pix Orga exports these results for assessment campaigns.
        yield Campaign(
            id=campaign.id,
            organization_id=organisation_id,
            code=campaign.code,
            type=CampaignType.ASSESSMENT,
            target_profile_name=campaign.target_profile_name,
            external_id_label=campaign.external_id_label,
            name=campaign.name,
        )

    def participations(
        self, campaign: Campaign, since: datetime | None
    ) -> Iterator[ParticipationRecord]:
        """Every row of the export: a file has no ``since``, and the ledger dedups."""
        yield from self._export.records

    def close(self) -> None:
        pass
