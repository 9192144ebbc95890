"""The worker's own HTTP endpoint: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector.metrics import Metrics

__all__ = ["APIS", "Readiness", "create_ops_app"]

APIS = ("pix", "imilo")
# A run past its deadline ends its requests in flight and records its progress: it is
# overdue (stuck) only if it still runs this long after.
OVERDUE_GRACE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class _Run:
    started_at: float
    outcome: str


class Readiness:
    """Ready when the last run succeeded (or none has been due yet), and both APIs answered
    during it. Between scheduled runs the APIs are not called, so "recently" means "during
    the last run" rather than "in the last N minutes"."""

    def __init__(
        self,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
        *,
        run_deadline: float | None = None,
    ) -> None:
        self._metrics = metrics
        self._clock = clock
        self._run_deadline = run_deadline
        self._lock = threading.Lock()
        self._running_since: float | None = None
        self._last: _Run | None = None
        self._mappings_problems = 0

    def mappings_problems(self, count: int) -> None:
        """How many problems a broken mappings edit has (0 once fixed): shown in the detail
        as a count, never as text (a message may come from a file's content); the worker
        runs on with the last valid mappings."""
        with self._lock:
            self._mappings_problems = max(count, 0)

    def run_started(self) -> float:
        with self._lock:
            self._running_since = self._clock()
            return self._running_since

    def run_finished(self, started_at: float, outcome: str) -> None:
        with self._lock:
            self._running_since = None
            self._last = _Run(started_at, outcome)

    def check(self) -> tuple[bool, dict[str, Any]]:
        ready, body = self._check()
        with self._lock:
            if self._mappings_problems:
                body["mappings"] = (
                    "invalid, the last valid mappings are in use: "
                    f"{self._mappings_problems} problem(s), see `pix-imilo mappings check`"
                )
        return ready, body

    def _check(self) -> tuple[bool, dict[str, Any]]:
        with self._lock:
            last, running = self._last, self._running_since
        if running is not None and self._run_deadline is not None:
            late = self._clock() - running - self._run_deadline - OVERDUE_GRACE_SECONDS
            if late > 0:
                return False, {
                    "status": "not ready",
                    "reason": "the run in progress is overdue: it has gone on past "
                    f"CONNECTOR_RUN_DEADLINE by {late + OVERDUE_GRACE_SECONDS:.0f} s",
                }
        if last is None:
            if running is None:
                return True, {"status": "ready", "reason": "no run due yet"}
            return False, {"status": "not ready", "reason": "the first run is in progress"}
        if last.outcome != "completed":
            return False, {"status": "not ready", "reason": f"the last run {last.outcome}"}
        for api in APIS:
            answered = self._metrics.last_answer(api)
            if answered is None or answered < last.started_at:
                return False, {
                    "status": "not ready",
                    "reason": f"{api} did not answer during the last run",
                }
        return True, {"status": "ready", "reason": "the last run completed"}


def create_ops_app(metrics: Metrics, readiness: Readiness) -> Starlette:
    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(_request: Request) -> Response:
        ready, body = readiness.check()
        return JSONResponse(body, status_code=200 if ready else 503)

    async def metrics_page(_request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_page),
        ]
    )
