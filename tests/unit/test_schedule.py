"""Cron expressions are read as cron reads them: 0 (or 7) is Sunday."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connector.schedule import cron_trigger

PARIS = ZoneInfo("Europe/Paris")


def fire_days(expression: str) -> list[str]:
    trigger = cron_trigger(expression, PARIS)
    moment = datetime(2026, 11, 29, 0, 0, tzinfo=PARIS)  # a Sunday
    days = []
    for _ in range(7):
        moment = trigger.get_next_fire_time(None, moment)
        days.append(moment.strftime("%a"))
        moment = moment.replace(hour=23, minute=59) + timedelta(minutes=1)
    return days


def test_the_default_schedule_runs_monday_to_saturday() -> None:
    """1-6 is Monday to Saturday, not APScheduler's Tuesday to Sunday."""
    assert sorted(set(fire_days("0 8 * * 1-6"))) == sorted(
        {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
    )


@pytest.mark.parametrize(
    ("field", "days"),
    [
        ("0", {"Sun"}),
        ("7", {"Sun"}),
        ("5-7", {"Fri", "Sat", "Sun"}),
        ("1,3,5", {"Mon", "Wed", "Fri"}),
        ("mon-fri", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("*/2", {"Sun", "Tue", "Thu", "Sat"}),
    ],
)
def test_day_of_week_fields_follow_cron(field: str, days: set[str]) -> None:
    """Numbers, 7, ranges, lists, names and steps mean what they mean in cron."""
    assert set(fire_days(f"0 8 * * {field}")) == days


def test_the_quarter_hours_of_the_day_window() -> None:
    """*/15 7-19 starts at 07:00 and ends with 19:45, in Paris time."""
    trigger = cron_trigger("*/15 7-19 * * *", PARIS)
    first = trigger.get_next_fire_time(None, datetime(2026, 11, 30, 0, 0, tzinfo=PARIS))
    last = trigger.get_next_fire_time(None, datetime(2026, 11, 30, 19, 31, tzinfo=PARIS))
    assert (first.hour, first.minute) == (7, 0)
    assert (last.hour, last.minute) == (19, 45)
    assert trigger.get_next_fire_time(None, datetime(2026, 11, 30, 19, 46, tzinfo=PARIS)).day == 1


@pytest.mark.parametrize("expression", ["* * * *", "0 8 * * 8", "0 8 * * 5-1", "0 25 * * *"])
def test_bad_expressions_are_refused(expression: str) -> None:
    """Wrong field counts, days and hours raise ValueError."""
    with pytest.raises(ValueError):
        cron_trigger(expression, PARIS)
