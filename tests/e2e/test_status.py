"""`pix-imilo status [--json]`: the store at a glance, with only CONNECTOR_DATABASE_URL."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from connector.store.migrate import head_revision
from connector.store.schema import leases
from tests import scenario
from tests.conftest import Systems
from tests.e2e.test_cli import clean_env, cli, last_json_line

pytestmark = pytest.mark.e2e


def test_status_has_help(tmp_path: Path) -> None:
    result = cli(["status", "--help"], clean_env(), tmp_path)
    assert result.returncode == 0 and "usage: pix-imilo status" in result.stdout


@pytest.mark.contract_only("status reads the store only")
def test_status_after_a_run_shows_runs_reviews_quarantine_revision_and_leases(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """After `sync --once`: the run and its counts, the open items per structure, the two
    quarantined records, the schema's revision, a lease held; no name, with only the store's
    URL in the environment."""
    run = cli(["sync", "--once", "--json"], clean_env(systems.env(database_url)), tmp_path)
    assert run.returncode == 0, run.stderr
    report = last_json_line(run.stdout)
    expires = datetime.now(UTC) + timedelta(minutes=5)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(leases).values(partition=scenario.PARIS, holder="host:42:ab", expires_at=expires)
        )
    engine.dispose()
    only_store = clean_env({"CONNECTOR_DATABASE_URL": database_url})
    listing = cli(["review", "list", "--json"], only_store, tmp_path)
    open_items = Counter(item["structure"] for item in json.loads(listing.stdout))

    as_json = cli(["status", "--json"], only_store, tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    status = json.loads(as_json.stdout)
    assert set(status) == {"schema_revision", "runs", "review", "quarantine", "leases"}
    assert status["schema_revision"] == head_revision()
    [last] = status["runs"]
    assert last["run_id"] == report["run_id"] and last["outcome"] == report["outcome"]
    assert last["counts"]["updated"] == report["updated"]
    assert last["finished_at"] is not None
    assert {r["structure"]: r["open"] for r in status["review"]} == dict(open_items)
    assert all(r["oldest_age_days"] >= 0 and r["oldest_first_seen"] for r in status["review"])
    assert status["quarantine"] == 2
    assert status["leases"] == [
        {
            "partition": scenario.PARIS,
            "holder": "host:42:ab",
            "expires_at": expires.isoformat(),
            "expired": False,
        }
    ]

    text = cli(["status"], only_store, tmp_path)
    assert text.returncode == 0, text.stderr
    assert f"Schema revision: {head_revision()}" in text.stdout
    assert str(report["run_id"]) in text.stdout and str(report["outcome"]) in text.stdout
    assert scenario.PARIS in text.stdout and "Quarantined records: 2" in text.stdout
    assert "host:42:ab" in text.stdout
    for said in (as_json.stdout, text.stdout):
        assert "Leroy" not in said and "Emma" not in said and "LEROY" not in said


def test_status_on_a_store_without_runs(database_url: str, tmp_path: Path) -> None:
    """A store just created: no run, no item, no lease, said plainly."""
    env = clean_env({"CONNECTOR_DATABASE_URL": database_url})
    assert cli(["db", "upgrade"], env, tmp_path).returncode == 0
    text = cli(["status"], env, tmp_path)
    assert text.returncode == 0, text.stderr
    assert "none yet" in text.stdout and "Quarantined records: 0" in text.stdout
    body = json.loads(cli(["status", "--json"], env, tmp_path).stdout)
    assert body == {
        "schema_revision": head_revision(),
        "runs": [],
        "review": [],
        "quarantine": 0,
        "leases": [],
    }
