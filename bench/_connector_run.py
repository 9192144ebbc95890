"""The connector side of ``bench/run.py``, run in its own process so that its peak RSS is its own.

Reads the usual settings from the environment (``PIX_*``, ``IMILO_*``, ``CONNECTOR_*``), builds
the connector with ``connector.bootstrap.build``, both HTTP clients going through a counting
transport, runs ``Sync.run_once()`` ``BENCH_RUNS`` times (default 2), and
prints one JSON line on stdout::

    {"runs": [{"wall_seconds", "cpu_seconds", "other_cpu_seconds", "outcome", "counts",
               "errors", "skipped_structures", "stage_seconds", "imilo_reads", "imilo_writes",
               "pix_requests", "retries", "http_seconds", "endpoints"}],
     "build_seconds", "peak_rss_kb"}

``cpu_seconds`` is this process's CPU time; ``other_cpu_seconds`` that of the processes named
in ``BENCH_WATCH_PIDS`` (``pix:123,imilo:456``: the simulators). ``http_seconds`` sums the
durations of the requests of each kind (``pix``, ``imilo_read``, ``imilo_write``); writes run
on several threads, so their sum can exceed the wall time. ``endpoints``: route (numbers and
structure codes folded, search filters named) → [requests, seconds]. With
``BENCH_PROFILE=FILE``, the first run is sampled (``Sampler``) and the counts written to FILE
as JSON.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from typing import Any

import httpx

from connector.bootstrap import build
from connector.logs import configure_logging
from connector.run.sync import Sync
from connector.settings import Settings, load_settings


class Tally:
    """Requests, their durations and retries, per kind; shared by every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.retries: Counter[str] = Counter()
        self.endpoint_requests: Counter[str] = Counter()
        self.endpoint_seconds: defaultdict[str, float] = defaultdict(float)

    def add(self, kind: str, endpoint: str, seconds: float) -> None:
        with self._lock:
            self.requests[kind] += 1
            self.seconds[kind] += seconds
            self.endpoint_requests[endpoint] += 1
            self.endpoint_seconds[endpoint] += seconds

    # ApiObserver: the adapters report their retries here.
    def observe_request(self, api: str, status: int | None, seconds: float) -> None:
        pass

    def observe_retry(self, api: str) -> None:
        with self._lock:
            self.retries[api] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "seconds": dict(self.seconds),
                "retries": dict(self.retries),
                "endpoint_requests": dict(self.endpoint_requests),
                "endpoint_seconds": dict(self.endpoint_seconds),
            }


_FILTERS = (b"idDossier", b"mail", b"nom", b"statut")


def endpoint(method: str, raw_path: bytes) -> str:
    """``GET /operateurs/structures/{code}/dossiers?nom``: the route, and which filter.

    Works on the raw bytes, segment by segment: it runs for every request, so it must cost
    next to nothing next to the request it counts.
    """
    path, _, query = raw_path.partition(b"?")
    folded: list[bytes] = []
    code_next = False
    for part in path.split(b"/"):
        if code_next:
            folded.append(b"{code}")
        elif part.lstrip(b"-").isdigit():
            folded.append(b"{n}")
        else:
            folded.append(part)
        code_next = part == b"structures"
    route = f"{method} {b'/'.join(folded).decode('ascii')}"
    query = b"&" + query
    filters = [f.decode("ascii") for f in _FILTERS if b"&" + f + b"=" in query]
    return route + (f"?{'&'.join(filters)}" if filters else "")


class CountingTransport(httpx.BaseTransport):
    """Counts every request by API and by read (GET) or write (any other method)."""

    def __init__(self, inner: httpx.BaseTransport, api: str, tally: Tally) -> None:
        self._inner = inner
        self._api = api
        self._tally = tally

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._api == "imilo":
            kind = "imilo_read" if request.method == "GET" else "imilo_write"
        else:
            kind = self._api
        started = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
            response.read()  # the body is part of the request's time
            return response
        finally:
            route = endpoint(request.method, request.url.raw_path)
            self._tally.add(kind, f"{self._api} {route}", time.perf_counter() - started)

    def close(self) -> None:
        self._inner.close()


