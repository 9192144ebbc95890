"""Reads one structure and decides it: the per-structure half of a run (``Sync`` is the loop).

Steps, each rule from ``connector.domain``:
1. the structure as I-Milo serves it (``domain.structures`` when it is unknown), in its time
   zone (``domain.timezones``), and its one « Evaluation PIX » offer (``domain.offers``);
2. its campaigns' participations, with counsellors' decisions taken in
   (``domain.counsellors``); nothing to identify (``plan.to_identify``): no I-Milo reads;
3. the candidates: the offer's prescriptions the connector may realise (``rules.REALISABLE``);
4. identification (``Identifier``), then the plan (``plan.plan_structure``).
This module holds no rule and writes nothing but the run's report, the quarantine and, for a
structure with nothing to decide, its cursors.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field

import structlog

from connector.domain.counsellors import (
    CounsellorDecision,
    Verdict,
    resolutions,
    with_decisions,
)
from connector.domain.matching import Identified
from connector.domain.model import Offre, Organisation, Participation, ServedStructure, Structure
from connector.domain.offers import choose_offer
from connector.domain.plan import (
    LedgerFacts,
    NoChange,
    PlannedWrite,
    PlanPolicy,
    Review,
    plan_structure,
    to_identify,
)
from connector.domain.rules import REALISABLE
from connector.domain.structures import UnknownStructure, cursors_to_advance, unknown_structure
from connector.domain.timezones import structure_timezone
from connector.domain.writes import WriteOutcome
from connector.errors import ApiError
from connector.imilo.port import IMilo
from connector.imilo.structures import StructureDirectory
from connector.mappings import Mappings
from connector.run.effects import Effects
from connector.run.extract import CampaignBatch, Extraction
from connector.run.identify import Identifier
from connector.run.report import RunReport
from connector.store.campaign_facts import CampaignFact
from connector.store.leases import Lease
from connector.store.review_queue import DISMISSED, RESOLVED, ReviewEntry
from connector.store.sql import SqlStateStore

__all__ = ["Decided", "StructureDecider", "checkpoint"]

log = structlog.get_logger("connector.sync")


@dataclass
class Decided:
    """A structure read and decided; its writes are carried out in the background."""

    code: str
    participations: list[Participation]
    batches: list[CampaignBatch]
    failed_campaigns: set[int]
    reviews: list[Review] = field(default_factory=list)
    writes: list[PlannedWrite] = field(default_factory=list)
    held: ExitStack = field(default_factory=ExitStack)  # its lease, until finished
    lease: Lease | None = None
    applying: Future[list[tuple[PlannedWrite, WriteOutcome]]] | None = None


def checkpoint(effects: Effects, batches: list[CampaignBatch], failed_campaigns: set[int]) -> None:
    """Move each campaign's cursor past records that are durably handled, and no further."""
    effects.advance_cursors(
        cursors_to_advance({b.campaign.id: b.newest for b in batches}, failed_campaigns)
    )


def campaign_fact(code: str, batch: CampaignBatch) -> CampaignFact:
    """What the console groups by: the campaign as this run read it, no personal data."""
    diagnostic = batch.rules.diagnostic
    return CampaignFact(
        campaign_id=batch.campaign.id,
        structure_code=code,
        code=batch.campaign.code,
        name=batch.campaign.name,
        diagnostic=diagnostic.value if diagnostic is not None else None,
        modality=batch.rules.modality.value,
    )


def _decision(entry: ReviewEntry) -> CounsellorDecision | None:
    """A review item a counsellor decided, in the domain's words."""
    verdicts = {DISMISSED: Verdict.DISMISSED, RESOLVED: Verdict.RESOLVED}
    verdict = verdicts.get(entry.status)
    if verdict is None:
        return None
    return CounsellorDecision(verdict, entry.as_participation(), entry.resolved_dossier_id)


