"""The console's « Activité » figures: per structure and month, national sums, suppression."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connector.console.activity import (
    COLUMNS,
    NATIONAL,
    UNKNOWN_STRUCTURE,
    ActivityLine,
    activity_csv,
    activity_lines,
    displayed_row,
    national_lines,
    shown,
    shown_median,
)
from connector.store.activity import Realised, Waiting

PARIS = "75101S00"
REUNION = "97411S00"
ZONES = {PARIS: ZoneInfo("Europe/Paris"), REUNION: ZoneInfo("Indian/Reunion")}


def zone_of(code: str) -> ZoneInfo:
    return ZONES[code]


def realised(
    structure: str = PARIS,
    day: date = date(2026, 11, 2),
    applied_at: datetime = datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
    nature: str | None = "ENTRETIEN_INDIVIDUEL",
    diagnostic: str | None = "short",
) -> Realised:
    return Realised(structure, day, applied_at, nature, diagnostic)


BLANK = ActivityLine(
    structure=PARIS,
    month="2026-11",
    realised=0,
    individual=0,
    group=0,
    autonomous=0,
    short=0,
    long=0,
    unknown_diagnostic=0,
    in_review=0,
    quarantined=0,
    median_days=None,
)


def line(**changes: Any) -> ActivityLine:
    return replace(BLANK, **changes)


def test_a_review_first_seen_on_the_31st_at_2330_utc_is_novembers_in_paris() -> None:
    waiting = [Waiting(PARIS, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "review")]
    [only] = activity_lines([], waiting, zone_of)
    assert (only.structure, only.month, only.in_review, only.quarantined) == (
        PARIS,
        "2026-11",
        1,
        0,
    )


def test_the_month_of_a_realisation_is_its_tests_day_not_when_it_was_applied() -> None:
    late = realised(day=date(2026, 10, 31), applied_at=datetime(2026, 11, 4, 8, tzinfo=UTC))
    [only] = activity_lines([late], [], zone_of)
    assert only.month == "2026-10"
    assert only.median_days == 4.0


def test_the_delay_is_counted_in_the_structures_zone_and_never_negative() -> None:
    # 2026-11-02T21:00Z is already the 3rd in La Réunion (UTC+4): one day, not zero.
    reunion = realised(REUNION, applied_at=datetime(2026, 11, 2, 21, 0, tzinfo=UTC))
    # Applied "before" the test's day (clocks apart): clamped at zero.
    early = realised(PARIS, applied_at=datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    lines = {x.structure: x for x in activity_lines([reunion, early], [], zone_of)}
    assert lines[REUNION].median_days == 1.0
    assert lines[PARIS].median_days == 0.0


def test_realisations_are_counted_by_nature_and_diagnostic() -> None:
    rows = [
        realised(nature="ENTRETIEN_INDIVIDUEL", diagnostic="short"),
        realised(nature="ATELIER", diagnostic="long"),
        realised(nature="ATELIER", diagnostic=None),
        realised(nature=None, diagnostic="long"),
        realised(nature=None, diagnostic=None),
        realised(nature=None, diagnostic="short"),
    ]
    [only] = activity_lines(rows, [], zone_of)
    assert (only.realised, only.individual, only.group, only.autonomous) == (6, 1, 2, 3)
    assert (only.short, only.long, only.unknown_diagnostic) == (2, 2, 2)


def test_waiting_items_are_told_apart_and_unknown_structures_are_named() -> None:
    moment = datetime(2026, 11, 5, 12, tzinfo=UTC)
    waiting = [
        Waiting(PARIS, moment, "review"),
        Waiting(PARIS, moment, "quarantine"),
        Waiting(PARIS, moment, "quarantine"),
        Waiting(None, moment, "quarantine"),
    ]
    lines = {x.structure: x for x in activity_lines([], waiting, zone_of)}
    assert (lines[PARIS].in_review, lines[PARIS].quarantined, lines[PARIS].realised) == (1, 2, 0)
    assert lines[UNKNOWN_STRUCTURE].quarantined == 1
    assert lines[PARIS].median_days is None


def test_lines_come_newest_month_first_then_by_structure_code() -> None:
    rows = [
        realised(REUNION, day=date(2026, 10, 3)),
        realised(REUNION, day=date(2026, 11, 3)),
        realised(PARIS, day=date(2026, 10, 3)),
        realised(PARIS, day=date(2026, 11, 3)),
        realised(PARIS, day=date(2025, 12, 3)),
    ]
    keys = [(x.month, x.structure) for x in activity_lines(rows, [], zone_of)]
    assert keys == [
        ("2026-11", PARIS),
        ("2026-11", REUNION),
        ("2026-10", PARIS),
        ("2026-10", REUNION),
        ("2025-12", PARIS),
    ]


def test_the_national_view_sums_structures_and_takes_the_median_over_all_realisations() -> None:
    def after(days: int, structure: str) -> Realised:
        return realised(
            structure,
            day=date(2026, 11, 2),
            applied_at=datetime(2026, 11, 2 + days, 10, tzinfo=UTC),
        )

    # Paris: 0, 0, 0 (median 0); La Réunion: 5, 6 (median 5.5). Median of medians: 2.75;
    # over all five: 0.
    rows = [after(0, PARIS)] * 3 + [after(5, REUNION), after(6, REUNION)]
    waiting = [
        Waiting(PARIS, datetime(2026, 11, 9, tzinfo=UTC), "review"),
        Waiting(REUNION, datetime(2026, 11, 9, tzinfo=UTC), "review"),
        Waiting(None, datetime(2026, 11, 9, tzinfo=UTC), "quarantine"),
        Waiting(PARIS, datetime(2026, 10, 9, tzinfo=UTC), "quarantine"),
    ]
    november, october = national_lines(rows, waiting, zone_of)
    assert (november.structure, november.month) == (NATIONAL, "2026-11")
    assert (november.realised, november.individual, november.short) == (5, 5, 5)
    assert (november.in_review, november.quarantined) == (2, 1)
    assert november.median_days == 0.0
    assert (october.month, october.realised, october.quarantined) == ("2026-10", 0, 1)
    per_structure = {x.structure: x.median_days for x in activity_lines(rows, [], zone_of)}
    assert per_structure == {PARIS: 0.0, REUNION: 5.5}


def test_counts_from_one_to_four_are_suppressed_but_not_zero_or_five() -> None:
    assert [shown(n) for n in (0, 1, 2, 3, 4, 5, 12)] == [
        "0",
        "< 5",
        "< 5",
        "< 5",
        "< 5",
        "5",
        "12",
    ]


def test_the_median_is_shown_from_five_realisations_with_a_decimal_comma() -> None:
    assert shown_median(line(realised=4, median_days=2.0)) == "—"
    assert shown_median(line(realised=0, median_days=None)) == "—"
    assert shown_median(line(realised=5, median_days=2.0)) == "2"
    assert shown_median(line(realised=6, median_days=1.5)) == "1,5"
    assert shown_median(line(realised=5, median_days=0.0)) == "0"


def test_a_displayed_row_follows_the_columns_and_suppresses_each_count() -> None:
    shown_line = line(realised=7, individual=3, group=4, short=7, in_review=5, median_days=1.5)
    row = displayed_row(shown_line)
    assert len(row) == len(COLUMNS)
    assert dict(zip([key for key, _ in COLUMNS], row, strict=True)) == {
        "month": "2026-11",
        "structure": PARIS,
        "realised": "7",
        "individual": "< 5",
        "group": "< 5",
        "autonomous": "0",
        "short": "7",
        "long": "0",
        "unknown_diagnostic": "0",
        "in_review": "5",
        "quarantined": "0",
        "median_days": "1,5",
    }


def test_a_line_whose_every_count_is_suppressed_still_appears() -> None:
    rows = [realised(nature="ATELIER", diagnostic="long")]
    waiting = [
        Waiting(PARIS, datetime(2026, 11, 9, tzinfo=UTC), "review"),
        Waiting(PARIS, datetime(2026, 11, 9, tzinfo=UTC), "quarantine"),
    ]
    lines = activity_lines(rows, waiting, zone_of)
    assert len(lines) == 1
    cells = displayed_row(lines[0])
    assert cells[:2] == ["2026-11", PARIS]
    assert cells[2:] == ["< 5", "0", "< 5", "0", "0", "< 5", "0", "< 5", "< 5", "—"]
    body = activity_csv(lines).decode("utf-8-sig")
    assert len(body.splitlines()) == 2


def test_the_csv_is_utf8_with_a_bom_semicolon_separated_with_crlf_and_suppressed() -> None:
    lines = [
        line(realised=12, individual=12, short=12, median_days=2.0),
        line(structure=REUNION, realised=2, group=2, long=2, median_days=3.0),
    ]
    data = activity_csv(lines)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1:]
    assert text.endswith("\r\n")
    assert text.split("\r\n")[0] == ";".join(header for _, header in COLUMNS)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][-1] == "Délai médian (jours)"
    assert rows[1] == displayed_row(lines[0])
    assert rows[1][2] == "12" and rows[1][-1] == "2"
    assert rows[2][2] == "< 5" and rows[2][-1] == "—"
    assert rows[2] == displayed_row(lines[1])
