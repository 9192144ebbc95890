"""Builds the connector from settings. Nothing is built at import time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx

from connector.errors import ConfigurationError
from connector.imilo.gateway_auth import GatewayAuth
from connector.imilo.http import HttpIMilo
from connector.imilo.sessions import SessionsIMilo
from connector.logs import register_secret
from connector.mappings import Mappings, load_mappings
from connector.pix.maddo import MaddoPix
from connector.pix.port import PixSource
from connector.run.sync import Sync
from connector.settings import ImiloSettings, Settings
from connector.store.leases import Leases
from connector.store.replicas import SharedRateBudget
from connector.store.sql import SqlStateStore
from connector.transport.exchange import GuardedTransport
from connector.transport.instrumented import ApiObserver, InstrumentedTransport
from connector.transport.ratelimit import RateLimiter

__all__ = ["Connector", "build", "build_imilo"]


@dataclass
class Connector:
    sync: Sync
    pix: PixSource
    imilo: HttpIMilo | SessionsIMilo
    store: SqlStateStore
    mappings: Mappings

    def use_mappings(self, mappings: Mappings) -> None:
        """Follow newly edited mappings from the next run on."""
        self.mappings = mappings
        self.sync.use_mappings(mappings)
        self.imilo.codes = mappings.imilo

    def close(self) -> None:
        self.pix.close()
        self.imilo.close()
        self.store.close()


Transports = Callable[[str], httpx.BaseTransport]  # "pix" or "imilo" → its HTTP transport


def _transport(
    api: str, metrics: ApiObserver | None, transports: Transports | None
) -> httpx.BaseTransport | None:
    inner = transports(api) if transports is not None else None
    if metrics is None:
        return inner
    return InstrumentedTransport(inner or GuardedTransport(), api, metrics)


def _maddo(
    settings: Settings,
    metrics: ApiObserver | None,
    stop: threading.Event | None,
    transports: Transports | None,
) -> MaddoPix:
    secret = settings.pix_client_secret.get_secret_value()
    register_secret(secret)
    return MaddoPix(
        str(settings.pix_api_url),
        settings.pix_client_id,
        secret,
        timeout=settings.pix_timeout,
        max_answer_mb=settings.pix_max_answer_mb,
        transport=_transport("pix", metrics, transports),
        observer=metrics,
        stop=stop,
    )


def _gateway_auth(settings: ImiloSettings) -> GatewayAuth:
    """The gateway's authentication (IMILO_API=sessions), from settings already checked."""
    if settings.imilo_token_url is None:  # the settings' check makes it so
        raise ConfigurationError("IMILO_API=sessions needs IMILO_TOKEN_URL: not set")
    return GatewayAuth(
        str(settings.imilo_token_url),
        settings.imilo_client_id,
        settings.imilo_client_secret.get_secret_value(),
        operateur=settings.imilo_operateur,
        api_keys=settings.imilo_product_keys,
    )


def _limiter(settings: ImiloSettings, store: SqlStateStore, stop: threading.Event) -> RateLimiter:
    """``IMILO_MAX_RPS`` is the deployment's budget: replicas sharing a PostgreSQL store draw
    their slots from it together; one on SQLite spaces its own."""
    shared = None
    if settings.imilo_max_rps > 0 and store.engine.dialect.name == "postgresql":
        shared = SharedRateBudget(store.engine, settings.imilo_max_rps).claim
    return RateLimiter(settings.imilo_max_rps, stop=stop, shared=shared)


def build_imilo(
    settings: ImiloSettings,
    store: SqlStateStore,
    mappings: Mappings,
    stop: threading.Event,
    *,
    metrics: ApiObserver | None = None,
    transports: Transports | None = None,
) -> HttpIMilo | SessionsIMilo:
    """The I-Milo adapter the settings name (``IMILO_API``), sharing the deployment's budget
    through ``store``: the sync's, and the console's reads."""
    gateway = _gateway_auth(settings) if settings.imilo_api == "sessions" else None
    imilo_key = settings.imilo_api_key.get_secret_value()
    register_secret(imilo_key)
    imilo: HttpIMilo | SessionsIMilo
    limiter = _limiter(settings, store, stop)
    if gateway is not None:
        imilo = SessionsIMilo(
            str(settings.imilo_api_url),
            gateway,
            codes=mappings.imilo,
            timeout=settings.imilo_timeout,
            max_answer_mb=settings.imilo_max_answer_mb,
            limiter=limiter,
            transport=_transport("imilo", metrics, transports),
            observer=metrics,
            stop=stop,
            months_back=settings.imilo_sessions_months_back,
        )
    else:
        imilo = HttpIMilo(
            str(settings.imilo_api_url),
            imilo_key,
            codes=mappings.imilo,
            timeout=settings.imilo_timeout,
            max_answer_mb=settings.imilo_max_answer_mb,
            limiter=limiter,
            transport=_transport("imilo", metrics, transports),
            observer=metrics,
            stop=stop,
        )
    return imilo


@contextmanager
def build(
    settings: ImiloSettings,
    *,
    metrics: ApiObserver | None = None,
    stop: threading.Event | None = None,
    pix: PixSource | None = None,
    transports: Transports | None = None,
) -> Iterator[Connector]:
    """Wire adapters, store and mappings into a ready ``Sync``; close them all afterwards.

    With ``metrics`` (the worker's ``Metrics``), every API request is timed and every retry
    counted; with ``stop``, retries and runs end early once it is set. ``pix`` replaces the
    Pix API (a CSV export); without it, ``settings`` must carry the Pix settings.
    ``transports(api)`` gives the HTTP transport under each adapter (``"pix"``, ``"imilo"``),
    for a benchmark that counts requests.
    """
    # One event for every part: a shutdown, or the run's deadline, ends requests in flight,
    # retries' waits and the run's loop alike.
    stop = stop if stop is not None else threading.Event()
    register_secret(settings.imilo_api_key.get_secret_value())
    if settings.imilo_api == "sessions":
        _gateway_auth(settings)  # checked before anything is opened: nothing left to close
    mappings = load_mappings(settings.mappings_dir)
    if pix is None:
        if not isinstance(settings, Settings):
            raise TypeError("the Pix API needs the full Settings")
        pix = _maddo(settings, metrics, stop, transports)
    store = SqlStateStore.open(settings.database_url)
    leases = (
        Leases(store.engine, ttl=timedelta(seconds=settings.lease_seconds))
        if settings.leases_enabled
        else None
    )
    imilo = build_imilo(settings, store, mappings, stop, metrics=metrics, transports=transports)
    connector = Connector(
        sync=Sync(
            pix,
            imilo,
            store,
            mappings,
            stop=stop,
            concurrency=settings.imilo_concurrency,
            read_ahead=settings.pix_read_ahead if isinstance(settings, Settings) else 0,
            leases=leases,
            run_deadline=settings.run_deadline if isinstance(settings, Settings) else None,
        ),
        pix=pix,
        imilo=imilo,
        store=store,
        mappings=mappings,
    )
    try:
        yield connector
    finally:
        connector.close()
