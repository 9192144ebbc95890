"""The ``pix-imilo`` command line: each command run (as ``cli_parser`` reads it), its errors
turned into one line and an exit code: 0 done, 1 failed, 2 configuration or usage."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from time import monotonic
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import structlog

from connector.entrypoints.admin_cli import run_charte, run_mappings
from connector.entrypoints.cli_parser import command_parser
from connector.entrypoints.quarantine_cli import run_quarantine
from connector.entrypoints.review_cli import run_review
from connector.entrypoints.status_cli import run_status
from connector.errors import ConfigurationError, UsageError
from connector.logs import configure_logging
from connector.run.plan_output import print_plan
from connector.settings import LogSettings

if TYPE_CHECKING:
    from connector.imilo.port import IMilo
    from connector.metrics import Metrics
    from connector.settings import Settings

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

# The parser, under the name it had here.
_parser = command_parser


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


def _export_run_metrics(settings: Settings, metrics: Metrics, *, completed: bool) -> None:
    """Push the run's metrics and/or write them to a file; a failure is a warning only (the
    run's outcome and exit code stay as they are)."""
    from connector.metrics import push_run, write_run_file

    log = structlog.get_logger("connector.cli")
    if settings.pushgateway_url is not None:
        try:
            push_run(metrics, str(settings.pushgateway_url), completed=completed)
        except Exception as error:  # metrics must never fail a run
            log.warning(
                "metrics_push_failed",
                gateway=settings.pushgateway_url.host,
                error_type=type(error).__name__,
            )
    if settings.metrics_file is not None:
        try:
            write_run_file(metrics, settings.metrics_file, completed=completed)
        except Exception as error:
            log.warning(
                "metrics_file_failed",
                path=str(settings.metrics_file),
                error_type=type(error).__name__,
            )


def _sync(args: argparse.Namespace) -> int:
    from connector.bootstrap import build
    from connector.metrics import Metrics
    from connector.run.sync import RunScope
    from connector.settings import load_settings

    if not args.once:
        raise UsageError(
            "sync: add --once for a single run; `pix-imilo worker` runs it on a schedule"
        )
    settings = load_settings()
    scope = RunScope(args.campaign, _replay_since(args.since, settings.timezone))
    # The CronJob mode's metrics, when they go somewhere (a dry run's are not a run's).
    exported = settings.pushgateway_url is not None or settings.metrics_file is not None
    metrics = Metrics() if exported and not args.dry_run else None
    with build(settings, metrics=metrics, stop=_stop_on_signals()) as connector:
        if sys.stderr.isatty():
            connector.sync.show_progress(_progress_line)
        began = monotonic()
        try:
            report = connector.sync.run_once(scope, dry_run=args.dry_run)
        except Exception:
            if metrics is not None:  # a crashed run counts as failed, as in the worker
                metrics.runs.labels("failed").inc()
                _export_run_metrics(settings, metrics, completed=False)
            raise
        if sys.stderr.isatty():
            print(file=sys.stderr)
        if metrics is not None:
            metrics.mappings_valid.set(1)
            metrics.record_run(report, monotonic() - began)
            metrics.set_review_backlog(*connector.store.reviews.backlog())
    if metrics is not None:
        _export_run_metrics(settings, metrics, completed=report.completed)
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
    if args.system == "pix" and args.api != "contract":
        raise UsageError("--api: only the imilo simulator has several route sets")
    faults = FaultPlan(rate=args.fault_rate, seed=args.fault_seed, stall_seconds=args.fault_stall)
    try:
        if args.system == "pix":
            app = create_pix_app(load_pix_data(args.data), faults=faults)
        else:
            app = create_imilo_app(load_imilo_data(args.data), faults=faults, api=args.api)
    except FixtureError as error:
        raise ConfigurationError(str(error)) from None
    routes = " (the gateway's session routes)" if args.api == "sessions" else ""
    print(f"{args.system} simulator{routes} on http://{args.host}:{args.port}", file=sys.stderr)
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
    from connector.console.settings import load_console_settings
    from connector.entrypoints.worker import Worker
    from connector.settings import load_settings

    return Worker(load_settings(), console=load_console_settings()).run()


def _console(args: argparse.Namespace) -> int:
    from connector.entrypoints.console_cli import run_console

    return run_console(args)


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


def _demo(args: argparse.Namespace) -> int:
    from connector.entrypoints.demo.run import run_demo

    return run_demo(console_port=args.port if args.console else None)


def main(argv: Sequence[str] | None = None) -> int:
    args = command_parser().parse_args(argv)
    if getattr(args, "allow_insecure_http", False):
        # Before any settings are read: every command then sees the same setting.
        os.environ["CONNECTOR_ALLOW_INSECURE_HTTP"] = "true"
    handlers = {
        "sync": _sync,
        "worker": _worker,
        "healthcheck": _healthcheck,
        "simulate": _simulate,
        "demo": _demo,
        "console": _console,
        "review": run_review,
        "mappings": run_mappings,
        "charte": run_charte,
        "quarantine": run_quarantine,
        "status": run_status,
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
