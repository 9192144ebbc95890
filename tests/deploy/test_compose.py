"""deploy/compose: PostgreSQL, two workers, Prometheus; secrets as files, ports on loopback."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import DEPLOY, SECRET_NAME, known_variables, promtool
from tests.deploy.kustomize import load_all

COMPOSE = DEPLOY / "compose"


def compose() -> dict[str, Any]:
    (document,) = load_all(COMPOSE / "compose.yaml")
    return document


def workers() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if str(service.get("image", "")).startswith("pix-imilo:")
    }


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)(s|m)", duration)
    assert match, duration
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def test_the_services() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "worker-1", "worker-2", "prometheus"}
    assert set(workers()) == {"worker-1", "worker-2"}
    for name, service in services.items():
        image = service["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image else ""
        assert tag and tag != "latest", f"{name}: pin the image's tag"


def test_every_published_port_is_on_loopback_and_distinct() -> None:
    host_ports = []
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert isinstance(port, str), f"{name}: write ports as HOST_IP:HOST:CONTAINER"
            host_ip, host_port, _container = port.split(":")
            assert host_ip == "127.0.0.1", f"{name}: {port} is published beyond loopback"
            host_ports.append(host_port)
    assert len(host_ports) == len(set(host_ports))
    assert "ports" not in compose()["services"]["postgres"]
    for name, service in workers().items():
        (port,) = service["ports"]
        assert port.endswith(":8080"), f"{name}: the ops port is 8080 in the image"


def test_workers_run_on_postgresql_with_leases() -> None:
    for name, service in workers().items():
        environment = service["environment"]
        url = environment["CONNECTOR_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://"), name
        assert "@postgres:" in url or "@postgres/" in url, name
        assert not re.search(r"://[^/@]*:[^/@]*@", url), f"{name}: a password in the URL"
        assert environment["CONNECTOR_LEASES"] == "auto"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["command"] == ["worker"]
        assert seconds(service["stop_grace_period"]) >= 30
        assert service["pull_policy"] == "never", "never pull a namesake image"
        for variable in environment:
            assert variable in known_variables(), f"{name}: {variable} is not a setting"
    assert "test" in compose()["services"]["postgres"]["healthcheck"]


def test_secrets_are_files() -> None:
    document = compose()
    declared = document["secrets"]
    for name, secret in declared.items():
        assert set(secret) == {"file"}, f"{name}: a file secret"
        assert secret["file"].startswith("./secrets/"), name
    for name, service in document["services"].items():
        used = set(service.get("secrets", []))
        assert used <= set(declared), name
        for variable, value in service.get("environment", {}).items():
            if SECRET_NAME.search(variable) and not variable.endswith("_FILE"):
                pytest.fail(f"{name}: {variable} holds a secret value; use {variable}_FILE")
            if variable.endswith("_FILE") and str(value).startswith("/run/secrets/"):
                assert value.removeprefix("/run/secrets/") in used, f"{name}: {variable}"
    for name, service in workers().items():
        environment = service["environment"]
        assert environment["PIX_CLIENT_SECRET_FILE"] == "/run/secrets/pix_client_secret", name
        assert environment["IMILO_API_KEY_FILE"] == "/run/secrets/imilo_api_key", name
        # The database password reaches libpq as PGPASSWORD, read from its secret file.
        assert "/run/secrets/postgres_password" in " ".join(service["entrypoint"])
        assert "exec pix-imilo" in " ".join(service["entrypoint"]), "the worker stays PID 1"
    postgres = document["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "POSTGRES_PASSWORD" not in postgres
    ignored = (COMPOSE / "secrets" / ".gitignore").read_text("utf-8").split()
    assert "*" in ignored, "secret files are never committed"


def test_workers_are_locked_down_with_mappings_read_only() -> None:
    for name, service in workers().items():
        assert "./mappings:/etc/pix-imilo/mappings:ro" in service["volumes"], name
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert "user" not in service, "the image's user (uid 10001)"


def test_the_interpolated_variables_are_in_the_example() -> None:
    text = (COMPOSE / "compose.yaml").read_text("utf-8")
    example = (COMPOSE / ".env.example").read_text("utf-8")
    names = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    for variable in re.findall(r"(?<!\$)\$\{([A-Z_]+)", text):
        assert variable in names, f"{variable}: not in .env.example"


def test_prometheus_scrapes_both_workers_and_loads_the_alerts() -> None:
    (config,) = load_all(COMPOSE / "prometheus.yml")
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "pix-imilo"]
    targets = {target for group in job["static_configs"] for target in group["targets"]}
    assert targets == {f"{name}:8080" for name in workers()}
    service = compose()["services"]["prometheus"]
    mounts = {}
    for volume in service["volumes"]:
        source, target, *_ = volume.split(":")
        mounts[target] = source
        if source.startswith("."):
            assert (COMPOSE / source).exists(), f"{source}: no such file"
    assert mounts["/etc/prometheus/prometheus.yml"] == "./prometheus.yml"
    for rule_file in config["rule_files"]:
        assert mounts[f"/etc/prometheus/{rule_file}"] == f"../prometheus/{rule_file}"


def test_promtool_accepts_the_prometheus_config(tmp_path: Path) -> None:
    shutil.copy(COMPOSE / "prometheus.yml", tmp_path / "prometheus.yml")
    shutil.copy(DEPLOY / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    result = subprocess.run(
        [promtool(), "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
