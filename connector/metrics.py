"""Prometheus metrics and the API health the readiness probe relies on.

One registry per process, owned by ``Metrics`` (never the global default registry, so that
tests and several connectors in one process do not collide). Labels carry no personal data:
API names, HTTP status codes, outcomes and structure codes only.

The worker serves them on ``/metrics``; ``sync --once`` (the CronJob mode) pushes its run's
to a Pushgateway (``push_run``) or writes them for node_exporter's textfile collector
(``write_run_file``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    pushadd_to_gateway,
    write_to_textfile,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

from connector import __version__
from connector.run.report import RunReport

__all__ = ["OUTCOMES", "PUSH_JOB", "Metrics", "push_run", "write_run_file"]

PUSH_JOB = "pix-imilo"
PUSH_TIMEOUT_SECONDS = 10.0
LAST_SUCCESS = "pix_imilo_last_success_timestamp_seconds"
_MAX_PREVIOUS_FILE_BYTES = 1024 * 1024

OUTCOMES = ("updated", "unchanged", "review", "quarantined", "failed")
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last_answer: dict[str, float] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        self.runs = Counter(
            "pix_imilo_runs", "Sync runs, by outcome.", ["outcome"], registry=self.registry
        )
        self.records = Counter(
            "pix_imilo_records",
            "Participation records handled, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.api_latency = Histogram(
            "pix_imilo_api_request_duration_seconds",
            "Duration of requests to Pix and I-Milo, by API and HTTP status ('error' when no "
            "answer came).",
            ["api", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.retries = Counter(
            "pix_imilo_api_retries", "Requests retried, by API.", ["api"], registry=self.registry
        )
        self.last_success = Gauge(
            "pix_imilo_last_success_timestamp_seconds",
            "Unix time at which the last successful run finished.",
            registry=self.registry,
        )
        self.review_queue = Gauge(
            "pix_imilo_review_queue_size",
            "Open items in the review queue.",
            registry=self.registry,
        )
        self.mappings_valid = Gauge(
            "pix_imilo_mappings_valid",
            "1 when the mapping files last read were valid, 0 when the last edit is broken "
            "(the last valid mappings keep running).",
            registry=self.registry,
        )
        self.run_duration = Histogram(
            "pix_imilo_run_duration_seconds",
            "Duration of sync runs.",
            buckets=(1, 5, 15, 60, 300, 900, 3600),
            registry=self.registry,
        )
        self.review_open = Gauge(
            "pix_imilo_review_open",
            "Open items in the review queue, by structure (its code).",
            ["structure"],
            registry=self.registry,
        )
        self.review_oldest = Gauge(
            "pix_imilo_review_oldest_open_timestamp_seconds",
            "When the oldest open review item was first seen (Unix time; 0: none open).",
            registry=self.registry,
        )
        self.review_oldest_by_structure = Gauge(
            "pix_imilo_review_oldest_open_by_structure_timestamp_seconds",
            "When each structure's oldest open review item was first seen (Unix time); the "
            "age of the oldest item is time() minus this. Structures with none open are absent.",
            ["structure"],
            registry=self.registry,
        )
        self.console_decisions = Counter(
            "pix_imilo_console_decisions",
            "Review decisions made in the web console, by decision (dossier or nothing).",
            ["decision"],
            registry=self.registry,
        )
        for decision in ("dossier", "nothing"):
            self.console_decisions.labels(decision)
        self._review_structures: set[str] = set()
        self._oldest_structures: set[str] = set()
        self.build_info = Gauge(
            "pix_imilo_build_info",
            "Always 1; its label is the connector's version.",
            ["version"],
            registry=self.registry,
        )
        self.build_info.labels(__version__).set(1)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        for outcome in OUTCOMES:
            self.records.labels(outcome)
        for outcome in ("completed", "failed", "interrupted"):
            self.runs.labels(outcome)

    # ApiObserver -------------------------------------------------------------------------------
    def observe_request(self, api: str, status: int | None, seconds: float) -> None:
        self.api_latency.labels(api, "error" if status is None else str(status)).observe(seconds)
        if status is not None and status < 500:
            with self._lock:
                self._last_answer[api] = self._clock()

    def observe_retry(self, api: str) -> None:
        self.retries.labels(api).inc()

    def last_answer(self, api: str) -> float | None:
        """When ``api`` last gave an answer that was not a server error (Unix time)."""
        with self._lock:
            return self._last_answer.get(api)

    # runs ---------------------------------------------------------------------------------------
    def record_run(self, report: RunReport, seconds: float) -> None:
        self.runs.labels(report.outcome).inc()
        self.run_duration.observe(seconds)
        counts = report.counts()
        for outcome in OUTCOMES:
            self.records.labels(outcome).inc(counts[outcome])
        if report.completed:
            self.last_success.set(self._clock())

    def set_review_open(self, by_structure: Mapping[str, int]) -> None:
        """The open review items, per structure and in all (``pix_imilo_review_queue_size``);
        a structure with none left leaves the per-structure gauge."""
        with self._lock:
            for code in self._review_structures - set(by_structure):
                self.review_open.remove(code)
            for code, count in by_structure.items():
                self.review_open.labels(code).set(count)
            self._review_structures = set(by_structure)
            self.review_queue.set(sum(by_structure.values()))

    def set_review_oldest(self, first_seen: datetime | None) -> None:
        """When the oldest open item was first seen, so that an alert can tell how long a
        young person's result has waited for a counsellor (0: none open)."""
        self.review_oldest.set(first_seen.timestamp() if first_seen is not None else 0)

    def set_review_backlog(
        self, counts: Mapping[str, int], first_seen: Mapping[str, datetime]
    ) -> None:
        """The review backlog's gauges, from ``ReviewQueue.backlog()``: open items per
        structure and in all, the oldest one's first sighting in all and per structure."""
        self.set_review_open(counts)
        self.set_review_oldest(min(first_seen.values(), default=None))
        self.set_review_oldest_by_structure(first_seen)

    def set_review_oldest_by_structure(self, first_seen: Mapping[str, datetime]) -> None:
        """When each structure's oldest open item was first seen; structures with none open
        leave the gauge."""
        with self._lock:
            for code in self._oldest_structures - set(first_seen):
                self.review_oldest_by_structure.remove(code)
            for code, when in first_seen.items():
                self.review_oldest_by_structure.labels(code).set(when.timestamp())
            self._oldest_structures = set(first_seen)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Without(Collector):
    """A view of a registry without some metric families."""

    def __init__(self, registry: CollectorRegistry, leave_out: Callable[[str], bool]) -> None:
        self._registry = registry
        self._leave_out = leave_out

    def collect(self) -> Iterable[Metric]:
        return [family for family in self._registry.collect() if not self._leave_out(family.name)]


