"""Carrying out a structure's planned writes: intents committed ahead, writes in flight,
outcomes settled behind, so that the I-Milo writes never wait for the ledger.

- The intents are committed a batch at a time (one commit per ``batch`` writes), each batch
  before its first write starts.
- Up to ``concurrency`` writes are in flight (each touches its own prescription).
- Finished writes are settled a batch at a time, while the next ones are in flight.

A stop request lets the writes in flight finish and starts no other: intents committed but
never started are forgotten. A write that raised stays pending for the next run, and the
error is raised once everything else is settled.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from queue import Empty, SimpleQueue
from typing import Protocol

from connector.domain.plan import PlannedWrite
from connector.writer import WriteOutcome

__all__ = ["WRITE_BATCH", "WriteEffects", "apply_writes"]

# Intents committed together, and outcomes settled together: larger batches mean fewer
# commits; a crash costs two I-Milo reads per unfinished intent.
WRITE_BATCH = 100

Done = tuple[PlannedWrite, WriteOutcome]


class WriteEffects(Protocol):
    def begin_writes(self, writes: Sequence[PlannedWrite]) -> None: ...

    def carry_out(self, write: PlannedWrite) -> WriteOutcome: ...

    def settle(self, done: Sequence[Done], never_started: Sequence[PlannedWrite]) -> None: ...


def apply_writes(
    writes: Sequence[PlannedWrite],
    effects: WriteEffects,
    *,
    concurrency: int,
    stopping: Callable[[], bool],
    batch: int = WRITE_BATCH,
    pool: Executor | None = None,
) -> list[Done]:
    """Carry out ``writes``; return the outcomes of those settled (all, unless stopped).

    ``pool`` runs the writes (a run shares one across its structures); by default, a pool of
    ``concurrency`` threads for this call only.
    """
    if not writes:
        return []
    with ExitStack() as own:
        if pool is None:
            pool = own.enter_context(
                ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="write")
            )
        return _apply(writes, effects, pool, max(1, concurrency), stopping, batch)


def _apply(
    writes: Sequence[PlannedWrite],
    effects: WriteEffects,
    pool: Executor,
    concurrency: int,
    stopping: Callable[[], bool],
    batch: int,
) -> list[Done]:
    run = _Run(effects, batch)
    slots = threading.BoundedSemaphore(concurrency)

    def when_done(write: PlannedWrite) -> Callable[[Future[WriteOutcome]], None]:
        def finished(future: Future[WriteOutcome]) -> None:
            run.finished.put((write, future))
            slots.release()

        return finished

    try:
        for write in writes:
            if run.started == run.begun:
                run.begin(writes)
            slots.acquire()
            run.collect()
            if run.failure is not None or stopping():
                slots.release()
                break
            # Each task runs in a copy of this context, so its log lines keep the run_id.
            future = pool.submit(contextvars.copy_context().run, effects.carry_out, write)
            run.uncollected[write.participation_id] = (write, future)
            future.add_done_callback(when_done(write))
            run.started += 1
            if len(run.unsettled) >= batch:
                run.settle()
    finally:
        # A future's waiters may wake before its callbacks run: take the rest in directly.
        wait([future for _, future in run.uncollected.values()])
        for write, future in list(run.uncollected.values()):
            run.take(write, future)
        run.settle(writes[run.started : run.begun])
    if run.failure is not None:
        raise run.failure
    return run.outcomes


class _Run:
    def __init__(self, effects: WriteEffects, batch: int) -> None:
        self.effects = effects
        self.batch = batch
        self.begun = 0  # intents committed: writes[:begun]
        self.started = 0  # writes submitted: writes[:started]
        self.finished: SimpleQueue[tuple[PlannedWrite, Future[WriteOutcome]]] = SimpleQueue()
        self.uncollected: dict[int, tuple[PlannedWrite, Future[WriteOutcome]]] = {}
        self.unsettled: list[Done] = []
        self.outcomes: list[Done] = []
        self.failure: BaseException | None = None

    def begin(self, writes: Sequence[PlannedWrite]) -> None:
        upto = min(len(writes), self.begun + self.batch)
        self.effects.begin_writes(writes[self.begun : upto])
        self.begun = upto

    def collect(self) -> None:
        """Take in the writes finished so far."""
        while True:
            try:
                write, future = self.finished.get_nowait()
            except Empty:
                return
            self.take(write, future)

    def take(self, write: PlannedWrite, future: Future[WriteOutcome]) -> None:
        if self.uncollected.pop(write.participation_id, None) is None:
            return  # already taken
        error = future.exception()
        if error is None:
            self.unsettled.append((write, future.result()))
        elif self.failure is None:
            self.failure = error

    def settle(self, never_started: Sequence[PlannedWrite] = ()) -> None:
        if not self.unsettled and not never_started:
            return
        self.effects.settle(self.unsettled, never_started)
        self.outcomes.extend(self.unsettled)
        self.unsettled = []
