"""Policy checks over rendered manifests. Each returns a list of problems (empty when all is well), so a
test can show both that the real manifests pass and that a broken copy of them fails."""

from __future__ import annotations

import re

import kubernetes_validate

from deploy import registry

K8S_VERSION = "1.30"
BUILTIN_GROUPS = {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io"}

SERVICES = {s.name: s.port for s in registry.SERVICES}


def prefix(service: str) -> str:
    return service.upper().replace("-", "_") + "_"


def group(obj: dict) -> str:
    api_version = obj.get("apiVersion", "")
    return api_version.split("/")[0] if "/" in api_version else ""


def name(obj: dict) -> str:
    return obj["metadata"]["name"]


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o.get("kind") == kind]


def find(objects: list[dict], kind: str, object_name: str) -> dict | None:
    return next((o for o in of_kind(objects, kind) if name(o) == object_name), None)


def pod_spec(obj: dict) -> dict | None:
    spec = obj.get("spec", {})
    if obj["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        return spec.get("template", {}).get("spec")
    return None


def describe(obj: dict) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# -- schema -------------------------------------------------------------------------------------


def schema_problems(objects: list[dict]) -> list[str]:
    """Built-in kinds against the Kubernetes OpenAPI schema (strict: unknown fields are errors)."""
    problems = []
    for obj in objects:
        if group(obj) not in BUILTIN_GROUPS:
            continue
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{describe(obj)}: {exc.message} at {list(exc.path)}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            problems.append(f"{describe(obj)}: no schema ({exc})")
    return problems


def _required(obj: dict, *paths: str) -> list[str]:
    problems = []
    for path in paths:
        node = obj
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node or node[part] in (None, "", [], {}):
                problems.append(f"{describe(obj)}: missing {path}")
                break
            node = node[part]
    return problems


def crd_problems(objects: list[dict]) -> list[str]:
    """Strimzi and CloudNativePG objects: the fields their operators require, and their cross-references."""
    problems = []
    kafkas = {name(k): k for k in of_kind(objects, "Kafka")}
    pools = of_kind(objects, "KafkaNodePool")
    topics = {t.get("spec", {}).get("topicName", name(t)) for t in of_kind(objects, "KafkaTopic")}
    for obj in objects:
        kind, g = obj.get("kind"), group(obj)
        if g == "kafka.strimzi.io" and obj.get("apiVersion") != "kafka.strimzi.io/v1beta2":
            problems.append(f"{describe(obj)}: apiVersion must be kafka.strimzi.io/v1beta2")
        if g == "kafka.strimzi.io" and kind != "Kafka":
            cluster = obj.get("metadata", {}).get("labels", {}).get("strimzi.io/cluster")
            if cluster not in kafkas:
                problems.append(f"{describe(obj)}: label strimzi.io/cluster={cluster!r} names no Kafka")
        if (
            not re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", obj.get("metadata", {}).get("name", ""))
            and g not in BUILTIN_GROUPS
        ):
            problems.append(f"{describe(obj)}: invalid metadata.name")
    for kafka in kafkas.values():
        problems += _required(
            kafka, "spec.kafka.version", "spec.kafka.metadataVersion", "spec.kafka.listeners", "spec.entityOperator"
        )
        annotations = kafka["metadata"].get("annotations", {})
        if annotations.get("strimzi.io/kraft") != "enabled" or annotations.get("strimzi.io/node-pools") != "enabled":
            problems.append(
                f"{describe(kafka)}: KRaft needs annotations strimzi.io/kraft and strimzi.io/node-pools = enabled"
            )
        if "zookeeper" in kafka.get("spec", {}):
            problems.append(f"{describe(kafka)}: KRaft mode has no zookeeper section")
        for listener in kafka.get("spec", {}).get("kafka", {}).get("listeners", []):
            missing = {"name", "port", "type", "tls"} - set(listener)
            if missing:
                problems.append(f"{describe(kafka)}: listener {listener.get('name')} lacks {sorted(missing)}")
        mine = [p for p in pools if p["metadata"].get("labels", {}).get("strimzi.io/cluster") == name(kafka)]
        roles = {r for p in mine for r in p.get("spec", {}).get("roles", [])}
        if not {"controller", "broker"} <= roles:
            problems.append(
                f"{describe(kafka)}: its node pools must provide both controller and broker roles, have {sorted(roles)}"
            )
        brokers = sum(p["spec"].get("replicas", 0) for p in mine if "broker" in p["spec"].get("roles", []))
        config = kafka["spec"]["kafka"].get("config", {})
        for key in (
            "default.replication.factor",
            "offsets.topic.replication.factor",
            "transaction.state.log.replication.factor",
        ):
            if int(config.get(key, 1)) > brokers:
                problems.append(f"{describe(kafka)}: {key}={config.get(key)} exceeds {brokers} brokers")
        if int(config.get("min.insync.replicas", 1)) > int(config.get("default.replication.factor", 1)):
            problems.append(f"{describe(kafka)}: min.insync.replicas exceeds default.replication.factor")
        for topic in of_kind(objects, "KafkaTopic"):
            replicas = topic.get("spec", {}).get("replicas", 0)
            if replicas > brokers:
                problems.append(f"{describe(topic)}: {replicas} replicas but only {brokers} brokers")
            isr = int(topic.get("spec", {}).get("config", {}).get("min.insync.replicas", 1))
            if isr > replicas:
                problems.append(f"{describe(topic)}: min.insync.replicas {isr} > replicas {replicas}")
    for pool in pools:
        problems += _required(pool, "spec.replicas", "spec.roles", "spec.storage.type")
        if set(pool["spec"].get("roles", [])) - {"controller", "broker"}:
            problems.append(f"{describe(pool)}: unknown roles")
    for topic in of_kind(objects, "KafkaTopic"):
        problems += _required(topic, "spec.partitions", "spec.replicas")
    for user in of_kind(objects, "KafkaUser"):
        problems += _required(user, "spec.authentication.type", "spec.authorization.type", "spec.authorization.acls")
        if user.get("spec", {}).get("authentication", {}).get("type") not in ("tls", "scram-sha-512", "tls-external"):
            problems.append(f"{describe(user)}: unknown authentication type")
        for entry in user.get("spec", {}).get("authorization", {}).get("acls", []):
            resource = entry.get("resource", {})
            if resource.get("type") not in ("topic", "group", "cluster", "transactionalId"):
                problems.append(f"{describe(user)}: ACL resource type {resource.get('type')!r}")
            if not entry.get("operations"):
                problems.append(f"{describe(user)}: ACL without operations")
            literal = resource.get("patternType", "literal") == "literal"
            if resource.get("type") == "topic" and literal and resource.get("name") not in topics:
                problems.append(f"{describe(user)}: ACL on topic {resource.get('name')!r} which has no KafkaTopic")
    for cluster in of_kind(objects, "Cluster"):
        if cluster.get("apiVersion") != "postgresql.cnpg.io/v1":
            problems.append(f"{describe(cluster)}: apiVersion must be postgresql.cnpg.io/v1")
        problems += _required(
            cluster,
            "spec.instances",
            "spec.storage.size",
            "spec.bootstrap.initdb.database",
            "spec.bootstrap.initdb.owner",
        )
    return problems


# -- workload policy ----------------------------------------------------------------------------


CPU_MEM = {"cpu", "memory"}


def workload_problems(objects: list[dict]) -> list[str]:
    """Every Deployment and Job: probes (Deployments), resources, a locked-down securityContext, a pinned image."""
    problems = []
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        where = describe(obj)
        pod_sc = spec.get("securityContext", {})
        if pod_sc.get("runAsNonRoot") is not True:
            problems.append(f"{where}: pod securityContext.runAsNonRoot must be true")
        if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: pod seccompProfile must be RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: automountServiceAccountToken must be false")
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            cw = f"{where} container {c.get('name')}"
            sc = c.get("securityContext", {})
            if sc.get("runAsNonRoot") is not True or sc.get("runAsUser", pod_sc.get("runAsUser", 0)) == 0:
                problems.append(f"{cw}: must run as a non-root user")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{cw}: readOnlyRootFilesystem must be true")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{cw}: allowPrivilegeEscalation must be false")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []) or sc.get("capabilities", {}).get("add"):
                problems.append(f"{cw}: must drop ALL capabilities and add none")
            if sc.get("seccompProfile", {}).get("type", "RuntimeDefault") != "RuntimeDefault" or sc.get("privileged"):
                problems.append(f"{cw}: seccompProfile RuntimeDefault, not privileged")
            resources = c.get("resources", {})
            for level in ("requests", "limits"):
                if not CPU_MEM <= set(resources.get(level, {})):
                    problems.append(f"{cw}: resources.{level} needs cpu and memory")
            image = c.get("image", "")
            if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
                problems.append(f"{cw}: image {image!r} must have a pinned tag (not latest)")
            if obj["kind"] == "Deployment":
                for probe in ("livenessProbe", "readinessProbe"):
                    if not c.get(probe):
                        problems.append(f"{cw}: no {probe}")
    return problems


