"""``pix-imilo quarantine``: the Pix records that could not be read, and their second chance."""

from __future__ import annotations

import argparse
import json
from typing import Any

from connector.errors import UsageError
from connector.pix.csv_export import guarded
from connector.settings import load_store_settings
from connector.store.sql import SqlStateStore
from connector.tables import render_table

__all__ = ["add_quarantine_commands", "run_quarantine"]


def add_quarantine_commands(commands: Any) -> None:
    quarantine = commands.add_parser(
        "quarantine",
        help="list the Pix records that could not be read, or read them again",
        description="Records that could not be read (missing id, impossible date, unknown "
        "status, …) are kept here with their reason and a redacted copy. `retry` reads them "
        "again from Pix at the next sync, once fixed at the source.",
    )
    actions = quarantine.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the quarantined records (redacted)")
    listing.add_argument("--json", action="store_true", help="one JSON document")
    retry = actions.add_parser("retry", help="read records again at the next sync")
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", help="the record's id, as `quarantine list` shows it")
    target.add_argument("--all", action="store_true", help="every quarantined record")


def _shown(value: Any) -> Any:
    """A redacted copy as shown: every text (keys too: a CSV export's headers) with its
    formula guard, so that pasting the listing into a spreadsheet is safe."""
    if isinstance(value, str):
        return guarded(value)
    if isinstance(value, dict):
        return {_shown(k): _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


def _list(store: SqlStateStore, as_json: bool) -> int:
    entries = store.quarantine_entries()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": guarded(e["record_key"]),
                        "campaign_id": e["campaign_id"],
                        "reason": guarded(e["reason"]),
                        "record": _shown(e["record"]),
                        "first_seen": e["first_seen"].isoformat(),
                        "last_seen": e["last_seen"].isoformat(),
                    }
                    for e in entries
                ],
                ensure_ascii=False,
            )
        )
        return 0
    if not entries:
        print("No record in quarantine.")
        return 0
    rows = [
        [
            guarded(e["record_key"]),
            str(e["campaign_id"]),
            guarded(e["reason"]),
            f"{e['last_seen']:%Y-%m-%d %H:%M}",
        ]
        for e in entries
    ]
    print(render_table(["Id", "Campagne", "Raison", "Vu le (UTC)"], rows))
    print(
        f"\n{len(entries)} record(s). Fix them in Pix, then `pix-imilo quarantine retry ID|--all`."
    )
    return 0


def run_quarantine(args: argparse.Namespace) -> int:
    # Never create nor migrate the store (`db upgrade` does).
    store = SqlStateStore.open(load_store_settings().database_url, migrate=False)
    try:
        if args.action == "list":
            return _list(store, args.json)
        # An id as the listing shows it, guard included, names the same record.
        key = None if args.all else args.id.removeprefix("'")
        released = store.retry_quarantined(key)
        if not released and not args.all:
            raise UsageError(f"no quarantined record {args.id} (see `pix-imilo quarantine list`)")
        print(f"{len(released)} record(s) will be read again from Pix at the next sync.")
        return 0
    finally:
        store.close()
