"""Structures are remembered for an hour; unknown codes never are."""

from __future__ import annotations

from typing import Any

from connector.domain.model import ServedStructure
from connector.imilo.structures import StructureDirectory

PARIS = ServedStructure(code="75010S00", name="Mission Locale de Paris")


class Gateway:
    def __init__(self) -> None:
        self.reads: list[str] = []
        self.known = {PARIS.code: PARIS}

    def structure(self, code: str) -> ServedStructure | None:
        self.reads.append(code)
        return self.known.get(code)

    def __getattr__(self, name: str) -> Any:  # the rest of the port is not used here
        raise AttributeError(name)


def test_a_structure_is_read_again_only_after_the_ttl() -> None:
    now = [0.0]
    gateway = Gateway()
    directory = StructureDirectory(gateway, ttl=3600, monotonic=lambda: now[0])  # type: ignore[arg-type]
    assert directory.structure(PARIS.code) == PARIS
    now[0] = 3599
    assert directory.structure(PARIS.code) == PARIS
    assert gateway.reads == [PARIS.code]
    now[0] = 3600
    directory.structure(PARIS.code)
    assert gateway.reads == [PARIS.code, PARIS.code]


def test_an_unknown_code_is_asked_again_each_time() -> None:
    gateway = Gateway()
    directory = StructureDirectory(gateway)  # type: ignore[arg-type]
    assert directory.structure("0750001X") is None
    gateway.known["0750001X"] = ServedStructure(code="0750001X", name="New")
    assert directory.structure("0750001X") is not None
    assert gateway.reads == ["0750001X", "0750001X"]
