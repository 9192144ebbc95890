"""``pix-imilo review``: the queue of participations left for a counsellor to decide."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from connector.domain.review_words import REASON_WORDS as _REASON_WORDS
from connector.entrypoints.admin_cli import structure_code_option
from connector.errors import UsageError
from connector.pix.csv_export import guarded
from connector.settings import load_store_settings
from connector.store.review_queue import AlreadyDecided, ReviewEntry, UnknownReviewItem
from connector.store.sql import SqlStateStore
from connector.tables import render_table

__all__ = ["add_review_commands", "run_review"]

EXIT_ALREADY_DECIDED = 1


def add_review_commands(commands: Any) -> None:
    review = commands.add_parser(
        "review",
        help="list, show and decide the participations left for review",
        description="The review queue: participations the connector could not decide. "
        "Decisions are carried out by the next sync, through the same idempotent path.",
    )
    actions = review.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the open items (no names)")
    listing.add_argument(
        "--structure",
        type=structure_code_option,
        metavar="CODE",
        help="only this I-Milo structure",
    )
    listing.add_argument("--all", action="store_true", help="include decided and applied items")
    listing.add_argument("--json", action="store_true", help="one JSON document")
    show = actions.add_parser("show", help="show one item, with the names the participant typed")
    show.add_argument("id", type=int, help="the item's id (the Pix participation id)")
    show.add_argument("--json", action="store_true", help="one JSON document")
    resolve = actions.add_parser(
        "resolve",
        help="decide an open item",
        description="Decide an open item. A decision stands: if the item was already "
        "decided (say, by a colleague at the same moment), nothing changes and the exit "
        "code is 1.",
    )
    resolve.add_argument("id", type=int, help="the item's id (the Pix participation id)")
    choice = resolve.add_mutually_exclusive_group(required=True)
    choice.add_argument(
        "--dossier", type=int, metavar="N", help="the young person's dossier number"
    )
    choice.add_argument(
        "--dismiss", action="store_true", help="write nothing for this participation"
    )
    resolve.add_argument(
        "--by",
        metavar="NAME",
        help="who decides (recorded with the decision as decided_by; e.g. a counsellor's "
        "login). Default: the USER of the shell",
    )


def _summary(entry: ReviewEntry) -> dict[str, Any]:
    return {
        "id": entry.participation_id,
        "structure": guarded(entry.structure_code),
        "campaign_id": entry.campaign_id,
        "reason": entry.reason,
        "status": entry.status,
        "dossier_id": entry.dossier_id,
        "candidates": [{"dossier_id": d, "score": s} for d, s in entry.ranked],
        "resolved_dossier_id": entry.resolved_dossier_id,
        "shared_at": entry.shared_at.isoformat() if entry.shared_at else None,
        "first_seen": entry.first_seen.isoformat(),
        "decided_at": entry.decided_at.isoformat() if entry.decided_at else None,
        "decided_by": entry.decided_by,
    }


def _candidates(entry: ReviewEntry) -> str:
    return ", ".join(f"{d} ({s:.2f})" for d, s in entry.ranked) or "—"


def _list(store: SqlStateStore, args: argparse.Namespace) -> int:
    entries = store.reviews.entries(args.structure, status=None if args.all else "open")
    if args.json:
        print(json.dumps([_summary(e) for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print("The review queue is empty.")
        return 0
    rows = [
        [
            str(e.participation_id),
            guarded(e.structure_code),
            str(e.campaign_id),
            e.reason,
            e.status,
            _candidates(e),
            f"{e.first_seen:%Y-%m-%d}",
        ]
        for e in entries
    ]
    print(
        render_table(["Id", "Structure", "Campagne", "Raison", "État", "Candidats", "Depuis"], rows)
    )
    print(f"\n{len(entries)} item(s). `pix-imilo review show ID` gives the details.")
    return 0


def _show(store: SqlStateStore, args: argparse.Namespace) -> int:
    entry = store.reviews.get(args.id)
    # What the participant typed may be a spreadsheet formula (from Pix or a CSV export):
    # shown with a guard, as Pix exports it, so that pasting it anywhere is safe.
    first_name, last_name, external_id = (
        None if text is None else guarded(text)
        for text in (entry.first_name, entry.last_name, entry.external_id)
    )
    details = {
        **_summary(entry),
        "participant": {
            "first_name": first_name,
            "last_name": last_name,
            "external_id": external_id,
        },
    }
    if args.json:
        print(json.dumps(details, ensure_ascii=False))
        return 0
    structure = guarded(entry.structure_code)
    print(f"Item {entry.participation_id} ({entry.status}), structure {structure}")
    print(f"  Raison        : {entry.reason} — {_REASON_WORDS.get(entry.reason, '')}")
    print(f"  Participant   : {first_name or '—'} {last_name or '—'}")
    print(f"  Id. externe   : {external_id or '—'}")
    print(f"  Partagé le    : {entry.shared_at:%d/%m/%Y %H:%M} UTC" if entry.shared_at else "")
    print(f"  Campagne Pix  : {entry.campaign_id}")
    if entry.dossier_id is not None:
        print(f"  Dossier visé  : {entry.dossier_id}")
    print(f"  Candidats     : {_candidates(entry)}")
    if entry.resolved_dossier_id is not None:
        print(f"  Résolu vers   : dossier {entry.resolved_dossier_id}")
    if entry.decided_at is not None:
        print(
            f"  Décidé        : {entry.decided_at:%d/%m/%Y %H:%M} UTC par {entry.decided_by or '—'}"
        )
    print("\nTo decide: pix-imilo review resolve ID --dossier N   (or --dismiss)")
    return 0


def _resolve(store: SqlStateStore, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    by = args.by if args.by is not None else os.environ.get("USER")
    if args.dismiss:
        store.reviews.dismiss(args.id, now, by=by)
        print(f"Item {args.id} dismissed: nothing will be written for it.")
    else:
        if args.dossier <= 0:
            raise UsageError("--dossier: a dossier number is a positive integer")
        store.reviews.resolve(args.id, args.dossier, now, by=by)
        print(f"Item {args.id} resolved to dossier {args.dossier}: the next sync writes it.")
    return 0


def run_review(args: argparse.Namespace) -> int:
    settings = load_store_settings()
    # Read, or decide items: never create nor migrate the store (`db upgrade` does).
    store = SqlStateStore.open(settings.database_url, migrate=False)
    try:
        handler = {"list": _list, "show": _show, "resolve": _resolve}[args.action]
        return handler(store, args)
    except UnknownReviewItem as error:
        raise UsageError(str(error)) from None
    except AlreadyDecided as error:
        # Another decision won the compare-and-set: this one changed nothing.
        print(f"pix-imilo: error: {error}", file=sys.stderr)
        return EXIT_ALREADY_DECIDED
    finally:
        store.close()
