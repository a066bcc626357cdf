"""Writes the per-service part of k8s/base from one table, so five services cannot drift apart.

    .venv/bin/python k8s/generate.py          # rewrite the generated files
    .venv/bin/python k8s/generate.py --check  # exit 1 if they are out of date (the test suite does this too)

What it writes (each file says so in its first line; edit this script, not them):
  base/services/<service>.yaml   ConfigMap, API Deployment (`serve --workers none`), worker Deployment,
                                 Service, PDBs, HPA, NetworkPolicies, migration Job, CloudNativePG Cluster
  base/kafka/topics.yaml         a KafkaTopic per topic in probation_shared.events.topics and a
                                 dead-letter topic `dlq.<service>.<consumer>` per subscription
  base/kafka/users.yaml          a KafkaUser per service with its ACLs

Topics, producers and consumers are read from the services' own `SPEC`s (the code is the source of
truth): a new `Subscription` in a service gets its DLQ topic and read ACLs by re-running this script,
and the test suite fails until someone does. Who calls whose HTTP API is not in the code, so it is
the CALLS table below. Everything else shared by all environments is hand-written in base/; what
differs per environment is in overlays/.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"

KAFKA_CLUSTER = "probation-kafka"
KAFKA_BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap:9093"  # the TLS + SCRAM-SHA-512 listener (base/kafka/kafka.yaml)
KAFKA_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"  # made by Strimzi
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
CNPG_OPERATOR_NAMESPACE = "cnpg-system"
IMAGE_REPOSITORY = "probation-platform"
PART_OF = "probation-platform"


@dataclass(frozen=True)
class Service:
    name: str  # case-allocation
    port: int

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")

    @property
    def prefix(self) -> str:  # the settings' env_prefix
        return self.name.upper().replace("-", "_") + "_"

    @property
    def database(self) -> str:
        return self.package

    @property
    def db_cluster(self) -> str:
        return f"{self.name}-db"

    @property
    def image(self) -> str:
        return f"{IMAGE_REPOSITORY}/{self.name}"


SERVICES = [
    Service("case-allocation", 8001),
    Service("risk-assessment", 8002),
    Service("refer-monitor", 8003),
    Service("resettlement", 8004),
    Service("webhooks", 8005),
]
BY_NAME = {s.name: s for s in SERVICES}

# caller -> the services whose HTTP API it calls (detailUrl fetches, provider views). Both the caller's
# API and worker pods may call (consumers fetch detail URLs), so the NetworkPolicies allow both.
CALLS: dict[str, list[str]] = {
    "case-allocation": [],
    "risk-assessment": ["case-allocation"],  # sex and date of birth through /people/{crn} (docs/events.md)
    "refer-monitor": ["case-allocation", "risk-assessment"],  # detail URLs; risk summary ?view=provider
    "resettlement": ["case-allocation"],
    "webhooks": ["refer-monitor"],
}


def spec_of(service: Service):
    return importlib.import_module(f"{service.package}.service").SPEC


# -- labels and small builders ---------------------------------------------------------------------


def labels(service: Service, component: str) -> dict:
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": PART_OF}


def selector(service: Service, component: str) -> dict:
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": component}


def meta(name: str, service: Service, component: str) -> dict:
    return {"name": name, "labels": labels(service, component)}


def env_from_secret(name: str, secret: str, key: str) -> dict:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "fsGroup": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESOURCES = {
    "api": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
    "worker": {"requests": {"cpu": "50m", "memory": "160Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
    "migrate": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
}


def settings_env(service: Service) -> list[dict]:
    """Secrets and per-environment values, in the order Kubernetes needs for $(VAR) references."""
    p = service.prefix
    app_secret = f"{service.db_cluster}-app"  # generated by CloudNativePG for the bootstrap owner
    return [
        # The environment-wide values (ConfigMap platform-environment, set by each overlay), under this
        # service's own prefix.
        {"name": f"{p}ENVIRONMENT", "value": "$(PLATFORM_ENVIRONMENT)"},
        {"name": f"{p}AUTH_JWKS_URL", "value": "$(PLATFORM_AUTH_JWKS_URL)"},
        {"name": f"{p}AUTH_ISSUER", "value": "$(PLATFORM_AUTH_ISSUER)"},
        {"name": f"{p}AUTH_AUDIENCE", "value": "$(PLATFORM_AUTH_AUDIENCE)"},
        {"name": f"{p}KAFKA_IDEMPOTENT_PRODUCER", "value": "$(PLATFORM_KAFKA_IDEMPOTENT_PRODUCER)"},
        {"name": f"{p}LOG_LEVEL", "value": "$(PLATFORM_LOG_LEVEL)"},
        env_from_secret("DB_USERNAME", app_secret, "username"),
        env_from_secret("DB_PASSWORD", app_secret, "password"),
        {"name": f"{p}DATABASE_URL",
         "value": f"postgresql+asyncpg://$(DB_USERNAME):$(DB_PASSWORD)@{service.db_cluster}-rw:5432/{service.database}"},
        env_from_secret(f"{p}KAFKA_SASL_PASSWORD", service.name, "password"),  # KafkaUser secret (Strimzi)
        env_from_secret(f"{p}SERVICE_TOKEN", f"{service.name}-service-token", "token"),
        # webhooks: the Fernet keys its endpoint secrets are encrypted under (comma-separated, newest first).
        *([env_from_secret(f"{p}SECRET_ENCRYPTION_KEYS", "webhooks-secret-keys", "keys")] if service.name == "webhooks" else []),
    ]


def container(service: Service, component: str, args: list[str]) -> dict:
    c: dict = {
        "name": "app",
        "image": f"{service.image}:latest",
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", service.package],
        "args": args,
        "envFrom": [{"configMapRef": {"name": "platform-environment"}}, {"configMapRef": {"name": f"{service.name}-config"}}],
        "env": settings_env(service),
        "resources": RESOURCES[component],
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "kafka-ca", "mountPath": "/etc/kafka-ca", "readOnly": True},
        ],
    }
    return c


def pod_spec(containers: list[dict], restart: str | None = None) -> dict:
    spec: dict = {
        "automountServiceAccountToken": False,
        "securityContext": POD_SECURITY,
        "containers": containers,
        "volumes": [
            {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
            {"name": "kafka-ca", "secret": {"secretName": KAFKA_CA_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        ],
    }
    if restart:
        spec["restartPolicy"] = restart
    return spec


# -- one service ---------------------------------------------------------------------------------


def config_map(service: Service) -> dict:
    p = service.prefix
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(f"{service.name}-config", service, "config"),
        "data": {
            f"{p}PUBLIC_BASE_URL": f"http://{service.name}:{service.port}",
            f"{p}KAFKA_BOOTSTRAP_SERVERS": KAFKA_BOOTSTRAP,
            f"{p}KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            f"{p}KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            f"{p}KAFKA_SASL_USERNAME": service.name,
            f"{p}KAFKA_SSL_CAFILE": "/etc/kafka-ca/ca.crt",
            f"{p}LOG_JSON": "true",
            # The API runs with `--workers none`; the relay and consumers run in the worker Deployment.
            f"{p}RUN_WORKERS": "false",
        },
    }


def api_deployment(service: Service) -> dict:
    c = container(service, "api", ["serve", "--host", "0.0.0.0", "--port", str(service.port), "--workers", "none"])
    c["ports"] = [{"name": "http", "containerPort": service.port, "protocol": "TCP"}]
    c["startupProbe"] = {"httpGet": {"path": "/health/liveness", "port": "http"}, "periodSeconds": 2, "failureThreshold": 30}
    c["livenessProbe"] = {"httpGet": {"path": "/health/liveness", "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 2,
                          "failureThreshold": 3}
    # Readiness checks the database and the broker (503 when either is down): traffic stops, pods live on.
    c["readinessProbe"] = {"httpGet": {"path": "/health/readiness", "port": "http"}, "periodSeconds": 5, "timeoutSeconds": 4,
                           "failureThreshold": 3}
    # Let endpoints drop the pod before uvicorn stops accepting connections.
    c["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    spec = pod_spec([c])
    spec["terminationGracePeriodSeconds"] = 30
    spec["topologySpreadConstraints"] = [{
        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": selector(service, "api")},
    }]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(f"{service.name}-api", service, "api"),
        # No `replicas`: the HorizontalPodAutoscaler owns the count.
        "spec": {
            "revisionHistoryLimit": 5,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "selector": {"matchLabels": selector(service, "api")},
            "template": {
                "metadata": {"labels": labels(service, "api"),
                             "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": str(service.port),
                                             "prometheus.io/path": "/metrics"}},
                "spec": spec,
            },
        },
    }


# The `worker` command has no HTTP port, so its probes are commands. Readiness: the database and the
# broker accept TCP connections. Liveness: the main process is not stopped or a zombie. (When the worker
# serves /health and /metrics these become httpGet probes; see k8s/README.md.)
WORKER_READY = (
    "import os, socket, urllib.parse as u\n"
    "db = u.urlsplit(os.environ['{p}DATABASE_URL'])\n"
    "socket.create_connection((db.hostname, db.port or 5432), 2).close()\n"
    "host, port = os.environ['{p}KAFKA_BOOTSTRAP_SERVERS'].split(',')[0].rsplit(':', 1)\n"
    "socket.create_connection((host, int(port)), 2).close()\n"
)
WORKER_ALIVE = "import sys; sys.exit(open('/proc/1/stat').read().rsplit(')', 1)[1].split()[0] in 'TtZX')"


def worker_deployment(service: Service) -> dict:
    c = container(service, "worker", ["worker"])
    c["livenessProbe"] = {"exec": {"command": ["python", "-c", WORKER_ALIVE]}, "periodSeconds": 30, "timeoutSeconds": 5,
                          "failureThreshold": 3}
    c["readinessProbe"] = {"exec": {"command": ["python", "-c", WORKER_READY.format(p=service.prefix)]}, "periodSeconds": 20,
                           "timeoutSeconds": 5, "failureThreshold": 3}
    spec = pod_spec([c])
    # The relay and consumers finish their current message and close their clients on SIGTERM.
    spec["terminationGracePeriodSeconds"] = 30
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(f"{service.name}-worker", service, "worker"),
        "spec": {
            "replicas": 2,  # the relay locks rows (SKIP LOCKED) and consumers share partitions: safe to run several
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(service, "worker")},
            "template": {"metadata": {"labels": labels(service, "worker")}, "spec": spec},
        },
    }


def k8s_service(service: Service) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(service.name, service, "api"),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(service, "api"),
            "ports": [{"name": "http", "port": service.port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def pdbs(service: Service) -> list[dict]:
    # maxUnavailable rather than minAvailable: never blocks a node drain when an environment runs one replica.
    return [
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta(f"{service.name}-{component}", service, component),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(service, component)}},
        }
        for component in ("api", "worker")
    ]


def hpa(service: Service) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(f"{service.name}-api", service, "api"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service.name}-api"},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        },
    }


def migration_job(service: Service) -> dict:
    c = container(service, "migrate", ["migrate"])
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(f"{service.name}-migrate", service, "migrate"),
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": 600,
            "ttlSecondsAfterFinished": 86400,
            "template": {"metadata": {"labels": labels(service, "migrate")}, "spec": pod_spec([c], restart="Never")},
        },
    }


def db_cluster(service: Service) -> dict:
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": meta(service.db_cluster, service, "database"),
        "spec": {
            "instances": 2,
            "imageName": "ghcr.io/cloudnative-pg/postgresql:16.4",
            "primaryUpdateStrategy": "unsupervised",
            # CloudNativePG creates the database, its owner and the Secret `<cluster>-app`
            # (username, password, host, port, dbname, uri) that the pods read.
            "bootstrap": {"initdb": {"database": service.database, "owner": service.database}},
            "storage": {"size": "5Gi"},
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
            "monitoring": {"enablePodMonitor": True},
            "inheritedMetadata": {"labels": {"app.kubernetes.io/name": service.name, "app.kubernetes.io/part-of": PART_OF}},
        },
    }


def pods_of(*services: Service) -> dict:
    return {"podSelector": {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In",
                                                   "values": sorted(s.name for s in services)}]}}


def namespace(name: str) -> dict:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def tcp(*ports) -> list[dict]:
    return [{"protocol": "TCP", "port": p} for p in ports]


POSTGRES_PODS = "cnpg.io/cluster"
KAFKA_BROKER_PODS = {"strimzi.io/cluster": KAFKA_CLUSTER, "strimzi.io/broker-role": "true"}


def network_policies(service: Service) -> list[dict]:
    """Allows on top of the namespace's default deny (base/network/default-deny.yaml); DNS is allowed there too."""
    callers = [BY_NAME[c] for c, callees in CALLS.items() if service.name in callees]
    callees = [BY_NAME[c] for c in CALLS[service.name]]
    to_db = {"to": [{"podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}}}], "ports": tcp(5432)}
    to_kafka = {"to": [{"podSelector": {"matchLabels": KAFKA_BROKER_PODS}}], "ports": tcp(9093)}
    to_callees = [{"to": [{"podSelector": {"matchLabels": selector(c, "api")}}], "ports": tcp(c.port)} for c in callees]
    # The JWKS URL (identity provider) and, for webhooks, providers' endpoints are outside the cluster.
    # Narrow `0.0.0.0/0` to their addresses per environment where they are known.
    to_https = {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}],
                "ports": tcp(443)}
    api_ingress = [{"from": [namespace(INGRESS_NAMESPACE)], "ports": tcp(service.port)},
                   {"from": [namespace(MONITORING_NAMESPACE)], "ports": tcp(service.port)}]
    if callers:
        api_ingress.append({"from": [pods_of(*callers)], "ports": tcp(service.port)})
    policies = [
        ("api", {"ingress": api_ingress, "egress": [to_db, to_kafka, *to_callees, to_https]}),
        ("worker", {"ingress": [], "egress": [to_db, to_kafka, *to_callees, to_https]}),
        ("migrate", {"ingress": [], "egress": [to_db]}),
    ]
    out = []
    for component, rules in policies:
        spec = {"podSelector": {"matchLabels": selector(service, component)}, "policyTypes": ["Ingress", "Egress"]}
        if rules["ingress"]:
            spec["ingress"] = rules["ingress"]
        spec["egress"] = rules["egress"]
        out.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": meta(f"{service.name}-{component}", service, component), "spec": spec})
    # The database pods: this service's pods, the other instances (replication), the operator, monitoring;
    # out to each other and to the Kubernetes API (the instance manager watches its Cluster).
    out.append({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(service.db_cluster, service, "database"),
        "spec": {
            "podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": service.name}}}], "ports": tcp(5432)},
                {"from": [{"podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}}}], "ports": tcp(5432, 8000)},
                {"from": [namespace(CNPG_OPERATOR_NAMESPACE)], "ports": tcp(5432, 8000)},
                {"from": [namespace(MONITORING_NAMESPACE)], "ports": tcp(9187)},
            ],
            "egress": [
                {"to": [{"podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}}}], "ports": tcp(5432, 8000)},
                {"ports": tcp(443, 6443)},  # the Kubernetes API server (its address differs per cluster)
            ],
        },
    })
    return out


def service_documents(service: Service) -> list[dict]:
    return [
        config_map(service),
        api_deployment(service),
        worker_deployment(service),
        k8s_service(service),
        *pdbs(service),
        hpa(service),
        migration_job(service),
        db_cluster(service),
        *network_policies(service),
    ]


# -- Kafka topics and users --------------------------------------------------------------------------


def topic(name: str, partitions: int, retention_days: int, purpose: str) -> dict:
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER, "app.kubernetes.io/part-of": PART_OF},
                     "annotations": {"probation.platform/purpose": purpose}},
        "spec": {
            "topicName": name,
            "partitions": partitions,
            "replicas": 3,
            "config": {"retention.ms": str(retention_days * 24 * 3600 * 1000), "min.insync.replicas": "2",
                       "cleanup.policy": "delete"},
        },
    }


