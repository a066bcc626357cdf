"""The Kubernetes manifests, rendered offline per overlay and checked: schema, CRD fields, platform policy,
settings the pods will see, Kafka wiring against the services' code. No cluster, no kubectl."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.k8s import checks
from tests.k8s.kustomize import render

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
OVERLAYS = ["dev", "staging", "prod"]
# Settings the manifests set that the services do not read yet (none today): each must be listed here.
PENDING_SETTINGS: set[str] = set()


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request) -> tuple[str, list[dict]]:
    return request.param, render(K8S / "overlays" / request.param)


def spec_of(service: str):
    return importlib.import_module(f"{service.replace('-', '_')}.service").SPEC


# -- the real manifests pass -------------------------------------------------------------------------


def test_built_in_objects_match_the_kubernetes_schema(overlay):
    _, objects = overlay
    assert checks.schema_problems(objects) == []


def test_strimzi_and_cloudnativepg_objects_have_what_their_operators_need(overlay):
    _, objects = overlay
    assert checks.crd_problems(objects) == []


def test_every_workload_has_probes_resources_and_a_locked_down_security_context(overlay):
    _, objects = overlay
    assert checks.workload_problems(objects) == []


def test_every_service_has_its_deployments_service_pdb_hpa_network_policy_and_migration_job(overlay):
    _, objects = overlay
    assert checks.service_problems(objects) == []


def test_the_namespace_denies_all_traffic_by_default(overlay):
    _, objects = overlay
    assert checks.network_problems(objects) == []


def test_every_object_lands_in_the_overlays_namespace(overlay):
    name, objects = overlay
    expected = {"dev": "probation-dev", "staging": "probation-staging", "prod": "probation"}[name]
    assert {o["metadata"].get("namespace") for o in objects} == {expected}


@pytest.mark.parametrize("service", list(checks.SERVICES))
def test_the_pods_settings_load_into_the_services_settings_class(overlay, service, monkeypatch):
    """Each service's containers get every setting under its own prefix; the settings class accepts them."""
    _, objects = overlay
    prefix = checks.prefix(service)
    settings_class = spec_of(service).settings_class
    for kind, object_name in (
        ("Deployment", f"{service}-api"),
        ("Deployment", f"{service}-worker"),
        ("Job", f"{service}-migrate"),
    ):
        obj = checks.find(objects, kind, object_name)
        env, problems = checks.container_env(objects, obj["spec"]["template"]["spec"]["containers"][0])
        assert problems == [], f"{object_name}: {problems}"
        ours = {k[len(prefix) :].lower(): v for k, v in env.items() if k.startswith(prefix)}
        unknown = set(ours) - set(settings_class.model_fields) - PENDING_SETTINGS
        assert not unknown, f"{object_name}: {sorted(unknown)} are not settings of {settings_class.__name__} (typo?)"
        assert ours["kafka_idempotent_producer"] == "true", "real Kafka: the idempotent producer must be on"
        assert ours["run_workers"] == "false"
        assert ours["database_url"] == (
            f"postgresql+asyncpg://<secret:{service}-db-app/username>:<secret:{service}-db-app/password>"
            f"@{service}-db-rw:5432/{service.replace('-', '_')}"
        )
        assert ours["auth_jwks_url"].startswith("https://")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = settings_class()
        assert settings.kafka_idempotent_producer is True
        assert settings.service_name == service
        assert settings.kafka_bootstrap_servers == "probation-kafka-kafka-bootstrap:9093"


def test_secrets_the_pods_read_come_from_the_operators_or_are_documented(overlay):
    _, objects = overlay
    kafka_users = {checks.name(u) for u in checks.of_kind(objects, "KafkaUser")}
    db_clusters = {checks.name(c) for c in checks.of_kind(objects, "Cluster")}
    for obj in checks.of_kind(objects, "Deployment") + checks.of_kind(objects, "Job"):
        for c in obj["spec"]["template"]["spec"]["containers"]:
            for item in c.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if not ref:
                    continue
                secret = ref["name"]
                assert (
                    (secret.endswith("-app") and secret[: -len("-app")] in db_clusters)  # CloudNativePG
                    or secret in kafka_users  # Strimzi user operator
                    or secret.endswith("-service-token")  # from the identity provider (k8s/README.md)
                    or secret == "webhooks-secret-keys"  # made by the operators (k8s/README.md)
                ), f"{checks.describe(obj)}: secret {secret!r} comes from nowhere"


