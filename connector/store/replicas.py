"""One I-Milo budget for every replica of a deployment that shares a PostgreSQL store.

``IMILO_MAX_RPS`` is the deployment's budget. Its slots, one every 1/rate seconds, form one
sequence kept in a single row (``rate_budget.next_at``, seconds since the epoch on the
store's clock): each request of any replica claims the next slot with one atomic
``UPDATE … RETURNING`` and waits for it. The requests of all replicas are so spaced as one
process's would be, whatever their number, with no burst when one joins. A replica takes the
slots it needs (its share follows its work), and one that dies holds none but the few it had
claimed: its part of the budget is at once the others'.

The store's clock (not each host's) times the slots, so replicas whose clocks differ still
agree. SQLite serves one replica, which needs none of this (``connector.bootstrap``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, Float, case, cast, func, insert, literal, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from connector.store.schema import rate_budget

__all__ = ["SharedRateBudget"]

_UNIX_EPOCH_JULIAN_DAY = 2440587.5
# A next slot further ahead than this is not a queue but a store clock that went back: the
# sequence starts again from now rather than make every replica wait for it.
_HORIZON_SECONDS = 600.0


def _store_clock(engine: Engine) -> ColumnElement[float]:
    """The store's current time, in seconds since the epoch."""
    if engine.dialect.name == "postgresql":
        return cast(func.extract("epoch", func.clock_timestamp()), Float)
    return cast((func.julianday("now") - _UNIX_EPOCH_JULIAN_DAY) * 86400.0, Float)


class SharedRateBudget:
    """``claim()`` takes the deployment's next slot for ``name`` at ``requests_per_second``,
    and returns the seconds to wait for it. ``clock`` (seconds) replaces the store's."""

    def __init__(
        self,
        engine: Engine,
        requests_per_second: float,
        *,
        name: str = "imilo",
        clock: Callable[[], float] | None = None,
    ) -> None:
        if requests_per_second <= 0:
            raise ValueError("a shared budget needs a positive rate")
        self._engine = engine
        self._interval = 1.0 / requests_per_second
        self.name = name
        self._clock = clock

    def _ensure(self) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(rate_budget).values(name=self.name, next_at=0.0))
        except IntegrityError:
            pass  # another replica created it first

    def claim(self) -> float:
        now = (
            literal(self._clock(), Float) if self._clock is not None else _store_clock(self._engine)
        )
        # Evaluated on the latest row under its lock: concurrent claims queue one after the other.
        statement = (
            update(rate_budget)
            .where(rate_budget.c.name == self.name)
            .values(
                next_at=case(
                    (
                        (rate_budget.c.next_at > now)
                        & (rate_budget.c.next_at < now + _HORIZON_SECONDS),
                        rate_budget.c.next_at,
                    ),
                    else_=now,
                )
                + self._interval
            )
            .returning(rate_budget.c.next_at, now)
        )
        for _ in range(2):
            with self._engine.begin() as conn:
                row = conn.execute(statement).first()
            if row is not None:
                next_at, at = row
                return float(next_at) - self._interval - float(at)
            self._ensure()
        raise RuntimeError(f"the rate budget '{self.name}' could not be created")
