"""Fault injection in the simulators, over loopback HTTP, against tests/fixtures/sim."""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp

from connector.simulators import create_imilo_app, create_pix_app, load_imilo_data, load_pix_data
from connector.simulators import running as serve
from connector.simulators.faults import FAULT_KINDS, FaultInjector, FaultPlan

pytestmark = pytest.mark.integration

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
STRUCTURE = "/operateurs/structures/69380S00"
ACTUALITES = "/operateurs/dossiers/1001/actualites"
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "ml-lyon",
    "client_secret": "lyon-secret",
    "scope": "meta campaigns",
}
# Well under the stall, so a stall reads as a timeout; stalls cost the client this much each.
CLIENT_TIMEOUT = 0.5
STALL_SECONDS = 2.0


def plan(rate: float, seed: int = 7) -> FaultPlan:
    return FaultPlan(rate=rate, seed=seed, stall_seconds=STALL_SECONDS)


@contextmanager
def client(app: ASGIApp, timeout: float = CLIENT_TIMEOUT) -> Iterator[httpx.Client]:
    with (
        serve(app) as base_url,
        httpx.Client(
            base_url=base_url, headers={"X-Gravitee-Api-Key": "test-key"}, timeout=timeout
        ) as http,
    ):
        yield http


def imilo_app(rate: float, seed: int = 7) -> Starlette:
    return create_imilo_app(load_imilo_data(FIXTURE_DIR), faults=plan(rate, seed))


def outcome(call: Callable[[], httpx.Response]) -> str:
    """The fault kind a client observes: the status code, ``stall`` or ``drop``."""
    try:
        return str(call().status_code)
    except httpx.TimeoutException:
        return "stall"
    except (httpx.RemoteProtocolError, httpx.ReadError):
        # A dropped connection reads as a closed stream or, by timing, as a reset.
        return "drop"


def post_actualite(http: httpx.Client, key: str) -> httpx.Response:
    body = {"nature": "ATELIER", "date": "2026-03-12", "commentaire": key}
    return http.post(ACTUALITES, json=body, headers={"Idempotency-Key": key})


def tagged(http: httpx.Client, key: str) -> list[dict[str, Any]]:
    """The actualites written with ``key`` as their comment."""
    rows: list[dict[str, Any]] = http.get("/_sim/state").json()["actualites"]
    return [a for a in rows if a["commentaire"] == key]


def mixed_request(http: httpx.Client, i: int) -> httpx.Response:
    """Every third request a write: writes take an extra draw (drop before or after the app)."""
    return post_actualite(http, f"k-{i}") if i % 3 == 0 else http.get(STRUCTURE)