def test_overlays_size_each_environment(overlay):
    name, objects = overlay
    hpa = checks.find(objects, "HorizontalPodAutoscaler", "case-allocation-api")["spec"]
    worker = checks.find(objects, "Deployment", "case-allocation-worker")["spec"]
    pool = checks.find(objects, "KafkaNodePool", "combined")["spec"]
    db = checks.find(objects, "Cluster", "case-allocation-db")["spec"]
    image = checks.api_container(checks.find(objects, "Deployment", "case-allocation-api"))["image"]
    expected = {
        "dev": (1, 2, 1, 1, 1, "probation-platform/case-allocation:main"),
        "staging": (2, 4, 2, 3, 2, "probation-platform/case-allocation:0.1.0"),
        "prod": (3, 12, 3, 3, 3, "probation-platform/case-allocation:0.1.0"),
    }[name]
    assert (
        hpa["minReplicas"],
        hpa["maxReplicas"],
        worker["replicas"],
        pool["replicas"],
        db["instances"],
        image,
    ) == expected
    for job in checks.of_kind(objects, "Job"):
        assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith(image.rsplit(":", 1)[1])


# -- the Kafka wiring follows the services' code -------------------------------------------------------


def test_topics_users_and_acls_follow_the_services_code(overlay):
    from probation_shared.events import topics

    _, objects = overlay
    declared = {t["spec"]["topicName"] for t in checks.of_kind(objects, "KafkaTopic")}
    missing = set(topics.ALL) - declared
    assert not missing, f"no KafkaTopic for {sorted(missing)}"
    for service in checks.SERVICES:
        spec = spec_of(service)
        user = checks.find(objects, "KafkaUser", service)
        acls = user["spec"]["authorization"]["acls"]

        def allowed(resource_type: str, resource: str, operation: str, acls: list = acls) -> bool:
            for entry in acls:
                r = entry["resource"]
                if r["type"] != resource_type or operation not in entry["operations"]:
                    continue
                if r.get("patternType", "literal") == "literal" and r["name"] == resource:
                    return True
                if r.get("patternType") == "prefix" and resource.startswith(r["name"]):
                    return True
            return False

        for topic in spec.topics:
            assert allowed("topic", topic, "Write"), f"{service} publishes to {topic} without a Write ACL"
        for subscription in spec.subscriptions:
            dlq = f"dlq.{service}.{subscription.name}"
            assert dlq in declared, f"no KafkaTopic {dlq}: run k8s/generate.py"
            assert allowed("topic", dlq, "Write") and allowed("topic", dlq, "Read")
            assert allowed("group", f"{service}.{subscription.name}", "Read")
            assert allowed("group", f"{service}.{subscription.name}.replay", "Read")
            for topic in subscription.topics:
                assert allowed("topic", topic, "Read"), (
                    f"{service}.{subscription.name} reads {topic} without a Read ACL"
                )
        # And nothing more: a service may not read what it does not consume, nor write others' topics.
        consumed = {t for s in spec.subscriptions for t in s.topics}
        for other in declared - set(spec.topics) - consumed:
            if not other.startswith(f"dlq.{service}."):
                assert not allowed("topic", other, "Read") and not allowed("topic", other, "Write"), (
                    f"{service} may touch {other}"
                )
        assert not allowed("group", "someone-else.consumer", "Read")


def test_generated_base_files_are_up_to_date():
    """k8s/base/services/*.yaml and kafka/{topics,users}.yaml are what k8s/generate.py writes today."""
    module_spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
    generate = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = generate  # dataclasses look their module up there
    module_spec.loader.exec_module(generate)
    assert generate.stale() == [], "run `.venv/bin/python k8s/generate.py` and commit the result"


# -- the checks can fail -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prod() -> list[dict]:
    return render(K8S / "overlays" / "prod")


def broken(objects, kind, object_name, change) -> list[dict]:
    objects = copy.deepcopy(objects)
    change(checks.find(objects, kind, object_name))
    return objects


def test_a_missing_probe_fails(prod):
    objects = broken(prod, "Deployment", "webhooks-worker", lambda d: checks.api_container(d).pop("readinessProbe"))
    assert checks.workload_problems(objects) == ["Deployment/webhooks-worker container app: no readinessProbe"]
    objects = broken(
        prod,
        "Deployment",
        "resettlement-api",
        lambda d: checks.api_container(d)["livenessProbe"]["httpGet"].update(path="/"),
    )
    assert checks.service_problems(objects) == [
        "resettlement: API livenessProbe must GET /health/liveness on the http port"
    ]


