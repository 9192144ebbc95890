"""One run of the connector: extract → classify → match → plan → apply → checkpoint.

This module is the run's loop: structures in turn under their leases, the read-ahead and the
write pools, resumes, the deadline and the checkpoints. Each structure is read and decided by
``decide.StructureDecider``. The rules live in ``connector.domain``, the I/O in the adapters
and the store.
"""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from connector.domain.model import Organisation
from connector.domain.plan import PlannedWrite
from connector.domain.structure_codes import is_structure_code
from connector.domain.writes import WriteOutcome, holds_cursor, review_after
from connector.errors import ApiError
from connector.imilo.port import IMilo
from connector.imilo.structures import StructureDirectory
from connector.mappings import Mappings
from connector.pix.port import PixSource
from connector.run.apply import apply_writes
from connector.run.decide import Decided, StructureDecider, checkpoint
from connector.run.effects import DryRun, Effects
from connector.run.extract import DEFAULT_OVERLAP, CampaignReader, Extraction
from connector.run.identify import Identifier
from connector.run.report import RunReport
from connector.run.writer import resumed_write
from connector.store.leases import Lease, Leases
from connector.store.sql import LedgerEntry, SqlStateStore

__all__ = ["DEFAULT_OVERLAP", "RunScope", "Sync"]

log = structlog.get_logger("connector.sync")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RunScope:
    """What one run covers: everything, or one campaign, from a date (a replay)."""

    campaign_code: str | None = None
    since: datetime | None = None
    # False for a CSV import: a file says nothing of what the API has still to bring.
    checkpoint: bool = True