class StructureDecider:
    """Decides the structures of one run, one at a time."""

    def __init__(
        self,
        imilo: IMilo,
        store: SqlStateStore,
        mappings: Mappings,
        directory: StructureDirectory,
        identifier: Identifier,
        effects: Effects,
        *,
        checkpoints: bool,
    ) -> None:
        self._imilo = imilo
        self._store = store
        self._mappings = mappings
        self._directory = directory
        self._identifier = identifier
        self._effects = effects
        self._checkpoints = checkpoints  # False for a CSV import

    def decide(
        self,
        code: str,
        organisations: list[Organisation],
        extraction: Callable[[], Extraction],
        report: RunReport,
    ) -> Decided | None:
        """Read and decide a structure. None: nothing to write or to record."""
        try:
            served = self._directory.structure(code)
            if served is None:
                self._unknown_structure(code, organisations, report)
                return None
            structure = self._located(code, served, report)
            if structure is None:
                return None
            offre = self._evaluation_offre(structure, report)
            if offre is None:
                return None
        except ApiError as error:
            report.errors.append(f"structure {code}: {error}")
            log.error("structure_failed", structure=code, error=str(error))
            return None
        extracted = extraction()
        self._take_in(extracted, report)
        batches = extracted.batches
        self._effects.record_campaigns([campaign_fact(code, b) for b in batches])
        rules = {b.campaign.id: b.rules for b in batches}
        failed_campaigns: set[int] = {b.campaign.id for b in batches if b.failed}
        decisions = {
            pid: counsellor
            for pid, entry in self._store.reviews.decided(code).items()
            if (counsellor := _decision(entry)) is not None
        }
        taken = with_decisions(
            [p for b in batches for p in b.participations],
            decisions,
            set(rules) - failed_campaigns,
        )
        report.unchanged += taken.dismissed
        participations = taken.participations
        applied = self._store.applied_participations(p.id for p in participations)
        todo = to_identify(participations, applied)
        if not todo:
            # Nothing to decide (a quiet structure, or a re-read window): no I-Milo reads.
            report.unchanged += len(participations)
            if not report.interrupted and self._checkpoints:
                checkpoint(self._effects, batches, failed_campaigns)
            return None
        try:
            candidates = self._imilo.candidates(structure.code, offre.id, REALISABLE)
        except ApiError as error:
            self._evidence_missing(code, error, len(participations), report, "structure_failed")
            return None
        try:
            with report.timed("identify"):
                identifications = self._identifier.identify(
                    code,
                    candidates,
                    todo,
                    resolutions(decisions),
                    {campaign_id: r.external_id for campaign_id, r in rules.items()},
                )
        except ApiError as error:
            self._evidence_missing(
                code, error, len(participations), report, "identification_failed"
            )
            return None
        identified = {i.dossier_id for i in identifications.values() if isinstance(i, Identified)}
        ledger = LedgerFacts(
            applied_participations=applied,
            applied_campaigns_by_dossier=self._store.applied_campaigns_by_dossier(identified),
            pending=self._store.pending_intents(code),
        )
        defaults = self._mappings.defaults
        policy = PlanPolicy(
            defaults.realisation_date, defaults.closed_prescription, defaults.comment
        )
        with report.timed("plan"):
            planned = plan_structure(
                structure, participations, rules, candidates, identifications, ledger, policy
            )
        decided = Decided(code, participations, batches, failed_campaigns)
        for decision in planned:
            if isinstance(decision, NoChange):
                report.unchanged += 1
            elif isinstance(decision, Review):
                decided.reviews.append(decision)
            else:
                decided.writes.append(decision)
        return decided

    @staticmethod
    def _evidence_missing(
        code: str, error: ApiError, participations: int, report: RunReport, event: str
    ) -> None:
        """I-Milo could not tell who is who: decide nothing for this structure now, and read
        it whole again next run."""
        report.errors.append(f"structure {code}: {error}")
        report.failed += participations
        log.error(event, structure=code, error=str(error))

    def _unknown_structure(
        self, code: str, organisations: list[Organisation], report: RunReport
    ) -> None:
        mapped = any(o.id in self._mappings.organisations for o in organisations)
        if unknown_structure(mapped) is UnknownStructure.MAPPING_ERROR:
            report.errors.append(f"structure {code} is unknown to I-Milo: check organisations.yaml")
            log.error("mapped_structure_unknown", structure=code)
        else:
            log.warning(
                "organisation_external_id_not_a_structure",
                organisation_ids=[o.id for o in organisations],
            )

    def _located(self, code: str, served: ServedStructure, report: RunReport) -> Structure | None:
        """The structure in the zone its dates follow (``domain.timezones``). None: no zone
        fits, and the structure is skipped and reported."""
        found = structure_timezone(code, served.timezone, self._mappings.imilo.timezones)
        if found.zone is None:
            reason = found.problem or "no time zone"
            report.skipped_structures[code] = reason
            log.warning("structure_skipped", structure=code, reason=reason)
            return None
        if served.timezone is not None and found.source == "department":
            # Served, but no zone this machine knows: the department's is used instead.
            log.warning("structure_timezone_unknown", structure=code, timezone=found.zone)
        return served.in_zone(found.zone)

    def _evaluation_offre(self, structure: Structure, report: RunReport) -> Offre | None:
        """The offer ``domain.offers`` chooses; None: the structure is skipped and reported."""
        choice = choose_offer(
            self._imilo.offres(structure.code),
            name=self._mappings.imilo.offer_name,
            capabilities=self._imilo.capabilities,
        )
        if choice.offre is None:
            report.skipped_structures[structure.code] = choice.reason
            log.warning("structure_skipped", structure=structure.code, reason=choice.reason)
        return choice.offre

    def _take_in(self, extraction: Extraction, report: RunReport) -> None:
        report.fetched += extraction.fetched
        report.unchanged += extraction.duplicates
        report.errors.extend(extraction.errors)
        report.add_time("extract", extraction.seconds)
        for record in extraction.invalid:
            self._effects.quarantine(record)
            report.quarantined += 1
