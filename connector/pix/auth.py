"""Client-credentials authentication against Pix, as an ``httpx.Auth``.

Pix answers the token request without ``expires_in``; its JWTs live 20 minutes by default.
We renew a token well before that, and once more if Pix answers 401 anyway (a key rotation,
a clock skew, a shorter lifetime than documented).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

import httpx

from connector.errors import FatalApiError, MalformedResponse, TransientApiError
from connector.logs import register_secret

__all__ = ["TOKEN_LIFETIME_SECONDS", "PixTokenAuth"]

TOKEN_LIFETIME_SECONDS = 20 * 60
RENEW_MARGIN_SECONDS = 5 * 60
TOKEN_PATH = "/api/application/token"  # noqa: S105 - a path, not a secret
SCOPES = "meta campaigns"


class PixTokenAuth(httpx.Auth):
    requires_response_body = True

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        lifetime_seconds: float = TOKEN_LIFETIME_SECONDS,
    ) -> None:
        register_secret(client_secret)
        self._token_url = base_url.rstrip("/") + TOKEN_PATH
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._renew_after = max(lifetime_seconds - RENEW_MARGIN_SECONDS, lifetime_seconds / 2)
        self._token: str | None = None
        self._obtained_at = 0.0
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
                "scope": SCOPES,
            },
        )

    def _accept_token(self, response: httpx.Response) -> None:
        if response.status_code in (401, 403):
            # Never echo the answer: a misconfigured gateway may reflect the secret.
            raise FatalApiError(
                "pix",
                "the token request was refused: check PIX_CLIENT_ID, PIX_CLIENT_SECRET "
                "and the client's scopes (meta, campaigns)",
                response.status_code,
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientApiError("pix", "the token service is unavailable", response.status_code)
        if response.status_code != 200:
            raise FatalApiError(
                "pix", "unexpected answer to the token request", response.status_code
            )
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            raise MalformedResponse("pix", "the token answer has no access_token") from None
        if not isinstance(token, str) or not token:
            raise MalformedResponse("pix", "the token answer has no access_token")
        register_secret(token)  # never in a log line, even inside an error message
        self._token = token
        self._obtained_at = self._clock()
        self.tokens_obtained += 1

    def _is_fresh(self) -> bool:
        return self._token is not None and self._clock() - self._obtained_at < self._renew_after

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Several threads read Pix at once: one of them renews, the others wait for its token.
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