class Records(logging.Handler):
    """Keeps the records it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_fault_plan_rejects_a_rate_outside_0_to_1() -> None:
    """A rate below 0, above 1 or NaN is refused when the plan is made."""
    for rate in (-0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match="rate"):
            FaultPlan(rate=rate)


def test_rate_zero_injects_no_fault() -> None:
    """At rate 0 the apps are not wrapped, and a bare injector lets every request through."""
    assert imilo_app(0.0).state.faults is None
    injector = FaultInjector(create_imilo_app(load_imilo_data(FIXTURE_DIR)), plan(0.0))
    with client(injector) as http:
        assert [http.get(STRUCTURE).status_code for _ in range(20)] == [200] * 20
        assert post_actualite(http, "k-0").status_code == 201
        report = http.get("/_sim/faults").json()
    assert report == {"injected": dict.fromkeys(FAULT_KINDS, 0), "requests": 21}


def test_rate_one_faults_every_request_with_every_kind() -> None:
    """At rate 1 every read is faulted, each kind shows up, and 429 carries Retry-After."""
    app = imilo_app(1.0, seed=11)
    seen: Counter[str] = Counter()
    with client(app) as http:
        for _ in range(60):
            try:
                answer = http.get(STRUCTURE)
            except httpx.TimeoutException:
                seen["stall"] += 1
            except httpx.RemoteProtocolError:
                seen["drop"] += 1
            else:
                seen[str(answer.status_code)] += 1
                assert answer.json()["message"] == "injected fault"
                if answer.status_code == 429:
                    assert answer.headers["Retry-After"] == "1"
        report = http.get("/_sim/faults").json()
    assert set(seen) == set(FAULT_KINDS)
    assert report == {"injected": dict(seen), "requests": 60}


def test_same_seed_gives_the_same_faults() -> None:
    """Two apps with the same seed fault the same request sequence alike; another seed differs."""

    def run(seed: int) -> list[str]:
        with client(imilo_app(1.0, seed)) as http:
            return [outcome(partial(mixed_request, http, i)) for i in range(12)]

    first = run(seed=5)
    assert run(seed=5) == first
    assert run(seed=6) != first


def test_dropped_answer_raises_a_transport_error() -> None:
    """A drop cuts the body short: httpx raises RemoteProtocolError; uvicorn logs no error."""
    handler = Records()
    uvicorn_logger = logging.getLogger("uvicorn.error")
    uvicorn_logger.addHandler(handler)
    try:
        with client(imilo_app(1.0, seed=3)) as http:
            errors: list[Exception] = []
            while not errors:
                try:
                    http.get(STRUCTURE)
                except httpx.RemoteProtocolError as exc:
                    errors.append(exc)
                except httpx.TimeoutException:
                    pass
    finally:
        uvicorn_logger.removeHandler(handler)
    assert isinstance(errors[0], httpx.TransportError)
    assert "peer closed connection without sending complete message body" in str(errors[0])
    assert not [r for r in handler.records if "without completing response" in r.getMessage()]


def test_write_applied_then_dropped_is_replayed_not_reapplied() -> None:
    """A write dropped after the app applied it shows in state; its retry replays the answer."""
    hook_calls: list[tuple[str, bool]] = []
    inner = create_imilo_app(load_imilo_data(FIXTURE_DIR))
    injector = FaultInjector(
        inner, plan(0.5, seed=1), writes_counter_hook=lambda *call: hook_calls.append(call)
    )
    attempts = 0
    with client(injector) as http:

        def post(key: str) -> httpx.Response | None:
            nonlocal attempts
            attempts += 1
            try:
                return post_actualite(http, key)
            except httpx.TransportError:
                return None

        # Fresh keys until one write fails on the client yet is in the simulator's state.
        key = next(k for k in (f"k-{i}" for i in range(200)) if post(k) is None and tagged(http, k))
        answer = None
        while answer is None or answer.status_code != 201:
            answer = post(key)
        assert answer.headers["Idempotent-Replayed"] == "true"
        assert len(tagged(http, key)) == 1
        # The hook runs once the server gives up on a stall; wait until every faulted write is in.
        deadline = time.monotonic() + 5
        while len(hook_calls) < sum(injector.injected.values()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        writes = http.get("/_sim/state").json()["writes"]
    assert ("drop", True) in hook_calls
    # `writes` counts each write the app answered 2xx: unfaulted ones plus faulted-but-applied.
    not_applied = sum(1 for _, applied in hook_calls if not applied)
    assert writes == attempts - not_applied


def test_sim_paths_are_never_faulted() -> None:
    """Requests under /_sim always get through, and are not counted as faultable requests."""
    pix = create_pix_app(load_pix_data(FIXTURE_DIR), faults=plan(1.0))
    with client(imilo_app(1.0)) as imilo, client(pix) as pix_http:
        for _ in range(20):
            assert imilo.get("/_sim/state").status_code == 200
            assert imilo.get("/_sim/faults").status_code == 200
            assert pix_http.get("/_sim/stats").status_code == 200
        assert imilo.get("/_sim/faults").json()["requests"] == 0
        assert pix_http.get("/_sim/faults").json()["requests"] == 0


def test_token_requests_are_faulted() -> None:
    """Pix token requests are faulted like any other; the counters see each of them."""
    app = create_pix_app(load_pix_data(FIXTURE_DIR), faults=plan(1.0, seed=2))
    with client(app) as http:
        kinds = [
            outcome(lambda: http.post("/api/application/token", data=TOKEN_FORM)) for _ in range(10)
        ]
        report = http.get("/_sim/faults").json()
    assert set(kinds) <= set(FAULT_KINDS)
    assert report["requests"] == 10
    assert sum(report["injected"].values()) == 10
    # Only a token request dropped after the app ran reached it.
    assert app.state.stats.requests <= kinds.count("drop")


def test_stall_answers_normally_when_the_client_waits() -> None:
    """A stalled request is served after stall_seconds to a client patient enough."""
    with client(imilo_app(1.0, seed=11), timeout=STALL_SECONDS + 3) as http:
        while True:
            started = time.monotonic()
            try:
                answer = http.get(STRUCTURE)
            except httpx.RemoteProtocolError:
                continue
            if answer.status_code == 200:
                break
        assert time.monotonic() - started >= STALL_SECONDS
        assert answer.json()["code"] == "69380S00"
        assert http.get("/_sim/faults").json()["injected"]["stall"] == 1
