"""The structures (Missions Locales) read from I-Milo, remembered for a while.

A structure's code and time zone do not change between two runs, so a worker reads each one
once an hour instead of once per run. An unknown code is never remembered: a structure
created in I-Milo, or a mapping corrected, counts from the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connector.domain.model import Structure
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
        self._known: dict[str, tuple[float, Structure]] = {}

    def known(self, code: str) -> bool:
        """Whether the structure was read, and found, less than ``ttl`` seconds ago."""
        known = self._known.get(code)
        return known is not None and self._monotonic() - known[0] < self._ttl

    def structure(self, code: str) -> Structure | None:
        """The structure, from memory if read less than ``ttl`` seconds ago."""
        now = self._monotonic()
        known = self._known.get(code)
        if known is not None and now - known[0] < self._ttl:
            return known[1]
        structure = self._imilo.structure(code)
        if structure is None:
            self._known.pop(code, None)
        else:
            self._known[code] = (now, structure)
        return structure
