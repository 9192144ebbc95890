"""A small kustomize renderer for the manifests under ``deploy/kubernetes``, so that CI checks
them without the kustomize binary.

It knows what those manifests use, and refuses anything else (so a new field cannot be
silently ignored): ``resources`` (files and directories), ``patches`` (strategic merge patches
from files), ``images`` and ``namespace``. Strategic merge covers the lists of a pod spec,
merged by their keys as Kubernetes does; other lists are replaced; ``null`` deletes a key.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

SUPPORTED = {"apiVersion", "kind", "resources", "patches", "images", "namespace"}
# Lists merged item by item, by this key (the patchMergeKey of the Kubernetes API).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "topologySpreadConstraints": "topologyKey",
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume"}


class RenderError(Exception):
    pass


def load_all(path: Path) -> list[dict[str, Any]]:
    yaml = YAML(typ="safe", pure=True)
    return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8")) if doc is not None]


def strategic_merge(base: Any, patch: Any, key: str | None = None) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for name, value in patch.items():
            if value is None:
                merged.pop(name, None)
            elif name in merged:
                merged[name] = strategic_merge(merged[name], value, name)
            else:
                merged[name] = copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and key in MERGE_KEYS:
        merge_key = MERGE_KEYS[key]
        merged_list = [copy.deepcopy(item) for item in base]
        added = []
        for item in patch:
            for index, existing in enumerate(merged_list):
                if existing.get(merge_key) == item.get(merge_key):
                    merged_list[index] = strategic_merge(existing, item)
                    break
            else:
                added.append(copy.deepcopy(item))
        return added + merged_list  # kustomize puts the new items first
    return copy.deepcopy(patch)


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return obj["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    if kind == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return None


def _set_image(obj: dict[str, Any], image: dict[str, Any]) -> None:
    spec = pod_spec(obj)
    if spec is None:
        return
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        current = container["image"]
        name = current.split("@", 1)[0]
        tag = None
        if ":" in name.rsplit("/", 1)[-1]:
            name, tag = name.rsplit(":", 1)
        if name != image["name"]:
            continue
        new = image.get("newName", name)
        if "digest" in image:
            container["image"] = f"{new}@{image['digest']}"
        elif "newTag" in image:
            container["image"] = f"{new}:{image['newTag']}"
        else:
            container["image"] = f"{new}:{tag}" if tag else new


def render(directory: Path) -> list[dict[str, Any]]:
    """The objects ``kustomize build directory`` gives, for the features listed above."""
    kustomization = load_all(directory / "kustomization.yaml")[0]
    unsupported = set(kustomization) - SUPPORTED
    if unsupported:
        raise RenderError(f"{directory}: unsupported kustomization fields {sorted(unsupported)}")
    objects: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        objects.extend(render(path) if path.is_dir() else load_all(path))
    for patch_entry in kustomization.get("patches", []):
        if set(patch_entry) != {"path"}:
            raise RenderError(f"{directory}: only patches with a path are supported")
        for patch in load_all(directory / patch_entry["path"]):
            targets = [
                index
                for index, obj in enumerate(objects)
                if obj["kind"] == patch["kind"]
                and obj["metadata"]["name"] == patch["metadata"]["name"]
            ]
            if len(targets) != 1:
                raise RenderError(
                    f"{directory}: patch {patch_entry['path']} matches {len(targets)} objects"
                )
            objects[targets[0]] = strategic_merge(objects[targets[0]], patch)
    for image in kustomization.get("images", []):
        for obj in objects:
            _set_image(obj, image)
    namespace = kustomization.get("namespace")
    if namespace:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"] = {**obj["metadata"], "namespace": namespace}
    return objects
