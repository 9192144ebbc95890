"""Leases on both backends, and several replicas sharing one PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from connector.store.leases import Leases
from connector.store.schema import leases
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems, fresh_postgres_database

pytestmark = pytest.mark.integration

PIX_IMILO = str(Path(sys.executable).parent / "pix-imilo")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStateStore]:
    opened = SqlStateStore.open(database_url)
    yield opened
    opened.close()


def test_a_partition_has_one_holder_until_its_lease_expires(store: SqlStateStore) -> None:
    """Claimed by one, refused to another, taken over once expired, renewable by its holder."""
    clock = Clock()
    ttl = timedelta(seconds=30)
    first = Leases(store.engine, holder="a", ttl=ttl, clock=clock)
    second = Leases(store.engine, holder="b", ttl=ttl, clock=clock)
    assert first.try_claim("structure:X")
    assert first.try_claim("structure:X")  # already ours
    assert not second.try_claim("structure:X")
    clock.now += timedelta(seconds=20)
    assert first.renew("structure:X")
    clock.now += timedelta(seconds=20)
    assert not second.try_claim("structure:X")  # renewed: still valid
    clock.now += timedelta(seconds=11)
    assert second.try_claim("structure:X")  # expired: a dead holder's partition is taken over
    assert not first.renew("structure:X")
    second.release("structure:X")
    assert first.try_claim("structure:X")


def test_holding_releases_and_reports_a_lost_lease(store: SqlStateStore) -> None:
    """The context manager releases its lease; a stolen lease is noticed by the heartbeat."""
    mine = Leases(store.engine, holder="a", ttl=timedelta(seconds=3))
    with mine.holding("structure:Y") as lease:
        assert lease is not None
        other = Leases(store.engine, holder="b", ttl=timedelta(seconds=3))
        assert other.holding("structure:Y").__enter__() is None
    assert Leases(store.engine, holder="b").try_claim("structure:Y")
    with mine.holding("structure:Z") as lease:
        assert lease is not None
        with store.engine.begin() as conn:  # an operator, or an expiry, hands it to another
            conn.execute(leases.update().values(holder="c"))
        assert lease.lost.wait(5)


def sync_env(systems: Systems, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIX_", "IMILO_", "CONNECTOR_"))
    }
    env.update(systems.env(database_url))
    env.update({"CONNECTOR_LOG_FORMAT": "json", "CONNECTOR_LOG_LEVEL": "WARNING", **extra})
    return env


def assert_one_process_result(systems: Systems) -> None:
    state = systems.state()
    assert systems.prescriptions() == scenario.expected_state(systems.api)
    assert Counter(a["idPrescription"] for a in state["actualites"]) == Counter(
        set(scenario.expected_actualites(systems.api))
    )
    per_write = scenario.writes_per_realisation(systems.api)
    assert state["writes"] == per_write * len(scenario.expected(systems.api)), "a duplicate write"


def test_three_replicas_started_together_do_the_work_of_one(
    systems: Systems, tmp_path: Path
) -> None:
    """Three `sync --once` on one PostgreSQL: the one-process result, zero duplicate writes."""
    with fresh_postgres_database() as url:
        env = sync_env(systems, url, IMILO_MAX_RPS="20")
        SqlStateStore.open(url).close()  # as `db upgrade` would; replicas also race safely
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


def test_a_killed_replicas_partition_is_finished_by_another_after_expiry(
    systems: Systems, tmp_path: Path
) -> None:
    """SIGKILL while holding a lease: another replica takes the structure over once it expires."""
    with fresh_postgres_database() as url:
        env = sync_env(systems, url, IMILO_MAX_RPS="4", CONNECTOR_LEASE_SECONDS="3")
        SqlStateStore.open(url).close()
        victim = subprocess.Popen(
            [PIX_IMILO, "sync", "--once"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        engine = create_engine(url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                held = conn.execute(
                    select(leases.c.partition).where(leases.c.holder.is_not(None))
                ).first()
            if held is not None:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the first replica never held a lease")
        time.sleep(0.5)  # let it write a little
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        engine.dispose()
        early = subprocess.run(
            [PIX_IMILO, "sync", "--once"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert early.returncode == 0
        time.sleep(3.5)  # the dead replica's lease expires
        late = subprocess.run(
            [PIX_IMILO, "sync", "--once"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert late.returncode == 0
        assert_one_process_result(systems)
