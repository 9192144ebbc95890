"""CONNECTOR_RUN_DEADLINE: a run past it stops taking work and fails; the next run, on the
same connector (as in the worker), has its own time and finishes the work."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from connector.bootstrap import build
from connector.domain.model import Campaign
from connector.errors import TransientApiError
from connector.pix.maddo import MaddoPix
from connector.pix.records import ParticipationRecord
from connector.settings import load_settings
from tests.conftest import Systems
from tests.integration.test_sync import assert_correct_final_state

pytestmark = pytest.mark.integration


class StuckOnce(MaddoPix):
    """Pix that hangs on the first participations read of the first run, until the stop
    event (what a request in flight does on a slow server, see connector.transport.exchange)."""

    def __init__(self, *args: object, stop: threading.Event, **kwargs: object) -> None:
        super().__init__(*args, stop=stop, **kwargs)  # type: ignore[arg-type]
        self.stuck = True
        self._halt = stop

    def participations(
        self, campaign: Campaign, since: datetime | None
    ) -> Iterator[ParticipationRecord]:
        if self.stuck:
            self.stuck = False
            self._halt.wait(60)
            raise TransientApiError("pix", "stopped (shutdown or run deadline)")
        yield from super().participations(campaign, since)


def test_a_run_past_its_deadline_fails_and_the_next_one_finishes(
    systems: Systems, database_url: str
) -> None:
    env = systems.env(database_url)
    settings = load_settings(**env, CONNECTOR_RUN_DEADLINE="1")
    stop = threading.Event()
    pix = StuckOnce(env["PIX_API_URL"], env["PIX_CLIENT_ID"], env["PIX_CLIENT_SECRET"], stop=stop)
    with build(settings, pix=pix, stop=stop) as connector:
        started = time.monotonic()
        first = connector.sync.run_once()
        assert time.monotonic() - started < 10
        assert first.deadline_passed and first.outcome == "failed"
        assert any("CONNECTOR_RUN_DEADLINE" in error for error in first.errors)

        second = connector.sync.run_once()
    assert second.outcome == "completed", second.errors
    assert_correct_final_state(systems)
