"""Cron schedules read the standard way.

APScheduler 3 numbers the days of the week from 0 = Monday, where cron (and Kubernetes
CronJobs, and every admin) has 0 = Sunday: ``1-6`` would run Tuesday to Sunday. The
day-of-week field is therefore translated to day names before APScheduler reads it.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

__all__ = ["cron_trigger"]

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit():
        number = int(token)
        if 0 <= number <= 7:
            return number % 7
    elif token[:3] in _NAMES:
        return _NAMES.index(token[:3])
    raise ValueError(f"not a day of the week: {token!r}")


def _days(field: str) -> set[int]:
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError("a step must be positive")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            start, end = span.split("-", 1)
            first, last = _day(start), int(end) if end.strip() == "7" else _day(end)
        else:
            first = last = _day(span)
        if last < first:
            raise ValueError(f"a range must go forward: {span!r}")
        days.update(d % 7 for d in range(first, last + 1, step))
    return days


def cron_trigger(expression: str, timezone: tzinfo) -> CronTrigger:
    """A trigger for a standard 5-field cron expression (0 or 7 = Sunday)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("a cron expression has 5 fields")
    minute, hour, day, month, day_of_week = fields
    if day_of_week != "*":
        day_of_week = ",".join(_NAMES[d] for d in sorted(_days(day_of_week)))
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=timezone
    )
