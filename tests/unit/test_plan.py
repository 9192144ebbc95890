"""The plan for one structure: who gets written, what is left alone, what goes to review."""

from __future__ import annotations

from datetime import UTC, date, datetime

from connector.domain.matching import (
    Identified,
    ReviewReason,
    Tentative,
    Unidentified,
    confirm,
    match,
    read_external_id,
)
from connector.domain.model import (
    Candidate,
    DiagnosticType,
    Dossier,
    Modality,
    Nature,
    Participation,
    ParticipationStatus,
    Prescription,
    PrescriptionStatus,
    Structure,
)
from connector.domain.plan import (
    CampaignRules,
    LedgerFacts,
    NoChange,
    PendingIntent,
    PlannedWrite,
    Review,
    plan_structure,
)

PARIS = Structure(code="75010S00", name="ML Paris", timezone="Europe/Paris")
REUNION = Structure(code="97411S00", name="ML Nord Réunion", timezone="Indian/Reunion")
RULES = {
    10: CampaignRules(Modality.INDIVIDUAL, DiagnosticType.SHORT),
    11: CampaignRules(Modality.GROUP, DiagnosticType.LONG),
    12: CampaignRules(Modality.AUTONOMOUS, DiagnosticType.SHORT),
}
NO_LEDGER = LedgerFacts(frozenset(), {})
LEA = Dossier(
    id=1234567, structure_code="75010S00", nom_naissance="DURAND", nom_usage=None, prenom="Léa"
)


def shared(
    pid: int,
    when: str,
    external_id: str | None = "1234567",
    campaign: int = 10,
    first: str = "Lea",
    last: str = "Durand",
) -> Participation:
    moment = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return Participation(
        id=pid,
        campaign_id=campaign,
        status=ParticipationStatus.SHARED,
        created_at=moment,
        shared_at=moment,
        participant_id=pid,
        mastery_rate=0.5,
        first_name=first,
        last_name=last,
        external_id=external_id,
    )


def prescription(
    pid: int,
    prescribed: str,
    dossier: Dossier = LEA,
    statut: PrescriptionStatus = PrescriptionStatus.ONGOING,
) -> Candidate:
    return Candidate(
        Prescription(
            id=pid,
            dossier_id=dossier.id,
            offre_id=1,
            statut=statut,
            date_prescription=date.fromisoformat(prescribed),
            date_realisation=None,
        ),
        dossier,
    )


def plan(
    participations: list[Participation],
    candidates: list[Candidate],
    ledger: LedgerFacts = NO_LEDGER,
    structure: Structure = PARIS,
    extra: dict[int, Dossier | None] | None = None,
) -> list[object]:
    """Plan with identifications made by the real matcher over candidates and ``extra``."""
    dossiers = {c.dossier.id: c.dossier for c in candidates}
    dossiers.update({k: v for k, v in (extra or {}).items() if v is not None})
    identifications: dict[int, Identified | Unidentified] = {}
    for p in participations:
        found = match(
            p, read_external_id(p.external_id), [c.dossier for c in candidates], dossiers, {}
        )
        if isinstance(found, Tentative):
            found = confirm(p, found, dossiers.values())
        identifications[p.id] = found
    return list(
        plan_structure(structure, participations, RULES, candidates, identifications, ledger)
    )


def test_a_shared_identified_participation_realises_the_open_prescription() -> None:
    """The nominal case: one write, dated in Paris, individual interview."""
    [decision] = plan([shared(1, "2026-03-12T10:00:00")], [prescription(500, "2026-03-01")])
    assert decision == PlannedWrite(
        participation_id=1,
        campaign_id=10,
        structure_code="75010S00",
        dossier_id=1234567,
        prescription_id=500,
        realisation_date=date(2026, 3, 12),
        nature=Nature.ENTRETIEN_INDIVIDUEL,
        comment="Évaluation PIX réalisée le 12/03/2026 — diagnostic court — 50 % de maîtrise"
        " — mise à jour automatique",
    )


