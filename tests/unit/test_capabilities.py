"""The domain decides with what the I-Milo adapter can do, and never less safely: an adapter
without a structure-wide name search, a look-up by e-mail, actualités or the charter's offer
fields (``SESSIONS``, the partner gateway's session routes) against one with all of them
(``CONTRACT``)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from connector.domain.capabilities import CONTRACT, SESSIONS, Capabilities
from connector.domain.charter import CharterRule, RuleState, check_offer, unserved_rules
from connector.domain.matching import (
    ExternalId,
    Identified,
    Lookups,
    ReviewReason,
    Tentative,
    Unidentified,
    confirm,
    homonym_check_possible,
    lookups,
    match,
)
from connector.domain.model import (
    Candidate,
    Dossier,
    Nature,
    Offre,
    Participation,
    ParticipationStatus,
    Prescription,
    PrescriptionStatus,
    ServedStructure,
)
from connector.domain.offers import OfferProblem, choose_offer
from connector.domain.plan import PlannedWrite
from connector.domain.writes import (
    Found,
    WriteOutcome,
    actualite_not_recorded,
    before_resume,
    records_actualite,
)
from connector.entrypoints.admin_cli import UNKNOWN_RULE, check_structure, print_charte
from connector.mappings import Mappings, load_mappings
from connector.run.identify import Identifier
from connector.run.report import RunReport
from connector.run.sync import Sync
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.fakes import FakeIMilo, FakePix
from tests.unit.test_sync_run import scenario_imilo, scenario_pix

PARIS = "75010S00"
OFFRE = 1
DAY = date(2026, 3, 12)

# An « Evaluation PIX » offer as the gateway's session routes serve it: a name, a theme, a
# type and a partner's name; no acte de service, mesure nationale, SIRET nor start date.
SESSIONS_OFFER = Offre(
    id=OFFRE,
    structure_code=PARIS,
    nom="Evaluation PIX",
    theme="Projet professionnel",
    type="ANIMATION_COLLECTIVE",
    partenaire_raison_sociale="GIP PIX",
)
UNSERVED = {CharterRule.ACTE, CharterRule.MESURE, CharterRule.SIRET, CharterRule.START_DATE}


def dossier(number: int, last: str, first: str, mail: str | None = None) -> Dossier:
    return Dossier(number, PARIS, last, None, first, mail, date(2006, 5, 4))


def candidate(d: Dossier) -> Candidate:
    prescription = Prescription(
        d.id + 1000, d.id, OFFRE, PrescriptionStatus.ONGOING, date(2026, 2, 1), None
    )
    return Candidate(prescription, d)


def taken(pid: int, first: str, last: str, external_id: str | None) -> Participation:
    shared = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    return Participation(
        id=pid,
        campaign_id=10,
        status=ParticipationStatus.SHARED,
        created_at=shared,
        shared_at=shared,
        participant_id=None,
        mastery_rate=0.5,
        first_name=first,
        last_name=last,
        external_id=external_id,
    )


LEA = dossier(1000001, "DURAND", "Léa", mail="lea.durand@example.org")
HUGO = dossier(1000002, "MARTIN", "Hugo")
LEA_TOO = dossier(1000003, "DURAND", "Léa")  # a namesake with no prescription on the offer


def identify(
    imilo: FakeIMilo, candidates: list[Dossier], participations: list[Participation]
) -> dict[int, Identified | Unidentified]:
    return Identifier(imilo).identify(PARIS, [candidate(d) for d in candidates], participations, {})


# matching ------------------------------------------------------------------------------------
def _tentative_lea() -> Tentative:
    found = match(taken(1, "Lea", "Durand", None), ExternalId(), [LEA, HUGO], {}, {})
    assert isinstance(found, Tentative)
    return found


def test_without_a_structure_wide_search_a_names_only_match_goes_to_review() -> None:
    lea = taken(1, "Lea", "Durand", None)
    assert not homonym_check_possible(SESSIONS) and homonym_check_possible(CONTRACT)
    kept = confirm(lea, _tentative_lea(), [LEA, HUGO], SESSIONS)
    assert isinstance(kept, Unidentified)
    assert kept.reason is ReviewReason.HOMONYM_CHECK_UNAVAILABLE
    assert kept.ranked and kept.ranked[0][0] == LEA.id
    # With the search, the same unique match is identified.
    assert confirm(lea, _tentative_lea(), [LEA, HUGO], CONTRACT) == Identified(LEA.id, "names")


def test_a_rival_among_the_candidates_still_says_homonym_in_structure() -> None:
    found = confirm(taken(1, "Lea", "Durand", None), _tentative_lea(), [LEA, LEA_TOO], SESSIONS)
    assert isinstance(found, Unidentified)
    assert found.reason is ReviewReason.HOMONYM_IN_STRUCTURE


def test_what_is_looked_up_follows_what_the_adapter_can_do() -> None:
    typed = [ExternalId(number=7), ExternalId(number=1), ExternalId(mail="a@b.fr")]
    assert lookups(typed, {1}, CONTRACT).numbers == (7,)
    assert lookups(typed, {1}, CONTRACT).mails == ("a@b.fr",)
    assert lookups(typed, {1}, SESSIONS).numbers == (7,)
    assert lookups(typed, {1}, SESSIONS).mails == ()
    blind = Capabilities(dossier_lookup=False, mail_lookup=False)
    assert lookups(typed, {1}, blind) == Lookups()


def test_sessions_never_search_names_and_never_write_on_names_alone() -> None:
    imilo = FakeIMilo(dossiers=[LEA, HUGO], capabilities=SESSIONS)
    found = identify(imilo, [LEA, HUGO], [taken(1, "Lea", "Durand", "je sais pas")])
    assert isinstance(found[1], Unidentified)
    assert found[1].reason is ReviewReason.HOMONYM_CHECK_UNAVAILABLE
    assert imilo.asked("search_names") == []
    # The contract's search finds no one else alike: the unique match is identified.
    contract = FakeIMilo(dossiers=[LEA, HUGO])
    found = identify(contract, [LEA, HUGO], [taken(1, "Lea", "Durand", "je sais pas")])
    assert found[1] == Identified(LEA.id, "names")
    assert len(contract.asked("search_names")) == 1


def test_sessions_match_an_email_against_the_candidates_dossiers_only() -> None:
    imilo = FakeIMilo(dossiers=[LEA, HUGO, LEA_TOO], capabilities=SESSIONS)
    participations = [
        taken(1, "Lea", "Durand", " Lea.Durand@Example.org"),
        taken(2, "Hugo", "Martin", "1000002"),
    ]
    found = identify(imilo, [LEA, HUGO], participations)
    assert found == {1: Identified(LEA.id, "mail"), 2: Identified(HUGO.id, "id")}
    assert all(mails == () for *_, mails in imilo.asked("structure_dossiers"))
    assert imilo.asked("search_names") == []


def test_a_number_of_a_dossier_not_among_the_candidates_is_still_looked_up() -> None:
    imilo = FakeIMilo(dossiers=[LEA, HUGO, LEA_TOO], capabilities=SESSIONS)
    found = identify(imilo, [HUGO], [taken(1, "Lea", "Durand", "1000003")])
    assert found == {1: Identified(LEA_TOO.id, "id")}
    assert imilo.asked("structure_dossiers") == [(PARIS, (LEA_TOO.id,), ())]


# the charter ---------------------------------------------------------------------------------
def test_rules_on_fields_not_served_are_unknown_not_failed() -> None:
    verdict = check_offer(SESSIONS_OFFER, capabilities=SESSIONS)
    assert set(verdict.unknown) == UNSERVED
    assert verdict.conformant and verdict.failures == ()
    states = {rule: state for rule, state, _ in verdict.states}
    assert list(states) == list(CharterRule)
    assert {r for r, s in states.items() if s is RuleState.UNKNOWN} == UNSERVED
    assert {r for r, s in states.items() if s is RuleState.PASSES} == set(CharterRule) - UNSERVED


def test_with_every_field_served_a_missing_field_still_fails() -> None:
    verdict = check_offer(SESSIONS_OFFER)
    assert unserved_rules(SESSIONS_OFFER, CONTRACT) == frozenset()
    assert verdict.unknown == () and verdict.broken == UNSERVED
    assert not verdict.conformant


def test_a_served_field_is_checked_and_can_fail() -> None:
    wrong = replace(SESSIONS_OFFER, theme="Autre", partenaire_siret="1")
    verdict = check_offer(wrong, capabilities=SESSIONS)
    assert verdict.broken == {CharterRule.THEME, CharterRule.SIRET}
    assert CharterRule.SIRET not in verdict.unknown and not verdict.conformant


def test_the_sync_skips_a_structure_only_for_a_rule_known_to_fail() -> None:
    assert choose_offer([SESSIONS_OFFER], capabilities=SESSIONS).offre == SESSIONS_OFFER
    failing = choose_offer([replace(SESSIONS_OFFER, theme="Autre")], capabilities=SESSIONS)
    assert failing.problem is OfferProblem.BREAKS_CHARTER
    assert choose_offer([SESSIONS_OFFER]).problem is OfferProblem.BREAKS_CHARTER  # contract


def _charte(imilo: FakeIMilo, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    connector = SimpleNamespace(imilo=imilo, pix=FakePix())
    result = check_structure(connector.imilo, PARIS, "Evaluation PIX", lambda: None)
    assert result is not None
    status = print_charte([result], [], as_json=False)
    text = capsys.readouterr().out
    print_charte([result], [], as_json=True)
    return status, text, capsys.readouterr().out


def test_charte_check_shows_unknown_rules_and_passes_a_structure_whose_known_rules_pass(
    capsys: pytest.CaptureFixture[str],
) -> None:
    structure = ServedStructure(PARIS, "ML Paris Centre", "Europe/Paris")
    sessions = FakeIMilo(structures=[structure], offres=[SESSIONS_OFFER], capabilities=SESSIONS)
    status, text, as_json = _charte(sessions, capsys)
    assert status == 0
    assert text.count(UNKNOWN_RULE) == len(UNSERVED)
    assert "KO" not in text and "1 of 1 structure(s) conformant" in text
    [offer] = json.loads(as_json)[0]["offers"]
    assert offer["conformant"] and set(offer["unknown"]) == {str(r) for r in UNSERVED}
    # A rule known to fail still fails the structure.
    wrong = replace(SESSIONS_OFFER, theme="Autre")
    failing = FakeIMilo(structures=[structure], offres=[wrong], capabilities=SESSIONS)
    status, text, _ = _charte(failing, capsys)
    assert status == 1 and "KO: the theme" in text and UNKNOWN_RULE in text
    # The contract's I-Milo serves every field: the same offer fails, as before.
    contract = FakeIMilo(structures=[structure], offres=[SESSIONS_OFFER])
    status, text, as_json = _charte(contract, capsys)
    assert status == 1 and UNKNOWN_RULE not in text
    assert "unknown" not in json.loads(as_json)[0]["offers"][0]


# the writes ------------------------------------------------------------------------------------
WRITE = PlannedWrite(7, 12, PARIS, 1001, 501, DAY, Nature.ATELIER, "c", "resume")


def test_an_actualite_is_recorded_only_by_an_adapter_that_can() -> None:
    assert records_actualite(WRITE, CONTRACT) and not records_actualite(WRITE, SESSIONS)
    assert actualite_not_recorded(WRITE, SESSIONS)
    assert not actualite_not_recorded(WRITE, CONTRACT)
    alone = replace(WRITE, nature=None)  # a test taken alone: no actualité anywhere
    assert not records_actualite(alone, CONTRACT) and not actualite_not_recorded(alone, SESSIONS)


def test_a_resumed_write_found_realised_without_a_date_is_the_connectors_own() -> None:
    """The gateway's registrations carry a status and no date of realisation."""
    current = Prescription(501, 1001, 1, PrescriptionStatus.ACHIEVED, date(2026, 2, 1), None)
    assert before_resume(WRITE, current).found is Found.REALISED_BY_US


