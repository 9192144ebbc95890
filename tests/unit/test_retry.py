"""Retries: the first attempt outside tenacity, the rest as the policy says."""

from __future__ import annotations

import threading
import time

import pytest

from connector.errors import FatalApiError, MalformedResponse, TransientApiError
from connector.transport.retry import Retrier, RetryPolicy

FAST = RetryPolicy(attempts=4, initial_wait=0.001, max_wait=0.002)


class Flaky:
    """Fails with the given errors, in order, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[float] = []

    def __call__(self) -> str:
        self.calls.append(time.monotonic())
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def transient(retry_after: float | None = None) -> TransientApiError:
    return TransientApiError("imilo", "unavailable", 503, retry_after)


def test_a_call_that_succeeds_is_made_once() -> None:
    call = Flaky()
    assert Retrier(FAST)(call) == "ok"
    assert len(call.calls) == 1


def test_transient_and_malformed_answers_are_retried_up_to_the_attempts() -> None:
    call = Flaky(transient(), MalformedResponse("imilo", "cut page"), transient())
    retries: list[int] = []
    assert Retrier(FAST, on_retry=lambda: retries.append(1))(call) == "ok"
    assert len(call.calls) == 4 and len(retries) == 3
    with pytest.raises(TransientApiError):
        Retrier(FAST)(Flaky(*[transient() for _ in range(4)]))


def test_the_attempt_limit_counts_the_first_attempt() -> None:
    call = Flaky(*[transient() for _ in range(10)])
    with pytest.raises(TransientApiError):
        Retrier(RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.001))(call)
    assert len(call.calls) == 3


def test_the_first_failures_retry_after_is_honoured() -> None:
    call = Flaky(transient(retry_after=0.2))
    Retrier(FAST)(call)
    assert call.calls[1] - call.calls[0] >= 0.19


def test_a_refusal_is_not_retried() -> None:
    call = Flaky(FatalApiError("imilo", "refused", 400))
    with pytest.raises(FatalApiError):
        Retrier(FAST)(call)
    assert len(call.calls) == 1


def test_a_stop_request_ends_the_retries() -> None:
    stop = threading.Event()
    stop.set()
    call = Flaky(transient(), transient())
    with pytest.raises(TransientApiError):
        Retrier(RetryPolicy(attempts=4, initial_wait=5, max_wait=5), stop=stop)(call)
    assert len(call.calls) == 1
