"""Settings: read from the environment, refused with one clear message."""

from __future__ import annotations

from pathlib import Path

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
    for name in (
        "CONNECTOR_DATABASE_URL",
        "CONNECTOR_MAPPINGS_DIR",
        "CONNECTOR_SCHEDULE",
        "CONNECTOR_TIMEZONE",
        "CONNECTOR_RUN_ON_START",
        "CONNECTOR_HTTP_PORT",
        "PIX_CLIENT_SECRET_FILE",
        "IMILO_API_KEY_FILE",
    ):
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
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "PIX_API_URL:" in message
    assert "s3cr3t-value" not in message and "k3y-value" not in message


def test_a_blank_secret_is_refused(env: pytest.MonkeyPatch) -> None:
    """Spaces are not an API key."""
    env.setenv("IMILO_API_KEY", "   ")
    with pytest.raises(ConfigurationError, match=r"IMILO_API_KEY: not set"):
        load_settings()


def test_secrets_can_come_from_files(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """PIX_CLIENT_SECRET_FILE and IMILO_API_KEY_FILE name files holding the secrets."""
    env.delenv("PIX_CLIENT_SECRET")
    env.delenv("IMILO_API_KEY")
    (tmp_path / "pix").write_text("from-a-file\n")
    (tmp_path / "imilo").write_text("key-from-a-file")
    env.setenv("PIX_CLIENT_SECRET_FILE", str(tmp_path / "pix"))
    env.setenv("IMILO_API_KEY_FILE", str(tmp_path / "imilo"))
    settings = load_settings()
    assert settings.pix_client_secret.get_secret_value() == "from-a-file"
    assert settings.imilo_api_key.get_secret_value() == "key-from-a-file"


def test_a_missing_secret_file_is_named(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An unreadable secret file is reported by its variable, never by its content."""
    env.delenv("IMILO_API_KEY")
    env.setenv("IMILO_API_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigurationError, match=r"IMILO_API_KEY_FILE: cannot read"):
        load_settings()


def test_a_secret_and_its_file_together_are_refused(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two sources for one secret is ambiguous: refuse rather than guess."""
    (tmp_path / "pix").write_text("other")
    env.setenv("PIX_CLIENT_SECRET_FILE", str(tmp_path / "pix"))
    with pytest.raises(ConfigurationError, match="not both"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CONNECTOR_SCHEDULE", "every quarter hour", "CONNECTOR_SCHEDULE: not a 5-field cron"),
        ("CONNECTOR_TIMEZONE", "Europe/Pariss", "CONNECTOR_TIMEZONE: "),
        ("CONNECTOR_RUN_ON_START", "perhaps", "CONNECTOR_RUN_ON_START: "),
        ("CONNECTOR_HTTP_PORT", "70000", "CONNECTOR_HTTP_PORT: "),
        ("PIX_READ_AHEAD", "17", "PIX_READ_AHEAD: "),
        ("PIX_READ_AHEAD", "-1", "PIX_READ_AHEAD: "),
    ],
)
def test_worker_settings_are_validated(
    env: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    """Each worker setting names itself when wrong."""
    env.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()


def test_worker_defaults(env: pytest.MonkeyPatch) -> None:
    """Every 15 minutes, 07:00–20:00, Monday–Saturday, Paris time; run at start; port 8080."""
    settings = load_settings()
    assert settings.schedule == "*/15 7-19 * * 1-6"
    assert settings.timezone == "Europe/Paris"
    assert settings.run_on_start is True
    assert settings.http_port == 8080
    assert settings.pix_read_ahead == 3
