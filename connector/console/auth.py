"""Sign-in with the organisation's identity provider: OpenID Connect, code flow with PKCE.

Authlib does the protocol (discovery, state, nonce, PKCE S256, the ID token's signature,
issuer, audience and expiry). What the console keeps of the ID token, in its signed session
cookie, is who signed in: subject, e-mail, display name and groups (the claim named by
``CONNECTOR_OIDC_GROUPS_CLAIM``). None of it is ever logged.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from connector.console.settings import ConsoleSettings
from connector.domain.access import Viewer

# Authlib 1.9 announces its next major version's module moves on import (and forces such
# warnings on): nothing for the console's users to act on, so not in its output.
with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401 - sets its "always" filter: ours goes before it

    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError

__all__ = ["CALLBACK_PATH", "SignIn", "SignedIn", "signed_in"]

CALLBACK_PATH = "/auth/callback"
SIGN_IN_PATH = "/connexion"
_SESSION_KEY = "viewer"
_CSRF_KEY = "csrf"
_MAX_GROUPS = 200

log = structlog.get_logger("connector.console")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who signed in, as the session keeps it."""

    sub: str
    email: str | None
    name: str
    groups: frozenset[str]

    @property
    def viewer(self) -> Viewer:
        return Viewer(email=self.email, groups=self.groups)

    @property
    def label(self) -> str:
        """How a decision records its author (``decided_by``): the e-mail, else the subject."""
        return self.email or f"sub:{self.sub}"


def signed_in(request: Request) -> SignedIn | None:
    found = request.session.get(_SESSION_KEY)
    if not isinstance(found, dict):
        return None
    return SignedIn(
        sub=str(found.get("sub", "")),
        email=found.get("email") or None,
        name=str(found.get("name") or found.get("email") or ""),
        groups=frozenset(str(g) for g in found.get("groups", ())),
    )


def csrf_token(request: Request) -> str:
    token = request.session.get(_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_KEY] = token
    return token


def _groups(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [str(g) for g in value if isinstance(g, str | int)][:_MAX_GROUPS]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this console only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return target


class SignIn:
    """The routes' handlers for signing in and out."""

    def __init__(self, settings: ConsoleSettings) -> None:
        self._settings = settings
        self._oauth = OAuth()
        issuer = str(settings.oidc_issuer).rstrip("/")
        self._oauth.register(
            name="idp",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value() or None,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
        self._client: Any = self._oauth.create_client("idp")

    async def start(self, request: Request) -> Response:
        request.session["next"] = safe_next(request.query_params.get("suivant"))
        redirect_uri = f"{self._settings.base_url}{CALLBACK_PATH}"
        try:
            answer: Response = await self._client.authorize_redirect(request, redirect_uri)
        except Exception as error:  # the provider unreachable, its discovery broken
            log.error("console_sign_in_unavailable", error_type=type(error).__name__)
            raise SignInFailed from None
        return answer

    async def callback(self, request: Request) -> Response:
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as error:
            log.warning("console_sign_in_refused", error=error.error)
            raise SignInFailed from None
        except Exception as error:  # e.g. the provider unreachable
            log.error("console_sign_in_failed", error_type=type(error).__name__)
            raise SignInFailed from None
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise SignInFailed
        wanted = ("email", self._settings.oidc_groups_claim)
        if not all(claims.get(name) for name in wanted):
            # Some providers put the e-mail or the groups only in the userinfo answer.
            claims = {**await self._userinfo(token), **claims}
        going = safe_next(request.session.get("next"))
        # A new session for the signed-in user: nothing of the anonymous one carries over.
        request.session.clear()
        email = claims.get("email")
        if claims.get("email_verified") is False:
            email = None  # an address the provider has not verified grants nothing
        request.session[_SESSION_KEY] = {
            "sub": str(claims["sub"]),
            "email": str(email).strip().lower() if isinstance(email, str) and email else None,
            "name": str(claims.get("name") or claims.get("preferred_username") or ""),
            "groups": _groups(claims, self._settings.oidc_groups_claim),
        }
        request.session[_CSRF_KEY] = secrets.token_urlsafe(32)
        log.info("console_signed_in")
        return RedirectResponse(going, status_code=303)

    async def _userinfo(self, token: dict[str, Any]) -> dict[str, Any]:
        try:
            found = await self._client.userinfo(token=token)
        except Exception as error:  # the ID token's claims stand alone then
            log.warning("console_userinfo_unavailable", error_type=type(error).__name__)
            return {}
        return {k: v for k, v in dict(found).items() if k != "sub"}


class SignInFailed(Exception):
    """Signing in did not succeed; the page says so without details."""
