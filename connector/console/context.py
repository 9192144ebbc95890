"""What the console's pages work with: the store, I-Milo, the mappings and who sees what."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog

from connector.console.settings import ConsoleSettings
from connector.domain.access import ConsoleAccess
from connector.domain.timezones import METROPOLITAN_TIMEZONE, structure_timezone
from connector.imilo.port import IMilo
from connector.mappings import Mappings, load_console_access, load_mappings
from connector.metrics import Metrics
from connector.store.sql import SqlStateStore

__all__ = ["ConsoleContext", "LiveMappings"]

log = structlog.get_logger("connector.console")


class LiveMappings:
    """The mapping files as last read without error: edits are followed at the next page,
    and a broken edit keeps the last good version (logged with counts, never content)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] | None = None
        self._mappings = load_mappings(directory)
        self._access = load_console_access(directory)
        self._stamp = self._stamps()

    def _stamps(self) -> tuple[float, ...]:
        stamps = []
        for path in sorted(self._directory.glob("*.yaml")):
            try:
                stamps.append(path.stat().st_mtime)
            except OSError:
                stamps.append(-1.0)
        return tuple(stamps)

    def _fresh(self) -> None:
        stamp = self._stamps()
        if stamp == self._stamp:
            return
        try:
            mappings = load_mappings(self._directory)
            access = load_console_access(self._directory)
        except Exception as error:  # keep serving with the last good mappings
            problems = getattr(error, "problems", [error])
            log.error("console_mappings_invalid", problems=len(problems), kept="last valid")
        else:
            self._mappings, self._access = mappings, access
        self._stamp = stamp

    def mappings(self) -> Mappings:
        with self._lock:
            self._fresh()
            return self._mappings

    def access(self) -> ConsoleAccess:
        with self._lock:
            self._fresh()
            return self._access


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConsoleContext:
    settings: ConsoleSettings
    store: SqlStateStore
    imilo: IMilo
    mappings: LiveMappings
    metrics: Metrics
    clock: Callable[[], datetime] = field(default=_now)

    def zone_of(self, structure_code: str) -> ZoneInfo:
        """The structure's time zone as the sync finds it (the mappings', else its
        department's: the console reads no zone from I-Milo), else Paris's."""
        overrides = self.mappings.mappings().imilo.timezones
        found = structure_timezone(structure_code, None, overrides).zone
        return ZoneInfo(found or METROPOLITAN_TIMEZONE)

    def refresh_backlog(self) -> None:
        """The review backlog's metrics, after a decision or a listing."""
        self.metrics.set_review_backlog(*self.store.reviews.backlog())
