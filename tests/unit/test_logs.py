"""The log pipeline: JSON lines with run_id, and redaction of personal data and secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from connector.errors import ConfigurationError
from connector.logs import configure_logging, redact, register_secret


def redacted(**event: object) -> dict[str, object]:
    return dict(redact(None, "info", dict(event)))


def test_personal_keys_are_masked_whatever_their_case() -> None:
    """Names, e-mails, birth dates and external ids under their usual keys never pass."""
    out = redacted(
        event="x",
        prenom="Léa",
        nomNaissance="DURAND",
        participantExternalId="1234567",
        dateNaissance="2006-05-04",
        Email="lea@example.org",
        dossier_id=1234567,
    )
    assert out["dossier_id"] == 1234567
    assert {
        out[k]
        for k in ("prenom", "nomNaissance", "participantExternalId", "dateNaissance", "Email")
    } == {"[redacted]"}


def test_emails_are_masked_inside_any_text() -> None:
    """An e-mail inside an error message or a nested value is masked."""
    out = redacted(
        event="failed",
        error="lookup of Lea.Durand@Example.org failed",
        extra={"why": ["x lea@ex.fr"]},
    )
    assert "example" not in json.dumps(out).lower() and "lea@" not in json.dumps(out).lower()


def test_query_strings_of_urls_are_dropped() -> None:
    """Search URLs carry names and e-mails in their query: only the path remains."""
    out = redacted(
        event="x",
        error="GET http://imilo/operateurs/structures/X/dossiers?nom=DURAND&prenom=L%C3%A9a failed",
    )
    assert "DURAND" not in str(out["error"])
    assert "http://imilo/operateurs/structures/X/dossiers?[redacted]" in str(out["error"])


def test_registered_secrets_are_masked_anywhere() -> None:
    """The Pix secret, its tokens and the I-Milo key are masked even inside other text."""
    register_secret("tok-3f9a8b7c6d")
    out = redacted(event="x", error="Bearer tok-3f9a8b7c6d refused", nested={"a": "tok-3f9a8b7c6d"})
    assert "tok-3f9a8b7c6d" not in json.dumps(out)


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    configure_logging("DEBUG", "json")
    yield capsys
    configure_logging("INFO", "json")


def test_every_line_is_one_json_object_with_the_contract_keys(
    json_logs: pytest.CaptureFixture[str],
) -> None:
    """event, level, timestamp and run_id are on every line, ours and the libraries'."""
    structlog.get_logger("t").info("hello", participation_id=1)
    with structlog.contextvars.bound_contextvars(run_id="r-1"):
        structlog.get_logger("t").warning("inside")
    logging.getLogger("somelib").warning("library says %s", "hi")
    lines = [json.loads(line) for line in json_logs.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["hello", "inside", "library says hi"]
    for line in lines:
        assert {"event", "level", "timestamp", "run_id"} <= set(line)
    assert lines[1]["run_id"] == "r-1" and lines[0]["run_id"] is None


def test_library_log_lines_are_redacted_too(json_logs: pytest.CaptureFixture[str]) -> None:
    """A library logging an e-mail through the standard library is masked as well."""
    logging.getLogger("somelib").error("cannot reach lea@example.org")
    assert "lea@example.org" not in json_logs.readouterr().err


@pytest.mark.parametrize(
    ("level", "fmt", "variable"),
    [("LOUD", None, "CONNECTOR_LOG_LEVEL"), ("INFO", "xml", "CONNECTOR_LOG_FORMAT")],
)
def test_bad_log_settings_name_the_variable(level: str, fmt: str | None, variable: str) -> None:
    """A wrong level or format is a configuration error naming its variable."""
    with pytest.raises(ConfigurationError, match=variable):
        configure_logging(level, fmt)


def test_sql_parameters_in_database_errors_are_masked() -> None:
    """SQLAlchemy shows a statement's values in its errors: they may be typed names."""
    message = "(sqlite3.IntegrityError) UNIQUE failed\n[SQL: INSERT INTO review VALUES (?, ?)]\n[parameters: (12, 'Léa', 'DURAND')]\n(Background on this error at: https://sqlalche.me/e/20/gkpj)"
    out = redacted(event="x", error=message)
    assert "DURAND" not in str(out["error"]) and "[SQL: INSERT INTO review" in str(out["error"])