def push_run(
    metrics: Metrics, gateway: str, *, completed: bool, timeout: float = PUSH_TIMEOUT_SECONDS
) -> None:
    """Push a ``sync --once`` run's metrics to a Pushgateway, grouped by job only: a CronJob's
    pod name changes every run, and one group per run would pile up in the gateway.

    POST (push-add), so that a run that did not complete leaves the last success time of an
    earlier run in place instead of pushing its own ``0``. Raises ``OSError`` on failure."""
    registry: Collector = metrics.registry
    if not completed:
        registry = _Without(metrics.registry, lambda name: name == LAST_SUCCESS)
    pushadd_to_gateway(gateway, job=PUSH_JOB, registry=registry, timeout=timeout)


def _previous_success(path: Path) -> float | None:
    try:
        with path.open("rb") as file:
            text = file.read(_MAX_PREVIOUS_FILE_BYTES).decode("utf-8")
        for family in text_string_to_metric_families(text):
            if family.name == LAST_SUCCESS and family.samples:
                return float(family.samples[0].value)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return None


def write_run_file(metrics: Metrics, path: Path, *, completed: bool) -> None:
    """Write a ``sync --once`` run's metrics for node_exporter's textfile collector, atomically
    (a temporary file renamed over ``path``), readable by all (0644: no personal data).

    A run that did not complete keeps the last success time the file had. Process metrics are
    left out: node_exporter serves its own under the same names, and a file's would clash."""
    if not completed:
        previous = _previous_success(path)
        if previous is not None:
            metrics.last_success.set(previous)
    write_to_textfile(str(path), _Without(metrics.registry, lambda n: n.startswith("process_")))
    os.chmod(path, 0o644)