def build_sync(settings: Settings, tally: Tally, stack: ExitStack) -> Sync:
    """``connector.bootstrap.build``, with every request counted and every retry tallied."""
    connector = stack.enter_context(
        build(
            settings,
            metrics=tally,
            transports=lambda api: CountingTransport(httpx.HTTPTransport(), api, tally),
        )
    )
    return connector.sync


class Sampler:
    """A poor man's sampling profiler: every ``interval`` seconds, the stack of every other
    thread. Counts, per function, the samples it was on the stack (inclusive) and on top
    (self). Covers the write threads, unlike cProfile."""

    def __init__(self, interval: float = 0.005) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sampler", daemon=True)
        self.samples = 0
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _name(frame: Any) -> str:
        code = frame.f_code
        path = code.co_filename
        for marker in ("/site-packages/", "/connector/", "/lib/python3"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{path}:{code.co_name}"

    def _loop(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self._interval):
            # CPython 3.11 deadlocks when a collection starts inside sys._current_frames()
            # (it holds the runtime's HEAD lock; freeing a threading.local wants it too).
            collecting = gc.isenabled()
            gc.disable()
            try:
                frames = sys._current_frames()
            finally:
                if collecting:
                    gc.enable()
            for ident, frame in frames.items():
                if ident == me:
                    continue
                self.samples += 1
                self.own[self._name(frame)] += 1
                seen = set()
                walker: Any = frame
                while walker is not None:
                    name = self._name(walker)
                    if name not in seen:
                        seen.add(name)
                        self.inclusive[name] += 1
                    walker = walker.f_back

    def dump(self, path: str) -> None:
        body = {
            "samples": self.samples,
            "interval": self._interval,
            "inclusive": dict(self.inclusive.most_common(60)),
            "self": dict(self.own.most_common(60)),
        }
        with open(path, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=1)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process so far (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _watched() -> dict[str, int]:
    """``BENCH_WATCH_PIDS=pix:123,imilo:456``: processes whose CPU time each run reports."""
    pairs = [p.split(":") for p in os.environ.get("BENCH_WATCH_PIDS", "").split(",") if p]
    return {name: int(pid) for name, pid in pairs}


def _delta(after: dict[str, Any], before: dict[str, Any], key: str) -> dict[str, float]:
    keys = set(after[key]) | set(before[key])
    return {k: after[key].get(k, 0) - before[key].get(k, 0) for k in sorted(keys)}


def main() -> int:
    configure_logging(
        os.environ.get("CONNECTOR_LOG_LEVEL", "INFO"), os.environ.get("CONNECTOR_LOG_FORMAT")
    )
    runs = int(os.environ.get("BENCH_RUNS", "2"))
    profile = os.environ.get("BENCH_PROFILE")  # a file: sample the first run (slows it)
    tally = Tally()
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    with ExitStack() as stack:
        sync = build_sync(load_settings(), tally, stack)
        build_seconds = time.perf_counter() - started
        watched = _watched()
        for _ in range(runs):
            before = tally.snapshot()
            others = {name: _cpu_seconds(pid) for name, pid in watched.items()}
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            if profile and not results:
                with Sampler() as sampler:
                    report = sync.run_once()
                sampler.dump(profile)
            else:
                report = sync.run_once()
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            others = {name: _cpu_seconds(pid) - others[name] for name, pid in watched.items()}
            after = tally.snapshot()
            requests = _delta(after, before, "requests")
            endpoint_seconds = _delta(after, before, "endpoint_seconds")
            results.append(
                {
                    "wall_seconds": wall,
                    "cpu_seconds": cpu,
                    "other_cpu_seconds": others,
                    "outcome": report.outcome,
                    "counts": report.counts(),
                    "errors": len(report.errors),
                    "skipped_structures": len(report.skipped_structures),
                    "stage_seconds": dict(getattr(report, "stage_seconds", {}) or {}),
                    "imilo_reads": int(requests.get("imilo_read", 0)),
                    "imilo_writes": int(requests.get("imilo_write", 0)),
                    "pix_requests": int(requests.get("pix", 0)),
                    "retries": _delta(after, before, "retries"),
                    "http_seconds": _delta(after, before, "seconds"),
                    "endpoints": {
                        name: [int(count), endpoint_seconds[name]]
                        for name, count in _delta(after, before, "endpoint_requests").items()
                        if count
                    },
                }
            )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps({"runs": results, "build_seconds": build_seconds, "peak_rss_kb": peak_kb}),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
