"""A real sync against both simulators over loopback HTTP, with a real SQLite state store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from connector.bootstrap import build
from connector.imilo.http import HttpIMilo
from connector.run.report import RunReport
from connector.settings import Settings
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems

pytestmark = pytest.mark.integration


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def run(settings: Settings) -> RunReport:
    with build(settings) as connector:
        return connector.sync.run_once()


def expected_state() -> dict[int, tuple[str, str | None]]:
    return {**scenario.initial_prescriptions(), **scenario.EXPECTED}


def assert_correct_final_state(systems: Systems) -> None:
    state = systems.state()
    assert systems.prescriptions() == expected_state()
    by_prescription = Counter(a["idPrescription"] for a in state["actualites"])
    assert by_prescription == Counter(set(scenario.EXPECTED))  # exactly one each, nowhere else
    for actualite in state["actualites"]:
        pid = actualite["idPrescription"]
        assert actualite["date"] == scenario.EXPECTED[pid][1]
        assert actualite["nature"] == scenario.EXPECTED_NATURES.get(pid, "ENTRETIEN_INDIVIDUEL")


def test_a_run_realises_exactly_the_right_prescriptions(
    systems: Systems, settings: Settings
) -> None:
    """Right people, right local dates, right natures; everything else untouched."""
    report = run(settings)
    assert_correct_final_state(systems)
    assert report.completed
    assert report.updated == len(scenario.EXPECTED)
    assert report.quarantined == 2
    assert systems.state()["writes"] == 2 * len(scenario.EXPECTED)


def test_the_run_reports_reviews_by_reason(systems: Systems, settings: Settings) -> None:
    """Unidentifiable and closed cases are listed for a counsellor with their reason."""
    report = run(settings)
    assert dict(report.reviews_by_reason) == {
        "names_disagree": 1,  # Yanis typed Sarah's number
        "no_open_prescription": 5,  # réalisé, refus jeune, refus tiers, abandonné, other offer
        "homonyms": 1,  # two Emma LEROY with open prescriptions
        "homonym_in_structure": 1,  # Nathan DUBOIS has a namesake whose prescription is closed
    }
    assert report.fetched == report.updated + report.unchanged + report.review + report.quarantined


def test_a_second_run_writes_nothing(systems: Systems, settings: Settings) -> None:
    """Replaying changes nothing in I-Milo: not one write request."""
    run(settings)
    writes = systems.state()["writes"]
    second = run(settings)
    assert second.updated == 0
    assert systems.state()["writes"] == writes
    assert_correct_final_state(systems)


def test_a_crash_after_the_writes_before_the_ledger_does_not_write_twice(
    systems: Systems, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between I-Milo's answers and the ledger's commit of the batch, the rerun
    recovers every write of the batch by reading I-Milo, and writes nothing twice."""
    real_settle = SqlStateStore.settle_writes

    def crash_once(self: SqlStateStore, *args: object) -> None:
        monkeypatch.setattr(SqlStateStore, "settle_writes", real_settle)
        raise Crash

    monkeypatch.setattr(SqlStateStore, "settle_writes", crash_once)
    with pytest.raises(Crash):
        run(settings)
    written = systems.state()["writes"]
    assert written > 0 and written % 2 == 0  # whole realisations of the first batch
    with build(settings) as connector:
        pending = connector.store.pending_writes()
    assert len(pending) == written // 2  # every intent of the batch is still pending
    report = run(settings)
    assert report.recovered == written // 2
    assert_correct_final_state(systems)
    assert systems.state()["writes"] == 2 * len(scenario.EXPECTED)


