"""An httpx transport that times every request for the metrics, whatever the adapter."""

from __future__ import annotations

import time
from typing import Protocol

import httpx

__all__ = ["ApiObserver", "InstrumentedTransport"]


class ApiObserver(Protocol):
    def observe_request(self, api: str, status: int | None, seconds: float) -> None: ...

    def observe_retry(self, api: str) -> None: ...


class InstrumentedTransport(httpx.BaseTransport):
    """Wraps a transport; reports each request's duration and status (None: no answer)."""

    def __init__(self, inner: httpx.BaseTransport, api: str, observer: ApiObserver) -> None:
        self._inner = inner
        self._api = api
        self._observer = observer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError:
            self._observer.observe_request(self._api, None, time.perf_counter() - started)
            raise
        self._observer.observe_request(
            self._api, response.status_code, time.perf_counter() - started
        )
        return response

    def close(self) -> None:
        self._inner.close()
