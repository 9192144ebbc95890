"""Replicas on one PostgreSQL share one I-Milo budget: together they stay within IMILO_MAX_RPS."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems, fresh_postgres_database
from tests.integration.test_leases import assert_one_process_result, sync_env

pytestmark = pytest.mark.integration

PIX_IMILO = str(Path(sys.executable).parent / "pix-imilo")
MAX_RPS = 10


class Arrivals:
    """Wraps the I-Milo simulator: the moment each API request arrives (control routes aside)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.times: list[float] = []
        self.clients: set[int] = set()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_sim"):
            with self._lock:
                self.times.append(time.monotonic())
                self.clients.add(scope["client"][1])
        await self.app(scope, receive, send)

    def busiest_second(self) -> int:
        """The most requests in any one-second window [t, t + 1)."""
        times = sorted(self.times)
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most


@contextmanager
def recorded_systems(root: Path) -> Iterator[tuple[Systems, Arrivals]]:
    data_dir = scenario.write_scenario(root)
    arrivals = Arrivals(create_imilo_app(load_imilo_data(data_dir)))
    with (
        running(create_pix_app(load_pix_data(data_dir))) as pix_url,
        running(arrivals) as imilo_url,
    ):
        yield Systems(pix_url, imilo_url, data_dir, root / "mappings"), arrivals


def test_busiest_second_counts_a_half_open_window(tmp_path: Path) -> None:
    """The measure itself: requests at 0, 0.5, 0.99 and 1.2 s are four in [0.5, 1.5)."""
    arrivals = Arrivals(create_imilo_app(load_imilo_data(scenario.write_scenario(tmp_path))))
    arrivals.times = [0.0, 0.5, 0.99, 1.0, 1.2, 1.5, 3.0]
    assert arrivals.busiest_second() == 4


def test_three_replicas_together_stay_within_the_budget(tmp_path: Path) -> None:
    """Three `sync --once` on one PostgreSQL, IMILO_MAX_RPS=10: the I-Milo simulator never sees
    more than 10 requests (and one of burst) in a second, and the work is done once."""
    with recorded_systems(tmp_path) as (systems, arrivals), fresh_postgres_database() as url:
        env = sync_env(systems, url, IMILO_MAX_RPS=str(MAX_RPS))
        SqlStateStore.open(url).close()
        processes = [
            subprocess.Popen(
                [PIX_IMILO, "sync", "--once"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(3)
        ]
        assert [p.wait(timeout=120) for p in processes] == [0, 0, 0]
        assert_one_process_result(systems)
        times = sorted(arrivals.times)
        print(
            f"{len(times)} requests in {times[-1] - times[0]:.2f} s, {len(arrivals.clients)} "
            f"connections, at most {arrivals.busiest_second()} in one second"
        )
        assert len(arrivals.clients) >= 3  # each replica opened its own
        assert times[-1] - times[0] >= 2.5  # a few seconds of traffic, not one window
        assert arrivals.busiest_second() <= MAX_RPS + 1  # one token of burst
