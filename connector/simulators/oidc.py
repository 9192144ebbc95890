"""A local OpenID Connect provider for ``pix-imilo demo --console``: demo only, never production.

Code flow with PKCE S256 only; the issuer is the request's base URL (so port 0 works); one RSA
key per app; 60 s single-use codes; in-memory state behind a lock; nothing is logged.

Its answers take the shapes the public specifications give: the discovery document of OpenID
Connect Discovery 1.0 §3, the ID token claims of OpenID Connect Core 1.0 §2 and §5.1, the
token answer and error codes of RFC 6749 §5.1–5.2, PKCE S256 of RFC 7636 §4.2, the key set of
RFC 7517 §5. ``tests/integration/test_oidc_simulator.py`` checks them, and the console is
tested against a third-party provider too (oidc-provider-mock, ``tests/browser``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit

from authlib.deprecate import AuthlibDeprecationWarning  # sets an "always" filter on import
from starlette.applications import Starlette
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

with warnings.catch_warnings():  # authlib.jose announces its move to joserfc on import
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebKey, jwt

__all__ = ["DemoUser", "create_oidc_app"]

CODE_TTL_SECONDS = 60.0
TOKEN_TTL_SECONDS = 3600
_SCOPES = ("openid", "email", "profile")
_OAUTH_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce")
_AUTHORIZE_PARAMS = (*_OAUTH_PARAMS, "code_challenge", "code_challenge_method")
_USER_CLAIMS = ("sub", "email", "email_verified", "name", "groups")
_NO_STORE = {"Cache-Control": "no-store"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
_PAGE_HEADERS = {**_NO_STORE, "Content-Security-Policy": _CSP, "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True, slots=True)
class DemoUser:
    sub: str
    email: str
    name: str  # shown on the sign-in page, e.g. "Camille (conseillère, 65440S00)"
    groups: tuple[str, ...] = ()
    email_verified: bool = True  # False: a provider that lets users type their own address


@dataclass(frozen=True, slots=True)
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    sub: str
    scope: str
    expires_at: float


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}"
        "button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem}"
        "button:focus{outline:3px solid #005fcc}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


def _error_page(message: str) -> HTMLResponse:
    body = f'<h1>Demande refusée</h1>\n<p role="alert">{escape(message)}</p>'
    return _page("Demande refusée — fournisseur d'identité de démonstration", body, status=400)


def _oauth_error(error: str, status: int = 400, challenge: str = "Basic") -> JSONResponse:
    headers = {**_NO_STORE, "WWW-Authenticate": challenge} if status == 401 else _NO_STORE
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def _with_query(url: str, params: Mapping[str, str]) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{urlencode(params)}"


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _Provider:
    def __init__(self, users: Sequence[DemoUser], client_id: str, client_secret: str) -> None:
        self._users = {user.sub: user for user in users}
        if not self._users or len(self._users) != len(users):
            raise ValueError("the demo users must be given, each with its own sub")
        self._client_id = client_id
        self._client_secret = client_secret
        self._key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        self._kid: str = str(self._key.thumbprint())
        self._lock = threading.Lock()
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, tuple[str, float]] = {}  # access token -> (sub, expires_at)

    @staticmethod
    def _issuer(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def discovery(self, request: Request) -> Response:
        issuer = self._issuer(request)
        config = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": list(_SCOPES),
            "claims_supported": ["iss", "aud", "iat", "exp", "nonce", *_USER_CLAIMS],
        }
        return JSONResponse(config)

    async def jwks(self, request: Request) -> Response:
        public = self._key.as_dict(is_private=False, kid=self._kid, use="sig", alg="RS256")
        return JSONResponse({"keys": [public]})

    def _authorize_params(self, source: ImmutableMultiDict[str, Any]) -> dict[str, str] | str:
        """The authorization request's parameters, or why it is refused (in French)."""
        params: dict[str, str] = {}
        for name in _AUTHORIZE_PARAMS:
            values = source.getlist(name)
            if len(values) > 1 or not all(isinstance(v, str) for v in values):
                return f"Le paramètre « {name} » est répété ou invalide."
            if values and values[0] != "":
                params[name] = values[0]
        if params.get("response_type") != "code":
            return "Seul response_type=code est accepté."
        if params.get("client_id") != self._client_id:
            return "Client inconnu."
        if not _is_http_url(params.get("redirect_uri", "")):
            return "L'adresse de retour (redirect_uri) manque ou n'est pas valide."
        if "code_challenge" not in params or params.get("code_challenge_method") != "S256":
            return "PKCE est obligatoire : code_challenge avec la méthode S256."
        if "openid" not in params.get("scope", "").split():
            return "La portée (scope) doit contenir « openid »."
        return params

    async def authorize_page(self, request: Request) -> Response:
        params = self._authorize_params(request.query_params)
        if isinstance(params, str):
            return _error_page(params)
        hidden = "\n".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in params.items()
        )
        buttons = "\n".join(
            f'<button type="submit" name="sub" value="{escape(user.sub)}">'
            f"Se connecter en tant que {escape(user.name)}</button>"
            for user in self._users.values()
        )
        body = (
            "<h1>Fournisseur d'identité de démonstration</h1>\n"
            "<p>Ce fournisseur sert uniquement à la démonstration : aucun mot de passe, "
            "ne l'utilisez jamais en production.</p>\n"
            '<form method="post" action="authorize">\n'
            "<fieldset>\n<legend>Choisissez une personne de démonstration</legend>\n"
            f"{hidden}\n{buttons}\n</fieldset>\n</form>"
        )
        return _page("Connexion de démonstration", body)

    async def authorize_choice(self, request: Request) -> Response:
        form = await request.form()
        params = self._authorize_params(form)
        if isinstance(params, str):
            return _error_page(params)
        sub = form.get("sub")
        if not isinstance(sub, str) or sub not in self._users:
            return _error_page("Personne de démonstration inconnue.")
        code = secrets.token_urlsafe(32)
        grant = _Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce"),
            sub=sub,
            scope=" ".join(s for s in params["scope"].split() if s in _SCOPES),
            expires_at=time.monotonic() + CODE_TTL_SECONDS,
        )
        with self._lock:
            now = time.monotonic()
            self._codes = {k: g for k, g in self._codes.items() if g.expires_at > now}
            self._codes[code] = grant
        answer = {"code": code} | ({"state": params["state"]} if "state" in params else {})
        target = _with_query(params["redirect_uri"], answer)
        return RedirectResponse(target, status_code=302, headers=_NO_STORE)

    def _client_authenticated(self, request: Request, form: Mapping[str, Any]) -> bool:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except ValueError:
                return False
            client_id, _, secret = (unquote_plus(part) for part in decoded.partition(":"))
        if not isinstance(client_id, str) or not isinstance(secret, str):
            return False
        pairs = ((client_id, self._client_id), (secret, self._client_secret))
        return all([hmac.compare_digest(a.encode(), b.encode()) for a, b in pairs])

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if not self._client_authenticated(request, form):
            return _oauth_error("invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        code, verifier = form.get("code"), form.get("code_verifier")
        if not isinstance(code, str) or not isinstance(verifier, str):
            return _oauth_error("invalid_request")
        with self._lock:
            grant = self._codes.pop(code, None)  # single use, even when refused below
        if (
            grant is None
            or grant.expires_at < time.monotonic()
            or grant.client_id != self._client_id
            or form.get("redirect_uri") != grant.redirect_uri
            or not verifier.isascii()
            or not hmac.compare_digest(_s256(verifier).encode(), grant.code_challenge.encode())
        ):
            return _oauth_error("invalid_grant")
        now = int(time.time())
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            alive = time.monotonic()
            self._tokens = {k: v for k, v in self._tokens.items() if v[1] > alive}
            self._tokens[access_token] = (grant.sub, alive + TOKEN_TTL_SECONDS)
        claims: dict[str, Any] = {"iss": self._issuer(request), "aud": self._client_id, "iat": now}
        claims |= {"exp": now + TOKEN_TTL_SECONDS, **self._user_claims(grant.sub)}
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        header = {"alg": "RS256", "kid": self._kid}
        id_token = jwt.encode(header, claims, self._key).decode("ascii")
        body: dict[str, object] = {"access_token": access_token, "token_type": "Bearer"}
        body |= {"expires_in": TOKEN_TTL_SECONDS, "id_token": id_token, "scope": grant.scope}
        return JSONResponse(body, headers={**_NO_STORE, "Pragma": "no-cache"})

    def _user_claims(self, sub: str) -> dict[str, Any]:
        user = self._users[sub]
        values = (sub, user.email, user.email_verified, user.name, list(user.groups))
        return dict(zip(_USER_CLAIMS, values, strict=True))

    async def userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found[1] < time.monotonic():
            return _oauth_error("invalid_token", 401, 'Bearer error="invalid_token"')
        return JSONResponse(self._user_claims(found[0]), headers=_NO_STORE)

    async def logout(self, request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri", "")
        if _is_http_url(target):
            if state := request.query_params.get("state"):
                target = _with_query(target, {"state": state})
            return RedirectResponse(target, status_code=302)
        return _page("Déconnexion", "<h1>Déconnexion</h1>\n<p>Vous êtes déconnecté.</p>")


def create_oidc_app(users: Sequence[DemoUser], *, client_id: str, client_secret: str) -> Starlette:
    """A demo OpenID Connect provider for ``users``, with ``client_id`` as its only client."""
    provider = _Provider(users, client_id, client_secret)
    routes = [
        Route("/.well-known/openid-configuration", provider.discovery, methods=["GET"]),
        Route("/jwks", provider.jwks, methods=["GET"]),
        Route("/authorize", provider.authorize_page, methods=["GET"]),
        Route("/authorize", provider.authorize_choice, methods=["POST"]),
        Route("/token", provider.token, methods=["POST"]),
        Route("/userinfo", provider.userinfo, methods=["GET"]),
        Route("/logout", provider.logout, methods=["GET"]),
    ]
    return Starlette(routes=routes)
