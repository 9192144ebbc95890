"""Bundled Pix and I-Milo simulators: real HTTP servers loaded from a fixture directory."""

from connector.entrypoints.serving import running, serve_forever
from connector.simulators.fixtures import (
    FixtureError,
    ImiloData,
    PixData,
    load_imilo_data,
    load_pix_data,
)
from connector.simulators.imilo import create_imilo_app
from connector.simulators.imilo_sessions import create_imilo_sessions_app
from connector.simulators.pix import create_pix_app

__all__ = [
    "FixtureError",
    "ImiloData",
    "PixData",
    "create_imilo_app",
    "create_imilo_sessions_app",
    "create_pix_app",
    "load_imilo_data",
    "load_pix_data",
    "running",
    "serve_forever",
]
