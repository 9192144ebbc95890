"""Structured logs: one JSON object per line in containers, readable text on a terminal.

Every line has ``event``, ``level``, ``timestamp`` and ``run_id`` (null outside a run).
Only pseudonymous ids are ever logged on purpose (participation, dossier, prescription).
``redact`` is the last line of defence should a caller, a library or an exception forget:
- values under personal or secret keys are masked;
- e-mail addresses are masked wherever they appear;
- the query strings of URLs are dropped, since searches carry names and e-mails there;
- registered secrets (the Pix client secret and access tokens, the I-Milo API key) are
  masked wherever they appear.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

from connector.errors import ConfigurationError

__all__ = ["LOG_FORMATS", "configure_logging", "redact", "register_secret"]

LOG_FORMATS = ("json", "console")
MASK = "[redacted]"
_PERSONAL_KEYS = frozenset(
    {
        "first_name",
        "last_name",
        "firstname",
        "lastname",
        "participantfirstname",
        "participantlastname",
        "participantexternalid",
        "prenom",
        "nom",
        "nomnaissance",
        "nom_naissance",
        "nomusage",
        "nom_usage",
        "name",
        "mail",
        "email",
        "external_id",
        "externalid",
        "datenaissance",
        "date_naissance",
        "birth_date",
        "client_secret",
        "api_key",
        "access_token",
        "token",
        "authorization",
        "x-gravitee-api-key",
        "password",
        "secret",
    }
)
_EMAIL = re.compile(r"[^\s@<>\"'()\[\],;:]+@[^\s@<>\"'()\[\],;:]+\.[A-Za-z]{2,}")
_URL_QUERY = re.compile(r"(https?://[^\s?#\"']+)\?[^\s#\"']*")
# SQLAlchemy puts a statement's bound values in its error messages.
_SQL_PARAMETERS = re.compile(r"\[parameters:[^\n]*")
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_MIN_SECRET_LENGTH = 4  # shorter strings would mask ordinary words


def register_secret(value: str | None) -> None:
    """Mask ``value`` in every log line from now on."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(value)


def _scrub(text: str) -> str:
    text = _URL_QUERY.sub(r"\1?[redacted]", text)
    text = _SQL_PARAMETERS.sub("[parameters: redacted]", text)
    text = _EMAIL.sub(MASK, text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _clean(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return _scrub(value)
    if depth > 5:
        return MASK
    if isinstance(value, Mapping):
        return {
            k: MASK if str(k).lower() in _PERSONAL_KEYS else _clean(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v, depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _scrub(str(value))


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask personal data and secrets in every key and value."""
    for key in list(event):
        if key.lower() in _PERSONAL_KEYS:
            event[key] = MASK
        else:
            event[key] = _clean(event[key])
    return event


def _with_run_id(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event.setdefault("run_id", None)
    return event


class _Stderr:
    """Whatever ``sys.stderr`` is at the time of writing (tests and tools swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    """Configure structlog and the standard library's logging once, both through ``redact``.

    ``fmt`` is ``json`` or ``console``; by default JSON unless stderr is a terminal.
    """
    if fmt is not None and fmt.strip().lower() not in LOG_FORMATS:
        raise ConfigurationError(f"CONNECTOR_LOG_FORMAT: must be json or console (got '{fmt}')")
    numeric = logging.getLevelNamesMapping().get(level.strip().upper())
    if numeric is None:
        raise ConfigurationError(
            f"CONNECTOR_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR (got '{level}')"
        )
    chosen = (fmt or ("console" if sys.stderr.isatty() else "json")).strip().lower()
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if chosen == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _with_run_id,
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_Stderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    # Libraries (uvicorn, APScheduler, httpx) log through the standard library: same pipeline.
    handler = logging.StreamHandler(_Stderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric)
    # httpx logs every request URL at INFO; our own events say what matters.
    logging.getLogger("httpx").setLevel(max(numeric, logging.WARNING))
    logging.getLogger("httpcore").setLevel(max(numeric, logging.WARNING))
    # Alembic says at INFO what every command does to the schema (often nothing): for DEBUG only.
    alembic_level = numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    logging.getLogger("alembic").setLevel(alembic_level)
