"""The web console's settings: its port, public URL, identity provider and session key.

Read with the same rules as the connector's (``connector.settings``): one message per wrong
variable, secrets never echoed, a secret from its variable or from ``<VARIABLE>_FILE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from connector.errors import ConfigurationError
from connector.settings import describe_problem, refuse_plain_http, secret_from_file

__all__ = ["DEFAULT_CONSOLE_PORT", "ConsoleSettings", "load_console_settings"]

DEFAULT_CONSOLE_PORT = 8081
MIN_SESSION_SECRET = 32
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # 0 turns the console off (in the worker).
    console_port: int = Field(
        DEFAULT_CONSOLE_PORT, ge=0, le=65535, validation_alias="CONNECTOR_CONSOLE_PORT"
    )
    console_host: str = Field("127.0.0.1", min_length=1, validation_alias="CONNECTOR_HTTP_HOST")
    # `pix-imilo console` serves /healthz and /metrics there, as the worker does.
    ops_port: int = Field(8080, ge=0, le=65535, validation_alias="CONNECTOR_HTTP_PORT")
    # The address users reach the console at (behind the TLS proxy): the OIDC redirect is
    # <public URL>/auth/callback. Default: http://localhost:<port>.
    public_url: AnyHttpUrl | None = Field(None, validation_alias="CONNECTOR_PUBLIC_URL")
    oidc_issuer: AnyHttpUrl | None = Field(None, validation_alias="CONNECTOR_OIDC_ISSUER")
    oidc_client_id: str = Field("", validation_alias="CONNECTOR_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr = Field(
        SecretStr(""), validation_alias="CONNECTOR_OIDC_CLIENT_SECRET"
    )
    oidc_client_secret_file: Path | None = Field(
        None, validation_alias="CONNECTOR_OIDC_CLIENT_SECRET_FILE"
    )
    oidc_groups_claim: str = Field(
        "groups", min_length=1, validation_alias="CONNECTOR_OIDC_GROUPS_CLAIM"
    )
    session_secret: SecretStr = Field(SecretStr(""), validation_alias="CONNECTOR_SESSION_SECRET")
    session_secret_file: Path | None = Field(None, validation_alias="CONNECTOR_SESSION_SECRET_FILE")
    allow_insecure_http: bool = Field(False, validation_alias="CONNECTOR_ALLOW_INSECURE_HTTP")

    @property
    def enabled(self) -> bool:
        """Whether the console can serve: a port, and an identity provider to sign in with."""
        return self.console_port != 0 and self.oidc_issuer is not None

    @property
    def base_url(self) -> str:
        if self.public_url is not None:
            return str(self.public_url).rstrip("/")
        return f"http://localhost:{self.console_port}"

    @property
    def secure_cookies(self) -> bool:
        """``Secure`` session cookies everywhere but on this machine (plain http there)."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        return not (host in _LOOPBACK or host.startswith("127.") or host.endswith(".localhost"))

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.oidc_issuer is None:
            return self  # the console is off: nothing more to check
        if self.console_port == self.ops_port:
            raise ValueError(
                "CONNECTOR_CONSOLE_PORT: the same port as CONNECTOR_HTTP_PORT; the console "
                "never shares the ops port (default 8081)"
            )
        if not self.oidc_client_id.strip():
            raise ValueError(
                "CONNECTOR_OIDC_CLIENT_ID: not set (the console's client id at the identity "
                "provider; see docs/console.md)"
            )
        refuse_plain_http("CONNECTOR_OIDC_ISSUER", self.oidc_issuer, self.allow_insecure_http)
        if self.public_url is not None:
            refuse_plain_http("CONNECTOR_PUBLIC_URL", self.public_url, self.allow_insecure_http)
        self.oidc_client_secret = secret_from_file(
            self.oidc_client_secret, self.oidc_client_secret_file, "CONNECTOR_OIDC_CLIENT_SECRET"
        )
        self.session_secret = secret_from_file(
            self.session_secret, self.session_secret_file, "CONNECTOR_SESSION_SECRET"
        )
        if len(self.session_secret.get_secret_value()) < MIN_SESSION_SECRET:
            raise ValueError(
                f"CONNECTOR_SESSION_SECRET: too short (at least {MIN_SESSION_SECRET} "
                "characters; e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self


def load_console_settings(**overrides: Any) -> ConsoleSettings:
    """Read the console's settings, or raise ``ConfigurationError`` naming each problem."""
    try:
        return ConsoleSettings(**overrides)
    except ValidationError as error:
        problems = [
            describe_problem(e) for e in error.errors(include_input=False, include_url=False)
        ]
        raise ConfigurationError("; ".join(problems)) from None
