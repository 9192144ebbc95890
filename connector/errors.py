"""The connector's exceptions, in one hierarchy.

    ConnectorError
    ├── UsageError              a command was asked something impossible: exit 2
    │   └── ConfigurationError  settings or mappings are wrong: exit 2, one clear message
    └── ApiError                an API call failed (carries the API name and HTTP status)
        ├── TransientApiError   worth retrying later: 429, 5xx, timeouts, dropped connections
        │   └── UnsettledRead   a paged read kept changing: all read was given, the rest later
        ├── FatalApiError       a 4xx that retrying will not fix
        │   └── PrescriptionConflict   the prescription changed under us (409)
        └── MalformedResponse   the answer is not what the contract says
            └── AnswerTooLarge  larger than PIX_MAX_ANSWER_MB / IMILO_MAX_ANSWER_MB: not retried

Messages never carry personal data or secrets: only API names, paths with numeric ids,
status codes and short reasons.
"""

from __future__ import annotations

__all__ = [
    "AnswerTooLarge",
    "ApiError",
    "ConfigurationError",
    "ConnectorError",
    "FatalApiError",
    "MalformedResponse",
    "PrescriptionConflict",
    "TransientApiError",
    "UnsettledRead",
    "UsageError",
]


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""


class UsageError(ConnectorError):
    """A command line asks for something that cannot be done; the message says why."""


class ConfigurationError(UsageError):
    """Settings or mappings are invalid; the message says which and how to fix it."""


class ApiError(ConnectorError):
    """A call to Pix or I-Milo failed."""

    def __init__(self, api: str, message: str, status: int | None = None) -> None:
        self.api = api
        self.status = status
        suffix = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{api}: {message}{suffix}")


class TransientApiError(ApiError):
    """The call may succeed if tried again later (after ``retry_after`` seconds, if known)."""

    def __init__(
        self, api: str, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(api, message, status)
        self.retry_after = retry_after


class UnsettledRead(TransientApiError):
    """A paged read kept changing under the reader: every record read was given before this
    was raised, but one may have been skipped, so the read position must not move this time."""


class FatalApiError(ApiError):
    """The call was refused; trying again will not help."""


class PrescriptionConflict(FatalApiError):
    """The prescription's status was not the one we expected when we wrote."""


class MalformedResponse(ApiError):
    """The answer does not follow the contract (bad JSON, wrong content type, missing field)."""


class AnswerTooLarge(MalformedResponse):
    """The answer's body is over the size cap: reading it again would not make it smaller."""
