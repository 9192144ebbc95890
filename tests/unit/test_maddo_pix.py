"""The Pix adapter against precise HTTP answers (respx): paging, tokens, errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from connector.domain.model import Campaign, Participation
from connector.errors import FatalApiError, MalformedResponse, TransientApiError, UnsettledRead
from connector.pix import maddo
from connector.pix.maddo import MAX_READ_PASSES, MaddoPix
from connector.pix.records import InvalidParticipation
from connector.transport.retry import NO_RETRY

BASE = "http://pix.test"
CAMPAIGN = Campaign(
    id=7, organization_id=1, code="DIAG", type="ASSESSMENT", target_profile_name=None
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def token_answer(value: str) -> httpx.Response:
    return httpx.Response(
        200, json={"token_type": "bearer", "access_token": value, "client_id": "c"}
    )


def participation(pid: int) -> dict[str, object]:
    return {
        "id": pid,
        "campaignId": 7,
        "status": "SHARED",
        "createdAt": "2026-03-01T10:00:00Z",
        "sharedAt": "2026-03-01T10:30:00Z",
        "participantFirstName": "A",
        "participantLastName": "B",
        "participantExternalId": "1",
        "participantId": hashlib.sha1(f"{pid}_c".encode()).hexdigest(),  # noqa: S324 - as Pix
        "authenticationId": None,
        "organizationLearnerId": 1000 + pid,
        "masteryRate": 0.5,
        "pixScore": 100,
        "stages": None,
        "badges": None,
        "tubes": [],
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pix(clock: Clock) -> Iterator[MaddoPix]:
    source = MaddoPix(BASE, "c", "secret", clock=clock, retry=NO_RETRY)
    yield source
    source.close()


def page(rows: list[Any], number: int, count: int) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "campaignParticipations": rows,
            "page": {"number": number, "size": 200, "count": count},
        },
    )


@respx.mock
def test_participations_are_read_page_by_page(pix: MaddoPix) -> None:
    """Every page is walked until page.count, with the since filter passed on; a read of
    several pages is read a second time to confirm it."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    route = respx.get(f"{BASE}/api/campaigns/7/participations")
    route.side_effect = [
        page([participation(1), participation(2)], 1, 2),
        page([participation(3)], 2, 2),
    ] * 2
    since = datetime(2026, 1, 1, tzinfo=UTC)
    records = list(pix.participations(CAMPAIGN, since))
    assert [r.id for r in records if isinstance(r, Participation)] == [1, 2, 3]
    first, second, third, fourth = route.calls
    assert first.request.url.params["page[number]"] == "1"
    assert first.request.url.params["page[size]"] == "200"
    assert first.request.url.params["since"] == "2026-01-01T00:00:00Z"
    assert second.request.url.params["page[number]"] == "2"
    assert first.request.headers["Authorization"] == "Bearer t1"
    assert [c.request.url.params["page[number]"] for c in (third, fourth)] == ["1", "2"]
    assert third.request.url.params["since"] == "2026-01-01T00:00:00Z"


