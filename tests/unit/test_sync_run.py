"""A run over the fakes: the scenario of ``tests/scenario.py`` held in ``FakePix`` and
``FakeIMilo``, a real SQLite state store, and failures made where a test needs them."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from connector.domain.model import (
    Campaign,
    Dossier,
    Offre,
    Organisation,
    Prescription,
    PrescriptionStatus,
    ServedStructure,
)
from connector.errors import TransientApiError
from connector.mappings import Mappings, load_mappings
from connector.pix.records import parse_participation
from connector.run.report import RunReport
from connector.run.sync import Sync
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.fakes import FakeIMilo, FakePix

PDIAG = 10  # Paris's « Diagnostic initial » campaign


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def scenario_pix(edit_organisations: dict[int, str | None] | None = None) -> FakePix:
    """The scenario's Pix; ``edit_organisations`` replaces some organisations' externalId."""
    edits = edit_organisations or {}
    organisations = [
        Organisation(o["id"], o["name"], edits.get(o["id"], o["externalId"]))
        for o in scenario.ORGANIZATIONS
    ]
    campaigns = [
        Campaign(i, o, c, t, tp, name=f"Campagne {c}") for i, o, c, t, tp in scenario.CAMPAIGNS
    ]
    raw = scenario.participation_records() + scenario.MALFORMED
    return FakePix(organisations, campaigns, [parse_participation(r, r["campaignId"]) for r in raw])


def scenario_imilo() -> FakeIMilo:
    offer = scenario.PIX_OFFER
    return FakeIMilo(
        structures=[
            ServedStructure(s["code"], s["nomOfficiel"], s["timezone"]) for s in scenario.STRUCTURES
        ],
        offres=[
            Offre(
                id=o["id"],
                structure_code=o["codeStructure"],
                nom=o["nom"],
                theme=offer["theme"],
                acte_service=offer["acteService"],
                type=offer["type"],
                mesure_nationale=offer["mesureNationale"],
                partenaire_raison_sociale=offer["partenaire"]["raisonSociale"],
                partenaire_siret=offer["partenaire"]["siret"],
                date_debut=_day(offer["dateDebut"]),
            )
            for o in scenario.OFFRES
        ],
        dossiers=[
            Dossier(d, s, n, u, p, date_naissance=date(2006, 5, 4))
            for d, s, n, u, p in scenario.PEOPLE
        ],
        prescriptions=[
            Prescription(i, d, o, PrescriptionStatus(st), _day(prescribed), _day(realised))
            for i, d, o, st, realised, prescribed in scenario.PRESCRIPTIONS
        ],
    )


@pytest.fixture
def mappings(tmp_path: Path) -> Mappings:
    scenario.write_scenario(tmp_path)
    return load_mappings(tmp_path / "mappings")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = SqlStateStore.open(f"sqlite:///{tmp_path}/s.db")
    yield opened
    opened.close()


class CrashingStore(SqlStateStore):
    """The real store, whose next ``settle_writes`` dies before committing."""

    crash_next_settle = False

    def settle_writes(self, applied: Iterable[int], dropped: Iterable[int], now: datetime) -> None:
        if self.crash_next_settle:
            self.crash_next_settle = False
            raise Crash
        super().settle_writes(applied, dropped, now)


def assert_correct_final_state(imilo: FakeIMilo) -> None:
    """What ``tests/integration/test_sync.py`` checks in the simulator, in the fake."""
    expected = {**scenario.initial_prescriptions(), **scenario.EXPECTED}
    assert {
        pid: (status, None if day is None else day.isoformat())
        for pid, (status, day) in imilo.statuses().items()
    } == expected
    by_prescription = Counter(a.prescription_id for a in imilo.actualites_list)
    assert by_prescription == Counter(set(scenario.EXPECTED))  # exactly one each
    for actualite in imilo.actualites_list:
        assert actualite.prescription_id is not None
        assert actualite.date.isoformat() == scenario.EXPECTED[actualite.prescription_id][1]
        nature = scenario.EXPECTED_NATURES.get(actualite.prescription_id, "ENTRETIEN_INDIVIDUEL")
        assert actualite.nature == nature


def effective_writes(imilo: FakeIMilo) -> int:
    """Writes that changed I-Milo (each realisation and each actualité once)."""
    return len(imilo.answers)


def test_the_fakes_hold_the_scenario_a_run_realises(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """The fakes answer as the simulators do: a run gives the integration tests' result."""
    imilo = scenario_imilo()
    report = Sync(scenario_pix(), imilo, store, mappings).run_once()
    assert_correct_final_state(imilo)
    assert report.completed and report.updated == len(scenario.EXPECTED)
    assert report.quarantined == 2
    assert len(imilo.writes()) == effective_writes(imilo) == 2 * len(scenario.EXPECTED)


