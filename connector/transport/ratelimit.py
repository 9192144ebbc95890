"""A request rate limit towards I-Milo, shared by every thread of the connector, and by every
replica of a deployment when they share a store.

The public i-milo client limits itself to 3 requests per second per API group; the gateway
answers 429 beyond its plan. Spacing requests evenly (one slot every 1/rate seconds) keeps us
under it without bursts.

Replicas on one PostgreSQL store draw their slots from one deployment-wide sequence instead
(``shared``: ``connector.store.replicas``, wired by ``connector.bootstrap``), so that together
they stay within ``IMILO_MAX_RPS``. A replica takes the slots it needs, and one that dies
holds none: its part of the budget is at once the others'.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

__all__ = ["RateLimiter", "SharedSlots"]

log = structlog.get_logger("connector.ratelimit")

# Claims the deployment's next slot; returns the seconds to wait until it (0 or less: now).
SharedSlots = Callable[[], float]
_RECLAIMS = 3


class RateLimiter:
    def __init__(
        self,
        requests_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
        shared: SharedSlots | None = None,
    ) -> None:
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._clock = clock
        self._stop = stop or threading.Event()
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._shared = shared
        self._shared_failing = False

    def acquire(self) -> None:
        """Wait for this request's slot (at once when unlimited, or when shutting down)."""
        if self._interval == 0.0:
            return
        if self._shared is not None and self._acquire_shared(self._shared):
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        delay = slot - now
        if delay > 0:
            self._stop.wait(delay)

    def _acquire_shared(self, shared: SharedSlots) -> bool:
        """Wait for a deployment-wide slot; False (local spacing) while the store fails.

        A slot is used on time or given up: a process held up past its slot by more than an
        interval (CPU starved, paused) would otherwise send together the requests of all its
        threads whose slots went by, on top of the other replicas' next ones."""
        for _ in range(_RECLAIMS):
            started = self._clock()
            try:
                delay = shared()
            except Exception as error:  # a store hiccup: this process still spaces its requests
                if not self._shared_failing:
                    log.warning("shared_rate_limit_unavailable", error_type=type(error).__name__)
                self._shared_failing = True
                return False
            if self._shared_failing:
                log.info("shared_rate_limit_restored")
                self._shared_failing = False
            if delay > 0 and self._stop.wait(delay):
                return True  # shutting down
            if self._clock() - (started + max(delay, 0.0)) <= self._interval:
                return True
        return True  # held up again and again: go rather than starve