class OffsetPaging:
    """Pix's participations route in miniature: offset paging over rows that ``changes`` (call
    number → edit) alter between two page reads, as Pix is written to while it is read."""

    def __init__(self, ids: list[int], changes: dict[int, Callable[[list[int]], None]]) -> None:
        self.ids = ids
        self.changes = changes
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        number = int(request.url.params["page[number]"])
        size = int(request.url.params["page[size]"])
        count = -(-len(self.ids) // size)
        rows = [participation(i) for i in self.ids[(number - 1) * size : number * size]]
        answer = page(rows, number, count)
        if self.calls in self.changes:
            self.changes[self.calls](self.ids)
        return answer


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 rows, so that a few rows make several pages."""
    monkeypatch.setattr(maddo, "PARTICIPATIONS_PAGE_SIZE", 2)


def read_ids(pix: MaddoPix, server: OffsetPaging) -> list[int]:
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/campaigns/7/participations").mock(side_effect=server)
    return [r.id for r in pix.participations(CAMPAIGN, None) if isinstance(r, Participation)]


@respx.mock
def test_a_read_of_one_page_is_not_read_again(pix: MaddoPix) -> None:
    """One page is one answer, whole by itself: one request."""
    server = OffsetPaging([1, 2, 3], {})
    assert read_ids(pix, server) == [1, 2, 3]
    assert server.calls == 1


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_a_read_of_several_pages_that_did_not_change_is_read_twice(pix: MaddoPix) -> None:
    """The second pass brings nothing new: the read is settled, nothing given twice."""
    server = OffsetPaging([1, 2, 3, 4, 5], {})
    assert read_ids(pix, server) == [1, 2, 3, 4, 5]
    assert server.calls == 6


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_a_row_skipped_by_a_deletion_is_found_by_the_second_pass(pix: MaddoPix) -> None:
    """Row 1 deleted once page 1 is read: row 3 moves onto page 1 and page 2 skips it."""
    server = OffsetPaging([1, 2, 3, 4, 5], {1: lambda ids: ids.remove(1)})
    assert read_ids(pix, server) == [1, 2, 4, 5, 3]
    assert server.calls == 2 + 2 + 2  # pass 1; pass 2 finds 3; pass 3 confirms


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_a_row_inserted_on_a_page_already_read_is_found(pix: MaddoPix) -> None:
    """A row inserted ahead of the read position is given too; the shifted row only once."""
    server = OffsetPaging([1, 2, 3, 4], {1: lambda ids: ids.insert(0, 9)})
    assert read_ids(pix, server) == [1, 2, 2, 3, 4, 9]  # the reader drops the copy of 2
    assert server.calls == 3 + 3 + 3


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_a_read_that_never_settles_gives_every_row_then_raises(pix: MaddoPix) -> None:
    """A new row each pass: after MAX_READ_PASSES passes, every row read has been given, and
    UnsettledRead says the campaign's cursor must not move."""
    changes = {n: (lambda ids, n=n: ids.insert(0, 100 + n)) for n in range(1, 30)}
    server = OffsetPaging([1, 2, 3], changes)
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/campaigns/7/participations").mock(side_effect=server)
    given: list[int] = []
    with pytest.raises(UnsettledRead) as caught:
        for record in pix.participations(CAMPAIGN, None):
            assert isinstance(record, Participation)
            given.append(record.id)
    assert isinstance(caught.value, TransientApiError)
    assert "campaign 7" in str(caught.value)
    assert set(given) >= {1, 2, 3, 101} and len(given) == len(set(given)) + 1
    assert given.count(2) == 2  # shifted onto page 2 by the first insertion: the reader drops it
    assert server.calls >= 2 * MAX_READ_PASSES


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_a_confirming_pass_of_one_page_settles_the_read(pix: MaddoPix) -> None:
    """Rows deleted down to one page: that page is whole by itself, so even with a new row
    it needs no third pass."""
    server = OffsetPaging([1, 2, 3], {2: lambda ids: ids.__setitem__(slice(None), [7])})
    assert read_ids(pix, server) == [1, 2, 3, 7]
    assert server.calls == 2 + 1


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_invalid_records_are_not_given_again_by_the_confirming_pass(pix: MaddoPix) -> None:
    """A record without a usable id is told apart by its content: quarantined once."""
    bad = {"id": "x", "campaignId": 7}
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/campaigns/7/participations").side_effect = [
        page([participation(1), bad], 1, 2),
        page([participation(2)], 2, 2),
    ] * 2
    records = list(pix.participations(CAMPAIGN, None))
    assert [type(r).__name__ for r in records] == [
        "Participation",
        "InvalidParticipation",
        "Participation",
    ]


