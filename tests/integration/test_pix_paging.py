"""Paging that loses nothing: participations added or deleted while a campaign of several
pages is read, against the Pix simulator over loopback HTTP.

Pix pages by offset: a row deleted from a page already read pulls the next page's first row
onto it, and the read skips that row. Either the confirming pass finds it, or the campaign's
cursor does not move.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.bootstrap import build
from connector.domain.model import Campaign, Participation
from connector.errors import UnsettledRead
from connector.pix.maddo import PARTICIPATIONS_PAGE_SIZE, MaddoPix
from connector.run.report import RunReport
from connector.settings import load_settings
from connector.simulators import PixData, create_pix_app, running
from connector.simulators.fixtures import Campaign as SimCampaign
from connector.simulators.fixtures import Client, Organization
from connector.store.sql import SqlStateStore
from connector.transport.retry import NO_RETRY
from tests import scenario
from tests.conftest import Systems, rewrite_fixture, start_systems
from tests.integration.test_sync import assert_correct_final_state

pytestmark = pytest.mark.integration

CAMPAIGN_ID = 10  # the scenario's PARDIAG
CAMPAIGN = Campaign(
    id=CAMPAIGN_ID, organization_id=1, code="PARDIAG", type="ASSESSMENT", target_profile_name=None
)
FILLER_FIRST_ID = 800_000


def record(participation_id: int, *, shared: bool = True) -> dict[str, Any]:
    """A participation of the campaign in the partner API's shape."""
    user = hashlib.sha1(f"{participation_id}_{scenario.CLIENT_ID}".encode()).hexdigest()  # noqa: S324
    return {
        "id": participation_id,
        "createdAt": "2026-01-10T08:00:00Z",
        "sharedAt": "2026-01-10T08:20:00Z" if shared else None,
        "status": "SHARED" if shared else "STARTED",
        "participantFirstName": "Camille",
        "participantLastName": f"Remplissage{participation_id}",
        "participantExternalId": None,
        "participantId": user,
        "authenticationId": None,
        "campaignId": CAMPAIGN_ID,
        "masteryRate": 0.4 if shared else None,
        "pixScore": 90 if shared else 0,
        "stages": None,
        "badges": None,
        "tubes": [],
    }


class AfterFirstPage(httpx.BaseTransport):
    """Calls ``action(n)`` once Pix has answered the n-th read of the campaign's first page,
    before the next page is asked for: a change made while the campaign is being read."""

    def __init__(self, campaign_id: int, action: Callable[[int], None]) -> None:
        self._inner = httpx.HTTPTransport()
        self._path = f"/api/campaigns/{campaign_id}/participations"
        self._action = action
        self.first_pages = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if request.url.path == self._path and request.url.params.get("page[number]") == "1":
            response.read()
            self.first_pages += 1
            self._action(self.first_pages)
        return response

    def close(self) -> None:
        self._inner.close()


def delete(pix_url: str, participation_id: int) -> None:
    answer = httpx.delete(f"{pix_url}/_sim/participations/{participation_id}", timeout=10)
    assert answer.status_code == 200, answer.text


def insert(pix_url: str, row: dict[str, Any], position: int = 0) -> None:
    answer = httpx.post(
        f"{pix_url}/_sim/participations", params={"position": position}, json=row, timeout=10
    )
    assert answer.status_code == 201, answer.text


# -- the adapter alone --------------------------------------------------------------------------

ROWS = 450  # three pages of 200


@pytest.fixture
def pix_url() -> Iterator[str]:
    data = PixData(
        organizations=[Organization(1, "ML", "75010S00")],
        campaigns=[
            SimCampaign(CAMPAIGN_ID, 1, "Diag", "PARDIAG", "ASSESSMENT", None, None, "2026", None)
        ],
        participations=[record(FILLER_FIRST_ID + i) for i in range(ROWS)],
        clients=[
            Client(
                scenario.CLIENT_ID,
                scenario.CLIENT_SECRET,
                frozenset({"meta", "campaigns"}),
                frozenset({1}),
            )
        ],
    )
    with running(create_pix_app(data)) as url:
        yield url


def read(pix_url: str, action: Callable[[int], None]) -> tuple[list[int], AfterFirstPage]:
    transport = AfterFirstPage(CAMPAIGN_ID, action)
    source = MaddoPix(
        pix_url, scenario.CLIENT_ID, scenario.CLIENT_SECRET, transport=transport, retry=NO_RETRY
    )
    try:
        ids = [r.id for r in source.participations(CAMPAIGN, None) if isinstance(r, Participation)]
    finally:
        source.close()
    return ids, transport


