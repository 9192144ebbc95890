"""The partner gateway's authentication (``IMILO_API=sessions``), as an ``httpx.Auth``.

Every ``/operateurs/`` request carries three things (docs/imilo-gateway.md):

- ``X-Gravitee-Api-Key``: the key of the API product the route belongs to
  (``sessions-structure``, ``session-detail``, ``instances-ecriture``, ``dossiers``), told
  from the request's path, so that an adapter cannot send a route with another product's key;
- ``operateur``: who we are for the gateway (``IMILO_OPERATEUR``);
- ``Authorization: Bearer``: a token from the identity provider, OAuth2 client credentials
  against ``IMILO_TOKEN_URL``, renewed before it expires and once on a 401.

``GET /sue/dossiers/{id}`` carries its product's API key only.

Secrets (the client secret, the API keys, each token) are registered with the log scrubber
and never put in a message; an answer to the token request is never echoed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Mapping

import httpx

from connector.errors import (
    ConfigurationError,
    FatalApiError,
    MalformedResponse,
    TransientApiError,
)
from connector.logs import register_secret

__all__ = [
    "API_KEY_HEADER",
    "API_PRODUCTS",
    "OPERATEUR_HEADER",
    "GatewayAuth",
    "product_keys",
    "product_of",
]

API_KEY_HEADER = "X-Gravitee-Api-Key"
OPERATEUR_HEADER = "operateur"
SESSIONS_STRUCTURE = "sessions-structure"
SESSION_DETAIL = "session-detail"
INSTANCES_ECRITURE = "instances-ecriture"
DOSSIERS = "dossiers"
API_PRODUCTS = (SESSIONS_STRUCTURE, SESSION_DETAIL, INSTANCES_ECRITURE, DOSSIERS)
# A token is renewed this long before it expires, and at the latest halfway through its life.
RENEW_MARGIN_SECONDS = 60.0
# When the identity provider does not say how long its token lives.
DEFAULT_LIFETIME_SECONDS = 300.0


def product_keys(default: str | None, per_product: Mapping[str, str]) -> dict[str, str]:
    """Each API product's key: its own (``IMILO_API_KEYS_FILE``), else ``IMILO_API_KEY``.

    Raises ``ConfigurationError`` naming the products left without a key, or a product the
    gateway does not have (a typo would otherwise send a route with the default key)."""
    unknown = sorted(set(per_product) - set(API_PRODUCTS))
    if unknown:
        raise ConfigurationError(
            f"IMILO_API_KEYS_FILE: unknown API product(s) {', '.join(unknown)} "
            f"(the products are {', '.join(API_PRODUCTS)})"
        )
    keys = {p: (per_product.get(p) or default or "").strip() for p in API_PRODUCTS}
    missing = [p for p, key in keys.items() if not key]
    if missing:
        raise ConfigurationError(
            f"no API key for the gateway's product(s) {', '.join(missing)}: set IMILO_API_KEY, "
            "or give each product its key in IMILO_API_KEYS_FILE"
        )
    return keys


def product_of(raw_path: str) -> str | None:
    """The API product of a gateway route, from its path as sent (segments escaped), or
    None for a route the adapter never calls."""
    parts = raw_path.split("?", 1)[0].strip("/").split("/")
    match parts:
        case ["sue", "dossiers", _]:
            return DOSSIERS
        case ["operateurs", "structures", _, "sessions"]:
            return SESSIONS_STRUCTURE
        case ["operateurs", "sessions", _] | ["operateurs", "sessions", _, "inscrits"]:
            return SESSION_DETAIL
        case ["operateurs", "dossiers", _, "instances-session", _]:
            return INSTANCES_ECRITURE
        case _:
            return None


class GatewayAuth(httpx.Auth):
    """Client credentials with renewal, the ``operateur`` header and each product's key."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        operateur: str,
        api_keys: Mapping[str, str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keys = product_keys(None, api_keys)
        for secret in (client_secret, *self._keys.values()):
            register_secret(secret)
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._operateur = operateur
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._renewing = threading.Lock()
        self.tokens_obtained = 0

    def _token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST",
            self._token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            headers={"Accept": "application/json"},
        )

    def _accept_token(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in (400, 401, 403):
            # Never echo the answer: a misconfigured provider may reflect the secret.
            raise FatalApiError(
                "imilo",
                "the token request was refused: check IMILO_TOKEN_URL, IMILO_CLIENT_ID and "
                "IMILO_CLIENT_SECRET",
                status,
            )
        if status == 429 or status >= 500:
            raise TransientApiError("imilo", "the token service is unavailable", status)
        if status != 200:
            raise FatalApiError("imilo", "unexpected answer to the token request", status)
        try:
            body = response.json()
        except ValueError:
            raise MalformedResponse("imilo", "the token answer is not JSON") from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise MalformedResponse("imilo", "the token answer has no access_token")
        kind = body.get("token_type")
        if kind is not None and str(kind).lower() != "bearer":
            raise MalformedResponse("imilo", "the token answer is not a bearer token")
        register_secret(token)  # never in a log line, even inside an error message
        lifetime = _lifetime(body.get("expires_in"))
        self._token = token
        self._renew_at = self._clock() + max(lifetime - RENEW_MARGIN_SECONDS, lifetime / 2)
        self.tokens_obtained += 1

    def _is_fresh(self) -> bool:
        return self._token is not None and self._clock() < self._renew_at

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        product = product_of(request.url.raw_path.decode("ascii"))
        if product is None:
            raise FatalApiError("imilo", "a request to a route of no known API product")
        request.headers[API_KEY_HEADER] = self._keys[product]
        if product == DOSSIERS:
            yield request  # the API key only
            return
        request.headers[OPERATEUR_HEADER] = self._operateur
        # Several threads read I-Milo at once: one renews, the others wait for its token.
        if not self._is_fresh():
            with self._renewing:
                if not self._is_fresh():
                    self._accept_token((yield self._token_request()))
        sent_with = self._token
        request.headers["Authorization"] = f"Bearer {sent_with}"
        response = yield request
        if response.status_code == 401:
            with self._renewing:
                if self._token == sent_with:  # nobody renewed it meanwhile
                    self._accept_token((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request


def _lifetime(value: object) -> float:
    """``expires_in`` in seconds, or the default when it is missing or makes no sense."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return DEFAULT_LIFETIME_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        return DEFAULT_LIFETIME_SECONDS
    return seconds if 0 < seconds < 10 * 365 * 86400 else DEFAULT_LIFETIME_SECONDS
