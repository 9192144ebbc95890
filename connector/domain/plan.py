"""The plan for one structure's participations: what to write, what to leave, what to review.

Rules, in order:
1. Only shared participations can lead to a write; one already in the ledger changes nothing.
2. The young person must be identified with certainty (see ``matching``), else review.
   The identifications are computed beforehand and passed in.
3. A retry in the same campaign never counts twice: per dossier and campaign, the earliest
   ``sharedAt`` wins, and a campaign already applied for that dossier wins over anything new.
4. The winners of a dossier, earliest first, realise its open prescriptions, oldest first.
   With one open prescription (the usual case) the earliest participation wins. So each
   result realises at most one prescription, and a later result a later prescription.
5. A winner left without an open prescription changes nothing if the connector realised one
   for that dossier (before, or in this plan), and goes to review otherwise: a counsellor
   closed it.
6. An intent still pending in the ledger (its resume failed) is a claim, as an applied one is:
   its participation is planned again only onto the prescription it claimed, while that
   prescription is open, and is otherwise left to the resume; its campaign counts as applied
   for its dossier (rule 3), its prescription is no other result's (rule 4), and its dossier
   counts as realised by the connector (rule 5). Without this, a result whose réalisé went
   through but whose actualité failed would realise the dossier's next prescription too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from connector.domain.matching import Identified, Ranked, ReviewReason, Unidentified
from connector.domain.model import (
    Candidate,
    ClosedPolicy,
    DateSource,
    DiagnosticType,
    ExternalIdKind,
    Modality,
    Nature,
    Participation,
    Prescription,
    PrescriptionStatus,
    Structure,
)
from connector.domain.rules import (
    DEFAULT_COMMENT,
    can_realise,
    nature_for,
    realisation_comment,
    realisation_date,
)

__all__ = [
    "CampaignRules",
    "Decision",
    "LedgerFacts",
    "NoChange",
    "PendingIntent",
    "PlanPolicy",
    "PlannedWrite",
    "Review",
    "plan_structure",
    "to_identify",
]


@dataclass(frozen=True, slots=True)
class CampaignRules:
    """What the mappings and the target profile say of one campaign."""

    modality: Modality
    diagnostic: DiagnosticType | None
    external_id: ExternalIdKind | None = None  # None: read the kind from each value


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    """The admins' defaults (campaigns.yaml ``defaults:``)."""

    date_source: DateSource = DateSource.SHARED_AT
    closed_prescription: ClosedPolicy = ClosedPolicy.REVIEW
    comment_template: str = DEFAULT_COMMENT


@dataclass(frozen=True, slots=True)
class PendingIntent:
    """An intent an earlier run committed and did not finish: what it claims (rule 6)."""

    dossier_id: int
    campaign_id: int
    prescription_id: int


@dataclass(frozen=True, slots=True)
class LedgerFacts:
    """What the state store already knows for the participations being planned."""

    applied_participations: frozenset[int]
    applied_campaigns_by_dossier: Mapping[int, frozenset[int]]
    # The structure's intents still pending, by participation id (rule 6).
    pending: Mapping[int, PendingIntent] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    participation_id: int
    campaign_id: int
    structure_code: str
    dossier_id: int
    prescription_id: int
    realisation_date: date
    nature: Nature | None  # the actualité's; None: no actualité (modality: autonomous)
    comment: str
    evidence: str = "id"  # what identified the young person: id, mail, names, resolution
    # The status the prescription was read in, which the write expects to find still
    # (``statutAttendu``): one of ``rules.REALISABLE``.
    expected: PrescriptionStatus = PrescriptionStatus.ONGOING


@dataclass(frozen=True, slots=True)
class Review:
    participation_id: int
    campaign_id: int
    structure_code: str
    reason: ReviewReason
    dossier_id: int | None = None
    ranked: Ranked = ()


@dataclass(frozen=True, slots=True)
class NoChange:
    participation_id: int
    campaign_id: int
    reason: str


Decision = PlannedWrite | Review | NoChange


def _oldest_first(prescription: Prescription) -> tuple[date, int]:
    return (prescription.date_prescription or date.min, prescription.id)


def to_identify(
    participations: Iterable[Participation], applied: Collection[int]
) -> list[Participation]:
    """The participations whose young person must be identified (rules 1 and 2): shared ones
    not yet in the ledger. None: nothing to decide, and I-Milo need not be read."""
    return [p for p in participations if p.is_shared and p.id not in applied]


