"""The ``pix-imilo`` command line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog

from connector import __version__
from connector.entrypoints.admin_cli import (
    add_admin_commands,
    run_charte,
    run_mappings,
    structure_code_option,
)
from connector.entrypoints.quarantine_cli import add_quarantine_commands, run_quarantine
from connector.entrypoints.review_cli import add_review_commands, run_review
from connector.errors import ConfigurationError, UsageError
from connector.logs import configure_logging
from connector.run.plan_output import print_plan
from connector.settings import LogSettings

if TYPE_CHECKING:
    from connector.imilo.port import IMilo

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

INSECURE_HTTP_HELP = (
    "accept plain http:// API URLs for remote hosts (a test bench; credentials travel in "
    "clear); the same as CONNECTOR_ALLOW_INSECURE_HTTP=true"
)


def _parser() -> argparse.ArgumentParser:
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

    commands.add_parser(
        "demo",
        help="run a self-contained demonstration against bundled simulators",
        description="Start both simulators with bundled demo data, run a sync, show what "
        "changed in I-Milo, then run a second sync that changes nothing.",
    )
    return parser


def _progress_line(done: int, total: int, report: Any) -> None:
    """A one-line progress bar on a terminal, for long backfills."""
    width = 30
    filled = width * done // max(total, 1)
    print(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} structures"
        f" · {report.fetched} records · {report.updated} updated · {report.review} for review",
        end="",
        file=sys.stderr,
        flush=True,
    )


def _replay_since(text: str | None, timezone: str) -> datetime | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since: expected a date as YYYY-MM-DD (got '{text}')") from None
    return datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC)


def _stop_on_signals() -> threading.Event:
    """SIGTERM and SIGINT ask for a clean stop after the write in flight."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _sync(args: argparse.Namespace) -> int:
    from connector.bootstrap import build
    from connector.run.sync import RunScope
    from connector.settings import load_settings

    if not args.once:
        raise UsageError(
            "sync: add --once for a single run; `pix-imilo worker` runs it on a schedule"
        )
    settings = load_settings()
    scope = RunScope(args.campaign, _replay_since(args.since, settings.timezone))
    with build(settings, stop=_stop_on_signals()) as connector:
        if sys.stderr.isatty():
            connector.sync.show_progress(_progress_line)
        report = connector.sync.run_once(scope, dry_run=args.dry_run)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    if args.dry_run and not args.json:
        print_plan(report)
    _print_report(report, args.json)
    return EXIT_OK if report.completed else EXIT_FAILED


def _simulate(args: argparse.Namespace) -> int:
    from connector.entrypoints.serving import serve_forever
    from connector.simulators.faults import FaultPlan
    from connector.simulators.fixtures import FixtureError, load_imilo_data, load_pix_data
    from connector.simulators.imilo import create_imilo_app
    from connector.simulators.pix import create_pix_app

    if not args.data.is_dir():
        raise ConfigurationError(f"--data: '{args.data}' is not a directory")
    if not 0.0 <= args.fault_rate <= 1.0:
        raise UsageError(f"--fault-rate: must be between 0 and 1 (got {args.fault_rate})")
    faults = FaultPlan(rate=args.fault_rate, seed=args.fault_seed, stall_seconds=args.fault_stall)
    try:
        if args.system == "pix":
            app = create_pix_app(load_pix_data(args.data), faults=faults)
        else:
            app = create_imilo_app(load_imilo_data(args.data), faults=faults)
    except FixtureError as error:
        raise ConfigurationError(str(error)) from None
    print(f"{args.system} simulator on http://{args.host}:{args.port}", file=sys.stderr)
    serve_forever(app, args.host, args.port)
    return EXIT_OK


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False), flush=True)
        return
    counts = ", ".join(f"{name} {value}" for name, value in report.counts().items())
    print(f"run {report.run_id} {report.outcome}: {counts}")
    for reason, count in sorted(report.reviews_by_reason.items()):
        print(f"  for review: {reason}: {count}")
    for code, reason in sorted(report.skipped_structures.items()):
        print(f"  structure {code} skipped: {reason}")
    for error in report.errors:
        print(f"  error: {error}")


