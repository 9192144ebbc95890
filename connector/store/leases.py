"""Leases: several replicas share one state store, and each structure is worked on by one
replica at a time.

A lease is a row per partition (an I-Milo structure) naming its holder until an expiry. It is
claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers
anyway) and a compare-and-set ``UPDATE``, kept alive by a heartbeat, and released at the end.
A replica that dies stops its heartbeat, so its lease expires and another replica takes over.

Why structures and not campaigns: the earliest result of a young person wins across the
structure's campaigns, so one structure's campaigns must be planned together.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from connector.store.schema import leases

__all__ = ["Lease", "Leases", "replica_name"]

log = structlog.get_logger("connector.leases")


def replica_name() -> str:
    """Unique per process: host, pid and a random suffix (pids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Lease:
    """A held partition; ``lost`` turns true if the heartbeat could not renew it."""

    def __init__(self, partition: str) -> None:
        self.partition = partition
        self.lost = threading.Event()


class Leases:
    def __init__(
        self,
        engine: Engine,
        *,
        holder: str | None = None,
        ttl: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._engine = engine
        self.holder = holder or replica_name()
        self._ttl = ttl
        self._clock = clock

    def _ensure(self, partition: str) -> None:
        with self._engine.begin() as conn:
            exists = conn.execute(
                select(leases.c.partition).where(leases.c.partition == partition)
            ).first()
            if exists is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(leases).values(partition=partition))
                except IntegrityError:
                    pass  # another replica created it at the same moment

    def try_claim(self, partition: str) -> bool:
        """Take the partition if it is free, expired, or already ours."""
        self._ensure(partition)
        now = self._clock()
        with self._engine.begin() as conn:
            row = conn.execute(
                select(leases.c.partition)
                .where(leases.c.partition == partition)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return False  # another replica is claiming it right now
            claimed = conn.execute(
                update(leases)
                .where(
                    leases.c.partition == partition,
                    or_(
                        leases.c.holder.is_(None),
                        leases.c.holder == self.holder,
                        leases.c.expires_at < now,
                    ),
                )
                .values(holder=self.holder, expires_at=now + self._ttl)
            )
            return claimed.rowcount == 1

    def renew(self, partition: str) -> bool:
        with self._engine.begin() as conn:
            renewed = conn.execute(
                update(leases)
                .where(leases.c.partition == partition, leases.c.holder == self.holder)
                .values(expires_at=self._clock() + self._ttl)
            )
            return renewed.rowcount == 1

    def release(self, partition: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(leases)
                .where(leases.c.partition == partition, leases.c.holder == self.holder)
                .values(holder=None, expires_at=None)
            )

    @contextmanager
    def holding(self, partition: str) -> Iterator[Lease | None]:
        """Hold the partition while the block runs (None: another replica has it)."""
        if not self.try_claim(partition):
            yield None
            return
        lease = Lease(partition)
        stop = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat, args=(lease, stop), name="lease-heartbeat", daemon=True
        )
        beat.start()
        try:
            yield lease
        finally:
            stop.set()
            beat.join()
            if not lease.lost.is_set():
                self.release(partition)

    def _heartbeat(self, lease: Lease, stop: threading.Event) -> None:
        interval = self._ttl.total_seconds() / 3
        while not stop.wait(interval):
            try:
                if not self.renew(lease.partition):
                    lease.lost.set()
                    log.error("lease_lost", partition=lease.partition)
                    return
            except Exception as error:  # a store hiccup: the next beat may succeed
                log.warning("lease_renewal_failed", error_type=type(error).__name__)
