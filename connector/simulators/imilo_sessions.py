"""The I-Milo simulator's gateway mode (``pix-imilo simulate imilo --api sessions``).

It serves the partner gateway's session routes of docs/imilo-gateway.md from the same fixture
and the same :class:`ImiloState` as the contract mode (``imilo.py``): an offer's prescriptions
are the registrations of its sessions (``imilo_sessions_model.py``), and a registration write
sets the prescription's status and date of realisation, so ``/_sim/state`` scores both modes
alike.

Authentication, as the gateway asks: every route but ``/_sim/*`` and the token endpoint needs
an ``X-Gravitee-Api-Key`` of ``api_keys.json``; every ``/operateurs/`` route also needs a
non-empty ``operateur`` header and ``Authorization: Bearer <token>``, a token this simulator
issued at ``POST /oauth/token`` (client credentials: any client id, the secret ``sim-secret``)
and not expired. Failures answer ``401 {"message"}``.

``writes`` (in ``/_sim/state``) counts every non-GET answered 2xx, token requests excluded.
Faults (``faults.py``) hit every route but ``/_sim/*``, the token endpoint included.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from urllib.parse import parse_qs, unquote

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.simulators.faults import FaultPlan, install_faults
from connector.simulators.fixtures import ImiloData
from connector.simulators.imilo_model import ImiloError, is_date
from connector.simulators.imilo_sessions_model import PAGE_MAX, SessionsView
from connector.simulators.imilo_state import ImiloState

__all__ = [
    "OPERATEUR_HEADER",
    "SIM_CLIENT_SECRET",
    "TOKEN_PATH",
    "TOKEN_TTL_SECONDS",
    "create_imilo_sessions_app",
]

API_KEY_HEADER = "X-Gravitee-Api-Key"
OPERATEUR_HEADER = "operateur"
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
SIM_CLIENT_SECRET = "sim-secret"  # noqa: S105 - the simulator's documented test secret
TOKEN_TTL_SECONDS = 300
_READ_METHODS = frozenset({"GET", "HEAD"})


def _message(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status, headers=headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ImiloError):
        return _message(exc.status, exc.message)
    if isinstance(exc, HTTPException):
        return _message(exc.status_code, exc.detail, exc.headers)
    raise exc


class _Tokens:
    """The access tokens issued, each with its expiry on ``clock``."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._expiries: dict[str, float] = {}
        self.issued = 0

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            # Forget the expired ones, so a long run does not keep every token ever issued.
            self._expiries = {t: at for t, at in self._expiries.items() if at > now}
            self._expiries[token] = now + self.ttl
            self.issued += 1
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiries.get(token)
            return expiry is not None and self._clock() < expiry


def _bearer(headers: Headers) -> str:
    kind, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if kind.lower() == "bearer" else ""


class _SessionsGateway:
    """Checks what the gateway checks, and counts 2xx write answers (see the module)."""

    def __init__(self, app: ASGIApp, state: ImiloState, tokens: _Tokens) -> None:
        self._app = app
        self._state = state
        self._tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_sim") or path == TOKEN_PATH:
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = None
        key = headers.get(API_KEY_HEADER)
        if key is None or key not in self._state.api_keys:
            refusal = "missing or unknown API key"
        elif path.startswith("/operateurs/"):
            if not headers.get(OPERATEUR_HEADER, "").strip():
                refusal = "operateur header is required"
            elif not self._tokens.valid(_bearer(headers)):
                refusal = "missing, unknown or expired bearer token"
        if refusal is not None:
            await _message(401, refusal)(scope, receive, send)
            return
        if scope["method"] in _READ_METHODS:
            await self._app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                with self._state.lock:
                    self._state.writes += 1
            await send(message)

        await self._app(scope, receive, counting_send)


def _query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImiloError(400, f"{name} must be an integer") from None
    if value < 1:
        raise ImiloError(400, f"{name} must be at least 1")
    return value


def _query_date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not is_date(raw):
        raise ImiloError(400, f"{name} must be a date yyyy-MM-dd")
    return date.fromisoformat(raw)


