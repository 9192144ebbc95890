"""Builds the connector from settings. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from connector.imilo.http import HttpIMilo
from connector.mappings import Mappings, load_mappings
from connector.pix.maddo import MaddoPix
from connector.settings import Settings
from connector.store.sql import SqlStateStore
from connector.sync import Sync

__all__ = ["Connector", "build"]


@dataclass
class Connector:
    sync: Sync
    pix: MaddoPix
    imilo: HttpIMilo
    store: SqlStateStore
    mappings: Mappings

    def close(self) -> None:
        self.pix.close()
        self.imilo.close()
        self.store.close()


@contextmanager
def build(settings: Settings) -> Iterator[Connector]:
    """Wire adapters, store and mappings into a ready ``Sync``; close them all afterwards."""
    mappings = load_mappings(settings.mappings_dir)
    store = SqlStateStore.open(settings.database_url)
    pix = MaddoPix(
        str(settings.pix_api_url),
        settings.pix_client_id,
        settings.pix_client_secret.get_secret_value(),
    )
    imilo = HttpIMilo(str(settings.imilo_api_url), settings.imilo_api_key.get_secret_value())
    connector = Connector(
        sync=Sync(pix, imilo, store, mappings),
        pix=pix,
        imilo=imilo,
        store=store,
        mappings=mappings,
    )
    try:
        yield connector
    finally:
        connector.close()