def test_a_write_expects_the_status_its_prescription_was_read_in() -> None:
    """``expected`` (sent as ``statutAttendu``) is the status found, one the rules allow;
    a prescription in any other status is never planned."""
    [write] = plan([shared(1, "2026-03-12T10:00:00")], [prescription(500, "2026-03-01")])
    assert isinstance(write, PlannedWrite) and write.expected is PrescriptionStatus.ONGOING
    closed = prescription(500, "2026-03-01", statut=PrescriptionStatus.ABANDONED)
    [decision] = plan([shared(1, "2026-03-12T10:00:00")], [closed])
    assert not isinstance(decision, PlannedWrite)


def test_the_date_is_local_to_the_structure() -> None:
    """20:30 UTC is already the next day in Réunion."""
    lea = Dossier(
        id=1234567, structure_code="97411S00", nom_naissance="DURAND", nom_usage=None, prenom="Léa"
    )
    [decision] = plan(
        [shared(1, "2026-03-12T20:30:00")],
        [prescription(500, "2026-03-01", lea)],
        structure=REUNION,
    )
    assert isinstance(decision, PlannedWrite)
    assert decision.realisation_date == date(2026, 3, 13)


def test_group_campaigns_record_an_atelier() -> None:
    """A campaign mapped as a group is recorded as an atelier."""
    [decision] = plan(
        [shared(1, "2026-03-12T10:00:00", campaign=11)], [prescription(500, "2026-03-01")]
    )
    assert isinstance(decision, PlannedWrite)
    assert decision.nature is Nature.ATELIER


def test_started_participations_change_nothing() -> None:
    """A participation not yet shared is no result."""
    started = Participation(
        id=1,
        campaign_id=10,
        status=ParticipationStatus.STARTED,
        created_at=datetime(2026, 3, 12, tzinfo=UTC),
        shared_at=None,
        participant_id=1,
        mastery_rate=None,
        first_name="Lea",
        last_name="Durand",
        external_id="1234567",
    )
    assert plan([started], [prescription(500, "2026-03-01")]) == [NoChange(1, 10, "not_shared")]


def test_an_applied_participation_is_not_planned_again() -> None:
    """The ledger makes a replay a no-op."""
    ledger = LedgerFacts(frozenset({1}), {LEA.id: frozenset({10})})
    decisions = plan([shared(1, "2026-03-12T10:00:00")], [prescription(500, "2026-03-01")], ledger)
    assert decisions == [NoChange(1, 10, "already_applied")]


def test_the_earliest_shared_participation_wins() -> None:
    """Of two results of the same person, the earliest sets the date; the other changes nothing."""
    decisions = plan(
        [shared(2, "2026-03-20T10:00:00"), shared(1, "2026-03-12T10:00:00")],
        [prescription(500, "2026-03-01")],
    )
    writes = [d for d in decisions if isinstance(d, PlannedWrite)]
    assert [(w.participation_id, w.realisation_date) for w in writes] == [(1, date(2026, 3, 12))]
    assert NoChange(2, 10, "retry_superseded") in decisions


def test_the_earliest_wins_across_campaigns_with_one_prescription() -> None:
    """A short and a long result for one open prescription: the earliest is recorded."""
    decisions = plan(
        [shared(2, "2026-03-20T10:00:00", campaign=11), shared(1, "2026-03-12T10:00:00")],
        [prescription(500, "2026-03-01")],
    )
    writes = [d for d in decisions if isinstance(d, PlannedWrite)]
    assert [w.participation_id for w in writes] == [1]
    assert NoChange(2, 11, "already_realised") in decisions


def test_the_oldest_open_prescription_is_realised() -> None:
    """With two open prescriptions, the oldest is the one realised."""
    decisions = plan(
        [shared(1, "2026-03-12T10:00:00")],
        [prescription(600, "2026-02-01"), prescription(500, "2026-01-15")],
    )
    [write] = decisions
    assert isinstance(write, PlannedWrite)
    assert write.prescription_id == 500


def test_closed_prescriptions_are_never_planned() -> None:
    """Réalisé, refus and abandon are left alone even if listed."""
    for statut in (
        PrescriptionStatus.ACHIEVED,
        PrescriptionStatus.REFUSAL_YOUNG,
        PrescriptionStatus.REFUSAL,
        PrescriptionStatus.ABANDONED,
    ):
        [decision] = plan(
            [shared(1, "2026-03-12T10:00:00")], [prescription(500, "2026-03-01", statut=statut)]
        )
        assert decision == Review(1, 10, "75010S00", ReviewReason.NO_OPEN_PRESCRIPTION, LEA.id)


