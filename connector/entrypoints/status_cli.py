"""``pix-imilo status``: what the state store says of the connector, at a glance.

The last runs, the open review items per structure, the quarantine, the schema revision and
the leases held. It needs only ``CONNECTOR_DATABASE_URL``, opens the store without creating
or migrating it, and shows no personal data (ids, codes, counts and dates only).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from connector.pix.csv_export import guarded
from connector.settings import load_store_settings
from connector.store.migrate import current_revision
from connector.store.schema import leases, quarantine, runs
from connector.store.sql import SqlStateStore
from connector.tables import render_table

__all__ = ["add_status_command", "run_status"]

LAST_RUNS = 10


def add_status_command(commands: Any) -> None:
    status = commands.add_parser(
        "status",
        help="the last runs, the review queue, the quarantine, the schema and the leases",
        description="What the state store says: the last runs with their outcome and counts, "
        "the open review items per structure with the oldest one's age, the quarantine "
        "count, the schema revision and the leases held. Needs only CONNECTOR_DATABASE_URL; "
        "changes nothing.",
    )
    status.add_argument("--json", action="store_true", help="one JSON object")


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def collect_status(store: SqlStateStore, now: datetime) -> dict[str, Any]:
    """The status as one JSON-ready object."""
    with store.engine.connect() as conn:
        revision = current_revision(conn)
        last_runs = conn.execute(
            select(runs).order_by(runs.c.started_at.desc()).limit(LAST_RUNS)
        ).all()
        quarantined = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
        held = conn.execute(
            select(leases)
            .where(leases.c.holder.is_not(None), leases.c.expires_at.is_not(None))
            .order_by(leases.c.partition)
        ).all()
        conn.rollback()
    open_counts, oldest = store.reviews.backlog()
    return {
        "schema_revision": revision,
        "runs": [
            {
                "run_id": row.run_id,
                "started_at": _when(row.started_at),
                "finished_at": _when(row.finished_at),
                "outcome": row.outcome or ("running" if row.finished_at is None else None),
                "counts": row.counts or {},
            }
            for row in last_runs
        ],
        "review": [
            {
                "structure": guarded(code),
                "open": open_counts[code],
                "oldest_first_seen": _when(oldest[code]),
                "oldest_age_days": round((now - oldest[code]).total_seconds() / 86400, 1),
            }
            for code in sorted(open_counts)
        ],
        "quarantine": quarantined,
        "leases": [
            {
                "partition": guarded(row.partition),
                "holder": guarded(row.holder),
                "expires_at": _when(row.expires_at),
                "expired": row.expires_at <= now,
            }
            for row in held
        ],
    }


def _counts(counts: dict[str, Any]) -> str:
    shown = [f"{k} {v}" for k, v in counts.items() if isinstance(v, int | float)]
    return ", ".join(shown) or "—"


def _print_text(status: dict[str, Any]) -> None:
    print(f"Schema revision: {status['schema_revision']}")
    print("\nLast runs:")
    if status["runs"]:
        rows = [
            [
                r["run_id"],
                r["started_at"][:19],
                (r["finished_at"] or "")[:19] or "—",
                r["outcome"] or "—",
                _counts(r["counts"]),
            ]
            for r in status["runs"]
        ]
        print(render_table(["Run", "Started (UTC)", "Finished (UTC)", "Outcome", "Counts"], rows))
    else:
        print("  none yet")
    print("\nOpen review items:")
    if status["review"]:
        rows = [
            [r["structure"], str(r["open"]), f"{r['oldest_age_days']:.1f} d"]
            for r in status["review"]
        ]
        print(render_table(["Structure", "Open", "Oldest"], rows))
    else:
        print("  none")
    print(f"\nQuarantined records: {status['quarantine']}")
    print("\nLeases held:")
    if status["leases"]:
        rows = [
            [
                r["partition"],
                r["holder"],
                r["expires_at"][:19] + (" (expired)" if r["expired"] else ""),
            ]
            for r in status["leases"]
        ]
        print(render_table(["Structure", "Holder", "Until (UTC)"], rows))
    else:
        print("  none")


def run_status(args: argparse.Namespace) -> int:
    store = SqlStateStore.open(load_store_settings().database_url, migrate=False)
    try:
        status = collect_status(store, datetime.now(UTC))
    finally:
        store.close()
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
    else:
        _print_text(status)
    return 0
