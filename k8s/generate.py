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
`calls` in services.toml. Everything else shared by all environments is hand-written in base/; what
differs per environment is in overlays/.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from deploy import registry  # noqa: E402

BASE = HERE / "base"

KAFKA_CLUSTER = "probation-kafka"
KAFKA_BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap:9093"  # the TLS + SCRAM-SHA-512 listener (base/kafka/kafka.yaml)
KAFKA_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"  # made by Strimzi
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
CNPG_OPERATOR_NAMESPACE = "cnpg-system"
BACKUP_CREDENTIALS_SECRET = "database-backup-credentials"  # per namespace: ACCESS_KEY_ID, ACCESS_SECRET_KEY
RUNBOOK = "docs/runbook.md"  # in this repository; an overlay may point it at wherever the docs are published
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


# Services, ports and who calls whose HTTP API come from the registry (services.toml). Both the caller's
# API and worker pods may call (consumers fetch detail URLs), so the NetworkPolicies allow both.
SERVICES = [Service(s.name, s.port) for s in registry.SERVICES]
BY_NAME = {s.name: s for s in SERVICES}
CALLS: dict[str, list[str]] = {s.name: list(s.calls) for s in registry.SERVICES}


def spec_of(service: Service):
    return importlib.import_module(f"{service.package}.service").SPEC


# -- labels and small builders ---------------------------------------------------------------------


def labels(service: Service, component: str) -> dict:
    return {
        "app.kubernetes.io/name": service.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
    }


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
        {
            "name": f"{p}DATABASE_URL",
            "value": f"postgresql+asyncpg://$(DB_USERNAME):$(DB_PASSWORD)@{service.db_cluster}-rw:5432/{service.database}",
        },
        env_from_secret(f"{p}KAFKA_SASL_PASSWORD", service.name, "password"),  # KafkaUser secret (Strimzi)
        env_from_secret(f"{p}SERVICE_TOKEN", f"{service.name}-service-token", "token"),
        # webhooks: the Fernet keys its endpoint secrets are encrypted under (comma-separated, newest first).
        *(
            [env_from_secret(f"{p}SECRET_ENCRYPTION_KEYS", "webhooks-secret-keys", "keys")]
            if service.name == "webhooks"
            else []
        ),
    ]


def container(service: Service, component: str, args: list[str]) -> dict:
    c: dict = {
        "name": "app",
        "image": f"{service.image}:latest",
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", service.package],
        "args": args,
        "envFrom": [
            {"configMapRef": {"name": "platform-environment"}},
            {"configMapRef": {"name": f"{service.name}-config"}},
        ],
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
            {
                "name": "kafka-ca",
                "secret": {"secretName": KAFKA_CA_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]},
            },
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
    c["startupProbe"] = {
        "httpGet": {"path": "/health/liveness", "port": "http"},
        "periodSeconds": 2,
        "failureThreshold": 30,
    }
    c["livenessProbe"] = {
        "httpGet": {"path": "/health/liveness", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    }
    # Readiness checks the database and the broker (503 when either is down): traffic stops, pods live on.
    c["readinessProbe"] = {
        "httpGet": {"path": "/health/readiness", "port": "http"},
        "periodSeconds": 5,
        "timeoutSeconds": 4,
        "failureThreshold": 3,
    }
    # Let endpoints drop the pod before uvicorn stops accepting connections.
    c["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    spec = pod_spec([c])
    spec["terminationGracePeriodSeconds"] = 30
    spec["topologySpreadConstraints"] = [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector(service, "api")},
        }
    ]
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
                "metadata": {
                    "labels": labels(service, "api"),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(service.port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": spec,
            },
        },
    }


# The `worker` command serves /health/liveness, /health/readiness (database and broker), /info and
# /metrics on its metrics port (shared/probation_shared/cli.py), so its probes are httpGet like the API's.
WORKER_METRICS_PORT = 9100


