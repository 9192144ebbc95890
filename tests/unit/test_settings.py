"""Settings: read from the environment, refused with one clear message."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from connector.entrypoints import cli
from connector.errors import ConfigurationError
from connector.settings import load_imilo_settings, load_settings

ENV = {
    "PIX_API_URL": "http://127.0.0.1:1",
    "PIX_CLIENT_ID": "client",
    "PIX_CLIENT_SECRET": "s3cr3t-value",
    "IMILO_API_URL": "http://127.0.0.1:2",
    "IMILO_API_KEY": "k3y-value",
}

GATEWAY = (
    "IMILO_API",
    "IMILO_OPERATEUR",
    "IMILO_TOKEN_URL",
    "IMILO_CLIENT_ID",
    "IMILO_CLIENT_SECRET",
    "IMILO_CLIENT_SECRET_FILE",
    "IMILO_API_KEYS_FILE",
)


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
        "CONNECTOR_HTTP_HOST",
        "CONNECTOR_ALLOW_INSECURE_HTTP",
        "CONNECTOR_RUN_DEADLINE",
        "PIX_MAX_ANSWER_MB",
        "IMILO_MAX_ANSWER_MB",
        "PIX_TIMEOUT",
        "IMILO_TIMEOUT",
        "PIX_CLIENT_SECRET_FILE",
        "IMILO_API_KEY_FILE",
        *GATEWAY,
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
    assert settings.http_host == "127.0.0.1"
    assert settings.run_deadline == 600.0
    assert (settings.pix_max_answer_mb, settings.imilo_max_answer_mb) == (20.0, 20.0)
    assert settings.allow_insecure_http is False


@pytest.mark.parametrize("variable", ["PIX_API_URL", "IMILO_API_URL"])
def test_plain_http_to_a_remote_host_is_refused(env: pytest.MonkeyPatch, variable: str) -> None:
    """Credentials never travel in clear: the message names the variable and the way out."""
    env.setenv(variable, "http://api.example.fr")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable}: plain http:// is refused")
    assert "CONNECTOR_ALLOW_INSECURE_HTTP" in message
    assert "s3cr3t-value" not in message and "k3y-value" not in message


def test_a_csv_import_refuses_plain_http_to_i_milo_too(env: pytest.MonkeyPatch) -> None:
    env.setenv("IMILO_API_URL", "http://imilo.example.fr/api")
    with pytest.raises(ConfigurationError, match="IMILO_API_URL: plain http:// is refused"):
        load_imilo_settings()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8081",
        "http://127.0.0.2:8081",
        "http://localhost:8081",
        "http://LOCALHOST:8081",
        "http://[::1]:8081",
        "https://api.example.fr",
        "https://203.0.113.7:8443",
    ],
)
def test_loopback_and_https_are_accepted(env: pytest.MonkeyPatch, url: str) -> None:
    """The simulators on this machine need no setting; https goes anywhere."""
    env.setenv("PIX_API_URL", url)
    env.setenv("IMILO_API_URL", url)
    settings = load_settings()
    assert str(settings.pix_api_url).rstrip("/") == url.rstrip("/").lower()


def test_insecure_http_can_be_allowed_for_a_test_bench(env: pytest.MonkeyPatch) -> None:
    env.setenv("PIX_API_URL", "http://pix.bench.example")
    env.setenv("IMILO_API_URL", "http://10.0.0.8:8080")
    env.setenv("CONNECTOR_ALLOW_INSECURE_HTTP", "true")
    settings = load_settings()
    assert settings.allow_insecure_http is True
    assert settings.pix_api_url.host == "pix.bench.example"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("600", 600.0), ("90s", 90.0), ("10m", 600.0), ("1h", 3600.0), (" 2.5M ", 150.0)],
)
def test_the_run_deadline_reads_seconds_or_a_unit(
    env: pytest.MonkeyPatch, value: str, seconds: float
) -> None:
    env.setenv("CONNECTOR_RUN_DEADLINE", value)
    assert load_settings().run_deadline == seconds


@pytest.mark.parametrize("value", ["0", "abc", "-5", "10x", "25h", ""])
def test_a_wrong_run_deadline_is_named(env: pytest.MonkeyPatch, value: str) -> None:
    env.setenv("CONNECTOR_RUN_DEADLINE", value)
    with pytest.raises(ConfigurationError, match=r"^CONNECTOR_RUN_DEADLINE: "):
        load_settings()


@pytest.mark.parametrize("variable", ["PIX_MAX_ANSWER_MB", "IMILO_MAX_ANSWER_MB"])
@pytest.mark.parametrize("value", ["0", "-1", "1025", "lots"])
def test_an_answer_size_cap_out_of_bounds_is_named(
    env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    env.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=rf"^{variable}: "):
        load_settings()


@pytest.mark.parametrize("variable", ["PIX_MAX_ANSWER_MB", "IMILO_MAX_ANSWER_MB"])
def test_an_answer_size_cap_within_bounds_is_read(env: pytest.MonkeyPatch, variable: str) -> None:
    env.setenv(variable, "0.5")
    settings = load_settings()
    assert getattr(settings, variable.lower()) == 0.5


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "--once", "--allow-insecure-http"],
        ["worker", "--allow-insecure-http"],
        ["import-csv", "export.csv", "--structure", "75010S00", "--allow-insecure-http"],
        ["charte", "check", "--allow-insecure-http"],
    ],
)
def test_commands_that_talk_to_the_apis_take_allow_insecure_http(argv: list[str]) -> None:
    assert cli._parser().parse_args(argv).allow_insecure_http is True


def test_allow_insecure_http_sets_the_setting(env: pytest.MonkeyPatch) -> None:
    """``worker --allow-insecure-http`` starts with remote http:// URLs; without it, exit 2."""
    env.setenv("PIX_API_URL", "http://pix.bench.example")
    env.setenv("CONNECTOR_ALLOW_INSECURE_HTTP", "false")  # restored (unset) after the test
    seen: list[Any] = []

    class _Worker:
        def __init__(self, settings: Any, *, console: Any = None) -> None:
            seen.append(settings)

        def run(self) -> int:
            return 0

    env.setattr("connector.entrypoints.worker.Worker", _Worker)
    assert cli.main(["worker"]) == cli.EXIT_CONFIG
    assert seen == []
    assert cli.main(["worker", "--allow-insecure-http"]) == 0
    assert os.environ["CONNECTOR_ALLOW_INSECURE_HTTP"] == "true"
    [settings] = seen
    assert settings.allow_insecure_http is True


