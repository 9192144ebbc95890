"""Fuzzed Pix records never crash a run: each ends up applied, unchanged, in review or in
quarantine, and the counts add up."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.bootstrap import build
from connector.pix.records import InvalidParticipation, parse_participation
from connector.settings import load_settings
from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from connector.simulators.fixtures import PixData
from connector.store.sql import SqlStateStore
from tests import scenario

pytestmark = pytest.mark.integration

json_values = st.recursive(
    # What JSON can carry: no NaN or infinity; any text, lone surrogates included.
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
names = st.sampled_from(
    [p[4] for p in scenario.PEOPLE] + ["", "Jean\x00Pierre", "\ud800", "x" * 500]
)
last_names = st.sampled_from([p[2] for p in scenario.PEOPLE] + ["", "O'Brien", "DE LA FONTAINE"])
external_ids = st.one_of(
    st.sampled_from([str(p[0]) for p in scenario.PEOPLE]),
    st.sampled_from([scenario.mail(p[0]) for p in scenario.PEOPLE]),
    st.text(max_size=40),
    st.integers(),
    st.none(),
)
# Pix serves the SHA-1 of the user and client ids in hex; its documentation says number.
participant_ids = st.one_of(
    st.binary(min_size=20, max_size=20).map(bytes.hex),
    st.integers(),
    json_values,
)
timestamps = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["2026-02-30T10:00:00Z", "2026-03-12T10:00:00", "yesterday", ""]),
    json_values,
)


@st.composite
def records(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)  # not even an object
    record: dict[str, Any] = {
        "id": draw(st.one_of(st.integers(900_000, 999_999), json_values)),
        "campaignId": draw(st.sampled_from([10, 10, 10, "10", 11, None])),
        "createdAt": draw(st.sampled_from(["2026-03-01T08:00:00Z"]) | timestamps),
        "sharedAt": draw(st.sampled_from(["2026-03-02T09:30:00.000Z", None]) | timestamps),
        "status": draw(st.sampled_from(["SHARED", "SHARED", "STARTED", "TO_SHARE", "DONE", None])),
        "participantFirstName": draw(names | json_values),
        "participantLastName": draw(last_names | json_values),
        "participantExternalId": draw(external_ids),
        "participantId": draw(participant_ids),
        "authenticationId": draw(st.none() | st.integers() | json_values),
        "masteryRate": draw(st.floats(0, 1) | json_values),
        "pixScore": draw(json_values),
        "stages": draw(json_values),
        "badges": draw(json_values),
        "tubes": draw(json_values),
    }
    for key in draw(st.lists(st.sampled_from(sorted(record)), max_size=2)):
        record.pop(key, None)
    return record


class World:
    def __init__(self, pix: PixData, env: dict[str, str], root: Path) -> None:
        self.pix, self.env, self.root = pix, env, root
        self.scenario_records = list(pix.participations)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("fuzz")
    data = scenario.write_scenario(root)
    pix = load_pix_data(data)
    with (
        running(create_pix_app(pix)) as pix_url,
        running(create_imilo_app(load_imilo_data(data))) as imilo_url,
    ):
        env = {
            "PIX_API_URL": pix_url,
            "PIX_CLIENT_ID": scenario.CLIENT_ID,
            "PIX_CLIENT_SECRET": scenario.CLIENT_SECRET,
            "IMILO_API_URL": imilo_url,
            "IMILO_API_KEY": scenario.API_KEY,
            "CONNECTOR_MAPPINGS_DIR": str(root / "mappings"),
            "IMILO_MAX_RPS": "0",
        }
        yield World(pix, env, root)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fuzz=st.lists(records(), min_size=1, max_size=8))
def test_fuzzed_records_never_crash_a_run(world: World, fuzz: list[Any]) -> None:
    """Whatever Pix serves, the run completes and every record is accounted for."""
    world.pix.participations[:] = world.scenario_records + fuzz
    database_url = f"sqlite:///{world.root / 'state' / f'{uuid.uuid4()}.db'}"
    settings_ = load_settings(**world.env, CONNECTOR_DATABASE_URL=database_url)
    with build(settings_) as connector:
        report = connector.sync.run_once()
    assert report.errors == [] and report.failed == 0
    assert report.fetched == report.updated + report.unchanged + report.review + report.quarantined
    in_campaign = [r for r in fuzz if _belongs_to(r, 10) or _belongs_to(r, 11)]
    invalid = {
        r.key
        for raw in in_campaign
        if isinstance(r := parse_participation(raw, _campaign_of(raw)), InvalidParticipation)
    }
    store = SqlStateStore.open(database_url)
    try:
        quarantined = {e["record_key"] for e in store.quarantine_entries()}
    finally:
        store.close()
    assert invalid <= quarantined


def _campaign_of(raw: Any) -> int:
    return 11 if _belongs_to(raw, 11) else 10


def _belongs_to(raw: Any, campaign: int) -> bool:
    """As the simulator decides which campaign a record is served for."""
    if not isinstance(raw, dict):
        return False
    value = raw.get("campaignId")
    if isinstance(value, bool):
        return False
    return value == campaign or (
        isinstance(value, str) and value.isdigit() and int(value) == campaign
    )
