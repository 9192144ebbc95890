"""Retries at the adapter boundary (tenacity): transient errors only, with backoff and jitter,
``Retry-After`` honoured within a cap, an overall deadline, and a stop on shutdown."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    stop_after_delay,
    stop_when_event_set,
    wait_exponential_jitter,
)

from connector.errors import AnswerTooLarge, MalformedResponse, TransientApiError

__all__ = [
    "DEFAULT_RETRY",
    "NO_RETRY",
    "Retrier",
    "RetryPolicy",
    "call_with_retries",
    "retry_after_seconds",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 8.0
    deadline: float = 60.0  # for one call, all attempts and waits included
    max_retry_after: float = 30.0  # a server asking for longer is not waited for


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


def retry_after_seconds(value: str | None) -> float | None:
    """The ``Retry-After`` header in seconds (the HTTP-date form is rare here: ignored)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class Retrier:
    """Runs calls under a policy; built once per adapter, safe to share between threads
    (tenacity keeps each call's state per thread)."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        on_retry: Callable[[], None] = lambda: None,
        stop: threading.Event | None = None,
    ) -> None:
        self._retrying = _retrying(policy, on_retry, stop) if policy.attempts > 1 else None

    def __call__(self, call: Callable[[], T]) -> T:
        """Run ``call``; retry it on ``TransientApiError`` as the policy allows."""
        if self._retrying is None:
            return call()
        return self._retrying(call)


def call_with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    on_retry: Callable[[], None] = lambda: None,
    stop: threading.Event | None = None,
) -> T:
    """Run ``call`` once under ``policy`` (a ``Retrier`` for one call)."""
    return Retrier(policy, on_retry=on_retry, stop=stop)(call)


def _retrying(
    policy: RetryPolicy, on_retry: Callable[[], None], stop: threading.Event | None
) -> Retrying:
    backoff = wait_exponential_jitter(
        multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.initial_wait
    )

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        if isinstance(asked, int | float) and asked <= policy.max_retry_after:
            return float(asked)
        return float(backoff(state))

    halt = stop_after_attempt(policy.attempts) | stop_after_delay(policy.deadline)
    event = stop or threading.Event()

    def sleep(seconds: float) -> None:
        event.wait(seconds)  # a shutdown cuts the wait short; the stop condition then holds

    return Retrying(
        # A malformed answer (an HTML error page from a proxy, a cut JSON page) is most often
        # passing trouble too; writes are idempotent, so reading or sending again is safe.
        # An answer over the size cap would be as large again: not retried.
        retry=retry_if_exception_type((TransientApiError, MalformedResponse))
        & retry_if_not_exception_type(AnswerTooLarge),
        stop=halt | stop_when_event_set(event),
        wait=wait,
        sleep=sleep,
        before_sleep=lambda _state: on_retry(),
        reraise=True,
    )