def worker_deployment(service: Service) -> dict:
    c = container(service, "worker", ["worker", "--metrics-port", str(WORKER_METRICS_PORT)])
    c["ports"] = [{"name": "metrics", "containerPort": WORKER_METRICS_PORT, "protocol": "TCP"}]
    c["startupProbe"] = {
        "httpGet": {"path": "/health/liveness", "port": "metrics"},
        "periodSeconds": 2,
        "failureThreshold": 30,
    }
    c["livenessProbe"] = {
        "httpGet": {"path": "/health/liveness", "port": "metrics"},
        "periodSeconds": 10,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    }
    c["readinessProbe"] = {
        "httpGet": {"path": "/health/readiness", "port": "metrics"},
        "periodSeconds": 10,
        "timeoutSeconds": 4,
        "failureThreshold": 3,
    }
    spec = pod_spec([c])
    # The relay and consumers finish their current message and close their clients on SIGTERM.
    spec["terminationGracePeriodSeconds"] = 30
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(f"{service.name}-worker", service, "worker"),
        "spec": {
            "replicas": 2,  # one relay at a time (advisory lock); consumers share partitions: safe to run two
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(service, "worker")},
            "template": {
                "metadata": {
                    "labels": labels(service, "worker"),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(WORKER_METRICS_PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": spec,
            },
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
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
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
            # WAL archiving and base backups to the environment's object store: each overlay sets the bucket
            # (`destinationPath`; each cluster writes under its own name), endpoint and retention, and
            # provides the Secret BACKUP_CREDENTIALS_SECRET. Scheduled by the ScheduledBackup below.
            "backup": {
                "retentionPolicy": "30d",
                "barmanObjectStore": {
                    "destinationPath": "s3://set-per-overlay",
                    "s3Credentials": {
                        "accessKeyId": {"name": BACKUP_CREDENTIALS_SECRET, "key": "ACCESS_KEY_ID"},
                        "secretAccessKey": {"name": BACKUP_CREDENTIALS_SECRET, "key": "ACCESS_SECRET_KEY"},
                    },
                    "wal": {"compression": "gzip", "maxParallel": 2},
                    "data": {"compression": "gzip", "jobs": 2},
                },
            },
            "inheritedMetadata": {
                "labels": {"app.kubernetes.io/name": service.name, "app.kubernetes.io/part-of": PART_OF}
            },
        },
    }


def scheduled_backup(service: Service) -> dict:
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "ScheduledBackup",
        "metadata": meta(f"{service.db_cluster}-daily", service, "database"),
        "spec": {
            "schedule": "0 0 2 * * *",  # six fields (seconds first): 02:00 every day
            "backupOwnerReference": "self",
            "cluster": {"name": service.db_cluster},
            "method": "barmanObjectStore",
            "target": "prefer-standby",
            "immediate": True,
        },
    }


def pods_of(*services: Service) -> dict:
    return {
        "podSelector": {
            "matchExpressions": [
                {"key": "app.kubernetes.io/name", "operator": "In", "values": sorted(s.name for s in services)}
            ]
        }
    }


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
    to_https = {
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}],
        "ports": tcp(443),
    }
    api_ingress = [
        {"from": [namespace(INGRESS_NAMESPACE)], "ports": tcp(service.port)},
        {"from": [namespace(MONITORING_NAMESPACE)], "ports": tcp(service.port)},
    ]
    if callers:
        api_ingress.append({"from": [pods_of(*callers)], "ports": tcp(service.port)})
    policies = [
        ("api", {"ingress": api_ingress, "egress": [to_db, to_kafka, *to_callees, to_https]}),
        (
            "worker",
            {
                "ingress": [{"from": [namespace(MONITORING_NAMESPACE)], "ports": tcp(WORKER_METRICS_PORT)}],
                "egress": [to_db, to_kafka, *to_callees, to_https],
            },
        ),
        ("migrate", {"ingress": [], "egress": [to_db]}),
    ]
    out = []
    for component, rules in policies:
        spec = {"podSelector": {"matchLabels": selector(service, component)}, "policyTypes": ["Ingress", "Egress"]}
        if rules["ingress"]:
            spec["ingress"] = rules["ingress"]
        spec["egress"] = rules["egress"]
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta(f"{service.name}-{component}", service, component),
                "spec": spec,
            }
        )
    # The database pods: this service's pods, the other instances (replication), the operator, monitoring;
    # out to each other and to the Kubernetes API (the instance manager watches its Cluster).
    out.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(service.db_cluster, service, "database"),
            "spec": {
                "podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": service.name}}}],
                        "ports": tcp(5432),
                    },
                    {
                        "from": [{"podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}}}],
                        "ports": tcp(5432, 8000),
                    },
                    {"from": [namespace(CNPG_OPERATOR_NAMESPACE)], "ports": tcp(5432, 8000)},
                    {"from": [namespace(MONITORING_NAMESPACE)], "ports": tcp(9187)},
                ],
                "egress": [
                    {
                        "to": [{"podSelector": {"matchLabels": {POSTGRES_PODS: service.db_cluster}}}],
                        "ports": tcp(5432, 8000),
                    },
                    {"ports": tcp(443, 6443)},  # the Kubernetes API server (its address differs per cluster)
                ],
            },
        }
    )
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
        scheduled_backup(service),
        *network_policies(service),
        prometheus_rule(service),
        dashboard(service),
    ]


