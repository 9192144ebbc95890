"""The Pix MaDDo simulator over loopback HTTP, against tests/fixtures/sim."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from connector.simulators import FixtureError, create_pix_app, load_pix_data, running
from connector.simulators.fixture_reader import read_array
from connector.simulators.fixture_writer import PIX_FILES, write_fixtures
from connector.simulators.fixtures import PixData
from connector.simulators.pix import _belongs_to, _changed_since, _parse_instant

pytestmark = pytest.mark.integration

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
SINCE = "2026-03-05T00:00:00Z"
SECRETS = {"ml-lyon": "lyon-secret", "meta-only": "meta-secret"}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Pix:
    http: httpx.Client
    app: Starlette
    clock: FakeClock

    def token(self, client_id: str = "ml-lyon", **form: str) -> str:
        answer = self.request_token(client_id, SECRETS[client_id], **form)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    def request_token(self, client_id: str, secret: str, **form: str) -> httpx.Response:
        data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        return self.http.post("/api/application/token", data={**data, **form})

    def get(self, path: str, token: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def pix() -> Iterator[Pix]:
    clock = FakeClock()
    app = create_pix_app(load_pix_data(FIXTURE_DIR), token_ttl_seconds=1200.0, clock=clock)
    with running(app) as base_url, httpx.Client(base_url=base_url, timeout=5.0) as http:
        yield Pix(http=http, app=app, clock=clock)


def participations(pix: Pix, **params: Any) -> list[Any]:
    answer = pix.get("/api/campaigns/10/participations", pix.token(), **params)
    assert answer.status_code == 200, answer.text
    rows: list[Any] = answer.json()["campaignParticipations"]
    return rows


def test_token_has_no_expires_in(pix: Pix) -> None:
    """A token answer is bearer, names the client and carries no expires_in."""
    answer = pix.request_token("ml-lyon", "lyon-secret", scope="meta campaigns")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"token_type", "access_token", "client_id"}
    assert body["token_type"] == "bearer"
    assert body["client_id"] == "ml-lyon"


def test_bad_secret_is_401(pix: Pix) -> None:
    """A wrong secret or an unknown client gets 401 in JSON:API error shape."""
    for client_id, secret in [("ml-lyon", "wrong"), ("nobody", "lyon-secret")]:
        answer = pix.request_token(client_id, secret)
        assert answer.status_code == 401
        [error] = answer.json()["errors"]
        assert error["status"] == "401"
        assert isinstance(error["title"], str)


def test_other_grant_type_is_400(pix: Pix) -> None:
    """Only the client_credentials grant is accepted."""
    answer = pix.request_token("ml-lyon", "lyon-secret", grant_type="password")
    assert answer.status_code == 400


def test_unallowed_scope_at_token_is_403(pix: Pix) -> None:
    """Asking a scope the client does not hold gets 403."""
    answer = pix.request_token("meta-only", "meta-secret", scope="meta campaigns")
    assert answer.status_code == 403


def test_call_without_its_scope_is_403(pix: Pix) -> None:
    """A token without the campaigns scope cannot list campaigns or participations."""
    token = pix.token("meta-only", scope="meta")
    assert pix.get("/api/organizations", token).status_code == 200
    assert pix.get("/api/organizations/1/campaigns", token).status_code == 403
    assert pix.get("/api/campaigns/10/participations", token).status_code == 403
    narrow = pix.token(scope="campaigns")
    assert pix.get("/api/organizations", narrow).status_code == 403


def test_missing_or_unknown_token_is_401(pix: Pix) -> None:
    """Calls without a token, or with a made-up one, get 401."""
    assert pix.http.get("/api/organizations").status_code == 401
    assert pix.get("/api/organizations", "made-up").status_code == 401


def test_token_expires_after_ttl(pix: Pix) -> None:
    """A token works until its 20 minutes are up, then gets 401."""
    token = pix.token()
    pix.clock.now += 1199
    assert pix.get("/api/organizations", token).status_code == 200
    pix.clock.now += 1
    assert pix.get("/api/organizations", token).status_code == 401


def test_organizations_limited_to_jurisdiction(pix: Pix) -> None:
    """Only the client's organisations are listed."""
    answer = pix.get("/api/organizations", pix.token())
    assert [o["id"] for o in answer.json()] == [1, 2]
    assert answer.json()[0] == {"id": 1, "name": "Mission Locale de Lyon", "externalId": "ML-69"}


def test_outside_jurisdiction_is_403(pix: Pix) -> None:
    """Another client's organisation or campaign gets 403; an unknown campaign 404."""
    token = pix.token()
    assert pix.get("/api/organizations/3/campaigns", token).status_code == 403
    assert pix.get("/api/campaigns/20/participations", token).status_code == 403
    assert pix.get("/api/campaigns/999/participations", token).status_code == 404