def test_a_person_already_realised_by_the_connector_is_not_sent_to_review() -> None:
    """A later result of someone the connector already recorded changes nothing."""
    ledger = LedgerFacts(frozenset(), {LEA.id: frozenset({11})})
    decisions = plan([shared(3, "2026-04-01T10:00:00")], [], ledger, extra={LEA.id: LEA})
    assert decisions == [NoChange(3, 10, "already_realised")]


def test_an_id_pointing_at_someone_else_goes_to_review() -> None:
    """A typo in the dossier number that names another young person is never trusted."""
    other = Dossier(
        id=7654321, structure_code="75010S00", nom_naissance="MARTIN", nom_usage=None, prenom="Hugo"
    )
    [decision] = plan(
        [shared(1, "2026-03-12T10:00:00", external_id="7654321", first="Yanis", last="Benali")],
        [prescription(500, "2026-03-01", other)],
    )
    assert isinstance(decision, Review)
    assert (decision.reason, decision.dossier_id) == (ReviewReason.NAMES_DISAGREE, 7654321)


def test_unusable_ids_and_unknown_names_go_to_review() -> None:
    """Without a usable id and without fitting names, a counsellor decides."""
    decisions = plan(
        [
            shared(
                1,
                "2026-03-12T10:00:00",
                external_id="yanis@example.org",
                first="Yanis",
                last="Benali",
            ),
            shared(2, "2026-03-12T10:00:00", external_id="9999999", first="Yanis", last="Benali"),
            shared(3, "2026-03-12T10:00:00", external_id=None, first="Yanis", last="Benali"),
        ],
        [prescription(500, "2026-03-01")],
    )
    reasons = {d.participation_id: d.reason for d in decisions if isinstance(d, Review)}
    assert reasons == {
        1: ReviewReason.NO_CANDIDATE,
        2: ReviewReason.UNKNOWN_DOSSIER,
        3: ReviewReason.NO_CANDIDATE,
    }


def test_a_dossier_number_with_spaces_is_read() -> None:
    """Spaces typed around or inside the number do not prevent the match."""
    [decision] = plan(
        [shared(1, "2026-03-12T10:00:00", external_id=" 123 4567 ")],
        [prescription(500, "2026-03-01")],
    )
    assert isinstance(decision, PlannedWrite)


def test_closed_prescriptions_can_be_skipped_instead_of_reviewed() -> None:
    """With closed_prescription: skip, an identified person with no open prescription is left
    alone silently."""
    from connector.domain.model import ClosedPolicy
    from connector.domain.plan import PlanPolicy

    identified = {1: Identified(LEA.id, "id")}
    decisions = plan_structure(
        PARIS,
        [shared(1, "2026-03-12T10:00:00")],
        RULES,
        [],
        identified,
        NO_LEDGER,
        PlanPolicy(closed_prescription=ClosedPolicy.SKIP),
    )
    assert decisions == [NoChange(1, 10, "prescription_closed")]


def test_the_date_can_come_from_the_start_of_the_assessment() -> None:
    """With realisation_date: started_at, createdAt dates the realisation."""
    from dataclasses import replace as clone

    from connector.domain.model import DateSource
    from connector.domain.plan import PlanPolicy

    p = clone(
        shared(1, "2026-03-13T08:00:00"), created_at=datetime(2026, 3, 11, 22, 30, tzinfo=UTC)
    )
    [decision] = plan_structure(
        PARIS,
        [p],
        RULES,
        [prescription(500, "2026-03-01")],
        {1: Identified(LEA.id, "id")},
        NO_LEDGER,
        PlanPolicy(date_source=DateSource.STARTED_AT),
    )
    assert isinstance(decision, PlannedWrite)
    assert decision.realisation_date == date(2026, 3, 11)


def test_a_test_taken_alone_is_realised_with_no_actualite() -> None:
    """modality: autonomous: réalisé with its date and comment, and no nature."""
    [decision] = plan(
        [shared(1, "2026-03-12T10:00:00", campaign=12)], [prescription(500, "2026-03-01")]
    )
    assert isinstance(decision, PlannedWrite)
    assert decision.nature is None
    assert (decision.prescription_id, decision.realisation_date) == (500, date(2026, 3, 12))
    assert decision.comment.startswith("Évaluation PIX réalisée le 12/03/2026 — diagnostic court")


