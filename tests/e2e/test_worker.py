"""`pix-imilo worker` as ops run it: probes, metrics, results applied, clean stop on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests import scenario
from tests.conftest import SIM_CLIENT_SECRET, Systems
from tests.e2e.test_cli import PIX_IMILO, appears, clean_env, free_port

pytestmark = pytest.mark.e2e


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_worker_serves_probes_and_metrics_applies_results_and_stops_on_sigterm(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """Health, ≥3 metric families, the scenario applied, exit 0 within 30 s of SIGTERM."""
    port = free_port()
    env = clean_env(
        {
            **systems.env(database_url),
            "CONNECTOR_HTTP_PORT": str(port),
            "CONNECTOR_LOG_LEVEL": "DEBUG",
        }
    )
    log_file = tmp_path / "worker.log"
    with log_file.open("w") as log:
        worker = subprocess.Popen(
            [PIX_IMILO, "worker"], env=env, cwd=tmp_path, stdout=log, stderr=log
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: httpx.get(f"{base}/healthz", timeout=1).status_code == 200)
            wait_for(lambda: httpx.get(f"{base}/readyz", timeout=1).status_code == 200)
            assert systems.prescriptions() == scenario.expected_state(systems.api)
            text = httpx.get(f"{base}/metrics", timeout=5).text
            families = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
            assert {
                "pix_imilo_runs_total",
                "pix_imilo_records_total",
                "pix_imilo_api_request_duration_seconds",
                "pix_imilo_api_retries_total",
                "pix_imilo_last_success_timestamp_seconds",
                "pix_imilo_review_queue_size",
            } <= families
            assert (
                f'pix_imilo_records_total{{outcome="updated"}} '
                f"{float(len(scenario.expected(systems.api)))}" in text
            )
            assert 'pix_imilo_runs_total{outcome="completed"} 1.0' in text
            assert 'api="imilo",status="200"' in text
            started = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
            assert time.monotonic() - started < 30
        finally:
            if worker.poll() is None:
                worker.kill()
    output = log_file.read_text()
    for dossier_id, _, nom, _, prenom in scenario.PEOPLE:
        for value in (nom, prenom, scenario.mail(dossier_id), scenario.birth_date(dossier_id)):
            assert not appears(value, output)
    assert scenario.CLIENT_SECRET not in output and scenario.API_KEY not in output
    assert SIM_CLIENT_SECRET not in output


def test_worker_without_run_on_start_waits_for_its_schedule(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """CONNECTOR_RUN_ON_START=false: ready (no run due yet), nothing written."""
    port = free_port()
    env = clean_env(
        {
            **systems.env(database_url),
            "CONNECTOR_HTTP_PORT": str(port),
            "CONNECTOR_RUN_ON_START": "false",
            "CONNECTOR_SCHEDULE": "0 3 1 1 *",
        }
    )
    worker = subprocess.Popen(
        [PIX_IMILO, "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(f"{base}/readyz", timeout=1).status_code == 200)
        assert httpx.get(f"{base}/readyz", timeout=1).json()["reason"] == "no run due yet"
        assert systems.state()["writes"] == 0
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.contract_only("refused before any request: the I-Milo mode changes nothing")
def test_worker_refuses_a_bad_schedule_with_exit_2(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """A wrong cron expression stops the worker at once, naming the variable."""
    env = clean_env({**systems.env(database_url), "CONNECTOR_SCHEDULE": "*/15 * *"})
    result = subprocess.run(
        [PIX_IMILO, "worker"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "CONNECTOR_SCHEDULE" in result.stderr


@pytest.mark.contract_only("the console's port: the I-Milo mode changes nothing")
def test_worker_serves_the_console_on_its_own_port_never_on_the_ops_port(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """CONNECTOR_CONSOLE_PORT serves the console; the ops port serves no console page."""
    port, console_port = free_port(), free_port()
    env = clean_env(
        {
            **systems.env(database_url),
            "CONNECTOR_HTTP_PORT": str(port),
            "CONNECTOR_CONSOLE_PORT": str(console_port),
            "CONNECTOR_RUN_ON_START": "false",
            "CONNECTOR_SCHEDULE": "0 3 1 1 *",
            # Read only when someone signs in: not reached by this test.
            "CONNECTOR_OIDC_ISSUER": "https://idp.example.fr/realms/ml",
            "CONNECTOR_OIDC_CLIENT_ID": "pix-imilo-console",
            "CONNECTOR_OIDC_CLIENT_SECRET": "console-secret",
            "CONNECTOR_SESSION_SECRET": "s" * 48,
        }
    )
    worker = subprocess.Popen(
        [PIX_IMILO, "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ops, console = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{console_port}"
        wait_for(lambda: httpx.get(f"{console}/static/console.css", timeout=1).status_code == 200)
        listing = httpx.get(f"{console}/a-verifier", timeout=5)
        assert listing.status_code == 303
        assert listing.headers["location"].startswith("/connexion")
        assert httpx.get(f"{ops}/a-verifier", timeout=5).status_code == 404
        assert httpx.get(f"{console}/metrics", timeout=5).status_code != 200
        metrics = httpx.get(f"{ops}/metrics", timeout=5).text
        assert "pix_imilo_console_decisions_total" in metrics
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