def test_archived_campaigns_hidden_by_default(pix: Pix) -> None:
    """withArchived=false (the default) leaves archived campaigns out."""
    token = pix.token()
    default = pix.get("/api/organizations/1/campaigns", token).json()
    assert [c["id"] for c in default["campaigns"]] == [10, 12]
    # What the partner API serves: no externalIdLabel (api/src/maddo/domain/models/Campaign.ts).
    assert set(default["campaigns"][0]) == {
        "id", "name", "type", "targetProfileName", "code", "createdAt", "archivedAt",
    }  # fmt: skip
    every = pix.get("/api/organizations/1/campaigns", token, withArchived="true").json()
    assert [c["id"] for c in every["campaigns"]] == [10, 11, 12]


def test_campaign_pages_count_and_cap(pix: Pix) -> None:
    """page.count is the number of pages and page[size] is capped at 1000."""
    token = pix.token()
    path = "/api/organizations/1/campaigns"
    second = pix.get(path, token, **{"page[number]": 2, "page[size]": 1}).json()
    assert second["page"] == {"number": 2, "size": 1, "count": 2}
    assert [c["id"] for c in second["campaigns"]] == [12]
    huge = pix.get(path, token, **{"page[size]": 5000}).json()
    assert huge["page"] == {"number": 1, "size": 1000, "count": 1}
    empty = pix.get("/api/organizations/2/campaigns", token).json()
    assert empty["page"]["count"] == 0
    assert pix.get(path, token, **{"page[number]": 0}).status_code == 400


def test_participation_pages_capped_at_200(pix: Pix) -> None:
    """Participations are paged with page[size] capped at 200."""
    token = pix.token()
    path = "/api/campaigns/10/participations"
    body = pix.get(path, token, **{"page[size]": 2, "page[number]": 3}).json()
    assert body["page"] == {"number": 3, "size": 2, "count": 3}
    assert [p["id"] for p in body["campaignParticipations"]] == [104]
    assert pix.get(path, token, **{"page[size]": 999}).json()["page"]["size"] == 200


def test_participations_served_raw(pix: Pix) -> None:
    """Records come as the file holds them: a string id stays a string, extra fields stay."""
    rows = participations(pix)
    assert [r["id"] for r in rows] == [100, 101, "102", 103, 104]
    assert rows[0]["pixScore"] == 120
    assert len(rows[0]["participantId"]) == 40  # a SHA-1 hex digest, as Pix serves it
    assert rows[0]["isImproved"] is False  # a field the connector does not know
    assert all(len(r["participantId"]) == 40 for r in rows)  # every fixture row: SHA-1 hex
    assert rows[2]["campaignId"] == "10"
    assert rows[2]["masteryRate"] == "0,5"


def test_since_keeps_shared_or_created_after(pix: Pix) -> None:
    """since keeps rows created after it or shared after it, and leaves older rows out."""
    # 100 is older; 101 and 102 were created after; 104 was created before but shared after;
    # 103 has an unparseable date and is kept.
    ids = [r["id"] for r in participations(pix, since=SINCE)]
    assert ids == [101, "102", 103, 104]


def test_since_keeps_records_with_unparseable_dates(pix: Pix) -> None:
    """A record whose dates cannot be parsed is kept so the connector can quarantine it."""
    ids = [r["id"] for r in participations(pix, since="2030-01-01T00:00:00Z")]
    assert ids == [103]


def test_bad_since_is_400(pix: Pix) -> None:
    """A since that is not an ISO date-time gets 400."""
    answer = pix.get("/api/campaigns/10/participations", pix.token(), since="yesterday")
    assert answer.status_code == 400


def test_stats_count_tokens_and_requests(pix: Pix) -> None:
    """app.state.stats and /_sim/stats count tokens issued and API requests."""
    token = pix.token()
    pix.get("/api/organizations", token)
    pix.token()
    stats = pix.app.state.stats
    assert (stats.tokens_issued, stats.requests) == (2, 3)
    assert pix.http.get("/_sim/stats").json() == {"tokens_issued": 2, "requests": 3}


def test_fixture_errors_name_the_file(tmp_path: Path) -> None:
    """Invalid JSON or a non-array raises FixtureError naming the file; a missing file is empty."""
    (tmp_path / "pix").mkdir()
    assert load_pix_data(tmp_path).organizations == []
    bad = tmp_path / "pix" / "campaigns.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FixtureError, match=r"campaigns\.json"):
        load_pix_data(tmp_path)
    bad.write_text('{"id": 1}', encoding="utf-8")
    with pytest.raises(FixtureError, match=r"campaigns\.json.*array"):
        load_pix_data(tmp_path)


