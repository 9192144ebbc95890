"""deploy/prometheus and deploy/grafana: promtool checks and unit-tests the alerts, and the alerts
and the dashboard use only metrics (and label values) that connector/metrics.py exports."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from prometheus_client.metrics import MetricWrapperBase
from ruamel.yaml import YAML

from connector.metrics import Metrics
from tests.deploy.conftest import DEPLOY, promtool
from tests.deploy.kustomize import load_all

PROMETHEUS = DEPLOY / "prometheus"
DASHBOARD = DEPLOY / "grafana" / "pix-imilo.json"
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
}
# Series that are not the connector's own: Prometheus' scrape health.
FOREIGN = {"up"}


def exported() -> dict[str, dict[str, set[str]]]:
    """Each sample name the connector can export, with its labels and their known values."""
    metrics = Metrics()
    label_names = {
        wrapper._name: wrapper._labelnames
        for wrapper in vars(metrics).values()
        if isinstance(wrapper, MetricWrapperBase)
    }
    samples: dict[str, dict[str, set[str]]] = {}
    for family in metrics.registry.collect():
        labels: dict[str, set[str]] = {name: set() for name in label_names.get(family.name, ())}
        for sample in family.samples:
            for label, value in sample.labels.items():
                labels.setdefault(label, set()).add(value)
        for suffix in SUFFIXES.get(family.type, ("",)):
            samples[family.name + suffix] = labels
    return samples


def alert_rules() -> list[dict[str, Any]]:
    (document,) = load_all(PROMETHEUS / "alerts.yml")
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text("utf-8"))  # type: ignore[no-any-return]


def dashboard_queries() -> list[str]:
    return [
        target["expr"] for panel in dashboard()["panels"] for target in panel.get("targets", [])
    ]


def promql(expression: str) -> str:
    """A dashboard query with Grafana's variables replaced, for promtool to parse."""
    return expression.replace("$job", "pix-imilo").replace("$instance", ".*")


def check_metric_names(expression: str, where: str) -> None:
    samples = exported()
    # A metric name: a word not followed by "(" (a function) nor inside quotes or by/on lists.
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    stripped = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", stripped
    )
    stripped = re.sub(r"\[[^\]]*\]", "", stripped)
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", stripped):
        name = match.group(1)
        if name.startswith("pix_imilo"):
            assert name in samples, f"{where}: {name} is not exported by connector/metrics.py"
    for match in re.finditer(r"\b(pix_imilo_[a-z0-9_]+)\s*\{([^}]*)\}", expression):
        name, selectors = match.groups()
        known = samples.get(name, {})
        for label, operator, value in re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"', selectors):
            if label in {"job", "instance"}:
                continue
            assert label in known or label == "le", f"{where}: {name} has no label {label}"
            if operator == "=" and known.get(label):
                assert value in known[label], f"{where}: {name}{{{label}}} is never {value!r}"


def test_promtool_check_rules() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", "alerts.yml"],
        cwd=PROMETHEUS,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", "alerts.test.yml"],
        cwd=PROMETHEUS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_quiet() -> None:
    (tests,) = load_all(PROMETHEUS / "alerts.test.yml")
    assert tests["rule_files"] == ["alerts.yml"]
    fires: set[str] = set()
    quiet: set[str] = set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names)), "an alert name twice"
    assert set(names) == fires, f"never seen firing: {set(names) - fires}"
    assert set(names) == quiet, f"never seen quiet: {set(names) - quiet}"


def test_the_runbook_alerts_are_there() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert {
        "PixImiloNoSuccessfulRun",
        "PixImiloRunsFailing",
        "PixImiloReviewQueueLarge",
        "PixImiloReviewBacklogOld",
        "PixImiloMappingsInvalid",
        "PixImiloLeaseHolderGone",
        "PixImiloWorkerDown",
    } <= names
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_alerts_use_only_exported_metrics() -> None:
    for rule in alert_rules():
        check_metric_names(rule["expr"], rule["alert"])


def test_the_dashboard_uses_only_exported_metrics() -> None:
    queries = dashboard_queries()
    assert queries
    for query in queries:
        check_metric_names(query, "dashboard")
    used = " ".join(queries)
    for name in (
        "pix_imilo_runs_total",
        "pix_imilo_records_total",
        "pix_imilo_run_duration_seconds_bucket",
        "pix_imilo_api_request_duration_seconds_bucket",
        "pix_imilo_api_request_duration_seconds_count",
        "pix_imilo_api_retries_total",
        "pix_imilo_review_queue_size",
        "pix_imilo_mappings_valid",
        "pix_imilo_last_success_timestamp_seconds",
    ):
        assert name in used, f"the dashboard never shows {name}"


def test_the_dashboard_is_well_formed() -> None:
    board = dashboard()
    assert board["uid"] == "pix-imilo" and board["title"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    variables = {variable["name"] for variable in board["templating"]["list"]}
    assert {"datasource", "job", "instance"} <= variables
    for panel in board["panels"]:
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"]), panel["title"]
        assert 0 < panel["gridPos"]["w"] <= 24
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            assert panel["targets"], panel["title"]
        for target in panel.get("targets", []):
            assert target["refId"] and target["expr"], panel["title"]


def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    rules = [
        {"record": f"dashboard:query_{index}", "expr": promql(query)}
        for index, query in enumerate(dashboard_queries())
    ]
    path = tmp_path / "dashboard-queries.yml"
    with path.open("w", encoding="utf-8") as file:
        YAML(typ="safe", pure=True).dump({"groups": [{"name": "dashboard", "rules": rules}]}, file)
    result = subprocess.run(
        [promtool(), "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
