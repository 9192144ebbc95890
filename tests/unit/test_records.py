"""Validation of raw Pix participation records: good ones read, bad ones quarantined."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.domain.model import Participation, ParticipationStatus
from connector.pix.records import (
    CLEAR_KEYS,
    MAX_ID,
    REDACTED,
    InvalidParticipation,
    parse_participation,
    redact_record,
)
from connector.store.sql import SqlStateStore

# Pix's participantId: the SHA-1 of the user id and the client id, in hex.
PARTICIPANT = hashlib.sha1(b"4242_ml-paris").hexdigest()  # noqa: S324 - Pix's own pseudonym
GOOD: dict[str, Any] = {
    "id": 42,
    "campaignId": 7,
    "createdAt": "2026-03-12T09:00:00.000Z",
    "sharedAt": "2026-03-12T09:20:00Z",
    "status": "SHARED",
    "participantFirstName": "Léa",
    "participantLastName": "Durand",
    "participantExternalId": "1234567",
    "participantId": PARTICIPANT,
    "authenticationId": None,
    "organizationLearnerId": 3101,
    "masteryRate": 0.62,
    "pixScore": 120,
    "stages": {"reachedStage": 3, "numberOfStages": 5},
    "badges": [
        {
            "id": 1,
            "message": "Bravo",
            "altMessage": "Badge",
            "imageUrl": "https://images.pix.fr/badge.svg",
            "key": "BASES",
            "title": "Bases",
            "isAcquired": True,
            "acquisitionPercentage": 100,
        }
    ],
    "tubes": [
        {
            "competenceId": "recsvLz0W2ShyfD63",
            "id": "recBbCIEKgrQi7eb6",
            "maxLevel": 4,
            "reachedLevel": 2,
            "practicalDescription": "Mener une recherche",
            "practicalTitle": "Recherche",
        }
    ],
    "isImproved": False,  # a field this connector does not know
}


def test_a_good_record_is_read_with_aware_utc_times() -> None:
    """Timestamps become aware UTC datetimes; unknown fields are ignored."""
    record = parse_participation(GOOD, 7)
    assert isinstance(record, Participation)
    assert record.shared_at == datetime(2026, 3, 12, 9, 20, tzinfo=UTC)
    assert record.status is ParticipationStatus.SHARED
    assert record.is_shared


def test_the_participant_id_is_the_sha1_text_pix_serves() -> None:
    """Pix serves a 40-character hex digest, although its route documentation says number."""
    record = parse_participation(GOOD, 7)
    assert isinstance(record, Participation)
    assert record.participant_id == PARTICIPANT and len(PARTICIPANT) == 40


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5001, "5001"), (5001.0, "5001"), ("5001", "5001"), ("", ""), (None, None)],
)
def test_a_participant_id_is_text_whatever_its_json_type(value: Any, expected: str | None) -> None:
    """A number, as the route documentation types it, is read as its digits."""
    record = parse_participation({**GOOD, "participantId": value}, 7)
    assert isinstance(record, Participation)
    assert record.participant_id == expected


@pytest.mark.parametrize(
    "value", [True, [1], {"id": 1}, float("nan"), "x" * 500, "ab\x00cd", "\ud800"]
)
def test_an_odd_participant_id_is_dropped_never_quarantined(value: Any) -> None:
    """The connector does not use it: an odd value becomes None and the record is read."""
    record = parse_participation({**GOOD, "participantId": value}, 7)
    assert isinstance(record, Participation)
    assert record.participant_id is None


@pytest.mark.parametrize(
    "change",
    [
        {"authenticationId": 81234},
        {"authenticationId": "sso-1"},
        {"organizationLearnerId": None},
        {"organizationLearnerId": "x"},
        {"pixScore": None},
        {"pixScore": "beaucoup"},
        {"stages": None},
        {"stages": "3/5"},
        {"badges": None},
        {"badges": {"oops": True}},
        {"tubes": None},
        {"tubes": "none"},
        {"somethingNew": {"deep": [1, 2, {"x": None}]}},
    ],
)
def test_fields_the_connector_does_not_use_never_quarantine(change: dict[str, Any]) -> None:
    """authenticationId, organizationLearnerId, pixScore, stages, badges, tubes and unknown
    fields are ignored, whatever they hold."""
    record = parse_participation({**GOOD, **change}, 7)
    assert isinstance(record, Participation)
    assert record.id == 42 and record.mastery_rate == 0.62


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
IGNORED = [
    "participantId",
    "authenticationId",
    "authenticationRequestedData",
    "organizationLearnerId",
    "pixScore",
    "stages",
    "badges",
    "tubes",
    "isImproved",
]


@given(st.dictionaries(st.sampled_from(IGNORED), ANY_JSON))
def test_no_value_of_an_unused_field_sends_a_record_to_quarantine(change: dict[str, Any]) -> None:
    """Whatever the fields the connector does not use hold, the record is read."""
    record = parse_participation({**GOOD, **change}, 7)
    assert isinstance(record, Participation)
    assert record.participant_id is None or isinstance(record.participant_id, str)


def test_a_numeric_external_id_sent_as_a_number_is_read_as_text() -> None:
    """Some exports type the external id as a JSON number."""
    record = parse_participation({**GOOD, "participantExternalId": 1234567}, 7)
    assert isinstance(record, Participation)
    assert record.external_id == "1234567"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "id is missing"),
        ({"id": "abc"}, "id is not a number"),
        ({"id": True}, "id is not a number"),
        ({"id": 10**30}, "id is outside 1..2^63-1"),
        ({"id": MAX_ID + 1}, "id is outside 1..2^63-1"),
        ({"id": 0}, "id is outside 1..2^63-1"),
        ({"id": -3}, "id is outside 1..2^63-1"),
        ({"id": "9999999999999999999"}, "id is outside 1..2^63-1"),
        ({"campaignId": 10**30}, "campaignId is outside 1..2^63-1"),
        ({"createdAt": "2026-02-30T10:00:00Z"}, "createdAt is not a valid ISO 8601 timestamp"),
        ({"createdAt": "2026-03-12T10:00:00"}, "createdAt has no time zone"),
        ({"sharedAt": None}, "sharedAt is missing"),
        ({"status": "DONE"}, "status is unknown"),
        ({"participantFirstName": "x" * 500}, "participantFirstName is longer than 200 characters"),
        ({"participantLastName": "Du\x00rand"}, "participantLastName holds control characters"),
        ({"participantLastName": "Du\ud800rand"}, "participantLastName holds control characters"),
        ({"participantFirstName": ["Léa"]}, "participantFirstName is not text"),
        ({"masteryRate": 3}, "masteryRate is not between 0 and 1"),
        ({"masteryRate": "beaucoup"}, "masteryRate is not a number"),
        ({"campaignId": 8}, "campaignId is not the campaign being read"),
        ({"sharedAt": "2026-03-11T09:20:00Z"}, "sharedAt is before createdAt"),
    ],
)
def test_a_bad_record_is_refused_with_a_reason_naming_the_field(
    change: dict[str, Any], reason: str
) -> None:
    """Each kind of bad input gets its own reason, without the value."""
    record = parse_participation({**GOOD, **change}, 7)
    assert isinstance(record, InvalidParticipation)
    assert record.reason == reason


def test_a_record_that_is_not_an_object_is_refused() -> None:
    """A list or a string where an object belongs is refused, not crashed on."""
    record = parse_participation(["not", "an", "object"], 7)
    assert isinstance(record, InvalidParticipation)
    assert record.redacted == {"_type": "list"}


def test_the_quarantined_copy_holds_no_personal_data() -> None:
    """Names and external id are masked in the copy kept for quarantine."""
    record = parse_participation(
        {**GOOD, "status": "DONE", "participantExternalId": "lea@example.org"}, 7
    )
    assert isinstance(record, InvalidParticipation)
    text = repr(record)
    for secret in ("Léa", "Durand", "lea@example.org"):
        assert secret not in text
    assert record.redacted["participantFirstName"] == "<redacted>"
    assert record.key == "7:42"


def test_the_repr_of_a_participation_holds_no_personal_data() -> None:
    """An accidental print of a participation does not leak the young person's identity."""
    record = parse_participation(GOOD, 7)
    for secret in ("Léa", "Durand", "1234567"):
        assert secret not in repr(record)


