"""The structures (Missions Locales) read from I-Milo, remembered for a while.

A structure's code and name do not change between two runs, so a worker reads each one
once an hour instead of once per run. It is remembered as served: its time zone is
resolved by the sync on every run (``connector.domain.timezones``), so that a zone set in
``imilo.yaml`` counts from the next run. An unknown code is never remembered: a structure
created in I-Milo, or a mapping corrected, counts from the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connector.domain.model import ServedStructure
from connector.imilo.port import IMilo

__all__ = ["STRUCTURE_TTL_SECONDS", "StructureDirectory"]

STRUCTURE_TTL_SECONDS = 3600.0


class StructureDirectory:
    def __init__(
        self,
        imilo: IMilo,
        *,
        ttl: float = STRUCTURE_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._imilo = imilo
        self._ttl = ttl
        self._monotonic = monotonic
        self._known: dict[str, tuple[float, ServedStructure]] = {}

    def known(self, code: str) -> bool:
        """Whether the structure was read, and found, less than ``ttl`` seconds ago."""
        return self._remembered(code) is not None

    def structure(self, code: str) -> ServedStructure | None:
        """The structure, from memory if read less than ``ttl`` seconds ago."""
        remembered = self._remembered(code)
        if remembered is not None:
            return remembered
        read_at = self._monotonic()
        structure = self._imilo.structure(code)
        if structure is None:
            self._known.pop(code, None)
        else:
            self._known[code] = (read_at, structure)
        return structure

    def _remembered(self, code: str) -> ServedStructure | None:
        known = self._known.get(code)
        if known is None or self._monotonic() - known[0] >= self._ttl:
            return None
        return known[1]
