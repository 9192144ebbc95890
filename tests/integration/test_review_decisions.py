"""`review resolve` is compare-and-set: of concurrent decisions on one item, exactly one wins;
the others change nothing, say « already decided » and exit 1. On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connector.domain.matching import ReviewReason
from connector.domain.model import Participation, ParticipationStatus
from connector.domain.plan import Review
from connector.store.review_queue import AlreadyDecided, UnknownReviewItem
from connector.store.sql import SqlStateStore
from tests.e2e.test_cli import PIX_IMILO, clean_env

pytestmark = pytest.mark.integration

ITEM = 4242
NOW = datetime(2026, 4, 2, 10, tzinfo=UTC)


def queued(database_url: str) -> SqlStateStore:
    """A store holding one open review item, ``ITEM``."""
    store = SqlStateStore.open(database_url)
    participation = Participation(
        id=ITEM,
        campaign_id=77,
        status=ParticipationStatus.SHARED,
        created_at=NOW,
        shared_at=NOW,
        participant_id=None,
        mastery_rate=0.5,
        first_name="Emma",
        last_name="Leroy",
        external_id=None,
    )
    review = Review(ITEM, 77, "75010S00", ReviewReason.HOMONYMS, None, ((1000021, 0.9),))
    store.reviews.put([(review, participation)], NOW)
    return store


def test_concurrent_resolve_commands_exactly_one_wins(database_url: str, tmp_path: Path) -> None:
    """Six `review resolve` processes at once, each naming another dossier: one exits 0 and
    its dossier is the one kept; five exit 1 with « already decided », and no names."""
    store = queued(database_url)
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url})
    dossiers = [1000021 + i for i in range(6)]
    commands = [[PIX_IMILO, "review", "resolve", str(ITEM), "--dossier", str(d)] for d in dossiers]
    commands[5] = [PIX_IMILO, "review", "resolve", str(ITEM), "--dismiss"]
    processes = [
        subprocess.Popen(
            command,
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    winners = [i for i, (code, _, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    for i, (code, out, err) in enumerate(results):
        if i in winners:
            continue
        assert code == 1, (code, out, err)
        assert f"review item {ITEM} already decided" in err
        assert "Traceback" not in err and "Emma" not in err and "Leroy" not in err
        assert out == ""
    entry = store.reviews.get(ITEM)
    (winner,) = winners
    if winner == 5:
        assert entry.status == "dismissed" and entry.resolved_dossier_id is None
    else:
        assert entry.status == "resolved" and entry.resolved_dossier_id == dossiers[winner]
    store.close()


def test_concurrent_decisions_in_threads_exactly_one_wins(database_url: str) -> None:
    """Twelve decisions released together, each through its own connection pool."""
    queued(database_url).close()
    stores = [SqlStateStore.open(database_url) for _ in range(12)]
    start = threading.Barrier(len(stores))
    outcomes: list[str] = []

    def decide(i: int) -> None:
        start.wait()
        try:
            if i % 3 == 0:
                stores[i].reviews.dismiss(ITEM, NOW)
            else:
                stores[i].reviews.resolve(ITEM, 1000021 + i, NOW)
            outcomes.append("won")
        except AlreadyDecided:
            outcomes.append("already decided")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["already decided"] * 11 + ["won"]
    for store in stores:
        store.close()


def test_a_decision_stands_and_a_later_one_changes_nothing(database_url: str) -> None:
    """Resolved, the item is no longer open: resolving it to another dossier or dismissing it
    is refused, and the first decision (its dossier, the typed names) is kept."""
    store = queued(database_url)
    store.reviews.resolve(ITEM, 1000021, NOW)
    with pytest.raises(AlreadyDecided, match=f"review item {ITEM} already decided .resolved."):
        store.reviews.resolve(ITEM, 1000022, NOW)
    with pytest.raises(AlreadyDecided):
        store.reviews.dismiss(ITEM, NOW)
    entry = store.reviews.get(ITEM)
    assert (entry.status, entry.resolved_dossier_id, entry.first_name) == (
        "resolved",
        1000021,
        "Emma",
    )
    with pytest.raises(UnknownReviewItem, match="no open review item 1"):
        store.reviews.resolve(1, 1000021, NOW)
    store.close()


def test_the_command_says_already_decided_with_exit_1(database_url: str, tmp_path: Path) -> None:
    """A second `review resolve` on a decided item: exit 1; an unknown id stays exit 2."""
    store = queued(database_url)
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PIX_IMILO, "review", "resolve", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    first = run(str(ITEM), "--dismiss")
    assert first.returncode == 0, first.stderr
    second = run(str(ITEM), "--dossier", "1000021")
    assert second.returncode == 1
    assert f"pix-imilo: error: review item {ITEM} already decided (dismissed)" in second.stderr
    assert store.reviews.get(ITEM).status == "dismissed"
    unknown = run("1", "--dismiss")
    assert unknown.returncode == 2 and "no open review item 1" in unknown.stderr
    store.close()
