"""The ``pix-imilo`` command line as it is typed: its commands, their options and help.

``cli`` runs what is parsed here; review, admin and quarantine commands add their own.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from connector import __version__
from connector.entrypoints.admin_cli import add_admin_commands, structure_code_option
from connector.entrypoints.quarantine_cli import add_quarantine_commands
from connector.entrypoints.review_cli import add_review_commands
from connector.entrypoints.status_cli import add_status_command

__all__ = ["INSECURE_HTTP_HELP", "command_parser"]

INSECURE_HTTP_HELP = (
    "accept plain http:// API URLs for remote hosts (a test bench; credentials travel in "
    "clear); the same as CONNECTOR_ALLOW_INSECURE_HTTP=true"
)


def add_console_command(commands: Any) -> None:
    console = commands.add_parser(
        "console",
        help="serve the web console (review queue, activity, charter) for counsellors",
        description="Serve the web console alone, on CONNECTOR_CONSOLE_PORT (default 8081), "
        "with /healthz and /metrics on CONNECTOR_HTTP_PORT. Needs the I-Milo and store "
        "settings, and CONNECTOR_OIDC_ISSUER, CONNECTOR_OIDC_CLIENT_ID, "
        "CONNECTOR_OIDC_CLIENT_SECRET and CONNECTOR_SESSION_SECRET (docs/console.md).",
    )
    console.add_argument(
        "--port", type=int, metavar="N", help="the console's port (default CONNECTOR_CONSOLE_PORT)"
    )


def command_parser() -> argparse.ArgumentParser:
    """The parser of ``pix-imilo``'s command line: every command, its options and help."""
    parser = argparse.ArgumentParser(
        prog="pix-imilo",
        description="Carries Pix assessment results into I-Milo: sets « Evaluation PIX » "
        "prescriptions to réalisé, dated the day of the assessment, with an actualité.",
    )
    parser.add_argument("--version", action="version", version=f"pix-imilo {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sync = commands.add_parser(
        "sync",
        help="run the synchronisation",
        description="Pull shared Pix results and write them into I-Milo. Exit 0 when the run "
        "completed (even with items for review), 1 when it failed (unhandled records are "
        "retried next time), 2 on a configuration error.",
    )
    sync.add_argument("--once", action="store_true", help="run once and exit (required)")
    sync.add_argument(
        "--json", action="store_true", help="print the run's counts as one JSON line at the end"
    )
    sync.add_argument(
        "--dry-run",
        action="store_true",
        help="decide everything, write nothing (I-Milo, ledger, cursors, review queue)",
    )
    sync.add_argument(
        "--campaign", metavar="CODE", help="only this Pix campaign (by its code), e.g. a replay"
    )
    sync.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help="read participations from this day (00:00 in CONNECTOR_TIMEZONE) instead of the "
        "cursor; replays stay idempotent and never move cursors back",
    )
    sync.add_argument("--allow-insecure-http", action="store_true", help=INSECURE_HTTP_HELP)

    worker = commands.add_parser(
        "worker",
        help="run the sync on a schedule, with /healthz, /readyz and /metrics",
        description="Run the sync on CONNECTOR_SCHEDULE (cron, read in CONNECTOR_TIMEZONE), "
        "serve /healthz, /readyz and /metrics on CONNECTOR_HTTP_PORT, and stop cleanly on "
        "SIGTERM or SIGINT (exit 0).",
    )
    worker.add_argument("--allow-insecure-http", action="store_true", help=INSECURE_HTTP_HELP)
    health = commands.add_parser(
        "healthcheck",
        help="exit 0 if the local worker answers /healthz (for container health checks)",
        description="Ask the worker on this host for /healthz (port CONNECTOR_HTTP_PORT, "
        "default 8080). Exit 0 if it answers, 1 otherwise.",
    )
    health.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")

    simulate = commands.add_parser(
        "simulate",
        help="serve a simulator of Pix or I-Milo from a fixture directory",
        description="Serve a simulated Pix partner API or I-Milo API over HTTP, loaded from "
        "a fixture directory (see docs/http-contracts.md). Stops on Ctrl-C.",
    )
    simulate.add_argument("system", choices=["pix", "imilo"], help="which API to simulate")
    simulate.add_argument("--data", required=True, type=Path, help="the fixture directory")
    simulate.add_argument("--port", required=True, type=int, help="the TCP port to listen on")
    simulate.add_argument("--host", default="127.0.0.1", help="the address (default 127.0.0.1)")
    simulate.add_argument(
        "--api",
        choices=["contract", "sessions"],
        default="contract",
        help="imilo only: the routes to serve, those this project proposes (contract, the "
        "default) or the partner gateway's session routes (sessions, docs/imilo-gateway.md)",
    )
    simulate.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        metavar="R",
        help="share of requests (0–1) failing with a 500, a 503, a 429, a stall or a dropped "
        "connection (default 0)",
    )
    simulate.add_argument(
        "--fault-seed", type=int, default=0, metavar="S", help="seed of the faults (default 0)"
    )
    simulate.add_argument(
        "--fault-stall",
        type=float,
        default=35.0,
        metavar="SECONDS",
        help="how long a stalled request hangs (default 35, beyond the clients' timeouts)",
    )

    database = commands.add_parser(
        "db",
        help="the state store's schema",
        description="The schema is created or upgraded automatically at start, under a lock; "
        "`db upgrade` does it as an explicit step, for ops who prefer one.",
    )
    database_actions = database.add_subparsers(dest="action", metavar="ACTION", required=True)
    database_actions.add_parser("upgrade", help="create or upgrade the schema, then exit")

    csv_import = commands.add_parser(
        "import-csv",
        help="import a Pix Orga CSV export (for structures without API access)",
        description="Carry a Pix Orga CSV export (one campaign) into I-Milo through the same "
        "matching and idempotent writes as the API: importing the same file twice writes "
        "nothing. Needs the I-Milo settings only. A date without a time is read as that date "
        "in the structure's time zone.",
    )
    csv_import.add_argument("file", type=Path, help="the export (.csv, UTF-8, ';')")
    csv_import.add_argument(
        "--structure",
        required=True,
        metavar="CODE",
        type=structure_code_option,
        help="the I-Milo structure code",
    )
    csv_import.add_argument(
        "--external-id-column",
        metavar="NAME",
        help="the column holding the external id, if its header does not read as an id label "
        "(dossier, identifiant, e-mail…); '' for none",
    )
    csv_import.add_argument(
        "--dry-run", action="store_true", help="decide everything, write nothing"
    )
    csv_import.add_argument(
        "--json", action="store_true", help="print the run's counts as one JSON line at the end"
    )
    csv_import.add_argument("--allow-insecure-http", action="store_true", help=INSECURE_HTTP_HELP)

    add_review_commands(commands)
    add_admin_commands(commands)
    add_quarantine_commands(commands)
    add_status_command(commands)
    add_console_command(commands)

    demo = commands.add_parser(
        "demo",
        help="run a self-contained demonstration against bundled simulators",
        description="Start both simulators with bundled demo data, run a sync, show what "
        "changed in I-Milo, then run a second sync that changes nothing.",
    )
    demo.add_argument(
        "--console",
        action="store_true",
        help="then serve the web console with a local test identity provider, to click "
        "through the review queue (Ctrl-C stops it)",
    )
    demo.add_argument(
        "--port", type=int, default=8081, metavar="N", help="the demo console's port (8081)"
    )
    return parser
