"""Pix partner pull API ("MaDDo") simulator, per docs/http-contracts.md.

Control routes under ``/_sim`` (not counted as API requests): ``GET /_sim/stats``, and
``POST /_sim/participations[?position=N]`` and ``DELETE /_sim/participations/{id}`` to add or
remove a participation while a campaign is being read, as Pix is written to while its pages
are read.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from connector.simulators.faults import FaultPlan, install_faults
from connector.simulators.fixtures import Campaign, Client, ParticipationList, PixData

__all__ = ["PixStats", "create_pix_app"]


class _RawJSONResponse(JSONResponse):
    """Participations exactly as the fixture holds them: lone surrogates are sent as JSON
    escapes, as a real API would, instead of failing to encode. (JSON has no NaN or
    infinity, so fixture files cannot hold them either.)"""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


CAMPAIGNS_PAGE_CAP = 1000
PARTICIPATIONS_PAGE_CAP = 200
# The contract caps sizes but names no default; the defaults are the sizes the contract shows.
CAMPAIGNS_PAGE_DEFAULT = 100
PARTICIPATIONS_PAGE_DEFAULT = 200


@dataclass
class PixStats:
    """Counters read by tests (``app.state.stats``) and by ``GET /_sim/stats``."""

    tokens_issued: int = 0
    requests: int = 0


@dataclass(frozen=True)
class _Token:
    client: Client
    scopes: frozenset[str]
    expires_at: float


class _PixError(Exception):
    def __init__(self, status: int, title: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title


def _error_response(
    status: int, title: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    body = {"errors": [{"status": str(status), "title": title}]}
    return JSONResponse(body, status_code=status, headers=headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, _PixError):
        return _error_response(exc.status, exc.title)
    # Unknown routes and wrong methods answer in the same JSON:API shape as the rest.
    if isinstance(exc, HTTPException):
        return _error_response(exc.status_code, exc.detail, exc.headers)
    raise exc


class _CountRequests:
    """Counts every API request (``/_sim`` excluded) so tests can assert on traffic."""

    def __init__(self, app: ASGIApp, stats: PixStats) -> None:
        self._app = app
        self._stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_sim"):
            self._stats.requests += 1
        await self._app(scope, receive, send)


def _parse_instant(value: object) -> datetime | None:
    """An ISO 8601 instant as an aware datetime (naive means UTC), or None if unparseable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _PixError(400, f"{name} must be an integer") from None
    if value < 1:
        raise _PixError(400, f"{name} must be at least 1")
    return value


def _page(
    request: Request, rows: list[Any], default_size: int, cap: int
) -> tuple[list[Any], dict[str, int]]:
    number = _positive_int(request, "page[number]", 1)
    size = min(_positive_int(request, "page[size]", default_size), cap)
    start = (number - 1) * size
    meta = {"number": number, "size": size, "count": math.ceil(len(rows) / size)}
    return rows[start : start + size], meta


def _campaign_of(record: Any) -> int | None:
    """The campaign id a raw participation names (a number, or digits in a string), or None;
    tolerant of bad records by design."""
    if not isinstance(record, dict):
        return None
    value = record.get("campaignId")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _belongs_to(record: Any, campaign_id: int) -> bool:
    """Whether a raw participation is of the campaign; tolerant of bad records by design."""
    found = _campaign_of(record)
    return found is not None and found == campaign_id


