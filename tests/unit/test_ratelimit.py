"""The I-Milo rate limit spaces requests evenly and never sleeps when disabled; replicas on one
store share one budget."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError

from connector.store.replicas import SharedRateBudget
from connector.store.schema import metadata
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


class Slots:
    """A deployment-wide slot source that answers the delays given, or fails."""

    def __init__(self, *delays: float) -> None:
        self.delays = list(delays)

    def __call__(self) -> float:
        if not self.delays:
            raise OperationalError("UPDATE rate_budget", {}, Exception("store down"))
        return self.delays.pop(0)


def test_a_shared_budget_gives_the_waits() -> None:
    """With a shared budget, the deployment's slots are waited for, not this process's own."""
    time = FakeTime()
    limiter = RateLimiter(5, clock=time.clock, stop=RecordingEvent(time), shared=Slots(0, 0.6, -1))
    for _ in range(3):
        limiter.acquire()
    assert time.waits == [0.6]


def test_a_failing_shared_budget_falls_back_to_local_spacing() -> None:
    """The store failing does not stop requests: this process spaces its own meanwhile."""
    time = FakeTime()
    limiter = RateLimiter(5, clock=time.clock, stop=RecordingEvent(time), shared=Slots())
    for _ in range(3):
        limiter.acquire()
    assert time.waits == [0.2, 0.2]


class WallClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'budget.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_replicas_share_one_sequence_of_slots(engine: Engine) -> None:
    """Three replicas at 10 requests per second in all: their claims, taken at one moment, are
    spaced by 0.1 s as one process's would be, and not by 0.1 s each."""
    clock = WallClock()
    replicas = [SharedRateBudget(engine, 10, clock=clock) for _ in range(3)]
    waits = [round(replica.claim(), 6) for _ in range(2) for replica in replicas]
    assert waits == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]


def test_a_dead_replicas_share_returns_at_once(engine: Engine) -> None:
    """Two replicas share 4 requests per second (one slot each every 0.5 s); once one stops
    (killed: it claims nothing more), the other's requests come every 0.25 s again."""
    clock = WallClock()
    alive, dying = (
        SharedRateBudget(engine, 4, clock=clock),
        SharedRateBudget(engine, 4, clock=clock),
    )
    sent: list[float] = []
    for _ in range(4):
        for replica in (alive, dying):
            wait = replica.claim()
            if replica is alive:
                sent.append(clock.now + wait)
            clock.now += wait
    for _ in range(4):  # the dying replica is gone
        wait = alive.claim()
        sent.append(clock.now + wait)
        clock.now += wait
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(sent)]
    assert gaps == [0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_a_quiet_budget_builds_no_burst_and_forgets_a_clock_gone_back(engine: Engine) -> None:
    """After a pause the next claim goes at once; a slot far ahead (the store's clock set back)
    is not waited for."""
    clock = WallClock()
    budget = SharedRateBudget(engine, 2, clock=clock)
    assert budget.claim() == 0.0
    assert budget.claim() == 0.5
    clock.now += 10
    assert budget.claim() == 0.0
    clock.now -= 3600
    assert budget.claim() == 0.0


def test_the_store_clock_times_the_slots(engine: Engine) -> None:
    """Without a clock given, the store's own (SQLite's here) times them."""
    budget = SharedRateBudget(engine, 2)
    first, second = budget.claim(), budget.claim()
    assert first <= 0.01
    assert 0.45 <= second <= 0.51


class LateEvent(RecordingEvent):
    """Waits as asked, but the first wakes up ``late`` seconds after its time."""

    def __init__(self, time: FakeTime, late: float) -> None:
        super().__init__(time)
        self.late = late

    def wait(self, timeout: float | None = None) -> bool:
        super().wait(timeout)
        self.time.now += self.late
        self.late = 0.0
        return False


def test_a_slot_missed_by_more_than_an_interval_is_claimed_again() -> None:
    """A process held up past its slot does not send late, on top of the next replica's slot:
    it claims another. A little late (under an interval) is still on time."""
    time = FakeTime()
    slots = Slots(0.3, 0.4, 0.3)
    limiter = RateLimiter(5, clock=time.clock, stop=LateEvent(time, late=0.5), shared=slots)
    limiter.acquire()
    assert time.waits == [0.3, 0.4] and slots.delays == [0.3]
    limiter = RateLimiter(5, clock=time.clock, stop=LateEvent(time, late=0.15), shared=slots)
    limiter.acquire()
    assert slots.delays == []
