"""What both HTTP adapters do with an answer, whatever the API: transport failures and
429/5xx are transient, other 4xx are refusals, a body must be JSON, and every exchange is
bounded in time and size (``connector.transport.exchange``).

Each adapter first handles the statuses that mean something particular for its API
(Pix's 403 on scopes, I-Milo's 401, 404 and 409), around these shared steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from connector.errors import (
    AnswerTooLarge,
    FatalApiError,
    MalformedResponse,
    TransientApiError,
)
from connector.transport.exchange import Answer, Interrupted
from connector.transport.exchange import AnswerTooLarge as _TooLarge
from connector.transport.retry import retry_after_seconds

__all__ = ["json_body", "raise_if_transient", "send"]


def send(api: str, what: str, request: Callable[[], Answer]) -> Answer:
    """Make the request; a timeout, a failed connection or a stop is transient, an answer
    over the size cap is not (it would be as large again)."""
    try:
        return request()
    except httpx.TimeoutException:
        raise TransientApiError(api, f"{what} timed out") from None
    except Interrupted:
        raise TransientApiError(api, f"{what}: stopped (shutdown or run deadline)") from None
    except _TooLarge:
        raise AnswerTooLarge(api, f"{what}: the answer is larger than the size cap") from None
    except httpx.TransportError:
        raise TransientApiError(api, f"{what}: connection failed") from None


def raise_if_transient(api: str, what: str, response: Answer) -> None:
    """429 and 5xx may succeed later, after ``Retry-After`` if the server says so."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise TransientApiError(
            api,
            f"{what} is unavailable",
            status,
            retry_after_seconds(response.headers.get("retry-after")),
        )


def json_body(api: str, what: str, response: Answer) -> Any:
    """The answer's JSON; any other 4xx is a refusal, any other body is malformed."""
    status = response.status_code
    if status >= 400:
        raise FatalApiError(api, f"{what} was refused", status)
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type:
        raise MalformedResponse(api, f"{what}: expected JSON, got {content_type[:40]!r}", status)
    try:
        return json.loads(response.content)  # UTF-8, -16 or -32, as JSON allows
    except RecursionError:
        raise MalformedResponse(api, f"{what}: the answer is nested too deep", status) from None
    except (ValueError, LookupError):  # bad JSON or bytes (ValueError), unknown charset
        raise MalformedResponse(api, f"{what}: the answer is not valid JSON", status) from None