def test_the_largest_id_is_read() -> None:
    record = parse_participation({**GOOD, "id": MAX_ID}, 7)
    assert not isinstance(record, InvalidParticipation)
    assert record.id == MAX_ID


def test_an_id_out_of_range_is_not_the_quarantine_key() -> None:
    record = parse_participation({**GOOD, "id": 10**30}, 7)
    assert isinstance(record, InvalidParticipation)
    assert record.key.startswith("7:sha256:")


@pytest.mark.parametrize(
    "key",
    [
        "participantEmail",
        "participantBirthdate",
        "ParticipantLastName",
        "participantId",
        "authenticationId",
        "organizationLearnerId",
        "email",
        "Id",
        "id ",
    ],
)
def test_a_personal_or_unknown_key_is_masked(key: str) -> None:
    record = parse_participation({**GOOD, "status": "DONE", key: "lea@example.org"}, 7)
    assert isinstance(record, InvalidParticipation)
    assert record.redacted[key] == REDACTED
    assert "lea@example.org" not in repr(record)


def test_known_non_personal_keys_stay_readable() -> None:
    record = parse_participation({**GOOD, "status": "DONE"}, 7)
    assert isinstance(record, InvalidParticipation)
    assert {k: record.redacted[k] for k in ("id", "campaignId", "status", "createdAt")} == {
        "id": 42,
        "campaignId": 7,
        "status": "DONE",
        "createdAt": "2026-03-12T09:00:00.000Z",
    }
    assert record.redacted["masteryRate"] == 0.62
    assert record.redacted["participantId"] == REDACTED
    assert record.redacted["organizationLearnerId"] == REDACTED


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
_UNKNOWN_KEYS = st.text(max_size=80).filter(lambda key: key not in CLEAR_KEYS)


