"""The port through which the sync reads Pix, whatever the technology behind it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from connector.domain.model import Campaign, Organisation
from connector.domain.records import ParticipationRecord

__all__ = ["PixSource"]


class PixSource(Protocol):
    """Organisations, their campaigns, and the campaigns' participations."""

    # Organisations the last ``organisations()`` left out, their id being unusable: their
    # structures are not synced, and the run says so.
    unreadable_organisations: int

    def organisations(self) -> list[Organisation]:
        """The organisations this client may read."""
        ...

    def campaigns(self, organisation_id: int) -> Iterator[Campaign]:
        """Every campaign of the organisation, archived ones included."""
        ...

    def participations(
        self, campaign: Campaign, since: datetime | None
    ) -> Iterator[ParticipationRecord]:
        """Participations created or shared after ``since``, each validated or refused.

        May raise ``UnsettledRead`` after the last record: what was given stands, but the
        campaign must be read again from the same ``since`` next time."""
        ...

    def close(self) -> None: ...
