"""Settings: read from the environment, refused with one clear message."""

from __future__ import annotations

import pytest

from connector.errors import ConfigurationError
from connector.settings import load_settings

ENV = {
    "PIX_API_URL": "http://127.0.0.1:1",
    "PIX_CLIENT_ID": "client",
    "PIX_CLIENT_SECRET": "s3cr3t-value",
    "IMILO_API_URL": "http://127.0.0.1:2",
    "IMILO_API_KEY": "k3y-value",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.chdir("/")  # no stray .env file
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("CONNECTOR_DATABASE_URL", "CONNECTOR_MAPPINGS_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_settings_come_from_the_environment(env: pytest.MonkeyPatch) -> None:
    """Contract names are read; defaults apply to the rest."""
    settings = load_settings()
    assert settings.pix_client_id == "client"
    assert settings.imilo_api_key.get_secret_value() == "k3y-value"
    assert settings.database_url == "sqlite:///var/pix-imilo.db"
    assert str(settings.mappings_dir) == "mappings"


def test_a_missing_variable_is_named(env: pytest.MonkeyPatch) -> None:
    """The message names the variable and says what to set."""
    env.delenv("IMILO_API_URL")
    with pytest.raises(ConfigurationError, match=r"IMILO_API_URL: not set \(set it to"):
        load_settings()


def test_a_bad_url_is_named_without_echoing_secrets(env: pytest.MonkeyPatch) -> None:
    """A malformed URL is reported; secret values never appear in the message."""
    env.setenv("PIX_API_URL", "not a url")
    env.setenv("IMILO_API_KEY", "   ")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "PIX_API_URL:" in message
    assert "IMILO_API_KEY: " in message
    assert "s3cr3t-value" not in message
