"""Fault injection for the simulators: seeded 500/503/429, stalls and dropped connections.

Chaos tests wrap a simulator in :class:`FaultInjector` (``create_*_app(..., faults=plan)``) to
check that the connector retries, times out and stays idempotent. ``GET /_sim/faults`` reports
what was injected; nothing under ``/_sim`` is ever faulted, so tests can always observe.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import threading
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["FAULT_KINDS", "FaultInjector", "FaultPlan", "WritesCounterHook", "install_faults"]

FAULT_KINDS: tuple[str, ...] = ("500", "503", "429", "stall", "drop")
_READ_METHODS = frozenset({"GET", "HEAD"})
# Answers that carry no body (the gateway mode's registration write answers 204).
_BODYLESS = frozenset({204, 304})
_MESSAGE = "injected fault"
# What uvicorn logs at ERROR when an app leaves a response unfinished, which a drop does on purpose.
_UVICORN_INCOMPLETE = "ASGI callable returned without completing response."

WritesCounterHook = Callable[[str, bool], None]
"""Called as ``hook(kind, applied)`` for each faulted write; ``applied``: the app handled it."""


@dataclass(frozen=True)
class FaultPlan:
    """How often to inject a fault (``rate``, 0–1) and how, reproducibly for a given ``seed``."""

    rate: float = 0.0
    seed: int = 0
    stall_seconds: float = 35.0
    retry_after_seconds: int = 1

    def __post_init__(self) -> None:
        # Written so that NaN fails too.
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate}")
        if not (math.isfinite(self.stall_seconds) and self.stall_seconds >= 0):
            raise ValueError(f"stall_seconds must be a finite number ≥ 0, got {self.stall_seconds}")
        if self.retry_after_seconds < 0:
            raise ValueError(f"retry_after_seconds must be ≥ 0, got {self.retry_after_seconds}")


# Set in the request's task when we cut a connection on purpose, so that the log filter below
# can tell our drops from a real bug in an app (the task context is per request in uvicorn).
_dropping: ContextVar[bool] = ContextVar("fault_injector_dropping", default=False)


class _HideDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_dropping.get() and record.getMessage() == _UVICORN_INCOMPLETE)


_log_filter_lock = threading.Lock()


def _hide_drop_errors_in_uvicorn_logs() -> None:
    # A chaos run drops many connections; an ERROR line for each would read like a server bug.
    uvicorn_logger = logging.getLogger("uvicorn.error")
    with _log_filter_lock:
        if not any(isinstance(f, _HideDeliberateDrops) for f in uvicorn_logger.filters):
            uvicorn_logger.addFilter(_HideDeliberateDrops())


def _error_response(kind: str, retry_after: int) -> Response:
    status = int(kind)
    # One body for both simulators: I-Milo clients read "message", Pix (JSON:API) ones "errors".
    body = {"message": _MESSAGE, "errors": [{"status": kind, "title": _MESSAGE}]}
    headers = {"Retry-After": str(retry_after)} if status == 429 else None
    return JSONResponse(body, status_code=status, headers=headers)


async def _send_truncated(send: Send, start: Message, body: bytes) -> None:
    """Sends ``start`` and half of ``body`` under a larger content-length, then gives up.

    Returning with the response unfinished makes uvicorn close the connection, so the client
    reads a short body and fails (httpx: ``RemoteProtocolError``). Ending the body with
    ``more_body=False`` instead would make uvicorn's own length check raise before the close.
    """
    partial = body[: len(body) // 2]
    declared = max(len(body), len(partial) + 1)
    status = start["status"]
    if status in _BODYLESS:
        # Their head is a complete answer, which a client would take for a success: send a
        # 200 whose body never comes, so that the drop still reads as a cut connection.
        status = 200
    headers = [
        (name, value)
        for name, value in start.get("headers", [])
        if name.lower() not in (b"content-length", b"transfer-encoding")
    ]
    headers.append((b"content-length", str(declared).encode()))
    _dropping.set(True)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": partial, "more_body": True})


async def _read_request(receive: Receive) -> list[Message] | None:
    """The request's body messages, or None if the client hung up first."""
    messages: list[Message] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        messages.append(message)
        if not message.get("more_body", False):
            return messages