def test_a_participation_can_be_added_or_removed_while_being_read(pix: Pix) -> None:
    """The control routes change what the next page read serves, and are not counted."""
    token = pix.token()
    before = pix.app.state.stats.requests
    record = {"id": 105, "campaignId": 10, "createdAt": "2026-03-02T09:00:00Z", "status": "STARTED"}
    added = pix.http.post("/_sim/participations", params={"position": 0}, json=record)
    assert added.status_code == 201 and added.json()["position"] == 0
    assert pix.http.post("/_sim/participations", json={**record, "id": 106}).status_code == 201
    removed = pix.http.delete("/_sim/participations/102")
    assert removed.json()["removed"] == 1
    assert pix.http.delete("/_sim/participations/102").status_code == 404
    assert pix.app.state.stats.requests == before
    ids = [r["id"] for r in participations(pix)]
    assert ids == [105, 100, 101, 103, 104, 106]
    assert pix.get("/api/campaigns/10/participations", token).status_code == 200


def test_bad_control_requests_are_400(pix: Pix) -> None:
    """A body that is not JSON, or a position out of range, is refused."""
    post = pix.http.post
    assert post("/_sim/participations", content=b"{not json").status_code == 400
    assert post("/_sim/participations", params={"position": 99}, json={}).status_code == 400
    assert post("/_sim/participations", params={"position": "x"}, json={}).status_code == 400


def _served(pix: Pix, campaign_id: int, **params: Any) -> list[Any]:
    answer = pix.get(f"/api/campaigns/{campaign_id}/participations", pix.token(), **params)
    assert answer.status_code == 200, answer.text
    rows: list[Any] = answer.json()["campaignParticipations"]
    return rows


def _scanned(data: PixData, campaign_id: int, since: str | None = None) -> list[Any]:
    """What a scan of every participation serves: the index must answer the same."""
    rows = [r for r in data.participations if _belongs_to(r, campaign_id)]
    if since is not None:
        moment = _parse_instant(since)
        assert moment is not None
        rows = [r for r in rows if _changed_since(r, moment)]
    return [json.loads(json.dumps(r)) for r in rows]


def test_participations_are_indexed_by_campaign_and_the_index_follows_changes() -> None:
    """Each campaign serves its own records in file order, with or without since, before and
    after the list changes through the control routes or in place."""
    data = load_pix_data(FIXTURE_DIR)
    app = create_pix_app(data, clock=FakeClock())
    with running(app) as base_url, httpx.Client(base_url=base_url, timeout=5.0) as http:
        _check_index(Pix(http=http, app=app, clock=FakeClock()), data)


def _check_index(pix: Pix, data: PixData) -> None:
    [client] = [c for c in data.clients if c.client_id == "ml-lyon"]
    campaigns = [c.id for c in data.campaigns if c.organization_id in client.organization_ids]
    assert len(campaigns) > 1

    def check() -> None:
        for campaign_id in campaigns:
            for since in (None, SINCE):
                params = {"since": since} if since else {}
                assert _served(pix, campaign_id, **params) == _scanned(data, campaign_id, since)

    check()
    record = {"id": 107, "campaignId": " 11 ", "createdAt": "2026-03-09T09:00:00Z"}
    assert pix.http.post("/_sim/participations", params={"position": 1}, json=record).is_success
    assert pix.http.delete("/_sim/participations/101").is_success
    check()
    data.participations[:] = [{**r, "campaignId": 11} for r in data.participations[:2]]
    data.participations.append({"id": 108, "campaignId": 10, "createdAt": "2026-03-09T09:00:00Z"})
    check()
    assert [r["id"] for r in _served(pix, 11)] == [r["id"] for r in data.participations[:2]]
    assert [r["id"] for r in _served(pix, 10)] == [108]


def test_the_fixture_writer_writes_what_the_simulators_read(tmp_path: Path) -> None:
    """write_fixtures writes the files load_pix_data reads, and refuses any other name."""
    source = load_pix_data(FIXTURE_DIR)
    raw = {name: read_array(FIXTURE_DIR / name) for name in PIX_FILES}
    for indent in (None, 1):
        written = write_fixtures(tmp_path / str(indent), raw, indent=indent)
        assert sorted(p.relative_to(tmp_path / str(indent)).as_posix() for p in written) == sorted(
            PIX_FILES
        )
        assert load_pix_data(tmp_path / str(indent)) == source
    with pytest.raises(ValueError, match=r"labels\.json"):
        write_fixtures(tmp_path, {"labels.json": []})