def sessions_env(env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    env.setenv("IMILO_API", "sessions")
    env.setenv("IMILO_OPERATEUR", "APPLICATION_CEJ")
    env.setenv("IMILO_TOKEN_URL", "http://127.0.0.1:3/oauth/token")
    env.setenv("IMILO_CLIENT_ID", "connector")
    env.setenv("IMILO_CLIENT_SECRET", "client-s3cr3t")
    return env


def test_the_contract_mode_needs_none_of_the_gateway_settings(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.imilo_api == "contract"
    assert settings.imilo_token_url is None
    assert settings.imilo_product_keys == {}


def test_the_sessions_mode_reads_the_gateway_settings(env: pytest.MonkeyPatch) -> None:
    """IMILO_API_KEY serves every API product when no file gives them their own."""
    sessions_env(env)
    settings = load_settings()
    assert settings.imilo_api == "sessions"
    assert settings.imilo_operateur == "APPLICATION_CEJ"
    assert settings.imilo_client_secret.get_secret_value() == "client-s3cr3t"
    assert settings.imilo_product_keys == {
        "sessions-structure": "k3y-value",
        "session-detail": "k3y-value",
        "instances-ecriture": "k3y-value",
        "dossiers": "k3y-value",
    }


def test_the_sessions_mode_names_every_missing_variable(env: pytest.MonkeyPatch) -> None:
    env.setenv("IMILO_API", "sessions")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    for variable in (
        "IMILO_TOKEN_URL",
        "IMILO_CLIENT_ID",
        "IMILO_CLIENT_SECRET",
        "IMILO_OPERATEUR",
    ):
        assert variable in message
    assert "k3y-value" not in message


def test_an_unknown_imilo_api_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("IMILO_API", "graphql")
    with pytest.raises(ConfigurationError, match="IMILO_API"):
        load_settings()


def test_the_client_secret_may_come_from_a_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sessions_env(env)
    env.delenv("IMILO_CLIENT_SECRET")
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-s3cr3t\n", encoding="utf-8")
    env.setenv("IMILO_CLIENT_SECRET_FILE", str(secret))
    settings = load_settings()
    assert settings.imilo_client_secret.get_secret_value() == "from-a-file-s3cr3t"
    env.setenv("IMILO_CLIENT_SECRET", "both")
    with pytest.raises(ConfigurationError, match="IMILO_CLIENT_SECRET: set it or"):
        load_settings()


def test_the_token_url_follows_the_plain_http_rule(env: pytest.MonkeyPatch) -> None:
    sessions_env(env)
    env.setenv("IMILO_TOKEN_URL", "http://idp.example/token")
    with pytest.raises(ConfigurationError, match="IMILO_TOKEN_URL: plain http://"):
        load_settings()
    env.setenv("IMILO_TOKEN_URL", "https://idp.example/token")
    assert str(load_settings().imilo_token_url) == "https://idp.example/token"


def test_a_keys_file_gives_products_their_own_keys(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A product the file leaves out takes IMILO_API_KEY; without it, the product is named."""
    sessions_env(env)
    keys = tmp_path / "keys.yaml"
    keys.write_text("dossiers: dossiers-k3y\nsession-detail: detail-k3y\n", encoding="utf-8")
    env.setenv("IMILO_API_KEYS_FILE", str(keys))
    product_keys = load_settings().imilo_product_keys
    assert product_keys["dossiers"] == "dossiers-k3y"
    assert product_keys["session-detail"] == "detail-k3y"
    assert product_keys["instances-ecriture"] == "k3y-value"
    env.delenv("IMILO_API_KEY")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert "sessions-structure" in str(caught.value)
    assert "instances-ecriture" in str(caught.value)
    assert "dossiers-k3y" not in str(caught.value)
    keys.write_text(
        "".join(f"{p}: {p}-k3y\n" for p in ("sessions-structure", "session-detail"))
        + "instances-ecriture: write-k3y\ndossiers: dossiers-k3y\n",
        encoding="utf-8",
    )
    assert load_settings().imilo_product_keys["instances-ecriture"] == "write-k3y"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("sesions-structure: k\n", "unknown API product 'sesions-structure'"),
        ("dossiers: ''\n", "the key of 'dossiers' must be a non-empty text"),
        ("- a\n- b\n", "must map API products to keys"),
        ("dossiers: [unclosed\n", "is not valid YAML"),
    ],
)
def test_a_wrong_keys_file_is_refused(
    env: pytest.MonkeyPatch, tmp_path: Path, text: str, problem: str
) -> None:
    sessions_env(env)
    keys = tmp_path / "keys.yaml"
    keys.write_text(text, encoding="utf-8")
    env.setenv("IMILO_API_KEYS_FILE", str(keys))
    with pytest.raises(ConfigurationError, match=problem.replace("[", r"\[")):
        load_settings()


def test_the_sessions_mode_without_its_settings_exits_2(env: pytest.MonkeyPatch) -> None:
    env.setenv("IMILO_API", "sessions")
    assert cli.main(["sync", "--once"]) == cli.EXIT_CONFIG