def test_root_or_a_writable_root_filesystem_or_no_limits_fails(prod):
    objects = broken(
        prod,
        "Deployment",
        "case-allocation-api",
        lambda d: checks.api_container(d)["securityContext"].update(runAsUser=0),
    )
    assert checks.workload_problems(objects) == [
        "Deployment/case-allocation-api container app: must run as a non-root user"
    ]
    objects = broken(
        prod,
        "Job",
        "refer-monitor-migrate",
        lambda d: d["spec"]["template"]["spec"]["containers"][0]["securityContext"].pop("readOnlyRootFilesystem"),
    )
    assert checks.workload_problems(objects) == [
        "Job/refer-monitor-migrate container app: readOnlyRootFilesystem must be true"
    ]
    objects = broken(
        prod, "Deployment", "case-allocation-worker", lambda d: checks.api_container(d)["resources"].pop("limits")
    )
    assert checks.workload_problems(objects) == [
        "Deployment/case-allocation-worker container app: resources.limits needs cpu and memory"
    ]


@pytest.mark.parametrize(
    "kind, object_name, expected",
    [
        ("PodDisruptionBudget", "risk-assessment-api", "risk-assessment: no PodDisruptionBudget covers the API pods"),
        (
            "HorizontalPodAutoscaler",
            "risk-assessment-api",
            "risk-assessment: no HorizontalPodAutoscaler scales risk-assessment-api",
        ),
        ("NetworkPolicy", "risk-assessment-api", "risk-assessment: no NetworkPolicy allows ingress to the API pods"),
        (
            "Job",
            "risk-assessment-migrate",
            "risk-assessment: no migration Job runs `python -m risk_assessment migrate`",
        ),
    ],
)
def test_a_service_missing_a_piece_fails(prod, kind, object_name, expected):
    objects = [o for o in prod if not (o["kind"] == kind and checks.name(o) == object_name)]
    assert checks.service_problems(objects) == [expected]


def test_no_default_deny_fails(prod):
    objects = [o for o in prod if checks.name(o) != "default-deny-all"]
    assert checks.network_problems(objects) == [
        "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)"
    ]


def test_a_schema_error_fails(prod):
    objects = broken(prod, "Deployment", "webhooks-api", lambda d: checks.api_container(d).update(livenessProbes={}))
    assert len(checks.schema_problems(objects)) == 1
    objects = broken(prod, "HorizontalPodAutoscaler", "webhooks-api", lambda h: h["spec"].update(maxReplicas="many"))
    assert len(checks.schema_problems(objects)) == 1


def test_a_broken_crd_fails(prod):
    objects = broken(prod, "KafkaTopic", "resettlement.events", lambda t: t["spec"].update(replicas=5))
    assert checks.crd_problems(objects) == ["KafkaTopic/resettlement.events: 5 replicas but only 3 brokers"]
    objects = broken(prod, "Cluster", "webhooks-db", lambda c: c["spec"].pop("bootstrap"))
    assert checks.crd_problems(objects) == [
        "Cluster/webhooks-db: missing spec.bootstrap.initdb.database",
        "Cluster/webhooks-db: missing spec.bootstrap.initdb.owner",
    ]
    objects = [o for o in prod if o["kind"] != "KafkaNodePool"]
    assert (
        "Kafka/probation-kafka: its node pools must provide both controller and broker roles, have []"
        in checks.crd_problems(objects)
    )


def test_a_setting_typo_fails(prod, monkeypatch):
    objects = broken(
        prod, "ConfigMap", "webhooks-config", lambda cm: cm["data"].update(WEBHOOKS_KAFKA_BOOTSTRAP_SERVER="x:1")
    )
    env, _ = checks.container_env(objects, checks.api_container(checks.find(objects, "Deployment", "webhooks-api")))
    ours = {k[len("WEBHOOKS_") :].lower() for k in env if k.startswith("WEBHOOKS_")}
    assert ours - set(spec_of("webhooks").settings_class.model_fields) - PENDING_SETTINGS == {"kafka_bootstrap_server"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WEBHOOKS_KAFKA_IDEMPOTENT_PRODUCER", "sometimes")
    with pytest.raises(ValidationError):
        spec_of("webhooks").settings_class()
