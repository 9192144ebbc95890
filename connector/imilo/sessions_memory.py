"""What ``SessionsIMilo`` remembers between requests, safe to share between threads.

- a structure's session list, for ``SESSIONS_TTL`` (offres, then candidates, in one run);
- each dossier read (or found missing), for ``DOSSIER_TTL``: candidates' dossiers are read
  once per run, not once per participation; at most ``MAX_DOSSIERS`` are kept;
- where each registration lives (its session, offer and start), to read it again;
- the registrations this adapter set réalisé (or sent the write of, its answer lost), and on
  which date (the gateway may serve no date of realisation: then this is how our own
  earlier write is recognised, within this process's life).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from connector.domain.model import Dossier
from connector.imilo.sessions_wire import SessionRow

__all__ = ["DOSSIER_TTL", "MAX_DOSSIERS", "SESSIONS_TTL", "Memory", "Registration"]

SESSIONS_TTL = 120.0
DOSSIER_TTL = 1800.0
MAX_DOSSIERS = 100_000
_K = TypeVar("_K")
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class Registration:
    """Where a registration lives: its session, the session's offer and start."""

    session_id: int
    offre_id: int
    start: date | None


class _Kept(Generic[_K, _V]):
    """Values kept for ``ttl`` seconds, ``limit`` of them at most."""

    def __init__(self, ttl: float, limit: int, clock: Callable[[], float]) -> None:
        self._ttl, self._limit, self._clock = ttl, limit, clock
        self._items: dict[_K, tuple[float, _V]] = {}
        self._lock = threading.Lock()

    def get(self, key: _K) -> tuple[bool, _V | None]:
        """``(True, value)`` if kept and still fresh, else ``(False, None)``."""
        with self._lock:
            kept = self._items.get(key)
        if kept is None or self._clock() - kept[0] >= self._ttl:
            return False, None
        return True, kept[1]

    def put(self, key: _K, value: _V) -> None:
        now = self._clock()
        with self._lock:
            if len(self._items) >= self._limit:
                self._items = {k: v for k, v in self._items.items() if now - v[0] < self._ttl}
                if len(self._items) >= self._limit:
                    self._items.clear()
            self._items[key] = (now, value)


class Memory:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.sessions: _Kept[str, list[SessionRow] | None] = _Kept(SESSIONS_TTL, 10_000, clock)
        self.dossiers: _Kept[int, Dossier | None] = _Kept(DOSSIER_TTL, MAX_DOSSIERS, clock)
        self._registrations: dict[int, Registration] = {}
        self._written: dict[int, date] = {}
        self._lock = threading.Lock()

    def place(self, instance_id: int, where: Registration) -> None:
        with self._lock:
            self._registrations[instance_id] = where

    def where(self, instance_id: int) -> Registration | None:
        with self._lock:
            return self._registrations.get(instance_id)

    def wrote(self, instance_id: int, day: date) -> None:
        with self._lock:
            self._written[instance_id] = day

    def written(self, instance_id: int) -> date | None:
        with self._lock:
            return self._written.get(instance_id)

    def forget(self, instance_id: int) -> None:
        with self._lock:
            self._written.pop(instance_id, None)
