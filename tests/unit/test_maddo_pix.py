"""The Pix adapter against precise HTTP answers (respx): paging, tokens, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import respx

from connector.domain.model import Campaign, Participation
from connector.errors import FatalApiError, MalformedResponse, TransientApiError
from connector.pix.maddo import MaddoPix
from connector.pix.records import InvalidParticipation
from connector.retry import NO_RETRY

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
        "participantId": pid,
        "masteryRate": 0.5,
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pix(clock: Clock) -> Iterator[MaddoPix]:
    source = MaddoPix(BASE, "c", "secret", clock=clock, retry=NO_RETRY)
    yield source
    source.close()


@respx.mock
def test_participations_are_read_page_by_page(pix: MaddoPix) -> None:
    """Every page is walked until page.count, with the since filter passed on."""
    respx.post(f"{BASE}/api/application/token").mock(return_value=token_answer("t1"))
    route = respx.get(f"{BASE}/api/campaigns/7/participations")
    route.side_effect = [
        httpx.Response(
            200,
            json={
                "campaignParticipations": [participation(1), participation(2)],
                "page": {"number": 1, "size": 200, "count": 2},
            },
        ),
        httpx.Response(
            200,
            json={
                "campaignParticipations": [participation(3)],
                "page": {"number": 2, "size": 200, "count": 2},
            },
        ),
    ]
    since = datetime(2026, 1, 1, tzinfo=UTC)
    records = list(pix.participations(CAMPAIGN, since))
    assert [r.id for r in records if isinstance(r, Participation)] == [1, 2, 3]
    first, second = route.calls
    assert first.request.url.params["page[number]"] == "1"
    assert first.request.url.params["page[size]"] == "200"
    assert first.request.url.params["since"] == "2026-01-01T00:00:00Z"
    assert second.request.url.params["page[number]"] == "2"
    assert first.request.headers["Authorization"] == "Bearer t1"


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
