"""The metrics: build info, process metrics, open review items per structure, and the CronJob
mode's exports (a textfile for node_exporter, a push to a Pushgateway)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from connector import __version__
from connector.domain.matching import ReviewReason
from connector.domain.model import Participation, ParticipationStatus
from connector.domain.plan import Review
from connector.metrics import LAST_SUCCESS, Metrics, write_run_file
from connector.run.report import RunReport
from connector.store.sql import SqlStateStore


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def exposed(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return samples(metrics.render().decode())


def test_build_info_carries_the_version() -> None:
    assert exposed(Metrics())[("pix_imilo_build_info", (("version", __version__),))] == 1


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="process metrics read /proc")
def test_process_and_platform_metrics_are_on_the_registry() -> None:
    names = {name for name, _ in exposed(Metrics())}
    assert {"process_resident_memory_bytes", "process_cpu_seconds_total"} <= names
    assert "python_info" in names


def test_two_registries_do_not_collide() -> None:
    """Process metrics on each Metrics' own registry, never the global one."""
    first, second = Metrics(), Metrics()
    assert first.render() and second.render()


def test_open_review_items_per_structure_and_in_all() -> None:
    metrics = Metrics()
    metrics.set_review_open({"75010S00": 3, "69001S00": 1})
    values = exposed(metrics)
    assert values[("pix_imilo_review_open", (("structure", "75010S00"),))] == 3
    assert values[("pix_imilo_review_open", (("structure", "69001S00"),))] == 1
    assert values[("pix_imilo_review_queue_size", ())] == 4
    metrics.set_review_open({"75010S00": 2})
    values = exposed(metrics)
    assert values[("pix_imilo_review_open", (("structure", "75010S00"),))] == 2
    assert ("pix_imilo_review_open", (("structure", "69001S00"),)) not in values
    assert values[("pix_imilo_review_queue_size", ())] == 2


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = SqlStateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def participation(number: int) -> Participation:
    return Participation(
        id=number,
        campaign_id=77,
        status=ParticipationStatus.SHARED,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        shared_at=datetime(2026, 3, 2, tzinfo=UTC),
        participant_id=None,
        mastery_rate=0.5,
        first_name="Léa",
        last_name="Martin",
        external_id=None,
    )


def test_the_review_queue_counts_open_items_per_structure(store: SqlStateStore) -> None:
    now = datetime.now(UTC)
    items = [
        (Review(n, 77, code, ReviewReason.HOMONYMS), participation(n))
        for n, code in ((1, "75010S00"), (2, "75010S00"), (3, "69001S00"))
    ]
    store.reviews.put(items, now)
    store.reviews.dismiss(3, now)
    assert store.reviews.open_counts() == {"75010S00": 2}
    assert store.reviews.open_count() == 2


def test_the_textfile_is_the_exposition_of_the_run(tmp_path: Path) -> None:
    metrics = Metrics()
    metrics.record_run(RunReport("r1", fetched=3, updated=2, review=1), 1.5)
    path = tmp_path / "pix-imilo.prom"
    write_run_file(metrics, path, completed=True)
    values = samples(path.read_text(encoding="utf-8"))
    assert values[("pix_imilo_records_total", (("outcome", "updated"),))] == 2
    assert values[("pix_imilo_runs_total", (("outcome", "completed"),))] == 1
    assert values[(LAST_SUCCESS, ())] > 0
    # node_exporter serves its own process metrics: a file's would clash with them.
    assert not [name for name, _ in values if name.startswith("process_")]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["pix-imilo.prom"]


def test_a_run_that_did_not_complete_keeps_the_last_success_time(tmp_path: Path) -> None:
    path = tmp_path / "pix-imilo.prom"
    good = Metrics(clock=lambda: 1_800_000_000.0)
    good.record_run(RunReport("r1", fetched=1, updated=1), 1.0)
    write_run_file(good, path, completed=True)
    bad = Metrics()
    bad.record_run(RunReport("r2", fetched=1, failed=1), 1.0)
    write_run_file(bad, path, completed=False)
    values = samples(path.read_text(encoding="utf-8"))
    assert values[(LAST_SUCCESS, ())] == 1_800_000_000.0
    assert values[("pix_imilo_runs_total", (("outcome", "failed"),))] == 1


def test_the_oldest_open_item_s_first_sighting_is_a_gauge(store: SqlStateStore) -> None:
    """``time() - pix_imilo_review_oldest_open_timestamp_seconds`` is how long a result has
    waited for a counsellor; 0 when none is open (the alert ignores it)."""
    metrics = Metrics()
    assert store.reviews.oldest_open() is None
    metrics.set_review_oldest(store.reviews.oldest_open())
    assert exposed(metrics)[("pix_imilo_review_oldest_open_timestamp_seconds", ())] == 0
    first = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    later = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    store.reviews.put([(Review(1, 77, "75010S00", ReviewReason.HOMONYMS), participation(1))], first)
    store.reviews.put([(Review(2, 77, "75010S00", ReviewReason.HOMONYMS), participation(2))], later)
    assert store.reviews.oldest_open() == first
    metrics.set_review_oldest(store.reviews.oldest_open())
    assert exposed(metrics)[("pix_imilo_review_oldest_open_timestamp_seconds", ())] == (
        first.timestamp()
    )
    store.reviews.dismiss(1, later)
    assert store.reviews.oldest_open() == later
