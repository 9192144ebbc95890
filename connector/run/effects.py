"""Everything a run changes, in one place: I-Milo writes and the state store's records.

``Effects`` carries them out; ``DryRun`` only notes what would be done, so that a dry run
goes through the very same steps and decisions as a real one, and a real run right after
it makes exactly the changes it listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from connector.domain.model import Participation
from connector.domain.plan import PlannedWrite, Review
from connector.domain.records import InvalidParticipation
from connector.imilo.port import IMilo
from connector.run.writer import RealisationWriter, WriteOutcome
from connector.store.campaign_facts import CampaignFact
from connector.store.sql import LedgerEntry, SqlStateStore

__all__ = ["DryRun", "Effects"]


class Effects:
    """The real thing."""

    dry_run = False

    def __init__(
        self, imilo: IMilo, store: SqlStateStore, clock: Callable[[], datetime], run_id: str
    ) -> None:
        self._store = store
        self._clock = clock
        self._run_id = run_id
        self._writer = RealisationWriter(imilo, store, clock, run_id)

    def start_run(self) -> None:
        self._store.start_run(self._run_id, self._clock())

    def finish_run(self, outcome: str, counts: dict[str, int]) -> None:
        self._store.finish_run(self._run_id, self._clock(), outcome, counts)

    def pending_writes(self, structure_codes: Iterable[str] | None = None) -> list[LedgerEntry]:
        return self._store.pending_writes(structure_codes)

    def resume(self, entry: LedgerEntry) -> WriteOutcome:
        return self._writer.resume(entry)

    def begin_writes(self, writes: Sequence[PlannedWrite]) -> None:
        self._writer.begin(writes)

    def carry_out(self, write: PlannedWrite) -> WriteOutcome:
        return self._writer.carry_out(write)

    def settle(
        self,
        done: Sequence[tuple[PlannedWrite, WriteOutcome]],
        never_started: Sequence[PlannedWrite],
    ) -> None:
        self._writer.settle(done, never_started)

    def quarantine(self, record: InvalidParticipation) -> None:
        self._store.put_quarantine(record, self._clock())

    def put_reviews(self, items: Sequence[tuple[Review, Participation]]) -> None:
        self._store.reviews.put(items, self._clock())

    def record_campaigns(self, facts: Sequence[CampaignFact]) -> None:
        self._store.campaigns.record(facts, self._clock())

    def advance_cursors(self, newest: Mapping[int, datetime]) -> None:
        self._store.advance_cursors(newest, self._clock())


class DryRun(Effects):
    """Reads what a real run reads; writes nothing anywhere."""

    dry_run = True

    def start_run(self) -> None:
        pass

    def finish_run(self, outcome: str, counts: dict[str, int]) -> None:
        pass

    def resume(self, entry: LedgerEntry) -> WriteOutcome:
        return WriteOutcome.PLANNED

    def begin_writes(self, writes: Sequence[PlannedWrite]) -> None:
        pass

    def carry_out(self, write: PlannedWrite) -> WriteOutcome:
        return WriteOutcome.PLANNED

    def settle(
        self,
        done: Sequence[tuple[PlannedWrite, WriteOutcome]],
        never_started: Sequence[PlannedWrite],
    ) -> None:
        pass

    def quarantine(self, record: InvalidParticipation) -> None:
        pass

    def put_reviews(self, items: Sequence[tuple[Review, Participation]]) -> None:
        pass

    def record_campaigns(self, facts: Sequence[CampaignFact]) -> None:
        pass

    def advance_cursors(self, newest: Mapping[int, datetime]) -> None:
        pass
