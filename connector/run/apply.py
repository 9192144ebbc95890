"""Carrying out a structure's planned writes: intents committed a batch ahead, writes in
flight, outcomes settled a batch behind, so that the I-Milo writes never wait for the ledger.

- The writes go in batches of ``batch``. A batch's intents are committed in one transaction,
  then the whole batch is handed to the write pool, whose ``concurrency`` threads take the
  writes one after the other (each write touches its own prescription).
- Two batches at most are handed over at a time: before a third is begun, the oldest is
  waited for and its outcomes settled in one transaction. The pool never runs dry at a batch
  boundary, and the thread handing the batches over wakes once per batch, not per write.

A stop request lets the writes in flight finish and starts no other: each write checks it as
it starts, and intents committed but never started are forgotten. After a write raises, no
other starts; the one that raised stays pending for the next run, and the error is raised
once everything else is settled.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from typing import Protocol

from connector.domain.plan import PlannedWrite
from connector.run.writer import WriteOutcome

__all__ = ["WRITE_BATCH", "WriteEffects", "apply_writes"]

# Intents committed together, and outcomes settled together: larger batches mean fewer
# commits; a crash costs two I-Milo reads per unfinished intent.
WRITE_BATCH = 100
BATCHES_IN_FLIGHT = 2

Done = tuple[PlannedWrite, WriteOutcome]
_Handed = list[tuple[PlannedWrite, "Future[WriteOutcome | None]"]]


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

    ``pool`` runs the writes, with at most ``concurrency`` threads (a run shares one across
    its structures); by default, a pool of ``concurrency`` threads for this call only.
    """
    if not writes:
        return []
    with ExitStack() as own:
        if pool is None:
            pool = own.enter_context(
                ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="write")
            )
        return _Batches(effects, pool, stopping).run(writes, batch)


class _Batches:
    def __init__(self, effects: WriteEffects, pool: Executor, stopping: Callable[[], bool]) -> None:
        self._effects = effects
        self._pool = pool
        self._stopping = stopping
        self._halt = threading.Event()  # a write raised: start no other
        self._failure: BaseException | None = None
        self._outcomes: list[Done] = []

    def run(self, writes: Sequence[PlannedWrite], batch: int) -> list[Done]:
        handed: deque[_Handed] = deque()
        try:
            for start in range(0, len(writes), batch):
                if len(handed) >= BATCHES_IN_FLIGHT:
                    self._settle(handed.popleft())
                if self._halt.is_set() or self._stopping():
                    break
                chunk = writes[start : start + batch]
                self._effects.begin_writes(chunk)
                handed.append([(w, self._hand_over(w)) for w in chunk])
        finally:
            while handed:
                self._settle(handed.popleft())
        if self._failure is not None:
            raise self._failure
        return self._outcomes

    def _hand_over(self, write: PlannedWrite) -> Future[WriteOutcome | None]:
        # Each write runs in a copy of this context, so its log lines keep the run_id.
        return self._pool.submit(contextvars.copy_context().run, self._carry_out, write)

    def _carry_out(self, write: PlannedWrite) -> WriteOutcome | None:
        """The write, or None if it must not start any more."""
        if self._halt.is_set() or self._stopping():
            return None
        try:
            return self._effects.carry_out(write)
        except BaseException:
            self._halt.set()
            raise

    def _settle(self, chunk: _Handed) -> None:
        """Wait for a batch, then record its outcomes in one transaction."""
        wait([future for _, future in chunk])
        done: list[Done] = []
        never_started: list[PlannedWrite] = []
        for write, future in chunk:
            error = future.exception()
            if error is not None:
                self._failure = self._failure or error  # left pending
                continue
            outcome = future.result()
            if outcome is None:
                never_started.append(write)
            else:
                done.append((write, outcome))
        self._effects.settle(done, never_started)
        self._outcomes.extend(done)
