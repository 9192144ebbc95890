"""What one run did, as counts a person or a monitoring system can read."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from connector.domain.capabilities import CONTRACT, Capabilities
from connector.domain.plan import PlannedWrite, Review
from connector.domain.rules import REALISED
from connector.domain.writes import WriteOutcome, actualite_not_recorded

__all__ = ["RunReport"]


@dataclass
class RunReport:
    """Counts per participation record. ``fetched`` counts the records Pix served; every
    fetched record ends in exactly one of updated, unchanged, review, quarantined or failed
    (writes resumed from an interrupted run are counted in ``updated`` and ``recovered``).

    ``capabilities``: what the run's I-Milo can do. One that cannot record actualités has the
    réalisés written (or, in a dry run, planned) without theirs counted in
    ``not_recorded_actualites``, shown as ``not_recorded`` in the JSON."""

    run_id: str
    fetched: int = 0
    updated: int = 0
    unchanged: int = 0
    review: int = 0
    quarantined: int = 0
    failed: int = 0
    recovered: int = 0
    interrupted: bool = False
    deadline_passed: bool = False  # CONNECTOR_RUN_DEADLINE: the run stopped taking work
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)
    reviews_by_reason: Counter[str] = field(default_factory=Counter)
    applied: list[PlannedWrite] = field(default_factory=list)
    planned: list[PlannedWrite] = field(default_factory=list)  # a dry run's writes
    reviews: list[Review] = field(default_factory=list)
    skipped_structures: dict[str, str] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    capabilities: Capabilities = CONTRACT
    not_recorded_actualites: int = 0

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the block's duration to ``stage_seconds[stage]`` (where a run spends its time)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add_time(stage, time.perf_counter() - started)

    def add_time(self, stage: str, seconds: float) -> None:
        """Add ``seconds`` to ``stage_seconds[stage]`` (a stage timed elsewhere)."""
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def record(self, write: PlannedWrite, outcome: WriteOutcome) -> None:
        """Count a write's outcome (a conflict counts as the review it becomes)."""
        self._count_not_recorded(write, outcome)
        if outcome is WriteOutcome.PLANNED:
            self.planned.append(write)
        elif outcome is WriteOutcome.APPLIED:
            self.updated += 1
            self.applied.append(write)
        elif outcome is not WriteOutcome.CONFLICT:
            self.failed += 1

    def record_resumed(self, write: PlannedWrite, outcome: WriteOutcome) -> None:
        """Count the outcome of an interrupted write resumed (its record was counted when it
        was fetched, in an earlier run)."""
        self._count_not_recorded(write, outcome)
        if outcome is WriteOutcome.PLANNED:
            self.planned.append(write)
        elif outcome is WriteOutcome.APPLIED:
            self.updated += 1
            self.recovered += 1
        elif outcome is WriteOutcome.FAILED:
            self.errors.append(
                f"participation {write.participation_id}: interrupted write still pending"
            )
        elif outcome is WriteOutcome.REFUSED:
            self.errors.append(
                f"participation {write.participation_id}: interrupted write refused by "
                "I-Milo, planned afresh next run"
            )

    def _count_not_recorded(self, write: PlannedWrite, outcome: WriteOutcome) -> None:
        """A réalisé written (or planned) whose actualité this I-Milo cannot record."""
        done = outcome in (WriteOutcome.APPLIED, WriteOutcome.PLANNED)
        if done and actualite_not_recorded(write, self.capabilities):
            self.not_recorded_actualites += 1

    def record_reviews(self, reviews: list[Review]) -> None:
        self.reviews.extend(reviews)
        self.review += len(reviews)
        self.reviews_by_reason.update(item.reason.value for item in reviews)

    @property
    def completed(self) -> bool:
        return (
            not self.errors
            and self.failed == 0
            and not self.interrupted
            and not self.deadline_passed
        )

    @property
    def outcome(self) -> str:
        if self.deadline_passed:
            return "failed"  # not a shutdown: the work did not fit in the time given
        if self.interrupted:
            return "interrupted"
        return "completed" if self.completed else "failed"

    def counts(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "review": self.review,
            "quarantined": self.quarantined,
            "failed": self.failed,
            "recovered": self.recovered,
        }

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "run_id": self.run_id,
            "outcome": self.outcome,
            **self.counts(),
            "review_reasons": dict(sorted(self.reviews_by_reason.items())),
            "skipped_structures": dict(sorted(self.skipped_structures.items())),
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
            "errors": list(self.errors),
        }
        if not self.capabilities.actualites:
            body["not_recorded"] = {"actualites": self.not_recorded_actualites}
        if self.dry_run:
            body["dry_run"] = True
            body["planned"] = len(self.planned)
            body["plan"] = [plan_item(w) for w in self.planned]
        return body


def plan_item(write: PlannedWrite) -> dict[str, Any]:
    """One planned write, as the dry run shows it (ids only, no names)."""
    return {
        "structure": write.structure_code,
        "participation_id": write.participation_id,
        "dossier_id": write.dossier_id,
        "prescription_id": write.prescription_id,
        "from": write.expected.value,
        "to": REALISED.value,
        "date": write.realisation_date.isoformat(),
        # The actualité's nature; null when none is recorded (a test taken alone).
        "nature": write.nature.value if write.nature is not None else None,
        "reason": write.evidence,
    }
