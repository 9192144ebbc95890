"""deploy/kubernetes: the kustomize overlays render (tests/deploy/kustomize.py, or
``kubectl kustomize`` when it is installed: both must agree) and every object passes the checks
below, so a broken manifest fails CI."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from connector.mappings.console_access import load_console_access
from connector.mappings.loader import load_mappings
from tests.deploy.conftest import DEPLOY, SECRET_NAME, known_variables
from tests.deploy.kustomize import load_all, pod_spec, render

KUBERNETES = DEPLOY / "kubernetes"
OVERLAYS = sorted(path.name for path in (KUBERNETES / "overlays").iterdir() if path.is_dir())
UID = 10001
DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# The kinds the manifests may hold, with their apiVersion and required top-level fields.
KINDS = {
    "ConfigMap": ("v1", ["data"]),
    "Deployment": ("apps/v1", ["spec"]),
    "Service": ("v1", ["spec"]),
    "PodDisruptionBudget": ("policy/v1", ["spec"]),
    "PersistentVolumeClaim": ("v1", ["spec"]),
}
MAPPING_FILES = {"organisations.yaml", "campaigns.yaml", "imilo.yaml", "console.yaml"}


def rendered(overlay: str) -> list[dict[str, Any]]:
    return render(KUBERNETES / "overlays" / overlay)


def only(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


def the_deployment(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (deployment,) = only(objects, "Deployment")
    return deployment


def the_container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container  # type: ignore[no-any-return]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


def test_there_are_the_two_overlays() -> None:
    assert OVERLAYS == ["replicas-postgresql", "single-sqlite"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_renderer_agrees_with_kubectl_kustomize(overlay: str) -> None:
    out = subprocess.run(
        ["kubectl", "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    theirs = [doc for doc in YAML(typ="safe", pure=True).load_all(out) if doc]

    def key(obj: dict[str, Any]) -> tuple[str, str]:
        return obj["kind"], obj["metadata"]["name"]

    assert sorted(rendered(overlay), key=key) == sorted(theirs, key=key)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_well_formed(overlay: str) -> None:
    objects = rendered(overlay)
    seen: set[tuple[str, str]] = set()
    for obj in objects:
        kind = obj.get("kind")
        assert kind in KINDS, f"{kind}: not a kind these manifests may hold (no Secret values)"
        api_version, required = KINDS[kind]
        assert obj.get("apiVersion") == api_version, kind
        for field in required:
            assert obj.get(field), f"{kind}: {field} missing"
        metadata = obj.get("metadata", {})
        name = metadata.get("name", "")
        assert DNS_1123.match(name) and len(name) <= 63, f"{kind} {name!r}: not a valid name"
        assert metadata.get("namespace") == "pix-imilo", f"{kind} {name}: no namespace"
        assert metadata.get("labels", {}).get("app.kubernetes.io/name") == "pix-imilo"
        assert (kind, name) not in seen, f"{kind} {name} twice"
        seen.add((kind, name))
    assert {kind for kind, _ in seen} >= {
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_pod_runs_unprivileged_read_only(overlay: str) -> None:
    deployment = the_deployment(rendered(overlay))
    spec = pod_spec(deployment)
    assert spec is not None
    pod_context = spec["securityContext"]
    assert pod_context["runAsNonRoot"] is True
    assert (pod_context["runAsUser"], pod_context["runAsGroup"], pod_context["fsGroup"]) == (
        UID,
        UID,
        UID,
    )
    assert spec.get("automountServiceAccountToken") is False
    assert spec["terminationGracePeriodSeconds"] >= 30
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context.get("runAsUser", UID) == UID
        assert context.get("runAsGroup", UID) == UID
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert "add" not in context["capabilities"]
        assert not context.get("privileged", False)
        mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
        assert "/tmp" in mounts, "a read-only root file system needs a writable /tmp"  # noqa: S108


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_image_is_pinned(overlay: str) -> None:
    image = the_container(the_deployment(rendered(overlay)))["image"]
    name, _, digest = image.partition("@")
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    assert digest.startswith("sha256:") or (tag and tag != "latest"), image
    assert "/" in name, f"{image}: name the registry the image comes from"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_probes_are_healthz_and_readyz_on_the_ops_port(overlay: str) -> None:
    container = the_container(the_deployment(rendered(overlay)))
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": 8080, "console": 8081}, "the image's ops and console ports"
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert ports.get(get["port"], get["port"]) == 8080, probe
        assert container[probe]["timeoutSeconds"] >= 3


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_inline(overlay: str) -> None:
    objects = rendered(overlay)
    container = the_container(the_deployment(objects))
    for name, item in env_of(container).items():
        assert name in known_variables(), f"{name}: not a setting of the connector"
        if "value" in item:
            assert not (SECRET_NAME.search(name) and not name.endswith("_FILE")), name
            assert not re.search(r"://[^/@]*:[^/@]*@", str(item["value"])), (
                f"{name}: a password in a URL"
            )
    (env_config,) = [
        obj
        for obj in only(objects, "ConfigMap")
        if {"configMapRef": {"name": obj["metadata"]["name"]}} in container["envFrom"]
    ]
    for name, value in env_config["data"].items():
        assert name in known_variables(), f"{name}: not a setting of the connector"
        assert not (SECRET_NAME.search(name) and not name.endswith("_FILE")), name
        assert isinstance(value, str), f"{name}: ConfigMap values are strings"
    # The secret files come from a mounted Secret, referenced by name only.
    secret_volumes = [volume for volume in pod_spec_of(objects)["volumes"] if "secret" in volume]
    assert secret_volumes, "the secrets come from a Secret volume"
    mounts = {mount["name"]: mount for mount in container["volumeMounts"]}
    for volume in secret_volumes:
        assert set(volume["secret"]) <= {"secretName", "defaultMode", "items", "optional"}
        assert mounts[volume["name"]]["readOnly"] is True
        directory = mounts[volume["name"]]["mountPath"]
        for variable in ("PIX_CLIENT_SECRET_FILE", "IMILO_API_KEY_FILE"):
            assert env_config["data"][variable].startswith(directory + "/"), variable


def pod_spec_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    spec = pod_spec(the_deployment(objects))
    assert spec is not None
    return spec


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_volumes_mounts_and_references_match(overlay: str) -> None:
    objects = rendered(overlay)
    spec = pod_spec_of(objects)
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    assert len(volumes) == len(spec["volumes"]), "a volume name twice"
    used = set()
    for container in spec["containers"]:
        paths = [mount["mountPath"] for mount in container["volumeMounts"]]
        assert len(paths) == len(set(paths)), "a mount path twice"
        for mount in container["volumeMounts"]:
            assert mount["name"] in volumes, f"{mount['name']}: no such volume"
            assert "subPath" not in mount, "a subPath mount never sees an edited ConfigMap"
            used.add(mount["name"])
    assert used == set(volumes), f"volumes never mounted: {set(volumes) - used}"
    config_maps = {obj["metadata"]["name"] for obj in only(objects, "ConfigMap")}
    claims = {obj["metadata"]["name"] for obj in only(objects, "PersistentVolumeClaim")}
    for volume in volumes.values():
        if "configMap" in volume:
            assert volume["configMap"]["name"] in config_maps
        if "persistentVolumeClaim" in volume:
            assert volume["persistentVolumeClaim"]["claimName"] in claims
    for container in spec["containers"]:
        for source in container.get("envFrom", []):
            assert source["configMapRef"]["name"] in config_maps


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_mappings_config_map_is_mounted_and_valid(overlay: str, tmp_path: Path) -> None:
    objects = rendered(overlay)
    spec = pod_spec_of(objects)
    mounts = {mount["name"]: mount for mount in spec["containers"][0]["volumeMounts"]}
    (volume,) = [
        volume
        for volume in spec["volumes"]
        if mounts[volume["name"]]["mountPath"] == "/etc/pix-imilo/mappings"
    ]
    assert mounts[volume["name"]]["readOnly"] is True
    (config_map,) = [
        obj
        for obj in only(objects, "ConfigMap")
        if obj["metadata"]["name"] == volume["configMap"]["name"]
    ]
    assert set(config_map["data"]) <= MAPPING_FILES
    assert {"organisations.yaml", "campaigns.yaml"} <= set(config_map["data"])
    for name, text in config_map["data"].items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    load_mappings(tmp_path)  # raises on a mapping error
    load_console_access(tmp_path)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_and_disruption_budget_select_the_pods(overlay: str) -> None:
    objects = rendered(overlay)
    deployment = the_deployment(objects)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    services = {service["metadata"]["name"]: service for service in only(objects, "Service")}
    assert set(services) == {"pix-imilo", "pix-imilo-console"}
    port_names = {port["name"] for port in the_container(deployment)["ports"]}
    for service in services.values():
        assert service["spec"]["selector"].items() <= labels.items()
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names or port["targetPort"] == 8080
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", "reached through TLS"
    # The console's Service never leads to the ops port, nor the ops Service to the console.
    assert [p["targetPort"] for p in services["pix-imilo-console"]["spec"]["ports"]] == ["console"]
    assert [p["targetPort"] for p in services["pix-imilo"]["spec"]["ports"]] == ["http"]
    (budget,) = only(objects, "PodDisruptionBudget")
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert len({"minAvailable", "maxUnavailable"} & set(budget["spec"])) == 1
    if deployment["spec"]["replicas"] == 1:
        assert "minAvailable" not in budget["spec"], "one replica and minAvailable block drains"


def test_single_sqlite_is_one_replica_on_a_claim_recreated() -> None:
    objects = rendered("single-sqlite")
    deployment = the_deployment(objects)
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    container = the_container(deployment)
    url = env_of(container)["CONNECTOR_DATABASE_URL"]["value"]
    assert url.startswith("sqlite:////var/lib/pix-imilo/")
    (claim,) = only(objects, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"]
    volumes = {volume["name"]: volume for volume in pod_spec_of(objects)["volumes"]}
    (state,) = [
        mount for mount in container["volumeMounts"] if mount["mountPath"] == "/var/lib/pix-imilo"
    ]
    assert volumes[state["name"]]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert not state.get("readOnly", False)
    assert env_of(container).get("CONNECTOR_LEASES", {}).get("value", "auto") in {"auto", "false"}


def test_replicas_postgresql_takes_its_url_from_a_secret() -> None:
    objects = rendered("replicas-postgresql")
    deployment = the_deployment(objects)
    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"].get("strategy", {}).get("type", "RollingUpdate") == "RollingUpdate"
    env = env_of(the_container(deployment))
    reference = env["CONNECTOR_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert reference["name"] and reference["key"]
    assert "value" not in env["CONNECTOR_DATABASE_URL"]
    assert env["CONNECTOR_LEASES"]["value"] in {"auto", "true"}
    assert not only(objects, "PersistentVolumeClaim"), "PostgreSQL holds the state"


def test_kustomizations_use_only_what_the_renderer_knows() -> None:
    for path in KUBERNETES.rglob("kustomization.yaml"):
        (kustomization,) = load_all(path)
        assert kustomization["kind"] == "Kustomization", path
        render(path.parent)  # raises on an unsupported field or a patch matching nothing