def _credentials(request: Request, form: dict[str, list[str]]) -> tuple[str, str]:
    """The client id and secret, from the form or else from HTTP Basic (RFC 6749, 2.3.1)."""

    def field(name: str) -> str:
        values = form.get(name)
        return values[0] if values else ""

    client_id, secret = field("client_id"), field("client_secret")
    kind, _, value = request.headers.get("authorization", "").partition(" ")
    if not secret and kind.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return client_id, secret
        basic_id, _, basic_secret = decoded.partition(":")
        client_id, secret = unquote(basic_id), unquote(basic_secret)
    return client_id, secret


class _SessionsApi:
    def __init__(self, state: ImiloState, view: SessionsView, tokens: _Tokens) -> None:
        self._state = state
        self._view = view
        self._tokens = tokens

    async def token(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if form.get("grant_type", [""])[0] != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        client_id, secret = _credentials(request, form)
        if not client_id or not secrets.compare_digest(secret.encode(), SIM_CLIENT_SECRET.encode()):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        return JSONResponse(
            {
                "access_token": self._tokens.issue(),
                "token_type": "Bearer",
                "expires_in": int(self._tokens.ttl),
            },
            headers={"Cache-Control": "no-store"},
        )

    async def sessions(self, request: Request) -> Response:
        taille = min(_query_int(request, "taillePage", PAGE_MAX), PAGE_MAX)
        page = _query_int(request, "page", 1)
        start = _query_date(request, "dateDebutRecherche")
        end = _query_date(request, "dateFinRecherche")
        found = self._view.listing(request.path_params["code"], start, end)
        selected = found[(page - 1) * taille : page * taille]
        return JSONResponse({"page": page, "nbSessions": len(found), "sessions": selected})

    async def session(self, request: Request) -> Response:
        return JSONResponse(self._view.detail(request.path_params["id_session"]))

    async def inscrits(self, request: Request) -> Response:
        return JSONResponse(self._view.inscrits(request.path_params["id_session"]))

    async def write(self, request: Request) -> Response:
        p = request.path_params
        self._state.write_registration(
            p["id_dossier"], p["id_instance_session"], await request.body()
        )
        return Response(status_code=204)

    async def dossier(self, request: Request) -> Response:
        return JSONResponse(self._state.dossier(request.path_params["id_dossier"]))

    async def sim_state(self, request: Request) -> Response:
        return JSONResponse(self._state.snapshot())

    async def sim_open_prescription(self, request: Request) -> Response:
        return JSONResponse(self._state.open_prescription(await request.body()), status_code=201)


def create_imilo_sessions_app(
    data: ImiloData,
    *,
    faults: FaultPlan | None = None,
    token_ttl_seconds: float = TOKEN_TTL_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    today: date | None = None,
) -> Starlette:
    """A Starlette app serving a mutable copy of ``data`` on the gateway's session routes.

    Its state is on ``app.state.imilo`` (as in the contract mode), the tokens it issued on
    ``app.state.tokens``; ``today`` (default: the local date) gives undated prescriptions
    their session's month. With ``faults`` (rate > 0) it injects faults (``faults.py``).
    """
    state = ImiloState(data)
    tokens = _Tokens(token_ttl_seconds, clock)
    view = SessionsView(state, (today or date.today()).strftime("%Y-%m"))
    api = _SessionsApi(state, view, tokens)
    session = "/operateurs/sessions/{id_session:int}"
    routes = [
        Route(TOKEN_PATH, api.token, methods=["POST"]),
        Route("/operateurs/structures/{code}/sessions", api.sessions, methods=["GET"]),
        Route(session, api.session, methods=["GET"]),
        Route(f"{session}/inscrits", api.inscrits, methods=["GET"]),
        Route(
            "/operateurs/dossiers/{id_dossier:int}/instances-session/{id_instance_session:int}",
            api.write,
            methods=["PUT"],
        ),
        Route("/sue/dossiers/{id_dossier:int}", api.dossier, methods=["GET"]),
        Route("/_sim/state", api.sim_state, methods=["GET"]),
        Route("/_sim/prescriptions", api.sim_open_prescription, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SessionsGateway, state=state, tokens=tokens)],
        exception_handlers={ImiloError: _on_error, HTTPException: _on_error},
    )
    app.state.imilo = state
    app.state.tokens = tokens
    install_faults(app, faults)
    return app
