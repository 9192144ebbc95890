"""One request to an API, bounded: a wall-clock deadline and a size cap, whatever the server.

httpx applies its timeouts to each read. A server that sends one byte every two seconds is
then never cut off, and one that sends 500 MB is read whole. Here every exchange (connect,
TLS, headers and body, including Pix's token request made on the way) runs under a
``Bounds``:

- a **deadline**: each socket read and write waits at most until it, and reads wait in short
  slices, so that a shutdown or a run's deadline (the ``stop`` event) cuts even a request
  in flight within a fraction of a second;
- a **size cap**: the answer's body is streamed, and given up past ``max_bytes`` (counted
  after decompression, so a small gzip bomb is no way around it). The bytes read from the
  network are capped too, which covers what httpx reads by itself (the token answer).

The deadline lives in a context variable set around the exchange: the socket layer
(``GuardedTransport``'s network backend) reads it, so each thread's requests carry their own.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

__all__ = [
    "Answer",
    "AnswerTooLarge",
    "Bounds",
    "GuardedTransport",
    "Interrupted",
    "exchange",
]

# How long one wait on a socket lasts before the stop event and the deadline are looked at.
SLICE_SECONDS = 0.25
# The network may bring a little more than the body: status line, headers, chunk sizes.
HEADERS_ALLOWANCE = 256 * 1024


class AnswerTooLarge(Exception):
    """The answer is bigger than the cap: reading it again would not make it smaller."""


class Interrupted(Exception):
    """The stop event was set (a shutdown, or the run's deadline) while the request ran."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """What one request may take: ``seconds`` in all, ``max_bytes`` of body, and no more
    once ``stop`` is set."""

    seconds: float
    max_bytes: int
    stop: threading.Event | None = None

    @classmethod
    def of(cls, seconds: float, max_mb: float, stop: threading.Event | None = None) -> Bounds:
        return cls(seconds, int(max_mb * 1024 * 1024), stop)


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read whole within its bounds."""

    status_code: int
    headers: httpx.Headers
    content: bytes


@dataclass
class _Budget:
    """What is left of the current exchange's bounds (one per exchange, per thread)."""

    deadline: float
    bytes_left: int
    stop: threading.Event | None = None
    read: int = field(default=0)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check(self, what: type[Exception]) -> None:
        if self.stop is not None and self.stop.is_set():
            raise Interrupted("stopped")
        if self.remaining() <= 0:
            raise what("the request's deadline passed")

    def spend(self, count: int) -> None:
        self.bytes_left -= count
        if self.bytes_left < 0:
            raise AnswerTooLarge("the answer is larger than the cap")


_budget: ContextVar[_Budget | None] = ContextVar("exchange_budget", default=None)


@contextmanager
def _bounded(bounds: Bounds) -> Iterator[_Budget]:
    budget = _Budget(
        time.monotonic() + bounds.seconds, bounds.max_bytes + HEADERS_ALLOWANCE, bounds.stop
    )
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def exchange(client: httpx.Client, method: str, url: str, bounds: Bounds, **kwargs: Any) -> Answer:
    """Send a request and read its answer within ``bounds``.

    Raises ``httpx.TimeoutException`` past the deadline, ``Interrupted`` once ``stop`` is
    set, ``AnswerTooLarge`` past the cap, and httpx's other transport errors as they come."""
    with _bounded(bounds) as budget:
        budget.check(httpx.ConnectTimeout)
        with client.stream(method, url, **kwargs) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > bounds.max_bytes:
                raise AnswerTooLarge("the answer announces more than the cap")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > bounds.max_bytes:
                    raise AnswerTooLarge("the answer is larger than the cap")
                chunks.append(chunk)
                budget.check(httpx.ReadTimeout)  # a mock transport has no guarded socket
            return Answer(response.status_code, response.headers, b"".join(chunks))


class _GuardedStream(httpcore.NetworkStream):
    """A socket whose waits end at the exchange's deadline, or on its stop event."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _budget.get()
        if budget is None:
            return self._inner.read(max_bytes, timeout)
        # httpx's own read timeout still holds for each read, within the deadline.
        until = time.monotonic() + timeout if timeout is not None else math.inf
        while True:
            budget.check(httpcore.ReadTimeout)
            wait = min(SLICE_SECONDS, budget.remaining(), until - time.monotonic())
            if wait <= 0:
                raise httpcore.ReadTimeout("the read timed out")
            try:
                data = self._inner.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                continue  # a slice passed with nothing: look at the stop and the deadline
            budget.spend(len(data))
            return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _capped(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` no later than the current exchange's deadline."""
    budget = _budget.get()
    if budget is None:
        return timeout
    budget.check(error)
    left = budget.remaining()
    return left if timeout is None else min(timeout, left)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _GuardedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _GuardedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (TLS verified, HTTP/1.1, keep-alive), on sockets that honour
    the current exchange's deadline, cap and stop event. Redirects are not followed (httpx
    does not by default, and the adapters never ask)."""

    def __init__(self) -> None:
        super().__init__()
        # httpx builds its connection pool without a way to pass a network backend: the
        # same pool is built again with ours (an httpcore option since 1.0).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(),
        )
