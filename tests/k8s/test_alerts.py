"""Every alert rule's expression names only metrics the code exports; a planted typo fails the check."""

from __future__ import annotations

import re
from pathlib import Path

from probation_shared.metrics import ServiceMetrics
from tests.k8s.kustomize import render
from webhooks.metrics import WebhookMetrics

K8S = Path(__file__).resolve().parents[2] / "k8s"
PROMQL_WORDS = {
    "sum",
    "max",
    "min",
    "avg",
    "rate",
    "irate",
    "increase",
    "deriv",
    "clamp_min",
    "clamp_max",
    "by",
    "without",
    "histogram_quantile",
    "on",
    "and",
    "or",
}
# Series that come from the cluster, not from this code: kube-state-metrics.
EXTERNAL_METRICS = {"kube_deployment_status_replicas_available"}


def exported_metric_names() -> set[str]:
    names: set[str] = set()
    metrics = ServiceMetrics("any")
    WebhookMetrics(metrics)
    for family in metrics.registry.collect():
        names.update(sample.name for sample in family.samples)
        names.add(family.name)
        # Series a labelled family exposes once it has children.
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}.get(family.type, ())
        names.update(family.name + suffix for suffix in suffixes)
    return names


def unknown_metrics(rules: list[dict], exported: set[str]) -> list[str]:
    problems = []
    for rule_object in rules:
        for group in rule_object["spec"]["groups"]:
            for rule in group["rules"]:
                expr = re.sub(r'"[^"]*"', '""', rule["expr"])  # label values are not metric names
                expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
                expr = re.sub(
                    r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr
                )  # grouping labels are not metric names
                for name in re.findall(r"(?<![\w.])[a-z_][a-z0-9_]*", expr):
                    if name not in PROMQL_WORDS and name not in exported and name not in EXTERNAL_METRICS:
                        problems.append(f"{rule['alert']}: {name}")
                if "runbook_url" not in rule.get("annotations", {}):
                    problems.append(f"{rule['alert']}: no runbook_url")
    return problems


def _rules() -> list[dict]:
    return [o for o in render(K8S / "overlays" / "prod") if o["kind"] == "PrometheusRule"]


def test_alert_expressions_name_only_exported_metrics():
    rules = _rules()
    assert rules, "no PrometheusRule in the manifests"
    assert unknown_metrics(rules, exported_metric_names()) == []


def test_every_service_has_its_generated_alerts():
    from deploy import registry

    names = {o["metadata"]["name"] for o in _rules()}
    assert {f"{s.name}-alerts" for s in registry.SERVICES} <= names
    for rule_object in _rules():
        for rule in (r for g in rule_object["spec"]["groups"] for r in g["rules"]):
            assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]


def test_a_typo_in_a_generated_rule_is_caught():
    rules = _rules()
    rule_object = next(o for o in rules if o["metadata"]["name"] == "case-allocation-alerts")
    planted = next(
        r for r in rule_object["spec"]["groups"][0]["rules"] if "outbox_oldest_unsent_age_seconds" in r["expr"]
    )
    planted["expr"] = planted["expr"].replace("outbox_oldest_unsent_age_seconds", "outbox_oldest_unsent_age_secs")
    assert unknown_metrics(rules, exported_metric_names()) == [f"{planted['alert']}: outbox_oldest_unsent_age_secs"]


def test_a_typo_in_a_metric_name_is_caught():
    rules = _rules()
    rule_object = next(o for o in rules if o["metadata"]["name"] == "webhooks-delivery")
    planted = rule_object["spec"]["groups"][0]["rules"][0]
    planted["expr"] = planted["expr"].replace("webhook_oldest_pending_age_seconds", "webhook_oldest_pendng_age_seconds")
    assert unknown_metrics(rules, exported_metric_names()) == [f"{planted['alert']}: webhook_oldest_pendng_age_seconds"]
