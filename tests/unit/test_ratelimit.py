"""The I-Milo rate limit spaces requests evenly and never sleeps when disabled."""

from __future__ import annotations

import threading

from connector.transport.ratelimit import RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now


class RecordingEvent(threading.Event):
    def __init__(self, time: FakeTime) -> None:
        super().__init__()
        self.time = time

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.time.waits.append(round(timeout, 6))
        self.time.now += timeout
        return False


def test_requests_are_spaced_by_the_rate() -> None:
    """At 5 requests per second, a burst of four waits 0, 0.2, 0.2 and 0.2 s in turn."""
    time = FakeTime()
    limiter = RateLimiter(5, clock=time.clock, stop=RecordingEvent(time))
    for _ in range(4):
        limiter.acquire()
    assert time.waits == [0.2, 0.2, 0.2]


def test_a_quiet_period_does_not_build_up_a_burst() -> None:
    """After a pause, the next request goes at once, and the one after waits its turn."""
    time = FakeTime()
    limiter = RateLimiter(2, clock=time.clock, stop=RecordingEvent(time))
    limiter.acquire()
    time.now += 10
    limiter.acquire()
    limiter.acquire()
    assert time.waits == [0.5]


def test_zero_means_no_limit() -> None:
    """IMILO_MAX_RPS=0 disables the limit."""
    time = FakeTime()
    limiter = RateLimiter(0, clock=time.clock, stop=RecordingEvent(time))
    for _ in range(100):
        limiter.acquire()
    assert time.waits == []