def plan_structure(
    structure: Structure,
    participations: Iterable[Participation],
    rules: Mapping[int, CampaignRules],
    candidates: Iterable[Candidate],
    identifications: Mapping[int, Identified | Unidentified],
    ledger: LedgerFacts,
    policy: PlanPolicy = PlanPolicy(),
) -> list[Decision]:
    """Decide, without any I/O, what happens to each participation of one structure.

    ``candidates`` are the open prescriptions on the structure's « Evaluation PIX » offers;
    ``identifications`` say, per shared participation id, who the young person is.
    A shared participation without an identification is left unchanged.
    """
    open_by_dossier: dict[int, list[Prescription]] = defaultdict(list)
    for candidate in candidates:
        if can_realise(candidate.prescription.statut):
            open_by_dossier[candidate.dossier.id].append(candidate.prescription)

    claims: dict[int, list[PendingIntent]] = defaultdict(list)
    for claim in ledger.pending.values():
        claims[claim.dossier_id].append(claim)

    decisions: list[Decision] = []
    identified: dict[int, list[Participation]] = defaultdict(list)
    evidence: dict[int, str] = {}
    for p in participations:
        found = identifications.get(p.id)
        if not p.is_shared:
            decisions.append(NoChange(p.id, p.campaign_id, "not_shared"))
        elif p.id in ledger.applied_participations:
            decisions.append(NoChange(p.id, p.campaign_id, "already_applied"))
        elif p.id in ledger.pending and not isinstance(found, Identified):
            decisions.append(NoChange(p.id, p.campaign_id, "write_pending"))
        elif isinstance(found, Identified):
            identified[found.dossier_id].append(p)
            evidence[p.id] = found.evidence
        elif found is None:
            decisions.append(NoChange(p.id, p.campaign_id, "not_identified"))
        else:
            decisions.append(
                Review(
                    p.id,
                    p.campaign_id,
                    structure.code,
                    found.reason,
                    found.dossier_id,
                    found.ranked,
                )
            )

    for dossier_id, items in identified.items():
        applied_campaigns = ledger.applied_campaigns_by_dossier.get(dossier_id, frozenset())
        pending = claims.get(dossier_id, [])
        taken_campaigns = applied_campaigns | {c.campaign_id for c in pending}
        claimed = {c.prescription_id for c in pending}
        open_prescriptions = sorted(open_by_dossier.get(dossier_id, []), key=_oldest_first)
        winners: dict[int, Participation] = {}
        for p in sorted(items, key=_by_shared_at):
            intent = ledger.pending.get(p.id)
            if intent is not None:
                decisions.append(
                    _pending_again(
                        structure, p, intent, open_prescriptions, rules, policy, evidence
                    )
                )
            elif p.campaign_id in taken_campaigns or p.campaign_id in winners:
                decisions.append(NoChange(p.id, p.campaign_id, "retry_superseded"))
            else:
                winners[p.campaign_id] = p
        free = [o for o in open_prescriptions if o.id not in claimed]
        for index, p in enumerate(sorted(winners.values(), key=_by_shared_at)):
            if index < len(free):
                decisions.append(
                    _write(
                        structure,
                        p,
                        free[index],
                        rules[p.campaign_id],
                        policy,
                        evidence[p.id],
                    )
                )
            elif applied_campaigns or pending or free:
                # Realised by the connector, earlier (applied or pending) or in this very
                # plan: nothing to add. One result never realises two prescriptions.
                decisions.append(NoChange(p.id, p.campaign_id, "already_realised"))
            elif policy.closed_prescription is ClosedPolicy.SKIP:
                decisions.append(NoChange(p.id, p.campaign_id, "prescription_closed"))
            else:
                decisions.append(
                    Review(
                        p.id,
                        p.campaign_id,
                        structure.code,
                        ReviewReason.NO_OPEN_PRESCRIPTION,
                        dossier_id,
                    )
                )
    return decisions


def _pending_again(
    structure: Structure,
    p: Participation,
    intent: PendingIntent,
    open_prescriptions: list[Prescription],
    rules: Mapping[int, CampaignRules],
    policy: PlanPolicy,
    evidence: Mapping[int, str],
) -> Decision:
    """Rule 6: a participation whose intent is still pending is written again only onto the
    prescription it claimed, while that one is open; otherwise its resume finishes it."""
    for prescription in open_prescriptions:
        if prescription.id == intent.prescription_id:
            return _write(structure, p, prescription, rules[p.campaign_id], policy, evidence[p.id])
    return NoChange(p.id, p.campaign_id, "write_pending")


def _by_shared_at(p: Participation) -> tuple[datetime, int]:
    return (p.shared_at or p.created_at, p.id)


def _write(
    structure: Structure,
    p: Participation,
    prescription: Prescription,
    rule: CampaignRules,
    policy: PlanPolicy,
    evidence: str,
) -> PlannedWrite:
    assert p.shared_at is not None  # noqa: S101
    moment = p.created_at if policy.date_source is DateSource.STARTED_AT else p.shared_at
    day = realisation_date(moment, structure.timezone)
    return PlannedWrite(
        participation_id=p.id,
        campaign_id=p.campaign_id,
        structure_code=structure.code,
        dossier_id=prescription.dossier_id,
        prescription_id=prescription.id,
        realisation_date=day,
        nature=nature_for(rule.modality),
        comment=realisation_comment(day, rule.diagnostic, p.mastery_rate, policy.comment_template),
        evidence=evidence,
        expected=PrescriptionStatus(prescription.statut),
    )
