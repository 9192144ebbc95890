"""Settings from the environment (and a ``.env`` file), validated once at start.

A wrong setting stops the connector with one message naming the variable and what is wrong;
secret values are never echoed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from connector.errors import ConfigurationError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Settings",
    "StoreSettings",
    "load_settings",
    "load_store_settings",
]

DEFAULT_DATABASE_URL = "sqlite:///var/pix-imilo.db"

_S = TypeVar("_S", bound="StoreSettings")

_HINTS = {
    "PIX_API_URL": "the root URL of the Pix API, e.g. https://api.pix.fr",
    "PIX_CLIENT_ID": "the client id of your Pix API access",
    "PIX_CLIENT_SECRET": "the client secret of your Pix API access",
    "IMILO_API_URL": "the root URL of the I-Milo API gateway",
    "IMILO_API_KEY": "the I-Milo API key (sent as X-Gravitee-Api-Key)",
}


class StoreSettings(BaseSettings):
    """What commands that only read or change the state store need."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="CONNECTOR_DATABASE_URL")
    mappings_dir: Path = Field(Path("mappings"), validation_alias="CONNECTOR_MAPPINGS_DIR")


class Settings(StoreSettings):
    """Everything a sync needs."""

    pix_api_url: AnyHttpUrl = Field(validation_alias="PIX_API_URL")
    pix_client_id: str = Field(min_length=1, validation_alias="PIX_CLIENT_ID")
    pix_client_secret: SecretStr = Field(validation_alias="PIX_CLIENT_SECRET")
    imilo_api_url: AnyHttpUrl = Field(validation_alias="IMILO_API_URL")
    imilo_api_key: SecretStr = Field(validation_alias="IMILO_API_KEY")

    @field_validator("pix_client_secret", "imilo_api_key")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value


def _describe(error: ErrorDetails) -> str:
    name = str(error["loc"][0]) if error.get("loc") else "settings"
    variable = name.upper()
    for field_name, info in Settings.model_fields.items():
        if field_name == name or info.validation_alias == name:
            variable = str(info.validation_alias or field_name).upper()
    hint = _HINTS.get(variable)
    if error.get("type") == "missing":
        return f"{variable}: not set" + (f" (set it to {hint})" if hint else "")
    # pydantic's message, without the offending input: it may be a secret.
    return f"{variable}: {error.get('msg', 'invalid value')}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise ``ConfigurationError`` with one line per problem."""
    return _load(Settings, overrides)


def load_store_settings(**overrides: Any) -> StoreSettings:
    """Read only the state store's settings (no API credentials needed)."""
    return _load(StoreSettings, overrides)


def _load(kind: type[_S], overrides: dict[str, Any]) -> _S:
    try:
        return kind(**overrides)
    except ValidationError as error:
        problems = [_describe(e) for e in error.errors(include_input=False, include_url=False)]
        raise ConfigurationError("; ".join(problems)) from None
