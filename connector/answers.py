"""What both HTTP adapters do with an answer, whatever the API: transport failures and
429/5xx are transient, other 4xx are refusals, and a body must be JSON.

Each adapter first handles the statuses that mean something particular for its API
(Pix's 403 on scopes, I-Milo's 401, 404 and 409), around these shared steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connector.errors import FatalApiError, MalformedResponse, TransientApiError
from connector.retry import retry_after_seconds

__all__ = ["json_body", "raise_if_transient", "send"]


def send(api: str, what: str, request: Callable[[], httpx.Response]) -> httpx.Response:
    """Make the request; a timeout or a failed connection is transient."""
    try:
        return request()
    except httpx.TimeoutException:
        raise TransientApiError(api, f"{what} timed out") from None
    except httpx.TransportError:
        raise TransientApiError(api, f"{what}: connection failed") from None


def raise_if_transient(api: str, what: str, response: httpx.Response) -> None:
    """429 and 5xx may succeed later, after ``Retry-After`` if the server says so."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise TransientApiError(
            api,
            f"{what} is unavailable",
            status,
            retry_after_seconds(response.headers.get("retry-after")),
        )


def json_body(api: str, what: str, response: httpx.Response) -> Any:
    """The answer's JSON; any other 4xx is a refusal, any other body is malformed."""
    status = response.status_code
    if status >= 400:
        raise FatalApiError(api, f"{what} was refused", status)
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type:
        raise MalformedResponse(api, f"{what}: expected JSON, got {content_type[:40]!r}", status)
    try:
        return response.json()
    except RecursionError:
        raise MalformedResponse(api, f"{what}: the answer is nested too deep", status) from None
    except (ValueError, LookupError):  # bad JSON or bytes (ValueError), unknown charset
        raise MalformedResponse(api, f"{what}: the answer is not valid JSON", status) from None
