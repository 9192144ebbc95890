"""A structure's time zone: imilo.yaml's, else I-Milo's when valid, else its department's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connector.domain.model import ServedStructure, Structure
from connector.domain.rules import realisation_date
from connector.domain.timezones import (
    DEPARTMENT_TIMEZONES,
    METROPOLITAN_TIMEZONE,
    department_timezone,
    is_valid_timezone,
    structure_timezone,
)
from connector.errors import MalformedResponse
from connector.imilo.wire import structure_from


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("97101S00", "America/Guadeloupe"),
        ("97209S00", "America/Martinique"),
        ("97302S00", "America/Cayenne"),  # Guyane
        ("97411S00", "Indian/Reunion"),
        ("97500S00", "America/Miquelon"),  # Saint-Pierre-et-Miquelon
        ("97600S00", "Indian/Mayotte"),
        ("97700S00", "America/St_Barthelemy"),
        ("97800S00", "America/Marigot"),  # Saint-Martin
        ("98600S00", "Pacific/Wallis"),  # Wallis-et-Futuna
        ("98714S00", "Pacific/Tahiti"),  # Polynésie française
        ("98800S00", "Pacific/Noumea"),  # Nouvelle-Calédonie
    ],
)
def test_each_overseas_code_names_its_zone(code: str, zone: str) -> None:
    assert department_timezone(code) == zone
    assert structure_timezone(code, None, {}).zone == zone
    assert structure_timezone(code, None, {}).source == "department"


def test_every_department_zone_is_known_here() -> None:
    assert all(is_valid_timezone(zone) for zone in DEPARTMENT_TIMEZONES.values())
    assert is_valid_timezone(METROPOLITAN_TIMEZONE)


@pytest.mark.parametrize(
    "code", ["01000S00", "13001S00", "65440S00", "69380S00", "75010S00", "95000S00", "0750001X"]
)
def test_metropolitan_codes_are_in_paris(code: str) -> None:
    assert department_timezone(code) == "Europe/Paris"


@pytest.mark.parametrize("code", ["2A004S00", "2B033S00", "2a004s00", "20000S00"])
def test_corsica_is_in_paris(code: str) -> None:
    assert department_timezone(code) == "Europe/Paris"


@pytest.mark.parametrize(
    "code", ["", "X", "00000S00", "96000S00", "97900S00", "98400S00", "99100S00", "ZZ411S00"]
)
def test_codes_that_name_no_department(code: str) -> None:
    """Not a French department (00, 96, 979, 984 TAAF, 99, letters): no zone by default."""
    assert department_timezone(code) is None


def test_a_valid_served_zone_is_used() -> None:
    found = structure_timezone("75010S00", "America/Cayenne", {})
    assert (found.zone, found.source, found.problem) == ("America/Cayenne", "imilo", None)


def test_an_override_wins_over_what_is_served_and_over_the_department() -> None:
    overrides = {"98731S00": "Pacific/Marquesas"}
    assert structure_timezone("98731S00", "Pacific/Tahiti", overrides).zone == "Pacific/Marquesas"
    assert structure_timezone("98731S00", None, overrides).source == "mapping"
    assert structure_timezone("98731s00 ", None, overrides).zone == "Pacific/Marquesas"
    assert structure_timezone("98714S00", None, overrides).zone == "Pacific/Tahiti"


def test_an_override_gives_a_zone_to_a_code_naming_no_department() -> None:
    found = structure_timezone("ZZ411S00", None, {"ZZ411S00": "Indian/Reunion"})
    assert (found.zone, found.source) == ("Indian/Reunion", "mapping")


@pytest.mark.parametrize("served", ["Mars/Olympus", "", " Europe/Paris", "europe/paris", "../x"])
def test_an_invalid_served_zone_falls_back_to_the_department(served: str) -> None:
    found = structure_timezone("97302S00", served, {})
    assert (found.zone, found.source, found.problem) == ("America/Cayenne", "department", None)


def test_unknown_code_and_invalid_zone_is_a_problem() -> None:
    found = structure_timezone("ZZ411S00", "Mars/Olympus", {})
    assert found.zone is None
    assert found.problem is not None
    assert "unknown time zone" in found.problem and "timezones:" in found.problem
    assert "Mars/Olympus" not in found.problem  # what I-Milo served is not repeated


def test_unknown_code_and_no_zone_is_a_problem() -> None:
    found = structure_timezone("ZZ411S00", None, {})
    assert found.zone is None
    assert found.problem is not None and "no time zone" in found.problem


def test_an_invalid_override_is_a_problem_even_with_a_department() -> None:
    """An admin's zone is never silently replaced by another."""
    found = structure_timezone("75010S00", "Europe/Paris", {"75010S00": "Mars/Olympus"})
    assert found.zone is None
    assert found.problem is not None and "imilo.yaml" in found.problem


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # shared 2026-03-12 at 22:30 UTC
        ("75010S00", date(2026, 3, 12)),  # 23:30 in Paris
        ("2A004S00", date(2026, 3, 12)),
        ("97411S00", date(2026, 3, 13)),  # 02:30 in La Réunion
        ("97600S00", date(2026, 3, 13)),  # 01:30 in Mayotte
        ("97302S00", date(2026, 3, 12)),  # 19:30 in Cayenne
        ("97101S00", date(2026, 3, 12)),  # 18:30 in Guadeloupe
        ("97500S00", date(2026, 3, 12)),  # 20:30 in Saint-Pierre (summer time since 8 March)
        ("98600S00", date(2026, 3, 13)),  # 10:30 in Wallis
        ("98714S00", date(2026, 3, 12)),  # 12:30 in Tahiti
        ("98800S00", date(2026, 3, 13)),  # 09:30 in Nouméa
    ],
)
def test_a_realisation_at_22_30_utc_is_dated_in_the_structures_zone(
    code: str, expected: date
) -> None:
    shared_at = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)
    served = ServedStructure(code=code, name="ML", timezone=None)  # as the real gateway
    found = structure_timezone(code, served.timezone, {})
    assert found.zone is not None
    structure = served.in_zone(found.zone)
    assert structure == Structure(code=code, name="ML", timezone=found.zone)
    assert realisation_date(shared_at, structure.timezone) == expected


