"""What a prescription found around a write means, and where each outcome leads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from connector.domain.matching import ReviewReason
from connector.domain.model import Nature, Prescription, PrescriptionStatus
from connector.domain.plan import PlannedWrite, Review
from connector.domain.writes import (
    Found,
    WriteOutcome,
    before_resume,
    drops_intent,
    holds_cursor,
    refused,
    review_after,
)

DAY = date(2026, 3, 12)
WRITE = PlannedWrite(7, 12, "75010S00", 1001, 501, DAY, Nature.ATELIER, "c", "resume")


def found(statut: PrescriptionStatus | str, realised: date | None = None) -> Prescription:
    return Prescription(501, 1001, 1, statut, date(2026, 2, 1), realised)


def test_a_prescription_still_realisable_is_written_expecting_the_status_found() -> None:
    resumption = before_resume(WRITE, found(PrescriptionStatus.ONGOING))
    assert resumption.found is Found.TO_REALISE
    assert resumption.write == replace(WRITE, expected=PrescriptionStatus.ONGOING)


def test_realised_on_the_writes_date_is_the_connectors_own_write() -> None:
    resumption = before_resume(WRITE, found(PrescriptionStatus.ACHIEVED, DAY))
    assert resumption.found is Found.REALISED_BY_US


@pytest.mark.parametrize(
    "current",
    [
        None,
        found(PrescriptionStatus.ACHIEVED, date(2026, 3, 1)),
        found(PrescriptionStatus.ABANDONED),
        found(PrescriptionStatus.REFUSAL_YOUNG),
        found("SOMETHING_NEW"),
    ],
)
def test_anything_else_is_a_change_never_overwritten(current: Prescription | None) -> None:
    assert before_resume(WRITE, current).found is Found.CHANGED


def test_a_refused_key_keeps_the_intent_a_refused_request_plans_afresh() -> None:
    assert refused(access_refused=True) is WriteOutcome.FAILED
    assert refused(access_refused=False) is WriteOutcome.REFUSED


def test_where_each_outcome_leads() -> None:
    assert {o for o in WriteOutcome if drops_intent(o)} == {
        WriteOutcome.CONFLICT,
        WriteOutcome.REFUSED,
    }
    assert {o for o in WriteOutcome if holds_cursor(o)} == {
        WriteOutcome.FAILED,
        WriteOutcome.REFUSED,
    }


def test_a_conflict_goes_to_review() -> None:
    assert review_after(WRITE, WriteOutcome.CONFLICT) == Review(
        7, 12, "75010S00", ReviewReason.PRESCRIPTION_CHANGED, 1001
    )
    others = [o for o in WriteOutcome if o is not WriteOutcome.CONFLICT]
    assert [review_after(WRITE, o) for o in others] == [None] * len(others)