def _csv_structure_zone(imilo: IMilo, overrides: Mapping[str, str], code: str) -> str:
    """The structure's time zone, as the sync resolves it: ``imilo.yaml`` ``timezones:``, else
    the one I-Milo serves, else its department's."""
    from connector.domain.timezones import structure_timezone
    from connector.errors import ApiError

    try:
        structure = imilo.structure(code)
    except ApiError:
        structure = None  # the run reports I-Milo's failure; the department still has a zone
    served = None if structure is None else structure.timezone
    found = structure_timezone(code, served, overrides)
    if found.zone is None:
        raise UsageError(f"import-csv: structure {code} has no time zone: {found.problem}")
    structlog.get_logger("connector.cli").info(
        "csv_dates_zone", structure=code, timezone=found.zone, source=found.source
    )
    return found.zone


def _import_csv(args: argparse.Namespace) -> int:
    from connector.bootstrap import build
    from connector.pix.csv_export import CsvExport, parse_export
    from connector.pix.csv_source import CsvExportPix
    from connector.run.sync import RunScope
    from connector.settings import load_imilo_settings

    code = args.structure.strip()
    # Read and checked once, before connecting, so that a broken file fails at once (only a
    # regular file, at most MAX_EXPORT_BYTES, strictly quoted); its cells are read below,
    # once the structure's zone is known, for its date-only cells.
    parsed = parse_export(args.file, external_id_column=args.external_id_column)
    settings = load_imilo_settings()
    source = CsvExportPix(CsvExport(parsed.campaign, records=[]), code)  # rows: `use` below
    with build(settings, pix=source, stop=_stop_on_signals()) as connector:
        zone = _csv_structure_zone(connector.imilo, connector.mappings.imilo.timezones, code)
        source.use(parsed.export(zone))
        report = connector.sync.run_once(RunScope(checkpoint=False), dry_run=args.dry_run)
    if args.dry_run and not args.json:
        print_plan(report)
    _print_report(report, args.json)
    return EXIT_OK if report.completed else EXIT_FAILED


def _db(_args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from connector.settings import load_store_settings
    from connector.store.migrate import head_revision
    from connector.store.sql import SqlStateStore

    settings = load_store_settings()
    SqlStateStore.open(settings.database_url).close()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"{where}: schema at revision {head_revision()}")
    return EXIT_OK


def _worker(_args: argparse.Namespace) -> int:
    from connector.entrypoints.worker import Worker
    from connector.settings import load_settings

    return Worker(load_settings()).run()


def _healthcheck(args: argparse.Namespace) -> int:
    import urllib.request

    settings = LogSettings()
    host = settings.http_host.strip("[]")
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - every address: this machine's will do
        host = "127.0.0.1"
    url_host = f"[{host}]" if ":" in host else host
    try:
        with urllib.request.urlopen(
            f"http://{url_host}:{int(settings.http_port)}/healthz", timeout=args.timeout
        ) as answer:
            return EXIT_OK if answer.status == 200 else EXIT_FAILED
    except (OSError, ValueError):
        return EXIT_FAILED


def _demo(_args: argparse.Namespace) -> int:
    from connector.entrypoints.demo.run import run_demo

    return run_demo()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "allow_insecure_http", False):
        # Before any settings are read: every command then sees the same setting.
        os.environ["CONNECTOR_ALLOW_INSECURE_HTTP"] = "true"
    handlers = {
        "sync": _sync,
        "worker": _worker,
        "healthcheck": _healthcheck,
        "simulate": _simulate,
        "demo": _demo,
        "review": run_review,
        "mappings": run_mappings,
        "charte": run_charte,
        "quarantine": run_quarantine,
        "import-csv": _import_csv,
        "db": _db,
    }
    try:
        log_settings = LogSettings()
        configure_logging(log_settings.log_level, log_settings.log_format)
        return handlers[args.command](args)
    except ConfigurationError as error:
        print(f"pix-imilo: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except UsageError as error:
        print(f"pix-imilo: error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return EXIT_FAILED
    except Exception as error:
        # Never a raw traceback: it bypasses the redaction (SQL parameters, URLs, secrets).
        structlog.get_logger("connector.cli").error(
            "unexpected_error", error_type=type(error).__name__, exc_info=True
        )
        print(
            f"pix-imilo: unexpected error ({type(error).__name__}); the log above has the "
            "details, with personal data masked",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
