"""I-Milo API simulator, per docs/http-contracts.md.

Control routes under ``/_sim`` (no API key, not counted as writes): ``GET /_sim/state`` exposes
its state; ``POST /_sim/prescriptions`` ``{idDossier, idOffre, datePrescription?}`` opens a new
*prescrit* prescription, as a counsellor does, and answers it with its id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.simulators import imilo_search
from connector.simulators.faults import FaultPlan, install_faults
from connector.simulators.fixtures import ImiloData
from connector.simulators.imilo_model import STATUTS, Answer, ImiloError, fingerprint
from connector.simulators.imilo_sessions import create_imilo_sessions_app
from connector.simulators.imilo_state import ImiloState

__all__ = ["API_KEY_HEADER", "IDEMPOTENCY_HEADER", "IMILO_APIS", "create_imilo_app"]

API_KEY_HEADER = "X-Gravitee-Api-Key"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_READ_METHODS = frozenset({"GET", "HEAD"})
IMILO_APIS = ("contract", "sessions")  # the route sets of ``simulate imilo --api``


def _message(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status, headers=headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ImiloError):
        return _message(exc.status, exc.message)
    # Unknown routes and wrong methods answer in the same {"message"} shape as the rest.
    if isinstance(exc, HTTPException):
        return _message(exc.status_code, exc.detail, exc.headers)
    raise exc


class _GatewayMiddleware:
    """Checks the API key (as the Gravitee gateway does) and counts 2xx write answers.

    Under fault injection (``faults.py``, which sits outside this middleware) ``writes`` counts
    the writes the app answered 2xx, seen or not by the client: a write applied and then dropped
    counts, and so does its replay; a write faulted before reaching the app does not.
    """

    def __init__(self, app: ASGIApp, state: ImiloState) -> None:
        self._app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self._app(scope, receive, send)
            return
        key = Headers(scope=scope).get(API_KEY_HEADER)
        if key is None or key not in self._state.api_keys:
            await _message(401, "missing or unknown API key")(scope, receive, send)
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


class _ImiloApi:
    def __init__(self, state: ImiloState) -> None:
        self._state = state

    async def structure(self, request: Request) -> Response:
        return JSONResponse(self._state.structure(request.path_params["code"]))

    async def offres(self, request: Request) -> Response:
        return JSONResponse(self._state.offres(request.path_params["code"]))

    async def inscrits(self, request: Request) -> Response:
        # One ``statut`` per status kept; none: every status.
        statuts = frozenset(request.query_params.getlist("statut"))
        if not statuts <= STATUTS:
            raise ImiloError(400, f"statut must be one of {', '.join(sorted(STATUTS))}")
        page = _query_int(request, "page", 1)
        taille = _query_int(request, "taille", 150)
        body = self._state.inscrits(
            request.path_params["code"], request.path_params["id_offre"], statuts, page, taille
        )
        return JSONResponse(body)

    async def dossiers(self, request: Request) -> Response:
        query = imilo_search.parse(request.query_params.getlist)
        page = _query_int(request, "page", 1)
        taille = _query_int(request, "taille", 150)
        return JSONResponse(self._state.dossiers(request.path_params["code"], query, page, taille))

    async def dossier(self, request: Request) -> Response:
        return JSONResponse(self._state.dossier(request.path_params["id_dossier"]))

    # One handler per path (not per method) so that a 405 lists every allowed method.
    async def prescription(self, request: Request) -> Response:
        p = request.path_params
        if request.method != "PUT":
            return JSONResponse(self._state.prescription(p["id_dossier"], p["id_prescription"]))
        body = await request.body()
        return await self._write(
            request,
            body,
            lambda: self._state.update_prescription(p["id_dossier"], p["id_prescription"], body),
        )

    async def actualites(self, request: Request) -> Response:
        id_dossier = request.path_params["id_dossier"]
        if request.method != "POST":
            return JSONResponse(self._state.actualites(id_dossier))
        body = await request.body()
        return await self._write(request, body, lambda: self._state.add_actualite(id_dossier, body))

    async def _write(self, request: Request, body: bytes, action: Callable[[], Answer]) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            raise ImiloError(400, f"{IDEMPOTENCY_HEADER} header is required")
        print_ = fingerprint(request.method, request.url.path, body)
        (status, payload), replayed = self._state.idempotent(key, print_, action)
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return JSONResponse(payload, status_code=status, headers=headers)

    async def sim_state(self, request: Request) -> Response:
        return JSONResponse(self._state.snapshot())

    async def sim_open_prescription(self, request: Request) -> Response:
        return JSONResponse(self._state.open_prescription(await request.body()), status_code=201)


def create_imilo_app(
    data: ImiloData, *, faults: FaultPlan | None = None, api: str = "contract"
) -> Starlette:
    """A Starlette app serving a mutable copy of ``data``; its state is on ``app.state.imilo``.

    With ``faults`` (rate > 0) it injects faults (see ``faults.py``; ``app.state.faults``).
    ``api``: ``contract`` (the routes of docs/http-contracts.md, the default) or ``sessions``
    (the gateway's session routes, ``imilo_sessions.py``).
    """
    if api == "sessions":
        return create_imilo_sessions_app(data, faults=faults)
    if api != "contract":
        raise ValueError(f"api must be one of {', '.join(IMILO_APIS)}, got {api!r}")
    state = ImiloState(data)
    handlers = _ImiloApi(state)
    dossier = "/operateurs/dossiers/{id_dossier:int}"
    structure = "/operateurs/structures/{code}"
    routes = [
        Route(structure, handlers.structure, methods=["GET"]),
        Route(f"{structure}/offres", handlers.offres, methods=["GET"]),
        Route(f"{structure}/offres/{{id_offre:int}}/inscrits", handlers.inscrits, methods=["GET"]),
        Route(f"{structure}/dossiers", handlers.dossiers, methods=["GET"]),
        Route("/sue/dossiers/{id_dossier:int}", handlers.dossier, methods=["GET"]),
        Route(
            f"{dossier}/prescriptions/{{id_prescription:int}}",
            handlers.prescription,
            methods=["GET", "PUT"],
        ),
        Route(f"{dossier}/actualites", handlers.actualites, methods=["GET", "POST"]),
        Route("/_sim/state", handlers.sim_state, methods=["GET"]),
        Route("/_sim/prescriptions", handlers.sim_open_prescription, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_GatewayMiddleware, state=state)],
        exception_handlers={ImiloError: _on_error, HTTPException: _on_error},
    )
    app.state.imilo = state
    install_faults(app, faults)
    return app