def api_container(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def service_problems(objects: list[dict]) -> list[str]:
    """What each service must have: API + worker Deployments, Service, PDBs, HPA, NetworkPolicy, migration Job."""
    problems = []
    for service, port in SERVICES.items():
        api = find(objects, "Deployment", f"{service}-api")
        worker = find(objects, "Deployment", f"{service}-worker")
        if api is None or worker is None:
            problems.append(f"{service}: needs Deployments {service}-api and {service}-worker")
            continue
        package = service.replace("-", "_")
        c = api_container(api)
        serve = ["python", "-m", package, "serve", "--host", "0.0.0.0", "--port", str(port), "--workers", "none"]
        if c.get("command", []) + c.get("args", []) != serve:
            problems.append(f"{service}: the API must run `python -m {package} serve ... --port {port} --workers none`")
        wc = api_container(worker)
        if wc.get("command", []) + wc.get("args", []) != ["python", "-m", package, "worker", "--metrics-port", "9100"]:
            problems.append(f"{service}: the worker must run `python -m {package} worker --metrics-port 9100`")
        worker_ports = {p.get("name"): p["containerPort"] for p in wc.get("ports", [])}
        if worker_ports.get("metrics") != 9100:
            problems.append(f"{service}: worker container port `metrics` must be 9100")
        for probe, path in (("livenessProbe", "/health/liveness"), ("readinessProbe", "/health/readiness")):
            if wc.get(probe, {}).get("httpGet") != {"path": path, "port": "metrics"}:
                problems.append(f"{service}: the worker's {probe} must be httpGet {path} on port `metrics`")
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        if ports.get("http") != port:
            problems.append(f"{service}: API container port `http` must be {port}")
        for probe, path in (("livenessProbe", "/health/liveness"), ("readinessProbe", "/health/readiness")):
            get = c.get(probe, {}).get("httpGet", {})
            if get.get("path") != path or get.get("port") not in ("http", port):
                problems.append(f"{service}: API {probe} must GET {path} on the http port")
        api_labels = api["spec"]["template"]["metadata"]["labels"]
        worker_labels = worker["spec"]["template"]["metadata"]["labels"]
        if not _selects(api["spec"]["selector"]["matchLabels"], api_labels):
            problems.append(f"{service}: API Deployment selector does not match its pods")

        svc = find(objects, "Service", service)
        svc_selector = svc["spec"].get("selector", {}) if svc else {}
        if svc is None or not _selects(svc_selector, api_labels) or _selects(svc_selector, worker_labels):
            problems.append(f"{service}: a Service {service} must select the API pods (and not the workers)")
        pdb_selected = [
            p
            for p in of_kind(objects, "PodDisruptionBudget")
            if _selects(p["spec"]["selector"].get("matchLabels", {}), api_labels)
        ]
        if not pdb_selected:
            problems.append(f"{service}: no PodDisruptionBudget covers the API pods")
        hpas = [
            h
            for h in of_kind(objects, "HorizontalPodAutoscaler")
            if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service}-api"}
        ]
        if not hpas:
            problems.append(f"{service}: no HorizontalPodAutoscaler scales {service}-api")
        elif hpas[0]["spec"].get("minReplicas", 1) > hpas[0]["spec"]["maxReplicas"]:
            problems.append(f"{service}: HPA minReplicas > maxReplicas")
        if "replicas" in api["spec"]:
            problems.append(f"{service}: the API Deployment must leave replicas to the HPA")
        policies = [
            n
            for n in of_kind(objects, "NetworkPolicy")
            if n["spec"]["podSelector"].get("matchLabels")
            and _selects(n["spec"]["podSelector"]["matchLabels"], api_labels)
        ]
        if not policies or not any(n["spec"].get("ingress") for n in policies):
            problems.append(f"{service}: no NetworkPolicy allows ingress to the API pods")
        jobs = [
            j
            for j in of_kind(objects, "Job")
            if (lambda jc: jc.get("command", []) + jc.get("args", []))(j["spec"]["template"]["spec"]["containers"][0])
            == ["python", "-m", package, "migrate"]
        ]
        if not jobs:
            problems.append(f"{service}: no migration Job runs `python -m {package} migrate`")
        if find(objects, "Cluster", f"{service}-db") is None:
            problems.append(f"{service}: no CloudNativePG Cluster {service}-db")
        if find(objects, "KafkaUser", service) is None:
            problems.append(f"{service}: no KafkaUser {service}")
        if find(objects, "ConfigMap", f"{service}-config") is None:
            problems.append(f"{service}: no ConfigMap {service}-config")
    return problems