def test_a_row_pulled_back_by_a_deletion_is_read_all_the_same(pix_url: str) -> None:
    """The first row is deleted once page 1 is read: row 201 moves onto page 1, which the
    first pass has read already. The confirming pass brings it."""
    assert PARTICIPATIONS_PAGE_SIZE == 200
    first, pulled_back = FILLER_FIRST_ID, FILLER_FIRST_ID + PARTICIPATIONS_PAGE_SIZE

    def on_first_page(n: int) -> None:
        if n == 1:
            delete(pix_url, first)

    ids, transport = read(pix_url, on_first_page)
    assert set(ids) == {FILLER_FIRST_ID + i for i in range(ROWS)}
    assert ids.index(pulled_back) > ids.index(FILLER_FIRST_ID + ROWS - 1)  # not in pass 1
    assert transport.first_pages == 3  # found by the second pass, confirmed by the third


def test_a_row_added_on_a_page_already_read_is_read(pix_url: str) -> None:
    """A row added ahead of the read position (a participation shared meanwhile) is read."""
    added = 900_001

    def on_first_page(n: int) -> None:
        if n == 1:
            insert(pix_url, record(added), position=0)

    ids, transport = read(pix_url, on_first_page)
    assert set(ids) == {FILLER_FIRST_ID + i for i in range(ROWS)} | {added}
    assert transport.first_pages == 3


def test_a_read_that_keeps_changing_gives_what_it_read_then_says_so(pix_url: str) -> None:
    """A row added during every pass: every row is still given, then UnsettledRead."""
    given: list[int] = []
    transport = AfterFirstPage(
        CAMPAIGN_ID, lambda n: insert(pix_url, record(900_000 + n), position=0)
    )
    source = MaddoPix(
        pix_url, scenario.CLIENT_ID, scenario.CLIENT_SECRET, transport=transport, retry=NO_RETRY
    )
    try:
        with pytest.raises(UnsettledRead):
            for item in source.participations(CAMPAIGN, None):
                assert isinstance(item, Participation)
                given.append(item.id)
    finally:
        source.close()
    assert {FILLER_FIRST_ID + i for i in range(ROWS)} <= set(given)
    assert {900_001, 900_002} <= set(given)


# -- a whole sync -------------------------------------------------------------------------------


def with_fillers(data_dir: Path) -> None:
    """Put a page of STARTED participations ahead of the scenario's rows of campaign 10, so
    that its SHARED rows (Léa's first) begin page 2."""
    fillers = [record(FILLER_FIRST_ID + i, shared=False) for i in range(PARTICIPATIONS_PAGE_SIZE)]
    rewrite_fixture(data_dir, "pix/participations.json", lambda rows: fillers + rows)


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[Systems]:
    with start_systems(tmp_path, with_fillers) as systems:
        yield systems


def sync(systems: Systems, database_url: str, action: Callable[[int], None]) -> RunReport:
    settings = load_settings(**systems.env(database_url))
    transport = AfterFirstPage(CAMPAIGN_ID, action)

    def transports(api: str) -> httpx.BaseTransport:
        return transport if api == "pix" else httpx.HTTPTransport()

    with build(settings, transports=transports) as connector:
        return connector.sync.run_once()


def cursor(database_url: str, campaign_id: int) -> Any:
    store = SqlStateStore.open(database_url)
    try:
        return store.cursor(campaign_id)
    finally:
        store.close()


@pytest.mark.contract_only("Pix's paging: the I-Milo mode changes nothing")
def test_a_sync_writes_a_result_a_deletion_pulled_back(busy: Systems, database_url: str) -> None:
    """Without the confirming pass, Léa's result (first on page 2) would be skipped and the
    cursor would move past it for good. It is written, and the cursor moves."""
    deleted: list[int] = []

    def on_first_page(n: int) -> None:
        if n == 1:
            delete(busy.pix_url, FILLER_FIRST_ID)
            deleted.append(FILLER_FIRST_ID)

    report = sync(busy, database_url, on_first_page)
    assert deleted and report.completed and report.quarantined == 2
    assert_correct_final_state(busy)
    assert cursor(database_url, CAMPAIGN_ID) is not None


@pytest.mark.contract_only("Pix's paging: the I-Milo mode changes nothing")
def test_a_campaign_that_never_settles_keeps_its_cursor(busy: Systems, database_url: str) -> None:
    """A participation added during every pass: what was read is written, the campaign's
    cursor stays, and the next, quiet run moves it and writes nothing more."""
    added = iter(range(900_001, 900_100))
    report = sync(
        busy, database_url, lambda n: insert(busy.pix_url, record(next(added), shared=False))
    )
    assert report.errors == [] and report.failed == 0
    assert_correct_final_state(busy)
    assert cursor(database_url, CAMPAIGN_ID) is None
    assert cursor(database_url, 20) is not None  # the other campaigns move as usual
    writes = busy.state()["writes"]

    quiet = sync(busy, database_url, lambda n: None)
    assert quiet.completed and quiet.updated == 0
    assert busy.state()["writes"] == writes
    assert cursor(database_url, CAMPAIGN_ID) is not None