def test_the_write_says_what_identified_the_young_person() -> None:
    """The evidence of the identification reaches the plan item (the dry run's « Raison »)."""
    [by_names] = plan(
        [shared(1, "2026-03-12T10:00:00", external_id=None)], [prescription(500, "2026-03-01")]
    )
    assert isinstance(by_names, PlannedWrite)
    assert by_names.evidence == "names"


# --- The parcours: each result realises at most one prescription, a later one a later one ---


def identified(*pids: int) -> dict[int, Identified | Unidentified]:
    return {pid: Identified(LEA.id, "id") for pid in pids}


def decide(
    participations: list[Participation],
    candidates: list[Candidate],
    ledger: LedgerFacts = NO_LEDGER,
    identifications: dict[int, Identified | Unidentified] | None = None,
) -> list[object]:
    """Plan with every participation identified as Léa (or as ``identifications`` say)."""
    found = identifications or identified(*(p.id for p in participations))
    return list(plan_structure(PARIS, participations, RULES, candidates, found, ledger))


def writes_of(decisions: list[object]) -> list[tuple[int, int, date]]:
    return [
        (d.participation_id, d.prescription_id, d.realisation_date)
        for d in decisions
        if isinstance(d, PlannedWrite)
    ]


def test_one_result_never_realises_two_prescriptions() -> None:
    """One result and two open prescriptions: the oldest is realised, the other stays open."""
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00")],
        [prescription(600, "2026-02-01"), prescription(500, "2026-01-15")],
    )
    assert writes_of(decisions) == [(1, 500, date(2026, 3, 12))]


def test_an_applied_result_never_realises_a_newer_prescription() -> None:
    """Read again once a new prescription is open, the result already carried over changes
    nothing: the ledger knows it."""
    ledger = LedgerFacts(frozenset({1}), {LEA.id: frozenset({10})})
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00")], [prescription(600, "2026-04-01")], ledger
    )
    assert decisions == [NoChange(1, 10, "already_applied")]


def test_a_retry_in_the_same_campaign_never_realises_a_second_prescription() -> None:
    """Two results of one campaign and two open prescriptions, in one plan: one write."""
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00"), shared(2, "2026-03-20T10:00:00")],
        [prescription(500, "2026-01-15"), prescription(600, "2026-02-01")],
    )
    assert writes_of(decisions) == [(1, 500, date(2026, 3, 12))]
    assert NoChange(2, 10, "retry_superseded") in decisions


def test_a_later_retry_never_realises_the_next_prescription() -> None:
    """A retry in a campaign already carried over for the dossier, with a new prescription
    open: the new prescription waits for another test."""
    ledger = LedgerFacts(frozenset(), {LEA.id: frozenset({10})})
    decisions = decide(
        [shared(2, "2026-04-20T10:00:00")], [prescription(600, "2026-04-01")], ledger
    )
    assert decisions == [NoChange(2, 10, "retry_superseded")]


def test_two_results_realise_two_prescriptions_in_order() -> None:
    """A short and a long result, two open prescriptions: earliest result, oldest
    prescription."""
    decisions = decide(
        [shared(2, "2026-05-04T10:00:00", campaign=11), shared(1, "2026-03-12T10:00:00")],
        [prescription(600, "2026-04-01"), prescription(500, "2026-01-15")],
    )
    assert writes_of(decisions) == [(1, 500, date(2026, 3, 12)), (2, 600, date(2026, 5, 4))]


def test_the_parcours_short_test_then_long_test_across_three_runs() -> None:
    """Run 1: the short test realises prescription 1. A counsellor opens prescription 2. Run
    2: the long test realises prescription 2, prescription 1 is no candidate any more. Run 3:
    nothing."""
    short = shared(1, "2026-03-12T10:00:00", campaign=10)
    long_ = shared(2, "2026-05-04T10:00:00", campaign=11)
    run1 = decide([short], [prescription(501, "2026-03-01")])
    assert writes_of(run1) == [(1, 501, date(2026, 3, 12))]

    after_run1 = LedgerFacts(frozenset({1}), {LEA.id: frozenset({10})})
    run2 = decide([short, long_], [prescription(502, "2026-04-15")], after_run1)
    assert writes_of(run2) == [(2, 502, date(2026, 5, 4))]
    assert NoChange(1, 10, "already_applied") in run2

    after_run2 = LedgerFacts(frozenset({1, 2}), {LEA.id: frozenset({10, 11})})
    run3 = decide([short, long_], [], after_run2)
    assert run3 == [NoChange(1, 10, "already_applied"), NoChange(2, 11, "already_applied")]


