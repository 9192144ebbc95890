"""The web console's settings: off without an identity provider, every problem named, secrets
never echoed, from their variable or a ``_FILE``, and cookies ``Secure`` off this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from connector.console.settings import load_console_settings
from connector.errors import ConfigurationError

SESSION_SECRET = "s" * 40
CLIENT_SECRET = "client-secret-value"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CONNECTOR_ variable from the shell, and no .env file in the working directory."""
    for name in list(os.environ):
        if name.upper().startswith("CONNECTOR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def complete(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "CONNECTOR_OIDC_ISSUER": "https://idp.example.fr/realms/missions-locales",
        "CONNECTOR_OIDC_CLIENT_ID": "pix-imilo-console",
        "CONNECTOR_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "CONNECTOR_SESSION_SECRET": SESSION_SECRET,
        "CONNECTOR_PUBLIC_URL": "https://console.example.fr",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def test_defaults_port_8081_and_off_without_an_issuer() -> None:
    settings = load_console_settings()
    assert settings.console_port == 8081
    assert settings.oidc_issuer is None
    assert settings.enabled is False
    assert settings.oidc_groups_claim == "groups"
    assert settings.base_url == "http://localhost:8081"


def test_a_complete_configuration_is_enabled() -> None:
    settings = load_console_settings(**complete())
    assert settings.enabled is True
    assert settings.oidc_client_id == "pix-imilo-console"
    assert settings.oidc_client_secret.get_secret_value() == CLIENT_SECRET
    assert settings.session_secret.get_secret_value() == SESSION_SECRET
    assert settings.base_url == "https://console.example.fr"


def test_port_0_turns_it_off_even_with_an_issuer() -> None:
    assert load_console_settings(**complete(CONNECTOR_CONSOLE_PORT=0)).enabled is False


def test_a_missing_client_id_is_named() -> None:
    with pytest.raises(ConfigurationError, match="CONNECTOR_OIDC_CLIENT_ID: not set"):
        load_console_settings(**complete(CONNECTOR_OIDC_CLIENT_ID=None))


def test_a_short_session_secret_is_refused_without_being_echoed() -> None:
    short = "tooShortSecret-1234"
    with pytest.raises(ConfigurationError) as raised:
        load_console_settings(**complete(CONNECTOR_SESSION_SECRET=short))
    message = str(raised.value)
    assert "CONNECTOR_SESSION_SECRET" in message
    assert "too short" in message
    assert short not in message


def test_a_missing_session_secret_is_named() -> None:
    with pytest.raises(ConfigurationError, match="CONNECTOR_SESSION_SECRET: not set"):
        load_console_settings(**complete(CONNECTOR_SESSION_SECRET=None))


def test_secrets_from_files(tmp_path: Path) -> None:
    client = tmp_path / "client_secret"
    client.write_text(f"{CLIENT_SECRET}\n", encoding="utf-8")
    session = tmp_path / "session_secret"
    session.write_text(f"{SESSION_SECRET}\n", encoding="utf-8")
    settings = load_console_settings(
        **complete(
            CONNECTOR_OIDC_CLIENT_SECRET=None,
            CONNECTOR_SESSION_SECRET=None,
            CONNECTOR_OIDC_CLIENT_SECRET_FILE=str(client),
            CONNECTOR_SESSION_SECRET_FILE=str(session),
        )
    )
    assert settings.oidc_client_secret.get_secret_value() == CLIENT_SECRET
    assert settings.session_secret.get_secret_value() == SESSION_SECRET


@pytest.mark.parametrize("variable", ["CONNECTOR_OIDC_CLIENT_SECRET", "CONNECTOR_SESSION_SECRET"])
def test_a_secret_and_its_file_both_set_are_refused(tmp_path: Path, variable: str) -> None:
    path = tmp_path / "secret"
    path.write_text(SESSION_SECRET, encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_console_settings(**complete(**{f"{variable}_FILE": str(path)}))
    message = str(raised.value)
    assert f"{variable}: set it or {variable}_FILE, not both" in message
    assert SESSION_SECRET not in message
    assert CLIENT_SECRET not in message


def test_cookies_are_not_secure_on_localhost() -> None:
    settings = load_console_settings(**complete(CONNECTOR_PUBLIC_URL="http://localhost:8081"))
    assert settings.secure_cookies is False


def test_cookies_are_secure_for_a_public_https_url() -> None:
    settings = load_console_settings(**complete(CONNECTOR_PUBLIC_URL="https://console.example.fr"))
    assert settings.secure_cookies is True


def test_the_default_public_url_is_localhost_without_secure_cookies() -> None:
    settings = load_console_settings(**complete(CONNECTOR_PUBLIC_URL=None))
    assert settings.base_url == "http://localhost:8081"
    assert settings.secure_cookies is False


def test_a_plain_http_remote_issuer_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="CONNECTOR_OIDC_ISSUER: plain http://"):
        load_console_settings(**complete(CONNECTOR_OIDC_ISSUER="http://idp.example.fr"))


def test_a_plain_http_remote_public_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="CONNECTOR_PUBLIC_URL: plain http://"):
        load_console_settings(**complete(CONNECTOR_PUBLIC_URL="http://console.example.fr"))


def test_a_plain_http_remote_issuer_is_accepted_on_a_test_bench() -> None:
    settings = load_console_settings(
        **complete(
            CONNECTOR_OIDC_ISSUER="http://idp.example.fr", CONNECTOR_ALLOW_INSECURE_HTTP=True
        )
    )
    assert settings.enabled is True
