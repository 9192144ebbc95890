"""Counsellors' decisions on review items: dismissed ones are left, resolved ones win."""

from __future__ import annotations

from datetime import UTC, datetime

from connector.domain.counsellors import (
    CounsellorDecision,
    Verdict,
    resolutions,
    with_decisions,
)
from connector.domain.model import Participation, ParticipationStatus
from connector.domain.structures import UnknownStructure, cursors_to_advance, unknown_structure


def shared(pid: int, campaign: int = 10) -> Participation:
    moment = datetime(2026, 3, 12, tzinfo=UTC)
    return Participation(
        id=pid,
        campaign_id=campaign,
        status=ParticipationStatus.SHARED,
        created_at=moment,
        shared_at=moment,
        participant_id=pid,
        mastery_rate=None,
        first_name="Lea",
        last_name="Durand",
        external_id=None,
    )


def test_dismissed_items_are_left_out_and_counted() -> None:
    decisions = {2: CounsellorDecision(Verdict.DISMISSED, shared(2))}
    taken = with_decisions([shared(1), shared(2)], decisions, {10})
    assert [p.id for p in taken.participations] == [1] and taken.dismissed == 1


def test_a_resolution_outside_the_window_is_carried_out_if_its_campaign_was_read() -> None:
    decisions = {
        5: CounsellorDecision(Verdict.RESOLVED, shared(5), 1001),
        6: CounsellorDecision(Verdict.RESOLVED, shared(6, campaign=11), 1002),
        7: CounsellorDecision(Verdict.DISMISSED, shared(7)),
    }
    taken = with_decisions([shared(1)], decisions, {10})
    assert [p.id for p in taken.participations] == [1, 5] and taken.dismissed == 0


def test_a_resolution_in_the_window_is_not_added_twice() -> None:
    decisions = {1: CounsellorDecision(Verdict.RESOLVED, shared(1), 1001)}
    assert [p.id for p in with_decisions([shared(1)], decisions, {10}).participations] == [1]


def test_resolutions_name_their_dossier() -> None:
    decisions = {
        1: CounsellorDecision(Verdict.RESOLVED, shared(1), 1001),
        2: CounsellorDecision(Verdict.DISMISSED, shared(2)),
        3: CounsellorDecision(Verdict.RESOLVED, shared(3)),
    }
    assert resolutions(decisions) == {1: 1001}


def test_an_unknown_structure_is_an_error_only_when_an_admin_mapped_it() -> None:
    assert unknown_structure(True) is UnknownStructure.MAPPING_ERROR
    assert unknown_structure(False) is UnknownStructure.NOT_A_MISSION_LOCALE


def test_cursors_move_only_for_campaigns_read_without_failure() -> None:
    moment = datetime(2026, 3, 12, tzinfo=UTC)
    assert cursors_to_advance({1: moment, 2: moment, 3: None}, {2}) == {1: moment}
