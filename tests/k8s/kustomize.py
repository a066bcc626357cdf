"""A small Kustomize renderer for exactly the features k8s/ uses, so the manifests are checked offline.

Supported: `resources` (files, or folders with a kustomization.yaml), `namespace`, `images`
(name -> newName/newTag) and `patches` (inline `patch` or `path`; optional `target` by group, version,
kind, name, namespace, labelSelector `k=v[,k=v]`). A patch whose body is a YAML list is JSON 6902;
otherwise it is a strategic merge patch: maps merge, `null` deletes, and lists of maps merge by `name`
(containers, env, volumes, ports) for the built-in kinds; for custom resources, as in Kustomize, lists
are replaced whole (JSON merge patch). Anything else in a kustomization.yaml is an error here, so using
a feature this renderer does not know fails the tests instead of being silently ignored.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

KNOWN_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
BUILTIN_GROUPS = {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io"}
# Cluster-scoped kinds never get a namespace.
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass"}


class KustomizeError(ValueError):
    pass


def render(directory: Path) -> list[dict]:
    """The objects `kustomize build directory` would emit (in resource order)."""
    directory = Path(directory)
    file = directory / "kustomization.yaml"
    if not file.exists():
        raise KustomizeError(f"no kustomization.yaml in {directory}")
    k = yaml.safe_load(file.read_text()) or {}
    unknown = set(k) - KNOWN_FIELDS
    if unknown:
        raise KustomizeError(f"{file}: fields this renderer does not support: {sorted(unknown)}")

    objects: list[dict] = []
    for entry in k.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects.extend(render(path))
        elif path.is_file():
            objects.extend(d for d in yaml.safe_load_all(path.read_text()) if d is not None)
        else:
            raise KustomizeError(f"{file}: resource {entry} does not exist")
    _check_unique(objects, file)

    for patch in k.get("patches", []):
        _apply_patch(objects, patch, directory, file)
    if "images" in k:
        for obj in objects:
            _set_images(obj, k["images"])
    if "namespace" in k:
        for obj in objects:
            if obj.get("kind") not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = k["namespace"]
    return objects


def ident(obj: dict) -> tuple[str, str, str]:
    return obj.get("apiVersion", ""), obj.get("kind", ""), obj.get("metadata", {}).get("name", "")


def _check_unique(objects: list[dict], source: Path) -> None:
    seen = set()
    for obj in objects:
        metadata = obj.get("metadata", {})
        key = (_group(obj.get("apiVersion", "")), obj.get("kind"), metadata.get("namespace"), metadata.get("name"))
        if key in seen:
            raise KustomizeError(f"{source}: {key} is defined twice")
        seen.add(key)


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


# -- patches -------------------------------------------------------------------------------------


def _apply_patch(objects: list[dict], spec: dict, directory: Path, file: Path) -> None:
    unknown = set(spec) - {"patch", "path", "target"}
    if unknown:
        raise KustomizeError(f"{file}: patch fields not supported: {sorted(unknown)}")
    if ("patch" in spec) == ("path" in spec):
        raise KustomizeError(f"{file}: a patch needs exactly one of `patch` and `path`")
    body = yaml.safe_load(spec["patch"] if "patch" in spec else (directory / spec["path"]).read_text())
    target = spec.get("target")
    if isinstance(body, list):
        if not target:
            raise KustomizeError(f"{file}: a JSON 6902 patch needs a target")
        matches = [o for o in objects if _matches(o, target)]
        for obj in matches:
            _json6902(obj, body)
    else:
        if not isinstance(body, dict) or "kind" not in body:
            raise KustomizeError(f"{file}: a strategic merge patch needs at least `kind`")
        if target:
            matches = [o for o in objects if _matches(o, target)]
        else:
            name = body.get("metadata", {}).get("name")
            matches = [o for o in objects if o.get("kind") == body["kind"] and o.get("metadata", {}).get("name") == name
                       and _group(o.get("apiVersion", "")) == _group(body.get("apiVersion", ""))]
        merge_lists = _group(body.get("apiVersion", "")) in BUILTIN_GROUPS
        for obj in matches:
            patch = copy.deepcopy(body)
            patch.pop("apiVersion", None)
            patch.pop("kind", None)
            patch_meta = patch.get("metadata", {})
            patch_meta.pop("name", None)  # with a target, the patch's name is only a placeholder
            if not patch_meta:
                patch.pop("metadata", None)
            merged = strategic_merge(obj, patch, merge_lists)
            obj.clear()
            obj.update(merged)
    if not matches:
        raise KustomizeError(f"{file}: patch matches no object: {target or body.get('metadata')}")


def _matches(obj: dict, target: dict) -> bool:
    api_version = obj.get("apiVersion", "")
    metadata = obj.get("metadata", {})
    if "group" in target and _group(api_version) != target["group"]:
        return False
    if "version" in target and api_version.split("/")[-1] != target["version"]:
        return False
    if "kind" in target and obj.get("kind") != target["kind"]:
        return False
    if "name" in target and metadata.get("name") != target["name"]:
        return False
    if "namespace" in target and metadata.get("namespace") != target["namespace"]:
        return False
    if "labelSelector" in target:
        labels = metadata.get("labels", {})
        for term in target["labelSelector"].split(","):
            key, _, value = term.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    unknown = set(target) - {"group", "version", "kind", "name", "namespace", "labelSelector"}
    if unknown:
        raise KustomizeError(f"target fields not supported: {sorted(unknown)}")
    return True


def strategic_merge(base, patch, merge_lists: bool = True):
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = strategic_merge(out[key], value, merge_lists)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if (merge_lists and isinstance(base, list) and isinstance(patch, list)
            and all(isinstance(i, dict) and "name" in i for i in base + patch)):
        out = [copy.deepcopy(i) for i in base]
        for item in patch:
            existing = next((i for i, b in enumerate(out) if b["name"] == item["name"]), None)
            if existing is None:
                out.append(copy.deepcopy(item))
            else:
                out[existing] = strategic_merge(out[existing], item, merge_lists)
        return out
    return copy.deepcopy(patch)


def _json6902(obj: dict, operations: list[dict]) -> None:
    for op in operations:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].lstrip("/").split("/")]
        parent = obj
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last = parts[-1]
        kind = op["op"]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(index, copy.deepcopy(op["value"]))
            elif kind == "replace":
                parent[index] = copy.deepcopy(op["value"])
            elif kind == "remove":
                del parent[index]
            else:
                raise KustomizeError(f"JSON 6902 op not supported: {kind}")
        else:
            if kind in ("add", "replace"):
                if kind == "replace" and last not in parent:
                    raise KustomizeError(f"replace of missing path {op['path']}")
                parent[last] = copy.deepcopy(op["value"])
            elif kind == "remove":
                del parent[last]
            else:
                raise KustomizeError(f"JSON 6902 op not supported: {kind}")


# -- images --------------------------------------------------------------------------------------


def _set_images(obj: dict, images: list[dict]) -> None:
    spec = obj.get("spec", {})
    pod = spec.get("template", {}).get("spec") if "template" in spec else None
    if pod is None and isinstance(spec.get("jobTemplate"), dict):
        pod = spec["jobTemplate"].get("spec", {}).get("template", {}).get("spec")
    if not pod:
        return
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        name, tag = _split_image(container.get("image", ""))
        for image in images:
            if image["name"] == name:
                new_name = image.get("newName", name)
                new_tag = image.get("newTag", tag)
                container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name


def _split_image(image: str) -> tuple[str, str | None]:
    if "@" in image:
        return image.split("@", 1)[0], None
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        return image.rsplit(":", 1)[0], image.rsplit(":", 1)[1]
    return image, None
