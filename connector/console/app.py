"""The web console as a Starlette app: sign-in, « À vérifier », « Activité », « Charte ».

Every page but the sign-in's needs a signed-in user; a signed-out visitor is sent to sign
in. Sessions are signed cookies (``HttpOnly``, ``SameSite=Lax``, ``Secure`` outside
localhost); every form carries the session's CSRF token. A page of a structure the user may
not see answers 404, as an unknown one does, and is logged with no personal data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import structlog
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.console.auth import (
    CALLBACK_PATH,
    SIGN_IN_PATH,
    SignedIn,
    SignIn,
    SignInFailed,
    signed_in,
)
from connector.console.context import ConsoleContext
from connector.console.overview_pages import OverviewPages
from connector.console.pages import FormRefused, NotFound, Pages, check_form
from connector.console.review_pages import ReviewPages

__all__ = ["SESSION_COOKIE", "create_console_app"]

SESSION_COOKIE = "pix_imilo_console"
SESSION_HOURS = 10
_STATIC = Path(__file__).parent / "static"
log = structlog.get_logger("connector.console")

_FORM_REFUSED = (
    "Ce formulaire a expiré ou ne vient pas de la console : rechargez la page et recommencez."
)
_SIGN_IN_FAILED = (
    "La connexion avec le fournisseur d'identité a échoué. Réessayez ; si cela persiste, "
    "prévenez l'équipe qui exploite le connecteur."
)

Page = Callable[[Request, SignedIn], Response]

_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
        b"script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """No framing, no sniffing, no third-party content; pages with personal data never
    cached."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + _HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, sending)


def create_console_app(context: ConsoleContext) -> Starlette:
    settings = context.settings
    pages = Pages()
    sign_in = SignIn(settings)
    review = ReviewPages(context, pages)
    overview = OverviewPages(context, pages)

    def page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            user = signed_in(request)
            if user is None:
                return _to_sign_in(request)
            return await run_in_threadpool(handler, request, user)

        return endpoint

    def _to_sign_in(request: Request) -> Response:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{SIGN_IN_PATH}?suivant={quote(wanted)}", status_code=303)

    async def item(request: Request) -> Response:
        user = signed_in(request)
        if user is None:
            return _to_sign_in(request)
        return await run_in_threadpool(review.item, request, user, _item_id(request))

    async def decision(request: Request) -> Response:
        user = signed_in(request)
        if user is None:
            return _to_sign_in(request)
        return await review.decide(request, user, _item_id(request))

    async def sign_out(request: Request) -> Response:
        if signed_in(request) is not None:
            await check_form(request)
        request.session.clear()
        return pages.render(request, None, "signed_out.html", title="Déconnexion")

    async def home(request: Request) -> Response:
        return RedirectResponse("/a-verifier", status_code=303)

    async def not_found(request: Request, error: Exception) -> Response:
        why = error.why if isinstance(error, NotFound) else "no_such_page"
        user = signed_in(request)
        if user is None and not isinstance(error, NotFound):
            return (
                _to_sign_in(request)
                if request.method == "GET"
                else pages.error(request, None, 404, "Cette page n'existe pas.")
            )
        log.warning("console_not_found", why=why, method=request.method)
        return pages.error(
            request, user, 404, "Cette page n'existe pas, ou elle n'est pas de votre structure."
        )

    async def refused(request: Request, _error: Exception) -> Response:
        log.warning("console_form_refused", path_kind=request.url.path.split("/")[1][:20])
        return pages.error(
            request,
            signed_in(request),
            403,
            _FORM_REFUSED,
        )

    async def sign_in_failed(request: Request, _error: Exception) -> Response:
        return pages.error(
            request,
            None,
            502,
            _SIGN_IN_FAILED,
        )

    async def http_error(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        if status == 404:
            return await not_found(request, error)
        return pages.error(request, signed_in(request), status, "La demande n'a pas pu aboutir.")

    async def crashed(request: Request, error: Exception) -> Response:
        log.error("console_error", error_type=type(error).__name__)
        return pages.error(
            request, signed_in(request), 500, "Une erreur est survenue ; elle a été enregistrée."
        )

    app = Starlette(
        routes=[
            Route("/", home),
            Route(SIGN_IN_PATH, sign_in.start),
            Route(CALLBACK_PATH, sign_in.callback),
            Route("/deconnexion", sign_out, methods=["POST"]),
            Route("/a-verifier", page(review.listing)),
            Route("/a-verifier/{item:int}", item),
            Route("/a-verifier/{item:int}/decision", decision, methods=["POST"]),
            Route("/activite", page(overview.activity)),
            Route("/activite.csv", page(overview.activity_csv)),
            Route("/charte", page(overview.charter)),
            Mount("/static", app=StaticFiles(directory=_STATIC), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.session_secret.get_secret_value(),
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
        ],
        exception_handlers={
            NotFound: not_found,
            FormRefused: refused,
            SignInFailed: sign_in_failed,
            HTTPException: http_error,
            Exception: crashed,
        },
    )
    app.state.base_url = settings.base_url
    return app


def _item_id(request: Request) -> int:
    value = request.path_params["item"]
    if not isinstance(value, int) or not 0 < value < 2**63:
        raise NotFound("review_item_unknown")
    return value
