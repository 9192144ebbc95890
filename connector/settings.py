"""Settings from the environment (and a ``.env`` file), validated once at start.

A wrong setting stops the connector with one message naming the variable and what is wrong;
secret values are never echoed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from connector.errors import ConfigurationError
from connector.imilo.gateway_auth import API_PRODUCTS, product_keys
from connector.schedule import cron_trigger

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEFAULT_SCHEDULE",
    "ImiloSettings",
    "LogSettings",
    "Settings",
    "StoreSettings",
    "describe_problem",
    "load_imilo_settings",
    "load_settings",
    "load_store_settings",
    "refuse_plain_http",
    "secret_from_file",
]

DEFAULT_DATABASE_URL = "sqlite:///var/pix-imilo.db"
# Every 15 minutes from 07:00 to 19:45, Monday to Saturday: the last run ends by 20:00.
DEFAULT_SCHEDULE = "*/15 7-19 * * 1-6"

_S = TypeVar("_S", bound="StoreSettings")

_HINTS = {
    "PIX_API_URL": "the root URL of the Pix API, e.g. https://api.pix.fr",
    "PIX_CLIENT_ID": "the client id of your Pix API access",
    "PIX_CLIENT_SECRET": "the client secret of your Pix API access",
    "IMILO_API_URL": "the root URL of the I-Milo API gateway",
    "IMILO_API_KEY": "the I-Milo API key (sent as X-Gravitee-Api-Key)",
    "IMILO_CLIENT_SECRET": "the client secret of the gateway's identity provider",
    "CONNECTOR_OIDC_CLIENT_SECRET": "the console's client secret at the identity provider",
    "CONNECTOR_SESSION_SECRET": "a random key of at least 32 characters signing sessions",
}


class LogSettings(BaseSettings):
    """Read before anything else, so that even a settings error is logged as configured."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    log_level: str = Field("INFO", validation_alias="CONNECTOR_LOG_LEVEL")
    log_format: str | None = Field(None, validation_alias="CONNECTOR_LOG_FORMAT")
    http_port: str = Field("8080", validation_alias="CONNECTOR_HTTP_PORT")
    http_host: str = Field("127.0.0.1", validation_alias="CONNECTOR_HTTP_HOST")


