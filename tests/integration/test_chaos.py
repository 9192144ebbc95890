"""Chaos: 20 % of requests fail (500, 503, 429, stalls, dropped connections, some after the
write was applied) and the connector is killed with SIGKILL at random moments. The end state
is exactly the fault-free one, with no duplicate write. In both I-Milo modes: in sessions
mode the token endpoint fails too, and no actualité is written."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from connector.simulators.faults import FaultPlan
from tests import scenario
from tests.conftest import Systems

pytestmark = pytest.mark.integration

PIX_IMILO = str(Path(sys.executable).parent / "pix-imilo")
KILLS = 5
MAX_FINAL_RUNS = 10


@pytest.fixture
def faulty(tmp_path: Path, imilo_api: str) -> Iterator[Systems]:
    data = scenario.write_scenario(tmp_path)
    pix_faults = FaultPlan(rate=0.2, seed=11, stall_seconds=2.0)
    imilo_faults = FaultPlan(rate=0.2, seed=12, stall_seconds=2.0)
    imilo = create_imilo_app(load_imilo_data(data), faults=imilo_faults, api=imilo_api)
    with (
        running(create_pix_app(load_pix_data(data), faults=pix_faults)) as pix_url,
        running(imilo) as imilo_url,
    ):
        yield Systems(pix_url, imilo_url, data, tmp_path / "mappings", imilo_api)


def env_for(systems: Systems, database_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIX_", "IMILO_", "CONNECTOR_"))
    }
    env.update(systems.env(database_url))
    env.update(
        {
            "PIX_TIMEOUT": "1",
            "IMILO_TIMEOUT": "1",
            "IMILO_CONCURRENCY": "2",
            "CONNECTOR_LOG_FORMAT": "json",
            "CONNECTOR_LOG_LEVEL": "WARNING",
        }
    )
    return env


def test_faults_and_kills_end_in_the_fault_free_state_without_duplicates(
    faulty: Systems, tmp_path: Path
) -> None:
    """Five SIGKILLs mid-run, 20 % faults on both APIs: same state as a clean run, once."""
    env = env_for(faulty, f"sqlite:///{tmp_path / 'state.db'}")
    chance = random.Random(2026)
    for _ in range(KILLS):
        process = subprocess.Popen(
            [PIX_IMILO, "sync", "--once", "--json"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.3, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    for _ in range(MAX_FINAL_RUNS):
        result = subprocess.run(
            [PIX_IMILO, "sync", "--once", "--json"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode == 0:
            break
    else:
        pytest.fail("no run completed under 20 % faults")
    state = faulty.state()
    assert faulty.prescriptions() == scenario.expected_state(faulty.api)
    actualites = scenario.expected_actualites(faulty.api)
    per_prescription = Counter(a["idPrescription"] for a in state["actualites"])
    assert per_prescription == Counter(set(actualites)), "a duplicate or missing actualité"
    for actualite in state["actualites"]:
        assert actualite["date"] == actualites[actualite["idPrescription"]][1]
    injected = httpx.get(f"{faulty.imilo_url}/_sim/faults", timeout=5).json()["injected"]
    assert sum(injected.values()) > 0, "no fault was injected"
