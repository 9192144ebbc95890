"""Structured logs: JSON lines in containers, readable text on a terminal.

Only pseudonymous ids are ever logged (participation, dossier, prescription). The
``drop_personal_fields`` processor is a last line of defence should a caller forget.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["configure_logging", "drop_personal_fields"]

_PERSONAL_KEYS = frozenset(
    {
        "first_name",
        "last_name",
        "prenom",
        "nom",
        "nom_naissance",
        "nom_usage",
        "mail",
        "email",
        "external_id",
        "date_naissance",
        "birth_date",
        "client_secret",
        "api_key",
        "access_token",
        "token",
    }
)


def drop_personal_fields(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in _PERSONAL_KEYS:
            event[key] = "[redacted]"
    return event


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    """Configure structlog once; ``fmt`` is ``json`` or ``console`` (default: by TTY)."""
    if fmt is None:
        fmt = "console" if sys.stderr.isatty() else "json"
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            drop_personal_fields,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