class _ByCampaign:
    """The participations of each campaign, in served order: a campaign's request reads its
    own records instead of scanning them all. Rebuilt whenever the list changed (the ``_sim``
    routes, or a test replacing records: ``ParticipationList.version``)."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows
        self._version: int | None = None
        self._index: dict[int, list[Any]] = {}

    def rows(self, campaign_id: int) -> list[Any]:
        if not isinstance(self._rows, ParticipationList):
            return [r for r in self._rows if _belongs_to(r, campaign_id)]
        version = self._rows.version
        if version != self._version:
            index: dict[int, list[Any]] = {}
            for record in self._rows:
                found = _campaign_of(record)
                if found is not None:
                    index.setdefault(found, []).append(record)
            self._index, self._version = index, version
        return self._index.get(campaign_id, [])


def _has_id(record: Any, wanted: int) -> bool:
    if not isinstance(record, dict):
        return False
    value = record.get("id")
    if isinstance(value, bool):
        return False
    return value == wanted or (isinstance(value, str) and value.strip() == str(wanted))


def _changed_since(record: dict[str, Any], since: datetime) -> bool:
    created = _parse_instant(record.get("createdAt"))
    shared_raw = record.get("sharedAt")
    shared = _parse_instant(shared_raw)
    # Unparseable dates are kept so the connector sees the record and quarantines it.
    if created is None or (shared_raw is not None and shared is None):
        return True
    return created > since or (shared is not None and shared > since)


def _campaign_json(campaign: Campaign) -> dict[str, Any]:
    """The fields the partner API serves (api/src/maddo/application/organizations-routes.js,
    models/Campaign.js): not ``externalIdLabel``, even when the fixture holds one."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "type": campaign.type,
        "targetProfileName": campaign.target_profile_name,
        "code": campaign.code,
        "createdAt": campaign.created_at,
        "archivedAt": campaign.archived_at,
    }


class _PixApi:
    def __init__(
        self, data: PixData, stats: PixStats, ttl: float, clock: Callable[[], float]
    ) -> None:
        self._data = data
        self._stats = stats
        self._ttl = ttl
        self._clock = clock
        self._clients = {c.client_id: c for c in data.clients}
        self._campaigns = {c.id: c for c in data.campaigns}
        self._org_ids = {o.id for o in data.organizations}
        self._tokens: dict[str, _Token] = {}
        self._by_campaign = _ByCampaign(data.participations)

    async def token(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))

        def field(name: str) -> str:
            values = form.get(name)
            return values[0] if values else ""

        if field("grant_type") != "client_credentials":
            raise _PixError(400, "unsupported grant_type")
        client = self._clients.get(field("client_id"))
        if client is None or not secrets.compare_digest(
            client.client_secret.encode(), field("client_secret").encode()
        ):
            raise _PixError(401, "invalid client credentials")
        requested = frozenset(field("scope").split())
        if not requested <= client.scopes:
            raise _PixError(403, "scope not allowed for this client")
        access_token = secrets.token_urlsafe(32)
        self._tokens[access_token] = _Token(
            client=client,
            # No scope asked means every scope the client holds (OAuth's default scope).
            scopes=requested or client.scopes,
            expires_at=self._clock() + self._ttl,
        )
        self._stats.tokens_issued += 1
        return JSONResponse(
            {"token_type": "bearer", "access_token": access_token, "client_id": client.client_id}
        )

    def _authorize(self, request: Request, scope: str) -> Client:
        header = request.headers.get("authorization", "")
        kind, _, value = header.partition(" ")
        token = self._tokens.get(value.strip()) if kind.lower() == "bearer" else None
        if token is None:
            raise _PixError(401, "missing or unknown access token")
        if self._clock() >= token.expires_at:
            del self._tokens[value.strip()]
            raise _PixError(401, "access token expired")
        if scope not in token.scopes:
            raise _PixError(403, f"scope '{scope}' required")
        return token.client

    async def organizations(self, request: Request) -> Response:
        client = self._authorize(request, "meta")
        rows = [
            {"id": o.id, "name": o.name, "externalId": o.external_id}
            for o in self._data.organizations
            if o.id in client.organization_ids
        ]
        return JSONResponse(rows)

    async def campaigns(self, request: Request) -> Response:
        client = self._authorize(request, "campaigns")
        org_id: int = request.path_params["org_id"]
        if org_id not in client.organization_ids:
            raise _PixError(403, "organization outside the client's jurisdiction")
        if org_id not in self._org_ids:
            raise _PixError(404, "organization not found")
        with_archived = request.query_params.get("withArchived", "false").lower()
        if with_archived not in ("true", "false"):
            raise _PixError(400, "withArchived must be true or false")
        rows = [
            _campaign_json(c)
            for c in self._data.campaigns
            if c.organization_id == org_id and (with_archived == "true" or c.archived_at is None)
        ]
        page, meta = _page(request, rows, CAMPAIGNS_PAGE_DEFAULT, CAMPAIGNS_PAGE_CAP)
        return JSONResponse({"campaigns": page, "page": meta})

    async def participations(self, request: Request) -> Response:
        client = self._authorize(request, "campaigns")
        campaign = self._campaigns.get(request.path_params["campaign_id"])
        if campaign is None:
            raise _PixError(404, "campaign not found")
        if campaign.organization_id not in client.organization_ids:
            raise _PixError(403, "campaign outside the client's jurisdiction")
        since_raw = request.query_params.get("since")
        since = _parse_instant(since_raw) if since_raw is not None else None
        if since_raw is not None and since is None:
            raise _PixError(400, "since must be an ISO 8601 date-time")
        rows = self._by_campaign.rows(campaign.id)
        if since is not None:
            rows = [r for r in rows if _changed_since(r, since)]
        page, meta = _page(request, rows, PARTICIPATIONS_PAGE_DEFAULT, PARTICIPATIONS_PAGE_CAP)
        return _RawJSONResponse({"campaignParticipations": page, "page": meta})

    async def sim_add_participation(self, request: Request) -> Response:
        """Add one raw record (any JSON, as fixtures hold them) at ``position`` in the served
        order (default: at the end)."""
        try:
            record = json.loads(await request.body())
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _PixError(400, "the body must be one JSON participation record") from None
        rows = self._data.participations
        raw_position = request.query_params.get("position")
        position = len(rows)
        if raw_position is not None:
            try:
                position = int(raw_position)
            except ValueError:
                raise _PixError(400, "position must be an integer") from None
            if not 0 <= position <= len(rows):
                raise _PixError(400, f"position must be between 0 and {len(rows)}")
        rows.insert(position, record)
        return JSONResponse({"position": position, "count": len(rows)}, status_code=201)

    async def sim_delete_participation(self, request: Request) -> Response:
        """Remove every record whose ``id`` is this one (as a number or as digits)."""
        wanted: int = request.path_params["participation_id"]
        rows = self._data.participations
        kept = [r for r in rows if not _has_id(r, wanted)]
        removed = len(rows) - len(kept)
        if removed == 0:
            raise _PixError(404, "participation not found")
        rows[:] = kept
        return JSONResponse({"removed": removed, "count": len(rows)})

    async def sim_stats(self, request: Request) -> Response:
        return JSONResponse(
            {"tokens_issued": self._stats.tokens_issued, "requests": self._stats.requests}
        )


