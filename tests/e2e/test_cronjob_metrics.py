"""The CronJob mode's metrics: ``pix-imilo sync --once`` writes its run's metrics to a
textfile-collector file (``CONNECTOR_METRICS_FILE``) or pushes them to a Pushgateway
(``CONNECTOR_PUSHGATEWAY_URL``); a gateway that cannot be reached changes nothing but a
warning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector import __version__
from connector.entrypoints.serving import running
from connector.settings import load_settings
from tests.conftest import Systems
from tests.e2e.test_cli import clean_env, cli, last_json_line

pytestmark = pytest.mark.e2e

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def assert_the_run_is_in(values: Samples, counts: dict[str, object]) -> None:
    for outcome in ("updated", "unchanged", "review", "quarantined", "failed"):
        assert values[("pix_imilo_records_total", (("outcome", outcome),))] == counts[outcome]
    assert values[("pix_imilo_runs_total", (("outcome", "completed"),))] == 1
    assert values[("pix_imilo_last_success_timestamp_seconds", ())] > 0
    assert values[("pix_imilo_build_info", (("version", __version__),))] == 1
    open_items = {
        labels: v for (name, labels), v in values.items() if name == "pix_imilo_review_open"
    }
    assert sum(open_items.values()) == values[("pix_imilo_review_queue_size", ())]
    assert sum(open_items.values()) == counts["review"]
    # Requests were timed: the run's build was given the metrics.
    timed = [v for (name, _), v in values.items() if name.endswith("duration_seconds_count")]
    assert sum(timed) > 1


def test_sync_once_writes_a_textfile_with_the_runs_counts(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "textfile" / "pix-imilo.prom"
    path.parent.mkdir()
    env = clean_env({**systems.env(database_url), "CONNECTOR_METRICS_FILE": str(path)})
    result = cli(["sync", "--once", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert_the_run_is_in(samples(path.read_text(encoding="utf-8")), last_json_line(result.stdout))
    assert [p.name for p in path.parent.iterdir()] == ["pix-imilo.prom"]  # no temporary left


@pytest.mark.contract_only("the export does not depend on the I-Milo mode")
def test_without_either_variable_nothing_is_written(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    result = cli(["sync", "--once", "--json"], clean_env(systems.env(database_url)), tmp_path)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.rglob("*.prom"))


@pytest.fixture
def pushgateway() -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """A tiny Pushgateway: records each push's method, path and body."""
    pushes: list[tuple[str, str, str]] = []

    async def push(request: Request) -> Response:
        pushes.append((request.method, request.url.path, (await request.body()).decode()))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/metrics/{group:path}", push, methods=["PUT", "POST"])])
    with running(app) as url:
        yield url, pushes


@pytest.mark.contract_only("the export does not depend on the I-Milo mode")
def test_sync_once_pushes_the_runs_metrics_to_the_pushgateway(
    systems: Systems,
    database_url: str,
    tmp_path: Path,
    pushgateway: tuple[str, list[tuple[str, str, str]]],
) -> None:
    url, pushes = pushgateway
    env = clean_env({**systems.env(database_url), "CONNECTOR_PUSHGATEWAY_URL": url})
    result = cli(["sync", "--once", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    ((method, path, body),) = pushes
    assert (method, path) == ("POST", "/metrics/job/pix-imilo")
    assert_the_run_is_in(samples(body), last_json_line(result.stdout))
    assert "process_" in body


@pytest.mark.contract_only("the export does not depend on the I-Milo mode")
def test_an_unreachable_pushgateway_is_a_warning_and_the_exit_code_stays(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    env = clean_env(
        {**systems.env(database_url), "CONNECTOR_PUSHGATEWAY_URL": "http://127.0.0.1:9"}
    )
    result = cli(["sync", "--once", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert last_json_line(result.stdout)["outcome"] == "completed"
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    warnings = [e for e in events if e.get("event") == "metrics_push_failed"]
    assert warnings and warnings[0]["level"] == "warning"


@pytest.mark.contract_only("a settings check")
def test_a_plain_http_pushgateway_in_the_cluster_is_accepted(
    tmp_path: Path, systems: Systems
) -> None:
    """Metrics carry no secret and no personal data: an in-cluster ``http://`` Pushgateway
    needs no CONNECTOR_ALLOW_INSECURE_HTTP (which would relax the rule for the APIs too)."""
    env = {
        **systems.env(f"sqlite:///{tmp_path / 'state.db'}"),
        "CONNECTOR_PUSHGATEWAY_URL": "http://pushgateway.monitoring:9091",
    }
    settings = load_settings(**env)
    assert str(settings.pushgateway_url) == "http://pushgateway.monitoring:9091/"