# -- alerts and dashboards -------------------------------------------------------------------------


def _alert(name: str, expr: str, for_: str | None, severity: str, summary: str, anchor: str) -> dict:
    rule = {"alert": name, "expr": expr}
    if for_:
        rule["for"] = for_
    rule["labels"] = {"severity": severity}
    rule["annotations"] = {"summary": summary, "runbook_url": f"{RUNBOOK}#{anchor}"}
    return rule


def prometheus_rule(service: Service) -> dict:
    """Alerts per service. Series carry the pod's `app_kubernetes_io_name` label (pod annotations scrape
    config) so each rule selects its own service; thresholds are argued in docs/runbook.md."""
    s = f'app_kubernetes_io_name="{service.name}"'
    rules = [
        # The relay polls every second and publishes within milliseconds of a commit: five minutes of an
        # unsent event means it is stuck (broker down, lock held, poison row), whatever the backlog says.
        _alert(
            "OutboxStuck",
            f"max(outbox_oldest_unsent_age_seconds{{{s}}}) > 300",
            "5m",
            "page",
            f"{service.name}: an event has waited over 5 minutes in the outbox",
            "alert-outboxstuck",
        ),
        # A backlog that keeps growing for 15 minutes while events still flow: the relay cannot keep up.
        _alert(
            "OutboxBacklogGrowing",
            f"min(outbox_backlog{{{s}}}) > 1000 and deriv(max(outbox_backlog{{{s}}})[15m:1m]) > 0",
            "15m",
            "ticket",
            f"{service.name}: more than 1,000 unsent outbox events and rising",
            "alert-outboxbackloggrowing",
        ),
        # Lag is normal in bursts (a tier batch is 100,000 events); 10,000 behind for 15 minutes is not.
        _alert(
            "ConsumerLagHigh",
            f"max by (consumer) (consumer_lag{{{s}}}) > 10000",
            "15m",
            "ticket",
            f"{service.name}: a consumer is more than 10,000 messages behind",
            "alert-consumerlaghigh",
        ),
        # A pause is the consumer waiting out a database or broker outage; ten minutes is an outage.
        _alert(
            "ConsumerPaused",
            f"max by (consumer) (consumer_paused{{{s}}}) > 0",
            "10m",
            "page",
            f"{service.name}: a consumer has been paused for 10 minutes",
            "alert-consumerpaused",
        ),
        # Each dead letter is an event a service did not apply: always worth a look, never a page.
        _alert(
            "DeadLetters",
            f"sum by (consumer) (increase(dead_letters_total{{{s}}}[30m])) > 0",
            None,
            "ticket",
            f"{service.name}: events were dead-lettered in the last 30 minutes",
            "alert-deadletters",
        ),
        # Over 5 % of requests failing with 5xx for 10 minutes (and at least some traffic).
        _alert(
            "HighErrorRate",
            f'sum(rate(http_requests_total{{{s},status=~"5.."}}[5m]))'
            f" / clamp_min(sum(rate(http_requests_total{{{s}}}[5m])), 1e-9) > 0.05"
            f" and sum(rate(http_requests_total{{{s}}}[5m])) > 0.1",
            "10m",
            "page",
            f"{service.name}: more than 5 % of requests fail with 5xx",
            "alert-higherrorrate",
        ),
        _alert(
            "SlowRequests",
            f"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{{s}}}[5m]))) > 2.5",
            "15m",
            "ticket",
            f"{service.name}: p99 request latency above 2.5 s",
            "alert-slowrequests",
        ),
        # Readiness failing: the pods are up but their database or broker is not (kube-state-metrics).
        _alert(
            "NotReady",
            f'min(kube_deployment_status_replicas_available{{deployment=~"{service.name}-(api|worker)"}}) < 1',
            "5m",
            "page",
            f"{service.name}: a Deployment has no ready replica",
            "alert-notready",
        ),
        # Nearly every pooled connection in use for 10 minutes: requests queue for a connection.
        _alert(
            "DatabasePoolSaturated",
            f"max(db_pool_connections_in_use{{{s}}} / clamp_min(db_pool_connections_max{{{s}}}, 1)) > 0.9",
            "10m",
            "ticket",
            f"{service.name}: over 90 % of the database pool is in use",
            "alert-databasepoolsaturated",
        ),
    ]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": meta(f"{service.name}-alerts", service, "monitoring"),
        "spec": {"groups": [{"name": f"{service.name}.rules", "rules": rules}]},
    }


