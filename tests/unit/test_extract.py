"""Reading a campaign's participations: record by record, as Pix gives them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from connector.domain.model import (
    Campaign,
    CampaignType,
    Organisation,
    Participation,
    ParticipationStatus,
)
from connector.errors import TransientApiError, UnsettledRead
from connector.mappings import Mappings
from connector.pix.records import InvalidParticipation, ParticipationRecord
from connector.run.extract import CampaignReader, Extraction
from connector.store.sql import SqlStateStore

ORGANISATION = Organisation(id=1, name="Mission Locale", external_id="75010S00")
CAMPAIGN = Campaign(
    id=10,
    organization_id=1,
    code="PARDIAG",
    type=CampaignType.ASSESSMENT,
    target_profile_name="Diagnostic initial",
)
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def participation(pid: int, hours: int = 0, shared_hours: int | None = None) -> Participation:
    created = MONDAY + timedelta(hours=hours)
    shared = MONDAY + timedelta(hours=shared_hours) if shared_hours is not None else None
    return Participation(
        id=pid,
        campaign_id=CAMPAIGN.id,
        status=ParticipationStatus.SHARED if shared else ParticipationStatus.STARTED,
        created_at=created,
        shared_at=shared,
        participant_id=f"{pid:040x}",
        mastery_rate=0.5 if shared else None,
        first_name="Léa",
        last_name="Durand",
        external_id="1234567",
    )


def invalid(key: str) -> InvalidParticipation:
    return InvalidParticipation(
        key=key, campaign_id=CAMPAIGN.id, reason="createdAt is missing", redacted={"id": key}
    )


class FakePix:
    """A PixSource giving ``records`` one at a time, then raising ``then`` if set."""

    unreadable_organisations = 0

    def __init__(self, records: list[ParticipationRecord], then: Exception | None = None) -> None:
        self.records = records
        self.then = then
        self.since: list[datetime | None] = []
        self.given = 0

    def organisations(self) -> list[Organisation]:
        return [ORGANISATION]

    def campaigns(self, organisation_id: int) -> Iterator[Campaign]:
        yield CAMPAIGN

    def participations(
        self, campaign: Campaign, since: datetime | None
    ) -> Iterator[ParticipationRecord]:
        self.since.append(since)
        for record in self.records:
            self.given += 1
            yield record
        if self.then is not None:
            raise self.then

    def close(self) -> None:
        pass


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = SqlStateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def read(pix: FakePix, store: SqlStateStore, since: datetime | None = None) -> Extraction:
    reader = CampaignReader(pix, store, overlap=timedelta(hours=1))
    return reader.read([ORGANISATION], Mappings(), since=since)


def test_a_campaign_is_read_whole_and_its_newest_change_kept(store: SqlStateStore) -> None:
    pix = FakePix([participation(1, 0, 2), participation(2, 1), participation(3, 3)])
    extraction = read(pix, store)
    [batch] = extraction.batches
    assert [p.id for p in batch.participations] == [1, 2, 3]
    assert batch.newest == MONDAY + timedelta(hours=3)
    assert not batch.failed and not batch.unsettled
    assert extraction.fetched == 3
    assert extraction.errors == []


def test_a_row_given_twice_is_kept_once_and_counted(store: SqlStateStore) -> None:
    """Pages shift while Pix is written to: the same row can come on two pages."""
    pix = FakePix([participation(1), participation(2), participation(1), participation(2)])
    extraction = read(pix, store)
    [batch] = extraction.batches
    assert [p.id for p in batch.participations] == [1, 2]
    assert extraction.duplicates == 2
    assert extraction.fetched == 4


def test_an_invalid_record_is_quarantined_and_the_others_kept(store: SqlStateStore) -> None:
    bad = invalid("line-2")
    pix = FakePix([participation(1), bad, participation(3)])
    with capture_logs() as events:
        extraction = read(pix, store)
    [batch] = extraction.batches
    assert [p.id for p in batch.participations] == [1, 3]
    assert extraction.invalid == [bad]
    assert extraction.fetched == 3
    quarantined = [e for e in events if e["event"] == "participation_quarantined"]
    assert quarantined == [
        {
            "event": "participation_quarantined",
            "log_level": "warning",
            "campaign_id": CAMPAIGN.id,
            "reason": "createdAt is missing",
        }
    ]


def test_a_failure_mid_way_handles_none_of_the_campaign(store: SqlStateStore) -> None:
    """A page missing: what was read before it is dropped, quarantine and counts included,
    and the cursor stays, so the whole window is read again next run."""
    pix = FakePix(
        [participation(1), invalid("line-2"), participation(1), participation(3, 5)],
        then=TransientApiError("pix", "page 2 failed", 503),
    )
    with capture_logs() as events:
        extraction = read(pix, store)
    assert pix.given == 4
    [batch] = extraction.batches
    assert batch.failed and not batch.unsettled
    assert batch.participations == []
    assert batch.newest is None
    assert extraction.fetched == 0
    assert extraction.duplicates == 0
    assert extraction.invalid == []
    assert extraction.errors == [f"campaign {CAMPAIGN.id}: pix: page 2 failed (HTTP 503)"]
    assert [e["event"] for e in events] == ["participations_failed"]


def test_an_unsettled_read_keeps_what_was_read_and_holds_the_cursor(
    store: SqlStateStore,
) -> None:
    """Pix kept changing: every row given is handled, but the campaign is marked failed so
    that its cursor does not move."""
    bad = invalid("line-3")
    pix = FakePix(
        [participation(1), participation(2, 4), bad, participation(1)],
        then=UnsettledRead("pix", "pages kept moving"),
    )
    with capture_logs() as events:
        extraction = read(pix, store)
    [batch] = extraction.batches
    assert batch.failed and batch.unsettled
    assert [p.id for p in batch.participations] == [1, 2]
    assert batch.newest == MONDAY + timedelta(hours=4)
    assert extraction.fetched == 4
    assert extraction.duplicates == 1
    assert extraction.invalid == [bad]
    assert extraction.errors == []
    unsettled = [e for e in events if e["event"] == "participations_unsettled"]
    assert [e["records"] for e in unsettled] == [4]


def test_the_read_starts_an_overlap_behind_the_cursor(store: SqlStateStore) -> None:
    """Rows committed late or stamped by a skewed clock are caught by re-reading an hour."""
    pix = FakePix([participation(1)])
    read(pix, store)
    store.advance_cursors({CAMPAIGN.id: MONDAY}, datetime.now(UTC))
    read(pix, store)
    first, second = pix.since
    assert first is None
    assert second is not None
    assert second.replace(tzinfo=UTC) == MONDAY - timedelta(hours=1)


def test_a_replay_reads_from_its_own_date_whatever_the_cursor(store: SqlStateStore) -> None:
    store.advance_cursors({CAMPAIGN.id: MONDAY}, datetime.now(UTC))
    pix = FakePix([participation(1)])
    read(pix, store, since=MONDAY - timedelta(days=30))
    assert pix.since == [MONDAY - timedelta(days=30)]