def test_a_crash_between_the_two_writes_adds_the_missing_actualite_only(
    systems: Systems, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the réalisé but before the actualité, the rerun adds just the actualité."""
    settings = settings.model_copy(update={"imilo_concurrency": 1})  # one write in flight
    real_record = HttpIMilo.record_actualite

    def crash_once(self: HttpIMilo, *args: object, **kwargs: object) -> object:
        monkeypatch.setattr(HttpIMilo, "record_actualite", real_record)
        raise Crash

    monkeypatch.setattr(HttpIMilo, "record_actualite", crash_once)
    with pytest.raises(Crash):
        run(settings)
    assert systems.state()["writes"] == 1
    assert systems.state()["actualites"] == []
    run(settings)
    assert_correct_final_state(systems)
    assert systems.state()["writes"] == 2 * len(scenario.EXPECTED)


def test_cursors_do_not_move_past_a_failed_write(
    systems: Systems, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write refused by a transient error is retried on the next run, not lost."""
    from connector.errors import TransientApiError

    real_mark = HttpIMilo.mark_realised
    calls = {"n": 0}

    def flaky(self: HttpIMilo, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise TransientApiError("imilo", "simulated outage", 503)
        return real_mark(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(HttpIMilo, "mark_realised", flaky)
    first = run(settings)
    assert first.failed == 1 and not first.completed
    run(settings)
    assert_correct_final_state(systems)


def test_a_stop_request_finishes_the_write_in_flight_and_keeps_cursors(
    systems: Systems, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM mid-run: the current write completes, nothing after it, cursors stay; the next
    run finishes the job with no duplicate."""
    settings = settings.model_copy(update={"imilo_concurrency": 1})  # one write in flight
    import threading

    from connector.run.writer import RealisationWriter

    stop = threading.Event()
    real_carry_out = RealisationWriter.carry_out

    def carry_out_then_stop(self: RealisationWriter, write: object) -> object:
        outcome = real_carry_out(self, write)  # type: ignore[arg-type]
        stop.set()  # the signal arrives while this write is in flight
        return outcome

    monkeypatch.setattr(RealisationWriter, "carry_out", carry_out_then_stop)
    with build(settings, stop=stop) as connector:
        report = connector.sync.run_once()
        assert report.outcome == "interrupted" and report.updated == 1
        assert connector.store.cursor(10) is None
    assert systems.state()["writes"] == 2
    with build(settings) as connector:
        assert connector.store.pending_writes() == []  # the intents never started are gone
    monkeypatch.setattr(RealisationWriter, "carry_out", real_carry_out)
    run(settings)
    assert_correct_final_state(systems)


def test_a_replay_of_one_campaign_from_a_date_changes_nothing_more(
    systems: Systems, settings: Settings
) -> None:
    """Replaying a campaign from an old date after a run is idempotent."""
    from datetime import UTC, datetime

    from connector.run.sync import RunScope

    run(settings)
    writes = systems.state()["writes"]
    with build(settings) as connector:
        cursor = connector.store.cursor(10)
        report = connector.sync.run_once(RunScope("PARDIAG", datetime(2026, 1, 1, tzinfo=UTC)))
        assert connector.store.cursor(10) == cursor  # never moved back
    assert report.updated == 0 and report.completed
    assert report.fetched > 0
    assert systems.state()["writes"] == writes


def test_concurrent_writes_give_the_same_result(systems: Systems, settings: Settings) -> None:
    """With eight writes in flight at a time, the result is exactly the sequential one."""
    report = run(settings.model_copy(update={"imilo_concurrency": 8}))
    assert report.updated == len(scenario.EXPECTED)
    assert_correct_final_state(systems)


def test_a_run_reports_progress_and_where_its_time_went(
    systems: Systems, settings: Settings
) -> None:
    """One progress call per structure; time per stage in the report and its JSON."""
    calls: list[tuple[int, int]] = []
    with build(settings) as connector:
        connector.sync.show_progress(lambda done, total, _report: calls.append((done, total)))
        report = connector.sync.run_once()
    total = len(calls)
    assert calls == [(i, total) for i in range(1, total + 1)] and total >= 3
    assert {"extract", "identify", "plan", "apply"} <= set(report.stage_seconds)
    assert set(report.as_json()["stage_seconds"]) == set(report.stage_seconds)


def test_a_worker_reads_a_structure_once_and_quiet_structures_not_at_all(
    systems: Systems, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across runs of one worker, a known structure is read once (it is remembered for an
    hour), and a structure whose re-read window holds nothing to decide costs no candidate
    reads: in the second run, only Paris still has a record to decide."""
    calls: list[tuple[str, str]] = []
    for name in ("structure", "open_prescriptions"):
        real = getattr(HttpIMilo, name)

        def counted(self: HttpIMilo, *args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append((_name, args[0]))
            return _real(self, *args)

        monkeypatch.setattr(HttpIMilo, name, counted)
    paris, reunion, cayenne = scenario.PARIS, scenario.REUNION, scenario.CAYENNE
    with build(settings) as connector:
        connector.sync.run_once()
        assert sorted(c for n, c in calls if n == "open_prescriptions") == sorted(
            [paris, reunion, cayenne]
        )
        calls.clear()
        second = connector.sync.run_once()
    assert second.updated == 0 and second.completed
    # The school's externalId is no structure: that answer is never remembered.
    assert [c for n, c in calls if n == "structure"] == ["0750001X"]
    assert [c for n, c in calls if n == "open_prescriptions"] == [paris]
    assert second.fetched == second.unchanged + second.quarantined


def test_a_worker_reads_the_next_structures_campaigns_ahead(
    systems: Systems, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the structures are known, their Pix campaigns are read in the background while
    the current structure is decided; the result is the same."""
    import threading

    from connector.pix.maddo import MaddoPix

    readers: list[str] = []
    real = MaddoPix.campaigns

    def campaigns(self: MaddoPix, organisation_id: int) -> Any:
        readers.append(threading.current_thread().name)
        return real(self, organisation_id)

    monkeypatch.setattr(MaddoPix, "campaigns", campaigns)
    with build(settings) as connector:
        first = connector.sync.run_once()
        assert not any(name.startswith("read") for name in readers)  # nothing known yet
        readers.clear()
        second = connector.sync.run_once()
    assert any(name.startswith("read") for name in readers)
    assert first.updated == len(scenario.EXPECTED) and second.completed
    assert second.updated == 0 and second.fetched == second.unchanged + second.quarantined
    assert_correct_final_state(systems)


def test_an_organisation_whose_external_id_is_no_structure_code_is_skipped(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The school's externalId turned hostile: its organisation is skipped, logged without
    the value, never sent to I-Milo; every other structure is synced as before."""
    import json

    from structlog.testing import capture_logs

    from connector.settings import load_settings
    from tests.conftest import start_systems

    hostile = "../../sue/dossiers/1?x=#"

    def hostile_school(data: Path) -> None:
        path = data / "pix" / "organizations.json"
        organisations = json.loads(path.read_text(encoding="utf-8"))
        for organisation in organisations:
            if organisation["id"] == 5:
                organisation["externalId"] = hostile
        path.write_text(json.dumps(organisations, ensure_ascii=False), encoding="utf-8")

    asked: list[str] = []
    real = HttpIMilo.structure

    def structure(self: HttpIMilo, code: str) -> Any:
        asked.append(code)
        return real(self, code)

    monkeypatch.setattr(HttpIMilo, "structure", structure)
    with start_systems(tmp_path, hostile_school) as systems:
        with capture_logs() as events:
            report = run(load_settings(**systems.env(database_url)))
        assert_correct_final_state(systems)
    assert report.completed and report.errors == []
    assert report.updated == len(scenario.EXPECTED)
    assert sorted(asked) == sorted([scenario.PARIS, scenario.REUNION, scenario.CAYENNE])
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
    assert hostile not in json.dumps(report.as_json())