def test_the_report_counts_the_actualites_not_recorded_only_without_actualites() -> None:
    sessions = RunReport(run_id="r", capabilities=SESSIONS)
    sessions.record(WRITE, WriteOutcome.APPLIED)
    sessions.record(replace(WRITE, nature=None), WriteOutcome.APPLIED)
    sessions.record(WRITE, WriteOutcome.FAILED)
    sessions.record_resumed(WRITE, WriteOutcome.APPLIED)
    assert sessions.as_json()["not_recorded"] == {"actualites": 2}
    contract = RunReport(run_id="r")
    contract.record(WRITE, WriteOutcome.APPLIED)
    assert "not_recorded" not in contract.as_json()


# a whole run over the fakes ------------------------------------------------------------------
# Participation → its candidate's prescription: no usable id typed. Nathan DUBOIS (25) goes
# to review in both modes (a namesake in the contract's search; no search in sessions).
NAMES_ONLY = {24: 525, 25: 526}


def sessions_imilo() -> FakeIMilo:
    """The scenario as the session routes serve it: dossiers with their e-mail, offers
    without the charter's unserved fields."""
    imilo = scenario_imilo()
    gateway = FakeIMilo(
        structures=imilo.structures.values(),
        offres=[
            replace(o, acte_service=None, mesure_nationale=None, partenaire_siret=None)
            for o in imilo.offres_by_id.values()
        ],
        dossiers=[replace(d, mail=scenario.mail(d.id)) for d in imilo.dossiers.values()],
        prescriptions=imilo.prescriptions.values(),
        capabilities=SESSIONS,
    )
    for offre in gateway.offres_by_id.values():
        offre_verdict = check_offer(offre, capabilities=SESSIONS)
        assert set(offre_verdict.unknown) == {
            CharterRule.ACTE,
            CharterRule.MESURE,
            CharterRule.SIRET,
        }
    return gateway


