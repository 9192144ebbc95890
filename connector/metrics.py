"""Prometheus metrics and the API health the readiness probe relies on.

One registry per process, owned by ``Metrics`` (never the global default registry, so that
tests and several connectors in one process do not collide). Labels carry no personal data:
API names, HTTP status codes and outcomes only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from connector.run.report import RunReport

__all__ = ["OUTCOMES", "Metrics"]

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

    def render(self) -> bytes:
        return generate_latest(self.registry)