def test_a_bad_served_zone_does_not_move_the_date() -> None:
    """Served « Mars/Olympus » in La Réunion: still the local day there, not UTC's."""
    zone = structure_timezone("97411S00", "Mars/Olympus", {}).zone
    assert zone is not None
    assert realisation_date(datetime(2026, 3, 12, 22, 30, tzinfo=UTC), zone) == date(2026, 3, 13)


# --- the adapter: the zone is optional, taken as served -------------------------------------


@pytest.mark.parametrize(
    ("body", "zone"),
    [
        ({"code": "97302S00", "nomOfficiel": "ML"}, None),  # the real gateway
        ({"code": "97302S00", "nomOfficiel": "ML", "timezone": None}, None),
        ({"code": "97302S00", "nomOfficiel": "ML", "timezone": 42}, None),
        ({"code": "97302S00", "nomOfficiel": "ML", "timezone": "Mars/Olympus"}, "Mars/Olympus"),
        (
            {"code": "97302S00", "nomOfficiel": "ML", "timezone": "America/Cayenne"},
            "America/Cayenne",
        ),
    ],
)
def test_the_adapter_takes_the_zone_as_served(body: dict[str, object], zone: str | None) -> None:
    assert structure_from(body) == ServedStructure(code="97302S00", name="ML", timezone=zone)


def test_the_adapter_still_needs_a_code() -> None:
    with pytest.raises(MalformedResponse):
        structure_from({"nomOfficiel": "ML", "timezone": "Europe/Paris"})