@respx.mock
def test_campaigns_are_read_with_archived_ones(pix: MaddoPix) -> None:
    """Archived campaigns still hold results not yet carried over."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    route = respx.get(f"{BASE}/api/organizations/1/campaigns").mock(
        return_value=httpx.Response(
            200,
            json={
                "campaigns": [
                    {
                        "id": 7,
                        "code": "DIAG",
                        "type": "ASSESSMENT",
                        "name": "n",
                        "targetProfileName": "Diagnostic initial",
                        "archivedAt": None,
                    }
                ],
                "page": {"number": 1, "size": 1000, "count": 1},
            },
        )
    )
    [campaign] = list(pix.campaigns(1))
    assert campaign.id == 7 and campaign.target_profile_name == "Diagnostic initial"
    assert route.calls[0].request.url.params["withArchived"] == "true"


@respx.mock
def test_a_bad_record_is_returned_as_invalid_not_raised(pix: MaddoPix) -> None:
    """One malformed participation does not stop the page."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/campaigns/7/participations").mock(
        return_value=httpx.Response(
            200,
            json={
                "campaignParticipations": [participation(1), {"id": "x"}],
                "page": {"number": 1, "size": 200, "count": 1},
            },
        )
    )
    records = list(pix.participations(CAMPAIGN, None))
    assert isinstance(records[0], Participation)
    assert isinstance(records[1], InvalidParticipation)


@respx.mock
def test_the_token_is_renewed_before_its_twenty_minutes_run_out(
    pix: MaddoPix, clock: Clock
) -> None:
    """Pix gives no expires_in: the adapter renews on its own before 20 minutes."""
    token = respx.post(f"{BASE}/api/application/token")
    token.side_effect = [token_answer("t1"), token_answer("t2")]
    orgs = respx.get(f"{BASE}/api/organizations").mock(return_value=httpx.Response(200, json=[]))
    pix.organisations()
    clock.now = 10 * 60
    pix.organisations()
    assert token.call_count == 1
    clock.now = 16 * 60
    pix.organisations()
    assert token.call_count == 2
    assert orgs.calls[-1].request.headers["Authorization"] == "Bearer t2"


@respx.mock
def test_a_401_renews_the_token_once_and_retries(pix: MaddoPix) -> None:
    """A token refused early (key rotation) is renewed once, then the call succeeds."""
    token = respx.post(f"{BASE}/api/application/token")
    token.side_effect = [token_answer("old"), token_answer("new")]
    orgs = respx.get(f"{BASE}/api/organizations")
    orgs.side_effect = [
        httpx.Response(401),
        httpx.Response(200, json=[{"id": 1, "name": "ML", "externalId": "75010S00"}]),
    ]
    [organisation] = pix.organisations()
    assert organisation.external_id == "75010S00"
    assert token.call_count == 2
    assert orgs.calls[-1].request.headers["Authorization"] == "Bearer new"


@respx.mock
def test_a_second_401_is_not_retried_forever(pix: MaddoPix) -> None:
    """If a fresh token is refused too, the call fails instead of looping."""
    token = respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t"))
    respx.get(f"{BASE}/api/organizations").mock(return_value=httpx.Response(401))
    with pytest.raises(FatalApiError):
        pix.organisations()
    assert token.call_count == 2


@respx.mock
def test_refused_credentials_name_the_settings_not_the_secret(pix: MaddoPix) -> None:
    """A 401 on the token names PIX_CLIENT_SECRET and never echoes it."""
    respx.post(f"{BASE}/api/application/token").mock(
        return_value=httpx.Response(401, json={"errors": []})
    )
    with pytest.raises(FatalApiError) as caught:
        pix.organisations()
    assert "PIX_CLIENT_SECRET" in str(caught.value)
    assert "secret" not in str(caught.value).replace("PIX_CLIENT_SECRET", "")


@respx.mock
def test_a_failed_second_page_fails_the_whole_read(pix: MaddoPix) -> None:
    """A missing page is an error, never a silently shorter list."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/campaigns/7/participations").side_effect = [
        httpx.Response(
            200,
            json={
                "campaignParticipations": [participation(1)],
                "page": {"number": 1, "size": 200, "count": 2},
            },
        ),
        httpx.Response(503),
    ]
    with pytest.raises(TransientApiError):
        list(pix.participations(CAMPAIGN, None))


@respx.mock
def test_a_page_that_is_not_json_is_malformed(pix: MaddoPix) -> None:
    """An HTML error page from a gateway is reported as such."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/organizations").mock(
        return_value=httpx.Response(200, text="<html>", headers={"content-type": "text/html"})
    )
    with pytest.raises(MalformedResponse):
        pix.organisations()