class StoreSettings(BaseSettings):
    """What commands that only read or change the state store need."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="CONNECTOR_DATABASE_URL")
    mappings_dir: Path = Field(Path("mappings"), validation_alias="CONNECTOR_MAPPINGS_DIR")


_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
MAX_RUN_DEADLINE = 24 * 3600.0


def _refuse_plain_http(variable: str, url: AnyHttpUrl, allowed: bool) -> None:
    """An API key or a client secret never travels in clear, except to this machine (the
    simulators) or when ``CONNECTOR_ALLOW_INSECURE_HTTP`` says so."""
    host = (url.host or "").lower()
    loopback = host in _LOOPBACK or host.startswith("127.") or host.endswith(".localhost")
    if url.scheme == "http" and not loopback and not allowed:
        raise ValueError(
            f"{variable}: plain http:// is refused for a remote host (credentials would travel "
            "in clear); use https://, or set CONNECTOR_ALLOW_INSECURE_HTTP=true for a test bench"
        )


def _seconds(value: Any) -> float:
    """A duration: seconds, or a number followed by s, m or h; within 1 s .. 24 h."""
    text = str(value).strip().lower()
    factor = _UNITS.get(text[-1:])
    number = text[:-1] if factor is not None else text
    try:
        seconds = float(number) * (factor or 1.0)
    except ValueError:
        raise ValueError(f"not a duration (got '{text[:20]}'; e.g. 600, 90s, 10m or 1h)") from None
    if not 1.0 <= seconds <= MAX_RUN_DEADLINE:
        raise ValueError("must be between 1 second and 24 hours")
    return seconds


def _secret_from_file(value: SecretStr, path: Path | None, variable: str) -> SecretStr:
    """A secret comes from its variable, or from the file named by <VARIABLE>_FILE (Docker
    and Kubernetes secrets), never both."""
    if path is not None:
        if value.get_secret_value():
            raise ValueError(f"{variable}: set it or {variable}_FILE, not both")
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            raise ValueError(f"{variable}_FILE: cannot read '{path}'") from None
        if not text:
            raise ValueError(f"{variable}_FILE: '{path}' is empty")
        return SecretStr(text)
    if not value.get_secret_value().strip():
        raise ValueError(f"{variable}: not set (set it to {_HINTS[variable]}, or {variable}_FILE)")
    return value


MAX_KEYS_FILE_BYTES = 64 * 1024


def _api_keys_file(path: Path) -> dict[str, SecretStr]:
    """``IMILO_API_KEYS_FILE``: a YAML mapping of the gateway's API products to their keys.
    Messages name the products, never a key."""
    variable = "IMILO_API_KEYS_FILE"
    try:
        with path.open("rb") as file:
            text = file.read(MAX_KEYS_FILE_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        raise ValueError(f"{variable}: cannot read '{path}' (UTF-8 text)") from None
    if len(text) > MAX_KEYS_FILE_BYTES:
        raise ValueError(f"{variable}: '{path}' is too large for a list of keys")
    try:
        document = YAML(typ="safe", pure=True).load(text)
    except (YAMLError, ValueError, RecursionError):
        raise ValueError(f"{variable}: '{path}' is not valid YAML") from None
    if not isinstance(document, dict) or not document:
        raise ValueError(
            f"{variable}: '{path}' must map API products to keys "
            f"(products: {', '.join(API_PRODUCTS)})"
        )
    keys: dict[str, SecretStr] = {}
    for product, key in document.items():
        if product not in API_PRODUCTS:
            raise ValueError(
                f"{variable}: unknown API product '{str(product)[:40]}' "
                f"(products: {', '.join(API_PRODUCTS)})"
            )
        if not isinstance(key, str | int) or not str(key).strip():
            raise ValueError(f"{variable}: the key of '{product}' must be a non-empty text")
        keys[product] = SecretStr(str(key).strip())
    return keys


class ImiloSettings(StoreSettings):
    """What writing to I-Milo needs (a CSV import needs no Pix access)."""

    # contract: the API this project proposes (openapi.yaml); sessions: the partner
    # gateway's session routes, as they exist today (docs/imilo-gateway.md).
    imilo_api: Literal["contract", "sessions"] = Field("contract", validation_alias="IMILO_API")
    imilo_api_url: AnyHttpUrl = Field(validation_alias="IMILO_API_URL")
    imilo_api_key: SecretStr = Field(SecretStr(""), validation_alias="IMILO_API_KEY")
    imilo_api_key_file: Path | None = Field(None, validation_alias="IMILO_API_KEY_FILE")
    # The gateway (IMILO_API=sessions): operator, identity provider, a key per API product.
    imilo_operateur: str = Field("", validation_alias="IMILO_OPERATEUR")
    # Sessions mode: how far back the structure's sessions are read (their registrations).
    imilo_sessions_months_back: int = Field(
        24, ge=1, le=120, validation_alias="IMILO_SESSIONS_MONTHS_BACK"
    )
    imilo_token_url: AnyHttpUrl | None = Field(None, validation_alias="IMILO_TOKEN_URL")
    imilo_client_id: str = Field("", validation_alias="IMILO_CLIENT_ID")
    imilo_client_secret: SecretStr = Field(SecretStr(""), validation_alias="IMILO_CLIENT_SECRET")
    imilo_client_secret_file: Path | None = Field(None, validation_alias="IMILO_CLIENT_SECRET_FILE")
    imilo_api_keys_file: Path | None = Field(None, validation_alias="IMILO_API_KEYS_FILE")
    _imilo_product_keys: dict[str, str] = PrivateAttr(default_factory=dict)
    imilo_max_rps: float = Field(5.0, ge=0, validation_alias="IMILO_MAX_RPS")
    imilo_concurrency: int = Field(4, ge=1, le=64, validation_alias="IMILO_CONCURRENCY")
    # The whole of one request (connect, headers and body), not each read.
    imilo_timeout: float = Field(15.0, gt=0, le=600, validation_alias="IMILO_TIMEOUT")
    imilo_max_answer_mb: float = Field(20.0, gt=0, le=1024, validation_alias="IMILO_MAX_ANSWER_MB")
    # Plain http:// is refused for API URLs other than loopback, unless this is true.
    allow_insecure_http: bool = Field(False, validation_alias="CONNECTOR_ALLOW_INSECURE_HTTP")
    timezone: str = Field("Europe/Paris", validation_alias="CONNECTOR_TIMEZONE")
    # Several replicas on one PostgreSQL share the work by leases on structures. "auto": on
    # for PostgreSQL, off for SQLite (a file is not shared by replicas).
    leases: Literal["auto", "true", "false"] = Field("auto", validation_alias="CONNECTOR_LEASES")
    lease_seconds: float = Field(60.0, ge=3, le=3600, validation_alias="CONNECTOR_LEASE_SECONDS")

    @property
    def leases_enabled(self) -> bool:
        if self.leases == "auto":
            return self.database_url.startswith("postgresql")
        return self.leases == "true"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (e.g. Europe/Paris)") from None
        return value

    @property
    def imilo_product_keys(self) -> dict[str, str]:
        """Each API product's key (IMILO_API=sessions), its own or IMILO_API_KEY."""
        return dict(self._imilo_product_keys)

    @model_validator(mode="after")
    def _imilo_over_tls(self) -> Self:
        _refuse_plain_http("IMILO_API_URL", self.imilo_api_url, self.allow_insecure_http)
        if self.imilo_token_url is not None:
            _refuse_plain_http("IMILO_TOKEN_URL", self.imilo_token_url, self.allow_insecure_http)
        return self

    @model_validator(mode="after")
    def _imilo_key_from_file(self) -> Self:
        separate_keys = self.imilo_api == "sessions" and self.imilo_api_keys_file is not None
        no_default = not self.imilo_api_key.get_secret_value().strip()
        if separate_keys and self.imilo_api_key_file is None and no_default:
            return self  # every product may have its own key: checked with the gateway's
        self.imilo_api_key = _secret_from_file(
            self.imilo_api_key, self.imilo_api_key_file, "IMILO_API_KEY"
        )
        return self

    @model_validator(mode="after")
    def _gateway(self) -> Self:
        """IMILO_API=sessions needs the identity provider, the operator and a key for each
        API product; the contract needs none of them."""
        if self.imilo_api != "sessions":
            return self
        missing = [
            variable
            for variable, value in (
                ("IMILO_TOKEN_URL", self.imilo_token_url),
                ("IMILO_CLIENT_ID", self.imilo_client_id.strip()),
                (
                    "IMILO_CLIENT_SECRET (or IMILO_CLIENT_SECRET_FILE)",
                    self.imilo_client_secret.get_secret_value().strip()
                    or self.imilo_client_secret_file,
                ),
                ("IMILO_OPERATEUR", self.imilo_operateur.strip()),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"IMILO_API=sessions needs {', '.join(missing)}: not set")
        self.imilo_client_secret = _secret_from_file(
            self.imilo_client_secret, self.imilo_client_secret_file, "IMILO_CLIENT_SECRET"
        )
        self.imilo_operateur = self.imilo_operateur.strip()
        self.imilo_client_id = self.imilo_client_id.strip()
        per_product = _api_keys_file(self.imilo_api_keys_file) if self.imilo_api_keys_file else {}
        try:
            self._imilo_product_keys = product_keys(
                self.imilo_api_key.get_secret_value(),
                {p: k.get_secret_value() for p, k in per_product.items()},
            )
        except ConfigurationError as error:
            raise ValueError(str(error)) from None
        return self


class Settings(ImiloSettings):
    """Everything a sync needs."""

    pix_api_url: AnyHttpUrl = Field(validation_alias="PIX_API_URL")
    pix_client_id: str = Field(min_length=1, validation_alias="PIX_CLIENT_ID")
    pix_client_secret: SecretStr = Field(SecretStr(""), validation_alias="PIX_CLIENT_SECRET")
    pix_client_secret_file: Path | None = Field(None, validation_alias="PIX_CLIENT_SECRET_FILE")
    pix_timeout: float = Field(30.0, gt=0, le=600, validation_alias="PIX_TIMEOUT")
    pix_max_answer_mb: float = Field(20.0, gt=0, le=1024, validation_alias="PIX_MAX_ANSWER_MB")
    # Structures whose Pix campaigns are read in the background while the current one is
    # decided: Pix's latency is then not paid one request at a time.
    pix_read_ahead: int = Field(3, ge=0, le=16, validation_alias="PIX_READ_AHEAD")

    # The worker
    schedule: str = Field(DEFAULT_SCHEDULE, validation_alias="CONNECTOR_SCHEDULE")
    run_on_start: bool = Field(True, validation_alias="CONNECTOR_RUN_ON_START")
    http_port: int = Field(8080, ge=0, le=65535, validation_alias="CONNECTOR_HTTP_PORT")
    http_host: str = Field("127.0.0.1", min_length=1, validation_alias="CONNECTOR_HTTP_HOST")
    # A run stops taking work past this many seconds (the default schedule fires every 15
    # minutes); the suffixes s, m and h are accepted ("90s", "10m", "1h").
    run_deadline: float = Field(600.0, validation_alias="CONNECTOR_RUN_DEADLINE")
    # sync --once (the CronJob mode): where its run's metrics go, if anywhere.
    pushgateway_url: AnyHttpUrl | None = Field(None, validation_alias="CONNECTOR_PUSHGATEWAY_URL")
    metrics_file: Path | None = Field(None, validation_alias="CONNECTOR_METRICS_FILE")

    @field_validator("run_deadline", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _seconds(value)

    @field_validator("pushgateway_url", "metrics_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _pix_over_tls(self) -> Self:
        # Not CONNECTOR_PUSHGATEWAY_URL: metrics carry no secret and no personal data, and a
        # Pushgateway usually answers plain http inside the cluster.
        _refuse_plain_http("PIX_API_URL", self.pix_api_url, self.allow_insecure_http)
        return self

    @model_validator(mode="after")
    def _schedule_is_cron(self) -> Self:
        try:
            cron_trigger(self.schedule, ZoneInfo(self.timezone))
        except ValueError:
            raise ValueError(
                "CONNECTOR_SCHEDULE: not a 5-field cron expression "
                f"(got '{self.schedule}', e.g. '{DEFAULT_SCHEDULE}')"
            ) from None
        return self

    @model_validator(mode="after")
    def _pix_secret_from_file(self) -> Self:
        self.pix_client_secret = _secret_from_file(
            self.pix_client_secret, self.pix_client_secret_file, "PIX_CLIENT_SECRET"
        )
        return self


def _describe(error: ErrorDetails) -> str:
    if not error.get("loc"):
        # A whole-model check: its message already names the variable.
        return str(error.get("msg", "invalid settings")).removeprefix("Value error, ")
    name = str(error["loc"][0])
    variable = name.upper()
    for field_name, info in Settings.model_fields.items():
        if field_name == name or info.validation_alias == name:
            variable = str(info.validation_alias or field_name).upper()
    hint = _HINTS.get(variable)
    if error.get("type") == "missing":
        return f"{variable}: not set" + (f" (set it to {hint})" if hint else "")
    # pydantic's message, without the offending input: it may be a secret.
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{variable}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise ``ConfigurationError`` with one line per problem."""
    return _load(Settings, overrides)


def load_imilo_settings(**overrides: Any) -> ImiloSettings:
    """Read the settings needed to write to I-Milo only (a CSV import)."""
    return _load(ImiloSettings, overrides)


def load_store_settings(**overrides: Any) -> StoreSettings:
    """Read only the state store's settings (no API credentials needed)."""
    return _load(StoreSettings, overrides)


def _load(kind: type[_S], overrides: dict[str, Any]) -> _S:
    try:
        return kind(**overrides)
    except ValidationError as error:
        problems = [_describe(e) for e in error.errors(include_input=False, include_url=False)]
        raise ConfigurationError("; ".join(problems)) from None


# For the console's settings (connector.console.settings), which follow the same rules.
describe_problem = _describe
refuse_plain_http = _refuse_plain_http
secret_from_file = _secret_from_file
