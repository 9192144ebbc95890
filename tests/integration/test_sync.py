"""A real sync against both simulators over loopback HTTP, with a real state store (SQLite
and PostgreSQL).

What a run asks of each system, and how it survives a crash, a failed write or a stop request,
is tested over the fakes, with no adapter patched: ``tests/unit/test_sync_run.py``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from connector.bootstrap import build
from connector.run.report import RunReport
from connector.settings import Settings
from tests import scenario
from tests.conftest import Systems

pytestmark = pytest.mark.integration


def run(settings: Settings) -> RunReport:
    with build(settings) as connector:
        return connector.sync.run_once()


def expected_state(api: str = "contract") -> dict[int, tuple[str, str | None]]:
    return scenario.expected_state(api)


def assert_correct_final_state(systems: Systems, api: str | None = None) -> None:
    """The prescriptions a correct run realises in mode ``api`` (the systems' by default),
    and, in contract mode, exactly one actualité each, of the right date and nature."""
    api = api or systems.api
    state = systems.state()
    assert systems.prescriptions() == scenario.expected_state(api)
    actualites = scenario.expected_actualites(api)
    by_prescription = Counter(a["idPrescription"] for a in state["actualites"])
    assert by_prescription == Counter(set(actualites))  # exactly one each, nowhere else
    for actualite in state["actualites"]:
        pid = actualite["idPrescription"]
        assert actualite["date"] == actualites[pid][1]
        assert actualite["nature"] == scenario.EXPECTED_NATURES.get(pid, "ENTRETIEN_INDIVIDUEL")


def test_a_run_realises_exactly_the_right_prescriptions(
    systems: Systems, settings: Settings
) -> None:
    """Right people, right local dates, right natures; everything else untouched."""
    report = run(settings)
    assert_correct_final_state(systems)
    assert report.completed
    expected = scenario.expected(systems.api)
    assert report.updated == len(expected)
    assert {w.prescription_id: w.evidence for w in report.applied} == {
        p: scenario.EVIDENCE[p] for p in expected
    }
    assert report.quarantined == 2
    per_write = scenario.writes_per_realisation(systems.api)
    assert systems.state()["writes"] == per_write * len(expected)
    not_recorded = report.as_json().get("not_recorded")
    assert not_recorded == (None if systems.api == "contract" else {"actualites": len(expected)})


def test_the_run_reports_reviews_by_reason(systems: Systems, settings: Settings) -> None:
    """Unidentifiable and closed cases are listed for a counsellor with their reason."""
    report = run(settings)
    assert dict(report.reviews_by_reason) == scenario.REVIEWS[systems.api]
    assert report.fetched == report.updated + report.unchanged + report.review + report.quarantined


def test_a_second_run_writes_nothing(systems: Systems, settings: Settings) -> None:
    """Replaying changes nothing in I-Milo: not one write request."""
    run(settings)
    writes = systems.state()["writes"]
    second = run(settings)
    assert second.updated == 0
    assert systems.state()["writes"] == writes
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
    assert report.updated == len(scenario.expected(systems.api))
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