@respx.mock
def test_a_page_repeating_the_ids_already_read_fails_the_campaign(pix: MaddoPix) -> None:
    """A page count of 10^12 over the same rows stops at page 2, not at MAX_PAGES."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    route = respx.get(f"{BASE}/api/campaigns/7/participations").mock(
        return_value=page([participation(1), participation(2)], 1, 10**12)
    )
    records = []
    with pytest.raises(MalformedResponse, match="page 2: repeats the ids of earlier pages"):
        records.extend(pix.participations(CAMPAIGN, None))
    assert len(records) == 2
    assert route.call_count == 2


@respx.mock
def test_a_page_repeating_campaign_ids_fails_the_organisation(pix: MaddoPix) -> None:
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    item = {"id": 7, "code": "DIAG", "type": "ASSESSMENT", "name": "n"}
    respx.get(f"{BASE}/api/organizations/1/campaigns").mock(
        return_value=httpx.Response(
            200, json={"campaigns": [item], "page": {"number": 1, "size": 1000, "count": 99}}
        )
    )
    with pytest.raises(MalformedResponse, match="repeats the ids"):
        list(pix.campaigns(1))


@respx.mock
@pytest.mark.usefixtures("small_pages")
def test_one_row_shifted_onto_the_next_page_is_no_repeat(pix: MaddoPix) -> None:
    """A row inserted ahead brings one row already read onto the next page: normal."""
    server = OffsetPaging([1, 2, 3, 4, 5], {1: lambda ids: ids.insert(0, 9)})
    assert sorted(set(read_ids(pix, server))) == [1, 2, 3, 4, 5, 9]


@respx.mock
def test_an_id_out_of_range_is_quarantined_not_raised(pix: MaddoPix) -> None:
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    rows = [{**participation(1), "id": 10**30}, {**participation(2), "campaignId": 10**30}, 5]
    respx.get(f"{BASE}/api/campaigns/7/participations").mock(return_value=page(rows, 1, 1))
    records = list(pix.participations(CAMPAIGN, None))
    assert [r.reason for r in records if isinstance(r, InvalidParticipation)] == [
        "id is outside 1..2^63-1",
        "campaignId is outside 1..2^63-1",
        "record is not an object",
    ]


@pytest.mark.parametrize("bad", [10**30, 0, -1, "1" * 30, 2**63])
@respx.mock
def test_a_campaign_id_out_of_range_fails_its_organisation(pix: MaddoPix, bad: object) -> None:
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    item = {"id": bad, "code": "DIAG", "type": "ASSESSMENT", "name": "n"}
    respx.get(f"{BASE}/api/organizations/1/campaigns").mock(
        return_value=httpx.Response(
            200, json={"campaigns": [item], "page": {"number": 1, "size": 1000, "count": 1}}
        )
    )
    with pytest.raises(MalformedResponse, match=re.escape("outside 1..2^63-1")):
        list(pix.campaigns(1))


@respx.mock
def test_an_organisation_id_out_of_range_leaves_out_only_that_organisation(
    pix: MaddoPix,
) -> None:
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    respx.get(f"{BASE}/api/organizations").mock(
        return_value=httpx.Response(
            200, json=[{"id": 10**30, "name": "x"}, {"id": 2**63 - 1, "name": "big"}]
        )
    )
    [organisation] = pix.organisations()
    assert organisation.id == 2**63 - 1


def test_a_listing_past_the_page_limit_is_an_error_not_a_silent_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server paging forever with new ids each time: stopped at MAX_PAGES with an error,
    so that the campaign is not taken as read whole."""
    import connector.pix.maddo as maddo

    monkeypatch.setattr(maddo, "MAX_PAGES", 3)
    pix = maddo.MaddoPix("http://pix.test", "id", "secret", retry=NO_RETRY)
    pix.auth._token, pix.auth._obtained_at = "t", float("inf")  # no token request

    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page[number]"])
        rows = [
            {"id": number * 1000 + i, "code": f"C{number}{i}", "type": "ASSESSMENT"}
            for i in range(2)
        ]
        return httpx.Response(200, json={"campaigns": rows, "page": {"count": 10**12}})

    with respx.mock:
        respx.get(url__regex=r".*/campaigns.*").mock(side_effect=page)
        with pytest.raises(MalformedResponse, match="more than 3 pages"):
            list(pix.campaigns(1))
