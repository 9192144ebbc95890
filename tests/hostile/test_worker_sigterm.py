"""A worker stuck on a slow server stops within 30 s of SIGTERM (issue #12): the request in
flight is cut, the run records what it did, and the process exits 0."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests import scenario
from tests.conftest import start_systems
from tests.e2e.test_cli import PIX_IMILO, appears, clean_env, free_port
from tests.hostile.server import Hostile, HostileServer

pytestmark = pytest.mark.e2e

GRACE_S = 30  # Kubernetes' default terminationGracePeriodSeconds
EXPECTED_S = 10  # in practice under a second: the request is cut within a fraction of one


@pytest.mark.parametrize(
    ("api", "path"),
    [
        ("pix", r"/api/organizations"),  # the run's own thread
        ("pix", r"/api/campaigns/30/participations"),  # a read-ahead thread
        ("imilo", r"/operateurs/structures/97411S00/dossiers"),  # identification
    ],
    ids=["pix_organisations", "pix_participations", "imilo_dossier_search"],
)
def test_a_worker_stuck_on_slow_bytes_exits_0_soon_after_sigterm(
    api: str, path: str, tmp_path: Path
) -> None:
    with start_systems(tmp_path) as systems:
        upstream = systems.imilo_url if api == "imilo" else systems.pix_url
        with HostileServer(upstream, Hostile(path, "slow_bytes")) as server:
            env = systems.env(f"sqlite:///{tmp_path / 'state' / 'pix-imilo.db'}")
            env["IMILO_API_URL" if api == "imilo" else "PIX_API_URL"] = server.url
            env.update(
                {
                    # Nothing but the signal would end this request for ten minutes.
                    "PIX_TIMEOUT": "600",
                    "IMILO_TIMEOUT": "600",
                    "CONNECTOR_RUN_DEADLINE": "1h",
                    "CONNECTOR_HTTP_PORT": str(free_port()),
                    "CONNECTOR_LOG_LEVEL": "DEBUG",
                }
            )
            log_file = tmp_path / "worker.log"
            with log_file.open("w") as log:
                worker = subprocess.Popen(
                    [PIX_IMILO, "worker"], env=clean_env(env), cwd=tmp_path, stdout=log, stderr=log
                )
                try:
                    assert server.hit.wait(30), "the worker never reached the slow route"
                    time.sleep(1.5)  # well into the slow body: one byte a second
                    assert worker.poll() is None, "the worker ended before the signal"
                    started = time.monotonic()
                    worker.send_signal(signal.SIGTERM)
                    code = worker.wait(timeout=GRACE_S)
                    seconds = time.monotonic() - started
                finally:
                    if worker.poll() is None:
                        worker.kill()
                        worker.wait()
            print(f"{api} {path}: exit {code} {seconds:.2f} s after SIGTERM")
            assert code == 0
            assert seconds < EXPECTED_S
            # The request was cut: the hostile server saw one, not a retry after the signal.
            assert len(server.stats.hits) == 1
    output = log_file.read_text()
    assert "Traceback" not in output
    assert "shutdown_requested" in output and "worker_stopped" in output
    for dossier_id, _, nom, _, prenom in scenario.PEOPLE:
        for value in (nom, prenom, scenario.mail(dossier_id), scenario.birth_date(dossier_id)):
            assert not appears(value, output)
    assert scenario.CLIENT_SECRET not in output and scenario.API_KEY not in output