@pytest.fixture
def mappings(tmp_path: Path) -> Mappings:
    scenario.write_scenario(tmp_path)
    return load_mappings(tmp_path / "mappings")


def test_a_sessions_run_writes_every_identified_result_and_nothing_on_names_alone(
    tmp_path: Path, mappings: Mappings
) -> None:
    imilo = sessions_imilo()
    store = SqlStateStore.open(f"sqlite:///{tmp_path}/s.db")
    try:
        report = Sync(scenario_pix(), imilo, store, mappings).run_once()
        again = Sync(scenario_pix(), imilo, store, mappings).run_once()
    finally:
        store.close()
    expected = {k: v for k, v in scenario.EXPECTED.items() if k not in NAMES_ONLY.values()}
    statuses = {
        pid: (status, None if day is None else day.isoformat())
        for pid, (status, day) in imilo.statuses().items()
    }
    assert statuses == {**scenario.initial_prescriptions(), **expected}
    assert report.updated == len(expected) and not report.skipped_structures
    assert {w.evidence for w in report.applied} <= {"id", "mail"}
    assert "mail" in {w.evidence for w in report.applied}  # Maëlys, by a candidate's e-mail
    unavailable = {
        r.participation_id
        for r in report.reviews
        if r.reason is ReviewReason.HOMONYM_CHECK_UNAVAILABLE
    }
    assert unavailable == set(NAMES_ONLY)
    assert imilo.asked("search_names") == []
    assert imilo.asked("record_actualite") == imilo.asked("actualites") == []
    assert all(mails == () for *_, mails in imilo.asked("structure_dossiers"))
    assert report.as_json()["not_recorded"] == {"actualites": len(expected)}
    assert again.updated == 0 and again.as_json()["not_recorded"] == {"actualites": 0}
    # The counsellor's comment went with each write.
    assert all(call[4] for call in imilo.asked("mark_realised"))


