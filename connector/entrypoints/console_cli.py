"""``pix-imilo console``: the web console alone, and the pieces the worker and the demo share.

The console serves on its own port (``CONNECTOR_CONSOLE_PORT``), never on the ops port;
``/healthz`` and ``/metrics`` stay on the ops port (``CONNECTOR_HTTP_PORT``). It opens the
state store without creating or migrating it (the worker or ``pix-imilo db upgrade`` does).
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import structlog

from connector.bootstrap import build_imilo
from connector.console.app import create_console_app
from connector.console.context import ConsoleContext, LiveMappings
from connector.console.settings import ConsoleSettings, load_console_settings
from connector.entrypoints.ops import Readiness, create_ops_app
from connector.entrypoints.serving import running
from connector.errors import ConfigurationError
from connector.metrics import Metrics
from connector.settings import ImiloSettings, load_imilo_settings
from connector.store.sql import SqlStateStore

__all__ = ["console_off_reason", "run_console", "serving_console"]

log = structlog.get_logger("connector.console")


def console_off_reason(settings: ConsoleSettings) -> str | None:
    """Why the console does not serve, or None when it does."""
    if settings.console_port == 0:
        return "CONNECTOR_CONSOLE_PORT=0"
    if settings.oidc_issuer is None:
        return "CONNECTOR_OIDC_ISSUER not set"
    return None


@contextmanager
def serving_console(
    settings: ImiloSettings,
    console: ConsoleSettings,
    store: SqlStateStore,
    metrics: Metrics,
    stop: threading.Event,
) -> Iterator[str]:
    """Serve the console in a background thread; yield its local URL."""
    mappings = LiveMappings(settings.mappings_dir)
    # Its own I-Milo adapter: a run's deadline cuts the sync's requests, not the console's.
    imilo = build_imilo(settings, store, mappings.mappings(), stop, metrics=metrics)
    context = ConsoleContext(console, store, imilo, mappings, metrics)
    context.refresh_backlog()
    try:
        with running(
            create_console_app(context), host=console.console_host, port=console.console_port
        ) as url:
            log.info("console_started", url=url, public_url=console.base_url)
            yield url
    finally:
        imilo.close()


def run_console(args: argparse.Namespace) -> int:
    overrides = {} if args.port is None else {"CONNECTOR_CONSOLE_PORT": args.port}
    console = load_console_settings(**overrides)
    if console.console_port == 0:
        raise ConfigurationError("CONNECTOR_CONSOLE_PORT: 0 turns the console off; give --port N")
    if console.oidc_issuer is None:
        raise ConfigurationError(
            "CONNECTOR_OIDC_ISSUER: not set (the console signs users in with the "
            "organisation's identity provider; see docs/console.md)"
        )
    settings = load_imilo_settings()
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("shutdown_requested", signal=signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    metrics = Metrics()
    store = SqlStateStore.open(settings.database_url, migrate=False)
    try:
        ops = create_ops_app(metrics, Readiness(metrics))
        with (
            running(ops, host=console.console_host, port=console.ops_port),
            serving_console(settings, console, store, metrics, stop),
        ):
            while not stop.wait(0.5):
                pass
    finally:
        store.close()
    log.info("console_stopped")
    return 0
