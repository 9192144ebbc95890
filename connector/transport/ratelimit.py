"""A request rate limit towards I-Milo, shared by every thread of the connector.

The public i-milo client limits itself to 3 requests per second per API group; the gateway
answers 429 beyond its plan. Spacing requests evenly (one slot every 1/rate seconds) keeps us
under it without bursts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    def __init__(
        self,
        requests_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
    ) -> None:
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._clock = clock
        self._stop = stop or threading.Event()
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def acquire(self) -> None:
        """Wait for this request's slot (at once when unlimited, or when shutting down)."""
        if self._interval == 0.0:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        delay = slot - now
        if delay > 0:
            self._stop.wait(delay)