def _selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def network_problems(objects: list[dict]) -> list[str]:
    problems = []
    deny = [
        n
        for n in of_kind(objects, "NetworkPolicy")
        if n["spec"].get("podSelector") == {}
        and set(n["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not n["spec"].get("ingress")
        and not n["spec"].get("egress")
    ]
    if not deny:
        problems.append("no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)")
    for n in of_kind(objects, "NetworkPolicy"):
        for rule in n["spec"].get("ingress", []):
            if not rule.get("from"):
                problems.append(f"{describe(n)}: an ingress rule without `from` admits everyone")
    return problems


# -- settings as the pods will see them ---------------------------------------------------------


VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def container_env(objects: list[dict], container: dict) -> tuple[dict[str, str], list[str]]:
    """The container's environment with ConfigMaps and $(VAR) references resolved; secrets shown as
    `<secret:name/key>`. Also returns problems (missing ConfigMaps, references to undefined variables)."""
    env: dict[str, str] = {}
    problems = []
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        cm = find(objects, "ConfigMap", ref)
        if cm is None:
            problems.append(f"envFrom ConfigMap {ref!r} does not exist")
            continue
        env.update(cm.get("data", {}))
    for item in container.get("env", []):
        if "value" in item:

            def expand(match: re.Match, variable: str = item["name"]) -> str:
                if match.group(1) not in env:
                    problems.append(f"{variable} refers to $({match.group(1)}) which is not defined before it")
                    return match.group(0)
                return env[match.group(1)]

            env[item["name"]] = VAR.sub(expand, item["value"])
        else:
            ref = item.get("valueFrom", {}).get("secretKeyRef", {})
            env[item["name"]] = f"<secret:{ref.get('name')}/{ref.get('key')}>"
    return env, problems


# -- backups ------------------------------------------------------------------------------------


def backup_problems(objects: list[dict]) -> list[str]:
    """Every CloudNativePG Cluster archives WAL and takes base backups to an object store whose credentials
    come from a Secret, and a ScheduledBackup takes one at least daily."""
    problems = []
    scheduled = {b["spec"].get("cluster", {}).get("name"): b for b in of_kind(objects, "ScheduledBackup")}
    for cluster in of_kind(objects, "Cluster"):
        store = cluster.get("spec", {}).get("backup", {}).get("barmanObjectStore")
        if not store:
            problems.append(f"{describe(cluster)}: no backup.barmanObjectStore")
            continue
        path = store.get("destinationPath", "")
        if not re.fullmatch(r"(s3|gs|https)://[a-z0-9][-a-z0-9.]*[a-z0-9]/?.*", path) or "set-per-overlay" in path:
            problems.append(f"{describe(cluster)}: destinationPath {path!r} is not an environment's bucket")
        credentials = store.get("s3Credentials", {})
        for field in ("accessKeyId", "secretAccessKey"):
            ref = credentials.get(field, {})
            if set(ref) != {"name", "key"}:
                problems.append(f"{describe(cluster)}: s3Credentials.{field} must be a Secret reference (name, key)")
        if not store.get("wal", {}).get("compression"):
            problems.append(f"{describe(cluster)}: WAL archiving is not configured (barmanObjectStore.wal)")
        if not cluster["spec"]["backup"].get("retentionPolicy"):
            problems.append(f"{describe(cluster)}: no backup.retentionPolicy")
        backup = scheduled.get(name(cluster))
        if backup is None:
            problems.append(f"{describe(cluster)}: no ScheduledBackup")
        elif (
            backup["spec"].get("method") != "barmanObjectStore" or len(backup["spec"].get("schedule", "").split()) != 6
        ):
            problems.append(f"{describe(backup)}: method must be barmanObjectStore and schedule six cron fields")
    return problems