@given(st.dictionaries(_UNKNOWN_KEYS, _JSON, max_size=8), st.sampled_from([None, 7, "x"]))
def test_no_value_of_an_unknown_key_is_kept(extra: dict[str, Any], status: object) -> None:
    """Whatever its name, a key the allow-list does not know has its value masked."""
    raw = {**extra, "id": 42, "status": status}
    copy = redact_record(raw)
    assert len(copy) <= 50
    names = {key: next(iter(redact_record({key: None}))) for key in extra}  # cut, cleaned
    for key, value in extra.items():
        if list(names.values()).count(names[key]) == 1:
            assert copy[names[key]] == (None if value is None else REDACTED)
    for name, value in copy.items():
        assert len(name) <= 60
        if name not in CLEAR_KEYS:
            assert value in (None, REDACTED)


def test_the_quarantine_table_keeps_only_the_redacted_copy(tmp_path: Any) -> None:
    """What the store keeps (what ``quarantine list --json`` prints) is the masked copy."""
    raw = {
        **GOOD,
        "status": "DONE",
        "participantEmail": "lea@example.org",
        "participantBirthdate": "2008-05-04",
        "ParticipantLastName": "Durand",
    }
    record = parse_participation(raw, 7)
    assert isinstance(record, InvalidParticipation)
    store = SqlStateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        store.put_quarantine(record, datetime(2026, 3, 12, tzinfo=UTC))
        (entry,) = store.quarantine_entries()
    finally:
        store.close()
    text = repr(entry)
    for secret in ("lea@example.org", "2008-05-04", "Durand", "Léa", "1234567", PARTICIPANT):
        assert secret not in text
    assert entry["record"]["status"] == "DONE"
    assert entry["record"]["participantBirthdate"] == REDACTED
