"""Readiness: the last run succeeded (or none was due) and both APIs answered during it."""

from __future__ import annotations

from connector.entrypoints.ops import OVERDUE_GRACE_SECONDS, Readiness
from connector.metrics import Metrics


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def setup() -> tuple[Clock, Metrics, Readiness]:
    clock = Clock()
    metrics = Metrics(clock)
    return clock, metrics, Readiness(metrics, clock)


def test_ready_before_any_run_is_due() -> None:
    """A worker waiting for its first scheduled run is ready."""
    _, _, readiness = setup()
    assert readiness.check() == (True, {"status": "ready", "reason": "no run due yet"})


def test_not_ready_while_the_first_run_is_in_progress() -> None:
    """Until a first run completes, readiness is not proven."""
    _, _, readiness = setup()
    readiness.run_started()
    assert readiness.check()[0] is False


def test_ready_after_a_completed_run_where_both_apis_answered() -> None:
    """Completed run, and Pix and I-Milo answered during it."""
    clock, metrics, readiness = setup()
    started = readiness.run_started()
    clock.now += 1
    metrics.observe_request("pix", 200, 0.1)
    metrics.observe_request("imilo", 404, 0.1)  # an answer, even a 404, proves it is up
    readiness.run_finished(started, "completed")
    assert readiness.check()[0] is True


def test_not_ready_when_an_api_only_failed() -> None:
    """Server errors and dropped connections are not answers."""
    _, metrics, readiness = setup()
    started = readiness.run_started()
    metrics.observe_request("pix", 200, 0.1)
    metrics.observe_request("imilo", 503, 0.1)
    metrics.observe_request("imilo", None, 0.1)
    readiness.run_finished(started, "completed")
    ready, body = readiness.check()
    assert ready is False and body["reason"] == "imilo did not answer during the last run"


def test_not_ready_after_a_failed_run() -> None:
    """A failed last run makes the worker not ready, with the reason."""
    _, metrics, readiness = setup()
    started = readiness.run_started()
    metrics.observe_request("pix", 200, 0.1)
    metrics.observe_request("imilo", 200, 0.1)
    readiness.run_finished(started, "failed")
    assert readiness.check() == (False, {"status": "not ready", "reason": "the last run failed"})


def test_broken_mappings_show_as_a_count_never_as_text() -> None:
    """A mapping message may quote a file's content: /readyz gives only how many."""
    _, _, readiness = setup()
    readiness.mappings_problems(3)
    ready, body = readiness.check()
    assert ready is True
    assert body["mappings"] == (
        "invalid, the last valid mappings are in use: 3 problem(s), see `pix-imilo mappings check`"
    )
    readiness.mappings_problems(0)
    assert "mappings" not in readiness.check()[1]


def test_not_ready_once_a_run_goes_on_well_past_its_deadline() -> None:
    """A run past CONNECTOR_RUN_DEADLINE (and the grace its stop may take) is stuck: 503,
    so that an orchestrator or an alert sees it; ready again when it ends well."""
    clock = Clock()
    metrics = Metrics(clock)
    readiness = Readiness(metrics, clock, run_deadline=600)
    started = readiness.run_started()
    clock.now += 600 + OVERDUE_GRACE_SECONDS - 1
    assert "overdue" not in str(readiness.check()[1])
    clock.now += 2
    ready, body = readiness.check()
    assert ready is False
    assert "overdue" in body["reason"] and "CONNECTOR_RUN_DEADLINE" in body["reason"]
    for api in ("pix", "imilo"):
        metrics.observe_request(api, 200, 0.1)
    readiness.run_finished(started, "completed")
    assert readiness.check()[0] is True