def test_a_contract_run_still_writes_a_unique_names_only_match(
    tmp_path: Path, mappings: Mappings
) -> None:
    imilo = scenario_imilo()
    store = SqlStateStore.open(f"sqlite:///{tmp_path}/s.db")
    try:
        report = Sync(scenario_pix(), imilo, store, mappings).run_once()
    finally:
        store.close()
    assert "names" in {w.evidence for w in report.applied}  # Jean-Pierre LE BIHAN
    assert "not_recorded" not in report.as_json()
    assert imilo.asked("search_names") and imilo.asked("record_actualite")


def test_a_sessions_resume_does_not_wait_for_an_actualite(
    tmp_path: Path, mappings: Mappings
) -> None:
    """Killed after the réalisé, before the ledger's commit: the rerun reads the status,
    finds it réalisé (no date served), and asks for no actualité."""
    from tests.unit.test_sync_run import Crash, CrashingStore

    store = CrashingStore.open(f"sqlite:///{tmp_path}/s.db")
    assert isinstance(store, CrashingStore)
    imilo = sessions_imilo()
    store.crash_next_settle = True
    try:
        with pytest.raises(Crash):
            Sync(scenario_pix(), imilo, store, mappings).run_once()
        pending = len(store.pending_writes())
        assert pending > 0
        imilo.prescriptions = {
            k: replace(p, date_realisation=None) for k, p in imilo.prescriptions.items()
        }
        imilo.calls.clear()
        report = Sync(scenario_pix(), imilo, store, mappings).run_once()
    finally:
        store.close()
    assert report.recovered == pending and report.completed
    assert "prescription_changed_meanwhile" not in report.reviews_by_reason
    assert imilo.asked("actualites") == imilo.asked("record_actualite") == []
    assert report.as_json()["not_recorded"] == {"actualites": report.updated}