def create_pix_app(
    data: PixData,
    *,
    token_ttl_seconds: float = 1200.0,
    clock: Callable[[], float] = time.monotonic,
    faults: FaultPlan | None = None,
) -> Starlette:
    """A Starlette app serving ``data`` as the Pix MaDDo API; counters on ``app.state.stats``.

    With ``faults`` (rate > 0) it injects faults (see ``faults.py``; ``app.state.faults``), and
    ``stats.requests`` then counts only the requests that got past the injector.
    """
    stats = PixStats()
    api = _PixApi(data, stats, token_ttl_seconds, clock)
    routes = [
        Route("/api/application/token", api.token, methods=["POST"]),
        Route("/api/organizations", api.organizations, methods=["GET"]),
        Route("/api/organizations/{org_id:int}/campaigns", api.campaigns, methods=["GET"]),
        Route(
            "/api/campaigns/{campaign_id:int}/participations",
            api.participations,
            methods=["GET"],
        ),
        Route("/_sim/stats", api.sim_stats, methods=["GET"]),
        Route("/_sim/participations", api.sim_add_participation, methods=["POST"]),
        Route(
            "/_sim/participations/{participation_id:int}",
            api.sim_delete_participation,
            methods=["DELETE"],
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_CountRequests, stats=stats)],
        exception_handlers={_PixError: _on_error, HTTPException: _on_error},
    )
    app.state.stats = stats
    install_faults(app, faults)
    return app