def topic_documents() -> list[dict]:
    from probation_shared.events import topics

    docs = [topic(name, 6, 7, "domain events (key = CRN)") for name in topics.ALL]
    for service in SERVICES:
        for subscription in spec_of(service).subscriptions:
            docs.append(topic(f"dlq.{service.name}.{subscription.name}", 3, 30,
                              f"dead letters of {service.name} consumer {subscription.name}"))
    return docs


def acl(resource_type: str, name: str, operations: list[str], pattern: str = "literal") -> dict:
    return {"resource": {"type": resource_type, "name": name, "patternType": pattern}, "operations": operations}


def user_documents() -> list[dict]:
    docs = []
    for service in SERVICES:
        spec = spec_of(service)
        consumed = sorted({t for s in spec.subscriptions for t in s.topics})
        acls = [acl("topic", t, ["Write", "Describe"]) for t in sorted(spec.topics)]
        acls += [acl("topic", t, ["Read", "Describe"]) for t in consumed]
        if spec.subscriptions:
            # Its own dead-letter topics: written by the consumers, read back by a replay.
            acls.append(acl("topic", f"dlq.{service.name}.", ["Read", "Write", "Describe"], "prefix"))
            # Replay re-publishes a dead letter to the topic it came from.
            acls += [acl("topic", t, ["Write"]) for t in consumed]
            # Consumer groups `<service>.<consumer>` and `<service>.<consumer>.replay`.
            acls.append(acl("group", f"{service.name}.", ["Read", "Describe"], "prefix"))
        acls.append({"resource": {"type": "cluster"}, "operations": ["IdempotentWrite"]})
        docs.append({
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaUser",
            "metadata": {"name": service.name, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER, **labels(service, "kafka-user")}},
            # Strimzi writes the password to the Secret of the same name (key `password`).
            "spec": {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": acls}},
        })
    return docs


# -- files ---------------------------------------------------------------------------------------


HEADER = "# Generated by k8s/generate.py: edit that script (or the service's code), then run it. Do not edit by hand.\n"


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True


def dump(docs: list[dict]) -> str:
    return HEADER + "---\n".join(yaml.dump(d, Dumper=_NoAliases, sort_keys=False, width=140) for d in docs)


def outputs() -> dict[Path, str]:
    files = {BASE / "services" / f"{s.name}.yaml": dump(service_documents(s)) for s in SERVICES}
    files[BASE / "kafka" / "topics.yaml"] = dump(topic_documents())
    files[BASE / "kafka" / "users.yaml"] = dump(user_documents())
    return files


def stale() -> list[Path]:
    return [path for path, text in outputs().items() if not path.exists() or path.read_text() != text]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        out_of_date = stale()
        for path in out_of_date:
            print(f"out of date: {path.relative_to(HERE.parent)}")
        return 1 if out_of_date else 0
    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