def test_a_crash_after_the_writes_before_the_ledger_does_not_write_twice(
    tmp_path: Path, mappings: Mappings
) -> None:
    """Killed between I-Milo's answers and the ledger's commit of the batch, the rerun
    recovers every write of the batch by reading I-Milo, and writes nothing twice."""
    store = CrashingStore.open(f"sqlite:///{tmp_path}/s.db")
    assert isinstance(store, CrashingStore)
    imilo = scenario_imilo()
    store.crash_next_settle = True
    with pytest.raises(Crash):
        Sync(scenario_pix(), imilo, store, mappings).run_once()
    written = effective_writes(imilo)
    assert written > 0 and written % 2 == 0  # whole realisations of the first batch
    assert len(store.pending_writes()) == written // 2  # every intent is still pending
    imilo.calls.clear()
    report = Sync(scenario_pix(), imilo, store, mappings).run_once()
    store.close()
    assert report.recovered == written // 2
    assert_correct_final_state(imilo)
    assert effective_writes(imilo) == 2 * len(scenario.EXPECTED)
    # The recovered intents were read again, and not one write replayed.
    assert len(imilo.asked("prescription")) == written // 2
    assert len(imilo.writes()) == 2 * len(scenario.EXPECTED) - written


def test_a_crash_between_the_two_writes_adds_the_missing_actualite_only(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """Killed after the réalisé but before the actualité, the rerun adds just the actualité."""
    imilo = scenario_imilo()
    imilo.fail("record_actualite", Crash(), call=1)
    with pytest.raises(Crash):
        Sync(scenario_pix(), imilo, store, mappings, concurrency=1).run_once()
    [(dossier_id, prescription_id, *_)] = imilo.asked("mark_realised")
    assert imilo.actualites_list == []
    assert [e.prescription_id for e in store.pending_writes()] == [prescription_id]
    imilo.calls.clear()
    Sync(scenario_pix(), imilo, store, mappings).run_once()
    assert_correct_final_state(imilo)
    assert (dossier_id, prescription_id) not in [a[:2] for a in imilo.asked("mark_realised")]
    assert effective_writes(imilo) == 2 * len(scenario.EXPECTED)


def test_cursors_do_not_move_past_a_failed_write(store: SqlStateStore, mappings: Mappings) -> None:
    """A write refused by a transient error is retried on the next run, not lost."""
    imilo = scenario_imilo()
    imilo.fail("mark_realised", TransientApiError("imilo", "simulated outage", 503), call=1)
    first = Sync(scenario_pix(), imilo, store, mappings).run_once()
    assert first.failed == 1 and not first.completed
    failed_prescription = imilo.asked("mark_realised")[0][1]
    assert isinstance(failed_prescription, int)
    campaign = next(e.campaign_id for e in store.pending_writes())
    assert store.cursor(campaign) is None  # its campaign is read again whole
    second = Sync(scenario_pix(), imilo, store, mappings).run_once()
    assert second.completed
    assert imilo.statuses()[failed_prescription][0] == "ACHIEVED"
    assert_correct_final_state(imilo)


def test_a_stop_request_finishes_the_write_in_flight_and_keeps_cursors(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """SIGTERM mid-run: the current write completes, nothing after it, cursors stay; the next
    run finishes the job with no duplicate."""
    stop = threading.Event()
    imilo = scenario_imilo()
    imilo.on_call("record_actualite", stop.set, call=1)  # the signal comes mid-write
    report = Sync(scenario_pix(), imilo, store, mappings, stop=stop, concurrency=1).run_once()
    assert report.outcome == "interrupted" and report.updated == 1
    assert store.cursor(PDIAG) is None
    assert len(imilo.writes()) == effective_writes(imilo) == 2
    assert store.pending_writes() == []  # the intents never started are gone
    Sync(scenario_pix(), imilo, store, mappings).run_once()
    assert_correct_final_state(imilo)
    assert len(imilo.writes()) == 2 * len(scenario.EXPECTED)


def test_a_worker_reads_a_structure_once_and_quiet_structures_not_at_all(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """Across runs of one worker, a known structure is read once (it is remembered for an
    hour), and a structure whose re-read window holds nothing to decide costs no candidate
    reads: in the second run, only Paris still has a record to decide."""
    imilo = scenario_imilo()
    worker = Sync(scenario_pix(), imilo, store, mappings)
    paris, reunion, cayenne = scenario.PARIS, scenario.REUNION, scenario.CAYENNE
    worker.run_once()
    assert sorted(a[0] for a in imilo.asked("candidates")) == sorted([paris, reunion, cayenne])
    imilo.calls.clear()
    second = worker.run_once()
    assert second.updated == 0 and second.completed
    # The school's externalId is no structure: that answer is never remembered.
    assert imilo.asked("structure") == [("0750001X",)]
    assert [a[0] for a in imilo.asked("candidates")] == [paris]
    assert imilo.writes() == []
    assert second.fetched == second.unchanged + second.quarantined


def test_a_worker_reads_the_next_structures_campaigns_ahead(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """Once the structures are known, their Pix campaigns are read in the background while
    the current structure is decided; the result is the same."""
    readers: list[str] = []
    pix, imilo = scenario_pix(), scenario_imilo()
    pix.on_call("campaigns", lambda: readers.append(threading.current_thread().name))
    worker = Sync(pix, imilo, store, mappings, read_ahead=2)
    first = worker.run_once()
    assert readers and not any(name.startswith("read") for name in readers)  # nothing known
    readers.clear()
    second = worker.run_once()
    assert any(name.startswith("read") for name in readers)
    assert first.updated == len(scenario.EXPECTED) and second.completed
    assert second.updated == 0 and second.fetched == second.unchanged + second.quarantined
    assert_correct_final_state(imilo)


def test_an_organisation_whose_external_id_is_no_structure_code_is_skipped(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """The school's externalId turned hostile: its organisation is skipped, logged without
    the value, never sent to I-Milo; every other structure is synced as before."""
    hostile = "../../sue/dossiers/1?x=#"
    imilo = scenario_imilo()
    with capture_logs() as events:
        report = Sync(scenario_pix({5: hostile}), imilo, store, mappings).run_once()
    assert_correct_final_state(imilo)
    assert report.completed and report.errors == []
    assert report.updated == len(scenario.EXPECTED)
    assert sorted(a[0] for a in imilo.asked("structure")) == sorted(
        [scenario.PARIS, scenario.REUNION, scenario.CAYENNE]
    )
    assert not [c for c in imilo.calls if hostile in repr(c.args)]
    skipped = [e for e in events if e["event"] == "organisation_skipped"]
    assert skipped == [
        {
            "event": "organisation_skipped",
            "log_level": "warning",
            "organisation_id": 5,
            "reason": "its externalId is not an I-Milo structure code",
        }
    ]
    assert hostile not in repr(events)
    assert hostile not in str(report.as_json())


def test_a_dry_run_asks_i_milo_the_same_and_writes_nothing(
    store: SqlStateStore, mappings: Mappings
) -> None:
    """A dry run reads and decides what a real run would, and changes nothing anywhere."""
    imilo = scenario_imilo()
    dry: RunReport = Sync(scenario_pix(), imilo, store, mappings).run_once(dry_run=True)
    assert imilo.writes() == [] and imilo.actualites_list == []
    assert len(dry.planned) == len(scenario.EXPECTED)
    assert store.cursor(PDIAG) is None and store.ledger_entries() == []
    reads = [c for c in imilo.calls if c.method != "close"]
    imilo.calls.clear()
    real = Sync(scenario_pix(), imilo, store, mappings).run_once()
    assert [c for c in imilo.calls if c.method not in ("mark_realised", "record_actualite")] == (
        reads
    )
    assert sorted(w.prescription_id for w in real.applied) == sorted(
        w.prescription_id for w in dry.planned
    )
    assert store.cursor(PDIAG) is not None