async def _until_disconnect(receive: Receive) -> None:
    # Once the body is read, an ASGI server's receive() only returns on disconnect.
    while (await receive())["type"] != "http.disconnect":
        pass


class FaultInjector:
    """Pure ASGI middleware injecting faults into every HTTP request outside ``/_sim``.

    One ``random.Random(plan.seed)`` behind a lock decides, request by request in arrival order,
    whether to fault (probability ``plan.rate``) and which kind, uniformly in ``FAULT_KINDS``:

    - ``500``/``503``/``429`` (with ``Retry-After``): an error answer; the app is not called.
    - ``stall``: wait ``plan.stall_seconds``, then let the app answer normally; if the client
      hangs up meanwhile (its timeout), the app is never called.
    - ``drop``: the answer is cut short and the connection closed. For a write (not GET/HEAD),
      a second draw puts half of the drops *after* the app handled the request (the write is
      applied, the app's answer is truncated), the other half before (the app is not called).
      A HEAD carries no body, so a dropped HEAD answer looks complete to the client.

    ``injected`` counts faults by kind; ``requests`` counts the requests considered.
    """

    def __init__(
        self, app: ASGIApp, plan: FaultPlan, *, writes_counter_hook: WritesCounterHook | None = None
    ) -> None:
        self._app = app
        self.plan = plan
        self._hook = writes_counter_hook
        self._random = random.Random(plan.seed)  # noqa: S311 - reproducible chaos, not crypto
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter(dict.fromkeys(FAULT_KINDS, 0))
        self.requests = 0
        _hide_drop_errors_in_uvicorn_logs()

    def _decide(self, write: bool) -> tuple[str, bool] | None:
        """The fault kind for the next request and, for a drop, whether it comes after the app."""
        with self._lock:
            self.requests += 1
            if self._random.random() >= self.plan.rate:
                return None
            kind = self._random.choice(FAULT_KINDS)
            after = kind == "drop" and write and self._random.random() < 0.5
            self.injected[kind] += 1
            return kind, after

    def report(self) -> dict[str, object]:
        """The body of ``GET /_sim/faults``."""
        with self._lock:
            return {"injected": dict(self.injected), "requests": self.requests}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/_sim/faults" and scope["method"] in _READ_METHODS:
            await JSONResponse(self.report())(scope, receive, send)
            return
        write = scope["method"] not in _READ_METHODS
        decision = None if path.startswith("/_sim") else self._decide(write)
        if decision is None:
            await self._app(scope, receive, send)
            return
        kind, after = decision
        applied = False
        if kind == "stall":
            applied = await self._stall(scope, receive, send)
        elif kind == "drop" and after:
            await self._drop_after(scope, receive, send)
            applied = True
        elif kind == "drop":
            start = {"status": 200, "headers": [(b"content-type", b"application/json")]}
            await _send_truncated(send, start, json.dumps({"message": _MESSAGE}).encode())
        else:
            await _error_response(kind, self.plan.retry_after_seconds)(scope, receive, send)
        if write and self._hook is not None:
            self._hook(kind, applied)

    async def _stall(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Waits, then runs the app unless the client hung up; returns whether it ran."""
        # The body is read first so that a hang-up is the only thing receive() can report.
        messages = await _read_request(receive)
        if messages is None:
            return False
        try:
            await asyncio.wait_for(_until_disconnect(receive), self.plan.stall_seconds)
        except TimeoutError:
            pass
        else:
            return False

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self._app(scope, replay, send)
        return True

    async def _drop_after(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the app to the end, then sends a truncated copy of its answer."""
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self._app(scope, receive, capture)
        await _send_truncated(send, start, b"".join(chunks))


def install_faults(app: Starlette, plan: FaultPlan | None) -> FaultInjector | None:
    """Wraps ``app``'s whole middleware stack in a :class:`FaultInjector` if ``plan`` says so.

    The injector goes around Starlette's stack rather than into its middleware list so that it
    exists (on ``app.state.faults``) before the first request, and so that ``create_*_app``
    still return the Starlette app with its ``state``. Returns the injector, or None.
    """
    injector = None
    if plan is not None and plan.rate > 0:
        injector = FaultInjector(app.build_middleware_stack(), plan)
        app.middleware_stack = injector
    app.state.faults = injector
    return injector