def _panel(i: int, title: str, exprs: list[str], unit: str = "short") -> dict:
    return {
        "id": i + 1,
        "type": "timeseries",
        "title": title,
        "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"refId": chr(65 + n), "expr": e, "datasource": {"type": "prometheus", "uid": "${datasource}"}}
            for n, e in enumerate(exprs)
        ],
    }


def dashboard_json(service: Service) -> dict:
    s = f'app_kubernetes_io_name="{service.name}"'
    panels = [
        ("Requests per second by route", [f"sum by (route) (rate(http_requests_total{{{s}}}[5m]))"], "reqps"),
        (
            "5xx share",
            [
                f'sum(rate(http_requests_total{{{s},status=~"5.."}}[5m]))'
                f" / clamp_min(sum(rate(http_requests_total{{{s}}}[5m])), 1e-9)"
            ],
            "percentunit",
        ),
        (
            "p50 / p99 latency by route",
            [
                f"histogram_quantile({q}, sum by (le, route) (rate(http_request_duration_seconds_bucket{{{s}}}[5m])))"
                for q in ("0.5", "0.99")
            ],
            "s",
        ),
        ("Outbox backlog", [f"max(outbox_backlog{{{s}}})"], "short"),
        ("Oldest unsent outbox event", [f"max(outbox_oldest_unsent_age_seconds{{{s}}})"], "s"),
        ("Consumer lag", [f"max by (consumer) (consumer_lag{{{s}}})"], "short"),
        ("Consumers paused", [f"max by (consumer) (consumer_paused{{{s}}})"], "short"),
        ("Dead letters (30 min)", [f"sum by (consumer) (increase(dead_letters_total{{{s}}}[30m]))"], "short"),
        (
            "Database pool in use",
            [f"max(db_pool_connections_in_use{{{s}}})", f"max(db_pool_connections_max{{{s}}})"],
            "short",
        ),
        ("Relay publish errors", [f"sum(rate(outbox_relay_errors_total{{{s}}}[5m]))"], "short"),
    ]
    return {
        "uid": f"probation-{service.name}",
        "title": f"Probation / {service.name}",
        "schemaVersion": 39,
        "tags": ["probation-platform"],
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": [_panel(i, t, e, u) for i, (t, e, u) in enumerate(panels)],
    }


def dashboard(service: Service) -> dict:
    """A ConfigMap the Grafana dashboard sidecar loads (label grafana_dashboard=1)."""
    doc = meta(f"{service.name}-dashboard", service, "monitoring")
    doc["labels"]["grafana_dashboard"] = "1"
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": doc,
        "data": {f"{service.name}.json": json.dumps(dashboard_json(service), indent=2, sort_keys=True)},
    }


# -- Kafka topics and users --------------------------------------------------------------------------


def topic(name: str, partitions: int, retention_days: int, purpose: str) -> dict:
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {
            "name": name,
            "labels": {"strimzi.io/cluster": KAFKA_CLUSTER, "app.kubernetes.io/part-of": PART_OF},
            "annotations": {"probation.platform/purpose": purpose},
        },
        "spec": {
            "topicName": name,
            "partitions": partitions,
            "replicas": 3,
            "config": {
                "retention.ms": str(retention_days * 24 * 3600 * 1000),
                "min.insync.replicas": "2",
                "cleanup.policy": "delete",
            },
        },
    }


def topic_documents() -> list[dict]:
    from probation_shared.events import topics

    docs = [topic(name, 6, 7, "domain events (key = CRN)") for name in topics.ALL]
    for service in SERVICES:
        for subscription in spec_of(service).subscriptions:
            docs.append(
                topic(
                    f"dlq.{service.name}.{subscription.name}",
                    3,
                    30,
                    f"dead letters of {service.name} consumer {subscription.name}",
                )
            )
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
        docs.append(
            {
                "apiVersion": "kafka.strimzi.io/v1beta2",
                "kind": "KafkaUser",
                "metadata": {
                    "name": service.name,
                    "labels": {"strimzi.io/cluster": KAFKA_CLUSTER, **labels(service, "kafka-user")},
                },
                # Strimzi writes the password to the Secret of the same name (key `password`).
                "spec": {
                    "authentication": {"type": "scram-sha-512"},
                    "authorization": {"type": "simple", "acls": acls},
                },
            }
        )
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