class Sync:
    """Runs the connector once over every mapped organisation."""

    def __init__(
        self,
        pix: PixSource,
        imilo: IMilo,
        store: SqlStateStore,
        mappings: Mappings,
        *,
        clock: Callable[[], datetime] = utc_now,
        overlap: timedelta = DEFAULT_OVERLAP,
        stop: threading.Event | None = None,
        concurrency: int = 1,
        read_ahead: int = 0,
        leases: Leases | None = None,
        progress: Callable[[int, int, RunReport], None] | None = None,
        run_deadline: float | None = None,
    ) -> None:
        self._progress = progress
        self._run_deadline = run_deadline
        self._read_ahead = read_ahead
        self._ahead: dict[str, Future[Extraction]] = {}
        self._leases = leases
        self._concurrency = concurrency
        # Set on a shutdown or once the run's deadline passes; the adapters share it, so that
        # requests in flight end too.
        self._stop = stop if stop is not None else threading.Event()
        self._deadline_fired = False  # the stop event was set by a run's deadline, not asked
        self._scope = RunScope()
        self._pix = pix
        self._imilo = imilo
        self._store = store
        self._mappings = mappings
        self._clock = clock
        self._reader = CampaignReader(pix, store, overlap)
        self._identifier = Identifier(imilo)
        self._directory = StructureDirectory(imilo)

    def show_progress(self, progress: Callable[[int, int, RunReport], None]) -> None:
        """Call ``progress(done, total, report)`` after each structure."""
        self._progress = progress

    def use_mappings(self, mappings: Mappings) -> None:
        """Runs from now on follow these mappings (the worker reloads them before each run)."""
        self._mappings = mappings

    def run_once(self, scope: RunScope | None = None, *, dry_run: bool = False) -> RunReport:
        """One run over every mapped organisation, or over ``scope`` only (a replay).

        A dry run reads everything and decides everything, but writes nothing: not to
        I-Milo, not to the ledger, the cursors, the review queue or the quarantine.
        """
        self._scope = scope or RunScope()
        report = RunReport(
            run_id=str(uuid.uuid4()), dry_run=dry_run, capabilities=self._imilo.capabilities
        )
        effects = DryRun if dry_run else Effects
        self._effects = effects(self._imilo, self._store, self._clock, report.run_id)
        self._decider = StructureDecider(
            self._imilo,
            self._store,
            self._mappings,
            self._directory,
            self._identifier,
            self._effects,
            checkpoints=self._scope.checkpoint,
        )
        structlog.contextvars.bind_contextvars(run_id=report.run_id)
        if self._deadline_fired:  # the last run's deadline: this run has its own time
            self._deadline_fired = False
            self._stop.clear()
        deadline = self._deadline_timer(report)
        try:
            self._effects.start_run()
            log.info("run_started", dry_run=dry_run)
            try:
                structures = self.structures()
            except ApiError as error:
                report.errors.append(str(error))
                structures = {}
            if self._pix.unreadable_organisations:
                # Their structures cannot be synced: the run must not look complete.
                report.errors.append(
                    f"pix: {self._pix.unreadable_organisations} organisation(s) left out, "
                    "their id being outside 1..2^63-1"
                )
            self._sync_structures(structures, report)
            # Intents of structures no longer synced (a mapping removed after a crash).
            orphans = [
                e for e in self._effects.pending_writes() if e.structure_code not in structures
            ]
            self._resume_pending(report, orphans)
            self._effects.finish_run(report.outcome, report.counts())
            for problem in report.errors:
                log.error("run_error", error=problem)
            log.info("run_finished", outcome=report.outcome, **report.counts())
            return report
        finally:
            if deadline is not None:
                deadline.cancel()
            structlog.contextvars.unbind_contextvars("run_id")

    def _deadline_timer(self, report: RunReport) -> threading.Timer | None:
        """Past ``run_deadline`` seconds, the run stops taking work: the stop event ends the
        requests in flight and the loop; an abandoned write is in the ledger, and the next
        run carries it out."""
        if self._run_deadline is None:
            return None
        seconds = self._run_deadline
        context = contextvars.copy_context()  # the timer's log line carries the run id

        def passed() -> None:
            report.deadline_passed = True
            report.errors.append(
                f"the run's deadline passed after {seconds:g} s (CONNECTOR_RUN_DEADLINE): it "
                "stopped taking work; the next run takes up what is left"
            )
            log.error("run_deadline_passed", seconds=seconds)
            if not self._stop.is_set():
                self._deadline_fired = True
                self._stop.set()

        timer = threading.Timer(seconds, context.run, args=(passed,))
        timer.daemon = True
        timer.start()
        return timer

    def _stopping(self, report: RunReport, lease: Lease | None = None) -> bool:
        """A shutdown was asked, or a lease was lost: stop before the next write, leaving
        cursors where the handled records allow."""
        lease_lost = lease is not None and lease.lost.is_set()
        if self._stop.is_set() or lease_lost:
            if not report.interrupted:
                log.warning("run_interrupted")
            report.interrupted = True
        return report.interrupted

    # steps ---------------------------------------------------------------------------------
    def _sync_structures(
        self, structures: dict[str, list[Organisation]], report: RunReport
    ) -> None:
        """Each structure in turn, in two overlapping stages: while the writes of one are
        carried out in the background, the next one is read and decided. Each structure is
        held under its lease from its first read to its last write."""
        finished = 0

        def done() -> None:
            nonlocal finished
            finished += 1
            if self._progress is not None:
                self._progress(finished, len(structures), report)

        codes = sorted(structures)
        with ExitStack() as run:
            leases = run.enter_context(ExitStack())  # released after the pools are drained
            writers = run.enter_context(
                ThreadPoolExecutor(max(1, self._concurrency), thread_name_prefix="write")
            )
            applier = run.enter_context(ThreadPoolExecutor(1, thread_name_prefix="apply"))
            # On an unexpected error, a structure's writes still queued never start.
            run.callback(applier.shutdown, wait=False, cancel_futures=True)
            readers = ThreadPoolExecutor(max(1, self._read_ahead), thread_name_prefix="read")
            run.callback(readers.shutdown, wait=True, cancel_futures=True)
            run.callback(self._ahead.clear)
            broken = threading.Event()
            in_flight: Decided | None = None
            for position, code in enumerate(codes):
                if self._stopping(report):
                    break
                self._read_ahead_of(codes[position + 1 :], structures, readers)
                organisations = structures[code]
                decided = self._decide_held(code, organisations, report, leases)
                if decided is None:
                    done()
                    continue
                # Queued behind the previous structure's writes, so that the writers go on
                # while that structure is recorded.
                decided.applying = applier.submit(
                    contextvars.copy_context().run, self._apply, decided, report, writers, broken
                )
                if in_flight is not None:
                    self._finish(in_flight, report)
                    done()
                in_flight = decided
            if in_flight is not None:
                self._finish(in_flight, report)
                done()

    def _read_ahead_of(
        self,
        upcoming: list[str],
        structures: dict[str, list[Organisation]],
        readers: ThreadPoolExecutor,
    ) -> None:
        """Start reading the campaigns of the next structures from Pix in the background, so
        that Pix's latency is not paid one request at a time. Only structures I-Milo is known
        to have are read ahead: a Pix organisation that is no Mission Locale is not read."""
        for code in upcoming[: self._read_ahead]:
            if code not in self._ahead and self._directory.known(code):
                self._ahead[code] = readers.submit(
                    contextvars.copy_context().run, self._extract, structures[code]
                )

    def _decide_held(
        self, code: str, organisations: list[Organisation], report: RunReport, leases: ExitStack
    ) -> Decided | None:
        """Take the structure's lease (when replicas share the store), finish its interrupted
        writes, then read and decide it. None: nothing left to write or to record (the lease
        is already released)."""
        held = ExitStack()
        leases.push(held)
        lease: Lease | None = None
        if self._leases is not None:
            lease = held.enter_context(self._leases.holding(f"structure:{code}"))
            if lease is None:
                held.close()
                log.info("structure_held_by_another_replica", structure=code)
                return None
        self._resume_pending(report, self._effects.pending_writes([code]), lease)
        decided = self._decider.decide(
            code, organisations, lambda: self._extraction(code, organisations), report
        )
        if decided is None:
            self._release(code, held, lease, report)
            return None
        decided.held, decided.lease = held, lease
        return decided

    def _release(self, code: str, held: ExitStack, lease: Lease | None, report: RunReport) -> None:
        if lease is not None and lease.lost.is_set():
            report.errors.append(f"structure {code}: lease lost to another replica")
        held.close()

    def _resume_pending(
        self, report: RunReport, entries: list[LedgerEntry], lease: Lease | None = None
    ) -> None:
        for entry in entries:
            if self._stopping(report, lease):
                return
            log.info("resuming_interrupted_write", participation_id=entry.participation_id)
            report.record_resumed(resumed_write(entry), self._effects.resume(entry))

    def structures(self) -> dict[str, list[Organisation]]:
        """The Pix organisations to sync, by I-Milo structure code (mapping or externalId).

        A code that is not an I-Milo structure code (an ``externalId`` may be anything) is
        never used: its organisation is skipped, logged without the value."""
        by_structure: dict[str, list[Organisation]] = defaultdict(list)
        for organisation in self._pix.organisations():
            code = self._mappings.structure_code(organisation.id, organisation.external_id)
            if code is None:
                log.info("organisation_not_mapped", organisation_id=organisation.id)
                continue
            if not is_structure_code(code):
                mapped = bool(self._mappings.organisations.get(organisation.id))
                source = "its mapped code" if mapped else "its externalId"
                log.warning(
                    "organisation_skipped",
                    organisation_id=organisation.id,
                    reason=f"{source} is not an I-Milo structure code",
                )
                continue
            by_structure[code].append(organisation)
        return by_structure

    def _apply(
        self,
        decided: Decided,
        report: RunReport,
        writers: ThreadPoolExecutor,
        broken: threading.Event,
    ) -> list[tuple[PlannedWrite, WriteOutcome]]:
        """Carry out a structure's writes (in the background, on the run's write pool).
        After an unexpected error in a previous structure's writes, none starts."""
        if not decided.writes or broken.is_set():
            return []
        try:
            with report.timed("apply"):
                return apply_writes(
                    decided.writes,
                    self._effects,
                    concurrency=self._concurrency,
                    stopping=lambda: self._stopping(report, decided.lease),
                    pool=writers,
                )
        except BaseException:
            broken.set()
            raise

    def _finish(self, decided: Decided, report: RunReport) -> None:
        """Once a structure's writes are done: record them, queue its reviews, move its
        cursors, and release its lease."""
        assert decided.applying is not None  # noqa: S101
        outcomes = decided.applying.result()
        reviews = decided.reviews
        for write, outcome in outcomes:
            report.record(write, outcome)
            if (review := review_after(write, outcome)) is not None:
                reviews.append(review)
            if holds_cursor(outcome):
                decided.failed_campaigns.add(write.campaign_id)
        by_id = {p.id: p for p in decided.participations}
        self._effects.put_reviews([(r, by_id[r.participation_id]) for r in reviews])
        report.record_reviews(reviews)
        for item in reviews:
            log.info(
                "sent_to_review",
                participation_id=item.participation_id,
                reason=item.reason.value,
                dossier_id=item.dossier_id,
                candidates=[list(pair) for pair in item.ranked],
            )
        if not report.interrupted and self._scope.checkpoint:
            checkpoint(self._effects, decided.batches, decided.failed_campaigns)
        self._release(decided.code, decided.held, decided.lease, report)

    def _extraction(self, code: str, organisations: list[Organisation]) -> Extraction:
        """The structure's campaigns as read ahead, or read now."""
        ahead = self._ahead.pop(code, None)
        if ahead is not None:
            return ahead.result()
        return self._extract(organisations)

    def _extract(self, organisations: list[Organisation]) -> Extraction:
        return self._reader.read(
            organisations,
            self._mappings,
            campaign_code=self._scope.campaign_code,
            since=self._scope.since,
        )