def test_a_later_result_with_no_open_prescription_left_changes_nothing() -> None:
    """Rule 5: the connector already realised one for this dossier, so a later result with
    no prescription left open is no news for a counsellor: neither a write nor a review."""
    ledger = LedgerFacts(frozenset(), {LEA.id: frozenset({10})})
    decisions = decide([shared(2, "2026-05-04T10:00:00", campaign=11)], [], ledger)
    assert decisions == [NoChange(2, 11, "already_realised")]


def test_a_later_result_with_no_prescription_ever_realised_goes_to_review() -> None:
    """Rule 5, the other side: nothing realised by the connector and nothing open means a
    counsellor closed it; they decide."""
    decisions = decide([shared(2, "2026-05-04T10:00:00", campaign=11)], [])
    assert decisions == [Review(2, 11, "75010S00", ReviewReason.NO_OPEN_PRESCRIPTION, LEA.id)]


def test_two_results_and_one_prescription_in_one_plan_realise_it_once() -> None:
    """Rule 5 within one plan: the later result finds the prescription taken by the earlier."""
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00"), shared(2, "2026-05-04T10:00:00", campaign=11)],
        [prescription(501, "2026-03-01")],
    )
    assert writes_of(decisions) == [(1, 501, date(2026, 3, 12))]
    assert NoChange(2, 11, "already_realised") in decisions


# --- Rule 6: an intent still pending is a claim ------------------------------------------

PENDING_1_ON_501 = LedgerFacts(
    frozenset(), {}, {1: PendingIntent(dossier_id=LEA.id, campaign_id=10, prescription_id=501)}
)


def test_a_pending_result_whose_prescription_is_realised_never_takes_the_next_one() -> None:
    """Its réalisé went through and its actualité failed: prescription 501 is no candidate
    any more, but the result must not realise 502. The resume finishes it."""
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00")], [prescription(502, "2026-04-15")], PENDING_1_ON_501
    )
    assert decisions == [NoChange(1, 10, "write_pending")]


def test_a_pending_result_is_written_again_onto_its_own_prescription_only() -> None:
    """While its prescription is still open, it is planned onto that one, even with an older
    prescription open."""
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00")],
        [prescription(500, "2026-01-01"), prescription(501, "2026-03-01")],
        PENDING_1_ON_501,
    )
    assert writes_of(decisions) == [(1, 501, date(2026, 3, 12))]


def test_a_pending_result_unidentified_now_is_left_to_its_resume() -> None:
    """No review for a result whose write is under way."""
    decisions = decide(
        [shared(1, "2026-03-12T10:00:00")],
        [],
        PENDING_1_ON_501,
        {1: Unidentified(ReviewReason.NO_CANDIDATE)},
    )
    assert decisions == [NoChange(1, 10, "write_pending")]


def test_a_pending_intent_claims_its_campaign_and_its_prescription() -> None:
    """Not read again, a pending intent still counts: a retry in its campaign is superseded,
    and a result of another campaign neither takes its prescription nor goes to review."""
    decisions = decide(
        [shared(3, "2026-03-20T10:00:00"), shared(2, "2026-05-04T10:00:00", campaign=11)],
        [prescription(501, "2026-03-01")],
        PENDING_1_ON_501,
    )
    assert writes_of(decisions) == []
    assert NoChange(3, 10, "retry_superseded") in decisions
    assert NoChange(2, 11, "already_realised") in decisions


def test_a_pending_intent_leaves_the_other_open_prescriptions_to_later_results() -> None:
    """With 501 claimed, the long test realises 502."""
    decisions = decide(
        [shared(2, "2026-05-04T10:00:00", campaign=11)],
        [prescription(501, "2026-03-01"), prescription(502, "2026-04-15")],
        PENDING_1_ON_501,
    )
    assert writes_of(decisions) == [(2, 502, date(2026, 5, 4))]
