"""Rendering the console's pages, its errors, and the check every form goes through."""

from __future__ import annotations

import hmac
from typing import Any

import jinja2
import structlog
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from connector.console.auth import SignedIn, csrf_token

__all__ = ["FormRefused", "NotFound", "Pages", "check_form"]

log = structlog.get_logger("connector.console")
_MAX_FORM_FIELDS = 20


class NotFound(Exception):
    """404: unknown, or not this user's to see (the two are not told apart)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class FormRefused(Exception):
    """403: a form posted without its session's CSRF token, or from another origin."""


async def check_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's (and the browser's Origin,
    when it says one, is this console's)."""
    form = await request.form(max_files=0, max_fields=_MAX_FORM_FIELDS)
    expected = request.session.get("csrf")
    given = form.get("csrf")
    if not isinstance(expected, str) or not isinstance(given, str):
        raise FormRefused
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise FormRefused
    origin = request.headers.get("origin")
    base = request.app.state.base_url
    if origin not in (None, "null") and origin.rstrip("/") != _origin(base):
        raise FormRefused
    return form


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("connector.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=environment)


class Pages:
    def __init__(self) -> None:
        self._templates = _templates()

    def render(
        self,
        request: Request,
        user: SignedIn | None,
        template: str,
        *,
        status_code: int = 200,
        **values: Any,
    ) -> Response:
        context = {
            "user": user,
            "csrf": csrf_token(request) if user is not None else "",
            "section": values.pop("section", ""),
            "is_admin": values.pop("is_admin", False),
            **values,
        }
        return self._templates.TemplateResponse(request, template, context, status_code=status_code)

    def error(self, request: Request, user: SignedIn | None, status: int, message: str) -> Response:
        titles = {
            400: "Demande incorrecte",
            403: "Action refusée",
            404: "Page introuvable",
            500: "Erreur du serveur",
            502: "Connexion impossible",
        }
        try:
            return self.render(
                request,
                user,
                "error.html",
                status_code=status,
                title=titles.get(status, "Erreur"),
                message=message,
            )
        except Exception:  # an error page must not fail
            return HTMLResponse(f"<p>{titles.get(status, 'Erreur')}</p>", status_code=status)
