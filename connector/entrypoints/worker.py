"""``pix-imilo worker``: the sync on a cron schedule, with health, readiness and metrics.

- APScheduler fires the sync on ``CONNECTOR_SCHEDULE`` read in ``CONNECTOR_TIMEZONE``; runs
  never overlap (one instance at most) and missed runs coalesce into one.
- SIGTERM or SIGINT sets a stop event: requests in flight end within a fraction of a
  second (``connector.transport.exchange``), the run records its progress and returns, and retries
  waiting for their next attempt give up. An abandoned write is in the ledger: the next run
  carries it out. The process then exits 0, well within 30 seconds.
- A run past ``CONNECTOR_RUN_DEADLINE`` stops the same way, and ``/readyz`` turns 503 while
  a run goes on past its deadline.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from types import FrameType
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from connector.bootstrap import Connector, build
from connector.console.settings import ConsoleSettings
from connector.entrypoints.console_cli import console_off_reason, serving_console
from connector.entrypoints.ops import Readiness, create_ops_app
from connector.entrypoints.serving import running
from connector.mappings import MappingsError, load_mappings
from connector.metrics import Metrics
from connector.schedule import cron_trigger
from connector.settings import Settings

__all__ = ["Worker"]

log = structlog.get_logger("connector.worker")


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        host: str | None = None,
        console: ConsoleSettings | None = None,
    ) -> None:
        self._settings = settings
        self._console = console
        self._host = host or settings.http_host
        self.stop = threading.Event()  # the worker's shutdown
        # What the adapters and runs watch: set on shutdown, and by a run's deadline (the
        # run clears it again before the next one; the worker itself goes on).
        self._halt = threading.Event()
        self.metrics = Metrics()
        self.readiness = Readiness(self.metrics, run_deadline=settings.run_deadline)

    def _reload_mappings(self, connector: Connector) -> None:
        """Hot reload: a broken edit keeps the last good mappings running, and says so.

        Any failure counts (not only a mapping error): the run goes on with the last valid
        mappings. The log and ``/readyz`` name positions and counts, never the files' text.
        """
        try:
            mappings = load_mappings(self._settings.mappings_dir)
        except Exception as error:  # a reload must never stop the runs
            problems = getattr(error, "problems", None)
            if isinstance(error, MappingsError) and problems:
                where = [":".join(str(p).split(":", 2)[:2]) for p in problems]
            else:
                problems, where = [error], [type(error).__name__]
            log.error(
                "mappings_invalid",
                problems=len(problems),
                where=where,
                kept="the last valid mappings",
                check="pix-imilo mappings check",
            )
            self.metrics.mappings_valid.set(0)
            self.readiness.mappings_problems(len(problems))
            return
        if mappings != connector.mappings:
            log.info("mappings_reloaded")
        connector.use_mappings(mappings)
        self.metrics.mappings_valid.set(1)
        self.readiness.mappings_problems(0)

    def _run(self, connector: Connector) -> None:
        """One scheduled run, plus one more if runs fell due while it was going on.

        APScheduler skips a firing while the job still runs (max_instances=1); running once
        more here coalesces all of them into a single catch-up run.
        """
        trigger = cron_trigger(self._settings.schedule, ZoneInfo(self._settings.timezone))
        while not self.stop.is_set():
            began = datetime.now(UTC)
            self._run_once(connector)
            due = trigger.get_next_fire_time(None, began)
            if due is None or due > datetime.now(UTC):
                return
            log.info("catching_up_missed_runs")

    def _run_once(self, connector: Connector) -> None:
        self._reload_mappings(connector)
        started = self.readiness.run_started()
        began = time.monotonic()
        try:
            report = connector.sync.run_once()
        except Exception as error:  # one bad run must not kill the worker
            log.error("run_crashed", error_type=type(error).__name__)
            self.metrics.runs.labels("failed").inc()
            self.readiness.run_finished(started, "failed")
            return
        self.metrics.record_run(report, time.monotonic() - began)
        self.metrics.set_review_backlog(*connector.store.reviews.backlog())
        self.readiness.run_finished(started, report.outcome)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("shutdown_requested", signal=signal.Signals(signum).name)
        self.stop.set()
        self._halt.set()

    def _serve_console(self, stack: ExitStack, connector: Connector) -> None:
        """The web console on its own port (CONNECTOR_CONSOLE_PORT), when it is configured."""
        if self._console is None:
            return
        off = console_off_reason(self._console)
        if off is not None:
            log.info("console_off", reason=off)
            return
        stack.enter_context(
            serving_console(self._settings, self._console, connector.store, self.metrics, self.stop)
        )

    def run(self) -> int:
        settings = self._settings
        zone = ZoneInfo(settings.timezone)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        app = create_ops_app(self.metrics, self.readiness)
        with (
            build(settings, metrics=self.metrics, stop=self._halt) as connector,
            running(app, host=self._host, port=settings.http_port) as url,
            ExitStack() as console,
        ):
            connector.store.reviews.open_count()  # fail now, not at the first run
            self._serve_console(console, connector)
            self.metrics.mappings_valid.set(1)
            scheduler = BackgroundScheduler(timezone=zone)
            # APScheduler pauses a job given next_run_time=None: leave it out instead.
            first_run = {"next_run_time": datetime.now(zone)} if settings.run_on_start else {}
            scheduler.add_job(
                self._run,
                cron_trigger(settings.schedule, zone),
                args=[connector],
                id="sync",
                max_instances=1,  # never two runs at once
                coalesce=True,  # runs missed while one was running become one
                misfire_grace_time=None,
                **first_run,
            )
            scheduler.start()
            next_run = scheduler.get_job("sync").next_run_time
            log.info(
                "worker_started",
                http=url,
                schedule=settings.schedule,
                timezone=settings.timezone,
                next_run=next_run.isoformat() if next_run else None,
            )
            while not self.stop.wait(0.5):
                pass
            scheduler.shutdown(wait=True)  # the run in progress stops after its current write
        log.info("worker_stopped")
        return 0
